//! The campaign's rhythm: a cadence every 29 days, micro actions and pickets
//! between its dates, shifts with captains and sign-ups, check-ins and
//! check-outs, and a decompression circle after most actions.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use holdfast_core::model::{Action, ActionKind, RecurrenceRule, Role, Signup, CIRCLE_ROUNDS};
use holdfast_core::rules::cadence::occurrences;
use holdfast_core::{time, DocumentId};
use holdfast_store::use_cases::actions::{NewAction, NewShift};
use holdfast_store::use_cases::cadence::NewCadence;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::StoreError;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;

use crate::text::REST_COMMITMENTS;
use crate::{instant, shifted, Seeder};

/// The cadence's interval, as in the local's rule of a small action every 29 days.
const CADENCE_DAYS: i64 = 29;
/// How many days after `today` the cadence's next action falls.
const NEXT_CADENCE_IN_DAYS: i64 = 9;

/// The order other actions come in between the cadence's: escalating
/// through the forms, never the same tactic three times running.
const PATTERN: &[ActionKind] = &[
    ActionKind::InformationalPicket,
    ActionKind::LunchRally,
    ActionKind::BadgeFlip,
    ActionKind::InformationalPicket,
    ActionKind::MassPicket,
    ActionKind::LunchRally,
    ActionKind::InformationalPicket,
    ActionKind::BadgeFlip,
    ActionKind::MassPicket,
];

const UPCOMING: &[ActionKind] = &[
    ActionKind::MassPicket,
    ActionKind::InformationalPicket,
    ActionKind::LunchRally,
];

/// An action before it is written.
struct Plan {
    date: NaiveDate,
    kind: ActionKind,
    site: usize,
    from_cadence: bool,
    /// How many members turn out.
    attendees: usize,
}

/// One shift's times in minutes after midnight, and where.
struct ShiftPlan {
    location: &'static str,
    starts: i64,
    ends: i64,
}

fn shift_plans(kind: ActionKind) -> Vec<ShiftPlan> {
    match kind {
        ActionKind::MassPicket | ActionKind::StrikeDay => vec![
            ShiftPlan {
                location: "Main gate",
                starts: 5 * 60,
                ends: 9 * 60,
            },
            ShiftPlan {
                location: "Loading bay",
                starts: 9 * 60,
                ends: 13 * 60,
            },
            ShiftPlan {
                location: "Staff car park entrance",
                starts: 13 * 60,
                ends: 17 * 60,
            },
        ],
        _ => vec![
            ShiftPlan {
                location: "Main entrance",
                starts: 7 * 60,
                ends: 10 * 60,
            },
            ShiftPlan {
                location: "Main entrance",
                starts: 10 * 60,
                ends: 13 * 60,
            },
        ],
    }
}

