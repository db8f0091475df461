//! The recurring rhythm that generates the next small action.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::{record, word_enum};
use super::ActionKind;

word_enum! {
    pub enum RecurrenceRule {
        /// Every `interval_days` days from the start date.
        EveryDays => "every_days",
        /// On `day_of_month` of every month (clamped to the month's last day).
        DayOfMonth => "day_of_month",
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Cadence {
    pub id: String,
    pub name: String,
    pub rule: RecurrenceRule,
    pub interval_days: i64,
    pub day_of_month: i64,
    pub starts_on: String,
    /// Local start time of each action, `HH:MM` (UTC in this version).
    pub start_time: String,
    pub duration_minutes: i64,
    pub kind: ActionKind,
    /// Tactics to rotate through; the next one is the least recently used.
    pub tactics: Vec<String>,
    pub site_id: Option<String>,
    pub active: bool,
}
record!(Cadence, "cadences");
