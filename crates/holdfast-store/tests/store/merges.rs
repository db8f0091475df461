//! What two devices editing apart do to each other once they meet.

use holdfast_core::model::*;
use holdfast_store::use_cases::actions::NewShift;
use holdfast_store::use_cases::aid::NewLedgerEntry;
use holdfast_store::use_cases::check_ins::CheckRequest;

use crate::support::*;

fn entry(kind: LedgerKind, amount_cents: i64) -> NewLedgerEntry {
    NewLedgerEntry {
        kind,
        category: AidCategory::Fund,
        amount_cents,
        request_id: None,
        party: None,
        note: String::new(),
        at: None,
    }
}

/// Two coordinators, one at the hall and one on a phone, who each see
/// 1,000.00 in the fund and pay out 700.00 with no signal; not yet synced.
struct Overdrawn {
    _hall_dir: tempfile::TempDir,
    hall: holdfast_store::Campaign,
    _phone_dir: tempfile::TempDir,
    phone: holdfast_store::Campaign,
    first: Member,
    second: Member,
}

fn paid_out_apart() -> Overdrawn {
    let (hall_dir, mut hall) = new_campaign();
    let first = member(&mut hall, "Rosa Lindqvist", &[Role::AidCoordinator]);
    let second = member(&mut hall, "Tomasz Wojcik", &[Role::AidCoordinator]);
    hall.record_ledger_entry(entry(LedgerKind::Contribution, 100_000), &first.id)
        .unwrap();
    let (phone_dir, mut phone) = join(&mut hall);
    hall.record_ledger_entry(entry(LedgerKind::Disbursement, 70_000), &first.id)
        .unwrap();
    phone
        .record_ledger_entry(entry(LedgerKind::Disbursement, 70_000), &second.id)
        .unwrap();
    Overdrawn {
        _hall_dir: hall_dir,
        hall,
        _phone_dir: phone_dir,
        phone,
        first,
        second,
    }
}

#[test]
fn two_coordinators_paying_out_apart_overdraw_the_fund_and_a_person_settles_it() {
    // The folders are bound by name so that they last as long as the test.
    let Overdrawn {
        _hall_dir,
        mut hall,
        _phone_dir,
        mut phone,
        first,
        ..
    } = paid_out_apart();
    assert!(hall.attention().unwrap().is_empty());

    sync(&mut hall, &mut phone);
    for device in [&hall, &phone] {
        let items = device.attention().unwrap();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0].kind, "fund_overdrawn");
        assert_eq!(
            device.ledger().unwrap().len(),
            3,
            "no ledger entry may be lost"
        );
    }

    let key = hall.attention().unwrap()[0].key.clone();
    hall.resolve_attention(&key, &first.id, "covered by the March collection")
        .unwrap();
    hall.record_ledger_entry(entry(LedgerKind::Contribution, 40_000), &first.id)
        .unwrap();
    sync(&mut hall, &mut phone);
    assert!(hall.attention().unwrap().is_empty());
    assert!(phone.attention().unwrap().is_empty());
}

/// The item says a contribution settles it, so one does: once the pool is
/// back above zero the item goes by itself, on every device, with nobody
/// marking it resolved. A pool still below zero keeps it.
#[test]
fn a_contribution_that_brings_the_pool_back_settles_the_overdraw() {
    let Overdrawn {
        _hall_dir,
        mut hall,
        _phone_dir,
        mut phone,
        first,
        second,
    } = paid_out_apart();
    sync(&mut hall, &mut phone);
    assert_eq!(hall.attention().unwrap().len(), 1);

    // 200.00 in: the pool is at -200.00, still short.
    hall.record_ledger_entry(entry(LedgerKind::Contribution, 20_000), &first.id)
        .unwrap();
    sync(&mut hall, &mut phone);
    assert_eq!(hall.attention().unwrap().len(), 1, "still short by 200.00");

    // 200.00 more: back at zero, which is settled.
    phone
        .record_ledger_entry(entry(LedgerKind::Contribution, 20_000), &second.id)
        .unwrap();
    sync(&mut hall, &mut phone);
    for device in [&hall, &phone] {
        let items = device.attention().unwrap();
        assert!(items.is_empty(), "{items:?}");
    }
}

