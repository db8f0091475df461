//! Decision forums across real processes: the hall puts a proposal, phones
//! vote while offline, the votes reach the hub over loopback, a facilitator
//! closes the vote there, and the result and its count are the same on
//! every device. The sovereignty report counts the decision.

use crate::support::{field, Holdfast};
use crate::sync::{hub_campaign, paired_phone, sync, Hub};

const TITLE: &str = "Refuse the split shifts";

fn row(device: &Holdfast) -> serde_json::Value {
    let rows = device.json(&["decision", "list"]);
    rows.as_array()
        .unwrap()
        .iter()
        .find(|row| row["proposal"]["title"] == TITLE)
        .unwrap_or_else(|| panic!("no proposal on this device: {rows}"))
        .clone()
}

#[test]
fn phones_vote_offline_and_the_closed_count_is_the_same_everywhere() {
    let hub = hub_campaign();
    hub.ok(&[
        "--as",
        "Rosa Steward",
        "decision",
        "propose",
        TITLE,
        "--text",
        "No member accepts a split shift until the grievance is settled.",
    ]);
    let running = Hub::start(&hub, "off");
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "member");
    let ben = paired_phone(&hub, &running.address, "Ben Tran", "member");
    let port = running.address.rsplit(':').next().unwrap().to_string();
    drop(running);

    // At the picket line, no signal: Ana votes yes, then changes her mind.
    ana.ok(&["decision", "vote", TITLE, "yes"]);
    ana.ok(&["decision", "vote", TITLE, "abstain"]);
    ben.ok(&["decision", "vote", TITLE, "yes"]);
    let refused = ben.refused(&["decision", "vote", TITLE, "perhaps"]);
    assert!(refused.contains("not one of the options"), "{refused}");
    // A phone votes only as its own member.
    let refused = ben.refused(&["--as", "Ana Okafor", "decision", "vote", TITLE, "no"]);
    assert!(refused.contains("may not write votes"), "{refused}");
    let refused = ben.refused(&["decision", "close", TITLE]);
    assert!(refused.contains("may not write proposals"), "{refused}");

    let running = Hub::start_with(&hub, "off", &port, &[]);
    for phone in [&ana, &ben, &ana] {
        sync(phone);
    }
    hub.ok(&["--as", "Rosa Steward", "decision", "vote", TITLE, "yes"]);
    hub.ok(&["--as", "Rosa Steward", "decision", "close", TITLE]);
    for phone in [&ana, &ben] {
        sync(phone);
    }
    drop(running);

    for device in [&hub, &ana, &ben] {
        let row = row(device);
        assert_eq!(
            row["proposal"]["closing"]["counts"],
            serde_json::json!([2, 0, 1])
        );
        assert_eq!(row["proposal"]["closing"]["outcome"], "yes");
        assert_eq!(row["open"], false);
    }
    assert_eq!(row(&ana)["my_choice"], "abstain");
    let refused = ana.refused(&["decision", "vote", TITLE, "no"]);
    assert!(refused.contains("has closed"), "{refused}");
    let list = hub.ok(&["decision", "list"]);
    assert!(list.contains("closed"), "{list}");

    let months = hub.json(&["sovereignty"]);
    let decided = field(&months, "decisions_made");
    assert_eq!(decided.last().map(String::as_str), Some("1"));
}
