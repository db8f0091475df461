//! Turnout, hours and strike pay from check-ins.
//!
//! Check-ins and check-outs are separate records written by many phones, so
//! hours come from pairing them per member and action in time order: an `in`
//! opens a stay, the next `out` closes it. A second `in` while a stay is open
//! is a duplicate (listed under needs attention, not counted twice); an `out`
//! with no open stay is counted as unmatched; a stay still open has no hours yet.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::model::{CheckIn, CheckKind, StrikePayRule};
use crate::time;

/// How long before an action starts its check-in opens.
pub const CHECK_IN_OPENS_BEFORE_MINUTES: i64 = 60;

/// Where an arrival time falls against an action's check-in window, which
/// opens an hour before the action starts. It does not close at the end: a
/// member who reaches the gate as the picket packs up is still counted, and
/// the Today screen never offers an action that is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYetOpen { opens: DateTime<Utc> },
    Open,
}

/// The check-in window of an action starting at `starts_at`, at `at`. An
/// arrival typed in later with the time it happened (a paper sheet) falls
/// inside it; a tap on a picket days away does not.
pub fn check_in_window(starts_at: &str, at: &str) -> Result<Window, crate::CoreError> {
    let opens = check_in_opens(starts_at)?;
    Ok(if time::parse_instant(at)? < opens {
        Window::NotYetOpen { opens }
    } else {
        Window::Open
    })
}

/// When check-in at an action starting at `starts_at` opens.
pub fn check_in_opens(starts_at: &str) -> Result<DateTime<Utc>, crate::CoreError> {
    Ok(time::parse_instant(starts_at)? - Duration::minutes(CHECK_IN_OPENS_BEFORE_MINUTES))
}

/// One closed stay at an action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stay {
    pub member_id: String,
    pub action_id: String,
    pub day: String,
    pub hours: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Pairing {
    pub stays: Vec<Stay>,
    /// Members with a stay still open, per action.
    pub still_here: BTreeMap<String, BTreeSet<String>>,
    /// (action, member, check-in id) of each `in` made while already checked in.
    pub duplicate_check_ins: Vec<(String, String, String)>,
    /// (action, member, check-out id) of each `out` with no open stay.
    pub unmatched_check_outs: Vec<(String, String, String)>,
}

/// Pairs check-ins and check-outs. Voided records are ignored.
pub fn pair(check_ins: &[CheckIn]) -> Pairing {
    let mut ordered: Vec<&CheckIn> = check_ins.iter().filter(|record| !record.voided).collect();
    // Times have one-second resolution: within one second, arrivals come first.
    ordered.sort_by_key(|record| (&record.at, record.kind == CheckKind::Out, &record.id));
    let mut open: BTreeMap<(&str, &str), &CheckIn> = BTreeMap::new();
    let mut pairing = Pairing::default();
    for record in ordered {
        let key = (record.action_id.as_str(), record.member_id.as_str());
        match record.kind {
            CheckKind::In => match open.entry(key) {
                std::collections::btree_map::Entry::Occupied(_) => {
                    pairing.duplicate_check_ins.push((
                        record.action_id.clone(),
                        record.member_id.clone(),
                        record.id.clone(),
                    ))
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(record);
                }
            },
            CheckKind::Out => match open.remove(&key) {
                Some(opened) => pairing.stays.push(Stay {
                    member_id: record.member_id.clone(),
                    action_id: record.action_id.clone(),
                    day: time::day_of(&opened.at).to_string(),
                    hours: hours_between(&opened.at, &record.at),
                }),
                None => pairing.unmatched_check_outs.push((
                    record.action_id.clone(),
                    record.member_id.clone(),
                    record.id.clone(),
                )),
            },
        }
    }
    for (action_id, member_id) in open.keys() {
        pairing
            .still_here
            .entry(action_id.to_string())
            .or_default()
            .insert(member_id.to_string());
    }
    pairing
}

fn hours_between(start: &str, end: &str) -> f64 {
    match (time::parse_instant(start), time::parse_instant(end)) {
        (Ok(start), Ok(end)) if end > start => (end - start).num_seconds() as f64 / 3600.0,
        _ => 0.0,
    }
}

