//! Running the program and checking what it did, so each test reads as the
//! commands a person would type.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

/// One data directory and the program to run against it.
pub struct Holdfast {
    directory: TempDir,
}

impl Holdfast {
    /// A data directory with no campaign in it yet.
    pub fn empty() -> Self {
        Holdfast {
            directory: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A data directory holding a freshly created campaign.
    pub fn new() -> Self {
        let holdfast = Self::empty();
        holdfast.ok(&["init", "Contract 2026", "--local", "Local 12"]);
        holdfast
    }

    pub fn data_dir(&self) -> PathBuf {
        self.directory.path().join("data")
    }

    /// The folder that holds the data directory and the test's own files.
    pub fn root(&self) -> PathBuf {
        self.directory.path().to_path_buf()
    }

    /// A path for a file the test writes or reads, beside the data directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.directory.path().join(name)
    }

    /// Runs the program with `args` against this data directory.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(&[], args)
    }

    /// Runs the program with extra environment variables, such as the
    /// passphrase of a locked campaign.
    pub fn run_with(&self, environment: &[(&str, &str)], args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_holdfast"))
            .env_remove("HOLDFAST_DATA_DIR")
            .env_remove("HOLDFAST_PASSPHRASE")
            .envs(environment.iter().copied())
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(args)
            .output()
            .expect("the holdfast program runs")
    }

    /// Runs a command that must succeed and returns what it printed.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(&[], args)
    }

    /// Runs a command that must succeed, with extra environment variables.
    pub fn ok_with(&self, environment: &[(&str, &str)], args: &[&str]) -> String {
        let output = self.run_with(environment, args);
        assert!(
            output.status.success(),
            "`holdfast {}` failed with {:?}\nstdout: {}\nstderr: {}",
            args.join(" "),
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("output is UTF-8")
    }

    /// Runs a command with `--json` that must succeed, and parses its output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let text = self.ok(&with_json);
        serde_json::from_str(&text).unwrap_or_else(|error| {
            panic!(
                "`{}` printed invalid JSON ({error}): {text}",
                args.join(" ")
            )
        })
    }

    /// Runs a command that must fail with exit status 1 (a refusal, not a
    /// usage error), and returns what it printed on standard error.
    pub fn refused(&self, args: &[&str]) -> String {
        self.fails_with(1, args)
    }

    /// Runs a command that must fail with the given exit status, and returns
    /// standard error. Every failure must start with `error:` and print
    /// nothing on standard output.
    pub fn fails_with(&self, code: i32, args: &[&str]) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(
            output.status.code(),
            Some(code),
            "`holdfast {}` should exit with {code}\nstdout: {}\nstderr: {stderr}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
        );
        assert!(stderr.starts_with("error:"), "unexpected stderr: {stderr}");
        assert!(
            !stderr.contains("panicked"),
            "the program panicked: {stderr}"
        );
        assert!(output.stdout.is_empty(), "a failure printed on stdout");
        stderr
    }

    /// Adds a member and returns their id.
    pub fn member(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["member", "add", name];
        args.extend_from_slice(extra);
        id_of(&self.json(&args))
    }
}

/// The `id` field of a JSON record.
pub fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {value}"))
        .to_string()
}

/// The values of one field across a JSON array, as strings.
pub fn field(values: &Value, name: &str) -> Vec<String> {
    values
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {values}"))
        .iter()
        .map(|value| match &value[name] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect()
}
