//! Actions, their shifts and sign-ups, check-ins, and the decompression
//! circle held afterwards. All but `Reflection` live in the action's own
//! document; reflections live in the device's personal document.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::{record, word_enum};

word_enum! {
    /// The size and form of an action, from a five-minute log-off to a strike day.
    pub enum ActionKind {
        LogOff => "log_off",
        BadgeFlip => "badge_flip",
        LunchRally => "lunch_rally",
        InformationalPicket => "informational_picket",
        MassPicket => "mass_picket",
        StrikeDay => "strike_day",
        Other => "other",
    }
}

impl ActionKind {
    /// Small actions that the monthly cadence produces.
    pub fn is_micro(self) -> bool {
        matches!(
            self,
            ActionKind::LogOff | ActionKind::BadgeFlip | ActionKind::LunchRally
        )
    }

    /// Actions where people check out again and hours count toward strike pay.
    pub fn is_picket(self) -> bool {
        matches!(
            self,
            ActionKind::InformationalPicket | ActionKind::MassPicket | ActionKind::StrikeDay
        )
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Action {
    pub id: String,
    pub title: String,
    pub kind: ActionKind,
    /// The form the action takes, compared across actions to keep the repertoire varied.
    pub tactic: String,
    pub site_id: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    /// Choke points this action aims to close.
    pub choke_point_ids: Vec<String>,
    /// The cadence that generated it, if any.
    pub cadence_id: Option<String>,
    pub cancelled: bool,
}
record!(Action, "action");

/// A block of time at a place (a gate, a door) with a number of people wanted.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Shift {
    pub id: String,
    pub action_id: String,
    pub location: String,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    pub captain_id: Option<String>,
}
record!(Shift, "shifts");

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Signup {
    pub id: String,
    pub shift_id: String,
    pub member_id: String,
    pub signed_up_at: String,
    pub withdrawn: bool,
}
record!(Signup, "signups");

word_enum! {
    pub enum CheckKind {
        In => "in",
        Out => "out",
    }
}

/// One check-in or check-out. Each is its own record, so concurrent check-ins
/// from many phones never overwrite one another; a mistaken one is voided,
/// never deleted.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct CheckIn {
    pub id: String,
    pub action_id: String,
    pub shift_id: Option<String>,
    pub member_id: String,
    pub kind: CheckKind,
    pub at: String,
    /// Who recorded it: the member themself, or a captain.
    pub recorded_by: String,
    /// The device that recorded it.
    pub device: String,
    pub voided: bool,
}
record!(CheckIn, "checkins");

/// The record that a decompression circle happened. What people said in it is
/// not here: reflections stay on each member's own device.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Circle {
    pub id: String,
    pub action_id: String,
    pub facilitator_id: String,
    pub held_at: String,
    pub participant_count: i64,
    /// Rounds completed, by name.
    pub rounds: Vec<String>,
}
record!(Circle, "circles");

/// A rest commitment a member chose to share with the campaign.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct RestCommitment {
    pub id: String,
    pub circle_id: String,
    pub member_id: String,
    pub commitment: String,
}
record!(RestCommitment, "rest_commitments");

/// A member's private answer to one circle round. Kept only in the device's
/// personal document, which never leaves the device.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Reflection {
    pub id: String,
    pub action_id: String,
    pub round: String,
    pub text: String,
    pub written_at: String,
}
record!(Reflection, "reflections");

/// The rounds of a decompression circle, in order, with minutes for each.
pub const CIRCLE_ROUNDS: &[(&str, u32)] = &[
    ("worries", 4),
    ("laughter", 3),
    ("gratitude", 3),
    ("rest", 3),
];
