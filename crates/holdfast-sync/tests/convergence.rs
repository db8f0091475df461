//! The sync protocol converges: devices edit apart, meet in random pairs
//! through real sessions (phone to hub and phone to phone), the hub's
//! steward erases members (a new history each time), and after a final
//! round everyone holds the same record.
//!
//! A fourth, hostile device (a member's phone running a modified program)
//! takes part: it forges edits its role does not allow, or under another
//! device's name, and syncs with everyone. The honest devices converge
//! just the same, and none of them holds any effect of a forgery.

mod support;

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ROOT};
use holdfast_core::model::{Device as DeviceRecord, Role, Site};
use holdfast_core::DocumentId;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::Campaign;
use holdfast_sync::{Config, Session, Status};
use proptest::prelude::*;
use support::Device;

const MEMBERS: [&str; 4] = ["Ana", "Ben", "Cy", "Dee"];

#[derive(Debug, Clone)]
enum Step {
    CheckIn {
        device: usize,
        member: usize,
    },
    CheckOut {
        device: usize,
        member: usize,
    },
    AddMember {
        device: usize,
    },
    /// The hub's steward erases Cy or Dee (whose devices are not in play),
    /// which re-bases the campaign's history.
    Erase {
        member: usize,
    },
    Sync {
        left: usize,
        right: usize,
    },
    /// The hub's steward makes Ben a picket captain, or takes it away:
    /// his phone's check-ins of others made after a demotion are dropped
    /// wherever they reached, whatever order devices hear of it in.
    Captaincy {
        on: bool,
    },
    /// The hostile device forges one of its attacks.
    Forge {
        attack: usize,
    },
}

/// The hostile device's place in the list, and whose phone it is.
const HOSTILE: usize = 3;
const HOSTILE_MEMBER: &str = "Eve";
/// Every forged record's id starts with this.
const FORGED: &str = "f0f0f0f0";

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3_usize, 0..4_usize).prop_map(|(device, member)| Step::CheckIn { device, member }),
        (0..3_usize, 0..4_usize).prop_map(|(device, member)| Step::CheckOut { device, member }),
        (0..3_usize).prop_map(|device| Step::AddMember { device }),
        (2..4_usize).prop_map(|member| Step::Erase { member }),
        (0..4_usize, 0..4_usize).prop_map(|(left, right)| Step::Sync { left, right }),
        (0..7_usize).prop_map(|attack| Step::Forge { attack }),
        any::<bool>().prop_map(|on| Step::Captaincy { on }),
    ]
}

/// One forgery by the hostile device, numbered `index` to keep ids apart.
fn forge(devices: &mut [Device], attack: usize, index: usize) {
    let forged_id = format!("{FORGED}-0000-4000-8000-{index:012}");
    let hub_id = devices[0].campaign.device_id().to_string();
    let hostile = &mut devices[HOSTILE].campaign;
    let own_id = hostile.device_id().to_string();
    let action = DocumentId::action(&hostile.actions().unwrap()[0].id);
    let victim = hostile
        .resolve_member(MEMBERS[index % 2])
        .map(|member| member.id);
    let record = |doc: &mut automerge::AutoCommit, collection: &str, fields: &[(&str, &str)]| {
        let (_, records) = doc.get(ROOT, collection)?.expect("collection");
        let record = doc.put_object(&records, forged_id.as_str(), ObjType::Map)?;
        doc.put(&record, "id", forged_id.as_str())?;
        for (field, value) in fields {
            doc.put(&record, *field, *value)?;
        }
        Ok(())
    };
    let _ = match attack {
        // Make itself a steward's device.
        0 => hostile.forge(&DocumentId::campaign(), |doc| {
            let (_, devices) = doc.get(ROOT, "devices")?.expect("devices");
            let (_, own) = doc.get(&devices, own_id.as_str())?.expect("own record");
            doc.put(&own, "role", "steward")
        }),
        // Plant a member.
        1 => hostile.forge(&DocumentId::campaign(), |doc| {
            record(
                doc,
                "members",
                &[("name", "Forged member"), ("joined_on", "2026-01-01")],
            )
        }),
        // Check in somebody else.
        2 => match victim {
            Ok(victim) => hostile.forge(&DocumentId::arrivals(&victim), |doc| {
                record(
                    doc,
                    "checkins",
                    &[
                        ("member_id", victim.as_str()),
                        ("kind", "in"),
                        ("at", "2026-03-02T08:00:00Z"),
                    ],
                )
            }),
            Err(_) => return,
        },
        // Check somebody else in inside its own arrivals, which every
        // member's phone may hand in, or in the action's document, where
        // check-ins no longer go.
        5 | 6 => match victim {
            Ok(victim) => {
                let own_member = hostile.resolve_member(HOSTILE_MEMBER).unwrap().id;
                let action_id = action.action_id().unwrap().to_string();
                let target = match attack {
                    5 => DocumentId::arrivals(&own_member),
                    _ => action.clone(),
                };
                hostile.forge(&target, |doc| {
                    record(
                        doc,
                        "checkins",
                        &[
                            ("action_id", action_id.as_str()),
                            ("member_id", victim.as_str()),
                            ("kind", "in"),
                            ("at", "2026-03-02T08:00:00Z"),
                        ],
                    )
                })
            }
            Err(_) => return,
        },
        // Rename the campaign.
        3 => hostile.forge(&DocumentId::campaign(), |doc| {
            let (_, settings) = doc.get(ROOT, "settings")?.expect("settings");
            let (_, only) = doc
                .get(&settings, "settings")?
                .expect("the settings record");
            doc.put(&only, "campaign_name", "Forged campaign")
        }),
        // Write under the hub's name, signed with its own key.
        _ => hostile.forge_as(&DocumentId::campaign(), Some(&hub_id), true, |doc| {
            record(doc, "sites", &[("name", "Forged depot")])
        }),
    };
}

