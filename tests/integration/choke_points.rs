//! The choke-point map and the 48-hour report.

use std::collections::BTreeMap;

use crate::support::{field, Holdfast};

/// A map with a dependency: the clearing run cannot run without the data
/// centre, and the loading dock (added as a dependency afterwards) cannot run
/// without the mailroom, which management could route around by itself.
fn mapped() -> Holdfast {
    let holdfast = Holdfast::new();
    holdfast.ok(&["site", "add", "Riverside"]);
    for name in ["Ana", "Ben", "Cy"] {
        holdfast.member(name, &[]);
    }
    holdfast.ok(&[
        "choke",
        "add",
        "Data centre",
        "--kind",
        "system",
        "--hours",
        "6",
        "--people",
        "10",
        "--site",
        "Riverside",
        "--contingency",
        "Picket both entrances",
    ]);
    holdfast.ok(&[
        "choke",
        "add",
        "Clearing run",
        "--kind",
        "process",
        "--hours",
        "30",
        "--people",
        "4",
        "--depends-on",
        "Data centre",
    ]);
    holdfast.ok(&[
        "choke",
        "add",
        "Warehouse",
        "--hours",
        "100",
        "--people",
        "5",
    ]);
    holdfast.ok(&[
        "choke",
        "add",
        "Mailroom",
        "--hours",
        "2",
        "--people",
        "3",
        "--routable",
    ]);
    holdfast.ok(&[
        "choke",
        "add",
        "Loading dock",
        "--hours",
        "20",
        "--people",
        "2",
    ]);
    holdfast.ok(&["choke", "depend", "Loading dock", "Mailroom"]);
    holdfast.ok(&["choke", "commit", "Data centre", "--member", "Ana"]);
    holdfast.ok(&["choke", "commit", "Data centre", "--member", "Ben"]);
    // Committing twice does not count twice.
    holdfast.ok(&["choke", "commit", "Data centre", "--member", "Ben"]);
    holdfast.ok(&["--as", "Cy", "choke", "commit", "Loading dock"]);
    holdfast
}

#[test]
fn the_report_lists_what_freezes_the_operation_within_48_hours() {
    let holdfast = mapped();
    let report = holdfast.json(&["choke", "report"]);
    let rows: BTreeMap<String, &serde_json::Value> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["name"].as_str().unwrap().to_string(), row))
        .collect();
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        ["Clearing run", "Data centre", "Loading dock", "Mailroom"]
    );
    let data_centre = rows["Data centre"];
    assert_eq!(data_centre["people_needed"], 10);
    assert_eq!(data_centre["people_committed"], 2);
    assert_eq!(data_centre["people_still_needed"], 8);
    assert_eq!(
        data_centre["also_stops"],
        serde_json::json!(["Clearing run"])
    );
    assert_eq!(data_centre["contingency"], "Picket both entrances");
    assert_eq!(rows["Clearing run"]["people_still_needed"], 4);
    assert_eq!(rows["Loading dock"]["people_still_needed"], 1);
    // The mailroom freezes nothing by itself, but the dock behind it does.
    assert_eq!(rows["Mailroom"]["frozen_through"], "Loading dock");
    assert_eq!(rows["Mailroom"]["hours_to_freeze"], 20.0);
    // Soonest first.
    assert_eq!(report[0]["name"], "Data centre");

    let text = holdfast.ok(&["choke", "report"]);
    assert!(text.contains("within 48 hours"), "{text}");
    assert!(
        text.contains("16 more committed people are needed"),
        "{text}"
    );
}

#[test]
fn a_shorter_horizon_narrows_the_report() {
    let holdfast = mapped();
    let report = holdfast.json(&["choke", "report", "--hours", "10"]);
    assert_eq!(field(&report, "name"), ["Data centre"]);
    let none = holdfast.ok(&["choke", "report", "--hours", "1"]);
    assert!(none.contains("No choke point"), "{none}");
}

#[test]
fn the_map_lists_dependencies_and_commitments() {
    let holdfast = mapped();
    let points = holdfast.json(&["choke", "list"]);
    let clearing = points
        .as_array()
        .unwrap()
        .iter()
        .find(|point| point["name"] == "Clearing run")
        .unwrap();
    assert_eq!(clearing["depends_on"].as_array().unwrap().len(), 1);
    let data_centre = points
        .as_array()
        .unwrap()
        .iter()
        .find(|point| point["name"] == "Data centre")
        .unwrap();
    assert_eq!(data_centre["people_committed"], 2);
    holdfast.refused(&["choke", "depend", "Mailroom", "Mailroom"]);
    holdfast.refused(&["choke", "depend", "Mailroom", "Nowhere"]);
}

