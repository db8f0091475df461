//! Status, strike pay, sovereignty gains, committees and attention.

use crate::support::{field, Holdfast};

#[test]
fn sovereignty_is_counted_month_by_month() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    holdfast.member("Ben Okafor", &[]);
    holdfast.ok(&[
        "committee",
        "add",
        "Safety",
        "--formed",
        "2026-01-10",
        "--member",
        "Ana Lopes",
        "--member",
        "Ben Okafor",
    ]);
    holdfast.ok(&["committee", "meet", "Safety", "--on", "2026-01-20"]);
    holdfast.ok(&[
        "practice",
        "start",
        "Worker safety walk",
        "--kind",
        "safety_inspection",
        "--on",
        "2026-02-03",
    ]);
    holdfast.ok(&[
        "practice",
        "held",
        "Worker safety walk",
        "--on",
        "2026-02-17",
        "--participants",
        "6",
    ]);

    let months = holdfast.json(&["sovereignty", "--until", "2026-03-31"]);
    assert_eq!(field(&months, "month"), ["2026-01", "2026-02", "2026-03"]);
    assert_eq!(field(&months, "committees_formed"), ["1", "1", "1"]);
    // The committee last met on 20 January, so by the end of March it no
    // longer counts as meeting (the window is 60 days).
    assert_eq!(field(&months, "committees_meeting"), ["1", "1", "0"]);
    assert_eq!(field(&months, "practices_started"), ["0", "1", "1"]);
    assert_eq!(field(&months, "practices_kept"), ["0", "1", "1"]);
    let text = holdfast.ok(&["sovereignty", "--until", "2026-03-31"]);
    assert!(text.contains("2026-02"), "{text}");
    holdfast.fails_with(1, &["sovereignty", "--until", "March"]);

    // The same figures as a page to share: the committee's members are not
    // in it, its counts are.
    let page = holdfast.file("what-we-run.html");
    let said = holdfast.ok(&[
        "sovereignty",
        "--until",
        "2026-03-31",
        "--page",
        page.to_str().unwrap(),
    ]);
    assert!(said.contains("names no one"), "{said}");
    let html = std::fs::read_to_string(&page).unwrap();
    for name in ["Ana", "Lopes", "Ben", "Okafor"] {
        assert!(!html.contains(name), "the page names {name}");
    }
    // By the end of March: no committee still meeting of one formed, and
    // one practice kept up of one started.
    assert!(html.contains("<p class=\"figure\">0 of 1</p>"), "{html}");
    assert!(html.contains("<p class=\"figure\">1 of 1</p>"), "{html}");
    assert!(html.contains("<tr><th scope=\"row\">Mar 2026</th><td>0</td></tr>"));
    assert_eq!(html.matches("<section>").count(), 6);
    let refused = holdfast.refused(&[
        "sovereignty",
        "--page",
        page.to_str().unwrap(),
        "--language",
        "fr",
    ]);
    assert!(refused.contains("en or es"), "{refused}");
}

#[test]
fn the_facilitation_rota_takes_turns() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    holdfast.member("Ben Okafor", &[]);
    holdfast.ok(&["committee", "add", "Safety", "--member", "Ana Lopes"]);
    holdfast.ok(&["committee", "join", "Safety", "Ben Okafor"]);
    assert_eq!(
        holdfast.json(&["committee", "next-facilitator", "Safety"])["name"],
        "Ana Lopes"
    );
    let meeting = holdfast.json(&["committee", "meet", "Safety", "--on", "2026-02-01"]);
    assert!(meeting["facilitator_id"].is_string());
    assert_eq!(
        holdfast.json(&["committee", "next-facilitator", "Safety"])["name"],
        "Ben Okafor"
    );
    let text = holdfast.ok(&["committee", "list"]);
    assert!(
        text.contains("Ana Lopes, Ben Okafor") && text.contains("Safety"),
        "{text}"
    );
}

