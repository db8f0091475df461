//! The third step of a connection: flights. Each side in turn sends a
//! flight (the connecting side's first one lists the documents it holds for
//! the peer), and each flight's Automerge sync messages are checked and
//! applied through the store's door, until a side has nothing to say.

use std::collections::{BTreeMap, BTreeSet};

use automerge::sync;
use holdfast_core::model::Device;
use holdfast_core::rebase::Epoch;
use holdfast_core::{DocumentId, DocumentKind};
use holdfast_store::{Campaign, Rebase};

use super::histories::Histories;
use super::{write_message, Message, Report, Session, Side, Stage, Status};
use crate::error::{Result, SyncError};
use crate::validate::validate_sync_message;
use crate::wire::HeadsDigest;

impl Session {
    /// The initiator's first flight: which documents it holds for this peer
    /// (with a digest of their heads), and sync messages for the documents
    /// that changed here since the last sync with this peer.
    pub(super) fn first_flight(&mut self, campaign: &mut Campaign) -> Result<Message> {
        let peer = self.peer_device()?.clone();
        let (announce, active) = plan_first_flight(campaign, &peer)?;
        self.active = active;
        let syncs = self.generate(campaign)?;
        Ok(Message::Flight {
            announce: Some(announce),
            syncs,
            epochs: Vec::new(),
            rebases: Vec::new(),
        })
    }

    /// A flight from the peer, in its stages: the list of documents (the
    /// connecting side's first flight only), epochs and new histories,
    /// the sync messages, then this side's answer.
    pub(super) fn on_flight(
        &mut self,
        campaign: &mut Campaign,
        flight: Flight,
        send: &mut Vec<u8>,
    ) -> Result<Status> {
        self.report.round_trips += usize::from(self.side == Side::Initiator);
        let peer = self.peer_device()?.clone();
        let Flight {
            announce,
            syncs,
            epochs,
            rebases,
        } = flight;
        let empty =
            announce.is_none() && syncs.is_empty() && epochs.is_empty() && rebases.is_empty();
        let mut reply = Histories::default();
        // Documents whose sync messages in this flight were written against
        // the other side's history, and must not be applied to this one.
        let mut stale = BTreeSet::new();
        match announce {
            Some(announce) => {
                self.take_announce(campaign, &peer, announce, &mut reply, &mut stale)?
            }
            None if !self.announce_received && self.side == Side::Responder => {
                return Err(SyncError::Unexpected(
                    "a flight without the list of documents",
                ));
            }
            None => {}
        }
        self.take_epochs(campaign, &peer, epochs, &mut reply, &mut stale)?;
        self.take_rebases(campaign, &peer, rebases, &mut stale)?;
        self.take_syncs(campaign, &peer, syncs, &stale)?;
        self.answer(campaign, empty, reply, send)
    }

    /// The connecting side's list of the documents it holds for this
    /// device: which differ, which it lacks, and which are in another
    /// history.
    fn take_announce(
        &mut self,
        campaign: &mut Campaign,
        peer: &Device,
        announce: Announce,
        reply: &mut Histories,
        stale: &mut BTreeSet<DocumentId>,
    ) -> Result<()> {
        if self.announce_received || self.side == Side::Initiator {
            return Err(SyncError::Unexpected("a second list of documents"));
        }
        self.announce_received = true;
        let mut announced = BTreeSet::new();
        let sharing = campaign.sharing_with(peer)?;
        for (id, their_epoch, their_digest) in announce {
            if !sharing.allows(&id)? {
                // Offered a document this device may not hold from this
                // peer (personal notes, or aid identities to a member):
                // it is simply not synced.
                continue;
            }
            announced.insert(id.clone());
            let ours = campaign.epoch(&id)?;
            if ours != their_epoch {
                stale.insert(id.clone());
                reply.epochs.push((id.clone(), ours));
                self.apart.insert(id.clone());
                if ours > their_epoch {
                    self.offer_rebase(campaign, &id, reply)?;
                }
                continue;
            }
            let heads = campaign.document_heads(&id)?;
            if digest(&heads) != their_digest {
                self.activate(campaign, peer, &id)?;
            }
        }
        // Documents the peer did not list are ones it lacks: it can
        // make their first change itself, so the reply carries all the
        // rest at once instead of first asking what the peer holds.
        for id in campaign.documents_for(peer)? {
            if !announced.contains(&id) {
                if campaign.epoch(&id)? == Epoch::ZERO {
                    self.activate_lacking(campaign, peer, &id)?;
                } else {
                    self.apart.insert(id.clone());
                    self.offer_rebase(campaign, &id, reply)?;
                }
            }
        }
        Ok(())
    }

