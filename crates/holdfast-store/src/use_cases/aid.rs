//! Mutual aid: requests and offers under pseudonyms, matching, one ledger,
//! public totals, and the coordinators' view with names.

use holdfast_core::model::*;
use holdfast_core::rules::aid::{self as rules, MonthTotal};
use holdfast_core::{time, DocumentId};
use rand::seq::IndexedRandom;
use serde::Serialize;

use crate::{Campaign, Result, StoreError};

#[derive(Debug, Clone)]
pub struct NewRequest {
    pub member: String,
    pub category: AidCategory,
    pub amount_cents: i64,
    pub urgency: Urgency,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct NewLedgerEntry {
    pub kind: LedgerKind,
    pub category: AidCategory,
    pub amount_cents: i64,
    /// For a disbursement: the request it pays.
    pub request_id: Option<String>,
    /// For a contribution: who gave (id or name), shown only as a pseudonym.
    pub party: Option<String>,
    pub note: String,
    pub at: Option<String>,
}

/// A request as a coordinator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct NamedRequest {
    pub request: AidRequest,
    pub member_id: Option<String>,
    pub member_name: Option<String>,
}

const PSEUDONYM_COLOURS: &[&str] = &[
    "Amber", "Blue", "Cedar", "Copper", "Coral", "Dusk", "Fern", "Flint", "Golden", "Indigo",
    "Ivory", "Jade", "Juniper", "Maple", "Moss", "Ochre", "Olive", "Pine", "Quartz", "Rust",
    "Sage", "Slate", "Umber", "Willow",
];
const PSEUDONYM_ANIMALS: &[&str] = &[
    "Badger", "Crane", "Finch", "Fox", "Hare", "Heron", "Ibis", "Lynx", "Marten", "Moth", "Newt",
    "Otter", "Owl", "Plover", "Raven", "Robin", "Salmon", "Seal", "Sparrow", "Stoat", "Swift",
    "Tern", "Vole", "Wren",
];

fn new_pseudonym() -> String {
    let mut random = rand::rng();
    format!(
        "{} {} {:02}",
        PSEUDONYM_COLOURS.choose(&mut random).expect("not empty"),
        PSEUDONYM_ANIMALS.choose(&mut random).expect("not empty"),
        rand::Rng::random_range(&mut random, 0..100)
    )
}

fn check_amount(amount_cents: i64) -> Result<()> {
    if amount_cents <= 0 {
        return Err(StoreError::rejected("the amount must be more than zero"));
    }
    Ok(())
}

impl Campaign {
    /// Files a request. The public aid document gets a pseudonym; who is
    /// behind it goes only into the coordinators' private document.
    pub fn request_aid(&mut self, new: NewRequest) -> Result<AidRequest> {
        check_amount(new.amount_cents)?;
        let member = self.resolve_member(&new.member)?;
        let request = AidRequest {
            id: new_id(),
            pseudonym: new_pseudonym(),
            category: new.category,
            amount_cents: new.amount_cents,
            urgency: new.urgency,
            note: new.note,
            status: RequestStatus::Open,
            requested_at: time::now(),
        };
        let identity = AidIdentity {
            id: request.pseudonym.clone(),
            member_id: member.id,
            contact_note: String::new(),
        };
        self.write(
            &DocumentId::aid_private(),
            "record who asked for aid",
            |writer| writer.put(&identity),
        )?;
        self.write(&DocumentId::aid(), "request aid", |writer| {
            writer.put(&request)
        })?;
        Ok(request)
    }

    pub fn offer_aid(
        &mut self,
        member: &str,
        category: AidCategory,
        amount_cents: i64,
        note: &str,
    ) -> Result<AidOffer> {
        check_amount(amount_cents)?;
        let member = self.resolve_member(member)?;
        let offer = AidOffer {
            id: new_id(),
            pseudonym: new_pseudonym(),
            category,
            amount_cents,
            note: note.to_string(),
            offered_at: time::now(),
            withdrawn: false,
        };
        let identity = AidIdentity {
            id: offer.pseudonym.clone(),
            member_id: member.id,
            contact_note: String::new(),
        };
        self.write(
            &DocumentId::aid_private(),
            "record who offered aid",
            |writer| writer.put(&identity),
        )?;
        self.write(&DocumentId::aid(), "offer aid", |writer| writer.put(&offer))?;
        Ok(offer)
    }

    pub fn aid_requests(&self) -> Result<Vec<AidRequest>> {
        let mut requests: Vec<AidRequest> = self.all()?;
        requests.sort_by(|left, right| left.requested_at.cmp(&right.requested_at));
        Ok(requests)
    }

    pub fn aid_offers(&self) -> Result<Vec<AidOffer>> {
        self.all()
    }

    /// Open offers in the request's category that could cover it, largest first.
    pub fn suggest_matches(&self, request_id: &str) -> Result<Vec<AidOffer>> {
        let request = self.find_request(request_id)?;
        let taken: Vec<AidMatch> = self.all()?;
        let mut offers: Vec<AidOffer> = self
            .aid_offers()?
            .into_iter()
            .filter(|offer| !offer.withdrawn && offer.category == request.category)
            .filter(|offer| {
                !taken
                    .iter()
                    .any(|matched| matched.offer_id.as_deref() == Some(offer.id.as_str()))
            })
            .collect();
        offers.sort_by_key(|offer| std::cmp::Reverse(offer.amount_cents));
        Ok(offers)
    }

    fn find_request(&self, request_id: &str) -> Result<AidRequest> {
        self.find::<AidRequest>(request_id)?
            .ok_or_else(|| StoreError::not_found("aid request", request_id))
    }

