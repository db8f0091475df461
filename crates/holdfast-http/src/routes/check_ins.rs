//! Actions, shifts, the captain's roster, check-in and check-out.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_core::model::{Action, CheckIn, Shift};
use holdfast_store::use_cases::actions::ShiftRoster;
use holdfast_store::use_cases::check_ins::{CheckRequest, Turnout};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Body, Path};
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/actions", get(actions))
        .route("/actions/{action}/shifts", get(shifts))
        .route("/actions/{action}/turnout", get(turnout))
        .route("/shifts/{shift}/roster", get(roster))
        .route("/check-in", post(check_in))
        .route("/check-out", post(check_out))
        .route("/check-ins/{check}/void", post(void))
}

async fn actions(State(shared): State<Shared>) -> ApiResult<Json<Vec<Action>>> {
    shared.run(|campaign| campaign.actions()).await.map(Json)
}

async fn shifts(
    State(shared): State<Shared>,
    Path(action): Path<String>,
) -> ApiResult<Json<Vec<Shift>>> {
    shared
        .run(move |campaign| campaign.shifts(&action))
        .await
        .map(Json)
}

async fn turnout(
    State(shared): State<Shared>,
    Path(action): Path<String>,
) -> ApiResult<Json<Turnout>> {
    shared
        .run(move |campaign| campaign.turnout(&action))
        .await
        .map(Json)
}

async fn roster(
    State(shared): State<Shared>,
    Path(shift): Path<String>,
) -> ApiResult<Json<ShiftRoster>> {
    shared
        .run(move |campaign| campaign.shift_roster(&shift))
        .await
        .map(Json)
}

/// A check-in or check-out as the UI sends it. Without `member` it is this
/// device's member checking themself; a captain sends `member` and
/// `recorded_by`.
#[derive(Deserialize)]
struct Check {
    action: String,
    member: Option<String>,
    shift: Option<String>,
    recorded_by: Option<String>,
    at: Option<String>,
}

impl From<Check> for CheckRequest {
    fn from(check: Check) -> Self {
        CheckRequest {
            action: check.action,
            member: check.member,
            shift: check.shift,
            recorded_by: check.recorded_by,
            at: check.at,
        }
    }
}

async fn check_in(
    State(shared): State<Shared>,
    Body(body): Body<Check>,
) -> ApiResult<Json<CheckIn>> {
    shared
        .run(move |campaign| campaign.check_in(body.into()))
        .await
        .map(Json)
}

async fn check_out(
    State(shared): State<Shared>,
    Body(body): Body<Check>,
) -> ApiResult<Json<CheckIn>> {
    shared
        .run(move |campaign| campaign.check_out(body.into()))
        .await
        .map(Json)
}

/// Voids a mistaken check-in or check-out: the undo a mis-tap needs. The
/// record stays, marked; the write policy decides who may (the member it
/// names, or a captain).
async fn void(
    State(shared): State<Shared>,
    crate::extract::Path(check): crate::extract::Path<String>,
) -> ApiResult<Json<CheckIn>> {
    shared
        .run(move |campaign| campaign.void_check(&check))
        .await
        .map(Json)
}
