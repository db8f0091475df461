//! Each member's check-ins live in their own arrivals document. The hub
//! sends a member's phone its own arrivals and no one else's; captains' and
//! stewards' devices get everyone's. What an arrivals document may hold is
//! checked at every door: a check-in in it names its member, whoever wrote
//! it, and check-ins written into an action's document are refused.

mod support;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ObjType, ReadDoc, ROOT};
use holdfast_core::model::Role;
use holdfast_core::DocumentId;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_sync::{Config, Session, Status};
use support::{assert_refused, check_in_members, member_id, sync, Device};

fn hub() -> Device {
    support::founder(&[
        ("Ana Member", &[Role::Member]),
        ("Ben Member", &[Role::Member]),
        ("Kofi Captain", &[Role::Member, Role::PicketCaptain]),
    ])
}

fn check_in(device: &mut Device, member: &str) {
    device
        .campaign
        .check_in(CheckRequest {
            action: support::ACTION.into(),
            member: Some(member.into()),
            ..CheckRequest::default()
        })
        .unwrap();
}

fn arrivals_held(device: &Device) -> Vec<DocumentId> {
    device
        .campaign
        .documents()
        .unwrap()
        .into_iter()
        .filter(|id| id.arrivals_member().is_some())
        .collect()
}

/// A check-in record written as a raw Automerge edit.
fn forged_check_in(
    doc: &mut AutoCommit,
    id: &str,
    action_id: &str,
    member_id: &str,
) -> Result<(), AutomergeError> {
    let (_, records) = doc.get(ROOT, "checkins")?.expect("the collection");
    let record = doc.put_object(&records, id, ObjType::Map)?;
    for (field, value) in [
        ("id", id),
        ("action_id", action_id),
        ("member_id", member_id),
        ("kind", "in"),
        ("at", "2026-03-02T08:00:00Z"),
        ("recorded_by", member_id),
        ("device", "someone"),
    ] {
        doc.put(&record, field, value)?;
    }
    doc.put(&record, "voided", false)?;
    Ok(())
}

#[test]
fn a_members_phone_is_sent_its_own_arrivals_and_a_captains_phone_everyones() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut ben = support::pair(&mut hub, "Ben Member", Role::Member);
    let mut kofi = support::pair(&mut hub, "Kofi Captain", Role::PicketCaptain);
    for phone in [&mut ana, &mut ben, &mut kofi] {
        sync(phone, &mut hub);
    }
    check_in(&mut ana, "Ana Member");
    check_in(&mut ben, "Ben Member");
    for _ in 0..2 {
        for phone in [&mut ana, &mut ben, &mut kofi] {
            sync(phone, &mut hub);
        }
    }
    let ana_id = member_id(&hub, "Ana Member");
    let ben_id = member_id(&hub, "Ben Member");
    let mut both = vec![ana_id.clone(), ben_id.clone()];
    both.sort();
    assert_eq!(check_in_members(&hub), both);
    assert_eq!(check_in_members(&kofi), both, "the captain's phone");
    assert_eq!(
        check_in_members(&ana),
        std::slice::from_ref(&ana_id),
        "Ana's phone"
    );
    assert_eq!(
        check_in_members(&ben),
        std::slice::from_ref(&ben_id),
        "Ben's phone"
    );
    assert_eq!(arrivals_held(&ana), [DocumentId::arrivals(&ana_id)]);
    assert_eq!(arrivals_held(&ben), [DocumentId::arrivals(&ben_id)]);

    // Made a captain at the hall, Ben's phone is sent everyone's at its
    // next sync, though it was paired as a member's.
    hub.campaign
        .set_roles("Ben Member", vec![Role::Member, Role::PicketCaptain])
        .unwrap();
    sync(&mut ben, &mut hub);
    sync(&mut ben, &mut hub);
    assert_eq!(check_in_members(&ben), both, "Ben's phone, as a captain's");
}

#[test]
fn a_captains_check_in_of_a_member_reaches_the_member_through_the_hub() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut kofi = support::pair(&mut hub, "Kofi Captain", Role::PicketCaptain);
    sync(&mut ana, &mut hub);
    sync(&mut kofi, &mut hub);
    check_in(&mut kofi, "Ana Member");
    sync(&mut kofi, &mut hub);
    sync(&mut ana, &mut hub);
    let ana_id = member_id(&hub, "Ana Member");
    assert_eq!(check_in_members(&ana), std::slice::from_ref(&ana_id));
    // So her phone knows she is checked in, and refuses a second check-in.
    let twice = ana.campaign.check_in(CheckRequest {
        action: support::ACTION.into(),
        ..CheckRequest::default()
    });
    assert!(
        twice
            .unwrap_err()
            .to_string()
            .contains("already checked in"),
        "Ana's phone lets her check in twice"
    );
}

#[test]
fn a_check_in_naming_another_member_in_ones_own_arrivals_is_refused() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    let ana_id = member_id(&hub, "Ana Member");
    let ben_id = member_id(&hub, "Ben Member");
    let action_id = hub.campaign.actions().unwrap()[0].id.clone();
    // Her own arrivals, which her phone may write and hand in: a modified
    // program puts Ben's check-in there.
    ana.campaign
        .forge(&DocumentId::arrivals(&ana_id), |doc| {
            forged_check_in(
                doc,
                "00000000-0000-4000-8000-0000000000a1",
                &action_id,
                &ben_id,
            )
        })
        .unwrap();
    sync(&mut ana, &mut hub);
    assert!(check_in_members(&hub).is_empty());
    assert_refused(&hub, "other than the one whose arrivals these are");
}