/// Start and end of an action, in minutes after midnight.
fn action_hours(kind: ActionKind) -> (i64, i64) {
    match kind {
        ActionKind::MassPicket | ActionKind::StrikeDay => (5 * 60, 17 * 60),
        ActionKind::InformationalPicket => (7 * 60, 13 * 60),
        ActionKind::LunchRally => (12 * 60, 12 * 60 + 45),
        ActionKind::BadgeFlip => (8 * 60, 17 * 60),
        _ => (12 * 60 + 30, 12 * 60 + 45),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut letters = text.chars();
    match letters.next() {
        Some(first) => first.to_lowercase().chain(letters).collect(),
        None => String::new(),
    }
}

/// How strongly an action draws members, before the campaign's growth.
fn draw(kind: ActionKind) -> f64 {
    match kind {
        ActionKind::MassPicket | ActionKind::StrikeDay => 2.0,
        ActionKind::InformationalPicket => 1.2,
        ActionKind::LogOff => 1.3,
        ActionKind::BadgeFlip => 1.0,
        _ => 0.9,
    }
}

/// Check-in records per member who turns out: pickets check out again.
fn records_per_attendee(kind: ActionKind) -> usize {
    if kind.is_picket() {
        2
    } else {
        1
    }
}

impl Seeder<'_> {
    pub(crate) fn actions(&mut self) -> Result<(), StoreError> {
        let history = self.size.history_days;
        // The cadence starts far enough back that its dates fall inside the
        // history and its next one lands a few days after today.
        let periods = (history + NEXT_CADENCE_IN_DAYS) / CADENCE_DAYS;
        let starts_on = self.days_ago(periods * CADENCE_DAYS - NEXT_CADENCE_IN_DAYS);
        let cadence = self.campaign.add_cadence(NewCadence {
            name: "Monthly micro action".into(),
            rule: RecurrenceRule::EveryDays,
            interval_days: CADENCE_DAYS,
            day_of_month: 1,
            starts_on: starts_on.to_string(),
            start_time: "12:30".into(),
            duration_minutes: 15,
            kind: ActionKind::LogOff,
            tactics: vec![
                "five-minute log-off".into(),
                "log-off with a shared message".into(),
                "silent stand at desks".into(),
            ],
            site: None,
        })?;
        self.summary.cadences += 1;

        let cadence_dates: Vec<NaiveDate> = occurrences(&cadence, starts_on, periods as usize + 1)
            .into_iter()
            .filter(|date| *date < self.today)
            .take(self.size.past_actions)
            .collect();
        let mut plans: Vec<Plan> = cadence_dates
            .iter()
            .map(|date| Plan {
                date: *date,
                kind: ActionKind::LogOff,
                site: 0,
                from_cadence: true,
                attendees: 0,
            })
            .collect();
        let others = self.size.past_actions.saturating_sub(plans.len());
        let first_site = self.random.random_range(0..self.sites.len());
        let first = history - 3;
        let last = 2;
        for index in 0..others {
            let mut days_ago = first - (first - last) * index as i64 / (others - 1).max(1) as i64;
            while cadence_dates.contains(&self.days_ago(days_ago)) && days_ago > 1 {
                days_ago -= 1;
            }
            // Actions go round the sites so every workplace sees the campaign.
            let site = (first_site + index) % self.sites.len();
            plans.push(Plan {
                date: self.days_ago(days_ago),
                kind: PATTERN[index % PATTERN.len()],
                site,
                from_cadence: false,
                attendees: 0,
            });
        }
        plans.sort_by_key(|plan| (plan.date, plan.from_cadence));
        self.plan_turnout(&mut plans);

        let mut titles = HashSet::new();
        let total = plans.len();
        for (index, plan) in plans.iter().enumerate() {
            let action = if plan.from_cadence {
                self.campaign.plan_next_action(&cadence.id, plan.date)?
            } else {
                self.create_action(plan, &mut titles)?
            };
            self.summary.past_actions += 1;
            self.hold(&action, plan)?;
            if self.size.bulk_load {
                // Each action's document is done with once its circle is
                // held; keeping hundreds of them in memory would only grow
                // the seeding's footprint.
                self.campaign.release_memory();
            }
            if total >= 50 && index % (total / 10) == 0 {
                let note = format!(
                    "actions: {index} of {total}, {} check-in records so far",
                    self.summary.check_in_records()
                );
                self.report(&note);
            }
        }

        if self.size.upcoming_actions > 0 {
            self.campaign.plan_next_action(&cadence.id, self.today)?;
            self.summary.upcoming_actions += 1;
        }
        for index in 0..self.size.upcoming_actions.saturating_sub(1) {
            // The first is on today, all day long, so that whoever opens the
            // demo at any hour finds an action open for check-in.
            let plan = Plan {
                date: match index {
                    0 => self.today,
                    _ => self.today + Duration::days(6 + 11 * (index - 1) as i64),
                },
                kind: UPCOMING[index % UPCOMING.len()],
                site: [2, 3, 1, 0][index % 4] % self.sites.len(),
                from_cadence: false,
                attendees: 0,
            };
            let action = if index == 0 {
                self.create_all_day_action(&plan, &mut titles)?
            } else {
                self.create_action(&plan, &mut titles)?
            };
            self.summary.upcoming_actions += 1;
            if plan.kind.is_picket() {
                self.upcoming_signups(&action, plan.kind)?;
            }
        }
        Ok(())
    }

    /// Shares the check-in records the size asks for among the past actions,
    /// by how strongly each draws people and how far the campaign has grown.
    fn plan_turnout(&mut self, plans: &mut [Plan]) {
        // Even the biggest picket leaves some members at home, on shift or
        // unwell: turnout tops out at five in six.
        let members = self.members.len() * 5 / 6;
        let count = plans.len().max(1) as f64;
        let weights: Vec<f64> = plans
            .iter()
            .enumerate()
            .map(|(index, plan)| draw(plan.kind) * (0.75 + 0.5 * index as f64 / count))
            .collect();
        let units: f64 = plans
            .iter()
            .zip(&weights)
            .map(|(plan, weight)| weight * records_per_attendee(plan.kind) as f64)
            .sum();
        let scale = self.size.check_ins as f64 / units.max(f64::MIN_POSITIVE);
        let mut written = 0;
        for (plan, weight) in plans.iter_mut().zip(&weights) {
            let minimum = if plan.kind.is_picket() { 4 } else { 2 };
            plan.attendees = ((weight * scale) as usize).clamp(minimum, members);
            written += plan.attendees * records_per_attendee(plan.kind);
        }
        // Rounding leaves a few records over; hand them out one attendee at
        // a time, latest actions first.
        let mut left = self.size.check_ins.saturating_sub(written);
        let mut progress = true;
        while left > 0 && progress {
            progress = false;
            for plan in plans.iter_mut().rev() {
                let records = records_per_attendee(plan.kind);
                if plan.attendees < members && records <= left {
                    plan.attendees += 1;
                    left -= records;
                    progress = true;
                }
                if left == 0 {
                    break;
                }
            }
        }
    }

    fn create_action(
        &mut self,
        plan: &Plan,
        titles: &mut HashSet<String>,
    ) -> Result<Action, StoreError> {
        let hours = action_hours(plan.kind);
        self.create_action_at(plan, hours, "", titles)
    }

    /// An action from midnight to midnight on the plan's day (UTC).
    fn create_all_day_action(
        &mut self,
        plan: &Plan,
        titles: &mut HashSet<String>,
    ) -> Result<Action, StoreError> {
        self.create_action_at(plan, (0, 24 * 60 - 1), "All-day ", titles)
    }

    fn create_action_at(
        &mut self,
        plan: &Plan,
        (starts, ends): (i64, i64),
        prefix: &str,
        titles: &mut HashSet<String>,
    ) -> Result<Action, StoreError> {
        let site = &self.sites[plan.site];
        let mut title = match plan.kind {
            ActionKind::MassPicket => format!("Mass picket at {}", site.name),
            ActionKind::InformationalPicket => format!("Informational picket at {}", site.name),
            ActionKind::LunchRally => format!("Lunch rally at {}", site.name),
            ActionKind::BadgeFlip => format!("Badge flip at {}", site.name),
            kind => format!("{} at {}", kind.as_str().replace('_', " "), site.name),
        };
        if !prefix.is_empty() {
            title = format!("{prefix}{}", lowercase_first(&title));
        }
        if !titles.insert(title.clone()) {
            title = format!("{title}, {}", plan.date.format("%-d %B %Y"));
            titles.insert(title.clone());
        }
        let choke_points = if plan.kind.is_picket() {
            self.choke_points
                .iter()
                .filter(|point| point.site == Some(plan.site))
                .map(|point| point.id.clone())
                .collect()
        } else {
            Vec::new()
        };
        self.campaign.create_action(NewAction {
            title,
            kind: plan.kind,
            tactic: plan.kind.as_str().replace('_', " "),
            site: Some(site.id.clone()),
            starts_at: instant(plan.date, starts),
            ends_at: instant(plan.date, ends),
            choke_points,
        })
    }

    /// Who turns out: mostly people from the action's own site, and others
    /// who travel for it.
    fn choose_attendees(&mut self, site: usize, count: usize) -> Vec<usize> {
        let mut local: Vec<usize> = Vec::new();
        let mut away: Vec<usize> = Vec::new();
        for (index, person) in self.members.iter().enumerate() {
            if person.site == site {
                local.push(index);
            } else {
                away.push(index);
            }
        }
        local.shuffle(&mut self.random);
        away.shuffle(&mut self.random);
        let from_site = local.len().min(count * 3 / 5 + 1).min(count);
        let mut chosen: Vec<usize> = local.drain(..from_site).collect();
        let from_away = away.len().min(count - chosen.len());
        chosen.extend(away.drain(..from_away));
        let rest = count - chosen.len();
        chosen.extend(local.drain(..rest.min(local.len())));
        chosen.shuffle(&mut self.random);
        chosen
    }

    /// Runs a past action: shifts and sign-ups, check-ins and check-outs,
    /// then the circle.
    fn hold(&mut self, action: &Action, plan: &Plan) -> Result<(), StoreError> {
        let mut attendees = self.choose_attendees(plan.site, plan.attendees);
        if plan.kind.is_picket() {
            self.bring_captains(&mut attendees, shift_plans(plan.kind).len());
            self.hold_picket(action, plan, &attendees)?;
        } else {
            for member in &attendees {
                let at = shifted(&action.starts_at, self.random.random_range(0..10))?;
                self.campaign.check_in(CheckRequest {
                    action: action.id.clone(),
                    member: Some(self.members[*member].id.clone()),
                    at: Some(at),
                    ..CheckRequest::default()
                })?;
                self.summary.check_ins += 1;
            }
        }
        if !attendees.is_empty() && self.random.random_bool(0.85) {
            self.circle(action, &attendees)?;
        }
        Ok(())
    }

    /// Makes sure a captain for every shift is among those turning out, by
    /// swapping captains in for other members, so the count stays as planned.
    fn bring_captains(&self, attendees: &mut [usize], shifts: usize) {
        let is_captain = |member: &usize| self.members[*member].has(Role::PicketCaptain);
        let present: HashSet<usize> = attendees.iter().copied().collect();
        let mut here = attendees.iter().filter(|member| is_captain(member)).count();
        let mut spare = self
            .with_role(Role::PicketCaptain)
            .into_iter()
            .filter(|captain| !present.contains(captain));
        while here < shifts {
            let Some(captain) = spare.next() else { break };
            let Some(position) = attendees.iter().rposition(|member| !is_captain(member)) else {
                break;
            };
            attendees[position] = captain;
            here += 1;
        }
    }

    fn hold_picket(
        &mut self,
        action: &Action,
        plan: &Plan,
        attendees: &[usize],
    ) -> Result<(), StoreError> {
        let shifts = shift_plans(plan.kind);
        // Each shift is led by a captain who turned out; the first captains
        // in the list take the shifts, everyone else joins the smallest crew.
        let mut crews: Vec<Vec<usize>> = vec![Vec::new(); shifts.len()];
        let mut leaders: Vec<Option<usize>> = vec![None; shifts.len()];
        for member in attendees {
            if self.members[*member].has(Role::PicketCaptain) {
                if let Some(free) = leaders.iter().position(Option::is_none) {
                    leaders[free] = Some(*member);
                    continue;
                }
            }
            let smallest = (0..shifts.len())
                .min_by_key(|shift| crews[*shift].len())
                .expect("a picket has shifts");
            crews[smallest].push(*member);
        }

        let mut signups: Vec<(String, String)> = Vec::new();
        for (index, shift_plan) in shifts.iter().enumerate() {
            let leader = leaders[index].map(|leader| self.members[leader].id.clone());
            let crew = &crews[index];
            let capacity = (crew.len() as f64 * 1.15).ceil() as i64 + 2;
            let shift = self.campaign.add_shift(
                &action.id,
                NewShift {
                    location: shift_plan.location.into(),
                    starts_at: instant(plan.date, shift_plan.starts),
                    ends_at: instant(plan.date, shift_plan.ends),
                    capacity,
                    captain: leader.clone(),
                },
            )?;
            self.summary.shifts += 1;

            // Most of the crew signed up ahead; a few who signed up did not come.
            let mut signing: Vec<String> = crew
                .iter()
                .filter(|_| self.random.random_bool(0.7))
                .map(|member| self.members[*member].id.clone())
                .collect();
            let no_shows = crew.len() / 10;
            let mut seen: HashSet<String> = signing.iter().cloned().collect();
            for _ in 0..no_shows {
                let member = self.random.random_range(0..self.members.len());
                let id = &self.members[member].id;
                if !attendees.contains(&member) && seen.insert(id.clone()) {
                    signing.push(id.clone());
                }
            }
            for member in signing.iter().take(capacity as usize) {
                let signup = self.campaign.sign_up(&shift.id, member)?;
                signups.push((signup.id, String::new()));
                self.summary.signups += 1;
            }

            let starts = instant(plan.date, shift_plan.starts);
            let ends = instant(plan.date, shift_plan.ends);
            if let Some(leader) = &leader {
                self.check(
                    action,
                    &shift.id,
                    leader,
                    None,
                    shifted(&starts, -10)?,
                    true,
                )?;
            }
            // A captain checks some of the crew in from their own phone, as
            // when a member's battery is flat or they have no phone.
            for member in crew {
                let id = self.members[*member].id.clone();
                let by_captain = leader.as_deref().filter(|_| self.random.random_bool(0.3));
                let at = shifted(&starts, self.random.random_range(-10..30))?;
                self.check(action, &shift.id, &id, by_captain, at, true)?;
            }
            for member in crew {
                let id = self.members[*member].id.clone();
                let by_captain = leader.as_deref().filter(|_| self.random.random_bool(0.2));
                let at = shifted(&ends, self.random.random_range(-25..20))?;
                self.check(action, &shift.id, &id, by_captain, at, false)?;
            }
            if let Some(leader) = &leader {
                self.check(action, &shift.id, leader, None, shifted(&ends, 15)?, false)?;
            }
        }

        // Sign-ups are stamped when they are made; give them the days before
        // the action, as if members had signed up over the week before.
        let starts = action.starts_at.clone();
        for (_, signed_up_at) in signups.iter_mut() {
            let hours = self.random.random_range(20..240);
            *signed_up_at = shifted(&starts, -60 * hours)?;
        }
        self.date_signups(&action.id, &signups)
    }

    fn check(
        &mut self,
        action: &Action,
        shift_id: &str,
        member_id: &str,
        recorded_by: Option<&str>,
        at: String,
        arriving: bool,
    ) -> Result<(), StoreError> {
        let request = CheckRequest {
            action: action.id.clone(),
            member: Some(member_id.to_string()),
            shift: Some(shift_id.to_string()),
            recorded_by: recorded_by.map(str::to_string),
            at: Some(at),
        };
        if arriving {
            self.campaign.check_in(request)?;
            self.summary.check_ins += 1;
        } else {
            self.campaign.check_out(request)?;
            self.summary.check_outs += 1;
        }
        if recorded_by.is_some() {
            self.summary.recorded_by_captain += 1;
        }
        Ok(())
    }

    fn date_signups(
        &mut self,
        action_id: &str,
        signups: &[(String, String)],
    ) -> Result<(), StoreError> {
        if signups.is_empty() {
            return Ok(());
        }
        self.campaign.write(
            &DocumentId::action(action_id),
            "date the demo's sign-ups",
            |writer| {
                for (id, signed_up_at) in signups {
                    if let Some(mut signup) = writer.get::<Signup>(id)? {
                        signup.signed_up_at = signed_up_at.clone();
                        writer.put(&signup)?;
                    }
                }
                Ok(())
            },
        )
    }

    fn circle(&mut self, action: &Action, attendees: &[usize]) -> Result<(), StoreError> {
        let facilitators: Vec<usize> = attendees
            .iter()
            .copied()
            .filter(|member| self.members[*member].has(Role::Facilitator))
            .collect();
        let facilitator = match facilitators.choose(&mut self.random) {
            Some(member) => *member,
            None => *self
                .with_role(Role::Facilitator)
                .choose(&mut self.random)
                .expect("the demo has facilitators"),
        };
        let participants =
            (attendees.len() as i64 / 3).clamp(1, 18) + self.random.random_range(0..3);
        let rounds = CIRCLE_ROUNDS
            .iter()
            .map(|(round, _)| round.to_string())
            .collect();
        let held_at = shifted(&action.ends_at, 30)?;
        let circle = self.campaign.record_circle(
            &action.id,
            &self.members[facilitator].id,
            participants.min(attendees.len() as i64 + 1),
            rounds,
            Some(&held_at),
        )?;
        self.summary.circles += 1;
        let sharing = self.random.random_range(1..=3).min(attendees.len());
        for member in attendees.choose_multiple(&mut self.random, sharing) {
            let commitment = REST_COMMITMENTS
                .choose(&mut self.random)
                .expect("there are commitments");
            self.campaign.share_rest_commitment(
                &circle.id,
                &self.members[*member].id,
                commitment,
            )?;
            self.summary.rest_commitments += 1;
        }
        Ok(())
    }

    /// Shifts and early sign-ups for a picket still to come.
    fn upcoming_signups(&mut self, action: &Action, kind: ActionKind) -> Result<(), StoreError> {
        let date = time::parse_instant(&action.starts_at)?.date_naive();
        let captains = self.with_role(Role::PicketCaptain);
        let per_shift = (self.members.len() / 6).clamp(4, 120);
        let mut signups = Vec::new();
        for (index, shift_plan) in shift_plans(kind).iter().enumerate() {
            let captain = captains[index % captains.len()];
            let capacity = per_shift as i64;
            let shift = self.campaign.add_shift(
                &action.id,
                NewShift {
                    location: shift_plan.location.into(),
                    starts_at: instant(date, shift_plan.starts),
                    ends_at: instant(date, shift_plan.ends),
                    capacity,
                    captain: Some(self.members[captain].id.clone()),
                },
            )?;
            self.summary.shifts += 1;
            let wanted = per_shift * self.random.random_range(40..90) / 100;
            let chosen: Vec<usize> = (0..self.members.len())
                .collect::<Vec<_>>()
                .choose_multiple(&mut self.random, wanted)
                .copied()
                .collect();
            for member in chosen {
                let signup = self.campaign.sign_up(&shift.id, &self.members[member].id)?;
                let days = self.random.random_range(1..6);
                let minutes = self.random.random_range(8 * 60..22 * 60);
                signups.push((
                    signup.id,
                    instant(self.today - Duration::days(days), minutes),
                ));
                self.summary.signups += 1;
            }
        }
        self.date_signups(&action.id, &signups)
    }
}
