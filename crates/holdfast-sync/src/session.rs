//! One sync connection as a state machine: bytes in, bytes out.
//!
//! The socket, timers and threads live in `holdfast-net`; this file only
//! turns what arrived into what to send, reading and writing the campaign
//! through the store. That keeps every refusal path testable without a
//! network, and lets the same code run in the hub, the desktop app and a
//! phone.
//!
//! A connection runs in three steps:
//! 1. the initiator says hello in the clear (protocol name, mode);
//! 2. the Noise XX handshake: each side proves its long-term key, and checks
//!    the other's against the campaign's device list; an unpaired or revoked
//!    device is refused here, before a byte of campaign data moves;
//! 3. flights: each side in turn sends Automerge sync messages for the
//!    documents that differ, until a side has nothing to say.

use std::collections::{BTreeMap, BTreeSet};

use automerge::sync;
use holdfast_core::model::{Device, Role};
use holdfast_core::rebase::Epoch;
use holdfast_core::{DocumentId, DocumentKind};
use holdfast_store::{Campaign, Rebase};

use crate::error::{Result, SyncError};
use crate::frame::{self, FrameKind, FrameReader, MAX_FRAME_BODY};
use crate::identity::{to_hex, Identity};
use crate::noise::{self, TAG_BYTES};
use crate::validate::{validate_sync_message, Limits};
use crate::wire::{HeadsDigest, Message};

/// What the clear-text hello starts with.
pub const MAGIC: &[u8; 4] = b"HFS1";
const MODE_SYNC: u8 = 1;
pub(crate) const MODE_PAIR: u8 = 2;

/// What a device pairing with an invite the hub will not take is told, in
/// the clear, whatever the reason.
pub const INVITE_REFUSED: &str =
    "this invite cannot be used: it is unknown here, already used or expired; ask a steward for a new one";

/// Limits and choices for one connection.
#[derive(Debug, Clone)]
pub struct Config {
    pub limits: Limits,
    /// The largest application message, reassembled from frames.
    pub max_message_bytes: usize,
    /// Whether this side records a merge change when a sync leaves a
    /// document with several heads. Hubs do; phones need not.
    pub collapse_heads: bool,
    /// Whether `receive` stops once the peer has proved its key, leaving
    /// whatever came after the handshake unread until the next call (which
    /// may hand it no bytes at all). A hub uses this to decide whether it
    /// has room for the device before anything the device sent is applied.
    pub pause_after_handshake: bool,
    /// Where the peer was reached. When set, a session that finishes notes
    /// the sync in the log of peers (`Campaign::record_sync`) in the same
    /// commit as everything else it wrote.
    pub peer_address: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            limits: Limits::default(),
            max_message_bytes: 32 * 1024 * 1024,
            collapse_heads: false,
            pause_after_handshake: false,
            peer_address: None,
        }
    }
}

/// What the caller should do after handing bytes to a session.
#[derive(Debug)]
pub struct Output {
    /// Bytes to write to the socket, possibly none.
    pub send: Vec<u8>,
    pub status: Status,
}

#[derive(Debug)]
pub enum Status {
    /// Keep reading.
    Continue,
    /// Write `send`, then close: the sync finished.
    Done(Report),
    /// Write `send` (a refusal the peer should see), then close.
    Failed(SyncError),
}

/// What a finished connection did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub peer_key: String,
    pub peer_device: String,
    pub peer_label: String,
    pub documents: usize,
    pub changes_sent: usize,
    pub changes_received: usize,
    /// Changes the peer sent that this device refused at the door.
    pub changes_refused: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// How many times this side waited for the peer: the handshake reply
    /// (for the side that connected) and every flight it received.
    pub round_trips: usize,
    /// Set when the connection paired a new device.
    pub paired_device: Option<String>,
    /// New histories (after an erasure) installed from the peer.
    pub rebases_received: usize,
    /// New histories sent to the peer.
    pub rebases_sent: usize,
    /// Documents left unsynced because the two sides hold different
    /// histories and neither is a steward's device that could settle it.
    pub documents_apart: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Initiator,
    Responder,
}

