//! A hostile paired device, in memory: a phone whose program was modified
//! writes and signs changes its role does not allow, or changes under
//! another device's name, and syncs them. Every honest device refuses each
//! one at the door, keeps none of it, and goes on syncing the rest.
//!
//! `Campaign::forge` (the store's `hostile` feature) is the modified
//! program: it writes any change, signs it with the device's own key and
//! saves it with no local check.

mod support;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ObjType, ReadDoc, ROOT};
use holdfast_core::model::{Device as DeviceRecord, Member, Role};
use holdfast_core::DocumentId;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::use_cases::walk_ins::NewWalkIn;
use holdfast_store::StoreError;
use holdfast_sync::{Config, Session, Status};
use support::{assert_refused, check_in_members, member_id, refusals, sync, Device, STEWARD};

fn hub() -> Device {
    support::founder(&[
        ("Ana Member", &[Role::Member]),
        ("Ben Member", &[Role::Member]),
        ("Cy Coordinator", &[Role::Member, Role::AidCoordinator]),
    ])
}

/// Writes one field of an existing record, as a raw Automerge edit.
fn put_field(
    doc: &mut AutoCommit,
    collection: &str,
    id: &str,
    field: &str,
    value: &str,
) -> Result<(), AutomergeError> {
    let (_, records) = doc.get(ROOT, collection)?.expect("the collection");
    let (_, record) = doc.get(&records, id)?.expect("the record");
    doc.put(&record, field, value)
}

/// Adds a record with the given text fields, as a raw Automerge edit.
fn put_record(
    doc: &mut AutoCommit,
    collection: &str,
    id: &str,
    fields: &[(&str, &str)],
) -> Result<(), AutomergeError> {
    let (_, records) = doc.get(ROOT, collection)?.expect("the collection");
    let record = doc.put_object(&records, id, ObjType::Map)?;
    doc.put(&record, "id", id)?;
    for (field, value) in fields {
        doc.put(&record, *field, *value)?;
    }
    Ok(())
}

fn device_record(device: &Device, id: &str) -> DeviceRecord {
    device
        .campaign
        .devices()
        .unwrap()
        .into_iter()
        .find(|record| record.id == id)
        .expect("the device is listed")
}

fn action(device: &Device) -> DocumentId {
    DocumentId::action(&device.campaign.actions().unwrap()[0].id)
}

fn check_in(device: &mut Device, member: &str) -> Result<(), StoreError> {
    device
        .campaign
        .check_in(CheckRequest {
            action: support::ACTION.into(),
            member: Some(member.into()),
            shift: None,
            recorded_by: None,
            at: None,
        })
        .map(|_| ())
}

fn check_out(device: &mut Device, member: &str) {
    device
        .campaign
        .check_out(CheckRequest {
            action: support::ACTION.into(),
            member: Some(member.into()),
            shift: None,
            recorded_by: None,
            at: None,
        })
        .unwrap();
}

#[test]
fn a_members_phone_that_makes_itself_a_steward_is_refused_and_gets_no_aid_names() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    let ana_id = ana.campaign.device_id().to_string();

    ana.campaign
        .forge(&DocumentId::campaign(), |doc| {
            put_field(doc, "devices", &ana_id, "role", "steward")
        })
        .unwrap();
    // An honest edit after the forgery, in another document, still goes.
    check_in(&mut ana, "Ana Member").unwrap();
    let report = sync(&mut ana, &mut hub);

    assert_eq!(device_record(&hub, &ana_id).role, Role::Member);
    assert_eq!(report.documents_apart, 0);
    assert_eq!(check_in_members(&hub), [member_id(&hub, "Ana Member")]);
    let refused = refusals(&hub);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("may not write devices"), "{refused:?}");
    // The hub never treated the phone as a coordinator's or a steward's.
    sync(&mut ana, &mut hub);
    assert!(!ana
        .campaign
        .documents()
        .unwrap()
        .contains(&DocumentId::aid_private()));
}

