//! Sessions driven in memory: two real campaigns in temporary directories,
//! bytes handed from one state machine to the other. The network tests in
//! `holdfast-net` and `tests/integration` run the same code over sockets.

mod support;

use holdfast_core::model::Role;
use holdfast_core::DocumentId;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::Campaign;
use holdfast_sync::{Config, Identity, Invite, Session, Status, SyncError};
use support::Device;
use tempfile::TempDir;

fn hub() -> Device {
    support::founder(&[
        ("Ana Member", &[Role::Member]),
        ("Cy Coordinator", &[Role::Member, Role::AidCoordinator]),
    ])
}

/// Syncs a device with the hub; returns both sides' final status.
fn sync(device: &mut Device, hub: &mut Device) -> (Status, Status) {
    let (mut client, first) = Session::connect(device.identity.clone(), Config::default()).unwrap();
    let mut server = Session::accept(
        hub.identity.clone(),
        Config {
            collapse_heads: true,
            ..Config::default()
        },
    );
    exchange(
        &mut client,
        &mut device.campaign,
        first,
        &mut server,
        &mut hub.campaign,
    )
}

fn exchange(
    client: &mut Session,
    client_campaign: &mut Campaign,
    first: Vec<u8>,
    server: &mut Session,
    server_campaign: &mut Campaign,
) -> (Status, Status) {
    let mut to_server = first;
    let mut client_status = Status::Continue;
    let mut server_status = Status::Continue;
    for _ in 0..50 {
        if matches!(server_status, Status::Continue) {
            let output = server.receive(server_campaign, &to_server);
            server_status = output.status;
            if matches!(client_status, Status::Continue) {
                let reply = client.receive(client_campaign, &output.send);
                client_status = reply.status;
                to_server = reply.send;
            }
        } else if matches!(client_status, Status::Continue) {
            // The server closed: the client sees the end of the stream.
            break;
        }
        if !matches!(client_status, Status::Continue) && !matches!(server_status, Status::Continue)
        {
            break;
        }
        if !matches!(client_status, Status::Continue) && to_server.is_empty() {
            break;
        }
    }
    (client_status, server_status)
}

fn check_in(device: &mut Device, member: &str) {
    device
        .campaign
        .check_in(CheckRequest {
            action: "Gate picket".into(),
            member: Some(member.into()),
            shift: None,
            recorded_by: None,
            at: None,
        })
        .unwrap();
}

#[test]
fn a_paired_phone_syncs_its_offline_check_in_in_few_round_trips() {
    let mut hub = hub();
    let mut phone = support::pair(&mut hub, "Ana Member", Role::Member);
    let (client, server) = sync(&mut phone, &mut hub);
    assert!(matches!(client, Status::Done(_)), "{client:?}");
    assert!(matches!(server, Status::Done(_)), "{server:?}");
    assert_eq!(phone.campaign.actions().unwrap().len(), 1);

    check_in(&mut phone, "Ana Member");
    assert_eq!(
        phone.campaign.sync_status().unwrap().unsynced_local_changes,
        1
    );
    let (client, _) = sync(&mut phone, &mut hub);
    let Status::Done(report) = client else {
        panic!("{client:?}")
    };
    assert_eq!(hub.campaign.check_ins(None).unwrap().len(), 1);
    assert!(report.round_trips <= 3, "{report:?}");
    assert_eq!(
        phone.campaign.sync_status().unwrap().unsynced_local_changes,
        0
    );
}

