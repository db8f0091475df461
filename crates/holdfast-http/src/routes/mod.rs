//! The API's routes, one file per part of the product. Each file offers a
//! `routes()` with paths relative to `/api`.

mod aid;
mod browsers;
mod cadence;
mod check_ins;
mod choke_points;
mod circles;
mod decisions;
pub mod lock;
mod people;
mod reports;
mod skills;
mod sync;
mod today;
mod walk_ins;

use std::path::PathBuf;

use axum::extract::OriginalUri;
use axum::Router;

use crate::error::ApiError;
use crate::state::Shared;

pub fn api(ui_dir: PathBuf) -> Router<Shared> {
    Router::new()
        .merge(today::routes(ui_dir))
        .merge(people::routes())
        .merge(check_ins::routes())
        .merge(walk_ins::routes())
        .merge(choke_points::routes())
        .merge(cadence::routes())
        .merge(circles::routes())
        .merge(skills::routes())
        .merge(decisions::routes())
        .merge(aid::routes())
        .merge(reports::routes())
        .merge(sync::routes())
        .merge(browsers::routes())
        .merge(lock::routes())
        .fallback(no_such_route)
}

async fn no_such_route(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NoSuchRoute(uri.path().to_string())
}

/// The current instant as the record writes it.
fn now() -> String {
    holdfast_core::time::now()
}

/// Today's date (UTC, as the record keeps days).
fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Reads an optional `YYYY-MM-DD` query value, defaulting to today.
fn date_or_today(text: Option<&str>) -> Result<chrono::NaiveDate, ApiError> {
    match text {
        Some(text) => {
            holdfast_core::time::parse_date(text).map_err(|_| ApiError::Date(text.to_string()))
        }
        None => Ok(today()),
    }
}
