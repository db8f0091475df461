//! Mutual aid: requests and offers, matches, and one ledger. Who is behind a
//! pseudonym lives apart, in `AidIdentity`, inside the coordinators-only
//! `aid-private` document.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::{record, word_enum};

word_enum! {
    #[derive(Default)]
    pub enum AidCategory {
        #[default]
        Fund => "fund",
        Pantry => "pantry",
        Rent => "rent",
        Childcare => "childcare",
        Rides => "rides",
    }
}

word_enum! {
    pub enum Urgency {
        Low => "low",
        Soon => "soon",
        Urgent => "urgent",
    }
}

word_enum! {
    pub enum RequestStatus {
        Open => "open",
        Matched => "matched",
        Fulfilled => "fulfilled",
        Withdrawn => "withdrawn",
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct AidRequest {
    pub id: String,
    /// What everyone but coordinators sees in place of a name.
    pub pseudonym: String,
    pub category: AidCategory,
    pub amount_cents: i64,
    pub urgency: Urgency,
    pub note: String,
    pub status: RequestStatus,
    pub requested_at: String,
    /// Filed on a member's own phone: who is asking and the note, sealed
    /// to the aid coordinators' devices (`holdfast_core::sealed`), in hex.
    /// Every device carries it; only those devices open it.
    #[serde(default)]
    #[autosurgeon(missing = "Option::default")]
    pub sealed: Option<String>,
}
record!(AidRequest, "requests");

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct AidOffer {
    pub id: String,
    pub pseudonym: String,
    pub category: AidCategory,
    pub amount_cents: i64,
    pub note: String,
    pub offered_at: String,
    pub withdrawn: bool,
}
record!(AidOffer, "offers");

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct AidMatch {
    pub id: String,
    pub request_id: String,
    pub offer_id: Option<String>,
    pub matched_by: String,
    pub matched_at: String,
}
record!(AidMatch, "matches");

word_enum! {
    pub enum LedgerKind {
        /// Money or goods coming into the fund.
        Contribution => "contribution",
        /// Money or goods going out to a member.
        Disbursement => "disbursement",
        /// A correction agreed by coordinators (positive or negative).
        Adjustment => "adjustment",
    }
}

/// One line of the aid ledger. Entries are never edited or removed; a mistake
/// is corrected by an adjustment, so the ledger can always be audited.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: String,
    pub kind: LedgerKind,
    pub category: AidCategory,
    /// Always positive for contributions and disbursements; signed for adjustments.
    pub amount_cents: i64,
    pub at: String,
    /// The pseudonym of who gave or received, never a name.
    pub party_pseudonym: String,
    pub request_id: Option<String>,
    pub recorded_by: String,
    pub note: String,
}
record!(LedgerEntry, "ledger");

/// The largest amount one request, offer or ledger entry may hold:
/// 1,000,000,000.00. Far beyond any local's fund, and small enough that
/// millions of entries add up without passing what an `i64` holds. Every
/// device refuses a record over it (`authority`), and sums saturate in any
/// case, so a figure is never wrapped round into nonsense.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000_000;

/// Whether an amount (of either sign) is one Holdfast keeps.
pub fn amount_in_range(cents: i64) -> bool {
    cents.unsigned_abs() <= MAX_AMOUNT_CENTS.unsigned_abs()
}

impl LedgerEntry {
    /// The entry's effect on the fund's balance.
    pub fn signed_amount(&self) -> i64 {
        let amount = self.amount_cents.clamp(-MAX_AMOUNT_CENTS, MAX_AMOUNT_CENTS);
        match self.kind {
            LedgerKind::Contribution | LedgerKind::Adjustment => amount,
            LedgerKind::Disbursement => -amount,
        }
    }
}

/// Who is behind a pseudonym. Coordinators only.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct AidIdentity {
    /// The pseudonym itself.
    pub id: String,
    pub member_id: String,
    pub contact_note: String,
}
record!(AidIdentity, "identities");
