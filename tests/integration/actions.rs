//! Actions, shifts and sign-ups.

use crate::support::{field, id_of, Holdfast};

pub const STARTS: &str = "2026-03-14T08:00:00Z";
pub const ENDS: &str = "2026-03-14T16:00:00Z";

/// A campaign with two members and a picket with one shift of `capacity`.
/// Returns the shift id.
pub fn picket(holdfast: &Holdfast, capacity: &str) -> String {
    holdfast.member("Ana Lopes", &["--role", "captain"]);
    holdfast.member("Ben Okafor", &[]);
    holdfast.ok(&[
        "action",
        "add",
        "Picket at the gate",
        "--kind",
        "informational_picket",
        "--starts",
        STARTS,
        "--ends",
        ENDS,
    ]);
    id_of(&holdfast.json(&[
        "shift",
        "add",
        "Picket at the gate",
        "--location",
        "North gate",
        "--starts",
        STARTS,
        "--ends",
        ENDS,
        "--capacity",
        capacity,
        "--captain",
        "Ana Lopes",
    ]))
}

#[test]
fn a_full_shift_refuses_a_second_signup() {
    let holdfast = Holdfast::new();
    let shift = picket(&holdfast, "1");
    holdfast.ok(&["shift", "signup", &shift, "--member", "Ana Lopes"]);
    // Signing up again is not an error; it is the same sign-up.
    holdfast.ok(&["shift", "signup", &shift, "--member", "Ana Lopes"]);
    let stderr = holdfast.refused(&["shift", "signup", &shift, "--member", "Ben Okafor"]);
    assert!(
        stderr.contains("full") && stderr.contains("1 of 1"),
        "{stderr}"
    );

    let roster = holdfast.json(&["shift", "roster", &shift]);
    assert_eq!(field(&roster["signed_up"], "name"), ["Ana Lopes"]);
    assert_eq!(field(&roster["missing"], "name"), ["Ana Lopes"]);
    assert_eq!(roster["still_needed"], 1);

    // A place frees up when someone withdraws.
    holdfast.ok(&["shift", "withdraw", &shift, "--member", "Ana Lopes"]);
    holdfast.ok(&["--as", "Ben Okafor", "shift", "signup", &shift]);
    let shifts = holdfast.json(&["shift", "list", "Picket at the gate"]);
    assert_eq!(field(&shifts[0]["signed_up"], "name"), ["Ben Okafor"]);
}

#[test]
fn signing_up_without_saying_who_asks_who_is_acting() {
    let holdfast = Holdfast::new();
    let shift = picket(&holdfast, "3");
    let stderr = holdfast.refused(&["shift", "signup", &shift]);
    assert!(stderr.contains("use-member"), "{stderr}");
    holdfast.ok(&["use-member", "Ben Okafor"]);
    holdfast.ok(&["shift", "signup", &shift]);
    let roster = holdfast.json(&["shift", "roster", &shift]);
    assert_eq!(field(&roster["signed_up"], "name"), ["Ben Okafor"]);
}

#[test]
fn actions_are_listed_shown_and_cancelled() {
    let holdfast = Holdfast::new();
    picket(&holdfast, "2");
    holdfast.ok(&[
        "action",
        "add",
        "Lunch rally",
        "--kind",
        "lunch_rally",
        "--starts",
        "2026-03-01T12:00:00Z",
        "--ends",
        "2026-03-01T12:30:00Z",
        "--tactic",
        "rally with banners",
    ]);
    let actions = holdfast.json(&["action", "list"]);
    assert_eq!(
        field(&actions, "title"),
        ["Lunch rally", "Picket at the gate"]
    );
    assert_eq!(actions[0]["tactic"], "rally with banners");
    assert_eq!(actions[1]["tactic"], "informational picket");

    let shown = holdfast.json(&["action", "show", "Picket at the gate"]);
    assert_eq!(shown["shifts"].as_array().unwrap().len(), 1);
    assert_eq!(shown["turnout"]["turned_out"], 0);
    let text = holdfast.ok(&["action", "show", "Picket at the gate"]);
    assert!(
        text.contains("North gate") && text.contains("0 of 2"),
        "{text}"
    );

    let cancelled = holdfast.json(&["action", "cancel", "Lunch rally"]);
    assert_eq!(cancelled["cancelled"], true);
    let stderr = holdfast.refused(&["checkin", "Lunch rally", "--member", "Ben Okafor"]);
    assert!(stderr.contains("cancelled"), "{stderr}");
}

#[test]
fn an_action_that_ends_before_it_starts_is_refused() {
    let holdfast = Holdfast::new();
    let stderr = holdfast.refused(&[
        "action",
        "add",
        "Backwards",
        "--kind",
        "other",
        "--starts",
        ENDS,
        "--ends",
        STARTS,
    ]);
    assert!(stderr.contains("end after it starts"), "{stderr}");
    let stderr = holdfast.refused(&[
        "action",
        "add",
        "Vague",
        "--kind",
        "other",
        "--starts",
        "next tuesday",
        "--ends",
        ENDS,
    ]);
    assert!(stderr.contains("next tuesday"), "{stderr}");
    assert!(holdfast
        .json(&["action", "list"])
        .as_array()
        .unwrap()
        .is_empty());
}
