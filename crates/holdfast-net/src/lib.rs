//! The network edge of sync: sockets, timers and discovery around the
//! sans-IO sessions of `holdfast-sync`.
//!
//! * [`hub`]: accepts connections and runs a session for each, so that a
//!   failure or a panic in one never reaches another.
//! * [`background`]: the hub and the sync loop that run by themselves.
//! * [`client`]: connects to a hub or peer to sync or to pair.
//! * [`discovery`]: finds hubs of this campaign on the local network (mDNS).
//! * [`error`]: what can go wrong on the wire.

pub mod background;
pub mod client;
pub mod discovery;
pub mod error;
pub mod hub;

pub use error::NetError;

use std::sync::{Arc, Mutex, MutexGuard};

use holdfast_store::Campaign;

/// The campaign as the hub's connections and the app share it.
pub type SharedCampaign = Arc<Mutex<Campaign>>;

/// The default TCP port of a hub.
pub const DEFAULT_PORT: u16 = 8419;

/// Locks the campaign. If a connection panicked while holding it, the
/// documents it had in memory may be half-changed, so they are dropped and
/// reload from disk, which holds only what committed.
pub fn lock(campaign: &Mutex<Campaign>) -> MutexGuard<'_, Campaign> {
    match campaign.lock() {
        Ok(guard) => guard,
        Err(poisoned) => {
            campaign.clear_poison();
            let mut guard = poisoned.into_inner();
            guard.release_memory();
            guard
        }
    }
}
