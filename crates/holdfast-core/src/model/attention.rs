//! Resolutions of "needs attention" items: a person's decision about
//! something a merge made inconsistent, kept in the record.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::record;

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Resolution {
    /// The key of the attention item this resolves.
    pub id: String,
    pub resolved_by: String,
    pub resolved_at: String,
    pub note: String,
}
record!(Resolution, "resolutions");
