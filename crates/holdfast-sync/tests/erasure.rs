//! Erasure from history, over real sessions in memory: a steward's device
//! re-bases the documents without the erased member, every paired device
//! installs the new history when it next syncs, and nothing of the member is
//! left in any document's history, any table or any file.

mod support;

use holdfast_core::model::{AidCategory, Member, Role, Urgency};
use holdfast_core::DocumentId;
use holdfast_store::use_cases::aid::NewRequest;
use holdfast_store::use_cases::members::NewMember;
use holdfast_sync::{Config, Session, Status};
use support::{sync, Device};

const ERASED: &str = "Quenby Marchetti-Oyelaran";
const ERASED_PHONE: &str = "+44 7700 900461";
const ERASED_EMAIL: &str = "quenby.mo@example.org";

/// Where a device still holds any of `needles`, anywhere in its folder.
fn traces(device: &mut Device, needles: &[&str]) -> Vec<String> {
    holdfast_store::inspect::traces(device.dir.path(), None, needles).unwrap()
}

fn member_names(device: &Device) -> Vec<String> {
    let mut names: Vec<String> = device
        .campaign
        .all::<Member>()
        .unwrap()
        .into_iter()
        .map(|member| member.name)
        .collect();
    names.sort();
    names
}

#[test]
fn an_erased_member_leaves_no_trace_on_any_device_and_offline_edits_survive() {
    let mut hub = support::founder(&[
        ("Ana Member", &[Role::Member]),
        ("Cy Coordinator", &[Role::Member, Role::AidCoordinator]),
    ]);
    let erased = hub
        .campaign
        .add_member(NewMember {
            name: ERASED.into(),
            phone: Some(ERASED_PHONE.into()),
            email: Some(ERASED_EMAIL.into()),
            roles: vec![Role::Member],
            ..NewMember::default()
        })
        .unwrap();
    // Who is behind an aid pseudonym lives in `aid-private`.
    hub.campaign
        .request_aid(NewRequest {
            member: erased.id.clone(),
            category: AidCategory::Rent,
            amount_cents: 45_000,
            urgency: Urgency::Soon,
            note: "behind on rent since the lockout".into(),
        })
        .unwrap();
    // Ana's device is a steward's: the edit she makes offline below (adding
    // a member) is one only stewards' devices may make.
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Steward);
    let mut cy = support::pair(&mut hub, "Cy Coordinator", Role::AidCoordinator);
    let mut quenby = support::pair(&mut hub, ERASED, Role::Member);
    sync(&mut ana, &mut hub);
    sync(&mut cy, &mut hub);
    sync(&mut quenby, &mut hub);
    let needles = [ERASED, "Marchetti", ERASED_PHONE, ERASED_EMAIL];
    // The check below can fail: before the erasure every device holds the
    // member in its history and its tables.
    for device in [&mut hub, &mut ana, &mut cy] {
        assert!(!traces(device, &needles).is_empty());
    }

    // Ana edits while out of reach: she adds a member.
    ana.campaign
        .add_member(NewMember {
            name: "Wendeline Osei".into(),
            roles: vec![Role::Member],
            ..NewMember::default()
        })
        .unwrap();

    hub.campaign.erase_member(&erased.id).unwrap();
    let rebased = hub.campaign.erase_from_history(&erased.id).unwrap();
    assert!(rebased.iter().any(|(id, _)| *id == DocumentId::campaign()));
    assert_eq!(traces(&mut hub, &needles), Vec::<String>::new());

    let report = sync(&mut cy, &mut hub);
    assert!(report.rebases_received >= 2, "{report:?}");
    assert_eq!(traces(&mut cy, &needles), Vec::<String>::new());

    // A bundle Ana writes now carries her old history: the hub refuses it
    // whole rather than merge the old history back in.
    let (stick, _) = holdfast_sync::bundle::export(&mut ana.campaign, None).unwrap();
    let refused = holdfast_sync::bundle::import(&mut hub.campaign, &stick).unwrap_err();
    assert!(refused.to_string().contains("history"), "{refused}");
    assert_eq!(traces(&mut hub, &needles), Vec::<String>::new());

    let report = sync(&mut ana, &mut hub);
    assert!(report.rebases_received >= 1, "{report:?}");
    assert_eq!(traces(&mut ana, &needles), Vec::<String>::new());
    assert!(member_names(&hub).contains(&"Wendeline Osei".to_string()));
    sync(&mut cy, &mut hub);
    assert_eq!(member_names(&ana), member_names(&hub));
    assert_eq!(member_names(&cy), member_names(&hub));
    assert_eq!(traces(&mut hub, &needles), Vec::<String>::new());

    // An installed history came from its sender: with nothing carried
    // over, none of it counts as waiting to leave the device.
    let history = hub
        .campaign
        .rebase_for_peer(&DocumentId::campaign())
        .unwrap()
        .expect("the hub holds a re-based history");
    assert_eq!(quenby.campaign.install_rebase(history).unwrap(), 0);
    assert_eq!(
        quenby
            .campaign
            .sync_status()
            .unwrap()
            .unsynced_local_changes,
        0
    );

    // The erased member's own phone was revoked with the erasure.
    let (mut client, first) = Session::connect(quenby.identity.clone(), Config::default()).unwrap();
    let mut server = Session::accept(hub.identity.clone(), Config::default());
    let output = server.receive(&mut hub.campaign, &first);
    let reply = client.receive(&mut quenby.campaign, &output.send);
    let output = server.receive(&mut hub.campaign, &reply.send);
    assert!(
        matches!(output.status, Status::Failed(_)),
        "{:?}",
        output.status
    );
}

#[test]
fn a_members_device_cannot_replace_a_history() {
    let mut hub = support::founder(&[("Ana Member", &[Role::Member])]);
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana, &mut hub);
    let before = member_names(&hub);
    // Ana's device re-bases its own copy (as a tampered build could) and
    // tries to sync it to the hub: the hub keeps its history, and the two
    // keep the document apart instead of mixing histories.
    ana.campaign
        .rebase(
            &DocumentId::campaign(),
            &[hub.campaign.all::<Member>().unwrap()[0].id.clone()],
        )
        .unwrap();
    let report = sync(&mut ana, &mut hub);
    assert_eq!(report.rebases_received, 0);
    assert_eq!(report.documents_apart, 1, "{report:?}");
    assert_eq!(member_names(&hub), before);
    assert_eq!(
        hub.campaign.epoch(&DocumentId::campaign()).unwrap(),
        Default::default()
    );
}
