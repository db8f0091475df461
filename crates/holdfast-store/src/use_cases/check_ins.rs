//! Check-in and check-out at an action, by the member or by a captain, and
//! turnout. The hot path of the app: it validates with two indexed lookups,
//! writes one record, and returns once the change is on disk.

use std::collections::BTreeSet;

use holdfast_core::model::*;
use holdfast_core::rules::attendance;
use holdfast_core::{time, DocumentId};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::{Campaign, Result, StoreError};

/// How far ahead of this device's clock a given time may be.
const AT_GRACE_MINUTES: i64 = 5;

#[derive(Debug, Clone, Default)]
pub struct CheckRequest {
    /// Action id or title.
    pub action: String,
    /// Member id or name; defaults to this device's member.
    pub member: Option<String>,
    pub shift: Option<String>,
    /// Who recorded it, if not the member themself (a captain).
    pub recorded_by: Option<String>,
    /// When it happened; defaults to now. Lets a captain enter a paper sheet later.
    pub at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Turnout {
    pub action_id: String,
    pub title: String,
    /// Distinct members who checked in at all.
    pub turned_out: usize,
    pub still_here: usize,
    pub hours: f64,
}

impl Campaign {
    pub fn check_in(&mut self, request: CheckRequest) -> Result<CheckIn> {
        self.record_check(request, CheckKind::In)
    }

    pub fn check_out(&mut self, request: CheckRequest) -> Result<CheckIn> {
        self.record_check(request, CheckKind::Out)
    }

    fn record_check(&mut self, request: CheckRequest, kind: CheckKind) -> Result<CheckIn> {
        let action = self.resolve_action(&request.action)?;
        let member = match &request.member {
            Some(member) => self.resolve_member(member)?,
            None => {
                let id = self.device_member()?.ok_or_else(|| {
                    StoreError::rejected(
                        "say who is checking in: this device is not linked to a member yet",
                    )
                })?;
                self.member(&id)?
            }
        };
        let recorded_by = match &request.recorded_by {
            Some(captain) => self.acting_member(captain)?.id,
            // A browser at the hall records as its own member.
            None => self
                .acting_browser()
                .and_then(|browser| browser.member_id.clone())
                .unwrap_or_else(|| member.id.clone()),
        };
        if let Some(shift_id) = &request.shift {
            let shift = self.find_shift(shift_id)?;
            if shift.action_id != action.id {
                return Err(StoreError::rejected("that shift belongs to another action"));
            }
        }
        let at = self.check_time(&action, request.at.as_deref(), kind)?;
        let last = self.last_check(&action.id, &member.id)?;
        match (kind, last) {
            (CheckKind::In, Some(CheckKind::In)) => {
                return Err(StoreError::rejected(format!(
                    "{} is already checked in at {}",
                    member.name, action.title
                )))
            }
            (CheckKind::Out, None | Some(CheckKind::Out)) => {
                return Err(StoreError::rejected(format!(
                    "{} is not checked in at {}",
                    member.name, action.title
                )))
            }
            _ => {}
        }
        let check = CheckIn {
            id: new_id(),
            action_id: action.id.clone(),
            shift_id: request.shift,
            member_id: member.id,
            kind,
            at,
            recorded_by,
            device: self.device_id().to_string(),
            voided: false,
        };
        let message = match kind {
            CheckKind::In => "check in",
            CheckKind::Out => "check out",
        };
        self.write(&DocumentId::arrivals(&check.member_id), message, |writer| {
            writer.put(&check)
        })?;
        Ok(check)
    }

