//! Mutual aid: requests and offers under pseudonyms, matching, one ledger,
//! public totals, and the coordinators' view with names.

use holdfast_core::model::*;
use holdfast_core::rules::aid::{self as rules, MonthTotal};
use holdfast_core::{time, DocumentId, Record};
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
    check_range(amount_cents)
}

fn check_range(amount_cents: i64) -> Result<()> {
    if !holdfast_core::model::amount_in_range(amount_cents) {
        return Err(StoreError::rejected(
            "the amount is too large: one entry may be at most 1000000000.00",
        ));
    }
    Ok(())
}

/// What a request sealed to the coordinators holds.
#[derive(Debug, Serialize, serde::Deserialize)]
struct SealedRequest {
    member_id: String,
    note: String,
}

impl Campaign {
    /// Whether requests filed here are sealed to the coordinators: the
    /// campaign lists its devices and this one may not hold who asked.
    fn seals_for_coordinators(&self) -> Result<bool> {
        let devices = self.devices()?;
        if devices.is_empty() {
            return Ok(false);
        }
        let ours = self.device_id();
        Ok(!devices
            .iter()
            .any(|device| device.id == ours && device.may_hold_aid_identities()))
    }

    /// Seals `content` to every unrevoked device that may hold aid
    /// identities, with their sync keys; hex.
    fn seal_for_coordinators(&self, content: &[u8]) -> Result<String> {
        let recipients: Vec<[u8; 32]> = self
            .devices()?
            .iter()
            .filter(|device| device.may_hold_aid_identities())
            .filter_map(|device| {
                holdfast_core::signing::from_hex(&device.public_key)?
                    .try_into()
                    .ok()
            })
            .collect();
        if recipients.is_empty() {
            return Err(StoreError::rejected(
                "no aid coordinator's device is paired yet, so nobody could read who is asking; ask a steward to pair one",
            ));
        }
        let mut random = [[0_u8; 32]; 2];
        for bytes in &mut random {
            rand::RngCore::fill_bytes(&mut rand::rng(), bytes);
        }
        let sealed = holdfast_core::sealed::seal(&recipients, content, random[0], random[1])
            .ok_or_else(|| StoreError::rejected("too many coordinators' devices to seal for"))?;
        Ok(holdfast_core::signing::hex(&sealed))
    }

    /// On a coordinator's or steward's device: opens every sealed request
    /// that reached it and records who asked (and the note) in the
    /// coordinators' private document. Returns how many it opened.
    pub(crate) fn open_sealed_requests(&mut self) -> Result<usize> {
        let ours = self.device_id().to_string();
        let may_hold = self
            .devices()?
            .iter()
            .any(|device| device.id == ours && device.may_hold_aid_identities());
        let Some(secret) = self.local_value(crate::PRIVATE_KEY)? else {
            return Ok(0);
        };
        let Some(secret) = holdfast_core::signing::from_hex(&secret)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        else {
            return Ok(0);
        };
        if !may_hold {
            return Ok(0);
        }
        let public = holdfast_core::sealed::public_of(&secret);
        let devices = self.devices()?;
        let known: Vec<AidIdentity> = self.all()?;
        let mut opened = Vec::new();
        for request in self.aid_requests()? {
            let Some(sealed) = &request.sealed else {
                continue;
            };
            if known
                .iter()
                .any(|identity| identity.id == request.pseudonym)
            {
                continue;
            }
            let content = holdfast_core::signing::from_hex(sealed)
                .and_then(|bytes| holdfast_core::sealed::open(&bytes, &public, &secret))
                .and_then(|bytes| serde_json::from_slice::<SealedRequest>(&bytes).ok());
            // The box says who is asking; the request's record says which
            // device filed it. Only a box naming that device's own member
            // is believed: a phone cannot ask in someone else's name.
            let filed_by = holdfast_core::authority::creator_of(
                &self.loaded(&DocumentId::aid())?.doc,
                AidRequest::COLLECTION,
                &request.id,
            )
            .and_then(|actor| {
                devices
                    .iter()
                    .find(|device| {
                        holdfast_core::authority::actor_of(&device.id) == Some(actor.clone())
                    })
                    .and_then(|device| device.member_id.clone())
            });
            if let Some(content) =
                content.filter(|content| filed_by.as_ref() == Some(&content.member_id))
            {
                opened.push(AidIdentity {
                    id: request.pseudonym.clone(),
                    member_id: content.member_id,
                    contact_note: content.note,
                });
            }
        }
        if opened.is_empty() {
            return Ok(0);
        }
        let count = opened.len();
        self.write(
            &DocumentId::aid_private(),
            "record who asked for aid, from sealed requests",
            |writer| {
                for identity in &opened {
                    writer.put(identity)?;
                }
                Ok(())
            },
        )?;
        Ok(count)
    }