#[test]
fn a_members_phone_cannot_add_erase_or_check_in_others_locally_or_by_forgery() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    let members_before = hub.campaign.members().unwrap().len();

    // The program refuses, on the phone itself.
    let added = ana.campaign.add_member(NewMember {
        name: "Planted Person".into(),
        ..NewMember::default()
    });
    assert!(matches!(added, Err(StoreError::NotAllowed(_))), "{added:?}");
    let erased = ana.campaign.erase_member("Ben Member");
    assert!(erased.is_err(), "{erased:?}");
    let other = check_in(&mut ana, "Ben Member");
    assert!(matches!(other, Err(StoreError::NotAllowed(_))), "{other:?}");

    // A modified program writes them anyway; the hub keeps none.
    let ben = member_id(&hub, "Ben Member");
    ana.campaign
        .forge(&DocumentId::campaign(), |doc| {
            put_record(
                doc,
                "members",
                "00000000-0000-4000-8000-00000000beef",
                &[("name", "Planted Person"), ("joined_on", "2026-01-01")],
            )
        })
        .unwrap();
    let ben_for_delete = ben.clone();
    ana.campaign
        .forge(&DocumentId::campaign(), move |doc| {
            let (_, members) = doc.get(ROOT, "members")?.expect("members");
            doc.delete(&members, ben_for_delete.as_str())
        })
        .unwrap();
    let action_id = action(&hub);
    let ben_for_check_in = ben.clone();
    let action_text = action_id.action_id().unwrap().to_string();
    ana.campaign
        .forge(&action_id, move |doc| {
            put_record(
                doc,
                "checkins",
                "00000000-0000-4000-8000-0000000c0ffe",
                &[
                    ("action_id", action_text.as_str()),
                    ("member_id", ben_for_check_in.as_str()),
                    ("kind", "in"),
                    ("at", "2026-03-02T07:00:00Z"),
                ],
            )
        })
        .unwrap();
    sync(&mut ana, &mut hub);
    assert_eq!(hub.campaign.members().unwrap().len(), members_before);
    assert!(hub.campaign.resolve_member("Ben Member").is_ok());
    assert!(hub.campaign.check_ins(None).unwrap().is_empty());
    // The member and its removal are one chain in the campaign document:
    // the second builds on the first and goes with it.
    assert_eq!(refusals(&hub).len(), 3, "{:?}", refusals(&hub));
}

#[test]
fn a_change_under_another_devices_name_is_refused_signed_or_not() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    let hub_id = hub.campaign.device_id().to_string();
    let stranger = uuid::Uuid::new_v4().to_string();

    let site =
        |doc: &mut AutoCommit, id: &str| put_record(doc, "sites", id, &[("name", "Forged depot")]);
    ana.campaign
        .forge_as(&DocumentId::campaign(), Some(&hub_id), true, |doc| {
            site(doc, "00000000-0000-4000-8000-000000000001")
        })
        .unwrap();
    let report = sync(&mut ana, &mut hub);
    assert_eq!(report.documents_apart, 0);
    ana.campaign
        .forge_as(&DocumentId::campaign(), Some(&stranger), false, |doc| {
            site(doc, "00000000-0000-4000-8000-000000000002")
        })
        .unwrap();
    sync(&mut ana, &mut hub);

    assert!(hub
        .campaign
        .all::<holdfast_core::model::Site>()
        .unwrap()
        .is_empty());
    let refused = refusals(&hub).join("\n");
    assert!(refused.contains("signature does not match"), "{refused}");
    assert!(refused.contains("never paired"), "{refused}");
}

