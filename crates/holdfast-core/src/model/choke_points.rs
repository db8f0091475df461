//! The choke-point map: the sites and processes the employer's operation
//! cannot run without, and who has committed to close each one.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::{record, word_enum};

word_enum! {
    pub enum ChokeKind {
        Site => "site",
        Process => "process",
        System => "system",
        Deadline => "deadline",
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct ChokePoint {
    pub id: String,
    pub name: String,
    pub kind: ChokeKind,
    pub site_id: Option<String>,
    /// How many hours the whole operation keeps running once this stops.
    pub hours_to_freeze: f64,
    /// Whether management can route the work around this point.
    pub routable: bool,
    /// Choke points this one cannot run without (by id).
    pub depends_on: Vec<String>,
    /// People needed to close it (a picket line, a walk-out of a shift).
    pub people_needed: i64,
    /// What we do if management moves the work or the plan fails.
    pub contingency: String,
}
record!(ChokePoint, "choke_points");

/// A member's commitment to help close a choke point.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Commitment {
    pub id: String,
    pub choke_point_id: String,
    pub member_id: String,
    pub made_on: String,
    /// The day the member took the commitment back. It is marked, not
    /// removed: the write policy lets a member change their own record
    /// but only a steward's device remove one, and a commitment made again
    /// is the same record with this cleared.
    #[serde(default)]
    #[autosurgeon(missing = "Option::default")]
    pub withdrawn_on: Option<String>,
}
record!(Commitment, "commitments");

impl Commitment {
    /// Whether the member still stands by it.
    pub fn is_active(&self) -> bool {
        self.withdrawn_on.is_none()
    }
}
