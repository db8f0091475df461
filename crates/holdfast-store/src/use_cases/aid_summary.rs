//! The public picture of mutual aid, month by month and category by
//! category: what was asked for, offered, given and paid out. It holds counts
//! and sums only, never a pseudonym, so every member may see it.

use std::collections::BTreeMap;

use holdfast_core::model::*;
use holdfast_core::rules::aid::totals_by_month;
use holdfast_core::time;
use serde::Serialize;

use crate::{Campaign, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AidSummaryRow {
    /// `YYYY-MM`.
    pub month: String,
    pub category: AidCategory,
    /// Requests filed this month, whatever became of them since (withdrawn ones excepted).
    pub requests: i64,
    pub requested_cents: i64,
    /// Offers made this month and not withdrawn.
    pub offers: i64,
    pub offered_cents: i64,
    /// From the ledger: contributions and adjustments in, disbursements out.
    pub contributed_cents: i64,
    pub disbursed_cents: i64,
    pub disbursements: i64,
}

fn row_for(
    rows: &mut BTreeMap<(String, AidCategory), AidSummaryRow>,
    month: String,
    category: AidCategory,
) -> &mut AidSummaryRow {
    rows.entry((month.clone(), category))
        .or_insert_with(|| AidSummaryRow {
            month,
            category,
            ..AidSummaryRow::default()
        })
}

fn month_of(instant: &str) -> String {
    time::day_of(instant)
        .get(..7)
        .unwrap_or_default()
        .to_string()
}

impl Campaign {
    /// Public aid figures by month and category, oldest month first.
    pub fn aid_summary(&self) -> Result<Vec<AidSummaryRow>> {
        let mut rows: BTreeMap<(String, AidCategory), AidSummaryRow> = BTreeMap::new();
        for request in self.aid_requests()? {
            if request.status == RequestStatus::Withdrawn {
                continue;
            }
            let row = row_for(&mut rows, month_of(&request.requested_at), request.category);
            row.requests += 1;
            row.requested_cents = row.requested_cents.saturating_add(request.amount_cents);
        }
        for offer in self.aid_offers()? {
            if offer.withdrawn {
                continue;
            }
            let row = row_for(&mut rows, month_of(&offer.offered_at), offer.category);
            row.offers += 1;
            row.offered_cents = row.offered_cents.saturating_add(offer.amount_cents);
        }
        for total in totals_by_month(&self.ledger()?) {
            let row = row_for(&mut rows, total.month, total.category);
            row.contributed_cents = row
                .contributed_cents
                .saturating_add(total.contributed_cents);
            row.disbursed_cents = row.disbursed_cents.saturating_add(total.disbursed_cents);
            row.disbursements += total.disbursements;
        }
        Ok(rows.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::use_cases::aid::NewRequest;
    use crate::use_cases::members::NewMember;
    use crate::Campaign;
    use holdfast_core::model::{AidCategory, Urgency};

    #[test]
    fn requests_and_offers_count_in_their_month_without_names() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let mut campaign = Campaign::create(folder.path(), "Summary", "Local 1").expect("created");
        let member = campaign
            .add_member(NewMember {
                name: "Ana Ferreira".into(),
                ..NewMember::default()
            })
            .expect("member");
        for amount_cents in [5_000, 7_500] {
            campaign
                .request_aid(NewRequest {
                    member: member.id.clone(),
                    category: AidCategory::Rent,
                    amount_cents,
                    urgency: Urgency::Soon,
                    note: String::new(),
                })
                .expect("request");
        }
        campaign
            .offer_aid(&member.id, AidCategory::Rides, 2_000, "Saturday mornings")
            .expect("offer");
        let summary = campaign.aid_summary().expect("summary");
        let rent = summary
            .iter()
            .find(|row| row.category == AidCategory::Rent)
            .expect("a rent row");
        assert_eq!((rent.requests, rent.requested_cents), (2, 12_500));
        let rides = summary
            .iter()
            .find(|row| row.category == AidCategory::Rides)
            .expect("a rides row");
        assert_eq!((rides.offers, rides.offered_cents), (1, 2_000));
        let json = serde_json::to_string(&summary).expect("json");
        assert!(!json.contains("Ana"), "the summary must never carry a name");
    }
}