#[test]
fn a_revocation_cannot_be_undone_by_anyone() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut ben = support::pair(&mut hub, "Ben Member", Role::Member);
    sync(&mut ana, &mut hub);
    let ben_id = ben.campaign.device_id().to_string();
    hub.campaign.revoke_device(STEWARD, &ben_id).unwrap();
    sync(&mut ana, &mut hub);
    assert!(device_record(&ana, &ben_id).is_revoked());

    // Ana's phone clears the revocation; the hub refuses it.
    ana.campaign
        .forge(&DocumentId::campaign(), |doc| {
            let (_, devices) = doc.get(ROOT, "devices")?.expect("devices");
            let (_, record) = doc.get(&devices, ben_id.as_str())?.expect("ben");
            doc.put(&record, "revoked_at", automerge::ScalarValue::Null)
        })
        .unwrap();
    sync(&mut ana, &mut hub);
    assert!(device_record(&hub, &ben_id).is_revoked());
    assert!(refusals(&hub)
        .join("\n")
        .contains("revocation cannot be undone"));

    // Not even a steward's own device may write it back.
    let mut record = device_record(&hub, &ben_id);
    record.revoked_at = None;
    let undone = hub
        .campaign
        .write(&DocumentId::campaign(), "undo a revocation", |writer| {
            writer.put(&record)
        });
    assert!(
        matches!(undone, Err(StoreError::NotAllowed(_))),
        "{undone:?}"
    );
    assert!(device_record(&hub, &ben_id).is_revoked());

    // And the revoked phone itself, writing its own record again and again
    // to win Automerge's concurrent-write rule, is refused at its first.
    for round in 0..5 {
        let label = format!("still here {round}");
        ben.campaign
            .forge(&DocumentId::campaign(), |doc| {
                put_field(doc, "devices", &ben_id, "label", &label)
            })
            .unwrap();
    }
    let (stick, _) = holdfast_sync::bundle::export(&mut ben.campaign, None).unwrap();
    let imported = holdfast_sync::bundle::import(&mut hub.campaign, &stick).unwrap();
    assert!(device_record(&hub, &ben_id).is_revoked());
    assert!(
        imported.refused.iter().any(|why| why.contains("revoked")),
        "{imported:?}"
    );
}

/// A hub, Ana's and Ben's phones. Ben checks in and syncs (that stays),
/// then the hub revokes Ben's phone, which never hears of it and carries
/// on: a check-out, written to a bundle (the stick returned) before anyone
/// else hears of the revocation.
fn revoked_phone_carrying_on() -> (Device, Device, Device, Vec<u8>) {
    let mut hub = hub();
    // A captain's phone, which holds everyone's arrivals.
    let mut ana = support::pair(&mut hub, "Ana Member", Role::PicketCaptain);
    let mut ben = support::pair(&mut hub, "Ben Member", Role::Member);
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    check_in(&mut ben, "Ben Member").unwrap();
    sync(&mut ben, &mut hub);
    sync(&mut ana, &mut hub);
    let ben_id = ben.campaign.device_id().to_string();
    hub.campaign.revoke_device(STEWARD, &ben_id).unwrap();
    check_out(&mut ben, "Ben Member");
    let (stick, _) = holdfast_sync::bundle::export(&mut ben.campaign, None).unwrap();
    (hub, ana, ben, stick)
}

#[test]
fn a_revoked_phone_that_carries_on_offline_changes_nothing_anywhere() {
    let (mut hub, mut ana, mut ben, stick) = revoked_phone_carrying_on();
    // The hub, which knows, refuses the bundle's new change.
    let at_hub = holdfast_sync::bundle::import(&mut hub.campaign, &stick).unwrap();
    assert!(
        at_hub.refused.iter().any(|why| why.contains("revoked")),
        "{at_hub:?}"
    );
    // Ana checks in honestly at the same time.
    check_in(&mut ana, "Ana Member").unwrap();
    sync(&mut ana, &mut hub);
    let honest = hub.campaign.check_ins(None).unwrap().len();
    assert_eq!(honest, 2, "Ben's check-in before the revocation and Ana's");

    // After that, the revoked phone cannot even connect.
    let (mut client, first) = Session::connect(ben.identity.clone(), Config::default()).unwrap();
    let mut server = Session::accept(hub.identity.clone(), Config::default());
    let output = server.receive(&mut hub.campaign, &first);
    let reply = client.receive(&mut ben.campaign, &output.send);
    let output = server.receive(&mut hub.campaign, &reply.send);
    assert!(
        matches!(output.status, Status::Failed(_)),
        "{:?}",
        output.status
    );
    assert_eq!(hub.campaign.check_ins(None).unwrap().len(), honest);
    assert_eq!(ana.campaign.check_ins(None).unwrap().len(), honest);
}

