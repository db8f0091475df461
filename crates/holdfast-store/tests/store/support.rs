//! Shared helpers: campaigns in temporary directories, syncing two of them by
//! exchanging document bytes, and reading their projections back.

use std::path::Path;

use holdfast_core::model::*;
use holdfast_core::{Audience, DocumentId};
use holdfast_store::use_cases::actions::NewAction;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::Campaign;
use tempfile::TempDir;

pub fn new_campaign() -> (TempDir, Campaign) {
    let dir = TempDir::new().unwrap();
    let campaign = Campaign::create(dir.path(), "Fair Contract Now", "Local 12").unwrap();
    (dir, campaign)
}

/// A second device of the same campaign.
pub fn join(origin: &mut Campaign) -> (TempDir, Campaign) {
    let dir = TempDir::new().unwrap();
    let bytes = origin.document_bytes(&DocumentId::campaign()).unwrap();
    let mut joined = Campaign::join(dir.path(), &bytes).unwrap();
    sync(origin, &mut joined);
    (dir, joined)
}

/// Whether these tests carry a document between replicas: everything but
/// private reflections and, here, the coordinators' document. (Arrivals
/// travel everywhere here; who is sent which is the sync layer's, tested
/// there.)
pub fn travels(id: &DocumentId) -> bool {
    matches!(
        id.kind().unwrap().audience(),
        Audience::Campaign | Audience::MemberAndCaptains
    )
}

/// Sends every document these tests carry from `from` to `to`.
pub fn send(from: &mut Campaign, to: &mut Campaign) {
    for id in from.documents().unwrap() {
        if !travels(&id) {
            continue;
        }
        let bytes = from.document_bytes(&id).unwrap();
        to.merge_bytes(&bytes).unwrap();
    }
}

pub fn sync(left: &mut Campaign, right: &mut Campaign) {
    send(left, right);
    send(right, left);
}

pub fn member(campaign: &mut Campaign, name: &str, roles: &[Role]) -> Member {
    campaign
        .add_member(NewMember {
            name: name.into(),
            roles: roles.to_vec(),
            ..NewMember::default()
        })
        .unwrap()
}

pub fn picket(campaign: &mut Campaign, title: &str) -> Action {
    campaign
        .create_action(NewAction {
            title: title.into(),
            kind: ActionKind::InformationalPicket,
            tactic: "picket".into(),
            site: None,
            starts_at: "2026-03-02T07:00:00Z".into(),
            ends_at: "2026-03-02T15:00:00Z".into(),
            choke_points: vec![],
        })
        .unwrap()
}

/// Every projected row of shared data, as text, in a stable order.
pub fn projected_rows(data_dir: &Path) -> Vec<String> {
    let connection = holdfast_store::open_connection(data_dir, None).unwrap();
    let mut rows = Vec::new();
    let mut statement = connection
        .prepare(
            "SELECT collection || ' ' || id || ' ' || document_id || ' ' || data FROM records
             WHERE collection NOT IN ('identities', 'reflections') ORDER BY collection, id",
        )
        .unwrap();
    rows.extend(
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap),
    );
    let mut statement = connection
        .prepare(
            "SELECT id || ' ' || action_id || ' ' || member_id || ' ' || kind || ' ' || at || ' ' || voided FROM checkins ORDER BY id",
        )
        .unwrap();
    rows.extend(
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap),
    );
    let mut statement = connection
        .prepare("SELECT key || ' ' || summary FROM attention ORDER BY key")
        .unwrap();
    rows.extend(
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap),
    );
    rows
}
