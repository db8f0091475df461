//! The choke-point map, commitments, and the report of what freezes the
//! operation within a horizon (48 hours unless asked otherwise).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use holdfast_core::model::{ChokePoint, Commitment};
use holdfast_core::rules::choke_map::FreezeRow;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/choke-points", get(choke_points))
        .route("/choke-points/commitments", get(commitments))
        .route("/choke-points/report", get(report))
}

async fn choke_points(State(shared): State<Shared>) -> ApiResult<Json<Vec<ChokePoint>>> {
    shared
        .run(|campaign| {
            let mut points = campaign.all::<ChokePoint>()?;
            points.sort_by(|left, right| left.name.cmp(&right.name));
            Ok(points)
        })
        .await
        .map(Json)
}

async fn commitments(State(shared): State<Shared>) -> ApiResult<Json<Vec<Commitment>>> {
    shared
        .run(|campaign| {
            // Only those still standing: a withdrawn one is history.
            let all = campaign.all::<Commitment>()?;
            Ok(all.into_iter().filter(Commitment::is_active).collect())
        })
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct Horizon {
    hours: Option<f64>,
}

async fn report(
    State(shared): State<Shared>,
    Query(horizon): Query<Horizon>,
) -> ApiResult<Json<Vec<FreezeRow>>> {
    let hours = horizon.hours.unwrap_or(48.0);
    shared
        .run(move |campaign| campaign.freeze_report(hours))
        .await
        .map(Json)
}
