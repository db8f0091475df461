//! Decision forums under attack and offline: members vote on phones that
//! sync later, and a phone running a modified program (`Campaign::forge`)
//! tries to vote for others, to vote after the close, to change what was
//! proposed, or to record a result the votes do not give. Every honest
//! device refuses each of those at the door and keeps the honest votes.

mod support;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ObjType, ReadDoc, ScalarValue, ROOT};
use holdfast_core::model::Role;
use holdfast_core::{time, DocumentId};
use holdfast_store::use_cases::decisions::{NewProposal, ProposalRow};
use holdfast_store::StoreError;
use support::{assert_refused, member_id, refusals, sync, Device, STEWARD};

const TITLE: &str = "Reject the final offer";

fn hub() -> Device {
    support::founder(&[
        ("Ana Member", &[Role::Member]),
        ("Ben Member", &[Role::Member]),
        ("Fay Facilitator", &[Role::Member, Role::Facilitator]),
    ])
}

/// The hub, a proposal put on it, and phones for Ana, Ben and Fay that
/// hold it.
fn forum() -> (Device, Device, Device, Device) {
    let mut hub = hub();
    hub.campaign
        .propose(NewProposal {
            title: TITLE.into(),
            text: "Vote the offer down and hold the line.".into(),
            proposer: Some(STEWARD.into()),
            ..NewProposal::default()
        })
        .unwrap();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut ben = support::pair(&mut hub, "Ben Member", Role::Member);
    let mut fay = support::pair(&mut hub, "Fay Facilitator", Role::Member);
    for phone in [&mut ana, &mut ben, &mut fay] {
        sync(phone, &mut hub);
    }
    (hub, ana, ben, fay)
}

fn row(device: &Device) -> ProposalRow {
    device
        .campaign
        .proposals()
        .unwrap()
        .into_iter()
        .find(|row| row.proposal.title == TITLE)
        .expect("the proposal is there")
}

fn proposal_id(device: &Device) -> String {
    row(device).proposal.id
}

fn map_in(doc: &AutoCommit, collection: &str, id: &str) -> automerge::ObjId {
    let (_, records) = doc.get(ROOT, collection).unwrap().expect("the collection");
    let (_, record) = doc.get(&records, id).unwrap().expect("the record");
    record
}

/// A vote record written raw, as a modified program would.
fn forged_vote(
    doc: &mut AutoCommit,
    proposal: &str,
    member: &str,
    choice: &str,
) -> Result<(), AutomergeError> {
    let (_, votes) = doc.get(ROOT, "votes")?.expect("the votes");
    let id = uuid::Uuid::new_v4().to_string();
    let vote = doc.put_object(&votes, id.as_str(), ObjType::Map)?;
    doc.put(&vote, "id", id.as_str())?;
    doc.put(&vote, "proposal_id", proposal)?;
    doc.put(&vote, "member_id", member)?;
    doc.put(&vote, "choice", choice)?;
    doc.put(&vote, "cast_at", time::now().as_str())?;
    Ok(())
}

/// A closing written raw into a proposal, with whatever count it likes.
fn forged_closing(
    doc: &mut AutoCommit,
    proposal: &str,
    by: &str,
    outcome: &str,
    counts: &[i64],
) -> Result<(), AutomergeError> {
    let record = map_in(doc, "proposals", proposal);
    let closing = doc.put_object(&record, "closing", ObjType::Map)?;
    doc.put(&closing, "at", time::now().as_str())?;
    doc.put(&closing, "by", by)?;
    doc.put(&closing, "outcome", outcome)?;
    let list = doc.put_object(&closing, "counts", ObjType::List)?;
    for (index, count) in counts.iter().enumerate() {
        doc.insert(&list, index, ScalarValue::Int(*count))?;
    }
    Ok(())
}

#[test]
fn votes_cast_offline_on_phones_are_counted_once_each_on_every_device() {
    let (mut hub, mut ana, mut ben, mut fay) = forum();
    let id = proposal_id(&hub);
    ana.campaign.vote(&id, "yes", None).unwrap();
    ben.campaign.vote(&id, "NO", None).unwrap();
    fay.campaign.vote(&id, "yes", None).unwrap();
    for phone in [&mut ana, &mut ben, &mut fay] {
        sync(phone, &mut hub);
    }
    for phone in [&mut ana, &mut ben] {
        sync(phone, &mut hub);
    }
    for device in [&hub, &ana, &ben] {
        let row = row(device);
        assert_eq!(row.counts, vec![2, 1, 0]);
        assert_eq!(row.outcome.as_deref(), Some("yes"));
        assert!(row.open);
    }
    assert_eq!(row(&ben).my_choice.as_deref(), Some("no"));
    assert!(refusals(&hub).is_empty(), "{:?}", refusals(&hub));
}

