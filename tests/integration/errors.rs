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

#[test]
fn errors_under_json_are_json_on_standard_output() {
    let holdfast = Holdfast::empty();
    let output = holdfast.run(&["--json", "member", "list"]);
    assert!(!output.status.success());
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {:?}", String::from_utf8_lossy(&output.stdout)));
    assert!(
        answer["error"].as_str().unwrap().contains("no campaign"),
        "{answer}"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("no campaign"));
}

#[test]
fn an_invite_for_a_hub_that_is_not_an_address_is_refused() {
    let holdfast = Holdfast::new();
    holdfast.member("Rosa Steward", &["--role", "steward"]);
    holdfast.member("Ana Okafor", &[]);
    for hub in [
        "not-an-address",
        "10.0.0.5",
        "10.0.0.5:99999",
        ":8419",
        "a b:8419",
    ] {
        let stderr =
            holdfast.refused(&["--as", "Rosa Steward", "invite", "Ana Okafor", "--hub", hub]);
        assert!(stderr.contains("is not a hub address"), "{hub}: {stderr}");
    }
    for hub in ["10.0.0.5:8419", "hall-pc.local:8419", "[fe80::1]:8419"] {
        holdfast.ok(&["--as", "Rosa Steward", "invite", "Ana Okafor", "--hub", hub]);
    }
}

#[test]
fn a_missing_key_file_or_a_damaged_database_is_named_without_sqlcipher_noise() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Okafor", &[]);
    let key = holdfast.data_dir().join("holdfast.key");
    let kept = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let stderr = holdfast.refused(&["member", "list"]);
    assert!(
        stderr.contains("key file") && stderr.contains("missing"),
        "{stderr}"
    );
    std::fs::write(&key, kept).unwrap();
    assert_eq!(
        holdfast.json(&["member", "list"]).as_array().unwrap().len(),
        1
    );

    // Damage every page after the first, as a failing card might.
    let database = holdfast.data_dir().join("holdfast.sqlite3");
    let mut bytes = std::fs::read(&database).unwrap();
    for byte in bytes.iter_mut().skip(4096).step_by(7) {
        *byte ^= 0x5a;
    }
    std::fs::write(&database, bytes).unwrap();
    let stderr = holdfast.refused(&["member", "list"]);
    assert!(stderr.contains("damaged"), "{stderr}");
    assert!(
        !stderr.contains("sqlcipher") && !stderr.contains("ERROR CORE"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
