//! Actions, their shifts and sign-ups. Each action has its own document.

use holdfast_core::model::*;
use holdfast_core::{time, DocumentId};
use serde::Serialize;

use super::resolve;
use crate::{Campaign, Result, StoreError};

#[derive(Debug, Clone)]
pub struct NewAction {
    pub title: String,
    pub kind: ActionKind,
    pub tactic: String,
    pub site: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub choke_points: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewShift {
    pub location: String,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    pub captain: Option<String>,
}

/// A captain's view of one shift.
#[derive(Debug, Clone, Serialize)]
pub struct ShiftRoster {
    pub shift: Shift,
    pub signed_up: Vec<Member>,
    pub here: Vec<Member>,
    /// Signed up but not checked in.
    pub missing: Vec<Member>,
    /// Places the shift still needs filled by people present.
    pub still_needed: i64,
}

impl Campaign {
    pub fn create_action(&mut self, new: NewAction) -> Result<Action> {
        self.create_action_with_id(new_id(), new, None)
    }

    pub(crate) fn create_action_with_id(
        &mut self,
        id: String,
        new: NewAction,
        cadence_id: Option<String>,
    ) -> Result<Action> {
        if new.title.trim().is_empty() {
            return Err(StoreError::rejected("an action needs a title"));
        }
        let starts = time::parse_instant(&new.starts_at)?;
        let ends = time::parse_instant(&new.ends_at)?;
        if ends <= starts {
            return Err(StoreError::rejected("an action must end after it starts"));
        }
        let site_id = new
            .site
            .as_deref()
            .map(|site| self.resolve_site(site).map(|site| site.id))
            .transpose()?;
        let choke_point_ids = new
            .choke_points
            .iter()
            .map(|point| self.resolve_choke_point(point).map(|point| point.id))
            .collect::<Result<Vec<_>>>()?;
        let action = Action {
            id,
            title: new.title.trim().to_string(),
            kind: new.kind,
            tactic: if new.tactic.trim().is_empty() {
                new.kind.as_str().replace('_', " ")
            } else {
                new.tactic.trim().to_string()
            },
            site_id,
            starts_at: time::format_instant(starts),
            ends_at: time::format_instant(ends),
            choke_point_ids,
            cadence_id,
            cancelled: false,
        };
        self.write(
            &DocumentId::action(&action.id),
            "plan an action",
            |writer| writer.put(&action),
        )?;
        Ok(action)
    }

    /// All actions, soonest first.
    pub fn actions(&self) -> Result<Vec<Action>> {
        let mut actions: Vec<Action> = self.all()?;
        actions.sort_by(|left, right| {
            left.starts_at
                .cmp(&right.starts_at)
                .then_with(|| left.id.cmp(&right.id))
        });
        Ok(actions)
    }

    pub fn resolve_action(&self, wanted: &str) -> Result<Action> {
        if let Some(action) = self.find::<Action>(wanted)? {
            return Ok(action);
        }
        let actions: Vec<Action> = self.all()?;
        resolve(
            &actions,
            "action",
            wanted,
            |item| &item.id,
            |item| &item.title,
        )
        .cloned()
    }

    /// The first action that has not ended yet.
    pub fn next_action(&self, now: &str) -> Result<Option<Action>> {
        Ok(self
            .actions()?
            .into_iter()
            .find(|action| !action.cancelled && action.ends_at.as_str() > now))
    }

    pub fn cancel_action(&mut self, action: &str) -> Result<Action> {
        let mut action = self.resolve_action(action)?;
        action.cancelled = true;
        self.write(
            &DocumentId::action(&action.id),
            "cancel an action",
            |writer| writer.put(&action),
        )?;
        Ok(action)
    }

    pub fn add_shift(&mut self, action: &str, new: NewShift) -> Result<Shift> {
        let action = self.resolve_action(action)?;
        if new.capacity < 1 {
            return Err(StoreError::rejected(
                "a shift needs room for at least one person",
            ));
        }
        let starts = time::parse_instant(&new.starts_at)?;
        let ends = time::parse_instant(&new.ends_at)?;
        if ends <= starts {
            return Err(StoreError::rejected("a shift must end after it starts"));
        }
        let captain_id = new
            .captain
            .as_deref()
            .map(|member| self.resolve_member(member).map(|member| member.id))
            .transpose()?;
        let shift = Shift {
            id: new_id(),
            action_id: action.id.clone(),
            location: new.location.trim().to_string(),
            starts_at: time::format_instant(starts),
            ends_at: time::format_instant(ends),
            capacity: new.capacity,
            captain_id,
        };
        self.write(&DocumentId::action(&action.id), "add a shift", |writer| {
            writer.put(&shift)
        })?;
        Ok(shift)
    }