#[test]
fn strike_pay_follows_the_local_rule() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    holdfast.ok(&[
        "strike-pay",
        "rule",
        "--day-hours",
        "4",
        "--week-hours",
        "8",
        "--weekly-pay",
        "150",
    ]);
    // Two four-hour days in the week of Monday 2 March 2026.
    for day in ["03", "04"] {
        let starts = format!("2026-03-{day}T08:00:00Z");
        let ends = format!("2026-03-{day}T16:00:00Z");
        let title = format!("Picket {day}");
        holdfast.ok(&[
            "action",
            "add",
            &title,
            "--kind",
            "strike_day",
            "--starts",
            &starts,
            "--ends",
            &ends,
        ]);
        let at_in = format!("2026-03-{day}T08:00:00Z");
        let at_out = format!("2026-03-{day}T12:00:00Z");
        holdfast.ok(&["checkin", &title, "--member", "Ana Lopes", "--at", &at_in]);
        holdfast.ok(&["checkout", &title, "--member", "Ana Lopes", "--at", &at_out]);
    }
    let report = holdfast.json(&["strike-pay"]);
    assert_eq!(report["rule"]["weekly_pay_cents"], 15_000);
    assert_eq!(report["members"][0]["name"], "Ana Lopes");
    assert_eq!(report["members"][0]["pay_cents"], 15_000);
    assert_eq!(
        report["members"][0]["qualifying_weeks"],
        serde_json::json!(["2026-03-02"])
    );
    let text = holdfast.ok(&["strike-pay"]);
    assert!(text.contains("150.00"), "{text}");
    assert!(text.contains("On days that count"), "{text}");
    assert_eq!(report["members"][0]["hours_on_counting_days"], 8.0);
    assert_eq!(report["members"][0]["picket_hours"], 8.0);
}

#[test]
fn status_summarises_the_campaign() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    holdfast.ok(&["site", "add", "North Depot"]);
    let status = holdfast.json(&["status"]);
    assert_eq!(status["campaign"], "Contract 2026");
    assert_eq!(status["members"], 1);
    assert_eq!(status["sites"], 1);
    let text = holdfast.ok(&["status"]);
    assert!(text.starts_with("Contract 2026"), "{text}");
    assert!(text.contains("No action is planned"), "{text}");
}

#[test]
fn nothing_needs_attention_in_a_fresh_campaign() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Lopes", &[]);
    assert!(holdfast
        .json(&["attention", "list"])
        .as_array()
        .unwrap()
        .is_empty());
    assert!(holdfast
        .ok(&["attention", "list"])
        .contains("Nothing needs attention"));
    let stderr = holdfast.refused(&["--as", "Ana Lopes", "attention", "resolve", "no-such-item"]);
    assert!(stderr.contains("no-such-item"), "{stderr}");
}

#[test]
fn a_strike_pay_rule_no_one_could_meet_is_refused_and_the_old_one_stays() {
    let holdfast = Holdfast::new();
    let rule = |day: &str, week: &str, pay: &str| {
        vec![
            "strike-pay".to_string(),
            "rule".into(),
            "--day-hours".into(),
            day.into(),
            "--week-hours".into(),
            week.into(),
            "--weekly-pay".into(),
            pay.into(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        holdfast.refused(&args)
    };
    let before = holdfast.json(&["strike-pay"])["rule"].clone();
    assert!(run(rule("30", "20", "300")).contains("a day has 24 hours"));
    assert!(run(rule("4", "200", "300")).contains("a week has 168 hours"));
    assert!(run(rule("4", "20", "92233720368547758")).contains("larger than any amount"));
    assert_eq!(holdfast.json(&["strike-pay"])["rule"], before);
    let args = rule("24", "168", "300");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    holdfast.ok(&args);
}

/// A practice is only worth counting while it is kept up: the list says
/// when each was last held (or that it has not been yet).
#[test]
fn the_practice_list_says_when_each_was_last_held() {
    let holdfast = Holdfast::new();
    for name in ["Worker safety walk", "Peer grievance panel"] {
        holdfast.ok(&[
            "practice",
            "start",
            name,
            "--kind",
            "other",
            "--on",
            "2026-02-03",
        ]);
    }
    for day in ["2026-02-17", "2026-03-02"] {
        holdfast.ok(&[
            "practice",
            "held",
            "Worker safety walk",
            "--on",
            day,
            "--participants",
            "6",
        ]);
    }
    let listed = holdfast.json(&["practice", "list"]);
    let last: Vec<(String, serde_json::Value)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap().to_string(),
                row["last_held"].clone(),
            )
        })
        .collect();
    assert!(
        last.contains(&("Worker safety walk".into(), "2026-03-02".into())),
        "{last:?}"
    );
    assert!(
        last.contains(&("Peer grievance panel".into(), serde_json::Value::Null)),
        "{last:?}"
    );
    let text = holdfast.ok(&["practice", "list"]);
    assert!(text.contains("Last held"), "{text}");
    assert!(text.contains("2026-03-02"), "{text}");
    assert!(text.contains("not yet"), "{text}");
}
