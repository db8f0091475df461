//! Creating a campaign, its sites and members, and linking the device.

use crate::support::{field, id_of, Holdfast};

#[test]
fn sites_and_members_are_listed_with_their_content() {
    let holdfast = Holdfast::new();
    let north = id_of(&holdfast.json(&["site", "add", "North Depot", "--address", "1 Dock Road"]));
    holdfast.ok(&["site", "add", "South Depot"]);
    holdfast.ok(&["department", "add", "North Depot", "Loading"]);
    holdfast.member(
        "Ana Lopes",
        &[
            "--site",
            "North Depot",
            "--department",
            "Loading",
            "--role",
            "steward",
            "--role",
            "captain",
            "--email",
            "ana@example.org",
        ],
    );
    holdfast.member("Ben Okafor", &["--site", "south depot"]);

    let sites = holdfast.json(&["site", "list"]);
    assert_eq!(field(&sites, "name"), ["North Depot", "South Depot"]);

    let members = holdfast.json(&["member", "list"]);
    assert_eq!(field(&members, "name"), ["Ana Lopes", "Ben Okafor"]);
    let ana = &members[0];
    assert_eq!(ana["site_id"], north.as_str());
    assert_eq!(ana["email"], "ana@example.org");
    assert_eq!(ana["roles"], serde_json::json!(["steward", "captain"]));
    assert!(ana["department_id"].is_string());
    assert_eq!(members[1]["roles"], serde_json::json!(["member"]));

    let table = holdfast.ok(&["member", "list"]);
    assert!(table.contains("Ana Lopes") && table.contains("steward, captain"));
    assert!(table.contains("North Depot") && table.contains("Loading"));
}

#[test]
fn roles_change_and_a_bad_role_is_a_usage_error() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    let changed = holdfast.json(&["member", "roles", "Ana Lopes", "coordinator", "facilitator"]);
    assert_eq!(
        changed["roles"],
        serde_json::json!(["coordinator", "facilitator"])
    );

    let stderr = holdfast.fails_with(2, &["member", "add", "Cy", "--role", "boss"]);
    assert!(stderr.contains("boss"), "{stderr}");
    assert_eq!(
        holdfast.json(&["member", "list"]).as_array().unwrap().len(),
        1
    );
}

#[test]
fn the_device_is_linked_to_a_member() {
    let holdfast = Holdfast::new();
    let whoami = holdfast.json(&["whoami"]);
    assert_eq!(whoami["campaign"], "Contract 2026");
    assert!(whoami["member"].is_null());
    assert!(holdfast.ok(&["whoami"]).contains("not linked"));

    let ana = holdfast.member("Ana Lopes", &[]);
    holdfast.ok(&["use-member", "ana lopes"]);
    assert_eq!(holdfast.json(&["whoami"])["member"]["id"], ana.as_str());
    assert!(holdfast.ok(&["whoami"]).contains("belongs to Ana Lopes"));

    holdfast.refused(&["use-member", "Nobody"]);
}

#[test]
fn erasing_a_member_needs_confirmation_and_removes_them() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    holdfast.member("Ben Okafor", &[]);
    holdfast.ok(&[
        "committee",
        "add",
        "Safety",
        "--member",
        "Ana Lopes",
        "--member",
        "Ben Okafor",
    ]);

    let stderr = holdfast.refused(&["member", "erase", "Ana Lopes"]);
    assert!(stderr.contains("--yes"), "{stderr}");
    assert_eq!(
        holdfast.json(&["member", "list"]).as_array().unwrap().len(),
        2
    );

    let erasure = holdfast.json(&["member", "erase", "Ana Lopes", "--yes"]);
    assert_eq!(erasure["committees_updated"], 1);
    assert_eq!(
        field(&holdfast.json(&["member", "list"]), "name"),
        ["Ben Okafor"]
    );
    let committees = holdfast.json(&["committee", "list"]);
    assert_eq!(
        committees[0]["committee"]["member_ids"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Sentences count in words people use: "1 member", never "1 member(s)".
#[test]
fn counts_in_sentences_agree_with_their_number() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    holdfast.member("Ben Okafor", &[]);
    let formed = holdfast.ok(&["committee", "add", "Safety", "--member", "Ana Lopes"]);
    assert!(formed.contains("with 1 member."), "{formed}");
    let joined = holdfast.ok(&["committee", "join", "Safety", "Ben Okafor"]);
    assert!(joined.contains("now has 2 members."), "{joined}");
    let erased = holdfast.ok(&["member", "erase", "Ana Lopes", "--yes"]);
    assert!(erased.contains("from 1 committee,"), "{erased}");
    assert!(!erased.contains("(s)"), "{erased}");
}
