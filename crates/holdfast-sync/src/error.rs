//! The one error type of the sync crate.

use thiserror::Error;

use crate::validate::InvalidMessage;

#[derive(Debug, Error)]
pub enum SyncError {
    #[error("{0}")]
    Store(#[from] holdfast_store::StoreError),
    #[error("the peer sent a malformed frame: {0}")]
    MalformedFrame(&'static str),
    #[error("the peer sent a frame of {size} bytes; the limit is {limit}")]
    FrameTooLarge { size: usize, limit: usize },
    #[error("the peer sent a message of more than {limit} bytes")]
    MessageTooLarge { limit: usize },
    #[error("the peer does not speak this sync protocol (it sent {0})")]
    NotHoldfast(String),
    #[error("the secure handshake failed: {0} (a wrong key, a tampered or a replayed message)")]
    Handshake(String),
    #[error("a frame failed authentication: it was tampered with, replayed or sent out of order")]
    Tampered,
    #[error("the device with key {fingerprint} is not paired with this campaign")]
    Unpaired { fingerprint: String },
    #[error("the device {label} was revoked on {revoked_at}")]
    Revoked { label: String, revoked_at: String },
    #[error("the hub's key {found} is not the key {expected} this invite was made for")]
    WrongHubKey { expected: String, found: String },
    #[error("the peer refused the connection: {0}")]
    RefusedByPeer(String),
    #[error("the peer sent an invalid sync message for {document}: {source}")]
    InvalidSyncMessage {
        document: String,
        #[source]
        source: InvalidMessage,
    },
    #[error("the peer sent a sync message for {document} that Automerge cannot read: {reason}")]
    UndecodableSyncMessage { document: String, reason: String },
    #[error("the peer sent {document}, which it may not share with this device")]
    NotAllowed { document: String },
    #[error("the peer sent a new history of {document}, but only a steward's device may replace a document's history")]
    RebaseRefused { document: String },
    #[error("the peer sent something this device did not expect: {0}")]
    Unexpected(&'static str),
    #[error("the invite code is not valid: {0}")]
    BadInvite(String),
    #[error("the bundle could not be read: {0}")]
    Bundle(String),
    #[error("this device's sync key is damaged: {0}")]
    BadKey(String),
}

impl SyncError {
    /// The error as a log line may carry it: without a device's label,
    /// which names a person.
    pub fn for_log(&self) -> String {
        match self {
            SyncError::Revoked { revoked_at, .. } => {
                format!("the device was revoked on {revoked_at}")
            }
            other => other.to_string(),
        }
    }
}

impl From<snow::Error> for SyncError {
    fn from(error: snow::Error) -> Self {
        SyncError::Handshake(error.to_string())
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
