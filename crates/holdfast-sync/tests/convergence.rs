//! The sync protocol converges: devices edit apart, meet in random pairs
//! through real sessions (phone to hub and phone to phone), the hub's
//! steward erases members (a new history each time), and after a final
//! round everyone holds the same record.

mod support;

use holdfast_core::model::Role;
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
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3_usize, 0..4_usize).prop_map(|(device, member)| Step::CheckIn { device, member }),
        (0..3_usize, 0..4_usize).prop_map(|(device, member)| Step::CheckOut { device, member }),
        (0..3_usize).prop_map(|device| Step::AddMember { device }),
        (2..4_usize).prop_map(|member| Step::Erase { member }),
        (0..3_usize, 0..3_usize).prop_map(|(left, right)| Step::Sync { left, right }),
    ]
}

/// One session between two devices, bytes handed back and forth.
fn sync(devices: &mut [Device], left: usize, right: usize) {
    if left == right {
        return;
    }
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
            panic!("server failed: {error}");
        }
        let reply = client.receive(&mut first.campaign, &output.send);
        match reply.status {
            Status::Continue => to_server = reply.send,
            Status::Done(_) => {
                if server_running && !reply.send.is_empty() {
                    let last = server.receive(&mut second.campaign, &reply.send);
                    assert!(
                        !matches!(last.status, Status::Failed(_)),
                        "{:?}",
                        last.status
                    );
                }
                return;
            }
            Status::Failed(error) => panic!("client failed: {error}"),
        }
        if !server_running {
            return;
        }
    }
    panic!("the session did not finish");
}

fn record(campaign: &Campaign) -> (Vec<String>, Vec<String>) {
    let mut check_ins: Vec<String> = campaign
        .check_ins(None)
        .unwrap()
        .into_iter()
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
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn devices_that_sync_in_any_order_converge(steps in proptest::collection::vec(step(), 1..25)) {
        let mut hub = support::founder(&MEMBERS.map(|name| (name, &[Role::Member][..])));
        let phone_one = support::pair(&mut hub, "Ana", Role::Member);
        let phone_two = support::pair(&mut hub, "Ben", Role::Member);
        let mut devices = vec![hub, phone_one, phone_two];
        sync(&mut devices, 1, 0);
        sync(&mut devices, 2, 0);
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
                    devices[device]
                        .campaign
                        .add_member(NewMember {
                            name: format!("New member {index}"),
                            ..NewMember::default()
                        })
                        .unwrap();
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
        for _ in 0..2 {
            sync(&mut devices, 1, 0);
            sync(&mut devices, 2, 0);
        }
        let expected = record(&devices[0].campaign);
        for device in &devices[1..] {
            prop_assert_eq!(record(&device.campaign), expected.clone());
        }
        // What sync projected record by record is what a full rebuild
        // from the documents gives.
        for device in &mut devices {
            let incremental = support::projected_rows(device);
            device.campaign.reproject_everything().unwrap();
            prop_assert_eq!(incremental, support::projected_rows(device));
        }
    }
}
