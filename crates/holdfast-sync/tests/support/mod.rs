//! Shared helpers for the sync tests: real campaigns in temporary
//! directories, and pairing run in memory between two state machines.

#![allow(dead_code)]

use holdfast_core::model::{ActionKind, Role};
use holdfast_store::use_cases::actions::NewAction;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::Campaign;
use holdfast_sync::pairing::{self, Pairing, PairingStatus};
use holdfast_sync::{Config, Identity, Invite, Session, Status, SyncError};
use tempfile::TempDir;

/// The steward every test campaign has.
pub const STEWARD: &str = "Rosa Steward";
/// The action every test campaign has.
pub const ACTION: &str = "Gate picket";

pub struct Device {
    pub dir: TempDir,
    pub campaign: Campaign,
    pub identity: Identity,
}

/// A founding device (the hub): the steward, the given members and one action.
pub fn founder(members: &[(&str, &[Role])]) -> Device {
    let dir = TempDir::new().unwrap();
    let mut campaign = Campaign::create(dir.path(), "Fair Contract Now", "Local 12").unwrap();
    let steward: &[Role] = &[Role::Member, Role::Steward];
    for (name, roles) in std::iter::once(&(STEWARD, steward)).chain(members) {
        campaign
            .add_member(NewMember {
                name: (*name).into(),
                roles: roles.to_vec(),
                ..NewMember::default()
            })
            .unwrap();
    }
    campaign
        .create_action(NewAction {
            title: ACTION.into(),
            kind: ActionKind::InformationalPicket,
            tactic: "picket".into(),
            site: None,
            starts_at: "2026-03-02T07:00:00Z".into(),
            ends_at: "2026-03-02T15:00:00Z".into(),
            choke_points: vec![],
        })
        .unwrap();
    let identity = Identity::of(&mut campaign).unwrap();
    Device {
        dir,
        campaign,
        identity,
    }
}

/// An invite issued by the steward on the hub, as its link is read back.
pub fn invite(hub: &mut Device, member: &str, role: Role) -> Invite {
    let (invite, _) =
        pairing::issue_invite(&mut hub.campaign, STEWARD, member, role, 24, vec![]).unwrap();
    Invite::parse(&invite.link()).unwrap()
}

/// Redeems an invite with the hub, in memory; a new device on success.
pub fn redeem(hub: &mut Device, invite: Invite) -> Result<Device, SyncError> {
    redeem_as(hub, invite, &uuid::Uuid::new_v4().to_string())
}

/// Like [`redeem`], with the device id the new device claims.
pub fn redeem_as(hub: &mut Device, invite: Invite, device_id: &str) -> Result<Device, SyncError> {
    let identity = Identity::generate().unwrap();
    let (mut client, mut to_hub) = Pairing::start(invite, &identity, device_id)?;
    let mut server = Session::accept(hub.identity.clone(), Config::default());
    for _ in 0..10 {
        let output = server.receive(&mut hub.campaign, &to_hub);
        if let Status::Failed(error) = output.status {
            // The new device hears the refusal (if any) and fails too.
            client.receive(&output.send)?;
            return Err(error);
        }
        let (reply, status) = client.receive(&output.send)?;
        if let PairingStatus::Welcomed(welcome) = status {
            let dir = TempDir::new().unwrap();
            let campaign = pairing::settle(dir.path(), &welcome, &identity, device_id)?;
            return Ok(Device {
                dir,
                campaign,
                identity,
            });
        }
        to_hub = reply;
    }
    panic!("pairing did not finish")
}

/// Pairs a new device for a member.
pub fn pair(hub: &mut Device, member: &str, role: Role) -> Device {
    let invite = invite(hub, member, role);
    redeem(hub, invite).unwrap()
}

/// Syncs a device with the hub in memory, the hub collapsing heads as a
/// real hub does; panics if either side fails. The device's report.
pub fn sync(device: &mut Device, hub: &mut Device) -> holdfast_sync::Report {
    let (mut client, first) = Session::connect(device.identity.clone(), Config::default()).unwrap();
    let mut server = Session::accept(
        hub.identity.clone(),
        Config {
            collapse_heads: true,
            ..Config::default()
        },
    );
    let mut to_server = first;
    for _ in 0..50 {
        let output = server.receive(&mut hub.campaign, &to_server);
        if let Status::Failed(error) = &output.status {
            panic!("the hub failed: {error}");
        }
        let reply = client.receive(&mut device.campaign, &output.send);
        match reply.status {
            Status::Continue => to_server = reply.send,
            Status::Done(report) => {
                if !reply.send.is_empty() {
                    server.receive(&mut hub.campaign, &reply.send);
                }
                return report;
            }
            Status::Failed(error) => panic!("the device failed: {error}"),
        }
    }
    panic!("the sync did not finish in 50 flights");
}

/// Every projected row (records and check-ins) of a device, as text, sorted.
pub fn projected_rows(device: &Device) -> Vec<String> {
    let connection = holdfast_store::open_connection(device.dir.path(), None).unwrap();
    let mut rows = Vec::new();
    for sql in [
        "SELECT collection || ' ' || id || ' ' || document_id || ' ' || data FROM records",
        "SELECT id || ' ' || action_id || ' ' || member_id || ' ' || kind || ' ' || at || ' ' || voided FROM checkins",
    ] {
        let mut statement = connection.prepare(sql).unwrap();
        rows.extend(
            statement
                .query_map([], |row| row.get::<_, String>(0))
                .unwrap()
                .map(Result::unwrap),
        );
    }
    rows.sort();
    rows
}

/// The members a device holds check-ins of, one entry per check-in, sorted.
pub fn check_in_members(device: &Device) -> Vec<String> {
    let mut members: Vec<String> = device
        .campaign
        .check_ins(None)
        .unwrap()
        .into_iter()
        .map(|check| check.member_id)
        .collect();
    members.sort();
    members
}

/// A member's id, by name, as a device holds it.
pub fn member_id(device: &Device, name: &str) -> String {
    device.campaign.resolve_member(name).unwrap().id
}

/// The changes a device refused, each as "author: reason".
pub fn refusals(device: &Device) -> Vec<String> {
    device
        .campaign
        .refused_changes()
        .unwrap()
        .into_iter()
        .map(|refused| format!("{}: {}", refused.author, refused.reason))
        .collect()
}

/// Panics unless the device refused a change for a reason containing `why`.
pub fn assert_refused(device: &Device, why: &str) {
    let refused = refusals(device);
    assert!(
        refused.iter().any(|reason| reason.contains(why)),
        "nothing refused for `{why}`: {refused:?}"
    );
}
