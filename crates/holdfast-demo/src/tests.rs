//! The demo is what a new user sees first: it must be complete, current and
//! free of anything a person would have to fix.

use chrono::NaiveDate;
use holdfast_core::model::{Member, RestCommitment, Signup};
use holdfast_store::Campaign;

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 14).expect("a real date")
}

fn seeded(size: &DemoSize) -> (tempfile::TempDir, Campaign, DemoSummary) {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let mut campaign =
        Campaign::create(directory.path(), "A Fair Contract at Calloway", "Local 418")
            .expect("a new campaign");
    // Tests do not need each commit on the platter; the demo's content is
    // what is under test.
    campaign.relax_durability_for_bulk_load().expect("relaxed");
    let summary = seed(&mut campaign, size, today()).expect("the demo seeds");
    (directory, campaign, summary)
}

#[test]
fn the_demo_is_complete_current_and_consistent() {
    let size = DemoSize::demo();
    let (_directory, campaign, summary) = seeded(&size);

    assert_eq!(summary.members, 60);
    assert_eq!(campaign.members().unwrap().len(), 60);
    assert_eq!(summary.sites, 4);
    assert_eq!(summary.committees, 3);
    assert!(summary.meetings >= 15, "{summary:?}");
    assert!(summary.stewards >= 4 && summary.captains >= 4 && summary.aid_coordinators >= 2);
    assert!(summary.facilitators >= 3);
    assert_eq!(summary.choke_points, 10);
    assert!(summary.dependencies >= 8);
    assert_eq!(summary.past_actions, 13);
    assert_eq!(summary.upcoming_actions, 3);
    assert_eq!(campaign.actions().unwrap().len(), 16);
    assert_eq!(summary.check_in_records(), size.check_ins);
    assert_eq!(campaign.check_ins(None).unwrap().len(), size.check_ins);
    assert!(summary.check_outs > 0 && summary.recorded_by_captain > 0);
    assert_eq!(summary.ledger_entries, 40);
    assert_eq!(campaign.ledger().unwrap().len(), 40);
    assert!(summary.circles >= 8, "{summary:?}");
    assert_eq!(
        campaign.all::<RestCommitment>().unwrap().len(),
        summary.rest_commitments
    );
    assert_eq!(campaign.all::<Signup>().unwrap().len(), summary.signups);
    assert_eq!(summary.skills, 5);
    assert!(summary.skill_sessions >= 4 && summary.attendance > 0);
    assert!(summary.practice_events > 0);
    let proposals = campaign.proposals().unwrap();
    assert_eq!(proposals.len(), summary.proposals);
    assert!(proposals.iter().any(|row| row.open && row.voters > 0));
    assert!(proposals
        .iter()
        .any(|row| row.proposal.closing.is_some() && row.counts.iter().sum::<i64>() > 0));

    let now = crate::instant(today(), 9 * 60);
    let dashboard = campaign.dashboard(&now).unwrap();
    // Whenever the demo is opened on its day, one action is open for check-in.
    let next = dashboard.next_action.expect("something is planned");
    assert!(next.title.starts_with("All-day "), "{}", next.title);
    assert!(
        next.starts_at < now && now < next.ends_at,
        "today's action is on"
    );
    for hour in [0, 12, 23] {
        let at = crate::instant(today(), hour * 60 + 30);
        let window =
            holdfast_core::rules::attendance::check_in_window(&next.starts_at, &at).unwrap();
        assert_eq!(
            window,
            holdfast_core::rules::attendance::Window::Open,
            "{at}"
        );
    }
    // Every other action that has started is over.
    assert!(campaign
        .actions()
        .unwrap()
        .iter()
        .filter(|action| action.starts_at < now && action.id != next.id)
        .all(|action| action.ends_at < now));
    assert!(!dashboard.freeze_within_48_hours.is_empty());
    assert!(dashboard
        .freeze_within_48_hours
        .iter()
        .any(|row| row.people_still_needed > 0));
    assert_eq!(dashboard.attention, 0);
    assert!(campaign.attention().unwrap().is_empty());
    assert!(dashboard.variety_warning.is_none());
    assert!(dashboard.recent_turnout.iter().all(|(_, count)| *count > 0));
    assert!(dashboard.aid_balances.values().all(|balance| *balance >= 0));
    assert!(campaign.device_member().unwrap().is_some());

    // No one is left on a picket line that is over; micro actions have
    // check-ins only.
    for action in campaign.actions().unwrap() {
        if action.kind.is_picket() {
            assert!(campaign.present_at(&action.id).unwrap().is_empty());
        }
    }
    // Everything the store stamps with the time of the edit was given a
    // date at or before the demo's today.
    let end_of_today = crate::instant(today(), 24 * 60);
    assert!(campaign
        .all::<Signup>()
        .unwrap()
        .iter()
        .all(|signup| signup.signed_up_at < end_of_today));
    assert!(campaign
        .aid_requests()
        .unwrap()
        .iter()
        .all(|request| request.requested_at < end_of_today));
}

#[test]
fn the_same_seed_makes_the_same_campaign() {
    let size = DemoSize {
        members: 24,
        past_actions: 6,
        check_ins: 120,
        ledger_entries: 12,
        ..DemoSize::demo()
    };
    let names = |campaign: &Campaign| -> Vec<String> {
        campaign
            .all::<Member>()
            .unwrap()
            .into_iter()
            .map(|member| member.name)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let (_first_directory, first, first_summary) = seeded(&size);
    let (_second_directory, second, second_summary) = seeded(&size);
    assert_eq!(first_summary, second_summary);
    assert_eq!(names(&first), names(&second));
    assert_eq!(first_summary.check_in_records(), 120);
}
