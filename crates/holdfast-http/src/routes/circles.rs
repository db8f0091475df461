//! Decompression circles: which are due, the rounds and their minutes,
//! recording a circle, shared rest commitments, and private reflections that
//! stay in this device's personal document.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_core::model::{Circle, Reflection, RestCommitment, CIRCLE_ROUNDS};
use holdfast_store::use_cases::circles::CircleDue;
use serde::{Deserialize, Serialize};

use crate::error::ApiResult;
use crate::extract::{Body, Path};
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/circles/due", get(due))
        .route("/circles/rounds", get(rounds))
        .route("/circles", get(circles).post(record_circle))
        .route("/circles/rest", get(rest_commitments))
        .route("/circles/{circle}/rest", post(share_rest_commitment))
        .route("/reflections", get(reflections).post(write_reflection))
}

async fn due(State(shared): State<Shared>) -> ApiResult<Json<Vec<CircleDue>>> {
    let now = super::now();
    shared
        .run(move |campaign| campaign.circles_due(&now))
        .await
        .map(Json)
}

#[derive(Serialize)]
struct Round {
    name: &'static str,
    minutes: u32,
}

async fn rounds() -> Json<Vec<Round>> {
    Json(
        CIRCLE_ROUNDS
            .iter()
            .map(|&(name, minutes)| Round { name, minutes })
            .collect(),
    )
}

async fn circles(State(shared): State<Shared>) -> ApiResult<Json<Vec<Circle>>> {
    shared
        .run(|campaign| campaign.all::<Circle>())
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct NewCircle {
    action: String,
    facilitator: String,
    participant_count: i64,
    /// Rounds completed, by name; all of them unless said otherwise.
    rounds: Option<Vec<String>>,
    held_at: Option<String>,
}

async fn record_circle(
    State(shared): State<Shared>,
    Body(body): Body<NewCircle>,
) -> ApiResult<Json<Circle>> {
    let rounds = body.rounds.unwrap_or_else(|| {
        CIRCLE_ROUNDS
            .iter()
            .map(|(name, _)| name.to_string())
            .collect()
    });
    shared
        .run(move |campaign| {
            campaign.record_circle(
                &body.action,
                &body.facilitator,
                body.participant_count,
                rounds,
                body.held_at.as_deref(),
            )
        })
        .await
        .map(Json)
}

async fn rest_commitments(State(shared): State<Shared>) -> ApiResult<Json<Vec<RestCommitment>>> {
    shared
        .run(|campaign| campaign.all::<RestCommitment>())
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct NewRestCommitment {
    member: String,
    commitment: String,
}

async fn share_rest_commitment(
    State(shared): State<Shared>,
    Path(circle): Path<String>,
    Body(body): Body<NewRestCommitment>,
) -> ApiResult<Json<RestCommitment>> {
    shared
        .run(move |campaign| {
            campaign.share_rest_commitment(&circle, &body.member, &body.commitment)
        })
        .await
        .map(Json)
}

async fn reflections(State(shared): State<Shared>) -> ApiResult<Json<Vec<Reflection>>> {
    shared
        .run(|campaign| campaign.reflections())
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct NewReflection {
    action: String,
    round: String,
    text: String,
}

async fn write_reflection(
    State(shared): State<Shared>,
    Body(body): Body<NewReflection>,
) -> ApiResult<Json<Reflection>> {
    shared
        .run(move |campaign| campaign.write_reflection(&body.action, &body.round, &body.text))
        .await
        .map(Json)
}