enum Stage {
    /// Initiator: hello and handshake message 1 sent.
    AwaitingHandshakeReply(Box<snow::HandshakeState>),
    /// Responder: nothing received yet.
    AwaitingHello,
    /// Responder: hello received; handshake message 1 expected.
    AwaitingHandshakeStart(
        Box<snow::HandshakeState>,
        Option<holdfast_store::use_cases::pairing::InviteGrant>,
    ),
    /// Responder: handshake message 2 sent; message 3 expected.
    AwaitingHandshakeFinish(
        Box<snow::HandshakeState>,
        Option<holdfast_store::use_cases::pairing::InviteGrant>,
    ),
    Open(Box<snow::TransportState>),
    Closed,
}

enum Peer {
    Unknown,
    Device(Device),
    /// A device redeeming an invite (responder side).
    Pairing {
        grant: holdfast_store::use_cases::pairing::InviteGrant,
        public_key: String,
    },
}

/// One sync connection.
pub struct Session {
    side: Side,
    identity: Identity,
    config: Config,
    stage: Stage,
    reader: FrameReader,
    /// The pieces of a message whose end has not arrived, kept apart until
    /// it does: one buffer grown to tens of megabytes would stay with the
    /// process after it is freed (the allocator keeps big freed blocks for
    /// reuse), while pieces a frame long are reused by the next message.
    incoming: Vec<Vec<u8>>,
    incoming_bytes: usize,
    peer: Peer,
    /// Documents taking part in this sync, with Automerge's state for each.
    active: BTreeMap<DocumentId, sync::State>,
    /// Documents of which the two sides hold different histories (epochs):
    /// never synced with Automerge, which would bring an old history back.
    apart: BTreeSet<DocumentId>,
    announce_received: bool,
    report: Report,
}

impl Session {
    /// Starts a connection to a hub or peer. Returns the bytes to send first.
    pub fn connect(identity: Identity, config: Config) -> Result<(Self, Vec<u8>)> {
        let mut handshake = noise::initiator(&identity.private, None)?;
        let mut send = Vec::new();
        frame::encode(FrameKind::Hello, &hello(MODE_SYNC, None), &mut send);
        let mut buffer = vec![0_u8; MAX_FRAME_BODY];
        let length = handshake.write_message(&[], &mut buffer)?;
        frame::encode(FrameKind::Handshake, &buffer[..length], &mut send);
        let mut session = Session::new(Side::Initiator, identity, config);
        session.stage = Stage::AwaitingHandshakeReply(Box::new(handshake));
        session.report.bytes_sent += send.len();
        Ok((session, send))
    }

    /// Waits for a connection from a peer (the hub's side of a socket).
    pub fn accept(identity: Identity, config: Config) -> Self {
        let mut session = Session::new(Side::Responder, identity, config);
        session.stage = Stage::AwaitingHello;
        session
    }

    fn new(side: Side, identity: Identity, config: Config) -> Self {
        Session {
            side,
            identity,
            config,
            stage: Stage::Closed,
            reader: FrameReader::default(),
            incoming: Vec::new(),
            incoming_bytes: 0,
            peer: Peer::Unknown,
            active: BTreeMap::new(),
            apart: BTreeSet::new(),
            announce_received: false,
            report: Report::default(),
        }
    }

    /// Whether the handshake finished and the peer proved a key this device
    /// accepts (a paired device, or a device redeeming a valid invite).
    pub fn is_authenticated(&self) -> bool {
        matches!(self.stage, Stage::Open(_)) && !matches!(self.peer, Peer::Unknown)
    }

    /// The key the peer proved, once it is a paired device or a device
    /// redeeming a valid invite.
    pub fn peer_key(&self) -> Option<&str> {
        match &self.peer {
            Peer::Unknown => None,
            Peer::Device(device) => Some(&device.public_key),
            Peer::Pairing { public_key, .. } => Some(public_key),
        }
    }

    /// Bytes received and held until the rest of their message arrives.
    pub fn buffered_bytes(&self) -> usize {
        self.reader.pending() + self.incoming_bytes
    }

    /// Who is on the other end, as far as the handshake has shown.
    pub fn peer_description(&self) -> String {
        match &self.peer {
            Peer::Unknown => "an unidentified peer".to_string(),
            Peer::Device(device) => format!("{} ({})", device.label, short_key(&device.public_key)),
            Peer::Pairing { grant, .. } => format!("a new device pairing as {}", grant.label),
        }
    }

