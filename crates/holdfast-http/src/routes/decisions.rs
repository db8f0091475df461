//! Decision forums: proposals, votes, and closing a vote. Whoever uses this
//! device (or this browser at the hall) is the one proposing, voting or
//! closing; nobody votes for someone else from a screen.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_core::model::{Proposal, Vote};
use holdfast_store::use_cases::decisions::{NewProposal, ProposalRow};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Body, Path};
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/decisions", get(list).post(propose))
        .route("/decisions/{proposal}/vote", post(vote))
        .route("/decisions/{proposal}/close", post(close))
}

async fn list(State(shared): State<Shared>) -> ApiResult<Json<Vec<ProposalRow>>> {
    shared.run(|campaign| campaign.proposals()).await.map(Json)
}

#[derive(Deserialize)]
struct Put {
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    options: Vec<String>,
    closes_at: Option<String>,
    meeting: Option<String>,
}

async fn propose(State(shared): State<Shared>, Body(body): Body<Put>) -> ApiResult<Json<Proposal>> {
    shared
        .run(move |campaign| {
            campaign.propose(NewProposal {
                title: body.title,
                text: body.text,
                options: body.options,
                proposer: None,
                meeting: body.meeting,
                closes_at: body.closes_at.filter(|at| !at.trim().is_empty()),
            })
        })
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct Choice {
    choice: String,
}

async fn vote(
    State(shared): State<Shared>,
    Path(proposal): Path<String>,
    Body(body): Body<Choice>,
) -> ApiResult<Json<Vote>> {
    shared
        .run(move |campaign| campaign.vote(&proposal, &body.choice, None))
        .await
        .map(Json)
}

async fn close(
    State(shared): State<Shared>,
    Path(proposal): Path<String>,
) -> ApiResult<Json<Proposal>> {
    shared
        .run(move |campaign| campaign.close_proposal(&proposal, None))
        .await
        .map(Json)
}
