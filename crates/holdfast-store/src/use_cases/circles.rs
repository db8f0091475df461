//! Decompression circles: due after every action, recorded without what was
//! said, with rest commitments shared by choice and reflections kept on the
//! member's own device.

use holdfast_core::model::*;
use holdfast_core::{time, DocumentId};
use serde::Serialize;

use crate::{Campaign, Result, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct CircleDue {
    pub action_id: String,
    pub title: String,
    pub ended_at: String,
}

impl Campaign {
    /// Actions that have ended and have no circle on record, most recent first.
    pub fn circles_due(&self, now: &str) -> Result<Vec<CircleDue>> {
        let circles: Vec<Circle> = self.all()?;
        let mut due: Vec<CircleDue> = self
            .actions()?
            .into_iter()
            .filter(|action| !action.cancelled && action.ends_at.as_str() <= now)
            .filter(|action| !circles.iter().any(|circle| circle.action_id == action.id))
            .map(|action| CircleDue {
                action_id: action.id,
                title: action.title,
                ended_at: action.ends_at,
            })
            .collect();
        due.reverse();
        Ok(due)
    }

    pub fn record_circle(
        &mut self,
        action: &str,
        facilitator: &str,
        participant_count: i64,
        rounds: Vec<String>,
        held_at: Option<&str>,
    ) -> Result<Circle> {
        let action = self.resolve_action(action)?;
        let facilitator = self.acting_member(facilitator)?;
        if participant_count < 1 {
            return Err(StoreError::rejected(
                "a circle needs at least one participant",
            ));
        }
        let held_at = match held_at {
            Some(at) => time::format_instant(time::parse_instant(at)?),
            None => time::now(),
        };
        if held_at < action.starts_at {
            return Err(StoreError::rejected(format!(
                "{} has not started yet: a circle comes after the action",
                action.title
            )));
        }
        let circle = Circle {
            id: new_id(),
            action_id: action.id.clone(),
            facilitator_id: facilitator.id,
            held_at,
            participant_count,
            rounds,
        };
        self.write(
            &DocumentId::action(&action.id),
            "hold a decompression circle",
            |writer| writer.put(&circle),
        )?;
        Ok(circle)
    }

    /// Shares a member's rest commitment with the campaign. Only what the
    /// member chose to share is written.
    pub fn share_rest_commitment(
        &mut self,
        circle_id: &str,
        member: &str,
        commitment: &str,
    ) -> Result<RestCommitment> {
        let circle = self
            .find::<Circle>(circle_id)?
            .ok_or_else(|| StoreError::not_found("circle", circle_id))?;
        let member = self.resolve_member(member)?;
        if commitment.trim().is_empty() {
            return Err(StoreError::rejected("the rest commitment is empty"));
        }
        let shared = RestCommitment {
            id: new_id(),
            circle_id: circle.id,
            member_id: member.id,
            commitment: commitment.trim().to_string(),
        };
        self.write(
            &DocumentId::action(&circle.action_id),
            "share a rest commitment",
            |writer| writer.put(&shared),
        )?;
        Ok(shared)
    }

    /// Keeps a reflection in this device's personal document, which is never
    /// sent anywhere.
    pub fn write_reflection(
        &mut self,
        action: &str,
        round: &str,
        text: &str,
    ) -> Result<Reflection> {
        if self.acting_browser().is_some() {
            return Err(StoreError::NotAllowed(
                "a reflection is private to the device it is written on; write it on your own phone or computer, not on the hall's".into(),
            ));
        }
        let action = self.resolve_action(action)?;
        let reflection = Reflection {
            id: new_id(),
            action_id: action.id,
            round: round.to_string(),
            text: text.to_string(),
            written_at: time::now(),
        };
        self.write(&DocumentId::personal(), "write a reflection", |writer| {
            writer.put(&reflection)
        })?;
        Ok(reflection)
    }

    /// This device's own reflections; none for a browser at the hall (they
    /// belong to whoever uses the hub's computer).
    pub fn reflections(&self) -> Result<Vec<Reflection>> {
        if self.acting_browser().is_some() {
            return Ok(Vec::new());
        }
        self.all()
    }
}
