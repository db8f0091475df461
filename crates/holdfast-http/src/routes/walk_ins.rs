//! Walk-ins: a captain checks in someone the roster does not know, and a
//! steward later adds them as a member or merges them into one.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_core::model::Member;
use holdfast_store::use_cases::walk_ins::{NewWalkIn, WalkInRow, WalkedIn};
use holdfast_store::{Campaign, StoreError};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Body, Path};
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/walk-ins", get(list).post(add))
        .route("/walk-ins/{walk_in}/confirm", post(confirm))
        .route("/walk-ins/{walk_in}/merge", post(merge))
}

/// A walk-in as the captain's screen sends it; the captain is whoever uses
/// this device (or this browser at the hall).
#[derive(Deserialize)]
struct NewPerson {
    action: String,
    name: String,
    phone: Option<String>,
    shift: Option<String>,
}

async fn add(
    State(shared): State<Shared>,
    Body(body): Body<NewPerson>,
) -> ApiResult<Json<WalkedIn>> {
    shared
        .run(move |campaign| {
            campaign.walk_in(NewWalkIn {
                action: body.action,
                name: body.name,
                phone: body.phone,
                shift: body.shift,
                captain: None,
                at: None,
            })
        })
        .await
        .map(Json)
}

async fn list(State(shared): State<Shared>) -> ApiResult<Json<Vec<WalkInRow>>> {
    shared.run(|campaign| campaign.walk_ins()).await.map(Json)
}

/// The steward deciding: whoever uses this device.
fn steward(campaign: &Campaign) -> holdfast_store::Result<String> {
    campaign.acting_member_id()?.ok_or_else(|| {
        StoreError::rejected("pick who you are on this device before settling a walk-in")
    })
}

async fn confirm(
    State(shared): State<Shared>,
    Path(walk_in): Path<String>,
) -> ApiResult<Json<Member>> {
    shared
        .run(move |campaign| {
            let by = steward(campaign)?;
            campaign.add_walk_in_as_member(&walk_in, &by)
        })
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct Merge {
    /// The listed member they are, by id.
    into: String,
}

async fn merge(
    State(shared): State<Shared>,
    Path(walk_in): Path<String>,
    Body(body): Body<Merge>,
) -> ApiResult<Json<Member>> {
    shared
        .run(move |campaign| {
            let by = steward(campaign)?;
            campaign.merge_walk_in(&walk_in, &body.into, &by)
        })
        .await
        .map(Json)
}
