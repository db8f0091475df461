//! Mistakes a person can make at the command line, and what they are told.

use crate::support::Holdfast;

#[test]
fn a_missing_campaign_is_explained() {
    let holdfast = Holdfast::empty();
    for args in [&["member", "list"][..], &["status"], &["checkin", "Picket"]] {
        let stderr = holdfast.refused(args);
        assert!(stderr.contains("no campaign"), "{stderr}");
        assert!(stderr.contains("holdfast init"), "{stderr}");
    }
    assert!(
        !holdfast.data_dir().exists(),
        "a failed command must not create the data directory"
    );
}

#[test]
fn a_campaign_is_not_created_twice() {
    let holdfast = Holdfast::new();
    let stderr = holdfast.refused(&["init", "Another"]);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(holdfast.json(&["whoami"])["campaign"], "Contract 2026");
}

#[test]
fn usage_mistakes_keep_the_usage_exit_code() {
    let holdfast = Holdfast::new();
    holdfast.fails_with(2, &["no-such-command"]);
    holdfast.fails_with(2, &["member", "add"]);
    holdfast.fails_with(2, &["choke", "add", "Data centre", "--hours", "soon"]);
    holdfast.fails_with(
        2,
        &[
            "action", "add", "Rally", "--kind", "riot", "--starts", "x", "--ends", "y",
        ],
    );
}

#[test]
fn unknown_names_are_reported_by_name() {
    let holdfast = Holdfast::new();
    let stderr = holdfast.refused(&["choke", "commit", "Data centre", "--member", "Nobody"]);
    assert!(stderr.contains("Data centre"), "{stderr}");
    let stderr = holdfast.refused(&["turnout", "The big one"]);
    assert!(stderr.contains("The big one"), "{stderr}");
    let stderr = holdfast.refused(&["shift", "roster", "not-a-shift"]);
    assert!(stderr.contains("not-a-shift"), "{stderr}");
}

#[test]
fn the_data_directory_comes_from_the_environment_too() {
    let holdfast = Holdfast::new();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .env("HOLDFAST_DATA_DIR", holdfast.data_dir())
        .args(["--json", "whoami"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let whoami: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(whoami["campaign"], "Contract 2026");
}
