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

/// The dashboard's check-in total is kept by triggers, not counted; it must
/// match a count of the rows after local check-ins, voids, a merge from
/// another device and a full rebuild of the projections.
#[test]
fn the_kept_check_in_total_matches_a_recount() {
    let recount = |campaign: &holdfast_store::Campaign| {
        campaign
            .check_ins(None)
            .unwrap()
            .iter()
            .filter(|check| !check.voided)
            .count() as i64
    };
    let now = holdfast_core::time::now();
    let (_dir, mut campaign) = new_campaign();
    let action = picket(&mut campaign, "Gate B picket");
    let mut members = Vec::new();
    for name in ["Ana Ferreira", "Bo Lindqvist", "Cy Adeyemi"] {
        members.push(member(&mut campaign, name, &[Role::Member]));
    }
    let mut checks = Vec::new();
    for member in &members {
        checks.push(
            campaign
                .check_in(CheckRequest {
                    action: action.id.clone(),
                    member: Some(member.id.clone()),
                    shift: None,
                    recorded_by: None,
                    at: None,
                })
                .unwrap(),
        );
    }
    assert_eq!(campaign.dashboard(&now).unwrap().check_ins, 3);
    campaign.void_check(&checks[0].id).unwrap();
    assert_eq!(campaign.dashboard(&now).unwrap().check_ins, 2);

    let (_other_dir, mut other) = join(&mut campaign);
    other
        .check_out(CheckRequest {
            action: action.id.clone(),
            member: Some(members[1].id.clone()),
            shift: None,
            recorded_by: None,
            at: None,
        })
        .unwrap();
    other.void_check(&checks[2].id).unwrap();
    sync(&mut campaign, &mut other);
    for device in [&campaign, &other] {
        assert_eq!(device.dashboard(&now).unwrap().check_ins, recount(device));
        assert_eq!(recount(device), 2);
    }
    campaign.reproject_everything().unwrap();
    assert_eq!(campaign.dashboard(&now).unwrap().check_ins, 2);
}