    pub fn match_request(
        &mut self,
        request_id: &str,
        offer_id: Option<&str>,
        coordinator: &str,
    ) -> Result<AidMatch> {
        let mut request = self.find_request(request_id)?;
        let coordinator = self.require_coordinator(coordinator)?;
        if request.status != RequestStatus::Open {
            return Err(StoreError::rejected(format!(
                "the request is {}, not open",
                request.status
            )));
        }
        if let Some(offer_id) = offer_id {
            let offer = self
                .find::<AidOffer>(offer_id)?
                .ok_or_else(|| StoreError::not_found("aid offer", offer_id))?;
            if offer.category != request.category {
                return Err(StoreError::rejected("the offer is for another kind of aid"));
            }
        }
        let matched = AidMatch {
            id: new_id(),
            request_id: request.id.clone(),
            offer_id: offer_id.map(str::to_string),
            matched_by: coordinator.id,
            matched_at: time::now(),
        };
        request.status = RequestStatus::Matched;
        self.write(&DocumentId::aid(), "match an aid request", |writer| {
            writer.check_attention();
            writer.put(&matched)?;
            writer.put(&request)
        })?;
        Ok(matched)
    }

    /// The member, if they may act for the aid fund (a coordinator or steward).
    pub fn require_coordinator(&self, member: &str) -> Result<Member> {
        let member = self.resolve_member(member)?;
        if !member.has_role(Role::AidCoordinator) && !member.has_role(Role::Steward) {
            return Err(StoreError::rejected(format!(
                "{} is not an aid coordinator",
                member.name
            )));
        }
        Ok(member)
    }

    /// Adds a ledger entry. A disbursement that would take its pool below
    /// zero is refused here; two made apart can still overdraw it after a
    /// merge, and that shows up under needs attention.
    pub fn record_ledger_entry(
        &mut self,
        new: NewLedgerEntry,
        coordinator: &str,
    ) -> Result<LedgerEntry> {
        let coordinator = self.require_coordinator(coordinator)?;
        if new.kind != LedgerKind::Adjustment {
            check_amount(new.amount_cents)?;
        } else if new.amount_cents == 0 {
            return Err(StoreError::rejected(
                "an adjustment of zero changes nothing",
            ));
        }
        let mut party_pseudonym = String::new();
        let mut request = None;
        if let Some(request_id) = &new.request_id {
            let found = self.find_request(request_id)?;
            if found.category != new.category {
                return Err(StoreError::rejected(
                    "the request is for another kind of aid",
                ));
            }
            party_pseudonym = found.pseudonym.clone();
            request = Some(found);
        }
        let mut identity = None;
        if let Some(party) = &new.party {
            let member = self.resolve_member(party)?;
            let pseudonym = new_pseudonym();
            identity = Some(AidIdentity {
                id: pseudonym.clone(),
                member_id: member.id,
                contact_note: String::new(),
            });
            party_pseudonym = pseudonym;
        }
        if new.kind == LedgerKind::Disbursement {
            let balance = rules::balances(&self.all::<LedgerEntry>()?)
                .get(&new.category)
                .copied()
                .unwrap_or(0);
            if balance < new.amount_cents {
                return Err(StoreError::rejected(format!(
                    "the {} pool holds {:.2}, less than {:.2}",
                    new.category,
                    balance as f64 / 100.0,
                    new.amount_cents as f64 / 100.0
                )));
            }
        }
        let entry = LedgerEntry {
            id: new_id(),
            kind: new.kind,
            category: new.category,
            amount_cents: new.amount_cents,
            at: match &new.at {
                Some(at) => time::format_instant(time::parse_instant(at)?),
                None => time::now(),
            },
            party_pseudonym,
            request_id: new.request_id.clone(),
            recorded_by: coordinator.id,
            note: new.note,
        };
        if let Some(identity) = identity {
            self.write(&DocumentId::aid_private(), "record who gave", |writer| {
                writer.put(&identity)
            })?;
        }
        self.write(&DocumentId::aid(), "add a ledger entry", |writer| {
            writer.check_attention();
            writer.put(&entry)?;
            if let Some(mut request) = request.filter(|_| entry.kind == LedgerKind::Disbursement) {
                request.status = RequestStatus::Fulfilled;
                writer.put(&request)?;
            }
            Ok(())
        })?;
        Ok(entry)
    }

    pub fn ledger(&self) -> Result<Vec<LedgerEntry>> {
        let mut entries: Vec<LedgerEntry> = self.all()?;
        entries.sort_by(|left, right| (&left.at, &left.id).cmp(&(&right.at, &right.id)));
        Ok(entries)
    }

    /// Totals by category and month: what every member may see.
    pub fn aid_totals(&self) -> Result<Vec<MonthTotal>> {
        Ok(rules::totals_by_month(&self.ledger()?))
    }

    pub fn aid_balances(&self) -> Result<std::collections::BTreeMap<AidCategory, i64>> {
        Ok(rules::balances(&self.ledger()?))
    }

    /// Requests with the names behind them. Only a device holding the
    /// coordinators' private document can answer; others get pseudonyms only.
    pub fn coordinator_view(&self) -> Result<Vec<NamedRequest>> {
        let identities: Vec<AidIdentity> = self.all()?;
        let mut view = Vec::new();
        for request in self.aid_requests()? {
            let member_id = identities
                .iter()
                .find(|identity| identity.id == request.pseudonym)
                .map(|identity| identity.member_id.clone());
            let member_name = match &member_id {
                Some(id) => self.find::<Member>(id)?.map(|member| member.name),
                None => None,
            };
            view.push(NamedRequest {
                request,
                member_id,
                member_name,
            });
        }
        Ok(view)
    }
}
