//! The one error type of the network edge.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum NetError {
    #[error("could not reach {address}: {source}")]
    Connect {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the connection with {address} failed: {source}")]
    Io {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{address} did not answer within {seconds} seconds")]
    Timeout { address: String, seconds: u64 },
    #[error("{address} closed the connection before the sync finished")]
    Closed { address: String },
    /// The hub ended a pairing during its handshake: it did not find the
    /// invite's secret in what the new device proved.
    #[error("the hub at {address} did not accept this invite code: check that every character is as it was given, or ask a steward for a new invite")]
    InviteNotAccepted { address: String },
    #[error("sync with {address}: {source}")]
    Sync {
        address: String,
        #[source]
        source: holdfast_sync::SyncError,
    },
    #[error("{0}")]
    Store(#[from] holdfast_store::StoreError),
    #[error("{0}")]
    Setup(#[from] holdfast_sync::SyncError),
    #[error("{0}")]
    Discovery(#[from] crate::discovery::DiscoveryError),
    #[error("no hub to sync with: give an address, or make sure a hub of this campaign is on the network")]
    NoHub,
    #[error("could not listen on {address}: {source}")]
    Listen {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the sync task stopped unexpectedly")]
    TaskFailed,
}
