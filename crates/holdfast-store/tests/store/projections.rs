//! The incremental projection path (local edits) and the full one (merges)
//! must agree row for row.

use holdfast_core::model::*;
use holdfast_store::use_cases::actions::NewShift;
use holdfast_store::use_cases::aid::{NewLedgerEntry, NewRequest};
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::use_cases::choke_points::NewChokePoint;

use crate::support::*;

#[test]
fn incremental_projection_matches_a_full_rebuild() {
    let (dir, mut campaign) = new_campaign();
    let site = campaign.add_site("North Depot", None).unwrap();
    campaign.add_department(&site.id, "Dispatch").unwrap();
    let steward = member(
        &mut campaign,
        "Sam Okafor",
        &[Role::Steward, Role::AidCoordinator],
    );
    let ana = member(&mut campaign, "Ana Ferreira", &[Role::Member]);
    campaign
        .add_committee(
            "Safety",
            "walk the floor",
            &[steward.id.clone(), ana.id.clone()],
            None,
        )
        .unwrap();
    campaign
        .record_meeting(
            "Safety",
            "2026-02-01",
            None,
            std::slice::from_ref(&ana.id),
            "first walk",
        )
        .unwrap();
    let data_centre = campaign
        .add_choke_point(NewChokePoint {
            name: "Data centre".into(),
            kind: ChokeKind::Site,
            site: Some(site.id.clone()),
            hours_to_freeze: 30.0,
            routable: false,
            depends_on: vec![],
            people_needed: 12,
            contingency: "hold the loading bay".into(),
        })
        .unwrap();
    campaign
        .commit_to_choke_point(&data_centre.id, &ana.id)
        .unwrap();
    let action = picket(&mut campaign, "Gate B picket");
    let shift = campaign
        .add_shift(
            &action.id,
            NewShift {
                location: "Gate B".into(),
                starts_at: "2026-03-02T07:00:00Z".into(),
                ends_at: "2026-03-02T11:00:00Z".into(),
                capacity: 4,
                captain: Some(steward.id.clone()),
            },
        )
        .unwrap();
    campaign.sign_up(&shift.id, &ana.id).unwrap();
    let request = CheckRequest {
        action: action.id.clone(),
        member: Some(ana.id.clone()),
        shift: Some(shift.id.clone()),
        recorded_by: Some(steward.id.clone()),
        at: Some("2026-03-02T07:05:00Z".into()),
    };
    campaign.check_in(request.clone()).unwrap();
    campaign
        .check_out(CheckRequest {
            at: Some("2026-03-02T11:00:00Z".into()),
            ..request
        })
        .unwrap();
    let circle = campaign
        .record_circle(&action.id, &steward.id, 6, vec!["worries".into()], None)
        .unwrap();
    campaign
        .share_rest_commitment(&circle.id, &ana.id, "a long walk on Sunday")
        .unwrap();
    campaign
        .write_reflection(&action.id, "worries", "the van at the gate")
        .unwrap();
    campaign
        .record_ledger_entry(
            NewLedgerEntry {
                kind: LedgerKind::Contribution,
                category: AidCategory::Rent,
                amount_cents: 80_000,
                request_id: None,
                party: Some(steward.id.clone()),
                note: String::new(),
                at: None,
            },
            &steward.id,
        )
        .unwrap();
    let aid_request = campaign
        .request_aid(NewRequest {
            member: ana.id.clone(),
            category: AidCategory::Rent,
            amount_cents: 45_000,
            urgency: Urgency::Urgent,
            note: "short this month".into(),
        })
        .unwrap();
    campaign
        .match_request(&aid_request.id, None, &steward.id)
        .unwrap();
    campaign
        .record_ledger_entry(
            NewLedgerEntry {
                kind: LedgerKind::Disbursement,
                category: AidCategory::Rent,
                amount_cents: 45_000,
                request_id: Some(aid_request.id.clone()),
                party: None,
                note: String::new(),
                at: None,
            },
            &steward.id,
        )
        .unwrap();
    campaign.erase_member(&ana.id).unwrap();

    let incremental = projected_rows(dir.path());
    campaign.reproject_everything().unwrap();
    let full = projected_rows(dir.path());
    assert_eq!(incremental, full);
    assert!(
        incremental.len() > 15,
        "the scenario should project many rows"
    );
}
