//! The skill commons: skills with their offline materials, sessions, the
//! next facilitator by rotation, and attendance.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_core::model::{Attendance, Member, Skill, SkillSession};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Body, Path};
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/skills", get(skills))
        .route("/skills/sessions", get(sessions))
        .route("/skills/attendance", get(attendance))
        .route("/skills/{skill}/facilitator", get(next_facilitator))
        .route(
            "/skills/sessions/{session}/attendance",
            post(record_attendance),
        )
}

async fn skills(State(shared): State<Shared>) -> ApiResult<Json<Vec<Skill>>> {
    shared
        .run(|campaign| {
            let mut skills = campaign.all::<Skill>()?;
            skills.sort_by(|left, right| left.name.cmp(&right.name));
            Ok(skills)
        })
        .await
        .map(Json)
}

async fn sessions(State(shared): State<Shared>) -> ApiResult<Json<Vec<SkillSession>>> {
    shared
        .run(|campaign| campaign.skill_sessions())
        .await
        .map(Json)
}

async fn attendance(State(shared): State<Shared>) -> ApiResult<Json<Vec<Attendance>>> {
    shared
        .run(|campaign| campaign.all::<Attendance>())
        .await
        .map(Json)
}

/// Who should facilitate the skill next, or `null` if nobody teaches it yet.
async fn next_facilitator(
    State(shared): State<Shared>,
    Path(skill): Path<String>,
) -> ApiResult<Json<Option<Member>>> {
    shared
        .run(move |campaign| {
            let skill = campaign.resolve_skill(&skill)?;
            campaign.rotation_pick(&skill)
        })
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct Present {
    /// Member ids (or names) of who attended.
    members: Vec<String>,
}

async fn record_attendance(
    State(shared): State<Shared>,
    Path(session): Path<String>,
    Body(body): Body<Present>,
) -> ApiResult<Json<Vec<Attendance>>> {
    shared
        .run(move |campaign| campaign.record_attendance(&session, &body.members))
        .await
        .map(Json)
}
