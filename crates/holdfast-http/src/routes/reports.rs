//! Sovereignty gains over time, and the "needs attention" list.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_core::model::Resolution;
use holdfast_core::rules::sovereignty::MonthGains;
use holdfast_store::use_cases::attention::AttentionRow;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Body, Query};
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/sovereignty", get(sovereignty))
        .route("/attention", get(attention))
        .route("/attention/resolve", post(resolve))
}

#[derive(Deserialize)]
struct Until {
    until: Option<String>,
}

async fn sovereignty(
    State(shared): State<Shared>,
    Query(query): Query<Until>,
) -> ApiResult<Json<Vec<MonthGains>>> {
    let until = super::date_or_today(query.until.as_deref())?;
    shared
        .run(move |campaign| campaign.sovereignty(until))
        .await
        .map(Json)
}

async fn attention(State(shared): State<Shared>) -> ApiResult<Json<Vec<AttentionRow>>> {
    shared.run(|campaign| campaign.attention()).await.map(Json)
}

#[derive(Deserialize)]
struct Decision {
    key: String,
    /// Who decided (member id or name).
    by: String,
    #[serde(default)]
    note: String,
}

async fn resolve(
    State(shared): State<Shared>,
    Body(body): Body<Decision>,
) -> ApiResult<Json<Resolution>> {
    shared
        .run(move |campaign| campaign.resolve_attention(&body.key, &body.by, &body.note))
        .await
        .map(Json)
}