    /// The flight's Automerge sync messages, checked and applied through
    /// the store's door, the campaign document first.
    fn take_syncs(
        &mut self,
        campaign: &mut Campaign,
        peer: &Device,
        mut syncs: Vec<SyncEntry>,
        stale: &BTreeSet<DocumentId>,
    ) -> Result<()> {
        // The campaign document first: it says who may write the others.
        syncs.sort_by_key(|(id, _, _)| *id != DocumentId::campaign());
        for (id, bytes, signatures) in syncs {
            // A member's arrivals are taken from any paired device (a captain's
            // phone since demoted still carries the check-ins it recorded
            // with the role; the door checks each one), but only sent to
            // the devices `may_share` names.
            let hand_in_only = !campaign.may_share(&id, peer)?;
            if hand_in_only && id.kind().ok() != Some(DocumentKind::Arrivals) {
                return Err(SyncError::NotAllowed {
                    document: id.to_string(),
                });
            }
            if stale.contains(&id) || self.apart.contains(&id) {
                // Written against the other history; the peer learns why
                // from the epochs in the reply.
                continue;
            }
            validate_sync_message(&bytes, &self.config.limits).map_err(|source| {
                SyncError::InvalidSyncMessage {
                    document: id.to_string(),
                    source,
                }
            })?;
            let message = sync::Message::decode(&bytes).map_err(|error| {
                SyncError::UndecodableSyncMessage {
                    document: id.to_string(),
                    reason: error.to_string(),
                }
            })?;
            let mut handed_in = sync::State::new();
            let state = if hand_in_only {
                &mut handed_in
            } else {
                self.activate(campaign, peer, &id)?;
                self.active.get_mut(&id).expect("activated above")
            };
            let received = campaign.receive_sync_message(&id, state, message, &signatures)?;
            self.report.changes_received += received.new_changes;
            self.report.changes_refused += received.refused;
            // A revocation that arrived just now may have dropped changes
            // from documents: their sync starts afresh from what remains.
            for rewritten in campaign.take_rewritten() {
                if let Some(state) = self.active.get_mut(&rewritten) {
                    *state = sync::State::new();
                }
            }
        }
        Ok(())
    }

    /// This side's answer to a flight: more sync messages and histories,
    /// an empty flight that says it has nothing more, or the end.
    fn answer(
        &mut self,
        campaign: &mut Campaign,
        empty: bool,
        reply: Histories,
        send: &mut Vec<u8>,
    ) -> Result<Status> {
        // The side that connected decides when the session ends, and an
        // empty flight from it ends the session for the hub too, even if
        // changes from other phones arrived meanwhile: those go next time.
        // Without this, a hub busy with fifty phones keeps every session
        // chasing the others' writes, and a phone that closes after its
        // empty flight meets one more flight on a closed socket.
        let settled = match self.side {
            Side::Responder => empty,
            Side::Initiator => !empty && reply.is_empty() && self.settled(campaign)?,
        };
        let replies = if settled {
            Vec::new()
        } else {
            self.generate(campaign)?
        };
        let Stage::Open(transport) = &mut self.stage else {
            return Err(SyncError::Unexpected("a flight before the channel opened"));
        };
        if !replies.is_empty() || !reply.is_empty() {
            write_message(
                transport,
                &Message::Flight {
                    announce: None,
                    syncs: replies,
                    epochs: reply.epochs,
                    rebases: reply.rebases,
                },
                send,
            )?;
            return Ok(Status::Continue);
        }
        if !empty {
            // Nothing more to say: tell the peer so, and finish.
            write_message(
                transport,
                &Message::Flight {
                    announce: None,
                    syncs: Vec::new(),
                    epochs: Vec::new(),
                    rebases: Vec::new(),
                },
                send,
            )?;
        }
        self.finish(campaign)
    }