/// No effect of any forgery on an honest device.
fn assert_untouched(device: &Device) {
    let campaign = &device.campaign;
    assert!(campaign
        .members()
        .unwrap()
        .iter()
        .all(|member| !member.id.starts_with(FORGED)));
    assert!(campaign
        .check_ins(None)
        .unwrap()
        .iter()
        .all(|check| !check.id.starts_with(FORGED)));
    assert!(campaign.all::<Site>().unwrap().is_empty());
    assert_eq!(
        campaign.settings().unwrap().campaign_name,
        "Fair Contract Now"
    );
    let hostile_role: Vec<Role> = campaign
        .all::<DeviceRecord>()
        .unwrap()
        .into_iter()
        .filter(|device| {
            device.member_id.as_deref()
                == campaign
                    .resolve_member(HOSTILE_MEMBER)
                    .ok()
                    .map(|m| m.id)
                    .as_deref()
        })
        .map(|device| device.role)
        .collect();
    assert_eq!(hostile_role, [Role::Member]);
}

/// One session between two devices, bytes handed back and forth. A
/// session with the hostile device may fail (a forged change under the
/// hub's name that collides with one the hub made is refused by Automerge
/// with the whole message); between honest devices none may.
fn sync(devices: &mut [Device], left: usize, right: usize) {
    if left == right {
        return;
    }
    let hostile = left == HOSTILE || right == HOSTILE;
    let (first, second) = if left < right {
        let (a, b) = devices.split_at_mut(right);
        (&mut a[left], &mut b[0])
    } else {
        let (a, b) = devices.split_at_mut(left);
        (&mut b[0], &mut a[right])
    };
    let (mut client, mut to_server) =
        Session::connect(first.identity.clone(), Config::default()).unwrap();
    let mut server = Session::accept(
        second.identity.clone(),
        Config {
            collapse_heads: true,
            ..Config::default()
        },
    );
    for _ in 0..40 {
        let output = server.receive(&mut second.campaign, &to_server);
        let server_running = matches!(output.status, Status::Continue);
        if let Status::Failed(error) = &output.status {
            if hostile {
                return;
            }
            panic!("server failed: {error}");
        }
        let reply = client.receive(&mut first.campaign, &output.send);
        match reply.status {
            Status::Continue => to_server = reply.send,
            Status::Done(_) => {
                if server_running && !reply.send.is_empty() {
                    let last = server.receive(&mut second.campaign, &reply.send);
                    assert!(
                        hostile || !matches!(last.status, Status::Failed(_)),
                        "{:?}",
                        last.status
                    );
                }
                return;
            }
            Status::Failed(_) if hostile => return,
            Status::Failed(error) => panic!("client failed: {error}"),
        }
        if !server_running {
            return;
        }
    }
    assert!(hostile, "the session did not finish");
}

