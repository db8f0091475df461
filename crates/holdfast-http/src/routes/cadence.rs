//! The calendar of small actions, the tactic variety warning, and the
//! calendar as an iCalendar file.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use holdfast_core::rules::cadence::VarietyWarning;
use holdfast_store::use_cases::cadence::Occurrence;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::Shared;

/// How many dates of each cadence the calendar shows unless asked.
const DEFAULT_COUNT: usize = 6;
/// A year of monthly dates is the most one request may ask for.
const MOST_DATES: usize = 24;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/cadence/calendar", get(calendar))
        .route("/cadence/variety", get(variety))
        .route("/calendar.ics", get(calendar_ics))
}

#[derive(Deserialize)]
struct Window {
    from: Option<String>,
    count: Option<usize>,
}

async fn calendar(
    State(shared): State<Shared>,
    Query(window): Query<Window>,
) -> ApiResult<Json<Vec<Occurrence>>> {
    let from = super::date_or_today(window.from.as_deref())?;
    let count = window.count.unwrap_or(DEFAULT_COUNT).min(MOST_DATES);
    shared
        .run(move |campaign| campaign.calendar(from, count))
        .await
        .map(Json)
}

async fn variety(State(shared): State<Shared>) -> ApiResult<Json<Option<VarietyWarning>>> {
    let now = super::now();
    shared
        .run(move |campaign| campaign.variety_warning(&now))
        .await
        .map(Json)
}

async fn calendar_ics(
    State(shared): State<Shared>,
    Query(window): Query<Window>,
) -> ApiResult<impl IntoResponse> {
    let from = super::date_or_today(window.from.as_deref())?;
    let count = window.count.unwrap_or(DEFAULT_COUNT).min(MOST_DATES);
    let text = shared
        .run(move |campaign| campaign.calendar_ics(from, count))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"holdfast.ics\"",
            ),
        ],
        text,
    ))
}
