//! Decompression circles and the skill commons.

use crate::support::{field, id_of, Holdfast};

#[test]
fn a_circle_is_due_after_an_action_and_then_recorded() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &["--role", "facilitator"]);
    holdfast.ok(&[
        "action",
        "add",
        "Lunch rally",
        "--kind",
        "lunch_rally",
        "--starts",
        "2020-03-01T12:00:00Z",
        "--ends",
        "2020-03-01T12:30:00Z",
    ]);
    assert_eq!(
        field(&holdfast.json(&["circle", "due"]), "title"),
        ["Lunch rally"]
    );

    let rounds = holdfast.json(&["circle", "rounds"]);
    assert_eq!(
        field(&rounds, "name"),
        ["worries", "laughter", "gratitude", "rest"]
    );
    assert!(rounds[0]["minutes"].as_u64().unwrap() > 0);

    let circle = holdfast.json(&[
        "--as",
        "Ana Lopes",
        "circle",
        "record",
        "Lunch rally",
        "--participants",
        "7",
    ]);
    assert_eq!(circle["rounds"].as_array().unwrap().len(), 4);
    assert!(holdfast
        .json(&["circle", "due"])
        .as_array()
        .unwrap()
        .is_empty());
    holdfast.ok(&[
        "circle",
        "share-rest",
        &id_of(&circle),
        "A long walk on Sunday",
        "--member",
        "Ana Lopes",
    ]);
    assert_eq!(
        holdfast.json(&["circle", "list"])[0]["participant_count"],
        7
    );

    holdfast.ok(&[
        "circle",
        "reflect",
        "Lunch rally",
        "--round",
        "worries",
        "The cold",
    ]);
    assert_eq!(
        field(&holdfast.json(&["circle", "reflections"]), "text"),
        ["The cold"]
    );
    let file = holdfast.file("mine.automerge");
    let stderr = holdfast.refused(&["export", file.to_str().unwrap(), "--document", "personal"]);
    assert!(stderr.contains("never leaves this device"), "{stderr}");
    assert!(!file.exists());
}

#[test]
fn skills_rotate_their_facilitators_and_count_who_is_trained() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    holdfast.member("Ben Okafor", &[]);
    holdfast.member("Cy Tran", &[]);
    let materials = holdfast.file("legal.md");
    std::fs::write(
        &materials,
        "# Your rights on the line\nStay on the public pavement.",
    )
    .unwrap();
    holdfast.ok(&[
        "skill",
        "add",
        "Legal basics",
        "--summary",
        "Rights at a picket",
        "--materials-file",
        materials.to_str().unwrap(),
    ]);
    holdfast.ok(&["skill", "teacher", "Legal basics", "Ana Lopes"]);
    holdfast.ok(&["skill", "teacher", "Legal basics", "Ben Okafor"]);
    assert_eq!(
        holdfast.json(&["skill", "rotation", "Legal basics"])["name"],
        "Ana Lopes"
    );

    let session = holdfast.json(&["skill", "session", "Legal basics", "--on", "2026-02-10"]);
    assert!(session["facilitator_id"].is_string());
    assert_eq!(
        holdfast.json(&["skill", "rotation", "Legal basics"])["name"],
        "Ben Okafor"
    );
    holdfast.ok(&["skill", "attend", &id_of(&session), "Cy Tran", "Ben Okafor"]);
    // Attending twice is counted once.
    holdfast.ok(&["skill", "attend", &id_of(&session), "Cy Tran"]);

    let list = holdfast.json(&["skill", "list"]);
    assert_eq!(list["members_trained"], 2);
    assert_eq!(
        list["skills"][0]["teachers"],
        serde_json::json!(["Ana Lopes", "Ben Okafor"])
    );
    assert_eq!(list["skills"][0]["sessions"], 1);
    let text = holdfast.ok(&["skill", "materials", "Legal basics"]);
    assert!(text.contains("public pavement"), "{text}");
}
