//! Open decision forums: proposals that members vote on, offline, and the
//! outcome a facilitator records when the vote closes.
//!
//! Votes are open: every paired device holds who voted for what, the same
//! as the rest of the `campaign` document. There is no secret ballot.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::record;

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Proposal {
    pub id: String,
    pub title: String,
    /// What is proposed, in the proposer's words.
    pub text: String,
    /// What members may vote for, in the order they are shown.
    pub options: Vec<String>,
    /// Who proposed it.
    pub member_id: String,
    /// The meeting where it is discussed, if it is taken to one.
    pub meeting_id: Option<String>,
    pub opened_at: String,
    /// When voting ends by itself, if a time was set.
    pub closes_at: Option<String>,
    /// Written once, when the vote is closed. Kept as one value so that two
    /// facilitators closing at once leave one whole closing, never a mix.
    pub closing: Option<Closing>,
}
record!(Proposal, "proposals");

/// The recorded outcome of a proposal: the count as the facilitator who
/// closed it held the votes. Votes that reach that device later are kept
/// but do not change it.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Closing {
    pub at: String,
    pub by: String,
    /// The option that carried, or none when no option had more votes than
    /// every other (a tie, or no votes).
    pub outcome: Option<String>,
    /// Votes per option, in the order of the proposal's options.
    pub counts: Vec<i64>,
}

/// One member's vote on one proposal. A member who votes again changes the
/// same record; a member who voted on two devices that had not synced has
/// two, and the rule in [`crate::rules::decisions`] picks the one that counts.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Vote {
    pub id: String,
    pub proposal_id: String,
    pub member_id: String,
    pub choice: String,
    pub cast_at: String,
}
record!(Vote, "votes");
