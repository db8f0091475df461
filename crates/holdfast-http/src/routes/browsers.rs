//! Browsers at the hall: pairing this browser with an invite, and the
//! stewards' list of browsers with the means to turn one away.
//!
//! Pairing is asked for by the browser itself (see `hall_access`: it is the
//! one change a guest may ask for); the invite code it types decides whose
//! browser it becomes. Turning a browser away is for stewards; as for
//! devices, the steward acting is the one this device or browser belongs
//! to, never a name sent in the request.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_store::use_cases::hall_browsers::HallBrowser;
use holdfast_store::StoreError;
use holdfast_sync::InviteCode;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Path};
use crate::state::{visitor, Shared};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/browser/pair", post(pair))
        .route("/browsers", get(browsers))
        .route("/browsers/{browser}/revoke", post(revoke))
        .route("/hall-link/new", post(new_hall_link))
}

/// The new links for the hall, one per address of this computer.
#[derive(Serialize)]
struct HallLinks {
    links: Vec<String>,
}

/// Replaces the hall key: links given out before stop working. For a
/// steward, on this computer (see `hall_access`).
async fn new_hall_link(State(shared): State<Shared>) -> ApiResult<Json<HallLinks>> {
    let port = crate::hall_port().ok_or_else(|| {
        StoreError::rejected("this computer is not serving the web UI to the hall")
    })?;
    shared
        .run(move |campaign| {
            let by = campaign.device_member()?.ok_or_else(|| {
                StoreError::rejected(
                    "pick who you are on this device before making a new hall link",
                )
            })?;
            let key = campaign.new_hall_key(&by)?;
            Ok(HallLinks {
                links: crate::hall_links(port, &key),
            })
        })
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct Pairing {
    /// The invite's code, as a person types it.
    code: String,
}

async fn pair(
    State(shared): State<Shared>,
    Body(body): Body<Pairing>,
) -> ApiResult<Json<HallBrowser>> {
    let browser = visitor().ok_or(ApiError::NotABrowser)?;
    let code = InviteCode::parse(&body.code)?;
    shared
        .run(move |campaign| campaign.pair_browser(&browser.id, &code.tag, &code.psk()))
        .await
        .map(Json)
}

async fn browsers(State(shared): State<Shared>) -> ApiResult<Json<Vec<HallBrowser>>> {
    shared
        .run(|campaign| campaign.hall_browsers())
        .await
        .map(Json)
}

async fn revoke(
    State(shared): State<Shared>,
    Path(browser): Path<String>,
) -> ApiResult<Json<HallBrowser>> {
    shared
        .run(move |campaign| {
            let by = campaign.device_member()?.ok_or_else(|| {
                StoreError::rejected("pick who you are on this device before turning browsers away")
            })?;
            campaign.revoke_browser(&by, &browser)
        })
        .await
        .map(Json)
}