#[test]
fn honest_changes_relayed_through_the_hub_keep_their_signatures() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    // Captains' phones hold other members' arrivals, and pass them on.
    let mut ben = support::pair(&mut hub, "Ben Member", Role::PicketCaptain);
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    check_in(&mut ana, "Ana Member").unwrap();
    sync(&mut ana, &mut hub);
    let report = sync(&mut ben, &mut hub);
    assert_eq!(report.changes_refused, 0, "{report:?}");
    assert_eq!(check_in_members(&ben), [member_id(&hub, "Ana Member")]);
    // And Ben's phone can pass it on again: the signature went with it.
    let mut cy = support::pair(&mut hub, "Cy Coordinator", Role::PicketCaptain);
    // Ben's phone learns of Cy's from the hub, then Cy syncs with Ben alone.
    sync(&mut ben, &mut hub);
    let (mut client, first) = Session::connect(cy.identity.clone(), Config::default()).unwrap();
    let mut server = Session::accept(ben.identity.clone(), Config::default());
    let mut to_server = first;
    for _ in 0..20 {
        let output = server.receive(&mut ben.campaign, &to_server);
        let reply = client.receive(&mut cy.campaign, &output.send);
        if !matches!(reply.status, Status::Continue) {
            break;
        }
        to_server = reply.send;
    }
    assert!(refusals(&cy).is_empty(), "{:?}", refusals(&cy));
    assert_eq!(check_in_members(&cy), [member_id(&hub, "Ana Member")]);
}

#[test]
fn pairing_cannot_take_over_a_listed_device() {
    let mut hub = hub();
    let hub_id = hub.campaign.device_id().to_string();
    let invite = support::invite(&mut hub, "Ana Member", Role::Member);
    let taken = support::redeem_as(&mut hub, invite, &hub_id);
    assert!(taken.is_err());
    let ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let invite = support::invite(&mut hub, "Ben Member", Role::Member);
    let taken = support::redeem_as(&mut hub, invite, ana.campaign.device_id());
    assert!(taken.is_err());
    // The hub's own record is untouched and it still syncs.
    let record = device_record(&hub, &hub_id);
    assert_eq!(record.role, Role::Steward);
    assert_eq!(record.paired_by, None);
    let mut ana = ana;
    sync(&mut ana, &mut hub);
}

#[test]
fn files_from_other_programs_or_other_campaigns_change_nothing_on_a_paired_device() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    let ana_id = ana.campaign.device_id().to_string();

    // The campaign document as exported, edited by another Automerge
    // program (a new actor, no signature) and imported again.
    let bytes = ana
        .campaign
        .export_document(&DocumentId::campaign())
        .unwrap();
    let mut doc = AutoCommit::load(&bytes).unwrap();
    put_field(&mut doc, "devices", &ana_id, "role", "steward").unwrap();
    doc.commit();
    let refused = ana.campaign.import_document(&doc.save()).unwrap_err();
    assert!(refused.to_string().contains("never paired"), "{refused}");
    assert_eq!(device_record(&ana, &ana_id).role, Role::Member);

    // Another campaign's document: its devices are not this campaign's.
    let other = support::founder(&[("Zed Outsider", &[Role::Member])]);
    let mut other = other;
    let foreign = other
        .campaign
        .export_document(&DocumentId::campaign())
        .unwrap();
    let refused = hub.campaign.import_document(&foreign).unwrap_err();
    assert!(refused.to_string().contains("refused"), "{refused}");
    assert!(hub.campaign.resolve_member("Zed Outsider").is_err());
    assert!(hub
        .campaign
        .all::<Member>()
        .unwrap()
        .iter()
        .all(|member| member.name != "Zed Outsider"));
}

#[test]
fn a_phone_that_took_a_revoked_phones_bundle_before_hearing_loses_its_effects_and_keeps_its_own() {
    let (mut hub, mut ana, _ben, stick) = revoked_phone_carrying_on();
    // The stick reaches Ana's phone, which has not heard of the revocation
    // and takes it.
    let taken = holdfast_sync::bundle::import(&mut ana.campaign, &stick).unwrap();
    assert!(taken.refused.is_empty(), "{taken:?}");
    assert_eq!(ana.campaign.check_ins(None).unwrap().len(), 2);
    // Ana checks herself in on top of it.
    check_in(&mut ana, "Ana Member").unwrap();

    // One sync with the hub: Ana's phone hears of the revocation, drops
    // Ben's later check-out, and carries her own check-in over.
    sync(&mut ana, &mut hub);
    let ana_member = member_id(&hub, "Ana Member");
    let ben_member = member_id(&hub, "Ben Member");
    let mut expected = vec![
        format!("{ana_member} {:?}", holdfast_core::model::CheckKind::In),
        format!("{ben_member} {:?}", holdfast_core::model::CheckKind::In),
    ];
    expected.sort();
    assert_eq!(check_in_kinds(&hub), expected);
    assert_eq!(check_in_kinds(&ana), expected);
    assert_eq!(
        ana.campaign.document_heads(&action(&hub)).unwrap(),
        hub.campaign.document_heads(&action(&hub)).unwrap()
    );
}

