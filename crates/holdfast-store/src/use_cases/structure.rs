//! Sites, departments, committees with their meetings and facilitation rota,
//! and the parallel practices workers run themselves.

use holdfast_core::model::*;
use holdfast_core::{time, DocumentId};

use super::resolve;
use crate::{Campaign, Result, StoreError};

impl Campaign {
    pub fn add_site(&mut self, name: &str, address: Option<String>) -> Result<Site> {
        if name.trim().is_empty() {
            return Err(StoreError::rejected("a site needs a name"));
        }
        let mut site = Site::new(name.trim());
        site.address = address;
        self.write(&DocumentId::campaign(), "add a site", |writer| {
            writer.put(&site)
        })?;
        Ok(site)
    }

    pub fn resolve_site(&self, wanted: &str) -> Result<Site> {
        let sites: Vec<Site> = self.all()?;
        resolve(&sites, "site", wanted, |site| &site.id, |site| &site.name).cloned()
    }

    pub fn add_department(&mut self, site: &str, name: &str) -> Result<Department> {
        let site = self.resolve_site(site)?;
        if name.trim().is_empty() {
            return Err(StoreError::rejected("a department needs a name"));
        }
        let department = Department {
            id: new_id(),
            site_id: site.id,
            name: name.trim().to_string(),
        };
        self.write(&DocumentId::campaign(), "add a department", |writer| {
            writer.put(&department)
        })?;
        Ok(department)
    }

    pub fn add_committee(
        &mut self,
        name: &str,
        purpose: &str,
        members: &[String],
        formed_on: Option<&str>,
    ) -> Result<Committee> {
        if name.trim().is_empty() {
            return Err(StoreError::rejected("a committee needs a name"));
        }
        let member_ids = members
            .iter()
            .map(|member| self.resolve_member(member).map(|member| member.id))
            .collect::<Result<Vec<_>>>()?;
        let formed_on = match formed_on {
            Some(date) => time::format_date(time::parse_date(date)?),
            None => time::day_of(&time::now()).to_string(),
        };
        let committee = Committee {
            id: new_id(),
            name: name.trim().to_string(),
            purpose: purpose.to_string(),
            formed_on,
            rota: member_ids.clone(),
            member_ids,
        };
        self.write(&DocumentId::campaign(), "form a committee", |writer| {
            writer.put(&committee)
        })?;
        Ok(committee)
    }

    pub fn resolve_committee(&self, wanted: &str) -> Result<Committee> {
        let committees: Vec<Committee> = self.all()?;
        resolve(
            &committees,
            "committee",
            wanted,
            |item| &item.id,
            |item| &item.name,
        )
        .cloned()
    }

    pub fn join_committee(&mut self, committee: &str, member: &str) -> Result<Committee> {
        let mut committee = self.resolve_committee(committee)?;
        let member = self.resolve_member(member)?;
        if !committee.member_ids.contains(&member.id) {
            committee.member_ids.push(member.id.clone());
            committee.rota.push(member.id);
        }
        self.write(&DocumentId::campaign(), "join a committee", |writer| {
            writer.put(&committee)
        })?;
        Ok(committee)
    }

    /// Whose turn it is to facilitate: the first in the rota who has not
    /// facilitated since everyone ahead of them last did.
    pub fn next_facilitator(&self, committee: &Committee) -> Result<Option<String>> {
        let mut meetings: Vec<Meeting> = self
            .all::<Meeting>()?
            .into_iter()
            .filter(|meeting| meeting.committee_id == committee.id)
            .collect();
        meetings.sort_by(|left, right| left.held_on.cmp(&right.held_on));
        let last_turn = |member_id: &String| {
            meetings
                .iter()
                .rposition(|meeting| meeting.facilitator_id.as_ref() == Some(member_id))
                .map_or(-1, |index| index as i64)
        };
        Ok(committee
            .rota
            .iter()
            .min_by_key(|member_id| last_turn(member_id))
            .cloned())
    }

    /// Records a meeting; the facilitator defaults to whoever the rota says is next.
    pub fn record_meeting(
        &mut self,
        committee: &str,
        held_on: &str,
        facilitator: Option<&str>,
        attendees: &[String],
        notes: &str,
    ) -> Result<Meeting> {
        let committee = self.resolve_committee(committee)?;
        let facilitator_id = match facilitator {
            Some(member) => Some(self.resolve_member(member)?.id),
            None => self.next_facilitator(&committee)?,
        };
        let attendee_ids = attendees
            .iter()
            .map(|member| self.resolve_member(member).map(|member| member.id))
            .collect::<Result<Vec<_>>>()?;
        let meeting = Meeting {
            id: new_id(),
            committee_id: committee.id,
            held_on: time::format_date(time::parse_date(held_on)?),
            facilitator_id,
            attendee_ids,
            notes: notes.to_string(),
        };
        self.write(
            &DocumentId::campaign(),
            "record a committee meeting",
            |writer| writer.put(&meeting),
        )?;
        Ok(meeting)
    }

    pub fn start_practice(
        &mut self,
        name: &str,
        kind: PracticeKind,
        started_on: &str,
        site: Option<&str>,
    ) -> Result<Practice> {
        if name.trim().is_empty() {
            return Err(StoreError::rejected("a practice needs a name"));
        }
        let site_id = site
            .map(|site| self.resolve_site(site).map(|site| site.id))
            .transpose()?;
        let practice = Practice {
            id: new_id(),
            name: name.trim().to_string(),
            kind,
            started_on: time::format_date(time::parse_date(started_on)?),
            site_id,
        };
        self.write(&DocumentId::campaign(), "start a practice", |writer| {
            writer.put(&practice)
        })?;
        Ok(practice)
    }

    pub fn record_practice_event(
        &mut self,
        practice: &str,
        held_on: &str,
        participant_count: i64,
    ) -> Result<PracticeEvent> {
        let practices: Vec<Practice> = self.all()?;
        let practice = resolve(
            &practices,
            "practice",
            practice,
            |item| &item.id,
            |item| &item.name,
        )?;
        if participant_count < 0 {
            return Err(StoreError::rejected("participants cannot be negative"));
        }
        let event = PracticeEvent {
            id: new_id(),
            practice_id: practice.id.clone(),
            held_on: time::format_date(time::parse_date(held_on)?),
            participant_count,
        };
        self.write(
            &DocumentId::campaign(),
            "record a practice held",
            |writer| writer.put(&event),
        )?;
        Ok(event)
    }
}
