//! A believable campaign to look at, and a large one to measure.
//!
//! [`seed`] fills an empty campaign through the same public [`Campaign`] API
//! the app uses, so the demo exercises the real validation, the real document
//! split and the real write path. [`DemoSize::demo`] is a local of about sixty
//! members four months into a contract campaign; [`DemoSize::large`] is the
//! benchmark size (5,000 members, 40 sites, two years of actions, 120,000
//! check-ins and 2,000 ledger entries).
//!
//! Everything is dated relative to the `today` passed in, so the demo always
//! looks current: past actions end before `today`, and a few are still to come.
//! The same [`DemoSize::seed`] makes the same choices (names, turnout, amounts,
//! who facilitates); record ids are random UUIDs assigned by the store, as they
//! are for any edit.

mod actions;
mod aid;
mod decisions;
mod map;
mod names;
mod skills;
mod structure;
mod text;

use chrono::{Duration, NaiveDate};
use holdfast_core::model::Role;
use holdfast_core::time;
use holdfast_store::{Campaign, StoreError};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Serialize;

pub use names::{FIRST_NAMES, SURNAMES};

/// How much campaign to make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoSize {
    /// Seed for every random choice.
    pub seed: u64,
    pub members: usize,
    pub sites: usize,
    pub committees: usize,
    /// How far back the record goes from `today`.
    pub history_days: i64,
    /// Actions that have already happened, the cadence's included.
    pub past_actions: usize,
    /// Actions still to come, the cadence's next one included.
    pub upcoming_actions: usize,
    /// Check-in records to write at past actions: check-ins and check-outs
    /// together, each one Automerge change, as a phone writes them.
    pub check_ins: usize,
    pub ledger_entries: usize,
    /// Whether to turn off waiting for the disk on each commit while seeding.
    pub bulk_load: bool,
}

impl DemoSize {
    /// The realistic demo: about 60 members across 4 sites, four months in.
    pub fn demo() -> Self {
        DemoSize {
            seed: 418,
            members: 60,
            sites: 4,
            committees: 3,
            history_days: 120,
            past_actions: 13,
            upcoming_actions: 3,
            check_ins: 520,
            ledger_entries: 40,
            bulk_load: false,
        }
    }

    /// The benchmark size: two years of a large local's campaign.
    pub fn large() -> Self {
        DemoSize {
            seed: 418,
            members: 5_000,
            sites: 40,
            committees: 5,
            history_days: 730,
            past_actions: 300,
            upcoming_actions: 4,
            check_ins: 120_000,
            ledger_entries: 2_000,
            bulk_load: true,
        }
    }
}

/// What the seeding wrote, counted as it went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub members: usize,
    pub stewards: usize,
    pub captains: usize,
    pub aid_coordinators: usize,
    pub facilitators: usize,
    pub sites: usize,
    pub departments: usize,
    pub committees: usize,
    pub meetings: usize,
    pub practices: usize,
    pub practice_events: usize,
    /// Proposals put to a vote (one decided, one open).
    pub proposals: usize,
    pub choke_points: usize,
    pub dependencies: usize,
    pub commitments: usize,
    pub cadences: usize,
    pub past_actions: usize,
    pub upcoming_actions: usize,
    pub shifts: usize,
    pub signups: usize,
    /// Check-in records of kind `in`.
    pub check_ins: usize,
    pub check_outs: usize,
    /// Check-ins and check-outs a captain recorded for someone else.
    pub recorded_by_captain: usize,
    pub circles: usize,
    pub rest_commitments: usize,
    pub skills: usize,
    pub skill_sessions: usize,
    pub attendance: usize,
    pub aid_requests: usize,
    pub aid_offers: usize,
    pub aid_matches: usize,
    pub ledger_entries: usize,
}

impl DemoSummary {
    /// Every check-in record written: check-ins plus check-outs.
    pub fn check_in_records(&self) -> usize {
        self.check_ins + self.check_outs
    }
}

/// Fills an empty campaign with a demo of the given size.
pub fn seed(
    campaign: &mut Campaign,
    size: &DemoSize,
    today: NaiveDate,
) -> Result<DemoSummary, StoreError> {
    seed_with_progress(campaign, size, today, &mut |_| {})
}

