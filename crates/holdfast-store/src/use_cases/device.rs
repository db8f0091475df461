//! What the member who uses this device sees first: the next action, their
//! shift at it, and whether they are checked in; and the views that depend on
//! who that member is, such as the aid coordinators' list with names.

use holdfast_core::model::*;
use holdfast_core::DocumentId;
use serde::Serialize;

use super::aid::NamedRequest;
use crate::{Campaign, Result, StoreError};

/// The app's first screen for this device's member.
#[derive(Debug, Clone, Serialize)]
pub struct Today {
    pub campaign: String,
    pub currency: String,
    /// The member who uses this device; `None` until they pick themselves.
    pub me: Option<Member>,
    /// The first action that has not ended yet.
    pub next_action: Option<Action>,
    /// When check-in at the next action opens, while it is not open yet.
    pub check_in_opens_at: Option<String>,
    /// The shift at the next action that this device's member signed up for.
    pub my_shift: Option<Shift>,
    /// Whether this device's member is checked in at the next action now.
    pub checked_in: bool,
    /// When the standing check-in was recorded, if there is one.
    pub checked_in_at: Option<String>,
    pub circles_due: usize,
    pub attention: usize,
    /// When the request comes from a browser at the hall: that browser, a
    /// guest until it is paired.
    pub browser: Option<super::hall_browsers::HallBrowser>,
}

impl Campaign {
    /// The first screen: answered from the projections, like the dashboard.
    pub fn today(&self, now: &str) -> Result<Today> {
        let settings = self.settings()?;
        let me = match self.device_member()? {
            Some(id) => self.find::<Member>(&id)?,
            None => None,
        };
        let next_action = self.next_action(now)?;
        let mut my_shift = None;
        let mut checked_in_at = None;
        if let (Some(member), Some(action)) = (&me, &next_action) {
            let signups: Vec<Signup> = crate::projection::read_in_document(
                &self.connection,
                &DocumentId::action(&action.id),
            )?;
            my_shift = self.shifts(&action.id)?.into_iter().find(|shift| {
                signups.iter().any(|signup| {
                    signup.shift_id == shift.id
                        && signup.member_id == member.id
                        && !signup.withdrawn
                })
            });
            // Whether the member is here follows the same pairing of
            // check-ins and check-outs that turnout and hours use.
            if self.present_at(&action.id)?.contains(&member.id) {
                checked_in_at = self
                    .check_ins(Some(&action.id))?
                    .into_iter()
                    .filter(|check| {
                        check.member_id == member.id && !check.voided && check.kind == CheckKind::In
                    })
                    .map(|check| check.at)
                    .max();
            }
        }
        let check_in_opens_at = match &next_action {
            Some(action) => {
                match holdfast_core::rules::attendance::check_in_window(&action.starts_at, now)? {
                    holdfast_core::rules::attendance::Window::NotYetOpen { opens } => {
                        Some(holdfast_core::time::format_instant(opens))
                    }
                    holdfast_core::rules::attendance::Window::Open => None,
                }
            }
            None => None,
        };
        Ok(Today {
            check_in_opens_at,
            campaign: settings.campaign_name,
            currency: settings.currency,
            me,
            next_action,
            my_shift,
            checked_in: checked_in_at.is_some(),
            checked_in_at,
            circles_due: self.circles_due(now)?.len(),
            attention: self.attention()?.len(),
            browser: self.acting_browser().cloned(),
        })
    }

    /// The coordinators' view of aid requests, answered only when this
    /// device's member is an aid coordinator or a steward. Everyone else sees
    /// pseudonyms through [`Campaign::aid_requests`].
    pub fn device_coordinator_view(&self) -> Result<Vec<NamedRequest>> {
        let member = self
            .device_member()?
            .map(|id| self.member(&id))
            .transpose()?
            .ok_or_else(|| {
                StoreError::rejected(
                    "pick who you are on this device before opening the aid coordinators' view",
                )
            })?;
        if !member.has_role(Role::AidCoordinator) && !member.has_role(Role::Steward) {
            return Err(StoreError::rejected(format!(
                "{} is not an aid coordinator, so the names behind requests stay hidden",
                member.name
            )));
        }
        self.coordinator_view()
    }
}