    /// Hands the session bytes read from the socket. Everything they lead
    /// to writing is committed once, before the reply is handed back
    /// ([`Campaign::in_one_commit`]), so a reply never tells the peer of
    /// something the disk does not hold.
    pub fn receive(&mut self, campaign: &mut Campaign, bytes: &[u8]) -> Output {
        match campaign.in_one_commit(|campaign| self.receive_uncommitted(campaign, bytes)) {
            Ok(output) => output,
            Err(error) => {
                let mut send = Vec::new();
                let status = self.fail(error.into(), &mut send);
                self.report.bytes_sent += send.len();
                Output { send, status }
            }
        }
    }

    fn receive_uncommitted(&mut self, campaign: &mut Campaign, bytes: &[u8]) -> Output {
        self.report.bytes_received += bytes.len();
        self.reader.push(bytes);
        let mut send = Vec::new();
        let status = loop {
            let frame = match self.reader.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) => break Status::Continue,
                Err(error) => break self.fail(error, &mut send),
            };
            let was_authenticated = self.is_authenticated();
            match self.on_frame(campaign, frame, &mut send) {
                Ok(Status::Continue)
                    if self.config.pause_after_handshake
                        && !was_authenticated
                        && self.is_authenticated() =>
                {
                    break Status::Continue
                }
                Ok(Status::Continue) => continue,
                Ok(status) => {
                    self.stage = Stage::Closed;
                    break status;
                }
                Err(error) => break self.fail(error, &mut send),
            }
        };
        self.report.bytes_sent += send.len();
        if let Status::Done(report) = status {
            let report = Report {
                bytes_sent: self.report.bytes_sent,
                ..report
            };
            if let Some(address) = &self.config.peer_address {
                if let Err(error) = campaign.record_sync(
                    &report.peer_key,
                    &report.peer_device,
                    address,
                    report.changes_sent,
                    report.changes_received,
                ) {
                    return Output {
                        send: Vec::new(),
                        status: Status::Failed(error.into()),
                    };
                }
            }
            return Output {
                send,
                status: Status::Done(report),
            };
        }
        Output { send, status }
    }

    /// Ends the connection with a reason the peer can read, if the channel
    /// is open; otherwise in the clear only for pairing problems.
    fn fail(&mut self, error: SyncError, send: &mut Vec<u8>) -> Status {
        let stage = std::mem::replace(&mut self.stage, Stage::Closed);
        let tell_peer = !matches!(
            error,
            SyncError::Tampered | SyncError::RefusedByPeer(_) | SyncError::Handshake(_)
        );
        if let (Stage::Open(mut transport), true) = (stage, tell_peer) {
            let refusal = Message::Refused {
                reason: error.to_string(),
            };
            // Best effort: the connection is ending either way.
            let _ = write_message(&mut transport, &refusal, send);
        }
        Status::Failed(error)
    }

    fn on_frame(
        &mut self,
        campaign: &mut Campaign,
        (kind, body): (FrameKind, Vec<u8>),
        send: &mut Vec<u8>,
    ) -> Result<Status> {
        let stage = std::mem::replace(&mut self.stage, Stage::Closed);
        match (stage, kind) {
            (_, FrameKind::Refusal) => Err(SyncError::RefusedByPeer(
                String::from_utf8_lossy(&body).into_owned(),
            )),
            (Stage::AwaitingHello, FrameKind::Hello) => self.on_hello(campaign, &body, send),
            (Stage::AwaitingHandshakeStart(mut handshake, grant), FrameKind::Handshake) => {
                handshake.read_message(&body, &mut vec![0_u8; MAX_FRAME_BODY])?;
                let mut buffer = vec![0_u8; MAX_FRAME_BODY];
                let length = handshake.write_message(&[], &mut buffer)?;
                frame::encode(FrameKind::Handshake, &buffer[..length], send);
                self.stage = Stage::AwaitingHandshakeFinish(handshake, grant);
                Ok(Status::Continue)
            }
            (Stage::AwaitingHandshakeFinish(mut handshake, grant), FrameKind::Handshake) => {
                handshake.read_message(&body, &mut vec![0_u8; MAX_FRAME_BODY])?;
                let remote = remote_key(&handshake)?;
                let transport = handshake.into_transport_mode()?;
                self.stage = Stage::Open(Box::new(transport));
                self.peer = match grant {
                    Some(grant) => Peer::Pairing {
                        grant,
                        public_key: remote,
                    },
                    None => Peer::Device(check_peer(campaign, &remote)?),
                };
                Ok(Status::Continue)
            }
            (Stage::AwaitingHandshakeReply(mut handshake), FrameKind::Handshake) => {
                self.report.round_trips += 1;
                handshake.read_message(&body, &mut vec![0_u8; MAX_FRAME_BODY])?;
                let remote = remote_key(&handshake)?;
                // The hub has proved its key; it must be a paired device too,
                // or this phone would hand its check-ins to a stranger. The
                // check comes before the last handshake message, which
                // carries this phone's own key: a fake hub never learns it,
                // so it cannot recognise the phone from one place to the next.
                let device = check_peer(campaign, &remote)?;
                let mut buffer = vec![0_u8; MAX_FRAME_BODY];
                let length = handshake.write_message(&[], &mut buffer)?;
                frame::encode(FrameKind::Handshake, &buffer[..length], send);
                let mut transport = handshake.into_transport_mode()?;
                self.peer = Peer::Device(device);
                let flight = self.first_flight(campaign)?;
                write_message(&mut transport, &flight, send)?;
                self.stage = Stage::Open(Box::new(transport));
                Ok(Status::Continue)
            }
            (Stage::Open(mut transport), FrameKind::Transport) => {
                let mut plain = vec![0_u8; body.len()];
                let length = transport
                    .read_message(&body, &mut plain)
                    .map_err(|_| SyncError::Tampered)?;
                self.stage = Stage::Open(transport);
                let plain = &plain[..length];
                let (&more, piece) = plain
                    .split_first()
                    .ok_or(SyncError::MalformedFrame("an empty piece"))?;
                if self.incoming_bytes + piece.len() > self.config.max_message_bytes {
                    return Err(SyncError::MessageTooLarge {
                        limit: self.config.max_message_bytes,
                    });
                }
                match more {
                    1 => {
                        self.incoming.push(piece.to_vec());
                        self.incoming_bytes += piece.len();
                        Ok(Status::Continue)
                    }
                    0 if self.incoming.is_empty() => {
                        let message = Message::decode(piece)?;
                        self.on_message(campaign, message, send)
                    }
                    0 => {
                        let mut whole = Vec::with_capacity(self.incoming_bytes + piece.len());
                        for earlier in self.incoming.drain(..) {
                            whole.extend_from_slice(&earlier);
                        }
                        whole.extend_from_slice(piece);
                        self.incoming_bytes = 0;
                        let message = Message::decode(&whole)?;
                        self.on_message(campaign, message, send)
                    }
                    _ => Err(SyncError::MalformedFrame("an unknown piece marker")),
                }
            }
            (_, FrameKind::Hello) => Err(SyncError::Unexpected("a second hello")),
            (_, FrameKind::Handshake) => Err(SyncError::Unexpected("a handshake message")),
            (_, FrameKind::Transport) => Err(SyncError::Unexpected(
                "encrypted data before the handshake finished",
            )),
        }
    }

    fn on_hello(
        &mut self,
        campaign: &mut Campaign,
        body: &[u8],
        send: &mut Vec<u8>,
    ) -> Result<Status> {
        if body.len() < 5 || &body[..4] != MAGIC {
            let shown: String = body
                .iter()
                .take(8)
                .map(|byte| format!("{byte:02x}"))
                .collect();
            return Err(SyncError::NotHoldfast(format!("bytes {shown}")));
        }
        match body[4] {
            MODE_SYNC if body.len() == 5 => {
                let handshake = noise::responder(&self.identity.private, None)?;
                self.stage = Stage::AwaitingHandshakeStart(Box::new(handshake), None);
                Ok(Status::Continue)
            }
            MODE_PAIR => {
                let tag = std::str::from_utf8(&body[5..])
                    .map_err(|_| SyncError::MalformedFrame("an invite tag that is not text"))?;
                let grant = match campaign.invite_grant(tag) {
                    Ok(grant) => grant,
                    Err(error) => {
                        // Before any key is agreed, the only thing a stranger
                        // learns is that this invite will not work: not
                        // whether the tag is unknown, used or expired, nor
                        // when it expired. This device keeps the reason.
                        frame::encode(FrameKind::Refusal, INVITE_REFUSED.as_bytes(), send);
                        return Err(error.into());
                    }
                };
                let psk: [u8; 32] =
                    grant.psk.as_slice().try_into().map_err(|_| {
                        SyncError::BadInvite("the stored invite key is damaged".into())
                    })?;
                let handshake = noise::responder(&self.identity.private, Some(&psk))?;
                self.stage = Stage::AwaitingHandshakeStart(Box::new(handshake), Some(grant));
                Ok(Status::Continue)
            }
            _ => Err(SyncError::NotHoldfast("an unknown mode".into())),
        }
    }

    fn on_message(
        &mut self,
        campaign: &mut Campaign,
        message: Message,
        send: &mut Vec<u8>,
    ) -> Result<Status> {
        match (&self.peer, message) {
            (_, Message::Refused { reason }) => Err(SyncError::RefusedByPeer(reason)),
            (
                Peer::Device(_),
                Message::Flight {
                    announce,
                    syncs,
                    epochs,
                    rebases,
                },
            ) => self.on_flight(
                campaign,
                Flight {
                    announce,
                    syncs,
                    epochs,
                    rebases,
                },
                send,
            ),
            (
                Peer::Pairing { grant, public_key },
                Message::PairRequest {
                    device_id,
                    signing_key,
                },
            ) => {
                let device = campaign.redeem_invite(
                    grant,
                    holdfast_store::use_cases::pairing::NewDevice {
                        device_id: &device_id,
                        public_key,
                        signing_key: &signing_key,
                    },
                )?;
                let welcome = Message::Welcome {
                    member_id: grant.member_id.clone(),
                    campaign: campaign.document_bytes(&DocumentId::campaign())?,
                    signatures: campaign.document_signatures(&DocumentId::campaign())?,
                };
                let report = Report {
                    peer_key: public_key.clone(),
                    peer_device: device.id.clone(),
                    peer_label: device.label.clone(),
                    paired_device: Some(device.id),
                    ..self.report.clone()
                };
                let Stage::Open(transport) = &mut self.stage else {
                    return Err(SyncError::Unexpected("a message before the channel opened"));
                };
                write_message(transport, &welcome, send)?;
                Ok(Status::Done(report))
            }
            _ => Err(SyncError::Unexpected("a message out of turn")),
        }
    }

    fn peer_device(&self) -> Result<&Device> {
        match &self.peer {
            Peer::Device(device) => Ok(device),
            _ => Err(SyncError::Unexpected("sync before the peer was identified")),
        }
    }

    /// The initiator's first flight: which documents it holds for this peer
    /// (with a digest of their heads), and sync messages for the documents
    /// that changed here since the last sync with this peer.
    fn first_flight(&mut self, campaign: &mut Campaign) -> Result<Message> {
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

    fn on_flight(
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
        if let Some(announce) = announce {
            if self.announce_received || self.side == Side::Initiator {
                return Err(SyncError::Unexpected("a second list of documents"));
            }
            self.announce_received = true;
            let mut announced = BTreeSet::new();
            let sharing = campaign.sharing_with(&peer)?;
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
                        self.offer_rebase(campaign, &id, &mut reply)?;
                    }
                    continue;
                }
                let heads = campaign.document_heads(&id)?;
                if digest(&heads) != their_digest {
                    self.activate(campaign, &peer, &id)?;
                }
            }
            // Documents the peer did not list are ones it lacks: it can
            // make their first change itself, so the reply carries all the
            // rest at once instead of first asking what the peer holds.
            for id in campaign.documents_for(&peer)? {
                if !announced.contains(&id) {
                    if campaign.epoch(&id)? == Epoch::ZERO {
                        self.activate_lacking(campaign, &peer, &id)?;
                    } else {
                        self.apart.insert(id.clone());
                        self.offer_rebase(campaign, &id, &mut reply)?;
                    }
                }
            }
        } else if !self.announce_received && self.side == Side::Responder {
            return Err(SyncError::Unexpected(
                "a flight without the list of documents",
            ));
        }
        for (id, their_epoch) in epochs {
            if self.side == Side::Responder {
                return Err(SyncError::Unexpected(
                    "a list of epochs from the connecting side",
                ));
            }
            if !campaign.may_share(&id, &peer)? {
                continue;
            }
            // What this side sent of the document belongs to another
            // history than the peer's: drop it and settle the history first.
            self.active.remove(&id);
            self.apart.insert(id.clone());
            stale.insert(id.clone());
            if campaign.epoch(&id)? > their_epoch {
                self.offer_rebase(campaign, &id, &mut reply)?;
            }
        }
        for rebase in rebases {
            let id = rebase.document.clone();
            if !campaign.may_share(&id, &peer)? {
                return Err(SyncError::NotAllowed {
                    document: id.to_string(),
                });
            }
            if peer.role != Role::Steward || peer.is_revoked() {
                return Err(SyncError::RebaseRefused {
                    document: id.to_string(),
                });
            }
            campaign.install_rebase(rebase)?;
            self.report.rebases_received += 1;
            self.apart.remove(&id);
            stale.remove(&id);
            self.active.insert(id, sync::State::new());
        }
        // The campaign document first: it says who may write the others.
        let mut syncs = syncs;
        syncs.sort_by_key(|(id, _, _)| *id != DocumentId::campaign());
        for (id, bytes, signatures) in syncs {
            // A member's arrivals are taken from any paired device (a captain's
            // phone since demoted still carries the check-ins it recorded
            // with the role; the door checks each one), but only sent to
            // the devices `may_share` names.
            let hand_in_only = !campaign.may_share(&id, &peer)?;
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
                self.activate(campaign, &peer, &id)?;
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

    /// Sends this device's history of a document to a peer that holds an
    /// older one, if this is a steward's device; otherwise the document
    /// stays apart until the peer meets one.
    fn offer_rebase(
        &mut self,
        campaign: &mut Campaign,
        id: &DocumentId,
        reply: &mut Histories,
    ) -> Result<()> {
        if !campaign.is_steward_device()? {
            return Ok(());
        }
        if let Some(rebase) = campaign.rebase_for_peer(id)? {
            reply.rebases.push(rebase);
            self.report.rebases_sent += 1;
            self.apart.remove(id);
            // A fresh state: the peer installs the history before it reads
            // this flight's sync message for the document.
            self.active.insert(id.clone(), sync::State::new());
        }
        Ok(())
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
type SyncEntry = (DocumentId, Vec<u8>, holdfast_store::Signatures);

/// The parts of a flight after the announcement, as one value.
struct Flight {
    announce: Option<Vec<(DocumentId, Epoch, HeadsDigest)>>,
    syncs: Vec<SyncEntry>,
    epochs: Vec<(DocumentId, Epoch)>,
    rebases: Vec<Rebase>,
}

/// What a reply says about histories: epochs that differ, and new
/// histories for the peer.
#[derive(Default)]
struct Histories {
    epochs: Vec<(DocumentId, Epoch)>,
    rebases: Vec<Rebase>,
}

impl Histories {
    fn is_empty(&self) -> bool {
        self.epochs.is_empty() && self.rebases.is_empty()
    }
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

pub(crate) fn hello(mode: u8, tag: Option<&str>) -> Vec<u8> {
    let mut body = MAGIC.to_vec();
    body.push(mode);
    if let Some(tag) = tag {
        body.extend_from_slice(tag.as_bytes());
    }
    body
}

fn remote_key(handshake: &snow::HandshakeState) -> Result<String> {
    handshake
        .get_remote_static()
        .map(to_hex)
        .ok_or_else(|| SyncError::Handshake("the peer sent no key".into()))
}

/// A peer must be listed in the campaign's devices and not revoked.
fn check_peer(campaign: &Campaign, public_key: &str) -> Result<Device> {
    match campaign.device_by_key(public_key)? {
        None => Err(SyncError::Unpaired {
            fingerprint: short_key(public_key),
        }),
        Some(device) if device.is_revoked() => Err(SyncError::Revoked {
            label: device.label.clone(),
            revoked_at: device.revoked_at.clone().unwrap_or_default(),
        }),
        Some(device) => Ok(device),
    }
}

fn short_key(public_key: &str) -> String {
    crate::identity::fingerprint_of_hex(public_key)
}

/// Encrypts an application message as one or more transport frames.
pub fn write_message(
    transport: &mut snow::TransportState,
    message: &Message,
    send: &mut Vec<u8>,
) -> Result<()> {
    let bytes = message.encode();
    // One byte of each piece says whether more pieces follow.
    let piece_size = MAX_FRAME_BODY - TAG_BYTES - 1;
    let mut pieces = bytes.chunks(piece_size).peekable();
    let mut buffer = vec![0_u8; MAX_FRAME_BODY];
    let mut plain = Vec::with_capacity(piece_size + 1);
    while let Some(piece) = pieces.next() {
        plain.clear();
        plain.push(u8::from(pieces.peek().is_some()));
        plain.extend_from_slice(piece);
        let length = transport.write_message(&plain, &mut buffer)?;
        frame::encode(FrameKind::Transport, &buffer[..length], send);
    }
    Ok(())
}
