//! The skill commons: skills with offline materials, monthly sessions, a
//! fair facilitator rotation, and attendance.

use std::collections::BTreeSet;

use holdfast_core::model::*;
use holdfast_core::{time, DocumentId};

use super::resolve;
use crate::{Campaign, Result, StoreError};

impl Campaign {
    pub fn add_skill(&mut self, name: &str, summary: &str, materials: &str) -> Result<Skill> {
        if name.trim().is_empty() {
            return Err(StoreError::rejected("a skill needs a name"));
        }
        let skill = Skill {
            id: new_id(),
            name: name.trim().to_string(),
            summary: summary.to_string(),
            materials: materials.to_string(),
        };
        self.write(&DocumentId::campaign(), "add a skill", |writer| {
            writer.put(&skill)
        })?;
        Ok(skill)
    }

    pub fn resolve_skill(&self, wanted: &str) -> Result<Skill> {
        let skills: Vec<Skill> = self.all()?;
        resolve(&skills, "skill", wanted, |item| &item.id, |item| &item.name).cloned()
    }

    /// Records that a member can teach a skill.
    pub fn add_teacher(&mut self, skill: &str, member: &str) -> Result<Member> {
        let skill = self.resolve_skill(skill)?;
        let mut member = self.resolve_member(member)?;
        if !member.teaches.contains(&skill.id) {
            member.teaches.push(skill.id);
        }
        self.write(&DocumentId::campaign(), "add a teacher", |writer| {
            writer.put(&member)
        })?;
        Ok(member)
    }

    /// Who should facilitate the skill next: of the members who can teach it,
    /// the one who has gone longest without facilitating any session.
    pub fn rotation_pick(&self, skill: &Skill) -> Result<Option<Member>> {
        let sessions: Vec<SkillSession> = self.all()?;
        let last_taught = |member: &Member| {
            sessions
                .iter()
                .filter(|session| session.facilitator_id.as_deref() == Some(member.id.as_str()))
                .map(|session| session.held_on.clone())
                .max()
                .unwrap_or_default()
        };
        Ok(self
            .members()?
            .into_iter()
            .filter(|member| member.teaches.contains(&skill.id))
            .min_by(|left, right| {
                last_taught(left)
                    .cmp(&last_taught(right))
                    .then_with(|| left.name.cmp(&right.name))
            }))
    }

    pub fn schedule_session(
        &mut self,
        skill: &str,
        held_on: &str,
        facilitator: Option<&str>,
        site: Option<&str>,
    ) -> Result<SkillSession> {
        let skill = self.resolve_skill(skill)?;
        let facilitator_id = match facilitator {
            Some(member) => Some(self.resolve_member(member)?.id),
            None => self.rotation_pick(&skill)?.map(|member| member.id),
        };
        let site_id = site
            .map(|site| self.resolve_site(site).map(|site| site.id))
            .transpose()?;
        let session = SkillSession {
            id: new_id(),
            skill_id: skill.id,
            held_on: time::format_date(time::parse_date(held_on)?),
            facilitator_id,
            site_id,
        };
        self.write(
            &DocumentId::campaign(),
            "schedule a skill session",
            |writer| writer.put(&session),
        )?;
        Ok(session)
    }

    pub fn record_attendance(
        &mut self,
        session_id: &str,
        members: &[String],
    ) -> Result<Vec<Attendance>> {
        let session = self
            .find::<SkillSession>(session_id)?
            .ok_or_else(|| StoreError::not_found("skill session", session_id))?;
        if session.held_on.as_str() > time::day_of(&time::now()) {
            return Err(StoreError::rejected(format!(
                "the session is on {}: attendance is recorded once it has been held",
                session.held_on
            )));
        }
        let already: BTreeSet<String> = self
            .all::<Attendance>()?
            .into_iter()
            .filter(|present| present.session_id == session.id)
            .map(|present| present.member_id)
            .collect();
        let mut records = Vec::new();
        for member in members {
            let member = self.resolve_member(member)?;
            if !already.contains(&member.id)
                && !records
                    .iter()
                    .any(|record: &Attendance| record.member_id == member.id)
            {
                records.push(Attendance {
                    id: new_id(),
                    session_id: session.id.clone(),
                    member_id: member.id,
                });
            }
        }
        self.write(&DocumentId::campaign(), "record attendance", |writer| {
            for record in &records {
                writer.put(record)?;
            }
            Ok(())
        })?;
        Ok(records)
    }

    pub fn skill_sessions(&self) -> Result<Vec<SkillSession>> {
        let mut sessions: Vec<SkillSession> = self.all()?;
        sessions.sort_by(|left, right| left.held_on.cmp(&right.held_on));
        Ok(sessions)
    }

    /// Distinct members who attended any session.
    pub fn members_trained(&self) -> Result<usize> {
        let attendance: Vec<Attendance> = self.all()?;
        Ok(attendance
            .iter()
            .map(|present| present.member_id.as_str())
            .collect::<BTreeSet<_>>()
            .len())
    }
}
