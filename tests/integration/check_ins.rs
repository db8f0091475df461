//! Checking in and out, turnout and hours.

use crate::actions::picket;
use crate::support::{field, id_of, Holdfast};

#[test]
fn a_check_in_and_out_gives_turnout_with_hours() {
    let holdfast = Holdfast::new();
    let shift = picket(&holdfast, "4");
    let check_in = holdfast.json(&[
        "checkin",
        "Picket at the gate",
        "--member",
        "Ben Okafor",
        "--shift",
        &shift,
        "--at",
        "2026-03-14T09:00:00Z",
    ]);
    assert_eq!(check_in["kind"], "in");

    let stderr = holdfast.refused(&[
        "checkin",
        "Picket at the gate",
        "--member",
        "Ben Okafor",
        "--at",
        "2026-03-14T09:05:00Z",
    ]);
    assert!(stderr.contains("already checked in"), "{stderr}");

    let roster = holdfast.json(&["shift", "roster", &shift]);
    assert_eq!(field(&roster["here"], "name"), ["Ben Okafor"]);

    holdfast.ok(&[
        "checkout",
        "Picket at the gate",
        "--member",
        "Ben Okafor",
        "--at",
        "2026-03-14T13:30:00Z",
    ]);
    let turnout = holdfast.json(&["turnout", "Picket at the gate"]);
    assert_eq!(turnout["turned_out"], 1);
    assert_eq!(turnout["still_here"], 0);
    assert_eq!(turnout["hours"], 4.5);
    let text = holdfast.ok(&["turnout", "Picket at the gate"]);
    assert!(
        text.contains("1 person came") && text.contains("4.5 hours"),
        "{text}"
    );

    let hours = holdfast.json(&["hours"]);
    assert_eq!(field(&hours, "name"), ["Ben Okafor"]);
    assert_eq!(hours[0]["hours"], 4.5);

    let checks = holdfast.json(&["checks", "Picket at the gate"]);
    assert_eq!(field(&checks, "kind"), ["in", "out"]);
    assert_eq!(checks[0]["id"], check_in["id"]);
}

#[test]
fn checking_out_without_checking_in_is_refused() {
    let holdfast = Holdfast::new();
    picket(&holdfast, "4");
    let stderr = holdfast.refused(&["checkout", "Picket at the gate", "--member", "Ben Okafor"]);
    assert!(stderr.contains("not checked in"), "{stderr}");
    assert!(holdfast
        .json(&["checks", "Picket at the gate"])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn a_captain_checks_someone_in_and_a_mistake_is_voided() {
    let holdfast = Holdfast::new();
    picket(&holdfast, "4");
    let members = holdfast.json(&["member", "list"]);
    assert_eq!(members[0]["name"], "Ana Lopes");
    let captain = id_of(&members[0]);
    let check = holdfast.json(&[
        "--as",
        "Ana Lopes",
        "checkin",
        "Picket at the gate",
        "--member",
        "Ben Okafor",
    ]);
    assert_eq!(check["recorded_by"], captain.as_str());

    let voided = holdfast.json(&["void-check", check["id"].as_str().unwrap()]);
    assert_eq!(voided["voided"], true);
    assert_eq!(
        holdfast.json(&["turnout", "Picket at the gate"])["turned_out"],
        0
    );
    // With the mistaken check-in voided, checking in again is allowed.
    holdfast.ok(&["checkin", "Picket at the gate", "--member", "Ben Okafor"]);
    holdfast.refused(&["void-check", "no-such-check"]);
}

#[test]
fn the_device_member_checks_in_with_two_words() {
    let holdfast = Holdfast::new();
    picket(&holdfast, "4");
    let stderr = holdfast.refused(&["checkin", "Picket at the gate"]);
    assert!(stderr.contains("not linked to a member"), "{stderr}");
    holdfast.ok(&["use-member", "Ben Okafor"]);
    let text = holdfast.ok(&["checkin", "Picket at the gate"]);
    assert!(text.starts_with("Checked in Ben Okafor"), "{text}");
}

/// A tap on a picket days away, or a time still to come, is refused, saying
/// when check-in opens; an arrival typed in later with the time it happened
/// is taken. A circle for an action that has not started is refused too.
#[test]
fn check_in_opens_an_hour_before_an_action() {
    let holdfast = Holdfast::new();
    picket(&holdfast, "4");

    // The picket on 14 March 2026 runs from 08:00; check-in opened at 07:00.
    let stderr = holdfast.refused(&[
        "checkin",
        "Picket at the gate",
        "--member",
        "Ben Okafor",
        "--at",
        "2026-03-14T06:59:59Z",
    ]);
    assert!(
        stderr
            .contains("check-in at Picket at the gate opens on Saturday 14 March 2026, 07:00 UTC"),
        "{stderr}"
    );
    assert!(holdfast
        .json(&["checks", "Picket at the gate"])
        .as_array()
        .unwrap()
        .is_empty());
    let early = holdfast.json(&[
        "checkin",
        "Picket at the gate",
        "--member",
        "Ben Okafor",
        "--at",
        "2026-03-14T07:00:00Z",
    ]);
    assert_eq!(early["kind"], "in");
    // Checking out is never refused for the time: people forget to.
    holdfast.ok(&["checkout", "Picket at the gate", "--member", "Ben Okafor"]);

    // An action three days from now: nothing can be recorded for it yet.
    let starts = chrono::Utc::now() + chrono::Duration::days(3);
    let ends = starts + chrono::Duration::hours(4);
    let instant = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    holdfast.ok(&[
        "action",
        "add",
        "Mass picket",
        "--kind",
        "mass_picket",
        "--starts",
        &instant(starts),
        "--ends",
        &instant(ends),
    ]);
    let stderr = holdfast.refused(&["checkin", "Mass picket", "--member", "Ben Okafor"]);
    assert!(
        stderr.contains("check-in at Mass picket opens on"),
        "{stderr}"
    );
    let stderr = holdfast.refused(&[
        "checkin",
        "Mass picket",
        "--member",
        "Ben Okafor",
        "--at",
        &instant(starts),
    ]);
    assert!(stderr.contains("still to come"), "{stderr}");
    let stderr = holdfast.refused(&[
        "--as",
        "Ana Lopes",
        "circle",
        "record",
        "Mass picket",
        "--participants",
        "3",
    ]);
    assert!(
        stderr.contains("Mass picket has not started yet"),
        "{stderr}"
    );
    let stderr = holdfast.refused(&["checkout", "Mass picket", "--member", "Ben Okafor"]);
    assert!(stderr.contains("is not checked in"), "{stderr}");

    // Nor is attendance taken at a skill session that is still to come.
    holdfast.ok(&[
        "skill",
        "add",
        "Legal basics",
        "--summary",
        "Rights at a picket",
    ]);
    holdfast.ok(&["skill", "teacher", "Legal basics", "Ana Lopes"]);
    let on = starts.format("%Y-%m-%d").to_string();
    let session = holdfast.json(&["skill", "session", "Legal basics", "--on", &on]);
    let stderr = holdfast.refused(&["skill", "attend", &id_of(&session), "Ben Okafor"]);
    assert!(
        stderr.contains(&format!("the session is on {on}")),
        "{stderr}"
    );
    assert!(holdfast
        .json(&["checks", "Mass picket"])
        .as_array()
        .unwrap()
        .is_empty());
}
