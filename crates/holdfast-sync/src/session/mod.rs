//! One sync connection as a state machine: bytes in, bytes out.
//!
//! The socket, timers and threads live in `holdfast-net`; this module only
//! turns what arrived into what to send, reading and writing the campaign
//! through the store. That keeps every refusal path testable without a
//! network, and lets the same code run in the hub, the desktop app and a
//! phone.
//!
//! The stages live in files of their own: `handshake.rs` (the hello and
//! the Noise handshake, and who the peer is), `flights.rs` (what each
//! flight announces, applies and answers) and `histories.rs` (documents
//! whose histories differ after an erasure, and the re-bases that settle
//! them). This file holds the state machine that routes frames to them.
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
use holdfast_core::model::Device;
use holdfast_core::DocumentId;
use holdfast_store::Campaign;

use crate::error::{Result, SyncError};
use crate::frame::{self, FrameKind, FrameReader, MAX_FRAME_BODY};
use crate::identity::Identity;
use crate::noise::{self, TAG_BYTES};
use crate::validate::Limits;
use crate::wire::Message;

mod flights;
mod handshake;
mod histories;

use flights::Flight;
pub use flights::{digest, plan_first_flight, Announce};
use handshake::{check_peer, remote_key, short_key};

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
}

pub(crate) fn hello(mode: u8, tag: Option<&str>) -> Vec<u8> {
    let mut body = MAGIC.to_vec();
    body.push(mode);
    if let Some(tag) = tag {
        body.extend_from_slice(tag.as_bytes());
    }
    body
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