#[test]
fn a_check_in_written_into_the_actions_document_is_refused_even_from_a_steward() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Steward);
    sync(&mut ana, &mut hub);
    let ana_id = member_id(&hub, "Ana Member");
    let action_id = hub.campaign.actions().unwrap()[0].id.clone();
    // Every phone downloads the action's document: a check-in there would
    // reach every member's phone again.
    ana.campaign
        .forge(&DocumentId::action(&action_id), |doc| {
            forged_check_in(
                doc,
                "00000000-0000-4000-8000-0000000000a2",
                &action_id,
                &ana_id,
            )
        })
        .unwrap();
    // And a steward's check-in of Ben, filed in Ana's arrivals.
    let ben_id = member_id(&hub, "Ben Member");
    ana.campaign
        .forge(&DocumentId::arrivals(&ana_id), |doc| {
            forged_check_in(
                doc,
                "00000000-0000-4000-8000-0000000000a3",
                &action_id,
                &ben_id,
            )
        })
        .unwrap();
    sync(&mut ana, &mut hub);
    assert!(check_in_members(&hub).is_empty());
    assert_refused(&hub, "no one may write it");
    assert_refused(&hub, "other than the one whose arrivals these are");
}

#[test]
fn a_phone_that_offers_someone_elses_arrivals_is_not_sent_them() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut ben = support::pair(&mut hub, "Ben Member", Role::Member);
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    check_in(&mut ben, "Ben Member");
    sync(&mut ben, &mut hub);
    // Ana's modified phone makes Ben's arrivals document (its first,
    // deterministic change only) and announces it, hoping to be sent what
    // the hub holds of it.
    let ben_id = member_id(&hub, "Ben Member");
    let ben_arrivals = DocumentId::arrivals(&ben_id);
    ana.campaign
        .forge(&ben_arrivals, |doc| {
            doc.put(ROOT, "nothing", "here")?;
            Ok(())
        })
        .ok();
    let (mut client, first) = Session::connect(ana.identity.clone(), Config::default()).unwrap();
    let mut server = Session::accept(hub.identity.clone(), Config::default());
    let mut to_server = first;
    let mut finished = false;
    for _ in 0..20 {
        let output = server.receive(&mut hub.campaign, &to_server);
        let reply = client.receive(&mut ana.campaign, &output.send);
        if !matches!(reply.status, Status::Continue) {
            finished = true;
            break;
        }
        to_server = reply.send;
    }
    assert!(finished, "the session did not end");
    assert!(
        check_in_members(&ana).is_empty(),
        "Ana's phone got Ben's check-in"
    );
}

#[test]
fn a_walk_in_merged_into_a_member_sends_the_walk_ins_arrivals_to_that_members_phone() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut kofi = support::pair(&mut hub, "Kofi Captain", Role::PicketCaptain);
    sync(&mut ana, &mut hub);
    sync(&mut kofi, &mut hub);
    // Ana came without her phone: the captain checks her in as a walk-in.
    let walked_in = kofi
        .campaign
        .walk_in(holdfast_store::use_cases::walk_ins::NewWalkIn {
            action: support::ACTION.into(),
            name: "Ana M.".into(),
            ..Default::default()
        })
        .unwrap();
    sync(&mut kofi, &mut hub);
    sync(&mut ana, &mut hub);
    assert!(check_in_members(&ana).is_empty());
    hub.campaign
        .merge_walk_in(&walked_in.person.id, "Ana Member", support::STEWARD)
        .unwrap();
    sync(&mut ana, &mut hub);
    sync(&mut ana, &mut hub);
    assert_eq!(
        check_in_members(&ana),
        std::slice::from_ref(&walked_in.person.id),
        "the walk-in's check-in, now Ana's, on her phone"
    );
}

#[test]
fn a_first_check_in_goes_in_the_first_flight() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    let settled = sync(&mut ana, &mut hub);
    check_in(&mut ana, "Ana Member");
    let report = sync(&mut ana, &mut hub);
    // The hub never held Ana's arrivals: without assuming it holds their
    // first change, the phone spends a round trip learning so.
    assert_eq!(report.changes_sent, 1, "{report:?}");
    assert_eq!(
        report.round_trips, settled.round_trips,
        "a check-in costs no round trip more than a sync with nothing to send: {report:?}"
    );
    assert_eq!(check_in_members(&hub), [member_id(&hub, "Ana Member")]);
}

#[test]
fn a_captains_phone_gets_arrivals_it_lacks_without_an_extra_round_trip() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut kofi = support::pair(&mut hub, "Kofi Captain", Role::PicketCaptain);
    sync(&mut ana, &mut hub);
    sync(&mut kofi, &mut hub);
    let settled = sync(&mut kofi, &mut hub);
    check_in(&mut ana, "Ana Member");
    sync(&mut ana, &mut hub);
    // The captain's phone does not list Ana's arrivals: the hub's first
    // reply carries them whole, instead of first asking what it holds.
    let report = sync(&mut kofi, &mut hub);
    assert_eq!(report.changes_received, 1, "{report:?}");
    assert_eq!(report.round_trips, settled.round_trips, "{report:?}");
    assert_eq!(check_in_members(&kofi), [member_id(&hub, "Ana Member")]);
}
