//! Where the campaign lives and whether to fill an empty folder with the
//! demo campaign, from the command line or the environment.

use std::ffi::OsString;
use std::path::PathBuf;

/// How the app was asked to start.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--data-dir DIR` or `HOLDFAST_DATA_DIR`; without either the platform's
    /// folder for the app's data is used.
    pub data_dir: Option<PathBuf>,
    /// `--demo` or `HOLDFAST_DEMO=1`: seed the demo campaign into a folder
    /// that holds none yet.
    pub demo: bool,
    /// `--no-sync` or `HOLDFAST_SYNC=off`: run neither the hub nor the sync
    /// loop (a computer that must stay silent on a network).
    pub no_sync: bool,
}

impl Options {
    pub fn from_environment() -> Self {
        Self::parse(std::env::args_os().skip(1), |name| std::env::var_os(name))
    }

    /// Arguments win over the environment. Arguments the app does not know
    /// are ignored rather than refused: desktop launchers and test drivers
    /// add their own, and a window that refuses to open helps nobody.
    fn parse(
        arguments: impl IntoIterator<Item = OsString>,
        variable: impl Fn(&str) -> Option<OsString>,
    ) -> Self {
        let mut options = Options {
            data_dir: variable("HOLDFAST_DATA_DIR")
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
            demo: variable("HOLDFAST_DEMO").is_some_and(|value| value == "1" || value == "true"),
            no_sync: variable("HOLDFAST_SYNC").is_some_and(|value| value == "off" || value == "0"),
        };
        let mut arguments = arguments.into_iter();
        while let Some(argument) = arguments.next() {
            if argument == "--demo" {
                options.demo = true;
            } else if argument == "--no-sync" {
                options.no_sync = true;
            } else if argument == "--data-dir" {
                if let Some(folder) = arguments.next() {
                    options.data_dir = Some(PathBuf::from(folder));
                }
            } else if let Some(folder) = argument
                .to_str()
                .and_then(|text| text.strip_prefix("--data-dir="))
            {
                options.data_dir = Some(PathBuf::from(folder));
            }
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(arguments: &[&str], environment: &[(&str, &str)], expected: Options) {
        let parsed = Options::parse(arguments.iter().map(OsString::from), |name| {
            environment
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        });
        assert_eq!(
            parsed, expected,
            "arguments {arguments:?}, environment {environment:?}"
        );
    }

    fn folder(path: &str) -> Option<PathBuf> {
        Some(PathBuf::from(path))
    }

    #[test]
    fn arguments_and_environment() {
        check(&[], &[], Options::default());
        check(
            &["--data-dir", "/tmp/a", "--demo"],
            &[],
            Options {
                data_dir: folder("/tmp/a"),
                demo: true,
                no_sync: false,
            },
        );
        check(
            &["--data-dir=/tmp/b"],
            &[],
            Options {
                data_dir: folder("/tmp/b"),
                demo: false,
                no_sync: false,
            },
        );
        check(
            &[],
            &[("HOLDFAST_DATA_DIR", "/tmp/c"), ("HOLDFAST_DEMO", "1")],
            Options {
                data_dir: folder("/tmp/c"),
                demo: true,
                no_sync: false,
            },
        );
        check(
            &["--data-dir", "/tmp/d"],
            &[("HOLDFAST_DATA_DIR", "/tmp/c"), ("HOLDFAST_DEMO", "0")],
            Options {
                data_dir: folder("/tmp/d"),
                demo: false,
                no_sync: false,
            },
        );
        check(
            &["--no-sync"],
            &[],
            Options {
                no_sync: true,
                ..Options::default()
            },
        );
        check(
            &[],
            &[("HOLDFAST_SYNC", "off")],
            Options {
                no_sync: true,
                ..Options::default()
            },
        );
        check(
            &["--unknown", "--data-dir"],
            &[("HOLDFAST_DATA_DIR", "")],
            Options::default(),
        );
    }
}
