//! A campaign on disk: create, edit, close, reopen, compact.

use holdfast_core::model::*;
use holdfast_core::DocumentId;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::{Campaign, StoreError};

use crate::support::*;

#[test]
fn every_acknowledged_edit_is_there_after_reopening() {
    let (dir, mut campaign) = new_campaign();
    let ana = member(&mut campaign, "Ana Ferreira", &[Role::Member]);
    let action = picket(&mut campaign, "Gate B picket");
    let check = campaign
        .check_in(CheckRequest {
            action: action.id.clone(),
            member: Some(ana.id.clone()),
            ..CheckRequest::default()
        })
        .unwrap();
    drop(campaign);

    let reopened = Campaign::open(dir.path()).unwrap();
    assert_eq!(reopened.members().unwrap(), vec![ana.clone()]);
    let check_ins = reopened.check_ins(Some(&action.id)).unwrap();
    assert_eq!(check_ins, vec![check]);
    assert!(reopened.present_at(&action.id).unwrap().contains(&ana.id));
}

#[test]
fn documents_load_from_a_snapshot_plus_later_changes() {
    let (dir, mut campaign) = new_campaign();
    member(&mut campaign, "Before Snapshot", &[Role::Member]);
    campaign.compact_all().unwrap();
    member(&mut campaign, "After Snapshot", &[Role::Member]);
    let heads = campaign.heads(&DocumentId::campaign()).unwrap();
    drop(campaign);

    let mut reopened = Campaign::open(dir.path()).unwrap();
    assert_eq!(reopened.heads(&DocumentId::campaign()).unwrap(), heads);
    // The projections and the documents agree after a full rebuild too.
    let before = projected_rows(dir.path());
    reopened.reproject_everything().unwrap();
    assert_eq!(projected_rows(dir.path()), before);
    let names: Vec<String> = reopened
        .members()
        .unwrap()
        .into_iter()
        .map(|member| member.name)
        .collect();
    assert_eq!(names, ["After Snapshot", "Before Snapshot"]);
}

#[test]
fn many_edits_are_compacted_when_the_campaign_closes_and_still_load() {
    let (dir, mut campaign) = new_campaign();
    let action = picket(&mut campaign, "Long picket");
    let ana = member(&mut campaign, "Ana Ferreira", &[Role::Member]);
    // 150 check-ins and check-outs by one member, two minutes apart: 300
    // changes in one member's arrivals.
    for index in 0..150 {
        for (kind, offset) in [("in", 0), ("out", 1)] {
            let minutes = index * 2 + offset;
            let request = CheckRequest {
                action: action.id.clone(),
                member: Some(ana.id.clone()),
                at: Some(format!(
                    "2026-03-02T{:02}:{:02}:00Z",
                    7 + minutes / 60,
                    minutes % 60
                )),
                ..CheckRequest::default()
            };
            if kind == "in" {
                campaign.check_in(request).unwrap();
            } else {
                campaign.check_out(request).unwrap();
            }
        }
    }
    drop(campaign);
    let connection = holdfast_store::open_connection(dir.path(), None).unwrap();
    let snapshots: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM snapshots WHERE document_id = ?1",
            [DocumentId::arrivals(&ana.id).as_str()],
            |row| row.get(0),
        )
        .unwrap();
    assert!(
        snapshots >= 1,
        "300 check-ins in one member's arrivals should have been compacted"
    );
    let reopened = Campaign::open(dir.path()).unwrap();
    assert_eq!(reopened.turnout(&action.id).unwrap().turned_out, 1);
    assert_eq!(reopened.check_ins(Some(&action.id)).unwrap().len(), 300);
}

#[test]
fn opening_a_directory_without_a_campaign_names_the_problem() {
    let dir = tempfile::TempDir::new().unwrap();
    let error = Campaign::open(dir.path()).err().unwrap();
    assert!(matches!(error, StoreError::NoCampaign(_)));
    assert!(error.to_string().contains("holdfast init"));
}

