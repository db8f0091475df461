//! Members, committees and sites.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use holdfast_core::model::{Committee, Member, Site};

use crate::error::ApiResult;
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/members", get(members))
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