#[test]
fn an_aid_request_filed_on_a_members_phone_reaches_the_coordinators_and_no_one_else() {
    use holdfast_core::model::{AidCategory, Urgency};
    use holdfast_store::use_cases::aid::NewRequest;
    const NOTE: &str = "Rent is due on Friday; call after six";
    let mut hub = hub();
    let mut cy = support::pair(&mut hub, "Cy Coordinator", Role::AidCoordinator);
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut ben = support::pair(&mut hub, "Ben Member", Role::Member);
    for device in [&mut cy, &mut ana, &mut ben] {
        sync(device, &mut hub);
    }
    let request = ana
        .campaign
        .request_aid(NewRequest {
            member: "Ana Member".into(),
            category: AidCategory::Rent,
            amount_cents: 30_000,
            urgency: Urgency::Urgent,
            note: NOTE.into(),
        })
        .unwrap();
    assert!(request.note.is_empty());
    assert!(request.sealed.is_some());

    sync(&mut ana, &mut hub);
    sync(&mut cy, &mut hub);
    sync(&mut ben, &mut hub);
    let ana_id = member_id(&hub, "Ana Member");
    for coordinator in [&hub, &cy] {
        let view = coordinator.campaign.coordinator_view().unwrap();
        let named = view
            .iter()
            .find(|named| named.request.pseudonym == request.pseudonym)
            .expect("the request reached the coordinator");
        assert_eq!(named.member_id.as_deref(), Some(ana_id.as_str()));
        assert_eq!(named.request.note, NOTE);
    }
    // Ben's phone carries the request and cannot read who asked or why.
    let on_ben = ben.campaign.aid_requests().unwrap();
    assert_eq!(on_ben.len(), 1);
    assert!(on_ben[0].note.is_empty());
    let traces = holdfast_store::inspect::traces(ben.dir.path(), None, &[NOTE]).unwrap();
    assert!(traces.is_empty(), "{traces:?}");
    assert!(!ben
        .campaign
        .documents()
        .unwrap()
        .contains(&DocumentId::aid_private()));
}

#[test]
fn a_sealed_aid_request_cannot_name_another_member() {
    use holdfast_core::model::{AidCategory, Urgency};
    use holdfast_store::use_cases::aid::NewRequest;
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    // Ana's phone seals a request in Ben's name (a modified program need
    // not refuse; the real one refuses to keep the identity locally).
    let filed = ana.campaign.request_aid(NewRequest {
        member: "Ben Member".into(),
        category: AidCategory::Rent,
        amount_cents: 30_000,
        urgency: Urgency::Urgent,
        note: "in Ben's name".into(),
    });
    assert!(matches!(filed, Err(StoreError::NotAllowed(_))), "{filed:?}");
    let sealed = holdfast_store::forged_sealed_request(&mut ana.campaign, "Ben Member").unwrap();
    sync(&mut ana, &mut hub);
    let view = hub.campaign.coordinator_view().unwrap();
    let named = view
        .iter()
        .find(|named| named.request.pseudonym == sealed)
        .expect("the request reached the hub");
    assert_eq!(named.member_id, None, "{named:?}");
}

fn check_in_kinds(device: &Device) -> Vec<String> {
    let mut kinds: Vec<String> = device
        .campaign
        .check_ins(None)
        .unwrap()
        .into_iter()
        .map(|check| format!("{} {:?}", check.member_id, check.kind))
        .collect();
    kinds.sort();
    kinds
}

fn roles_of(device: &Device, name: &str) -> Vec<Role> {
    device.campaign.resolve_member(name).unwrap().roles
}

/// A hub where Ana's member holds `ana_roles`, with Ana's and Ben's phones
/// paired as members' devices and synced once.
fn hub_with_ana_as(ana_roles: Vec<Role>) -> (Device, Device, Device) {
    let mut hub = hub();
    hub.campaign.set_roles("Ana Member", ana_roles).unwrap();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut ben = support::pair(&mut hub, "Ben Member", Role::Member);
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    (hub, ana, ben)
}