#[test]
fn a_refused_edit_leaves_nothing_behind() {
    let (dir, mut campaign) = new_campaign();
    let ana = member(&mut campaign, "Ana Ferreira", &[Role::Member]);
    let action = picket(&mut campaign, "Gate B picket");
    let request = CheckRequest {
        action: action.id.clone(),
        member: Some(ana.id.clone()),
        ..CheckRequest::default()
    };
    campaign.check_out(request.clone()).unwrap_err();
    campaign.check_in(request.clone()).unwrap();
    let error = campaign.check_in(request).unwrap_err();
    assert!(error.to_string().contains("already checked in"), "{error}");
    let before = projected_rows(dir.path());
    let heads = campaign.heads(&DocumentId::action(&action.id)).unwrap();
    drop(campaign);
    let mut reopened = Campaign::open(dir.path()).unwrap();
    assert_eq!(
        reopened.heads(&DocumentId::action(&action.id)).unwrap(),
        heads
    );
    assert_eq!(projected_rows(dir.path()), before);
    assert_eq!(reopened.check_ins(None).unwrap().len(), 1);
}

#[test]
fn a_damaged_change_row_is_named_and_nothing_else_is_touched() {
    let (dir, mut campaign) = new_campaign();
    let action = picket(&mut campaign, "Gate B picket");
    drop(campaign);
    let connection = holdfast_store::open_connection(dir.path(), None).unwrap();
    connection
        .execute(
            "UPDATE changes SET bytes = x'00112233' WHERE seq = (SELECT MAX(seq) FROM changes WHERE document_id = ?1)",
            [DocumentId::action(&action.id).as_str()],
        )
        .unwrap();
    drop(connection);
    let mut reopened = Campaign::open(dir.path()).unwrap();
    let error = reopened.heads(&DocumentId::action(&action.id)).unwrap_err();
    assert!(
        matches!(error, StoreError::DamagedDocument { .. }),
        "{error}"
    );
    assert!(error.to_string().contains(&action.id));
    // The rest of the campaign still opens and reads.
    assert_eq!(
        reopened.settings().unwrap().campaign_name,
        "Fair Contract Now"
    );
}

#[test]
fn a_roster_import_is_one_change_however_many_rows() {
    let (dir, mut campaign) = new_campaign();
    let count_changes = || -> i64 {
        let connection = holdfast_store::open_connection(dir.path(), None).unwrap();
        connection
            .query_row(
                "SELECT COUNT(*) FROM changes WHERE document_id = 'campaign'",
                [],
                |row| row.get(0),
            )
            .unwrap()
    };
    let before = count_changes();
    let mut csv = String::from("name,phone,email,site,department,roles\n");
    for index in 0..40 {
        csv.push_str(&format!(
            "Person {index},,person{index}@example.org,North Depot,Dispatch,member\n"
        ));
    }
    let summary = campaign.import_roster(csv.as_bytes()).unwrap();
    assert_eq!(summary.added, 40);
    assert_eq!(count_changes(), before + 1);

    // A bad line refuses the whole file: no change, no member.
    let bad =
        "name,phone,email,site,department,roles\nGood Person,,,,,member\nBad Person,,,,,chairman\n";
    let error = campaign.import_roster(bad.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("line 3"), "{error}");
    assert_eq!(count_changes(), before + 1);
    assert_eq!(campaign.members().unwrap().len(), 40);
}

#[test]
fn a_creation_cut_off_by_a_crash_can_be_tried_again() {
    let dir = tempfile::TempDir::new().unwrap();
    // What a kill between creating the files and committing the campaign
    // leaves: a key and an empty database.
    holdfast_store::at_rest::create(dir.path(), None).unwrap();
    drop(holdfast_store::open_connection(dir.path(), None).unwrap());
    assert!(dir.path().join(holdfast_store::DATABASE_FILE).exists());
    assert!(matches!(
        Campaign::open(dir.path()),
        Err(holdfast_store::StoreError::NoCampaign(_))
    ));
    Campaign::create(dir.path(), "Fair Contract Now", "Local 12").unwrap();
    // A real campaign is never replaced.
    assert!(matches!(
        Campaign::create(dir.path(), "Another", "Local 12"),
        Err(holdfast_store::StoreError::CampaignExists(_))
    ));
    assert_eq!(
        Campaign::open(dir.path())
            .unwrap()
            .settings()
            .unwrap()
            .campaign_name,
        "Fair Contract Now"
    );
}