#[test]
fn the_hub_keeps_one_head_after_many_phones() {
    let mut hub = hub();
    let mut phones: Vec<Device> = (0..4)
        .map(|_| support::pair(&mut hub, "Ana Member", Role::Member))
        .collect();
    for phone in &mut phones {
        sync(phone, &mut hub);
    }
    for phone in &mut phones {
        check_in(phone, "Ana Member");
    }
    for phone in &mut phones {
        let (client, _) = sync(phone, &mut hub);
        assert!(matches!(client, Status::Done(_)), "{client:?}");
    }
    let action = hub.campaign.actions().unwrap()[0].id.clone();
    assert_eq!(hub.campaign.check_ins(None).unwrap().len(), 4);
    assert_eq!(
        hub.campaign
            .document_heads(&DocumentId::action(&action))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_unpaired_device_is_refused_and_neither_side_learns_anything() {
    let mut hub = hub();
    let dir = TempDir::new().unwrap();
    let mut stranger_campaign = Campaign::create(dir.path(), "Other", "Other").unwrap();
    let stranger_identity = Identity::of(&mut stranger_campaign).unwrap();
    let mut stranger = Device {
        dir,
        campaign: stranger_campaign,
        identity: stranger_identity,
    };
    let before = hub
        .campaign
        .document_heads(&DocumentId::campaign())
        .unwrap();
    let (client, server) = sync(&mut stranger, &mut hub);
    // The stranger does not know the hub's key either, so it stops before
    // sending its own: the hub never sees it, let alone its changes.
    assert!(
        matches!(client, Status::Failed(SyncError::Unpaired { .. })),
        "{client:?}"
    );
    assert!(!matches!(server, Status::Done(_)), "{server:?}");
    assert_eq!(stranger.campaign.actions().unwrap().len(), 0);
    assert_eq!(
        hub.campaign
            .document_heads(&DocumentId::campaign())
            .unwrap(),
        before
    );
}

#[test]
fn a_revoked_device_is_refused_at_its_next_connection() {
    let mut hub = hub();
    let mut phone = support::pair(&mut hub, "Ana Member", Role::Member);
    sync(&mut phone, &mut hub);
    let device_id = phone.campaign.device_id().to_string();
    hub.campaign
        .revoke_device("Rosa Steward", &device_id)
        .unwrap();
    check_in(&mut hub, "Rosa Steward");
    let (client, server) = sync(&mut phone, &mut hub);
    assert!(
        matches!(server, Status::Failed(SyncError::Revoked { .. })),
        "{server:?}"
    );
    let Status::Failed(SyncError::RefusedByPeer(reason)) = client else {
        panic!("{client:?}")
    };
    assert!(reason.contains("revoked"), "{reason}");
    assert_eq!(phone.campaign.check_ins(None).unwrap().len(), 0);
}

#[test]
fn a_wrong_invite_code_fails_the_handshake_and_pairs_nothing() {
    let mut hub = hub();
    let invite = support::invite(&mut hub, "Ana Member", Role::Member);
    // Same tag, different secret.
    let forged = Invite::parse(&format!("{}-0000-0000-0000", invite.code.tag)).unwrap();
    let error = support::redeem(&mut hub, forged).err().expect("refused");
    assert!(matches!(error, SyncError::Handshake(_)), "{error}");
    assert_eq!(hub.campaign.devices().unwrap().len(), 1);
    // The invite is still unused and works with the right code.
    assert!(hub.campaign.invites().unwrap()[0].used_at.is_none());
    support::redeem(&mut hub, invite).unwrap();
}

#[test]
fn an_invite_pairs_one_device_only() {
    let mut hub = hub();
    let invite = support::invite(&mut hub, "Ana Member", Role::Member);
    support::redeem(&mut hub, invite.clone()).unwrap();
    let error = support::redeem(&mut hub, invite).err().expect("refused");
    assert!(
        error
            .to_string()
            .contains(holdfast_sync::session::INVITE_REFUSED),
        "{error}"
    );
    // A stranger learns nothing more from a tag this hub never issued: the
    // same words, with no expiry time and no "used".
    let mut other = self::hub();
    let foreign = support::invite(&mut other, "Ana Member", Role::Member);
    let unknown = support::redeem(&mut hub, foreign).err().expect("refused");
    assert_eq!(unknown.to_string(), error.to_string());
}

#[test]
fn a_big_local_gets_thousands_of_invites_each_with_its_own_tag() {
    // Tags come from about a million; at 3,000 invites two drawn at random
    // would share one (about 98 times in 100), which once failed on the
    // database's own rule.
    let mut hub = hub();
    let mut tags = std::collections::BTreeSet::new();
    for _ in 0..3_000 {
        let (invite, record) = holdfast_sync::pairing::issue_invite(
            &mut hub.campaign,
            support::STEWARD,
            "Ana Member",
            Role::Member,
            24,
            vec![],
        )
        .expect("an invite");
        assert_eq!(invite.code.tag, record.tag);
        assert!(tags.insert(record.tag), "a tag was given twice");
    }
}

#[test]
fn aid_identities_go_only_to_coordinators_and_reflections_nowhere() {
    let mut hub = hub();
    hub.campaign
        .request_aid(holdfast_store::use_cases::aid::NewRequest {
            member: "Ana Member".into(),
            category: holdfast_core::model::AidCategory::Rent,
            amount_cents: 5000,
            urgency: holdfast_core::model::Urgency::Soon,
            note: "week two".into(),
        })
        .unwrap();
    let mut member_phone = support::pair(&mut hub, "Ana Member", Role::Member);
    let mut coordinator_phone = support::pair(&mut hub, "Cy Coordinator", Role::AidCoordinator);
    sync(&mut member_phone, &mut hub);
    sync(&mut coordinator_phone, &mut hub);
    let private = DocumentId::aid_private();
    assert!(hub.campaign.documents().unwrap().contains(&private));
    assert!(!member_phone
        .campaign
        .documents()
        .unwrap()
        .contains(&private));
    assert!(coordinator_phone
        .campaign
        .documents()
        .unwrap()
        .contains(&private));
    assert!(!coordinator_phone
        .campaign
        .documents()
        .unwrap()
        .contains(&DocumentId::personal()));
}

/// A paired device that speaks the protocol by hand, to send what an honest
/// device never would. Returns the server session, the open channel, and
/// the handshake's last message still to deliver.
fn hostile_channel(hub: &mut Device, phone: &Device) -> (Session, snow::TransportState, Vec<u8>) {
    use holdfast_sync::frame::{self, FrameKind, FrameReader, MAX_FRAME_BODY};
    let mut handshake = holdfast_sync::noise::initiator(&phone.identity.private, None).unwrap();
    let mut first = Vec::new();
    frame::encode(FrameKind::Hello, b"HFS1\x01", &mut first);
    let mut buffer = vec![0_u8; MAX_FRAME_BODY];
    let length = handshake.write_message(&[], &mut buffer).unwrap();
    frame::encode(FrameKind::Handshake, &buffer[..length], &mut first);
    let mut server = Session::accept(hub.identity.clone(), Config::default());
    let output = server.receive(&mut hub.campaign, &first);
    let mut reader = FrameReader::default();
    reader.push(&output.send);
    let (_, reply) = reader.next_frame().unwrap().unwrap();
    handshake.read_message(&reply, &mut buffer).unwrap();
    let length = handshake.write_message(&[], &mut buffer).unwrap();
    let mut last = Vec::new();
    frame::encode(FrameKind::Handshake, &buffer[..length], &mut last);
    (server, handshake.into_transport_mode().unwrap(), last)
}

fn hostile_flight(document: DocumentId, sync_bytes: Vec<u8>) -> holdfast_sync::wire::Message {
    holdfast_sync::wire::Message::Flight {
        announce: Some(vec![]),
        syncs: vec![(document, sync_bytes, Vec::new())],
        epochs: Vec::new(),
        rebases: Vec::new(),
    }
}

#[test]
fn a_bloom_filter_with_zero_bits_is_refused_before_automerge_sees_it() {
    let mut hub = hub();
    let phone = support::pair(&mut hub, "Ana Member", Role::Member);
    let action = DocumentId::action(&hub.campaign.actions().unwrap()[0].id);
    let heads_before = hub.campaign.document_heads(&action).unwrap();
    let (mut server, mut transport, mut send) = hostile_channel(&mut hub, &phone);
    // Version 0x42, no heads, no needs, one "have" with no last-sync hashes
    // and a Bloom filter of one entry, zero bits per entry, seven probes.
    let poisoned = vec![0x42, 0, 0, 1, 0, 3, 1, 0, 7, 0];
    holdfast_sync::session::write_message(
        &mut transport,
        &hostile_flight(action.clone(), poisoned),
        &mut send,
    )
    .unwrap();
    let output = server.receive(&mut hub.campaign, &send);
    let Status::Failed(error) = output.status else {
        panic!("{:?}", output.status)
    };
    assert!(error.to_string().contains("bits per entry"), "{error}");
    assert_eq!(hub.campaign.document_heads(&action).unwrap(), heads_before);
    // The refusal reaches the peer, encrypted.
    assert!(!output.send.is_empty());
}

#[test]
fn a_replayed_frame_in_a_live_session_fails_authentication() {
    let mut hub = hub();
    let phone = support::pair(&mut hub, "Ana Member", Role::Member);
    let (mut server, mut transport, mut send) = hostile_channel(&mut hub, &phone);
    let action = DocumentId::action(&hub.campaign.actions().unwrap()[0].id);
    let mut flight = Vec::new();
    // A well-formed first message for the action, so the hub answers and waits.
    let state = &mut automerge::sync::State::new();
    let mut doc = automerge::AutoCommit::new();
    use automerge::sync::SyncDoc;
    let message = doc.sync().generate_sync_message(state).unwrap();
    holdfast_sync::session::write_message(
        &mut transport,
        &hostile_flight(action, message.encode()),
        &mut flight,
    )
    .unwrap();
    send.extend_from_slice(&flight);
    let output = server.receive(&mut hub.campaign, &send);
    assert!(
        matches!(output.status, Status::Continue),
        "{:?}",
        output.status
    );
    // The same encrypted frame again: its nonce is spent.
    let output = server.receive(&mut hub.campaign, &flight);
    assert!(
        matches!(output.status, Status::Failed(SyncError::Tampered)),
        "{:?}",
        output.status
    );
}

#[test]
fn an_oversized_or_malformed_frame_is_refused_before_it_is_read() {
    let mut hub = hub();
    for bytes in [
        vec![0xff, 0xff, 0xff, 0xff, 1],
        vec![0, 0, 0, 0],
        vec![0, 0, 0, 2, 9, 9],
        vec![0, 0, 0, 6, 1, b'H', b'T', b'T', b'P', b'/'],
    ] {
        let mut server = Session::accept(hub.identity.clone(), Config::default());
        let output = server.receive(&mut hub.campaign, &bytes);
        assert!(
            matches!(output.status, Status::Failed(_)),
            "{bytes:?}: {:?}",
            output.status
        );
        assert!(output.send.is_empty(), "a stranger is told nothing");
    }
}

#[test]
fn a_change_that_breaks_the_record_is_refused_and_never_saved() {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ReadDoc, ROOT};
    let mut hub = hub();
    let mut phone = support::pair(&mut hub, "Ana Member", Role::Member);
    support::sync(&mut phone, &mut hub);
    let action_id = hub.campaign.actions().unwrap()[0].id.clone();
    let ana = hub.campaign.resolve_member("Ana Member").unwrap().id;
    // Ana's arrivals, which both devices hold after one honest check-in.
    phone
        .campaign
        .check_in(holdfast_store::use_cases::check_ins::CheckRequest {
            action: action_id.clone(),
            ..Default::default()
        })
        .unwrap();
    support::sync(&mut phone, &mut hub);
    let action = DocumentId::arrivals(&ana);
    let heads_before = hub.campaign.document_heads(&action).unwrap();
    let check_ins_before = hub.campaign.check_ins(None).unwrap().len();

    // A valid Automerge change that writes a check-in Holdfast cannot read:
    // its `kind` is a number, not "in" or "out". It is Ana's own check-in,
    // signed by her phone, so it passes the door and fails at the record.
    let hash = phone
        .campaign
        .forge(&action, |doc| {
            let (_, check_ins) = doc
                .get(ROOT, "checkins")?
                .expect("the check-ins collection");
            let bad = doc.put_object(&check_ins, "bad", ObjType::Map)?;
            doc.put(&bad, "id", "bad")?;
            doc.put(&bad, "action_id", action_id.as_str())?;
            doc.put(&bad, "member_id", ana.as_str())?;
            doc.put(&bad, "kind", 42_i64)
        })
        .unwrap();
    let mut doc =
        automerge::AutoCommit::load(&phone.campaign.document_bytes(&action).unwrap()).unwrap();
    let change = doc.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec();
    let signatures = phone.campaign.signatures_for([hash]).unwrap();
    assert_eq!(signatures.len(), 1);
    let mut heads = doc.get_heads();
    heads.sort();
    let message = automerge::sync::Message {
        heads,
        need: vec![],
        have: vec![automerge::sync::Have::default()],
        changes: vec![change].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    let mut flight = hostile_flight(action.clone(), message.encode());
    if let holdfast_sync::wire::Message::Flight { syncs, .. } = &mut flight {
        syncs[0].2 = signatures;
    }

    let (mut server, mut transport, mut send) = hostile_channel(&mut hub, &phone);
    holdfast_sync::session::write_message(&mut transport, &flight, &mut send).unwrap();
    let output = server.receive(&mut hub.campaign, &send);
    // Refused at the door by name, and the session goes on.
    assert!(
        !matches!(output.status, Status::Failed(_)),
        "{:?}",
        output.status
    );
    let refused = hub.campaign.refused_changes().unwrap();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0]
            .reason
            .contains("its checkins record bad is not one Holdfast can read"),
        "{refused:?}"
    );
    assert_eq!(hub.campaign.document_heads(&action).unwrap(), heads_before);
    assert_eq!(
        hub.campaign.check_ins(None).unwrap().len(),
        check_ins_before
    );
    // And after a restart from disk, it is still not there.
    let dir = hub.dir.path().to_path_buf();
    drop(hub.campaign);
    let mut reopened = Campaign::open(&dir).unwrap();
    assert_eq!(reopened.document_heads(&action).unwrap(), heads_before);
}