#[test]
fn a_member_who_voted_on_two_devices_counts_once_and_voting_again_settles_it() {
    let (mut hub, mut ana, _, _) = forum();
    let mut ana_laptop = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana_laptop, &mut hub);
    let id = proposal_id(&hub);
    ana.campaign.vote(&id, "yes", None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ana_laptop.campaign.vote(&id, "no", None).unwrap();
    sync(&mut ana, &mut hub);
    sync(&mut ana_laptop, &mut hub);

    let standing = row(&hub);
    assert_eq!(standing.counts, vec![0, 1, 0], "the vote cast last counts");
    assert_eq!(standing.disagreements, 1);
    let attention = hub.campaign.attention().unwrap();
    assert!(
        attention
            .iter()
            .any(|item| item.key.starts_with("votes-disagree:")
                && item.summary.starts_with("Ana Member voted no and yes")),
        "{attention:?}"
    );

    sync(&mut ana, &mut hub);
    ana.campaign.vote(&id, "abstain", None).unwrap();
    sync(&mut ana, &mut hub);
    let settled = row(&hub);
    assert_eq!(settled.counts, vec![0, 0, 1]);
    assert_eq!(settled.disagreements, 0);
    assert!(!hub
        .campaign
        .attention()
        .unwrap()
        .iter()
        .any(|item| item.key.starts_with("votes-disagree:")));
}

#[test]
fn a_vote_forged_for_another_member_is_refused_everywhere() {
    let (mut hub, mut ana, mut ben, _) = forum();
    let id = proposal_id(&hub);
    let ben_id = member_id(&hub, "Ben Member");
    // The honest program will not do it.
    let local = ana.campaign.vote(&id, "yes", Some("Ben Member"));
    assert!(local.is_err(), "{local:?}");
    ana.campaign
        .forge(&DocumentId::decisions(), |doc| {
            forged_vote(doc, &id, &ben_id, "yes")
        })
        .unwrap();
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    for device in [&hub, &ben] {
        assert_eq!(row(device).counts, vec![0, 0, 0]);
    }
    assert_refused(&hub, "votes");
}

#[test]
fn a_phone_that_saw_the_close_cannot_vote_or_change_its_vote_after_it() {
    let (mut hub, mut ana, mut ben, mut fay) = forum();
    let id = proposal_id(&hub);
    ben.campaign.vote(&id, "no", None).unwrap();
    sync(&mut ben, &mut hub);
    hub.campaign.close_proposal(&id, Some(STEWARD)).unwrap();
    let closed = row(&hub);
    assert_eq!(closed.counts, vec![0, 1, 0]);
    assert_eq!(closed.outcome.as_deref(), Some("no"));
    for phone in [&mut ana, &mut ben, &mut fay] {
        sync(phone, &mut hub);
    }
    // The honest program refuses; the modified one tries anyway.
    assert!(matches!(
        ana.campaign.vote(&id, "yes", None),
        Err(StoreError::Rejected(_))
    ));
    let ana_id = member_id(&ana, "Ana Member");
    ana.campaign
        .forge(&DocumentId::decisions(), |doc| {
            forged_vote(doc, &id, &ana_id, "yes")
        })
        .unwrap();
    let ben_vote = ben
        .campaign
        .all::<holdfast_core::model::Vote>()
        .unwrap()
        .remove(0);
    ben.campaign
        .forge(&DocumentId::decisions(), |doc| {
            let vote = map_in(doc, "votes", &ben_vote.id);
            doc.put(&vote, "choice", "yes")
        })
        .unwrap();
    sync(&mut ana, &mut hub);
    sync(&mut ben, &mut hub);
    sync(&mut fay, &mut hub);
    for device in [&hub, &fay] {
        let row = row(device);
        assert_eq!(row.counts, vec![0, 1, 0]);
        assert_eq!(row.voters, 1, "no vote after the close is kept");
    }
    let reasons = refusals(&hub);
    assert_eq!(
        reasons
            .iter()
            .filter(|reason| reason.contains("closed before this vote"))
            .count(),
        2,
        "{reasons:?}"
    );
}

#[test]
fn a_vote_cast_offline_before_the_close_is_kept_but_not_counted() {
    let (mut hub, mut ana, mut ben, _) = forum();
    let id = proposal_id(&hub);
    ana.campaign.vote(&id, "yes", None).unwrap();
    sync(&mut ana, &mut hub);
    // Ben votes at the picket line, with no signal, while the hall closes.
    ben.campaign.vote(&id, "no", None).unwrap();
    hub.campaign.close_proposal(&id, Some(STEWARD)).unwrap();
    sync(&mut ben, &mut hub);
    let closed = row(&hub);
    assert_eq!(
        closed.counts,
        vec![1, 0, 0],
        "the count is the one recorded"
    );
    assert_eq!(closed.outcome.as_deref(), Some("yes"));
    assert_eq!(closed.arrived_after_close, 1);
    assert!(refusals(&hub).is_empty(), "{:?}", refusals(&hub));
    assert_eq!(row(&ben).counts, vec![1, 0, 0]);
}

