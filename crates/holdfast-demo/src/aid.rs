//! Mutual aid: offers, requests matched by coordinators, and one ledger of
//! contributions and disbursements that never takes a pool below zero.

use std::collections::BTreeMap;

use chrono::Duration;
use holdfast_core::model::{
    AidCategory, AidMatch, AidOffer, AidRequest, LedgerKind, Role, Urgency,
};
use holdfast_core::DocumentId;
use holdfast_store::use_cases::aid::{NewLedgerEntry, NewRequest};
use holdfast_store::StoreError;
use rand::seq::IndexedRandom;
use rand::Rng;

use crate::text::{CONTRIBUTION_NOTES, DISBURSEMENT_NOTES, OFFER_NOTES, REQUEST_NOTES};
use crate::{instant, shifted, Seeder};

/// Working minutes in a day: entries fall between 08:00 and 20:00.
const WORKING_MINUTES: i64 = 12 * 60;

/// What a request of each kind usually asks for, in cents.
fn request_range(category: AidCategory) -> std::ops::Range<i64> {
    match category {
        AidCategory::Rent => 30_000..90_000,
        AidCategory::Fund => 10_000..50_000,
        AidCategory::Childcare => 5_000..20_000,
        AidCategory::Pantry => 4_000..15_000,
        AidCategory::Rides => 1_500..6_000,
    }
}

/// What a member asks the fund for.
struct Need<'a> {
    category: AidCategory,
    amount: i64,
    note: &'a str,
}

/// Dates to give records once they exist: the store stamps them with the
/// moment of the edit, and the demo's history happened in the past.
#[derive(Default)]
struct Dates {
    requests: Vec<(String, String)>,
    offers: Vec<(String, String)>,
    matches: Vec<(String, String)>,
}

