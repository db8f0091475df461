//! Documents in and out as `.automerge` files.

use crate::support::{field, Holdfast};

#[test]
fn importing_an_exported_campaign_again_changes_nothing() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    holdfast.ok(&["site", "add", "North Depot"]);
    let file = holdfast.file("campaign.automerge");
    let path = file.to_str().unwrap();
    let written = holdfast.json(&["export", path]);
    assert_eq!(written["document"], "campaign");
    assert!(std::fs::metadata(&file).unwrap().len() > 0);
    let before = holdfast.json(&["member", "list"]);

    let merged = holdfast.json(&["import", path]);
    assert_eq!(merged[0]["document"], "campaign");
    assert_eq!(merged[0]["changed"], false);
    // And once more, for good measure.
    assert_eq!(holdfast.json(&["import", path])[0]["changed"], false);
    assert_eq!(holdfast.json(&["member", "list"]), before);
    assert!(holdfast.ok(&["import", path]).contains("nothing new"));
}

#[test]
fn a_garbage_file_is_refused_and_changes_nothing() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    let before = (
        holdfast.json(&["member", "list"]),
        holdfast.json(&["documents"]),
    );
    let garbage = holdfast.file("garbage.automerge");
    std::fs::write(&garbage, b"this is not an automerge document at all").unwrap();
    let empty = holdfast.file("empty.automerge");
    std::fs::write(&empty, b"").unwrap();
    for file in [&garbage, &empty] {
        let stderr = holdfast.refused(&["import", file.to_str().unwrap()]);
        assert!(
            stderr.contains(file.file_name().unwrap().to_str().unwrap()),
            "{stderr}"
        );
    }
    let stderr = holdfast.refused(&[
        "import",
        holdfast.file("missing.automerge").to_str().unwrap(),
    ]);
    assert!(stderr.contains("missing.automerge"), "{stderr}");
    let after = (
        holdfast.json(&["member", "list"]),
        holdfast.json(&["documents"]),
    );
    assert_eq!(after, before);
}

#[test]
fn a_second_device_joins_from_an_exported_campaign_and_takes_its_actions() {
    let first = Holdfast::new();
    first.member("Ana Lopes", &["--role", "coordinator"]);
    first.ok(&[
        "action",
        "add",
        "Badge flip",
        "--kind",
        "badge_flip",
        "--starts",
        "2026-03-02T09:00:00Z",
        "--ends",
        "2026-03-02T17:00:00Z",
    ]);
    first.ok(&[
        "aid",
        "request",
        "--member",
        "Ana Lopes",
        "--category",
        "pantry",
        "--amount",
        "20",
    ]);
    let bundle = first.file("bundle");
    let written = first.json(&["export-all", bundle.to_str().unwrap()]);
    let documents = field(&written, "document");
    assert!(documents.contains(&"campaign".to_string()));
    assert!(documents.contains(&"aid".to_string()));
    assert!(documents
        .iter()
        .any(|document| document.starts_with("action:")));
    // Who is behind each pseudonym stays home unless asked for.
    assert!(!documents.contains(&"aid-private".to_string()));
    assert!(!bundle.join("aid-private.automerge").exists());

    let second = Holdfast::empty();
    second.ok(&["join", bundle.join("campaign.automerge").to_str().unwrap()]);
    assert_eq!(
        field(&second.json(&["member", "list"]), "name"),
        ["Ana Lopes"]
    );
    let mut files: Vec<String> = std::fs::read_dir(&bundle)
        .unwrap()
        .map(|entry| entry.unwrap().path().to_str().unwrap().to_string())
        .collect();
    files.sort();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    second.ok(&args);
    assert_eq!(
        field(&second.json(&["action", "list"]), "title"),
        ["Badge flip"]
    );
    assert_eq!(
        second.json(&["aid", "requests"]).as_array().unwrap().len(),
        1
    );
    // The second device holds no names behind the pseudonyms.
    let view = second.json(&["--as", "Ana Lopes", "aid", "coordinator"]);
    assert!(view.is_array());
    assert!(view[0]["member_name"].is_null());
}

#[test]
fn an_unknown_document_name_is_refused() {
    let holdfast = Holdfast::new();
    let file = holdfast.file("x.automerge");
    let stderr = holdfast.refused(&["export", file.to_str().unwrap(), "--document", "secrets"]);
    assert!(stderr.contains("secrets"), "{stderr}");
    assert!(!file.exists());
}

#[test]
fn a_file_that_makes_automerge_panic_is_refused_and_nothing_changes() {
    // Found by fuzzing: a 32-byte file whose chunk makes Automerge 0.12's
    // parser panic instead of returning an error (FUZZING.md).
    let crash = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/crashes/automerge_import/automerge-bundle-chunk-truncated-column"
    );
    let holdfast = Holdfast::new();
    let before = holdfast.json(&["documents"]);
    let output = holdfast.run(&["import", crash]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error:") && stderr.contains("malformed"),
        "{stderr}"
    );
    assert_eq!(holdfast.json(&["documents"]), before);

    let fresh = Holdfast::empty();
    let output = fresh.run(&["join", crash]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("malformed"));
}
