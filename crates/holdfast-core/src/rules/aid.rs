//! What the ledger says: totals every member may see, balances, and where two
//! offline payouts overdrew a pool.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{AidCategory, LedgerEntry, LedgerKind};
use crate::time;

/// Totals for one category in one month (`YYYY-MM`). No names, no pseudonyms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthTotal {
    pub month: String,
    pub category: AidCategory,
    pub contributed_cents: i64,
    pub disbursed_cents: i64,
    pub disbursements: i64,
}

pub fn totals_by_month(entries: &[LedgerEntry]) -> Vec<MonthTotal> {
    let mut totals: BTreeMap<(String, AidCategory), MonthTotal> = BTreeMap::new();
    for entry in entries {
        let month = time::day_of(&entry.at)
            .get(..7)
            .unwrap_or_default()
            .to_string();
        let total = totals
            .entry((month.clone(), entry.category))
            .or_insert_with(|| MonthTotal {
                month,
                category: entry.category,
                contributed_cents: 0,
                disbursed_cents: 0,
                disbursements: 0,
            });
        match entry.kind {
            LedgerKind::Contribution | LedgerKind::Adjustment => {
                total.contributed_cents = total
                    .contributed_cents
                    .saturating_add(entry.signed_amount())
            }
            LedgerKind::Disbursement => {
                total.disbursed_cents = total
                    .disbursed_cents
                    .saturating_add(entry.signed_amount().saturating_neg());
                total.disbursements += 1;
            }
        }
    }
    totals.into_values().collect()
}

/// The balance of each pool (one per category) after every entry.
pub fn balances(entries: &[LedgerEntry]) -> BTreeMap<AidCategory, i64> {
    let mut balances = BTreeMap::new();
    for entry in entries {
        let balance = balances.entry(entry.category).or_insert(0_i64);
        *balance = balance.saturating_add(entry.signed_amount());
    }
    balances
}

/// A pool whose running balance went below zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overdraw {
    pub category: AidCategory,
    /// The disbursement that first took the pool below zero.
    pub entry_id: String,
    pub lowest_balance_cents: i64,
    pub balance_now_cents: i64,
}

/// Replays the ledger in time order per pool. A merge of two coordinators'
/// offline payouts is exactly where this shows up. Times have one-second
/// resolution, so within one second money in counts before money out.
pub fn overdraws(entries: &[LedgerEntry]) -> Vec<Overdraw> {
    let mut ordered: Vec<&LedgerEntry> = entries.iter().collect();
    ordered.sort_by_key(|entry| (&entry.at, entry.signed_amount() < 0, &entry.id));
    let mut running: BTreeMap<AidCategory, i64> = BTreeMap::new();
    let mut found: BTreeMap<AidCategory, Overdraw> = BTreeMap::new();
    for entry in ordered {
        let balance = running.entry(entry.category).or_insert(0);
        *balance = balance.saturating_add(entry.signed_amount());
        if *balance < 0 {
            let overdraw = found.entry(entry.category).or_insert_with(|| Overdraw {
                category: entry.category,
                entry_id: entry.id.clone(),
                lowest_balance_cents: *balance,
                balance_now_cents: 0,
            });
            overdraw.lowest_balance_cents = overdraw.lowest_balance_cents.min(*balance);
        }
    }
    found
        .into_values()
        .map(|mut overdraw| {
            overdraw.balance_now_cents = running[&overdraw.category];
            overdraw
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, kind: LedgerKind, amount: i64, at: &str) -> LedgerEntry {
        LedgerEntry {
            id: id.into(),
            kind,
            category: AidCategory::Rent,
            amount_cents: amount,
            at: at.into(),
            party_pseudonym: "Heron".into(),
            request_id: None,
            recorded_by: "coordinator".into(),
            note: String::new(),
        }
    }

    #[test]
    fn two_offline_payouts_overdraw_the_pool() {
        let entries = [
            entry(
                "a",
                LedgerKind::Contribution,
                50_000,
                "2026-03-01T10:00:00Z",
            ),
            entry(
                "b",
                LedgerKind::Disbursement,
                40_000,
                "2026-03-02T10:00:00Z",
            ),
            entry(
                "c",
                LedgerKind::Disbursement,
                40_000,
                "2026-03-02T11:00:00Z",
            ),
        ];
        let found = overdraws(&entries);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].entry_id, "c");
        assert_eq!(found[0].lowest_balance_cents, -30_000);
        assert_eq!(balances(&entries)[&AidCategory::Rent], -30_000);
    }

    #[test]
    fn totals_are_grouped_by_month_and_category() {
        let entries = [
            entry(
                "a",
                LedgerKind::Contribution,
                10_000,
                "2026-03-01T10:00:00Z",
            ),
            entry("b", LedgerKind::Disbursement, 2_500, "2026-03-20T10:00:00Z"),
            entry("c", LedgerKind::Disbursement, 1_000, "2026-04-02T10:00:00Z"),
        ];
        let totals = totals_by_month(&entries);
        assert_eq!(totals.len(), 2);
        assert_eq!(
            (
                totals[0].month.as_str(),
                totals[0].contributed_cents,
                totals[0].disbursed_cents
            ),
            ("2026-03", 10_000, 2_500)
        );
        assert_eq!(
            (totals[1].month.as_str(), totals[1].disbursements),
            ("2026-04", 1)
        );
        assert!(overdraws(&entries).is_empty() || overdraws(&entries)[0].entry_id == "c");
    }
}