#[test]
fn a_captain_and_a_member_checking_the_same_person_in_apart_is_flagged_not_dropped() {
    let (_hall_dir, mut hall) = new_campaign();
    let ana = member(&mut hall, "Ana Ferreira", &[Role::Member]);
    let captain = member(&mut hall, "Kofi Mensah", &[Role::PicketCaptain]);
    let action = picket(&mut hall, "Gate B picket");
    let (_phone_dir, mut phone) = join(&mut hall);

    hall.check_in(CheckRequest {
        action: action.id.clone(),
        member: Some(ana.id.clone()),
        recorded_by: Some(captain.id.clone()),
        at: Some("2026-03-02T07:00:00Z".into()),
        ..CheckRequest::default()
    })
    .unwrap();
    phone
        .check_in(CheckRequest {
            action: action.id.clone(),
            member: Some(ana.id.clone()),
            at: Some("2026-03-02T07:02:00Z".into()),
            ..CheckRequest::default()
        })
        .unwrap();
    sync(&mut hall, &mut phone);

    assert_eq!(
        hall.check_ins(Some(&action.id)).unwrap().len(),
        2,
        "both check-ins are kept"
    );
    let items = phone.attention().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, "duplicate_check_in");
    // The item names the person and the action, not their ids.
    assert!(
        items[0].summary.contains("Ana Ferreira") && items[0].summary.contains("Gate B picket"),
        "{}",
        items[0].summary
    );
    assert!(!items[0].summary.contains(&ana.id), "{}", items[0].summary);
    // Turnout still counts Ana once.
    assert_eq!(hall.turnout(&action.id).unwrap().turned_out, 1);

    let duplicate = phone.check_ins(Some(&action.id)).unwrap()[1].id.clone();
    phone.void_check(&duplicate).unwrap();
    sync(&mut hall, &mut phone);
    assert!(hall.attention().unwrap().is_empty());
    assert_eq!(
        hall.check_ins(Some(&action.id)).unwrap().len(),
        2,
        "the void marks, it does not delete"
    );
}

#[test]
fn sign_ups_made_apart_can_overfill_a_shift_and_are_listed() {
    let (_hall_dir, mut hall) = new_campaign();
    let ana = member(&mut hall, "Ana Ferreira", &[Role::Member]);
    let ben = member(&mut hall, "Ben Adeyemi", &[Role::Member]);
    let action = picket(&mut hall, "Gate B picket");
    let shift = hall
        .add_shift(
            &action.id,
            NewShift {
                location: "Gate B".into(),
                starts_at: "2026-03-02T07:00:00Z".into(),
                ends_at: "2026-03-02T11:00:00Z".into(),
                capacity: 1,
                captain: None,
            },
        )
        .unwrap();
    let (_phone_dir, mut phone) = join(&mut hall);
    hall.sign_up(&shift.id, &ana.id).unwrap();
    phone.sign_up(&shift.id, &ben.id).unwrap();
    sync(&mut hall, &mut phone);
    let items = hall.attention().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, "shift_over_capacity");
    // After the merge the shift is full on both devices, so a third is refused.
    let cy = member(&mut hall, "Cy Moreau", &[Role::Member]);
    assert!(hall.sign_up(&shift.id, &cy.id).is_err());
}

#[test]
fn private_documents_never_travel() {
    let (_hall_dir, mut hall) = new_campaign();
    let action = picket(&mut hall, "Gate B picket");
    hall.write_reflection(&action.id, "worries", "I was scared of the van")
        .unwrap();
    let error = hall
        .export_document(&holdfast_core::DocumentId::personal())
        .unwrap_err();
    assert!(error.to_string().contains("never leaves this device"));
    let (_phone_dir, phone) = join(&mut hall);
    assert!(phone.reflections().unwrap().is_empty());
}

/// What a peer lacks is never more bytes than the whole document: changes
/// after an early point, written one by one, are larger than the whole
/// document Automerge compresses, and a bundle "for" one device came out
/// larger than a bundle for everyone. Then the whole document is sent.
#[test]
fn what_a_peer_lacks_is_never_larger_than_the_whole_document() {
    let (_dir, mut campaign) = new_campaign();
    let id = holdfast_core::DocumentId::campaign();
    let early = campaign.document_heads(&id).unwrap();
    let early_bytes = campaign.document_bytes(&id).unwrap();
    for index in 0..200 {
        member(&mut campaign, &format!("Member number {index}"), &[]);
    }
    let whole = campaign.document_bytes(&id).unwrap();
    let lacking = campaign.changes_since(&id, &early).unwrap();
    assert!(
        lacking.len() <= whole.len(),
        "{} bytes of changes against {} for the whole document",
        lacking.len(),
        whole.len()
    );
    // And what is sent still brings a copy holding only the early part up
    // to date.
    let mut copy = automerge::AutoCommit::load(&early_bytes).unwrap();
    copy.load_incremental(&lacking).unwrap();
    let mut heads = copy.get_heads();
    heads.sort();
    assert_eq!(heads, campaign.document_heads(&id).unwrap());
}