    /// The time a check-in or check-out is recorded for (`at`, or now), if
    /// one may be recorded then: never at a cancelled action or for a time
    /// still to come, and a check-in not before check-in opens.
    pub(crate) fn check_time(
        &self,
        action: &Action,
        at: Option<&str>,
        kind: CheckKind,
    ) -> Result<String> {
        if action.cancelled {
            return Err(StoreError::rejected(format!(
                "`{}` was cancelled",
                action.title
            )));
        }
        let at = match at {
            Some(at) => {
                let at = time::parse_instant(at)?;
                // A few minutes' grace for a phone whose clock runs fast.
                if at > chrono::Utc::now() + chrono::Duration::minutes(AT_GRACE_MINUTES) {
                    return Err(StoreError::rejected(format!(
                        "{} is still to come: a check-in is recorded when it happens",
                        time::format_instant(at)
                    )));
                }
                time::format_instant(at)
            }
            None => time::now(),
        };
        if kind == CheckKind::In {
            if let attendance::Window::NotYetOpen { opens } =
                attendance::check_in_window(&action.starts_at, &at)?
            {
                return Err(StoreError::rejected(format!(
                    "check-in at {} opens on {}, an hour before it starts",
                    action.title,
                    opens.format("%A %-d %B %Y, %H:%M UTC")
                )));
            }
        }
        Ok(at)
    }

    /// The kind of the member's latest standing check at an action. Times
    /// have one-second resolution; within one second a check-out counts as
    /// later than a check-in, the same order `attendance::pair` uses, so a
    /// quick check-in and check-out never disagree with turnout.
    fn last_check(&self, action_id: &str, member_id: &str) -> Result<Option<CheckKind>> {
        let kind: Option<String> = self
            .connection
            .prepare_cached(
                "SELECT kind FROM checkins WHERE action_id = ?1 AND member_id = ?2 AND voided = 0
                 ORDER BY at DESC, kind = 'out' DESC, id DESC LIMIT 1",
            )?
            .query_row(params![action_id, member_id], |row| row.get(0))
            .optional()?;
        Ok(kind.map(|kind| kind.parse()).transpose()?)
    }

    /// Voids a mistaken check-in or check-out. The record stays, marked.
    pub fn void_check(&mut self, check_id: &str) -> Result<CheckIn> {
        let document: String = self
            .connection
            .query_row(
                "SELECT document_id FROM checkins WHERE id = ?1",
                [check_id],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found("check-in", check_id))?;
        let document = DocumentId::parse(&document)?;
        let mut check: CheckIn =
            holdfast_core::record::get(&self.loaded(&document)?.doc, check_id)?
                .ok_or_else(|| StoreError::not_found("check-in", check_id))?;
        check.voided = true;
        self.write(&document, "void a check-in", |writer| {
            writer.check_attention();
            writer.put(&check)
        })?;
        Ok(check)
    }

    /// Check-ins, all or for one action, oldest first.
    pub fn check_ins(&self, action_id: Option<&str>) -> Result<Vec<CheckIn>> {
        crate::projection::read_check_ins(&self.connection, action_id)
    }

    /// Members checked in and not yet out at an action.
    pub fn present_at(&self, action_id: &str) -> Result<BTreeSet<String>> {
        let pairing = attendance::pair(&self.check_ins(Some(action_id))?);
        Ok(pairing
            .still_here
            .get(action_id)
            .cloned()
            .unwrap_or_default())
    }

    pub fn turnout(&self, action: &str) -> Result<Turnout> {
        let action = self.resolve_action(action)?;
        let check_ins = self.check_ins(Some(&action.id))?;
        let pairing = attendance::pair(&check_ins);
        // A walk-in merged into a member who also checked in is one person.
        let merged = self.merged_walk_ins()?;
        let turned_out: BTreeSet<&str> = check_ins
            .iter()
            .filter(|check| !check.voided && check.kind == CheckKind::In)
            .map(|check| {
                merged
                    .get(&check.member_id)
                    .map_or(check.member_id.as_str(), String::as_str)
            })
            .collect();
        Ok(Turnout {
            action_id: action.id.clone(),
            title: action.title.clone(),
            turned_out: turned_out.len(),
            still_here: pairing.still_here.get(&action.id).map_or(0, BTreeSet::len),
            // Adding zero turns the negative zero of an empty float sum into zero.
            hours: pairing.stays.iter().map(|stay| stay.hours).sum::<f64>() + 0.0,
        })
    }
}
