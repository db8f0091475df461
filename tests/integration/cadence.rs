//! The cadence of small actions, its calendar file, and the variety warning.

use icalendar::{Calendar, Component};

use crate::support::{field, id_of, Holdfast};

fn with_cadence() -> Holdfast {
    let holdfast = Holdfast::new();
    holdfast.ok(&[
        "cadence",
        "add",
        "Monthly log-off",
        "--every-days",
        "29",
        "--starts",
        "2026-01-31",
        "--time",
        "12:30",
        "--minutes",
        "5",
        "--tactic",
        "five-minute log-off",
        "--tactic",
        "badge flip",
    ]);
    holdfast
}

#[test]
fn a_cadence_every_29_days_falls_on_the_right_dates() {
    let holdfast = with_cadence();
    let calendar = holdfast.json(&[
        "cadence",
        "calendar",
        "--from",
        "2026-01-01",
        "--count",
        "3",
    ]);
    assert_eq!(
        field(&calendar, "date"),
        ["2026-01-31", "2026-03-01", "2026-03-30"]
    );
    assert_eq!(calendar[1]["starts_at"], "2026-03-01T12:30:00Z");
    assert_eq!(calendar[1]["ends_at"], "2026-03-01T12:35:00Z");

    let listed = holdfast.json(&["cadence", "list"]);
    assert_eq!(listed[0]["rule"], "every_days");
    assert_eq!(listed[0]["interval_days"], 29);
}

#[test]
fn planning_the_next_action_twice_gives_the_same_action() {
    let holdfast = with_cadence();
    let first = holdfast.json(&["cadence", "next", "Monthly log-off", "--from", "2026-02-01"]);
    assert_eq!(first["starts_at"], "2026-03-01T12:30:00Z");
    assert_eq!(first["tactic"], "five-minute log-off");
    assert_eq!(first["kind"], "log_off");
    let again = holdfast.json(&["cadence", "next", "Monthly log-off", "--from", "2026-02-01"]);
    assert_eq!(id_of(&again), id_of(&first));
    assert_eq!(
        holdfast.json(&["action", "list"]).as_array().unwrap().len(),
        1
    );
    // The following occurrence rotates to the tactic not used yet.
    let next = holdfast.json(&["cadence", "next", "Monthly log-off", "--from", "2026-03-02"]);
    assert_eq!(next["tactic"], "badge flip");
}

#[test]
fn planning_an_action_already_planned_says_so_and_how_to_plan_the_one_after() {
    let holdfast = with_cadence();
    let first = holdfast.json(&["cadence", "next", "Monthly log-off", "--from", "2026-02-01"]);
    assert_eq!(first["already_planned"], false);
    let again = holdfast.json(&["cadence", "next", "Monthly log-off", "--from", "2026-02-01"]);
    assert_eq!(again["already_planned"], true);
    let text = holdfast.ok(&["cadence", "next", "Monthly log-off", "--from", "2026-02-01"]);
    assert!(text.contains("already planned"), "{text}");
    // The one after: the day after this one, which the command then plans.
    assert!(
        text.contains("holdfast cadence next \"Monthly log-off\" --from 2026-03-02"),
        "{text}"
    );
    let after = holdfast.json(&["cadence", "next", "Monthly log-off", "--from", "2026-03-02"]);
    assert_eq!(after["already_planned"], false);
    assert_eq!(after["starts_at"], "2026-03-30T12:30:00Z");
}

#[test]
fn a_calendar_on_standard_output_under_json_is_json() {
    let holdfast = with_cadence();
    holdfast.ok(&["cadence", "next", "Monthly log-off", "--from", "2026-02-01"]);
    let wrapped = holdfast.json(&["cadence", "ics", "--from", "2026-01-01", "--count", "2"]);
    let text = wrapped["ics"].as_str().expect("the calendar as text");
    assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
    assert_eq!(wrapped["bytes"].as_u64(), Some(text.len() as u64));
}

#[test]
fn the_calendar_file_holds_the_planned_and_coming_actions() {
    let holdfast = with_cadence();
    holdfast.ok(&["cadence", "next", "Monthly log-off", "--from", "2026-02-01"]);
    let file = holdfast.file("campaign.ics");
    let written = holdfast.json(&[
        "cadence",
        "ics",
        "--out",
        file.to_str().unwrap(),
        "--from",
        "2026-01-01",
        "--count",
        "3",
    ]);
    assert!(written["bytes"].as_u64().unwrap() > 0);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
    assert!(text.contains("BEGIN:VEVENT"));

    let calendar: Calendar = text.parse().expect("a valid iCalendar file");
    let events: Vec<_> = calendar.events().collect();
    // The planned action on 1 March stands in for that occurrence, so three
    // dates make three events, not four.
    assert_eq!(events.len(), 3, "{text}");
    let summaries: Vec<&str> = events
        .iter()
        .filter_map(|event| event.get_summary())
        .collect();
    assert!(
        summaries.contains(&"Monthly log-off: five-minute log-off"),
        "{summaries:?}"
    );
    assert_eq!(
        summaries
            .iter()
            .filter(|summary| **summary == "Monthly log-off")
            .count(),
        2
    );

    // Without --out the calendar goes to standard output.
    let printed = holdfast.ok(&["cadence", "ics", "--from", "2026-01-01", "--count", "3"]);
    assert!(printed.starts_with("BEGIN:VCALENDAR") && printed.contains("END:VCALENDAR"));
}

#[test]
fn a_cadence_needs_a_rule_and_sensible_numbers() {
    let holdfast = Holdfast::new();
    holdfast.fails_with(2, &["cadence", "add", "No rule"]);
    holdfast.fails_with(
        2,
        &[
            "cadence",
            "add",
            "Both",
            "--every-days",
            "29",
            "--day-of-month",
            "3",
        ],
    );
    let stderr = holdfast.refused(&["cadence", "add", "Too long", "--every-days", "400"]);
    assert!(stderr.contains("between 1 and 366"), "{stderr}");
    let stderr = holdfast.refused(&[
        "cadence",
        "add",
        "Odd time",
        "--day-of-month",
        "3",
        "--time",
        "noon",
    ]);
    assert!(stderr.contains("noon"), "{stderr}");
    assert!(holdfast
        .json(&["cadence", "list"])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn the_same_tactic_three_times_in_a_row_is_flagged() {
    let holdfast = Holdfast::new();
    assert!(holdfast.json(&["variety"]).is_null());
    for day in ["01", "02", "03"] {
        let starts = format!("2020-02-{day}T12:00:00Z");
        let ends = format!("2020-02-{day}T12:05:00Z");
        holdfast.ok(&[
            "action",
            "add",
            &format!("Log-off {day}"),
            "--kind",
            "log_off",
            "--tactic",
            "log-off",
            "--starts",
            &starts,
            "--ends",
            &ends,
        ]);
    }
    let warning = holdfast.json(&["variety"]);
    assert_eq!(warning["tactic"], "log-off");
    assert_eq!(warning["times_in_a_row"], 3);
    let text = holdfast.ok(&["variety"]);
    assert!(text.contains("different form"), "{text}");
}
