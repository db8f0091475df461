//! A hostile phone against real processes: a member's phone paired with a
//! running `holdfast hub`, whose folder a modified program writes into
//! (`Campaign::forge`, signed with the phone's own key), then synced with
//! the real `holdfast sync`. The hub and the other phones refuse every
//! forged change, keep the phone's honest edits, and tell the steward.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ObjType, ReadDoc, ROOT};
use holdfast_core::DocumentId;
use holdfast_store::Campaign;
use serde_json::Value;

use crate::support::{field, Holdfast};
use crate::sync::{check_in, hub_campaign, paired_phone, sync, Hub};

fn device_of(devices: &Value, label_part: &str) -> Value {
    devices
        .as_array()
        .unwrap()
        .iter()
        .find(|device| {
            device["label"]
                .as_str()
                .is_some_and(|label| label.contains(label_part))
        })
        .unwrap_or_else(|| panic!("no device labelled {label_part} in {devices}"))
        .clone()
}

/// What a modified program on the phone writes into its own folder.
fn forge(
    phone: &Holdfast,
    document: &DocumentId,
    edit: impl FnOnce(&mut AutoCommit) -> Result<(), AutomergeError>,
) {
    let mut campaign = Campaign::open(&phone.data_dir()).expect("the phone's folder opens");
    campaign.forge(document, edit).expect("forged");
}

fn put_record(
    doc: &mut AutoCommit,
    collection: &str,
    id: &str,
    fields: &[(&str, &str)],
) -> Result<(), AutomergeError> {
    let (_, records) = doc.get(ROOT, collection)?.expect("the collection");
    let record = doc.put_object(&records, id, ObjType::Map)?;
    doc.put(&record, "id", id)?;
    for (name, value) in fields {
        doc.put(&record, *name, *value)?;
    }
    Ok(())
}

#[test]
fn a_hostile_members_phone_is_refused_by_the_hub_and_by_other_phones() {
    let hub = hub_campaign();
    let running = Hub::start(&hub, "off");
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "member");
    // A captain's phone, sent every member's arrivals.
    let ben = paired_phone(&hub, &running.address, "Ben Tran", "captain");
    sync(&ana);
    sync(&ben);
    let ana_device = ana.json(&["whoami"]);
    let ana_device_id = ana_device["device_id"]
        .as_str()
        .expect("a device id")
        .to_string();

    // The real program refuses, on the phone itself: another member's
    // check-in, a new member, revoking the steward's device, paying out.
    let stderr = ana.refused(&[
        "--as",
        "Ben Tran",
        "checkin",
        "Gate picket",
        "--member",
        "Ben Tran",
    ]);
    assert!(stderr.contains("may not write checkins"), "{stderr}");
    let stderr = ana.refused(&["member", "add", "Planted Person"]);
    assert!(stderr.contains("may not write members"), "{stderr}");
    let hub_devices = hub.json(&["devices"]);
    let hub_device = device_of(&hub_devices, "hub");
    let hub_device_id = hub_device["id"].as_str().unwrap();
    let stderr = ana.refused(&["--as", "Rosa Steward", "revoke", hub_device_id]);
    assert!(stderr.contains("steward"), "{stderr}");

    // One honest edit first: Ana's own check-in. (An edit made after a
    // forgery in the same document builds on it and goes with it.)
    check_in(&ana, "Ana Okafor");

    // A modified program writes them anyway: the phone's own device record
    // made a steward's, a planted member, and Ben's check-in.
    forge(&ana, &DocumentId::campaign(), |doc| {
        let (_, devices) = doc.get(ROOT, "devices")?.expect("devices");
        let (_, own) = doc
            .get(&devices, ana_device_id.as_str())?
            .expect("own record");
        doc.put(&own, "role", "steward")
    });
    forge(&ana, &DocumentId::campaign(), |doc| {
        put_record(
            doc,
            "members",
            "00000000-0000-4000-8000-00000000beef",
            &[("name", "Planted Person"), ("joined_on", "2026-01-01")],
        )
    });
    let actions = hub.json(&["action", "list"]);
    let action_id = actions[0]["id"].as_str().unwrap().to_string();
    let member_id = |name: &str| -> String {
        hub.json(&["member", "list"])
            .as_array()
            .unwrap()
            .iter()
            .find(|member| member["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let ben_id = member_id("Ben Tran");
    let ana_id = member_id("Ana Okafor");
    // Ben's check-in, in Ana's own arrivals, where her phone may write.
    forge(&ana, &DocumentId::arrivals(&ana_id), |doc| {
        put_record(
            doc,
            "checkins",
            "00000000-0000-4000-8000-0000000c0ffe",
            &[
                ("action_id", action_id.as_str()),
                ("member_id", ben_id.as_str()),
                ("kind", "in"),
                ("at", "2027-01-20T07:00:00Z"),
            ],
        )
    });
    let synced = sync(&ana);
    assert!(synced.is_object(), "{synced}");
    let devices = hub.json(&["devices"]);
    let ana_on_hub = device_of(&devices, "Ana");
    assert_eq!(ana_on_hub["role"], "member", "{ana_on_hub}");
    assert!(!field(&hub.json(&["member", "list"]), "name").contains(&"Planted Person".to_string()));
    let checks = hub.json(&["checks", "Gate picket"]);
    assert_eq!(
        field(&checks, "member_id"),
        std::slice::from_ref(&ana_id),
        "{checks}"
    );
    // The steward sees what was refused, from whom and why.
    let attention = hub.json(&["attention", "list"]);
    let refused: Vec<&Value> = attention
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["kind"] == "refused_change")
        .collect();
    assert_eq!(refused.len(), 3, "{attention}");
    assert!(
        refused
            .iter()
            .all(|item| item["summary"].as_str().unwrap().contains("Ana")),
        "{attention}"
    );
    // The phone that made itself a steward's never receives the aid names.
    sync(&ana);
    let documents = field(&ana.json(&["documents"]), "document");
    assert!(
        !documents.contains(&"aid-private".to_string()),
        "{documents:?}"
    );

    // Ben's phone, through the hub, gets Ana's honest check-in and nothing else.
    sync(&ben);
    let checks = ben.json(&["checks", "Gate picket"]);
    assert_eq!(
        field(&checks, "member_id"),
        std::slice::from_ref(&ana_id),
        "{checks}"
    );
    assert_eq!(device_of(&ben.json(&["devices"]), "Ana")["role"], "member");
    assert!(!field(&ben.json(&["member", "list"]), "name").contains(&"Planted Person".to_string()));

    // A bundle from the hostile phone, carried to Ben's on a stick, brings
    // the same forgeries and is refused the same way.
    let stick = ana.file("stick.hfb");
    ana.ok(&["bundle", "export", stick.to_str().unwrap()]);
    let imported = ben.json(&["bundle", "import", stick.to_str().unwrap()]);
    assert!(
        !imported["refused"].as_array().unwrap().is_empty(),
        "{imported}"
    );
    assert_eq!(
        field(&ben.json(&["checks", "Gate picket"]), "member_id"),
        [ana_id]
    );
    assert_eq!(device_of(&ben.json(&["devices"]), "Ana")["role"], "member");
}