#[test]
fn a_result_the_votes_do_not_give_is_refused_even_from_a_facilitator() {
    let mut hub = hub();
    hub.campaign
        .propose(NewProposal {
            title: TITLE.into(),
            proposer: Some(STEWARD.into()),
            ..NewProposal::default()
        })
        .unwrap();
    let mut ana = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut fay = support::pair(&mut hub, "Fay Facilitator", Role::Facilitator);
    sync(&mut ana, &mut hub);
    sync(&mut fay, &mut hub);
    let id = proposal_id(&hub);
    ana.campaign.vote(&id, "no", None).unwrap();
    sync(&mut ana, &mut hub);
    sync(&mut fay, &mut hub);
    let fay_id = member_id(&fay, "Fay Facilitator");
    fay.campaign
        .forge(&DocumentId::decisions(), |doc| {
            forged_closing(doc, &id, &fay_id, "yes", &[5, 1, 0])
        })
        .unwrap();
    sync(&mut fay, &mut hub);
    let standing = row(&hub);
    assert!(standing.open, "the forged closing was not kept");
    // A true count under another member's name is refused as well (from
    // Fay's second phone, which never held the first forgery).
    let mut fay_again = support::pair(&mut hub, "Fay Facilitator", Role::Facilitator);
    sync(&mut fay_again, &mut hub);
    let ana_id = member_id(&fay_again, "Ana Member");
    fay_again
        .campaign
        .forge(&DocumentId::decisions(), |doc| {
            forged_closing(doc, &id, &ana_id, "no", &[0, 1, 0])
        })
        .unwrap();
    sync(&mut fay_again, &mut hub);
    assert!(row(&hub).open);
    assert_refused(&hub, "names someone other than its device's member");
    assert_refused(&hub, "votes its device held give [0, 1, 0]");
    // An honest close from the hall records the true count.
    hub.campaign.close_proposal(&id, Some(STEWARD)).unwrap();
    let closed = row(&hub);
    assert_eq!(closed.counts, vec![0, 1, 0]);
    assert_eq!(closed.outcome.as_deref(), Some("no"));
}

#[test]
fn what_was_proposed_cannot_be_changed_once_put_and_a_member_cannot_close_it() {
    let (mut hub, mut ana, _, mut fay) = forum();
    let id = proposal_id(&hub);
    assert!(matches!(
        ana.campaign.close_proposal(&id, None),
        Err(StoreError::NotAllowed(_))
    ));
    fay.campaign
        .forge(&DocumentId::decisions(), |doc| {
            let record = map_in(doc, "proposals", &id);
            let (_, options) = doc.get(&record, "options")?.expect("options");
            doc.put(&options, 0, "accept the offer")
        })
        .unwrap();
    sync(&mut fay, &mut hub);
    sync(&mut ana, &mut hub);
    assert_eq!(row(&hub).proposal.options, vec!["yes", "no", "abstain"]);
    assert_eq!(row(&ana).proposal.options, vec!["yes", "no", "abstain"]);
    assert_refused(&hub, "options never change");
}

#[test]
fn erasing_a_member_whose_votes_disagree_leaves_their_name_nowhere() {
    let (mut hub, mut ana, mut ben, _) = forum();
    let mut ana_laptop = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut ana_laptop, &mut hub);
    let id = proposal_id(&hub);
    ana.campaign.vote(&id, "yes", None).unwrap();
    ana_laptop.campaign.vote(&id, "no", None).unwrap();
    sync(&mut ana, &mut hub);
    sync(&mut ana_laptop, &mut hub);
    sync(&mut ben, &mut hub);
    assert!(ben
        .campaign
        .attention()
        .unwrap()
        .iter()
        .any(|item| item.summary.starts_with("Ana Member voted")));
    assert!(hub
        .campaign
        .attention()
        .unwrap()
        .iter()
        .any(|item| item.summary.starts_with("Ana Member voted")));

    hub.campaign.erase_member_and_history("Ana Member").unwrap();
    sync(&mut ben, &mut hub);
    for device in [&hub, &ben] {
        let left =
            holdfast_store::inspect::traces(device.dir.path(), None, &["Ana Member"]).unwrap();
        assert!(left.is_empty(), "{left:?}");
    }
    assert!(hub
        .campaign
        .attention()
        .unwrap()
        .iter()
        .any(|item| item.summary.starts_with("an erased member voted")));
}

#[test]
fn a_vote_whose_time_is_not_a_time_is_refused() {
    let (mut hub, mut ana, _, _) = forum();
    let id = proposal_id(&hub);
    let ana_id = member_id(&ana, "Ana Member");
    // A time that sorts after every real one would make this the vote that
    // counts, whatever the member votes later on another device.
    ana.campaign
        .forge(&DocumentId::decisions(), |doc| {
            forged_vote(doc, &id, &ana_id, "yes")?;
            let (_, votes) = doc.get(ROOT, "votes")?.expect("the votes");
            let vote = doc.keys(&votes).next().expect("the vote");
            let vote = map_in(doc, "votes", &vote);
            doc.put(&vote, "cast_at", "~ forever")
        })
        .unwrap();
    sync(&mut ana, &mut hub);
    assert_eq!(row(&hub).voters, 0);
    assert_refused(&hub, "its time of casting is not a time");
}
