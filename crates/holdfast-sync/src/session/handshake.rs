//! The first two steps of a connection: the hello in the clear, and the
//! Noise handshake, after which the peer is a paired device (or a device
//! redeeming an invite) or the connection ends.

use holdfast_core::model::Device;
use holdfast_store::Campaign;

use super::{Session, Stage, Status, INVITE_REFUSED, MAGIC, MODE_PAIR, MODE_SYNC};
use crate::error::{Result, SyncError};
use crate::frame::{self, FrameKind};
use crate::identity::to_hex;
use crate::noise;

impl Session {
    pub(super) fn on_hello(
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
}

pub(super) fn remote_key(handshake: &snow::HandshakeState) -> Result<String> {
    handshake
        .get_remote_static()
        .map(to_hex)
        .ok_or_else(|| SyncError::Handshake("the peer sent no key".into()))
}

/// A peer must be listed in the campaign's devices and not revoked.
pub(super) fn check_peer(campaign: &Campaign, public_key: &str) -> Result<Device> {
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

pub(super) fn short_key(public_key: &str) -> String {
    crate::identity::fingerprint_of_hex(public_key)
}
