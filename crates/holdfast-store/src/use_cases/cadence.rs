//! The cadence of small actions: the calendar, the next action, the tactic
//! rotation, the variety warning, and export as iCalendar.

use chrono::{NaiveDate, NaiveTime};
use holdfast_core::model::*;
use holdfast_core::rules::cadence::{self as rules, VarietyWarning};
use holdfast_core::{time, DocumentId};
use icalendar::{Alarm, Calendar, Component, Event, EventLike, Trigger};
use serde::Serialize;

use super::actions::NewAction;
use super::resolve;
use crate::{Campaign, Result, StoreError};

#[derive(Debug, Clone)]
pub struct NewCadence {
    pub name: String,
    pub rule: RecurrenceRule,
    pub interval_days: i64,
    pub day_of_month: i64,
    pub starts_on: String,
    pub start_time: String,
    pub duration_minutes: i64,
    pub kind: ActionKind,
    pub tactics: Vec<String>,
    pub site: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Occurrence {
    pub cadence_id: String,
    pub cadence: String,
    pub date: String,
    pub starts_at: String,
    pub ends_at: String,
    /// The action already planned for this date, if any.
    pub action_id: Option<String>,
}

/// The longest action a cadence may produce: one week, in minutes.
const MAX_DURATION_MINUTES: i64 = 7 * 24 * 60;

/// The most dates one calendar request returns per cadence.
pub const MAX_CALENDAR_COUNT: usize = 500;

/// Fixed namespace for the ids of actions a cadence generates, so that two
/// devices generating the same occurrence offline produce the same action.
const CADENCE_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6c1f_1d2e_4a7b_4f11_9b0c_5e2d_8a4f_0c33);

/// A cadence's next action, and whether it had been planned already.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planned {
    #[serde(flatten)]
    pub action: Action,
    pub already_planned: bool,
    /// The cadence's name, as a person would type it again.
    pub cadence: String,
    /// The day after this occurrence: planning from it plans the one after.
    pub day_after: String,
}

impl Campaign {
    pub fn add_cadence(&mut self, new: NewCadence) -> Result<Cadence> {
        if new.name.trim().is_empty() {
            return Err(StoreError::rejected("a cadence needs a name"));
        }
        match new.rule {
            RecurrenceRule::EveryDays if !(1..=366).contains(&new.interval_days) => {
                return Err(StoreError::rejected(
                    "the interval must be between 1 and 366 days",
                ))
            }
            RecurrenceRule::DayOfMonth if !(1..=31).contains(&new.day_of_month) => {
                return Err(StoreError::rejected(
                    "the day of the month must be between 1 and 31",
                ))
            }
            _ => {}
        }
        parse_time_of_day(&new.start_time)?;
        if !(1..=MAX_DURATION_MINUTES).contains(&new.duration_minutes) {
            return Err(StoreError::rejected(
                "an action from a cadence lasts from one minute to one week",
            ));
        }
        let site_id = new
            .site
            .as_deref()
            .map(|site| self.resolve_site(site).map(|site| site.id))
            .transpose()?;
        let cadence = Cadence {
            id: new_id(),
            name: new.name.trim().to_string(),
            rule: new.rule,
            interval_days: new.interval_days,
            day_of_month: new.day_of_month,
            starts_on: time::format_date(time::parse_date(&new.starts_on)?),
            start_time: new.start_time,
            duration_minutes: new.duration_minutes,
            kind: new.kind,
            tactics: new
                .tactics
                .into_iter()
                .filter(|tactic| !tactic.trim().is_empty())
                .collect(),
            site_id,
            active: true,
        };
        self.write(&DocumentId::campaign(), "set a cadence", |writer| {
            writer.put(&cadence)
        })?;
        Ok(cadence)
    }

    pub fn resolve_cadence(&self, wanted: &str) -> Result<Cadence> {
        let cadences: Vec<Cadence> = self.all()?;
        resolve(
            &cadences,
            "cadence",
            wanted,
            |item| &item.id,
            |item| &item.name,
        )
        .cloned()
    }

    /// The next `count` dates of every active cadence on or after `from`.
    pub fn calendar(&self, from: NaiveDate, count: usize) -> Result<Vec<Occurrence>> {
        let count = count.min(MAX_CALENDAR_COUNT);
        let actions = self.actions()?;
        let mut occurrences = Vec::new();
        for cadence in self
            .all::<Cadence>()?
            .into_iter()
            .filter(|cadence| cadence.active)
        {
            for date in rules::occurrences(&cadence, from, count) {
                let (starts_at, ends_at) = occurrence_times(&cadence, date)?;
                let action_id = occurrence_id(&cadence, date);
                occurrences.push(Occurrence {
                    cadence_id: cadence.id.clone(),
                    cadence: cadence.name.clone(),
                    date: time::format_date(date),
                    starts_at,
                    ends_at,
                    action_id: actions
                        .iter()
                        .any(|action| action.id == action_id)
                        .then_some(action_id),
                });
            }
        }
        occurrences.sort_by(|left, right| left.starts_at.cmp(&right.starts_at));
        Ok(occurrences)
    }

    /// Plans the cadence's next action on or after `today`, choosing the
    /// tactic used least recently. Planning the same occurrence twice, here or
    /// on another device, yields the same action.
    pub fn plan_next_action(&mut self, cadence: &str, today: NaiveDate) -> Result<Action> {
        Ok(self.plan_next(cadence, today)?.action)
    }

