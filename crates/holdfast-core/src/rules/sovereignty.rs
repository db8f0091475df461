//! Sovereignty gains: what the workers now run for themselves, counted from
//! the record month by month.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::model::{
    Attendance, Circle, Committee, LedgerEntry, LedgerKind, Meeting, Practice, PracticeEvent,
    Proposal, SkillSession,
};
use crate::time;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthGains {
    /// `YYYY-MM`; figures are as of the month's last day.
    pub month: String,
    pub committees_formed: i64,
    pub committees_meeting: i64,
    pub members_trained: i64,
    pub practices_started: i64,
    pub practices_kept: i64,
    pub aid_given_cents: i64,
    pub circles_held: i64,
    /// Proposals the members voted through: closed with an option that
    /// carried.
    pub decisions_made: i64,
}

pub struct GainsInput<'a> {
    pub committees: &'a [Committee],
    pub meetings: &'a [Meeting],
    pub sessions: &'a [SkillSession],
    pub attendance: &'a [Attendance],
    pub practices: &'a [Practice],
    pub practice_events: &'a [PracticeEvent],
    pub ledger: &'a [LedgerEntry],
    pub circles: &'a [Circle],
    pub proposals: &'a [Proposal],
    /// A committee or practice counts as kept if it met within this many days.
    pub active_days: i64,
}

/// One row per month from `first` to `last` inclusive.
pub fn monthly(input: &GainsInput<'_>, first: NaiveDate, last: NaiveDate) -> Vec<MonthGains> {
    let mut rows = Vec::new();
    let mut month_start =
        NaiveDate::from_ymd_opt(first.year(), first.month(), 1).expect("valid month");
    while month_start <= last {
        let next = if month_start.month() == 12 {
            NaiveDate::from_ymd_opt(month_start.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(month_start.year(), month_start.month() + 1, 1)
        }
        .expect("valid month");
        let month_end = next - Duration::days(1);
        rows.push(as_of(
            input,
            &month_start.format("%Y-%m").to_string(),
            month_end,
        ));
        month_start = next;
    }
    rows
}

fn on_or_before(day: &str, end: &str) -> bool {
    time::day_of(day) <= end
}

fn as_of(input: &GainsInput<'_>, month: &str, end: NaiveDate) -> MonthGains {
    let end_text = time::format_date(end);
    let window_start = time::format_date(end - Duration::days(input.active_days));
    let active =
        |day: &str| on_or_before(day, &end_text) && time::day_of(day) > window_start.as_str();

    let committees_formed = input
        .committees
        .iter()
        .filter(|committee| on_or_before(&committee.formed_on, &end_text))
        .count();
    let meeting_committees: BTreeSet<&str> = input
        .meetings
        .iter()
        .filter(|meeting| active(&meeting.held_on))
        .map(|meeting| meeting.committee_id.as_str())
        .collect();

    let sessions_so_far: BTreeSet<&str> = input
        .sessions
        .iter()
        .filter(|session| on_or_before(&session.held_on, &end_text))
        .map(|session| session.id.as_str())
        .collect();
    let trained: BTreeSet<&str> = input
        .attendance
        .iter()
        .filter(|present| sessions_so_far.contains(present.session_id.as_str()))
        .map(|present| present.member_id.as_str())
        .collect();

    let practices_started = input
        .practices
        .iter()
        .filter(|practice| on_or_before(&practice.started_on, &end_text))
        .count();
    let kept: BTreeSet<&str> = input
        .practice_events
        .iter()
        .filter(|event| active(&event.held_on))
        .map(|event| event.practice_id.as_str())
        .collect();

    let aid_given_cents = input
        .ledger
        .iter()
        .filter(|entry| {
            entry.kind == LedgerKind::Disbursement && on_or_before(&entry.at, &end_text)
        })
        .map(|entry| entry.signed_amount().saturating_neg())
        .fold(0_i64, i64::saturating_add);
    let circles_held = input
        .circles
        .iter()
        .filter(|circle| on_or_before(&circle.held_at, &end_text))
        .count();
    let decisions_made = input
        .proposals
        .iter()
        .filter_map(|proposal| proposal.closing.as_ref())
        .filter(|closing| closing.outcome.is_some() && on_or_before(&closing.at, &end_text))
        .count();

    MonthGains {
        month: month.to_string(),
        committees_formed: committees_formed as i64,
        committees_meeting: meeting_committees.len() as i64,
        members_trained: trained.len() as i64,
        practices_started: practices_started as i64,
        practices_kept: kept.len() as i64,
        aid_given_cents,
        circles_held: circles_held as i64,
        decisions_made: decisions_made as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committees_count_as_meeting_only_within_the_window() {
        let committees = [Committee {
            id: "safety".into(),
            name: "Safety".into(),
            purpose: String::new(),
            formed_on: "2026-01-10".into(),
            member_ids: vec![],
            rota: vec![],
        }];
        let meetings = [Meeting {
            id: "m1".into(),
            committee_id: "safety".into(),
            held_on: "2026-01-20".into(),
            facilitator_id: None,
            attendee_ids: vec![],
            notes: String::new(),
        }];
        let input = GainsInput {
            committees: &committees,
            meetings: &meetings,
            sessions: &[],
            attendance: &[],
            practices: &[],
            practice_events: &[],
            ledger: &[],
            circles: &[],
            proposals: &[],
            active_days: 45,
        };
        let rows = monthly(
            &input,
            time::parse_date("2025-12-05").unwrap(),
            time::parse_date("2026-03-05").unwrap(),
        );
        let meeting: Vec<(&str, i64, i64)> = rows
            .iter()
            .map(|row| {
                (
                    row.month.as_str(),
                    row.committees_formed,
                    row.committees_meeting,
                )
            })
            .collect();
        assert_eq!(
            meeting,
            [
                ("2025-12", 0, 0),
                ("2026-01", 1, 1),
                ("2026-02", 1, 1),
                ("2026-03", 1, 0)
            ]
        );
    }
}