/// Hours per member, summed over all closed stays.
pub fn hours_per_member(stays: &[Stay]) -> BTreeMap<String, f64> {
    let mut hours = BTreeMap::new();
    for stay in stays {
        *hours.entry(stay.member_id.clone()).or_insert(0.0) += stay.hours;
    }
    hours
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrikePay {
    pub member_id: String,
    /// Mondays of the weeks that qualify.
    pub qualifying_weeks: Vec<String>,
    /// Hours in the weeks that qualify: what the pay is for.
    pub counted_hours: f64,
    /// Hours on days that met the daily minimum, in any week: a member
    /// short of a paying week sees how far they got.
    pub hours_on_counting_days: f64,
    /// Every picket hour, counting days or not.
    pub picket_hours: f64,
    pub pay_cents: i64,
}

/// Strike pay per member under the local's rule, from picket stays only.
pub fn strike_pay(rule: &StrikePayRule, picket_stays: &[Stay]) -> Vec<StrikePay> {
    // member → day → hours
    let mut daily: BTreeMap<&str, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for stay in picket_stays {
        let Ok(day) = time::parse_date(&stay.day) else {
            continue;
        };
        *daily
            .entry(&stay.member_id)
            .or_default()
            .entry(day)
            .or_insert(0.0) += stay.hours;
    }
    let mut result = Vec::new();
    for (member_id, days) in daily {
        let picket_hours = days.values().sum::<f64>() + 0.0;
        let mut weekly: BTreeMap<NaiveDate, f64> = BTreeMap::new();
        for (day, hours) in days {
            if hours + 1e-9 >= rule.minimum_hours_per_day {
                let monday =
                    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
                *weekly.entry(monday).or_insert(0.0) += hours;
            }
        }
        let hours_on_counting_days = weekly.values().sum::<f64>() + 0.0;
        let qualifying: Vec<(NaiveDate, f64)> = weekly
            .into_iter()
            .filter(|(_, hours)| hours + 1e-9 >= rule.minimum_hours_per_week)
            .collect();
        result.push(StrikePay {
            member_id: member_id.to_string(),
            // An empty float sum is negative zero; adding zero makes it plain zero.
            counted_hours: qualifying.iter().map(|(_, hours)| hours).sum::<f64>() + 0.0,
            hours_on_counting_days,
            picket_hours,
            pay_cents: rule.weekly_pay_cents * qualifying.len() as i64,
            qualifying_weeks: qualifying
                .iter()
                .map(|(monday, _)| time::format_date(*monday))
                .collect(),
        });
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, member: &str, kind: CheckKind, at: &str) -> CheckIn {
        CheckIn {
            id: id.into(),
            action_id: "picket".into(),
            shift_id: None,
            member_id: member.into(),
            kind,
            at: at.into(),
            recorded_by: member.into(),
            device: "phone".into(),
            voided: false,
        }
    }

    #[test]
    fn check_in_opens_an_hour_before_the_action_starts() {
        let window = |at| check_in_window("2026-03-02T09:00:00Z", at).unwrap();
        let opens = time::parse_instant("2026-03-02T08:00:00Z").unwrap();
        assert_eq!(window("2026-02-24T09:00:00Z"), Window::NotYetOpen { opens });
        assert_eq!(window("2026-03-02T07:59:59Z"), Window::NotYetOpen { opens });
        assert_eq!(window("2026-03-02T08:00:00Z"), Window::Open);
        assert_eq!(window("2026-03-09T13:00:01Z"), Window::Open);
        assert!(check_in_window("soon", "2026-03-02T09:00:00Z").is_err());
    }

    #[test]
    fn stays_pair_in_time_order_regardless_of_arrival() {
        let records = [
            event("2", "ana", CheckKind::Out, "2026-03-02T13:00:00Z"),
            event("1", "ana", CheckKind::In, "2026-03-02T09:00:00Z"),
            event("3", "ana", CheckKind::In, "2026-03-02T09:05:00Z"),
            event("4", "ben", CheckKind::Out, "2026-03-02T10:00:00Z"),
            event("5", "cy", CheckKind::In, "2026-03-02T10:00:00Z"),
        ];
        let pairing = pair(&records);
        assert_eq!(pairing.stays.len(), 1);
        assert_eq!(pairing.stays[0].hours, 4.0);
        assert_eq!(
            pairing.duplicate_check_ins,
            [("picket".into(), "ana".into(), "3".into())]
        );
        assert_eq!(
            pairing.unmatched_check_outs,
            [("picket".into(), "ben".into(), "4".into())]
        );
        assert!(pairing.still_here["picket"].contains("cy"));
    }

    #[test]
    fn a_voided_check_in_does_not_count() {
        let mut second = event("3", "ana", CheckKind::In, "2026-03-02T09:05:00Z");
        second.voided = true;
        let records = [
            event("1", "ana", CheckKind::In, "2026-03-02T09:00:00Z"),
            second,
        ];
        assert!(pair(&records).duplicate_check_ins.is_empty());
    }

    fn stay(member: &str, day: &str, hours: f64) -> Stay {
        Stay {
            member_id: member.into(),
            action_id: "picket".into(),
            day: day.into(),
            hours,
        }
    }

    #[test]
    fn strike_pay_counts_days_over_the_daily_minimum_toward_the_week() {
        let rule = StrikePayRule {
            minimum_hours_per_day: 4.0,
            minimum_hours_per_week: 20.0,
            weekly_pay_cents: 30_000,
        };
        // Week of 2026-03-02: five days of 4 hours qualifies.
        let mut stays: Vec<Stay> = (2..=6)
            .map(|day| stay("ana", &format!("2026-03-0{day}"), 4.0))
            .collect();
        // Week of 2026-03-09: 3-hour days do not count, so 21 hours is not enough.
        stays.extend((9..=15).map(|day| stay("ana", &format!("2026-03-{day:02}"), 3.0)));
        let pay = strike_pay(&rule, &stays);
        assert_eq!(pay.len(), 1);
        assert_eq!(pay[0].qualifying_weeks, ["2026-03-02"]);
        assert_eq!(pay[0].pay_cents, 30_000);
        assert_eq!(pay[0].counted_hours, 20.0);
    }

    /// Hours on days that count, in a week that falls short, are shown as
    /// what they are, not as nothing: a member with 18 hours in a 20-hour
    /// week is two hours from pay, and sees that.
    #[test]
    fn hours_on_counting_days_are_kept_when_the_week_falls_short() {
        let rule = StrikePayRule {
            minimum_hours_per_day: 4.0,
            minimum_hours_per_week: 20.0,
            weekly_pay_cents: 30_000,
        };
        // Three 6-hour days and one 2-hour day (which does not count).
        let mut stays: Vec<Stay> = (2..=4)
            .map(|day| stay("ana", &format!("2026-03-0{day}"), 6.0))
            .collect();
        stays.push(stay("ana", "2026-03-05", 2.0));
        let pay = strike_pay(&rule, &stays);
        assert_eq!(pay[0].pay_cents, 0);
        assert_eq!(pay[0].counted_hours, 0.0);
        assert_eq!(pay[0].hours_on_counting_days, 18.0);
        assert_eq!(pay[0].picket_hours, 20.0);
    }
}
