//! Walk-ins with the real program: a captain checks in someone the roster
//! does not know, a steward adds them or merges them into a member, and
//! the counts follow.

use crate::actions::picket;
use crate::support::{field, id_of, Holdfast};

#[test]
fn a_walk_in_is_checked_in_then_added_or_merged_by_a_steward() {
    let holdfast = Holdfast::new();
    let shift = picket(&holdfast, "4");
    holdfast.member("Rosa Steward", &["--role", "steward"]);
    let ben = holdfast.member("Ben Okafor-Reyes", &[]);

    // A plain member may not check a walk-in in; a captain may.
    let stderr = holdfast.refused(&[
        "--as",
        "Ben Okafor",
        "walk-in",
        "add",
        "Picket at the gate",
        "Sam Ortiz",
        "--at",
        "2026-03-14T09:00:00Z",
    ]);
    assert!(stderr.contains("not a picket captain"), "{stderr}");
    let stderr = holdfast.refused(&[
        "--as",
        "Ana Lopes",
        "walk-in",
        "add",
        "Picket at the gate",
        "  ",
    ]);
    assert!(stderr.contains("a walk-in needs a name"), "{stderr}");
    let walked = holdfast.json(&[
        "--as",
        "Ana Lopes",
        "walk-in",
        "add",
        "Picket at the gate",
        "Sam Ortiz",
        "--phone",
        "555 0199",
        "--shift",
        &shift,
        "--at",
        "2026-03-14T09:00:00Z",
    ]);
    let sam = id_of(&walked["person"]);
    assert_eq!(walked["person"]["roles"], serde_json::json!([]));
    assert_eq!(walked["check_in"]["member_id"], sam.as_str());
    let walk_in_two = holdfast.json(&[
        "--as",
        "Ana Lopes",
        "walk-in",
        "add",
        "Picket at the gate",
        "B. Okafor Reyes",
        "--at",
        "2026-03-14T09:10:00Z",
    ]);

    // They count at the picket and on the shift, and are not members yet.
    assert_eq!(
        holdfast.json(&["turnout", "Picket at the gate"])["turned_out"],
        2
    );
    let roster = holdfast.json(&["shift", "roster", &shift]);
    assert_eq!(field(&roster["here"], "name"), ["Sam Ortiz"]);
    let members = field(&holdfast.json(&["member", "list"]), "name");
    assert!(!members.contains(&"Sam Ortiz".to_string()), "{members:?}");
    assert_eq!(
        field(&holdfast.json(&["walk-in", "list"]), "action_title"),
        ["Picket at the gate", "Picket at the gate"]
    );
    let attention = holdfast.json(&["attention", "list"]);
    let walk_ins: Vec<&serde_json::Value> = attention
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["kind"] == "walk_in")
        .collect();
    assert_eq!(walk_ins.len(), 2, "{attention}");
    assert!(
        walk_ins[0]["summary"]
            .as_str()
            .unwrap()
            .contains("Sam Ortiz walked in at Picket at the gate, checked in by Ana Lopes"),
        "{attention}"
    );

    // Settling is a steward's call.
    let stderr = holdfast.refused(&["--as", "Ana Lopes", "walk-in", "confirm", "Sam Ortiz"]);
    assert!(stderr.contains("not a steward"), "{stderr}");
    let confirmed = holdfast.json(&["--as", "Rosa Steward", "walk-in", "confirm", "Sam Ortiz"]);
    assert_eq!(confirmed["roles"], serde_json::json!(["member"]));
    assert!(field(&holdfast.json(&["member", "list"]), "name").contains(&"Sam Ortiz".to_string()));

    // The other is Ben under another spelling; Ben also checked in himself.
    holdfast.ok(&[
        "checkin",
        "Picket at the gate",
        "--member",
        "Ben Okafor-Reyes",
        "--at",
        "2026-03-14T11:00:00Z",
    ]);
    assert_eq!(
        holdfast.json(&["turnout", "Picket at the gate"])["turned_out"],
        3
    );
    holdfast.ok(&[
        "--as",
        "Rosa Steward",
        "walk-in",
        "merge",
        &id_of(&walk_in_two["person"]),
        "Ben Okafor-Reyes",
    ]);
    assert_eq!(
        holdfast.json(&["turnout", "Picket at the gate"])["turned_out"],
        2
    );
    assert!(holdfast
        .json(&["walk-in", "list"])
        .as_array()
        .unwrap()
        .is_empty());
    assert!(holdfast
        .json(&["attention", "list"])
        .as_array()
        .unwrap()
        .iter()
        .all(|row| row["kind"] != "walk_in"));
    let stderr = holdfast.refused(&["--as", "Rosa Steward", "walk-in", "confirm", "Sam Ortiz"]);
    assert!(stderr.contains("walk-in"), "{stderr}");

    // Erasing Ben takes the walk-in record merged into him too.
    holdfast.ok(&["--as", "Rosa Steward", "member", "erase", &ben, "--yes"]);
    let gone = holdfast.json(&["checks", "Picket at the gate"]);
    let walk_in_id = id_of(&walk_in_two["person"]);
    assert!(gone
        .as_array()
        .unwrap()
        .iter()
        .any(|check| check["member_id"] == walk_in_id.as_str()));
    let text = holdfast.ok(&["checks", "Picket at the gate"]);
    assert!(!text.contains("B. Okafor Reyes"), "{text}");
}
