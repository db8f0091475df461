//! Members, committees and sites, and a steward's erasure of a member.
//!
//! Erasing is for stewards. As for invites and revocations, the member
//! acting is the one this device belongs to, never a name sent in the
//! request. It cannot be undone, so the request carries the member's full
//! name as typed by the steward, and other computers at the hall may not
//! ask for it at all (see `hall_access`).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_core::model::{Committee, Member, Site};
use holdfast_store::use_cases::members::ErasureReport;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Body, Path};
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/members", get(members))
        .route("/members/{member}/erase", post(erase))
        .route("/committees", get(committees))
        .route("/sites", get(sites))
}

async fn members(State(shared): State<Shared>) -> ApiResult<Json<Vec<Member>>> {
    shared.run(|campaign| campaign.members()).await.map(Json)
}

async fn committees(State(shared): State<Shared>) -> ApiResult<Json<Vec<Committee>>> {
    shared
        .run(|campaign| campaign.all::<Committee>())
        .await
        .map(Json)
}

async fn sites(State(shared): State<Shared>) -> ApiResult<Json<Vec<Site>>> {
    shared
        .run(|campaign| campaign.all::<Site>())
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct Confirmation {
    /// The member's full name, typed by the steward.
    confirm: String,
}

async fn erase(
    State(shared): State<Shared>,
    Path(member): Path<String>,
    Body(body): Body<Confirmation>,
) -> ApiResult<Json<ErasureReport>> {
    shared
        .run(move |campaign| {
            let by = campaign.device_member()?;
            campaign.erase_member_confirmed(by.as_deref(), &member, &body.confirm)
        })
        .await
        .map(Json)
}
