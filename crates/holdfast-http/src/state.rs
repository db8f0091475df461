//! The campaign shared by every request.
//!
//! `Campaign` holds a SQLite connection, which may move between threads but
//! not be used from two at once, so it lives behind a mutex. Every call runs
//! on tokio's blocking pool: an edit waits for the disk (that is what "saved"
//! means), and the async workers must stay free meanwhile.

use std::sync::{Arc, Mutex};

use holdfast_store::Campaign;

use crate::error::{ApiError, ApiResult};

#[derive(Clone)]
pub struct Shared {
    campaign: Arc<Mutex<Campaign>>,
}

impl Shared {
    pub fn new(campaign: Arc<Mutex<Campaign>>) -> Self {
        Shared { campaign }
    }

    /// Runs one piece of work against the campaign on a blocking thread.
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
        let campaign = Arc::clone(&self.campaign);
        tokio::task::spawn_blocking(move || {
            // A poisoned lock means an earlier call panicked while holding
            // the campaign. Its memory may no longer match the disk, so it is
            // not used again until Holdfast restarts and reloads from disk.
            let mut campaign = campaign.lock().map_err(|_| ApiError::Poisoned)?;
            work(&mut campaign).map_err(Into::into)
        })
        .await
        .map_err(|error| ApiError::Interrupted(error.to_string()))?
    }
}