    pub fn shifts(&self, action_id: &str) -> Result<Vec<Shift>> {
        let mut shifts: Vec<Shift> =
            crate::projection::read_in_document(&self.connection, &DocumentId::action(action_id))?;
        shifts.sort_by(|left, right| {
            left.starts_at
                .cmp(&right.starts_at)
                .then_with(|| left.location.cmp(&right.location))
        });
        Ok(shifts)
    }

    pub fn find_shift(&self, shift_id: &str) -> Result<Shift> {
        self.find::<Shift>(shift_id)?
            .ok_or_else(|| StoreError::not_found("shift", shift_id))
    }

    fn signups_for(&self, shift: &Shift) -> Result<Vec<Signup>> {
        let signups: Vec<Signup> = crate::projection::read_in_document(
            &self.connection,
            &DocumentId::action(&shift.action_id),
        )?;
        Ok(signups
            .into_iter()
            .filter(|signup| signup.shift_id == shift.id && !signup.withdrawn)
            .collect())
    }

    /// Signs a member up for a shift, refusing a full shift.
    pub fn sign_up(&mut self, shift_id: &str, member: &str) -> Result<Signup> {
        let shift = self.find_shift(shift_id)?;
        let member = self.resolve_member(member)?;
        let signups = self.signups_for(&shift)?;
        if let Some(existing) = signups.iter().find(|signup| signup.member_id == member.id) {
            return Ok(existing.clone());
        }
        if signups.len() as i64 >= shift.capacity {
            return Err(StoreError::rejected(format!(
                "the shift at {} is full ({} of {} places taken)",
                shift.location,
                signups.len(),
                shift.capacity
            )));
        }
        let signup = Signup {
            id: new_id(),
            shift_id: shift.id.clone(),
            member_id: member.id,
            signed_up_at: time::now(),
            withdrawn: false,
        };
        self.write(
            &DocumentId::action(&shift.action_id),
            "sign up for a shift",
            |writer| {
                writer.check_attention();
                writer.put(&signup)
            },
        )?;
        Ok(signup)
    }

    pub fn withdraw_signup(&mut self, shift_id: &str, member: &str) -> Result<Signup> {
        let shift = self.find_shift(shift_id)?;
        let member = self.resolve_member(member)?;
        let mut signup = self
            .signups_for(&shift)?
            .into_iter()
            .find(|signup| signup.member_id == member.id)
            .ok_or_else(|| {
                StoreError::rejected(format!("{} is not signed up for this shift", member.name))
            })?;
        signup.withdrawn = true;
        self.write(
            &DocumentId::action(&shift.action_id),
            "withdraw from a shift",
            |writer| {
                writer.check_attention();
                writer.put(&signup)
            },
        )?;
        Ok(signup)
    }

    /// Who is signed up, who is here and who is missing at one shift.
    pub fn shift_roster(&self, shift_id: &str) -> Result<ShiftRoster> {
        let shift = self.find_shift(shift_id)?;
        let signups = self.signups_for(&shift)?;
        let present = self.present_at(&shift.action_id)?;
        let mut signed_up = Vec::new();
        let mut here = Vec::new();
        let mut missing = Vec::new();
        for signup in &signups {
            let Some(member) = self.find::<Member>(&signup.member_id)? else {
                continue;
            };
            if present.contains(&member.id) {
                here.push(member.clone());
            } else {
                missing.push(member.clone());
            }
            signed_up.push(member);
        }
        // People checked in to this shift without signing up count as here too.
        for check_in in crate::projection::read_check_ins(&self.connection, Some(&shift.action_id))?
        {
            if check_in.shift_id.as_deref() == Some(shift.id.as_str())
                && present.contains(&check_in.member_id)
                && !here.iter().any(|member| member.id == check_in.member_id)
            {
                if let Some(member) = self.find::<Member>(&check_in.member_id)? {
                    here.push(member);
                }
            }
        }
        let still_needed = (shift.capacity - here.len() as i64).max(0);
        Ok(ShiftRoster {
            shift,
            signed_up,
            here,
            missing,
            still_needed,
        })
    }
}
