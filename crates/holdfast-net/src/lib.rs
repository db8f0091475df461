//! The network edge of sync: sockets, timers and discovery around the
//! sans-IO sessions of `holdfast-sync`.
//!
//! * [`hub`]: accepts connections and runs a session for each, so that a
//!   failure or a panic in one never reaches another.
//! * [`background`]: the hub and the sync loop that run by themselves.
//! * [`client`]: connects to a hub or peer to sync or to pair.
//! * [`door`]: who gets a place at the hub, and who gives theirs up.
//! * [`discovery`]: finds hubs of this campaign on the local network (mDNS).
//! * [`error`]: what can go wrong on the wire.

pub mod background;
pub mod client;
pub mod discovery;
pub mod door;
pub mod error;
pub mod hub;

pub use error::NetError;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use holdfast_store::Vault;

/// The campaign as the hub's connections and the app share it. It may be
/// locked: then sync waits, and the hub turns connections away.
pub type SharedVault = Arc<Mutex<Vault>>;

/// The default TCP port of a hub.
pub const DEFAULT_PORT: u16 = 8419;

/// Locks the campaign. If a connection panicked while holding it, the
/// documents it had in memory may be half-changed, so they are dropped and
/// reload from disk, which holds only what committed.
pub fn lock(vault: &Mutex<Vault>) -> MutexGuard<'_, Vault> {
    match vault.lock() {
        Ok(guard) => guard,
        Err(poisoned) => {
            vault.clear_poison();
            let mut guard = poisoned.into_inner();
            guard.release_memory();
            guard
        }
    }
}

/// Waits until the campaign is open: it may have started locked, waiting
/// for someone at this computer to give the passphrase.
pub async fn until_unlocked(vault: &Mutex<Vault>) {
    while lock(vault).is_locked() {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