#[test]
fn a_demoted_captains_later_check_ins_are_dropped_everywhere_and_earlier_ones_stay() {
    let (mut hub, mut ana, mut ben) = hub_with_ana_as(vec![Role::Member, Role::PicketCaptain]);
    // As captain, Ana checks Ben in: this stays whatever happens next.
    check_in(&mut ana, "Ben Member").unwrap();
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);

    // The steward takes the captaincy away; Ana's phone has not heard and
    // goes on checking people in. A stick carries that to Ben's phone,
    // which has not heard either and takes it.
    hub.campaign
        .set_roles("Ana Member", vec![Role::Member])
        .unwrap();
    check_in(&mut ana, "Cy Coordinator").unwrap();
    let (stick, _) = holdfast_sync::bundle::export(&mut ana.campaign, None).unwrap();
    let taken = holdfast_sync::bundle::import(&mut ben.campaign, &stick).unwrap();
    assert!(taken.refused.is_empty(), "{taken:?}");
    check_out(&mut ben, "Ben Member");

    // The hub, which knows, refuses the stick's check-in of Cy.
    let at_hub = holdfast_sync::bundle::import(&mut hub.campaign, &stick).unwrap();
    assert!(
        at_hub.refused.iter().any(|why| why.contains("checkins")),
        "{at_hub:?}"
    );

    // One sync each with the hub: both phones hear of the demotion and
    // drop Cy's check-in; Ana's earlier check-in of Ben and Ben's own
    // check-out stay everywhere.
    sync(&mut ben, &mut hub);
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    let ben_member = member_id(&hub, "Ben Member");
    let expected = vec![
        format!("{ben_member} {:?}", holdfast_core::model::CheckKind::In),
        format!("{ben_member} {:?}", holdfast_core::model::CheckKind::Out),
    ];
    assert_eq!(check_in_kinds(&hub), expected);
    assert_eq!(check_in_kinds(&ben), expected, "Ben's phone");
    // Ana's phone, a member's again, is sent no one else's arrivals: it
    // keeps Ben's check-in from when she was captain, not his check-out.
    assert_eq!(check_in_kinds(&ana), expected[..1], "Ana's phone");
    let heads = hub.campaign.document_heads(&action(&hub)).unwrap();
    assert_eq!(ben.campaign.document_heads(&action(&hub)).unwrap(), heads);
    assert_eq!(ana.campaign.document_heads(&action(&hub)).unwrap(), heads);
}

#[test]
fn a_demoted_stewards_later_grant_is_undone_with_everything_it_allowed() {
    let (mut hub, mut ana, mut ben) = hub_with_ana_as(vec![Role::Member, Role::Steward]);

    // The hub's steward demotes Ana. Her phone has not heard: she makes
    // Ben a steward and, phone to phone, Ben's phone takes it and uses it
    // to add a member.
    hub.campaign
        .set_roles("Ana Member", vec![Role::Member])
        .unwrap();
    ana.campaign
        .set_roles("Ben Member", vec![Role::Member, Role::Steward])
        .unwrap();
    sync(&mut ben, &mut ana);
    assert_eq!(roles_of(&ben, "Ben Member"), [Role::Member, Role::Steward]);
    ben.campaign
        .add_member(NewMember {
            name: "Mallory Plant".into(),
            ..NewMember::default()
        })
        .unwrap();

    // One sync each with the hub undoes both, on every device.
    sync(&mut ben, &mut hub);
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    for (device, name) in [(&hub, "hub"), (&ana, "Ana's phone"), (&ben, "Ben's phone")] {
        assert_eq!(roles_of(device, "Ben Member"), [Role::Member], "{name}");
        assert_eq!(roles_of(device, "Ana Member"), [Role::Member], "{name}");
        assert!(
            device.campaign.resolve_member("Mallory Plant").is_err(),
            "{name} still lists the member added with the undone grant"
        );
    }
    let heads = hub
        .campaign
        .document_heads(&DocumentId::campaign())
        .unwrap();
    assert_eq!(
        ben.campaign
            .document_heads(&DocumentId::campaign())
            .unwrap(),
        heads
    );
    assert_eq!(
        ana.campaign
            .document_heads(&DocumentId::campaign())
            .unwrap(),
        heads
    );
    assert_refused(&hub, "members");
}