    /// Whether, for every document in this session, this device now holds
    /// exactly the heads the peer last announced: the peer had all of this
    /// device's changes, and this device all of the peer's, when it spoke.
    /// Changes one side refused at its door do not count: they were sent
    /// once and will not be taken, so waiting for them would never end.
    fn settled(&self, campaign: &mut Campaign) -> Result<bool> {
        for (id, state) in &self.active {
            let Some(theirs) = &state.their_heads else {
                return Ok(false);
            };
            let mut theirs = theirs.clone();
            theirs.sort();
            if campaign.document_heads(id)? != theirs
                && !campaign.differs_only_by_refusals(id, &theirs, &state.sent_hashes)?
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Like `activate`, for a document the peer does not hold at all.
    fn activate_lacking(
        &mut self,
        campaign: &Campaign,
        peer: &Device,
        id: &DocumentId,
    ) -> Result<()> {
        if !self.active.contains_key(id) {
            let mut state = campaign.sync_state(&peer.public_key, id)?;
            prime_from_genesis(&mut state, id)?;
            self.active.insert(id.clone(), state);
        }
        Ok(())
    }

    fn activate(&mut self, campaign: &Campaign, peer: &Device, id: &DocumentId) -> Result<()> {
        if !self.active.contains_key(id) {
            let mut state = campaign.sync_state(&peer.public_key, id)?;
            prime(&mut state);
            self.active.insert(id.clone(), state);
        }
        Ok(())
    }

    fn generate(&mut self, campaign: &mut Campaign) -> Result<Vec<SyncEntry>> {
        let mut syncs = Vec::new();
        for (id, state) in self.active.iter_mut() {
            if let Some((message, signatures)) = campaign.generate_sync_message(id, state)? {
                self.report.changes_sent += message.changes.len();
                syncs.push((id.clone(), message.encode(), signatures));
            }
        }
        Ok(syncs)
    }

    fn finish(&mut self, campaign: &mut Campaign) -> Result<Status> {
        let peer = self.peer_device()?.clone();
        let states: Vec<(DocumentId, sync::State)> =
            std::mem::take(&mut self.active).into_iter().collect();
        if self.config.collapse_heads {
            for (id, _) in &states {
                campaign.collapse_heads(id)?;
            }
        }
        campaign.save_sync_states(&peer.public_key, &states)?;
        Ok(Status::Done(Report {
            peer_key: peer.public_key.clone(),
            peer_device: peer.id.clone(),
            peer_label: peer.label.clone(),
            documents: states.len(),
            documents_apart: self.apart.len(),
            ..self.report.clone()
        }))
    }
}

/// One document's part of a flight: its Automerge sync message and the
/// signatures of the changes in it.
pub(super) type SyncEntry = (DocumentId, Vec<u8>, holdfast_store::Signatures);

/// The parts of a flight after the announcement, as one value.
pub(super) struct Flight {
    pub(super) announce: Option<Vec<(DocumentId, Epoch, HeadsDigest)>>,
    pub(super) syncs: Vec<SyncEntry>,
    pub(super) epochs: Vec<(DocumentId, Epoch)>,
    pub(super) rebases: Vec<Rebase>,
}

/// A stored sync state only remembers the heads both sides shared. Assuming
/// the peer still has them lets the first message carry the changes made
/// since, instead of spending a round trip to learn what the peer has. If the
/// peer lost them, Automerge's own `need` list repairs it on the next flight.
fn prime(state: &mut sync::State) {
    if state.shared_heads.is_empty() {
        return;
    }
    let shared = state.shared_heads.clone();
    prime_from(state, shared);
}

/// The list of documents a first flight announces.
pub type Announce = Vec<(DocumentId, Epoch, HeadsDigest)>;

/// What the connecting side's first flight says: every document it holds
/// for the peer, with its epoch and a digest of its heads, and a primed
/// sync state for each document that changed since the two last synced
/// (the sync messages are generated from these). The load bench sizes the
/// first flight through this too.
pub fn plan_first_flight(
    campaign: &mut Campaign,
    peer: &Device,
) -> Result<(Announce, BTreeMap<DocumentId, sync::State>)> {
    let mut announce = Vec::new();
    let mut active = BTreeMap::new();
    for id in campaign.documents_for(peer)? {
        let heads = campaign.document_heads(&id)?;
        announce.push((id.clone(), campaign.epoch(&id)?, digest(&heads)));
        let mut state = campaign.sync_state(&peer.public_key, &id)?;
        if state.shared_heads != heads {
            if state.shared_heads.is_empty() && fresh_arrivals(campaign, &id)? {
                prime_from_genesis(&mut state, &id)?;
            } else {
                prime(&mut state);
            }
            active.insert(id, state);
        }
    }
    Ok((announce, active))
}

/// Primes a sync state as if the peer last held `heads`.
fn prime_from(state: &mut sync::State, heads: Vec<automerge::ChangeHash>) {
    if state.their_heads.is_some() {
        return;
    }
    state.their_heads = Some(heads.clone());
    state.their_need = Some(Vec::new());
    state.their_have = Some(vec![sync::Have {
        last_sync: heads,
        bloom: sync::BloomFilter::default(),
    }]);
}

/// Primes a sync state as if the peer held only the document's first
/// change, which every device can make itself (`documents::genesis`).
fn prime_from_genesis(state: &mut sync::State, id: &DocumentId) -> Result<()> {
    let mut genesis =
        holdfast_core::documents::genesis(id).map_err(holdfast_store::StoreError::from)?;
    prime_from(state, genesis.get_heads());
    Ok(())
}

/// Whether a document is a member's arrivals this device has never synced
/// with the peer, in its first history. Every device can make a document's
/// first change itself (`documents::genesis`), so the first flight carries
/// everything after it: a phone's first check-in reaches the hub in the
/// first flight instead of after a round trip to learn that the hub lacks
/// the document. If the peer held more, Automerge's `need` list repairs it.
fn fresh_arrivals(campaign: &Campaign, id: &DocumentId) -> Result<bool> {
    Ok(id.kind().ok() == Some(DocumentKind::Arrivals) && campaign.epoch(id)? == Epoch::ZERO)
}

/// The first eight bytes of a BLAKE2s hash of the sorted heads.
pub fn digest(heads: &[automerge::ChangeHash]) -> HeadsDigest {
    use blake2::{Blake2s256, Digest};
    let mut sorted = heads.to_vec();
    sorted.sort();
    let mut hasher = Blake2s256::new();
    for head in &sorted {
        hasher.update(head.as_ref());
    }
    hasher.finalize()[..8].try_into().expect("eight bytes")
}
