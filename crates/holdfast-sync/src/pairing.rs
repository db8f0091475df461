//! The new device's side of pairing: redeem an invite with the hub, receive
//! the campaign document and the member it is for.
//!
//! A new device has no campaign yet, so this runs without a store; the edge
//! creates the data directory from the welcome and saves the key pair.

use crate::error::{Result, SyncError};
use crate::frame::{self, FrameKind, FrameReader, MAX_FRAME_BODY};
use crate::identity::{fingerprint, Identity};
use crate::invite::Invite;
use crate::noise;
use crate::session::{hello, write_message, MODE_PAIR};
use crate::wire::Message;
use holdfast_core::signing::SigningKey;

/// What a hub gives a newly paired device, and the signing key this device
/// made for itself while pairing (its public half is in the device record
/// the hub wrote).
#[derive(Debug)]
pub struct Welcome {
    pub member_id: String,
    pub campaign_document: Vec<u8>,
    pub signatures: holdfast_store::Signatures,
    pub hub_key: Vec<u8>,
    pub signing_key: std::sync::Arc<SigningKey>,
}

enum Stage {
    AwaitingHandshakeReply(Box<snow::HandshakeState>),
    Open(Box<snow::TransportState>, Vec<u8>),
    Closed,
}

/// One pairing connection, new device side.
pub struct Pairing {
    stage: Stage,
    reader: FrameReader,
    invite: Invite,
    device_id: String,
    signing_key: std::sync::Arc<SigningKey>,
    incoming: Vec<u8>,
}

/// The largest campaign document a new device accepts while pairing.
const MAX_WELCOME_BYTES: usize = 64 * 1024 * 1024;

/// Where a pairing connection stands after some bytes.
#[derive(Debug)]
pub enum PairingStatus {
    Continue,
    Welcomed(Welcome),
}

impl Pairing {
    /// Starts pairing with a hub. `identity` is the key pair this device will
    /// keep; `device_id` its id (and Automerge actor).
    pub fn start(invite: Invite, identity: &Identity, device_id: &str) -> Result<(Self, Vec<u8>)> {
        let psk = invite.code.psk();
        let mut handshake = noise::initiator(&identity.private, Some(&psk))?;
        let mut send = Vec::new();
        frame::encode(
            FrameKind::Hello,
            &hello(MODE_PAIR, Some(&invite.code.tag)),
            &mut send,
        );
        let mut buffer = vec![0_u8; MAX_FRAME_BODY];
        let length = handshake.write_message(&[], &mut buffer)?;
        frame::encode(FrameKind::Handshake, &buffer[..length], &mut send);
        Ok((
            Pairing {
                stage: Stage::AwaitingHandshakeReply(Box::new(handshake)),
                reader: FrameReader::default(),
                invite,
                device_id: device_id.to_string(),
                signing_key: std::sync::Arc::new(new_signing_key()),
                incoming: Vec::new(),
            },
            send,
        ))
    }

    /// Hands the pairing bytes from the socket; returns bytes to send.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(Vec<u8>, PairingStatus)> {
        self.reader.push(bytes);
        let mut send = Vec::new();
        while let Some((kind, body)) = self.reader.next_frame()? {
            let stage = std::mem::replace(&mut self.stage, Stage::Closed);
            match (stage, kind) {
                (_, FrameKind::Refusal) => {
                    return Err(SyncError::RefusedByPeer(
                        String::from_utf8_lossy(&body).into_owned(),
                    ))
                }
                (Stage::AwaitingHandshakeReply(mut handshake), FrameKind::Handshake) => {
                    handshake.read_message(&body, &mut vec![0_u8; MAX_FRAME_BODY])?;
                    let hub_key = handshake
                        .get_remote_static()
                        .ok_or_else(|| SyncError::Handshake("the hub sent no key".into()))?
                        .to_vec();
                    if let Some(expected) = &self.invite.hub_key {
                        if *expected != hub_key {
                            return Err(SyncError::WrongHubKey {
                                expected: fingerprint(expected),
                                found: fingerprint(&hub_key),
                            });
                        }
                    }
                    let mut buffer = vec![0_u8; MAX_FRAME_BODY];
                    let length = handshake.write_message(&[], &mut buffer)?;
                    frame::encode(FrameKind::Handshake, &buffer[..length], &mut send);
                    let mut transport = handshake.into_transport_mode()?;
                    write_message(
                        &mut transport,
                        &Message::PairRequest {
                            device_id: self.device_id.clone(),
                            signing_key: self.signing_key.public_hex(),
                        },
                        &mut send,
                    )?;
                    self.stage = Stage::Open(Box::new(transport), hub_key);
                }
                (Stage::Open(mut transport, hub_key), FrameKind::Transport) => {
                    let mut plain = vec![0_u8; body.len()];
                    // With the invite's key mixed into the handshake, a hub
                    // that did not know the secret fails right here.
                    let length = transport.read_message(&body, &mut plain).map_err(|_| {
                        SyncError::Handshake("the hub could not prove it issued this invite".into())
                    })?;
                    let (&more, piece) = plain[..length]
                        .split_first()
                        .ok_or(SyncError::MalformedFrame("an empty piece"))?;
                    if self.incoming.len() + piece.len() > MAX_WELCOME_BYTES {
                        return Err(SyncError::MessageTooLarge {
                            limit: MAX_WELCOME_BYTES,
                        });
                    }
                    self.incoming.extend_from_slice(piece);
                    if more == 1 {
                        self.stage = Stage::Open(transport, hub_key);
                        continue;
                    }
                    return match Message::decode(&std::mem::take(&mut self.incoming))? {
                        Message::Welcome {
                            member_id,
                            campaign,
                            signatures,
                        } => Ok((
                            send,
                            PairingStatus::Welcomed(Welcome {
                                member_id,
                                campaign_document: campaign,
                                signatures,
                                hub_key,
                                signing_key: self.signing_key.clone(),
                            }),
                        )),
                        Message::Refused { reason } => Err(SyncError::RefusedByPeer(reason)),
                        _ => Err(SyncError::Unexpected("a message other than a welcome")),
                    };
                }
                _ => return Err(SyncError::Unexpected("a frame out of turn while pairing")),
            }
        }
        Ok((send, PairingStatus::Continue))
    }
}