#[test]
fn a_contribution_too_large_to_add_up_is_refused_everywhere() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    // Any member may record money in; a modified program records more than
    // any sum can hold, hoping every device's balance wraps round.
    for (id, amount) in [
        ("00000000-0000-4000-8000-0000000000a1", i64::MAX),
        ("00000000-0000-4000-8000-0000000000a2", 1),
    ] {
        ana.campaign
            .forge(&DocumentId::aid(), move |doc| {
                put_record(
                    doc,
                    "ledger",
                    id,
                    &[
                        ("kind", "contribution"),
                        ("category", "rent"),
                        ("at", "2026-03-02T07:00:00Z"),
                        ("party_pseudonym", ""),
                        ("recorded_by", ""),
                        ("note", ""),
                    ],
                )?;
                let (_, ledger) = doc.get(ROOT, "ledger")?.expect("the ledger");
                let (_, record) = doc.get(&ledger, id)?.expect("the entry");
                doc.put(&record, "amount_cents", amount)
            })
            .unwrap();
    }
    sync(&mut ana, &mut hub);
    let ledger = hub.campaign.ledger().unwrap();
    assert!(
        ledger.iter().all(|entry| entry.amount_cents != i64::MAX),
        "{ledger:?}"
    );
    assert_refused(&hub, "larger than any entry may hold");
    let balances = hub.campaign.aid_balances().unwrap();
    assert!(balances.values().all(|cents| *cents >= 0), "{balances:?}");
}

/// A forged walk-in: a member record marked as one, with `roles`.
fn put_walk_in(
    doc: &mut AutoCommit,
    id: &str,
    action_id: &str,
    roles: &[&str],
) -> Result<(), AutomergeError> {
    let (_, records) = doc.get(ROOT, "members")?.expect("the collection");
    let record = doc.put_object(&records, id, ObjType::Map)?;
    for (field, value) in [
        ("id", id),
        ("name", "Eve Plant"),
        ("joined_on", "2026-03-02"),
        ("walk_in_action_id", action_id),
    ] {
        doc.put(&record, field, value)?;
    }
    let list = doc.put_object(&record, "roles", ObjType::List)?;
    for (index, role) in roles.iter().enumerate() {
        doc.insert(&list, index, *role)?;
    }
    doc.put_object(&record, "teaches", ObjType::List)?;
    Ok(())
}

fn walk_in_names(device: &Device) -> Vec<String> {
    device
        .campaign
        .walk_ins()
        .unwrap()
        .into_iter()
        .map(|row| row.person.name)
        .collect()
}