/// A loop in the map (the dock needs the mailroom, which needs the clearing
/// run, which needs the dock) has no first thing to stop; it is refused by
/// name and the map stays as it was.
#[test]
fn a_dependency_that_closes_a_loop_is_refused_and_named() {
    let holdfast = mapped();
    holdfast.ok(&["choke", "depend", "Mailroom", "Clearing run"]);
    let before = holdfast.json(&["choke", "list"]);
    let refused = holdfast.refused(&["choke", "depend", "Data centre", "Loading dock"]);
    assert!(refused.contains("loop"), "{refused}");
    assert!(
        refused.contains("Loading dock → Mailroom → Clearing run → Data centre"),
        "{refused}"
    );
    assert_eq!(holdfast.json(&["choke", "list"]), before);
    // Adding a point that names its dependency at once is checked the same
    // way: a new point cannot be part of a loop yet, so it is taken.
    holdfast.ok(&[
        "choke",
        "add",
        "Gate",
        "--hours",
        "5",
        "--depends-on",
        "Data centre",
    ]);
}

/// The contingency plan is part of the map people read, a steward can
/// change it, and a member can take back a commitment they can no longer
/// keep (the count of people still needed goes up again). On a paired
/// device the write policy lets only the member remove their own
/// commitment, as it lets only them make it.
#[test]
fn contingency_plans_are_shown_and_changed_and_commitments_withdrawn() {
    let holdfast = mapped();
    let list = holdfast.ok(&["choke", "list"]);
    assert!(list.contains("Picket both entrances"), "{list}");
    let report = holdfast.ok(&["choke", "report"]);
    assert!(report.contains("Picket both entrances"), "{report}");

    holdfast.ok(&[
        "choke",
        "plan",
        "Data centre",
        "Block the loading bay if they move the servers",
    ]);
    let points = holdfast.json(&["choke", "list"]);
    let data_centre = points
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["name"] == "Data centre")
        .unwrap();
    assert_eq!(
        data_centre["contingency"],
        "Block the loading bay if they move the servers"
    );

    let withdrawn = holdfast.ok(&["choke", "withdraw", "Data centre", "--member", "Ben"]);
    assert!(withdrawn.contains("Ben"), "{withdrawn}");
    let report = holdfast.json(&["choke", "report"]);
    let row = report
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["name"] == "Data centre")
        .unwrap();
    assert_eq!(row["people_committed"], 1);
    // Withdrawing what was never promised is refused by name.
    let refused = holdfast.refused(&["choke", "withdraw", "Data centre", "--member", "Ben"]);
    assert!(refused.contains("Ben"), "{refused}");
}

/// A member takes back their own commitment from their own phone, and the
/// hub takes the change; the same phone cannot take back someone else's,
/// nor can its program get round that (the hub's door refuses it too).
#[test]
fn a_member_withdraws_their_own_commitment_from_their_phone_and_no_one_elses() {
    use crate::sync::{hub_campaign, paired_phone, sync, Hub};
    let hub = hub_campaign();
    hub.ok(&[
        "choke",
        "add",
        "Data centre",
        "--hours",
        "6",
        "--people",
        "4",
    ]);
    hub.ok(&["choke", "commit", "Data centre", "--member", "Ben Tran"]);
    let running = Hub::start(&hub, "off");
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "member");
    sync(&ana);
    ana.ok(&["choke", "commit", "Data centre"]);
    sync(&ana);
    let committed = |device: &Holdfast| -> Vec<String> {
        let list = device.json(&["choke", "list"]);
        vec![list[0]["people_committed"].to_string()]
    };
    assert_eq!(committed(&hub), ["2"]);

    ana.ok(&["choke", "withdraw", "Data centre"]);
    sync(&ana);
    assert_eq!(committed(&hub), ["1"]);
    assert_eq!(committed(&ana), ["1"]);

    let refused = ana.refused(&["choke", "withdraw", "Data centre", "--member", "Ben Tran"]);
    assert!(refused.contains("may not"), "{refused}");
    // Committing again after withdrawing counts once more.
    ana.ok(&["choke", "commit", "Data centre"]);
    sync(&ana);
    drop(running);
    assert_eq!(committed(&hub), ["2"]);
}
