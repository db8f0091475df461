//! When the next small actions fall, which tactic comes next, and whether the
//! repertoire has gone stale.

use chrono::{Datelike, Duration, NaiveDate};

use crate::model::{Cadence, RecurrenceRule};

/// The dates of the cadence's actions on or after `from`, at most `count` of them.
pub fn occurrences(cadence: &Cadence, from: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let Ok(start) = NaiveDate::parse_from_str(&cadence.starts_on, "%Y-%m-%d") else {
        return Vec::new();
    };
    let from = from.max(start);
    let mut dates = Vec::with_capacity(count);
    match cadence.rule {
        RecurrenceRule::EveryDays => {
            let interval = cadence.interval_days.max(1);
            let elapsed = (from - start).num_days();
            let steps = (elapsed + interval - 1) / interval;
            let mut date = start + Duration::days(steps * interval);
            while dates.len() < count {
                dates.push(date);
                date += Duration::days(interval);
            }
        }
        RecurrenceRule::DayOfMonth => {
            let (mut year, mut month) = (from.year(), from.month());
            while dates.len() < count {
                let date = clamped_day(year, month, cadence.day_of_month);
                if date >= from {
                    dates.push(date);
                }
                (year, month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
            }
        }
    }
    dates
}

/// The given day of a month, or the month's last day if it is shorter.
fn clamped_day(year: i32, month: u32, day: i64) -> NaiveDate {
    let day = day.clamp(1, 31) as u32;
    (1..=day)
        .rev()
        .find_map(|candidate| NaiveDate::from_ymd_opt(year, month, candidate))
        .expect("every month has a first day")
}

/// The cadence's tactic that has gone longest unused, given the tactics of
/// past actions oldest first. Unused tactics come before used ones, in the
/// cadence's own order.
pub fn next_tactic(cadence: &Cadence, past_tactics: &[String]) -> Option<String> {
    cadence
        .tactics
        .iter()
        .min_by_key(|tactic| {
            past_tactics
                .iter()
                .rposition(|past| past == *tactic)
                .map_or(-1, |index| index as i64)
        })
        .cloned()
}

/// A warning that the same tactic has run `limit` or more times in a row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VarietyWarning {
    pub tactic: String,
    pub times_in_a_row: usize,
}

/// Looks at the tactics of past actions, oldest first.
pub fn variety_warning(past_tactics: &[String], limit: usize) -> Option<VarietyWarning> {
    let last = past_tactics.last()?;
    let streak = past_tactics
        .iter()
        .rev()
        .take_while(|tactic| *tactic == last)
        .count();
    (limit > 0 && streak >= limit).then(|| VarietyWarning {
        tactic: last.clone(),
        times_in_a_row: streak,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ActionKind;

    fn cadence(rule: RecurrenceRule, interval_days: i64, day_of_month: i64) -> Cadence {
        Cadence {
            id: "c".into(),
            name: "monthly".into(),
            rule,
            interval_days,
            day_of_month,
            starts_on: "2026-01-31".into(),
            start_time: "12:00".into(),
            duration_minutes: 5,
            kind: ActionKind::LogOff,
            tactics: vec!["log-off".into(), "badge flip".into(), "lunch rally".into()],
            site_id: None,
            active: true,
        }
    }

    fn dates(list: &[NaiveDate]) -> Vec<String> {
        list.iter().map(|date| date.to_string()).collect()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_29_days_from_the_start() {
        let every = cadence(RecurrenceRule::EveryDays, 29, 0);
        assert_eq!(
            dates(&occurrences(&every, day("2026-01-01"), 3)),
            ["2026-01-31", "2026-03-01", "2026-03-30"]
        );
        assert_eq!(
            dates(&occurrences(&every, day("2026-03-02"), 1)),
            ["2026-03-30"]
        );
    }

    #[test]
    fn a_fixed_day_clamps_to_short_months() {
        let monthly = cadence(RecurrenceRule::DayOfMonth, 0, 31);
        assert_eq!(
            dates(&occurrences(&monthly, day("2026-01-31"), 4)),
            ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
        );
    }

    #[test]
    fn the_least_recently_used_tactic_comes_next() {
        let every = cadence(RecurrenceRule::EveryDays, 29, 0);
        let past = vec!["log-off".to_string(), "badge flip".to_string()];
        assert_eq!(next_tactic(&every, &past).as_deref(), Some("lunch rally"));
        let past = vec![
            "lunch rally".to_string(),
            "log-off".to_string(),
            "badge flip".to_string(),
        ];
        assert_eq!(next_tactic(&every, &past).as_deref(), Some("lunch rally"));
    }

    #[test]
    fn a_streak_of_one_tactic_is_flagged() {
        let past: Vec<String> = ["rally", "log-off", "log-off", "log-off"]
            .map(String::from)
            .into();
        assert_eq!(
            variety_warning(&past, 3),
            Some(VarietyWarning {
                tactic: "log-off".into(),
                times_in_a_row: 3
            })
        );
        assert_eq!(variety_warning(&past[..3], 3), None);
        assert_eq!(variety_warning(&[], 3), None);
    }
}