/// A captain's phone checks in a walk-in: a member record with no roles,
/// marked as a walk-in. That is all of the members it may write. The hub
/// refuses a walk-in from a member's phone, a walk-in who holds a role, and
/// a captain's phone settling a walk-in, which is a steward's call.
#[test]
fn a_captains_phone_adds_walk_ins_and_nothing_else_of_the_members() {
    let (mut hub, mut ana, mut ben) = hub_with_ana_as(vec![Role::Member, Role::PicketCaptain]);
    let action_id = hub.campaign.actions().unwrap()[0].id.clone();
    let walked = ana
        .campaign
        .walk_in(NewWalkIn {
            action: support::ACTION.into(),
            name: "Dee Walker".into(),
            phone: Some("555 0100".into()),
            captain: Some("Ana Member".into()),
            at: Some("2026-03-02T07:30:00Z".into()),
            ..NewWalkIn::default()
        })
        .unwrap();
    ana.campaign
        .check_out(CheckRequest {
            action: support::ACTION.into(),
            member: Some(walked.person.id.clone()),
            shift: None,
            recorded_by: Some("Ana Member".into()),
            at: Some("2026-03-02T09:30:00Z".into()),
        })
        .unwrap();
    sync(&mut ana, &mut hub);
    assert_eq!(walk_in_names(&hub), ["Dee Walker"]);
    assert!(check_in_members(&hub).contains(&walked.person.id));
    let hours = hub.campaign.hours().unwrap();
    assert!(
        hours
            .iter()
            .any(|row| row.name == "Dee Walker" && row.hours == 2.0),
        "{hours:?}"
    );
    assert!(
        hub.campaign
            .members()
            .unwrap()
            .iter()
            .all(|member| member.name != "Dee Walker"),
        "a walk-in is not listed among the members"
    );

    // Ben's phone is a member's: the real program refuses, whoever it names.
    for captain in ["Ben Member", "Ana Member"] {
        let refused = ben.campaign.walk_in(NewWalkIn {
            action: support::ACTION.into(),
            name: "Eve Plant".into(),
            captain: Some(captain.into()),
            at: Some("2026-03-02T07:40:00Z".into()),
            ..NewWalkIn::default()
        });
        assert!(
            matches!(refused, Err(StoreError::NotAllowed(_))),
            "{refused:?}"
        );
    }
    // A modified program writes one anyway; Ana's writes a walk-in who is a
    // steward, and settles Dee's walk-in as if Ana were a steward.
    ben.campaign
        .forge(&DocumentId::campaign(), |doc| {
            put_walk_in(doc, "forged-walk-in-1", &action_id, &[])
        })
        .unwrap();
    ana.campaign
        .forge(&DocumentId::campaign(), |doc| {
            put_walk_in(doc, "forged-walk-in-2", &action_id, &["steward"])
        })
        .unwrap();
    let ben_member = member_id(&hub, "Ben Member");
    ana.campaign
        .forge(&DocumentId::campaign(), |doc| {
            put_field(
                doc,
                "members",
                &walked.person.id,
                "merged_into",
                &ben_member,
            )
        })
        .unwrap();
    sync(&mut ben, &mut hub);
    sync(&mut ana, &mut hub);
    let refused = refusals(&hub);
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(
        refused.iter().all(|reason| reason.contains("members")),
        "{refused:?}"
    );
    assert_eq!(
        walk_in_names(&hub),
        ["Dee Walker"],
        "nothing forged was kept"
    );
    assert!(hub
        .campaign
        .find::<Member>("forged-walk-in-2")
        .unwrap()
        .is_none());

    // The steward settles it; Ana's phone hears and counts Dee as Ben.
    hub.campaign
        .merge_walk_in("Dee Walker", "Ben Member", STEWARD)
        .unwrap();
    sync(&mut ana, &mut hub);
    assert!(walk_in_names(&ana).is_empty());
    assert!(ana
        .campaign
        .attention()
        .unwrap()
        .iter()
        .all(|row| row.kind != "walk_in"));
    let hours = hub.campaign.hours().unwrap();
    assert_eq!(hours.len(), 1, "{hours:?}");
    assert_eq!(
        (hours[0].member_id.as_str(), hours[0].hours),
        (ben_member.as_str(), 2.0)
    );
}

#[test]
fn a_record_the_policy_allows_but_holdfast_cannot_read_is_refused_by_name_and_sync_goes_on() {
    let mut hub = hub();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut ben = support::pair(&mut hub, "Ben Member", Role::Member);
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    let ana_member = member_id(&hub, "Ana Member");
    let action_id = action(&hub);
    let action_text = action_id.action_id().unwrap().to_string();

    // An honest check-in, then Ana's own check-in as a modified program
    // writes it: her member and her device, so the policy lets it by,
    // but no time, no kind, and no one who recorded it.
    check_in(&mut ana, "Ana Member").unwrap();
    ana.campaign
        .forge(&DocumentId::arrivals(&ana_member.clone()), move |doc| {
            put_record(
                doc,
                "checkins",
                "00000000-0000-4000-8000-00000000b10b",
                &[
                    ("action_id", action_text.as_str()),
                    ("member_id", ana_member.as_str()),
                ],
            )
        })
        .unwrap();
    let report = sync(&mut ana, &mut hub);
    assert_eq!(report.documents_apart, 0);
    assert_eq!(check_in_members(&hub), [member_id(&hub, "Ana Member")]);
    let refused = refusals(&hub);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains(
            "checkins record 00000000-0000-4000-8000-00000000b10b is not one Holdfast can read"
        ),
        "{refused:?}"
    );

    // The hub passes on the honest check-in and nothing of the other.
    check_in(&mut ben, "Ben Member").unwrap();
    sync(&mut ben, &mut hub);
    let mut both = vec![member_id(&hub, "Ana Member"), member_id(&hub, "Ben Member")];
    both.sort();
    assert_eq!(check_in_members(&ben), [member_id(&hub, "Ben Member")]);
    assert_eq!(check_in_members(&hub), both);
    // Ana's phone keeps syncing: another round ends normally.
    sync(&mut ana, &mut hub);
}