    /// [`Campaign::plan_next_action`], saying whether the action was
    /// planned before (here or on another device) and which cadence it
    /// follows, so that a person can be told how to plan the one after.
    pub fn plan_next(&mut self, cadence: &str, today: NaiveDate) -> Result<Planned> {
        let cadence = self.resolve_cadence(cadence)?;
        let date = rules::occurrences(&cadence, today, 1)
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::rejected("the cadence has no start date"))?;
        let id = occurrence_id(&cadence, date);
        let planned = |action: Action, already_planned: bool| Planned {
            action,
            already_planned,
            cadence: cadence.name.clone(),
            day_after: time::format_date(date.succ_opt().unwrap_or(date)),
        };
        if let Some(existing) = self.find::<Action>(&id)? {
            return Ok(planned(existing, true));
        }
        let past: Vec<String> = self
            .actions()?
            .into_iter()
            .filter(|action| {
                action.cadence_id.as_deref() == Some(cadence.id.as_str()) && !action.cancelled
            })
            .map(|action| action.tactic)
            .collect();
        let tactic = rules::next_tactic(&cadence, &past)
            .unwrap_or_else(|| cadence.kind.as_str().replace('_', " "));
        let (starts_at, ends_at) = occurrence_times(&cadence, date)?;
        let site = cadence.site_id.clone();
        let action = self.create_action_with_id(
            id,
            NewAction {
                title: format!("{}: {}", cadence.name, tactic),
                kind: cadence.kind,
                tactic,
                site,
                starts_at,
                ends_at,
                choke_points: Vec::new(),
            },
            Some(cadence.id.clone()),
        )?;
        Ok(planned(action, false))
    }

    /// Whether the same tactic has run too many times in a row.
    pub fn variety_warning(&self, now: &str) -> Result<Option<VarietyWarning>> {
        let limit = self.settings()?.tactic_repeat_limit.max(0) as usize;
        let past: Vec<String> = self
            .actions()?
            .into_iter()
            .filter(|action| !action.cancelled && action.starts_at.as_str() <= now)
            .map(|action| action.tactic)
            .collect();
        Ok(rules::variety_warning(&past, limit))
    }

    /// The planned actions from `from` on, and the cadences' coming dates, as
    /// an iCalendar file any calendar app imports.
    pub fn calendar_ics(&self, from: NaiveDate, count: usize) -> Result<String> {
        let settings = self.settings()?;
        let mut calendar = Calendar::new();
        calendar.name(&settings.campaign_name);
        let from_text = time::format_date(from);
        let actions = self.actions()?;
        // An action still under way on the first day belongs on it too (a
        // picket that began before midnight).
        for action in actions.iter().filter(|action| {
            !action.cancelled && time::day_of(&action.ends_at) >= from_text.as_str()
        }) {
            let mut event = Event::new();
            event
                .uid(&format!("{}@holdfast", action.id))
                .summary(&action.title)
                .description(&format!("{} ({})", action.tactic, action.kind))
                .starts(time::parse_instant(&action.starts_at)?)
                .ends(time::parse_instant(&action.ends_at)?);
            if let Some(site) = match &action.site_id {
                Some(id) => self.find::<Site>(id)?,
                None => None,
            } {
                let place = match site.address.as_deref().map(str::trim) {
                    Some(address) if !address.is_empty() => format!("{}, {address}", site.name),
                    _ => site.name,
                };
                event.location(&place);
            }
            // Reminders the calendar app gives on its own, offline: the day
            // before, and an hour before.
            for (hours, when) in [(24, "tomorrow"), (1, "in an hour")] {
                event.alarm(Alarm::display(
                    &format!("{} starts {when}", action.title),
                    Trigger::before_start(chrono::Duration::hours(hours)),
                ));
            }
            calendar.push(event.done());
        }
        for occurrence in self.calendar(from, count)? {
            let action_id = occurrence_id_from(&occurrence.cadence_id, &occurrence.date);
            if actions.iter().any(|action| action.id == action_id) {
                continue;
            }
            calendar.push(
                Event::new()
                    .uid(&format!("{action_id}@holdfast"))
                    .summary(&occurrence.cadence)
                    .starts(time::parse_instant(&occurrence.starts_at)?)
                    .ends(time::parse_instant(&occurrence.ends_at)?)
                    .done(),
            );
        }
        Ok(calendar.done().to_string())
    }
}

fn parse_time_of_day(text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| {
        StoreError::rejected(format!("`{text}` is not a time of day of the form HH:MM"))
    })
}

fn occurrence_times(cadence: &Cadence, date: NaiveDate) -> Result<(String, String)> {
    let start = date
        .and_time(parse_time_of_day(&cadence.start_time)?)
        .and_utc();
    let end = start + chrono::Duration::minutes(cadence.duration_minutes.max(1));
    Ok((time::format_instant(start), time::format_instant(end)))
}

fn occurrence_id(cadence: &Cadence, date: NaiveDate) -> String {
    occurrence_id_from(&cadence.id, &time::format_date(date))
}

fn occurrence_id_from(cadence_id: &str, date: &str) -> String {
    uuid::Uuid::new_v5(
        &CADENCE_NAMESPACE,
        format!("{cadence_id}/{date}").as_bytes(),
    )
    .to_string()
}
