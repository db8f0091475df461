//! A member asks to be erased: the steward runs `holdfast member erase` on
//! the hub's computer while the hub serves, the phones sync over real
//! sockets, and afterwards no device's folder holds the member's name or
//! contact details anywhere: not in any document's history, any table or
//! any file. An edit a phone made offline meanwhile survives.

use crate::support::{field, Holdfast};
use crate::sync::{check_in, hub_campaign, paired_phone, sync, Hub};

const NAME: &str = "Philippa Zanetti-Okonkwo";
const PHONE: &str = "+1 604 555 0187";
const EMAIL: &str = "pzo.gatehouse@example.net";
const NEEDLES: [&str; 4] = [NAME, "Zanetti", PHONE, EMAIL];

fn traces(device: &Holdfast) -> Vec<String> {
    holdfast_store::inspect::traces(&device.data_dir(), None, &NEEDLES).expect("the folder opens")
}

fn names(device: &Holdfast) -> Vec<String> {
    let mut names = field(&device.json(&["member", "list"]), "name");
    names.sort();
    names
}

#[test]
fn an_erased_member_is_gone_from_every_devices_files_after_sync() {
    let hub = hub_campaign();
    hub.member(NAME, &["--phone", PHONE, "--email", EMAIL]);
    hub.ok(&[
        "committee",
        "add",
        "Gatehouse rota",
        "--member",
        NAME,
        "--member",
        "Ana Okafor",
    ]);
    let running = Hub::start(&hub, "off");
    // Ana's is a steward's device: the edit she makes offline (adding a
    // member) is one only stewards' devices may make.
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "steward");
    let dee = paired_phone(&hub, &running.address, "Dee Walker", "coordinator");
    let theirs = paired_phone(&hub, &running.address, NAME, "member");
    for phone in [&ana, &dee, &theirs] {
        sync(phone);
    }
    // The search can find what it looks for: before the erasure, every
    // device holds the member.
    for device in [&hub, &ana, &dee] {
        assert!(!traces(device).is_empty());
    }

    // Ana is out of reach and records a check-in and a new member.
    drop(running);
    check_in(&ana, "Ana Okafor");
    ana.member("Wendeline Osei", &[]);
    let running = Hub::start(&hub, "off");
    // The hub's port changed with the restart; the phones are told where.
    let hub_address = running.address.clone();

    let erased = hub.json(&["member", "erase", NAME, "--yes"]);
    assert_eq!(erased["devices_revoked"], 1, "{erased}");
    let rebased = erased["history_rebased"].as_array().expect("a list");
    assert!(rebased.iter().any(|id| id == "campaign"), "{erased}");
    assert_eq!(traces(&hub), Vec::<String>::new());

    for phone in [&dee, &ana, &dee] {
        phone.json(&["sync", "--discovery", "off", "--peer", &hub_address]);
    }
    drop(running);

    for device in [&hub, &ana, &dee] {
        assert_eq!(traces(device), Vec::<String>::new());
    }
    assert!(names(&hub).contains(&"Wendeline Osei".to_string()));
    assert_eq!(names(&ana), names(&hub));
    assert_eq!(names(&dee), names(&hub));
    assert!(!names(&hub).contains(&NAME.to_string()));
    let checks = |device: &Holdfast| field(&device.json(&["checks", "Gate picket"]), "id");
    assert_eq!(checks(&hub), checks(&ana));
    assert_eq!(checks(&hub).len(), 1);

    // The erased member's own phone is revoked: the hub refuses it.
    let running = Hub::start(&hub, "off");
    let refused = theirs.refused(&["sync", "--discovery", "off", "--peer", &running.address]);
    assert!(refused.contains("revoked"), "{refused}");
}
