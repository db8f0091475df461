//! Walk-ins: a worker the roster does not know yet turns up at a picket. The
//! captain types a name (and a phone number if they give one) and checks
//! them in, offline like any check-in. They are a member record with no
//! roles, marked as a walk-in, so every device counts them and names them;
//! they are not listed among the members. Under needs attention a steward
//! then adds them as a member, or merges them into a member already listed
//! (someone who was on the roster under another spelling), and their hours
//! count as that member's.
//!
//! Who may do what is the authority policy's (`Who::WalkInBy`): a captain's
//! device may create such a record and nothing else of the members; only a
//! steward's device changes it afterwards.

use std::collections::HashMap;

use holdfast_core::model::*;
use holdfast_core::{time, DocumentId};
use rusqlite::OptionalExtension;
use serde::Serialize;

use super::check_ins::CheckRequest;
use crate::{Campaign, Result, StoreError};

/// The longest name a walk-in may be given, in characters.
const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, Clone, Default)]
pub struct NewWalkIn {
    /// Action id or title.
    pub action: String,
    pub name: String,
    pub phone: Option<String>,
    pub shift: Option<String>,
    /// The captain checking them in (this device's member if left out).
    pub captain: Option<String>,
    /// When they arrived; defaults to now.
    pub at: Option<String>,
}

/// A walk-in and the check-in that brought them.
#[derive(Debug, Clone, Serialize)]
pub struct WalkedIn {
    pub person: Member,
    pub check_in: CheckIn,
}

/// A walk-in waiting for a steward, with where they came.
#[derive(Debug, Clone, Serialize)]
pub struct WalkInRow {
    pub person: Member,
    pub action_title: String,
    /// Who checked them in, by name (none once that captain is erased).
    pub recorded_by: Option<String>,
    pub at: Option<String>,
}

impl Campaign {
    /// Checks in someone the roster does not know, as a captain.
    pub fn walk_in(&mut self, new: NewWalkIn) -> Result<WalkedIn> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(StoreError::rejected("a walk-in needs a name"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(StoreError::rejected(format!(
                "a name is at most {MAX_NAME_CHARS} characters"
            )));
        }
        let action = self.resolve_action(&new.action)?;
        let captain = self
            .member_acting_or_named(new.captain.as_deref(), "which captain is checking them in")?;
        if !captain.has_role(Role::PicketCaptain) && !captain.has_role(Role::Steward) {
            return Err(StoreError::NotAllowed(format!(
                "{} is not a picket captain; a captain checks walk-ins in",
                captain.name
            )));
        }
        // The same checks as any check-in, before anything is written.
        self.check_time(&action, new.at.as_deref(), CheckKind::In)?;
        if let Some(shift_id) = &new.shift {
            if self.find_shift(shift_id)?.action_id != action.id {
                return Err(StoreError::rejected("that shift belongs to another action"));
            }
        }
        let mut person = Member::new(name, time::day_of(&time::now()));
        person.roles = Vec::new();
        person.phone = new
            .phone
            .map(|phone| phone.trim().to_string())
            .filter(|phone| !phone.is_empty());
        person.walk_in_action_id = Some(action.id.clone());
        self.write(&DocumentId::campaign(), "a walk-in", |writer| {
            writer.put(&person)
        })?;
        let check_in = self.check_in(CheckRequest {
            action: action.id.clone(),
            member: Some(person.id.clone()),
            shift: new.shift,
            recorded_by: Some(captain.id.clone()),
            at: new.at,
        })?;
        Ok(WalkedIn { person, check_in })
    }

    /// Walk-ins no steward has added or merged yet, earliest first.
    pub fn walk_ins(&self) -> Result<Vec<WalkInRow>> {
        let mut rows = Vec::new();
        for person in self.waiting_walk_ins()? {
            let action_id = person.walk_in_action_id.clone().unwrap_or_default();
            let action_title = self.find::<Action>(&action_id)?.map_or_else(
                || "(an action not on this device)".to_string(),
                |action| action.title,
            );
            // Their first arrival, by the index on member and time: this
            // runs for the first screen, and an action may hold thousands
            // of check-ins.
            let first: Option<(String, String)> = self
                .connection
                .prepare_cached(
                    "SELECT at, recorded_by FROM checkins
                     WHERE member_id = ?1 AND kind = 'in' AND voided = 0 ORDER BY at LIMIT 1",
                )?
                .query_row([&person.id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let recorded_by = match &first {
                Some((_, captain)) => self.find::<Member>(captain)?.map(|captain| captain.name),
                None => None,
            };
            rows.push(WalkInRow {
                person,
                action_title,
                recorded_by,
                at: first.map(|(at, _)| at),
            });
        }
        rows.sort_by(|left, right| left.at.cmp(&right.at));
        Ok(rows)
    }

    /// A steward adds a walk-in to the members, as an ordinary member.
    pub fn add_walk_in_as_member(&mut self, walk_in: &str, by: &str) -> Result<Member> {
        self.require_walk_in_steward(by)?;
        let mut person = self.waiting_walk_in(walk_in)?;
        person.walk_in_action_id = None;
        person.roles = vec![Role::Member];
        person.joined_on = time::day_of(&time::now()).to_string();
        self.write(
            &DocumentId::campaign(),
            "add a walk-in as a member",
            |writer| writer.put(&person),
        )?;
        Ok(person)
    }

    /// A steward says a walk-in is a member already listed: their check-ins
    /// count as that member's from now on, on every device.
    pub fn merge_walk_in(&mut self, walk_in: &str, into: &str, by: &str) -> Result<Member> {
        self.require_walk_in_steward(by)?;
        let mut person = self.waiting_walk_in(walk_in)?;
        let member = self.resolve_member(into)?;
        if member.is_walk_in() {
            return Err(StoreError::rejected(format!(
                "{} is a walk-in too; merge into a listed member",
                member.name
            )));
        }
        person.merged_into = Some(member.id.clone());
        self.write(
            &DocumentId::campaign(),
            "merge a walk-in into a member",
            |writer| writer.put(&person),
        )?;
        Ok(member)
    }

    /// The walk-ins waiting for a steward, read without going through
    /// every member (the first screen asks on every visit).
    fn waiting_walk_ins(&self) -> Result<Vec<Member>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT data FROM records WHERE collection = 'members'
             AND json_extract(data, '$.walk_in_action_id') IS NOT NULL
             AND json_extract(data, '$.merged_into') IS NULL ORDER BY id",
        )?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut people = Vec::new();
        for row in rows {
            let person: Member = serde_json::from_str(&row?)?;
            people.push(person);
        }
        Ok(people)
    }

    /// Settling a walk-in is a steward's call, on a steward's device.
    fn require_walk_in_steward(&mut self, by: &str) -> Result<Member> {
        let member = self.acting_member(by)?;
        if !member.has_role(Role::Steward) {
            return Err(StoreError::rejected(format!(
                "{} is not a steward; a steward adds a walk-in to the members or merges them",
                member.name
            )));
        }
        self.require_steward(by)
    }

    fn waiting_walk_in(&self, wanted: &str) -> Result<Member> {
        let waiting = self.waiting_walk_ins()?;
        super::resolve(
            &waiting,
            "walk-in",
            wanted,
            |person| &person.id,
            |person| &person.name,
        )
        .cloned()
    }

    /// Walk-ins merged into a member: walk-in id to member id.
    pub(crate) fn merged_walk_ins(&self) -> Result<HashMap<String, String>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, json_extract(data, '$.merged_into') FROM records
             WHERE collection = 'members' AND json_extract(data, '$.merged_into') IS NOT NULL",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}
