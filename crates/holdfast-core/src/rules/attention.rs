//! The "needs attention" list: what a merge of offline edits made inconsistent.
//!
//! Edits on one device are checked when they are made; these checks run over
//! the merged record, where two devices that each made a valid edit can
//! together break a rule. Nothing here changes the record: each item waits for
//! a person, whose decision is kept as a `Resolution` with the item's key.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{AidMatch, CheckIn, LedgerEntry, Shift, Signup};
use crate::rules::{aid, attendance};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    DuplicateCheckIn,
    CheckOutWithoutCheckIn,
    ShiftOverCapacity,
    FundOverdrawn,
    RequestMatchedTwice,
    VotesDisagree,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttentionItem {
    /// Stable across devices and recomputation, so a resolution can name it.
    pub key: String,
    pub kind: AttentionKind,
    /// The document where the resolution is recorded.
    pub document: String,
    pub summary: String,
}

/// Everything a merge left for a person to decide, minus what is resolved.
#[derive(Debug)]
pub struct AttentionInput<'a> {
    pub check_ins: &'a [CheckIn],
    pub shifts: &'a [Shift],
    pub signups: &'a [Signup],
    pub ledger: &'a [LedgerEntry],
    pub matches: &'a [AidMatch],
    pub resolved: &'a BTreeSet<String>,
    /// Names of the members the check-ins name, by id; one missing (an
    /// erased member) is said without a name.
    pub names: &'a BTreeMap<String, String>,
    /// Titles of the actions the check-ins are at, by id.
    pub titles: &'a BTreeMap<String, String>,
}

impl AttentionInput<'_> {
    fn name(&self, member_id: &str) -> &str {
        self.names
            .get(member_id)
            .map_or("A member no longer on the list", String::as_str)
    }

    fn title(&self, action_id: &str) -> &str {
        self.titles
            .get(action_id)
            .map_or("an action not on this device", String::as_str)
    }
}

pub fn find(input: &AttentionInput<'_>) -> Vec<AttentionItem> {
    let mut items = Vec::new();
    let pairing = attendance::pair(input.check_ins);
    for (action_id, member_id, check_in_id) in &pairing.duplicate_check_ins {
        items.push(AttentionItem {
            key: format!("duplicate-check-in:{check_in_id}"),
            kind: AttentionKind::DuplicateCheckIn,
            document: format!("arrivals:{member_id}"),
            summary: format!(
                "{} was checked in twice at {}; void one of the check-ins",
                input.name(member_id),
                input.title(action_id)
            ),
        });
    }
    for (action_id, member_id, check_out_id) in &pairing.unmatched_check_outs {
        items.push(AttentionItem {
            key: format!("check-out-without-check-in:{check_out_id}"),
            kind: AttentionKind::CheckOutWithoutCheckIn,
            document: format!("arrivals:{member_id}"),
            summary: format!(
                "{} checked out of {} with no check-in on record; add the check-in or void the check-out",
                input.name(member_id),
                input.title(action_id)
            ),
        });
    }

    let mut taken: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for signup in input.signups.iter().filter(|signup| !signup.withdrawn) {
        taken
            .entry(signup.shift_id.as_str())
            .or_default()
            .insert(signup.member_id.as_str());
    }
    for shift in input.shifts {
        let count = taken
            .get(shift.id.as_str())
            .map_or(0, |members| members.len() as i64);
        if count > shift.capacity {
            items.push(AttentionItem {
                key: format!("shift-over-capacity:{}:{count}", shift.id),
                kind: AttentionKind::ShiftOverCapacity,
                document: format!("action:{}", shift.action_id),
                summary: format!(
                    "shift at {} has {count} sign-ups for {} places; move someone or raise the capacity",
                    shift.location, shift.capacity
                ),
            });
        }
    }

    for overdraw in aid::overdraws(input.ledger) {
        items.push(AttentionItem {
            key: format!("fund-overdrawn:{}:{}", overdraw.category, overdraw.entry_id),
            kind: AttentionKind::FundOverdrawn,
            document: "aid".into(),
            summary: format!(
                "the {} pool went to {:.2} after payouts made apart; record a contribution or an adjustment to settle it",
                overdraw.category,
                overdraw.lowest_balance_cents as f64 / 100.0
            ),
        });
    }

    let mut matches_per_request: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for matched in input.matches {
        matches_per_request
            .entry(matched.request_id.as_str())
            .or_default()
            .push(matched.id.as_str());
    }
    for (request_id, match_ids) in matches_per_request {
        if match_ids.len() > 1 {
            items.push(AttentionItem {
                key: format!("request-matched-twice:{request_id}:{}", match_ids.len()),
                kind: AttentionKind::RequestMatchedTwice,
                document: "aid".into(),
                summary: format!("one aid request was matched {} times by different coordinators; keep one match", match_ids.len()),
            });
        }
    }

    items.retain(|item| !input.resolved.contains(&item.key));
    items.sort_by(|left, right| (&left.kind, &left.key).cmp(&(&right.kind, &right.key)));
    items
}
