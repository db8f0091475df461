//! The campaign shared by every request.
//!
//! `Campaign` holds a SQLite connection, which may move between threads but
//! not be used from two at once, so it lives behind a mutex, inside the
//! [`Vault`] that may hold it locked. Every call runs on tokio's blocking
//! pool: an edit waits for the disk (that is what "saved" means), and the
//! async workers must stay free meanwhile.

use std::sync::Arc;

use holdfast_net::SharedVault;
use holdfast_store::use_cases::hall_browsers::HallBrowser;
use holdfast_store::{Campaign, Vault};

use crate::error::{ApiError, ApiResult};

tokio::task_local! {
    /// The browser at the hall a request came from, set by `hall_access`
    /// for the whole of the request. Requests from this computer run
    /// outside it.
    pub static VISITOR: HallBrowser;
}

/// The browser the current request came from, if it came from the hall.
pub fn visitor() -> Option<HallBrowser> {
    VISITOR.try_with(Clone::clone).ok()
}

/// What serving a campaign needs made once, when it is opened or unlocked,
/// so that no request that only reads has to write: this device's sync key
/// pair, which also lists a founding device in the campaign.
pub fn prepare(campaign: &mut Campaign) -> holdfast_sync::Result<()> {
    holdfast_sync::Identity::of(campaign).map(|_| ())
}

#[derive(Clone)]
pub struct Shared {
    vault: SharedVault,
    /// Seconds without a touch or key press after which the UI locks a
    /// campaign that has a passphrase.
    idle_lock_seconds: u64,
    /// Held for the whole of a "Sync now" round. Two rounds at once would
    /// only send the same changes to the same hub twice, so a second request
    /// waits for the first and then finds little or nothing left to do.
    sync_turn: Arc<tokio::sync::Mutex<()>>,
}

impl Shared {
    pub fn new(vault: SharedVault, idle_lock_seconds: u64) -> Self {
        if let Ok(campaign) = holdfast_net::lock(&vault).campaign() {
            // Failing here leaves the sync screen without a fingerprint,
            // and the first sync, which makes the key pair too, says why.
            let _ = prepare(campaign);
        }
        Shared {
            vault,
            idle_lock_seconds,
            sync_turn: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The vault itself, for the sync client, which takes the lock for each
    /// step of a round on its own rather than for the whole round: a round
    /// waits on the network, and the rest of the UI must keep working
    /// meanwhile.
    pub fn vault(&self) -> SharedVault {
        Arc::clone(&self.vault)
    }

    pub fn idle_lock_seconds(&self) -> u64 {
        self.idle_lock_seconds
    }

    /// Waits until no other "Sync now" round is running, and keeps others
    /// waiting until the returned guard is dropped.
    pub async fn sync_turn(&self) -> tokio::sync::OwnedMutexGuard<()> {
        Arc::clone(&self.sync_turn).lock_owned().await
    }

    /// Runs one piece of work against the open campaign on a blocking
    /// thread. While the campaign is locked it answers [`ApiError::Locked`].
    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Campaign) -> holdfast_store::Result<T> + Send + 'static,
    {
        self.run_with(work).await
    }

    /// Like [`Shared::run`], for work that also calls crates whose errors are
    /// not the store's, such as sync. A separate method keeps the error type
    /// of `run`'s closures fixed, so their `?` needs no annotation.
    pub async fn run_with<T, E, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        E: Into<ApiError>,
        F: FnOnce(&mut Campaign) -> Result<T, E> + Send + 'static,
    {
        self.run_on_vault(|vault| work(vault.campaign()?).map_err(Into::into))
            .await
    }

    /// Runs one piece of work against the vault itself, locked or not: the
    /// lock screen's own routes. For a request from a browser at the hall,
    /// the campaign acts for that browser for the whole of the work.
    pub async fn run_on_vault<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Vault) -> ApiResult<T> + Send + 'static,
    {
        let vault = Arc::clone(&self.vault);
        let browser = visitor();
        tokio::task::spawn_blocking(move || {
            // A poisoned lock means an earlier call panicked while holding
            // the campaign. Its memory may no longer match the disk, so it is
            // not used again until Holdfast restarts and reloads from disk.
            let mut vault = vault.lock().map_err(|_| ApiError::Poisoned)?;
            let Some(browser) = browser else {
                return work(&mut vault);
            };
            if let Ok(campaign) = vault.campaign() {
                campaign.act_for_browser(browser);
            }
            let result = work(&mut vault);
            if let Ok(campaign) = vault.campaign() {
                campaign.stop_acting_for_browser();
            }
            result
        })
        .await
        .map_err(|error| ApiError::Interrupted(error.to_string()))?
    }
}
