//! Mutual aid: requests and offers under pseudonyms, the public totals and
//! balances, and the coordinators' view with names.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use holdfast_core::model::{AidCategory, AidOffer, AidRequest, Urgency};
use holdfast_core::rules::aid::MonthTotal;
use holdfast_store::use_cases::aid::{NamedRequest, NewRequest};
use holdfast_store::use_cases::aid_summary::AidSummaryRow;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::Body;
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/aid/requests", get(requests).post(request_aid))
        .route("/aid/offers", get(offers).post(offer_aid))
        .route("/aid/totals", get(totals))
        .route("/aid/summary", get(summary))
        .route("/aid/balances", get(balances))
        .route("/aid/coordinator", get(coordinator_view))
}

/// What every member sees: requests under pseudonyms, never names.
async fn requests(State(shared): State<Shared>) -> ApiResult<Json<Vec<AidRequest>>> {
    shared
        .run(|campaign| campaign.aid_requests())
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct NewAidRequest {
    member: String,
    category: AidCategory,
    amount_cents: i64,
    urgency: Urgency,
    #[serde(default)]
    note: String,
}

async fn request_aid(
    State(shared): State<Shared>,
    Body(body): Body<NewAidRequest>,
) -> ApiResult<Json<AidRequest>> {
    let request = NewRequest {
        member: body.member,
        category: body.category,
        amount_cents: body.amount_cents,
        urgency: body.urgency,
        note: body.note,
    };
    shared
        .run(move |campaign| campaign.request_aid(request))
        .await
        .map(Json)
}

async fn offers(State(shared): State<Shared>) -> ApiResult<Json<Vec<AidOffer>>> {
    shared.run(|campaign| campaign.aid_offers()).await.map(Json)
}

#[derive(Deserialize)]
struct NewAidOffer {
    member: String,
    category: AidCategory,
    amount_cents: i64,
    #[serde(default)]
    note: String,
}

async fn offer_aid(
    State(shared): State<Shared>,
    Body(body): Body<NewAidOffer>,
) -> ApiResult<Json<AidOffer>> {
    shared
        .run(move |campaign| {
            campaign.offer_aid(&body.member, body.category, body.amount_cents, &body.note)
        })
        .await
        .map(Json)
}

async fn totals(State(shared): State<Shared>) -> ApiResult<Json<Vec<MonthTotal>>> {
    shared.run(|campaign| campaign.aid_totals()).await.map(Json)
}

/// Requests, offers and ledger sums by month and category: counts, no names.
async fn summary(State(shared): State<Shared>) -> ApiResult<Json<Vec<AidSummaryRow>>> {
    shared
        .run(|campaign| campaign.aid_summary())
        .await
        .map(Json)
}

async fn balances(State(shared): State<Shared>) -> ApiResult<Json<BTreeMap<AidCategory, i64>>> {
    shared
        .run(|campaign| campaign.aid_balances())
        .await
        .map(Json)
}

/// Names behind requests, only for a device whose member coordinates aid.
async fn coordinator_view(State(shared): State<Shared>) -> ApiResult<Json<Vec<NamedRequest>>> {
    shared
        .run(|campaign| campaign.device_coordinator_view())
        .await
        .map(Json)
}
