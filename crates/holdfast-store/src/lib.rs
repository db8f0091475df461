//! The durable home of a campaign: Automerge changes and snapshots in one
//! SQLite file, query projections beside them, and the use cases that read and
//! edit the record.
//!
//! Everything goes through [`Campaign`]: open a data directory, call a use case
//! (`campaign.check_in(...)`), read a report. Edits are durable when they return.

pub mod at_rest;
mod authority;
mod campaign;
mod documents;
mod error;
mod file_modes;
pub mod inspect;
pub mod keystore;
mod projection;
mod rebase;
mod rekey;
mod replication;
mod schema;
mod sync_message;
pub mod use_cases;
mod vault;

pub use authority::{prefix, RefusedChange, Signatures};
pub use campaign::{open_connection, Campaign, MergeOutcome, Writer, DATABASE_FILE};
pub use error::{Result, StoreError};
pub use rebase::Rebase;
pub use replication::{
    PeerSync, Received, Sharing, SyncEvent, SyncStatus, PRIVATE_KEY, PUBLIC_KEY,
};
#[cfg(feature = "hostile")]
pub use use_cases::aid::forged_sealed_request;
pub use vault::Vault;