/// What one sync flight writes is committed once: another process sees none
/// of it until the flight is done, then all of it; an edit refused inside
/// undoes only itself.
#[test]
fn writes_in_one_commit_appear_together_and_a_refused_one_undoes_only_itself() {
    let (dir, mut campaign) = new_campaign();
    let names_elsewhere = |dir: &std::path::Path| -> Vec<String> {
        let other = holdfast_store::open_connection(dir, None).unwrap();
        let mut statement = other
            .prepare(
                "SELECT json_extract(data, '$.name') FROM records
                 WHERE collection = 'members' ORDER BY 1",
            )
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let seen_inside = campaign
        .in_one_commit(|campaign| {
            member(campaign, "Ana Ferreira", &[]);
            // A second member with no name is refused; Ana stays.
            let refused = campaign.add_member(holdfast_store::use_cases::members::NewMember {
                name: " ".into(),
                ..Default::default()
            });
            assert!(refused.is_err());
            member(campaign, "Kofi Mensah", &[]);
            names_elsewhere(dir.path())
        })
        .unwrap();
    assert!(
        seen_inside.is_empty(),
        "seen before the commit: {seen_inside:?}"
    );
    assert_eq!(names_elsewhere(dir.path()), ["Ana Ferreira", "Kofi Mensah"]);
    drop(campaign);
    let reopened = Campaign::open(dir.path()).unwrap();
    let members: Vec<Member> = reopened.all().unwrap();
    assert_eq!(members.len(), 2);
}

/// An edit made while another process commits (the command line beside a
/// running hub, which notes a phone's sync as the phone goes) is saved
/// whole: in the document that syncs, not only in the lists read from it.
/// Once, the other process's commit was noticed in the middle of the edit,
/// the document holding the new change was dropped from memory, and only
/// the lists were written: a vote counted on this device that no other
/// device would ever receive.
#[test]
fn an_edit_made_while_another_process_commits_reaches_the_document() {
    use std::sync::mpsc;
    use std::time::Duration;

    let (dir, mut campaign) = new_campaign();
    campaign
        .register_this_device(&"ab".repeat(32), "Hall desktop")
        .unwrap();
    let path = dir.path().to_path_buf();
    let (go, wait_for_go) = mpsc::channel::<()>();
    let (done, wait_for_done) = mpsc::channel::<()>();
    let elsewhere = std::thread::spawn(move || {
        let mut other = Campaign::open(&path).unwrap();
        wait_for_go.recv().unwrap();
        member(&mut other, "Kofi Mensah", &[]);
        let _ = done.send(());
    });
    let site = Site::new("North depot");
    campaign
        .write(&DocumentId::campaign(), "add a site", |writer| {
            writer.put(&site)?;
            // The other process commits now. It may have to wait for this
            // edit to be saved first (the right outcome), so this waits
            // only a moment for it.
            go.send(()).unwrap();
            let _ = wait_for_done.recv_timeout(Duration::from_secs(2));
            Ok(())
        })
        .unwrap();
    elsewhere.join().unwrap();
    drop(campaign);

    let mut reopened = Campaign::open(dir.path()).unwrap();
    let bytes = reopened.document_bytes(&DocumentId::campaign()).unwrap();
    let doc = automerge::AutoCommit::load(&bytes).unwrap();
    let sites: Vec<Site> = holdfast_core::record::all(&doc).unwrap();
    assert_eq!(sites, vec![site.clone()], "the site is not in the document");
    let members: Vec<Member> = holdfast_core::record::all(&doc).unwrap();
    assert_eq!(members.len(), 1, "the other process's member: {members:?}");
    assert_eq!(reopened.find::<Site>(&site.id).unwrap(), Some(site));
}