    /// Files a request. The public aid document gets a pseudonym; who is
    /// behind it goes only into the coordinators' private document. On a
    /// device that may not hold that document (a member's own phone), who
    /// is asking and the note are sealed to the coordinators' devices
    /// instead, inside the public request: they open it when it reaches
    /// them, and nobody else can.
    pub fn request_aid(&mut self, new: NewRequest) -> Result<AidRequest> {
        check_amount(new.amount_cents)?;
        let member = self.resolve_member(&new.member)?;
        let mut request = AidRequest {
            id: new_id(),
            pseudonym: new_pseudonym(),
            category: new.category,
            amount_cents: new.amount_cents,
            urgency: new.urgency,
            note: new.note,
            status: RequestStatus::Open,
            requested_at: time::now(),
            sealed: None,
        };
        // The note is for the coordinators: it never goes into the public
        // document, sealed or kept beside the name in theirs.
        let note = std::mem::take(&mut request.note);
        let mut contact_note = String::new();
        if self.seals_for_coordinators()? {
            let content = serde_json::to_vec(&SealedRequest {
                member_id: member.id.clone(),
                note,
            })?;
            request.sealed = Some(self.seal_for_coordinators(&content)?);
        } else {
            contact_note = note;
        }
        let identity = AidIdentity {
            id: request.pseudonym.clone(),
            member_id: member.id,
            contact_note,
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

    /// Every offer, newest first.
    pub fn aid_offers(&self) -> Result<Vec<AidOffer>> {
        let mut offers: Vec<AidOffer> = self.all()?;
        offers.sort_by(|left, right| {
            right
                .offered_at
                .cmp(&left.offered_at)
                .then_with(|| left.id.cmp(&right.id))
        });
        Ok(offers)
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
        let member = self.acting_member(member)?;
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
        } else {
            check_range(new.amount_cents)?;
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
        for mut request in self.aid_requests()? {
            let identity = identities
                .iter()
                .find(|identity| identity.id == request.pseudonym);
            // A sealed request's note came inside the box.
            if let Some(identity) = identity {
                if request.note.is_empty() && !identity.contact_note.is_empty() {
                    request.note = identity.contact_note.clone();
                }
            }
            let member_id = identity.map(|identity| identity.member_id.clone());
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

/// What a modified program on a member's phone can do: file a sealed
/// request naming any member, skipping the identity it may not keep.
/// Returns the pseudonym. Only the tests of the door build this.
#[cfg(feature = "hostile")]
pub fn forged_sealed_request(campaign: &mut Campaign, member: &str) -> Result<String> {
    let member = campaign.resolve_member(member)?;
    let content = serde_json::to_vec(&SealedRequest {
        member_id: member.id,
        note: "forged".into(),
    })?;
    let request = AidRequest {
        id: new_id(),
        pseudonym: new_pseudonym(),
        category: AidCategory::Rent,
        amount_cents: 100,
        urgency: Urgency::Urgent,
        note: String::new(),
        status: RequestStatus::Open,
        requested_at: time::now(),
        sealed: Some(campaign.seal_for_coordinators(&content)?),
    };
    campaign.write(&DocumentId::aid(), "request aid", |writer| {
        writer.put(&request)
    })?;
    Ok(request.pseudonym)
}