/// Links this device to the demo's first steward, so that everything that
/// needs someone acting works at once in the example. Returns that steward.
pub fn act_as_a_steward(
    campaign: &mut Campaign,
) -> Result<Option<holdfast_core::model::Member>, StoreError> {
    let steward = campaign
        .members()?
        .into_iter()
        .find(|member| member.has_role(holdfast_core::model::Role::Steward));
    if let Some(steward) = &steward {
        campaign.set_device_member(&steward.id)?;
    }
    Ok(steward)
}

/// As [`seed`], telling `progress` what it is doing before each part, for a
/// caller that wants to show how a long seeding is going.
pub fn seed_with_progress(
    campaign: &mut Campaign,
    size: &DemoSize,
    today: NaiveDate,
    progress: &mut dyn FnMut(&str),
) -> Result<DemoSummary, StoreError> {
    if size.members < 8 || size.sites == 0 || size.history_days < 30 {
        return Err(StoreError::rejected(
            "a demo needs at least 8 members, one site and 30 days of history",
        ));
    }
    if size.bulk_load {
        // Waiting for the disk on each of a hundred thousand commits would
        // turn minutes of seeding into hours. Every record is still written
        // through the real path, one change per check-in; only the fsync is
        // skipped, and `Campaign::open` restores full durability.
        campaign.relax_durability_for_bulk_load()?;
    }
    let mut seeder = Seeder {
        campaign,
        size: size.clone(),
        today,
        random: StdRng::seed_from_u64(size.seed),
        summary: DemoSummary::default(),
        sites: Vec::new(),
        members: Vec::new(),
        choke_points: Vec::new(),
        progress,
    };
    seeder.report("sites, departments and members");
    seeder.structure()?;
    seeder.report("committees and meetings");
    seeder.committees()?;
    seeder.report("worker-run practices");
    seeder.practices()?;
    seeder.report("the choke-point map");
    seeder.choke_map()?;
    seeder.report("skills and sessions");
    seeder.skills()?;
    seeder.report("proposals and votes");
    seeder.decisions()?;
    seeder.report("actions, shifts, sign-ups, check-ins and circles");
    seeder.actions()?;
    seeder.report("mutual aid");
    seeder.aid()?;
    seeder.campaign.release_memory();
    Ok(seeder.summary)
}

/// A member as the seeder remembers them.
#[derive(Debug, Clone)]
struct Person {
    id: String,
    site: usize,
    roles: Vec<Role>,
}

impl Person {
    fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[derive(Debug, Clone)]
struct SitePlace {
    id: String,
    name: String,
}

#[derive(Debug, Clone)]
struct MappedPoint {
    id: String,
    name: String,
    site: Option<usize>,
    people_needed: i64,
}

struct Seeder<'a> {
    campaign: &'a mut Campaign,
    size: DemoSize,
    today: NaiveDate,
    random: StdRng,
    summary: DemoSummary,
    sites: Vec<SitePlace>,
    members: Vec<Person>,
    choke_points: Vec<MappedPoint>,
    progress: &'a mut dyn FnMut(&str),
}

impl Seeder<'_> {
    fn report(&mut self, what: &str) {
        (self.progress)(what);
    }

    /// The date `days` before today (or after, if negative).
    fn days_ago(&self, days: i64) -> NaiveDate {
        self.today - Duration::days(days)
    }

    /// Members holding a role, by index into `members`.
    fn with_role(&self, role: Role) -> Vec<usize> {
        (0..self.members.len())
            .filter(|index| self.members[*index].has(role))
            .collect()
    }
}

/// An instant on a day, at a time of day in minutes after midnight (UTC).
fn instant(date: NaiveDate, minutes: i64) -> String {
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    time::format_instant(midnight + Duration::minutes(minutes))
}

/// Moves an instant written by [`instant`] by some minutes.
fn shifted(at: &str, minutes: i64) -> Result<String, StoreError> {
    Ok(time::format_instant(
        time::parse_instant(at)? + Duration::minutes(minutes),
    ))
}

#[cfg(test)]
mod tests;