/// The check-ins and members a device holds, counting only the arrivals
/// the hub would send it now (a member's phone is sent its own; one that was
/// a captain's keeps what it was sent then, which no longer follows).
fn record(campaign: &Campaign, hub: &Campaign, device_id: &str) -> (Vec<String>, Vec<String>) {
    let device = hub
        .devices()
        .unwrap()
        .into_iter()
        .find(|device| device.id == device_id)
        .expect("a paired device");
    let mut check_ins: Vec<String> = campaign
        .check_ins(None)
        .unwrap()
        .into_iter()
        .filter(|check| {
            hub.may_share(&DocumentId::arrivals(&check.member_id), &device)
                .unwrap()
        })
        .map(|check| format!("{} {} {:?}", check.id, check.member_id, check.kind))
        .collect();
    check_ins.sort();
    let mut members: Vec<String> = campaign
        .members()
        .unwrap()
        .into_iter()
        .map(|member| member.id)
        .collect();
    members.sort();
    (check_ins, members)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn devices_that_sync_in_any_order_converge(steps in proptest::collection::vec(step(), 1..25)) {
        let everyone: Vec<(&str, &[Role])> = MEMBERS
            .iter()
            .chain(std::iter::once(&HOSTILE_MEMBER))
            .map(|name| (*name, &[Role::Member][..]))
            .collect();
        let mut hub = support::founder(&everyone);
        // The honest phones check anyone in and add members, so they are a
        // steward's and a picket captain's (the captain's additions of
        // members are refused on the phone itself, and that is all). Ben's
        // captaincy is his member's role, which the hub takes away and
        // gives back.
        hub.campaign.set_roles("Ben", vec![Role::Member, Role::PicketCaptain]).unwrap();
        let phone_one = support::pair(&mut hub, "Ana", Role::Steward);
        let phone_two = support::pair(&mut hub, "Ben", Role::Member);
        let hostile = support::pair(&mut hub, HOSTILE_MEMBER, Role::Member);
        let mut devices = vec![hub, phone_one, phone_two, hostile];
        sync(&mut devices, 1, 0);
        sync(&mut devices, 2, 0);
        sync(&mut devices, 3, 0);
        for (index, step) in steps.into_iter().enumerate() {
            match step {
                // Local refusals (checking in twice) are part of the game.
                Step::CheckIn { device, member } => {
                    let _ = devices[device].campaign.check_in(CheckRequest {
                        action: support::ACTION.into(),
                        member: Some(MEMBERS[member].into()),
                        shift: None,
                        recorded_by: None,
                        at: None,
                    });
                }
                Step::CheckOut { device, member } => {
                    let _ = devices[device].campaign.check_out(CheckRequest {
                        action: support::ACTION.into(),
                        member: Some(MEMBERS[member].into()),
                        shift: None,
                        recorded_by: None,
                        at: None,
                    });
                }
                Step::AddMember { device } => {
                    let added = devices[device].campaign.add_member(NewMember {
                        name: format!("New member {index}"),
                        ..NewMember::default()
                    });
                    // Only the captain's phone may be refused, and only here.
                    assert!(added.is_ok() || device == 2, "{added:?}");
                }
                Step::Forge { attack } => forge(&mut devices, attack, index),
                Step::Captaincy { on } => {
                    let roles = match on {
                        true => vec![Role::Member, Role::PicketCaptain],
                        false => vec![Role::Member],
                    };
                    devices[0].campaign.set_roles("Ben", roles).unwrap();
                }
                Step::Erase { member } => {
                    let hub = &mut devices[0].campaign;
                    if let Ok(found) = hub.resolve_member(MEMBERS[member]) {
                        hub.erase_member(&found.id).unwrap();
                        hub.erase_from_history(&found.id).unwrap();
                    }
                }
                Step::Sync { left, right } => sync(&mut devices, left, right),
            }
        }
        sync(&mut devices, HOSTILE, 0);
        for _ in 0..2 {
            sync(&mut devices, 1, 0);
            sync(&mut devices, 2, 0);
        }
        for device in &devices[1..HOSTILE] {
            let device_id = device.campaign.device_id().to_string();
            let expected = record(&devices[0].campaign, &devices[0].campaign, &device_id);
            prop_assert_eq!(
                record(&device.campaign, &devices[0].campaign, &device_id),
                expected
            );
        }
        for device in &devices[..HOSTILE] {
            assert_untouched(device);
        }
        // What sync projected record by record is what a full rebuild
        // from the documents gives (on the honest devices: the hostile one
        // holds records of its own making that no reader accepts).
        for device in &mut devices[..HOSTILE] {
            let incremental = support::projected_rows(device);
            device.campaign.reproject_everything().unwrap();
            prop_assert_eq!(incremental, support::projected_rows(device));
        }
    }
}
