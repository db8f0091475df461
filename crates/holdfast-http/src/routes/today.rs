//! The first screen, who this device belongs to, settings, and the list of
//! languages the UI has catalogs for.

use std::path::PathBuf;

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use holdfast_core::model::{Member, Settings};
use holdfast_store::use_cases::device::Today;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::state::Shared;

pub fn routes(ui_dir: PathBuf) -> Router<Shared> {
    Router::new()
        .route("/today", get(today))
        .route("/settings", get(settings))
        .route("/me", put(set_me))
        .route("/languages", get(move || languages(ui_dir.clone())))
}

async fn today(State(shared): State<Shared>) -> ApiResult<Json<Today>> {
    let now = super::now();
    shared
        .run(move |campaign| campaign.today(&now))
        .await
        .map(Json)
}

async fn settings(State(shared): State<Shared>) -> ApiResult<Json<Settings>> {
    shared.run(|campaign| campaign.settings()).await.map(Json)
}

#[derive(Deserialize)]
struct SetMe {
    /// The member's id.
    member: String,
}

async fn set_me(State(shared): State<Shared>, Body(body): Body<SetMe>) -> ApiResult<Json<Member>> {
    shared
        .run(move |campaign| {
            campaign.set_device_member(&body.member)?;
            campaign.resolve_member(&body.member)
        })
        .await
        .map(Json)
}

#[derive(Serialize)]
struct Language {
    code: String,
    name: String,
}

/// Every `ui/i18n/<code>.json` is a language, named by its own
/// `language.name` entry, so adding a language means adding one file.
async fn languages(ui_dir: PathBuf) -> ApiResult<Json<Vec<Language>>> {
    let folder = ui_dir.join("i18n");
    let found = tokio::task::spawn_blocking(move || {
        let mut languages = Vec::new();
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().and_then(|extension| extension.to_str()) != Some("json") {
                continue;
            }
            let Some(code) = path.file_stem().and_then(|stem| stem.to_str()) else {
                continue;
            };
            let name = std::fs::read(&path)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                .and_then(|catalog| catalog["language.name"].as_str().map(str::to_string))
                .unwrap_or_else(|| code.to_string());
            languages.push(Language {
                code: code.to_string(),
                name,
            });
        }
        languages.sort_by(|left, right| left.code.cmp(&right.code));
        languages
    })
    .await
    .map_err(|error| ApiError::Interrupted(error.to_string()))?;
    Ok(Json(found))
}