impl Seeder<'_> {
    pub(crate) fn aid(&mut self) -> Result<(), StoreError> {
        let coordinators: Vec<String> = self
            .with_role(Role::AidCoordinator)
            .into_iter()
            .map(|index| self.members[index].id.clone())
            .collect();
        let mut dates = Dates::default();
        let history = self.size.history_days;

        // Offers: standing offers of help, some of which matches draw on.
        let offer_count = OFFER_NOTES.len().max(self.members.len() / 80);
        let mut offers: Vec<(String, AidCategory, bool)> = Vec::new();
        for index in 0..offer_count {
            let (category, note) = OFFER_NOTES[index % OFFER_NOTES.len()];
            let category: AidCategory = category.parse()?;
            let member = self.random_member();
            let amount = request_range(category).end;
            let offer = self.campaign.offer_aid(&member, category, amount, note)?;
            self.summary.aid_offers += 1;
            let days_ago = self.random.random_range(5..history - 5);
            dates
                .offers
                .push((offer.id.clone(), instant(self.days_ago(days_ago), 18 * 60)));
            offers.push((offer.id, category, false));
        }

        // The ledger, in time order, so the running balance of every pool
        // stays at or above zero, as it does when coordinators pay out only
        // what is there.
        let count = self.size.ledger_entries as i64;
        let start = self.days_ago(history - 5);
        let span = (history - 6) * WORKING_MINUTES;
        let mut balances: BTreeMap<AidCategory, i64> = BTreeMap::new();
        for index in 0..count {
            let position = index * span / count.max(1);
            let day = start + Duration::days(position / WORKING_MINUTES);
            let at = instant(day, 8 * 60 + position % WORKING_MINUTES);
            let coordinator = coordinators
                .choose(&mut self.random)
                .expect("the demo has coordinators")
                .clone();
            let seeding = (index as usize) < AidCategory::ALL.len();
            let (category, note) = if seeding {
                (AidCategory::ALL[index as usize], "")
            } else {
                let (category, note) = REQUEST_NOTES
                    .choose(&mut self.random)
                    .expect("there are notes");
                (category.parse()?, *note)
            };
            let amount = self.random.random_range(request_range(category));
            let balance = balances.get(&category).copied().unwrap_or(0);
            if !seeding && self.random.random_bool(0.45) && balance >= amount {
                let need = Need {
                    category,
                    amount,
                    note,
                };
                let request_id =
                    self.matched_request(&need, &coordinator, &at, &mut offers, &mut dates)?;
                let paid_note = DISBURSEMENT_NOTES
                    .choose(&mut self.random)
                    .expect("there are notes");
                self.campaign.record_ledger_entry(
                    NewLedgerEntry {
                        kind: LedgerKind::Disbursement,
                        category,
                        amount_cents: amount,
                        request_id: Some(request_id),
                        party: None,
                        note: paid_note.to_string(),
                        at: Some(at),
                    },
                    &coordinator,
                )?;
                *balances.entry(category).or_insert(0) -= amount;
            } else {
                // Outside donations are large; members give small amounts often.
                let from_member = self.random.random_bool(0.6);
                let amount = if from_member {
                    self.random.random_range(1_000..15_000)
                } else {
                    self.random.random_range(20_000..250_000)
                };
                let party = from_member.then(|| self.random_member());
                let note = CONTRIBUTION_NOTES
                    .choose(&mut self.random)
                    .expect("there are notes");
                self.campaign.record_ledger_entry(
                    NewLedgerEntry {
                        kind: LedgerKind::Contribution,
                        category,
                        amount_cents: amount,
                        request_id: None,
                        party,
                        note: note.to_string(),
                        at: Some(at),
                    },
                    &coordinator,
                )?;
                *balances.entry(category).or_insert(0) += amount;
            }
            self.summary.ledger_entries += 1;
        }

        // A few recent requests are still open, and one or two are matched
        // and waiting to be paid.
        let open = (self.size.ledger_entries / 15).clamp(3, 40);
        for index in 0..open {
            let (category, note) = REQUEST_NOTES[index % REQUEST_NOTES.len()];
            let category: AidCategory = category.parse()?;
            let amount = self.random.random_range(request_range(category));
            let member = self.random_member();
            let request = self.campaign.request_aid(NewRequest {
                member,
                category,
                amount_cents: amount,
                urgency: *Urgency::ALL.choose(&mut self.random).expect("not empty"),
                note: note.to_string(),
            })?;
            self.summary.aid_requests += 1;
            let days_ago = self.random.random_range(1..10);
            let requested_at = instant(self.days_ago(days_ago), 9 * 60 + 17 * index as i64 % 600);
            if index % 3 == 1 {
                let coordinator = coordinators[index % coordinators.len()].clone();
                let matched = self
                    .campaign
                    .match_request(&request.id, None, &coordinator)?;
                self.summary.aid_matches += 1;
                dates
                    .matches
                    .push((matched.id, shifted(&requested_at, 6 * 60)?));
            }
            dates.requests.push((request.id, requested_at));
        }

        self.date_aid(&dates)
    }

    /// Files a request from a member and has a coordinator match it, maybe
    /// to a standing offer; returns the request's id.
    fn matched_request(
        &mut self,
        need: &Need<'_>,
        coordinator: &str,
        paid_at: &str,
        offers: &mut [(String, AidCategory, bool)],
        dates: &mut Dates,
    ) -> Result<String, StoreError> {
        let member = self.random_member();
        let urgency = *[Urgency::Low, Urgency::Soon, Urgency::Soon, Urgency::Urgent]
            .choose(&mut self.random)
            .expect("not empty");
        let request = self.campaign.request_aid(NewRequest {
            member,
            category: need.category,
            amount_cents: need.amount,
            urgency,
            note: need.note.to_string(),
        })?;
        self.summary.aid_requests += 1;
        let offer = offers
            .iter_mut()
            .find(|(_, offered, used)| *offered == need.category && !used)
            .filter(|_| self.random.random_bool(0.5));
        let offer_id = offer.map(|(id, _, used)| {
            *used = true;
            id.clone()
        });
        let matched = self
            .campaign
            .match_request(&request.id, offer_id.as_deref(), coordinator)?;
        self.summary.aid_matches += 1;
        let waited = self.random.random_range(2..6);
        dates
            .requests
            .push((request.id.clone(), shifted(paid_at, -24 * 60 * waited)?));
        dates
            .matches
            .push((matched.id, shifted(paid_at, -20 * 60)?));
        Ok(request.id)
    }

    fn random_member(&mut self) -> String {
        let index = self.random.random_range(0..self.members.len());
        self.members[index].id.clone()
    }

    /// Gives requests, offers and matches the dates they would have had,
    /// in one change to the aid document.
    fn date_aid(&mut self, dates: &Dates) -> Result<(), StoreError> {
        self.campaign.write(
            &DocumentId::aid(),
            "date the demo's aid history",
            |writer| {
                for (id, at) in &dates.requests {
                    if let Some(mut request) = writer.get::<AidRequest>(id)? {
                        request.requested_at = at.clone();
                        writer.put(&request)?;
                    }
                }
                for (id, at) in &dates.offers {
                    if let Some(mut offer) = writer.get::<AidOffer>(id)? {
                        offer.offered_at = at.clone();
                        writer.put(&offer)?;
                    }
                }
                for (id, at) in &dates.matches {
                    if let Some(mut matched) = writer.get::<AidMatch>(id)? {
                        matched.matched_at = at.clone();
                        writer.put(&matched)?;
                    }
                }
                Ok(())
            },
        )
    }
}
