//! Sovereignty gains over time, and the "needs attention" list.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
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
        .route("/sovereignty/page", get(sovereignty_page))
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

#[derive(Deserialize)]
struct PageQuery {
    until: Option<String>,
    lang: Option<String>,
}

/// The figures as one HTML file to share, saved rather than shown.
async fn sovereignty_page(
    State(shared): State<Shared>,
    Query(query): Query<PageQuery>,
) -> ApiResult<impl IntoResponse> {
    let until = super::date_or_today(query.until.as_deref())?;
    let language = query.lang.unwrap_or_else(|| "en".to_string());
    let page = shared
        .run(move |campaign| campaign.sovereignty_page(until, &language))
        .await?;
    let name = format!(
        "attachment; filename=\"what-we-run-{}.html\"",
        holdfast_core::time::format_date(until)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        page,
    ))
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