/// A fresh signing key for a device that has no database yet.
fn new_signing_key() -> SigningKey {
    let mut secret = [0_u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
    SigningKey::from_secret(&secret)
}

/// Issues an invite on this device (the hub): records the invite's tag and
/// key, and returns the invite to show as a code and a QR code.
/// A hub address an invite may carry: `host:port`, with a port from 1 to
/// 65535 and a host with no spaces (a name, an IPv4 address, or an IPv6
/// address in brackets).
fn check_hub_address(hub: &str) -> Result<()> {
    let refused = || {
        holdfast_store::StoreError::rejected(format!(
            "`{hub}` is not a hub address; give it as host:port, for example 192.168.1.20:8419"
        ))
    };
    let (host, port) = hub.rsplit_once(':').ok_or_else(refused)?;
    let port_ok = port.parse::<u16>().is_ok_and(|port| port > 0);
    let host_ok = !host.is_empty()
        && !host.chars().any(char::is_whitespace)
        && (host.starts_with('[') == host.ends_with(']'))
        && (host.starts_with('[') || !host.contains(':'));
    if port_ok && host_ok {
        Ok(())
    } else {
        Err(refused().into())
    }
}

pub fn issue_invite(
    campaign: &mut holdfast_store::Campaign,
    by: &str,
    member: &str,
    role: holdfast_core::model::Role,
    hours: i64,
    hubs: Vec<String>,
) -> Result<(Invite, holdfast_store::use_cases::pairing::Invite)> {
    for hub in &hubs {
        check_hub_address(hub)?;
    }
    let identity = Identity::of(campaign)?;
    // The tag names the invite to the hub, so no two invites this hub
    // issued share one. Tags are drawn at random from about a million; a
    // big local's thousands of invites would meet a taken one now and then.
    let mut code = crate::invite::InviteCode::generate();
    let mut tries = 1;
    while campaign.invite_tag_taken(&code.tag)? {
        if tries == 64 {
            return Err(holdfast_store::StoreError::rejected(
                "could not find an unused invite tag; delete old invites and try again",
            )
            .into());
        }
        code = crate::invite::InviteCode::generate();
        tries += 1;
    }
    let record = campaign.create_invite(by, &code.tag, &code.psk(), member, role, hours)?;
    Ok((
        Invite {
            code,
            hubs,
            hub_key: Some(identity.public.clone()),
        },
        record,
    ))
}

/// Creates the new device's data directory from a hub's welcome: the
/// campaign document, this device's key pair and the member it belongs to.
pub fn settle(
    data_dir: &std::path::Path,
    welcome: &Welcome,
    identity: &Identity,
    device_id: &str,
) -> Result<holdfast_store::Campaign> {
    let mut campaign = holdfast_store::Campaign::join_as(
        data_dir,
        &welcome.campaign_document,
        Some(device_id),
        &welcome.signatures,
    )?;
    identity.save(&campaign)?;
    campaign.adopt_signing_key(&welcome.signing_key)?;
    campaign.set_device_member(&welcome.member_id)?;
    Ok(campaign)
}
