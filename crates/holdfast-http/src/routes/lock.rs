//! The lock screen's routes: whether the campaign is locked, locking it,
//! unlocking it with its passphrase, and the emergency wipe.
//!
//! These answer while the campaign is locked; every other route answers 423
//! until it is unlocked. Locking, unlocking and wiping are refused to other
//! computers at the hall (see `hall_access`): only the computer that holds
//! the campaign may do them.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_store::at_rest::Protection;
use holdfast_store::StoreError;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::state::Shared;

/// The word the wipe must be confirmed with; the UI asks for it to be typed.
pub const WIPE_WORD: &str = "WIPE";

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/lock", get(state).post(lock))
        .route("/unlock", post(unlock))
        .route("/wipe", post(wipe))
}

#[derive(Serialize)]
struct LockState {
    locked: bool,
    /// `passphrase`; `system-keystore` when, without one, the operating
    /// system's keystore seals the key; or `this-device` when the key is
    /// kept on this device as it is. Only a campaign with a passphrase can
    /// be locked.
    protection: &'static str,
    /// After this long without a touch or a key press, the UI locks a
    /// campaign that has a passphrase.
    idle_lock_seconds: u64,
}

async fn state(State(shared): State<Shared>) -> ApiResult<Json<LockState>> {
    let idle_lock_seconds = shared.idle_lock_seconds();
    shared
        .run_on_vault(move |vault| {
            let protection = match vault.protection()? {
                Some(Protection::Passphrase) => "passphrase",
                Some(Protection::SystemKeystore) => "system-keystore",
                Some(Protection::ThisDeviceOnly) | None => "this-device",
            };
            Ok(LockState {
                locked: vault.is_locked(),
                protection,
                idle_lock_seconds,
            })
        })
        .await
        .map(Json)
}

#[derive(Serialize)]
struct Locked {
    locked: bool,
}

/// Lock asks for a JSON body, even an empty object: a page on another site
/// can make the browser send a form or plain text to this computer, but not
/// JSON without asking first, so it cannot lock the campaign from afar.
#[derive(Deserialize)]
struct NoFields {}

async fn lock(
    State(shared): State<Shared>,
    Body(NoFields {}): Body<NoFields>,
) -> ApiResult<Json<Locked>> {
    shared
        .run_on_vault(|vault| {
            vault.lock()?;
            Ok(Locked { locked: true })
        })
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct Passphrase {
    passphrase: String,
}

async fn unlock(
    State(shared): State<Shared>,
    Body(Passphrase { passphrase }): Body<Passphrase>,
    // The typed passphrase is wiped from this copy once it has been tried.
    // (The request body it was read from is freed, not wiped.)
) -> ApiResult<Json<Locked>> {
    shared
        .run_on_vault(move |vault| {
            let passphrase = zeroize::Zeroizing::new(passphrase);
            vault.unlock(&passphrase)?;
            // Unlocked either way; see `Shared::new` for a key pair that
            // could not be made.
            let _ = crate::state::prepare(vault.campaign()?);
            Ok(Locked { locked: false })
        })
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct Confirm {
    #[serde(default)]
    confirm: String,
}

#[derive(Serialize)]
struct Wiped {
    /// The folder the campaign was in; it now holds none.
    folder: String,
    /// The key file and database files removed.
    files_removed: usize,
    /// Seconds until the key was destroyed and the data unreadable.
    seconds_until_unreadable: f64,
}

async fn wipe(
    State(shared): State<Shared>,
    Body(Confirm { confirm }): Body<Confirm>,
) -> ApiResult<Json<Wiped>> {
    if !confirm.trim().eq_ignore_ascii_case(WIPE_WORD) {
        return Err(ApiError::Store(StoreError::rejected(format!(
            "nothing was wiped: type {WIPE_WORD} to confirm that everything on this device is to be destroyed"
        ))));
    }
    shared
        .run_on_vault(|vault| {
            let folder = vault.data_dir().display().to_string();
            let wiped = vault.wipe()?;
            Ok(Wiped {
                folder,
                files_removed: wiped.files_removed,
                seconds_until_unreadable: wiped.seconds_until_unreadable,
            })
        })
        .await
        .map(Json)
}
