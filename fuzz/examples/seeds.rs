//! Writes the seed corpora in `fuzz/corpus/<target>/`.
//!
//! Run it from `fuzz/` with `cargo run --example seeds`. The seeds are
//! committed; running this again replaces them with equivalent files (keys,
//! nonces and ids are random where the code under test makes them random, so
//! the bytes differ from run to run).
//!
//! A seed gives the fuzzer a real input to mutate, so that it starts deep in
//! each format instead of having to discover the magic bytes, lengths and
//! checksums by chance. The known-bad inputs that the validator was written
//! against are seeded too, so that every run checks them again.

use std::path::{Path, PathBuf};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use holdfast_core::rebase::Epoch;
use holdfast_core::DocumentId;
use holdfast_fuzz::{chunk_header, invite_code, seal_bundle, unseal_bundle, write_number, Fixture};
use holdfast_sync::pairing::Pairing;
use holdfast_sync::wire::Message;
use holdfast_sync::{bundle, Config, Identity, Invite, Session, Status};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut fixture = Fixture::new();
    let sync_messages = real_sync_messages();

    sync_frames(&root.join("sync_frames"), &mut fixture);
    sync_message(&root.join("sync_message"), &sync_messages);
    wire_message(&root.join("wire_message"), &sync_messages);
    bundle_import(&root.join("bundle_import"), &mut fixture);
    roster_csv(&root.join("roster_csv"), &mut fixture);
    automerge_import(&root.join("automerge_import"), &mut fixture);
}

/// Empties a corpus folder and returns a function that writes one seed in it.
fn corpus(dir: &Path) -> impl Fn(&str, &[u8]) + '_ {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("the old corpus removed");
    }
    std::fs::create_dir_all(dir).expect("the corpus folder");
    move |name: &str, bytes: &[u8]| {
        let path: PathBuf = dir.join(name);
        std::fs::write(&path, bytes).expect("a seed written");
        println!("{:>7} bytes  {}", bytes.len(), path.display());
    }
}

/// The input that hands `stream` to the session in pieces of these lengths.
fn chunked(lengths: &[u8], stream: &[u8]) -> Vec<u8> {
    let mut input = chunk_header(lengths);
    input.extend_from_slice(stream);
    input
}

fn frame(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 1) as u32).to_be_bytes().to_vec();
    out.push(kind);
    out.extend_from_slice(body);
    out
}

fn sync_frames(dir: &Path, fixture: &mut Fixture) {
    let seed = corpus(dir);
    // What a real device sends first when it connects to sync: the hello and
    // the first Noise handshake message.
    let (_, opening) =
        Session::connect(Identity::generate().expect("a key pair"), Config::default())
            .expect("a connection");
    seed("sync-opening", &chunked(&[], &opening));
    seed(
        "sync-opening-in-pieces",
        &chunked(&[1, 3, 7, 0, 2], &opening),
    );
    // What a new device sends first when it redeems the invite every fuzz
    // campaign holds, so that the invite lookup succeeds and the pre-shared
    // key handshake runs.
    let invite = Invite {
        code: invite_code(),
        hubs: vec![],
        hub_key: None,
    };
    let identity = Identity::generate().expect("a key pair");
    let (_, pairing) = Pairing::start(invite, &identity, "1b4e28ba-2fa1-11d2-883f-0016d3cca427")
        .expect("a pairing");
    // The seed is only worth having if a fuzz campaign answers it with the
    // second handshake message rather than a refusal.
    let mut hub = Session::accept(fixture.identity.clone(), Config::default());
    let output = hub.receive(&mut fixture.campaign, &pairing);
    assert!(
        matches!(output.status, Status::Continue) && !output.send.is_empty(),
        "the fuzz campaign answers the pairing opening: {:?}",
        output.status
    );
    seed("pair-opening", &chunked(&[], &pairing));
    seed("pair-opening-byte-by-byte", &chunked(&[1], &pairing));
    // A pairing hello for an invite the campaign does not know.
    seed(
        "pair-unknown-invite",
        &chunked(&[], &frame(1, b"HFS1\x02ABCD")),
    );
    // A hello alone, then a second hello.
    let hello = frame(1, b"HFS1\x01");
    seed("hello-only", &chunked(&[], &hello));
    seed(
        "hello-twice",
        &chunked(&[], &[hello.clone(), hello.clone()].concat()),
    );
    // Encrypted data before any handshake, and a refusal from the peer.
    seed(
        "transport-too-early",
        &chunked(&[], &[hello.clone(), frame(3, &[0; 32])].concat()),
    );
    seed("refusal", &chunked(&[], &frame(4, b"no thanks")));
    // Something else on the port altogether, and a frame that claims to be
    // larger than any frame may be.
    seed(
        "not-holdfast",
        &chunked(&[], b"GET / HTTP/1.1\r\nHost: hub\r\n\r\n"),
    );
    seed(
        "frame-too-large",
        &chunked(&[2], &[0x7f, 0xff, 0xff, 0xff, 1]),
    );
}

/// Sync messages that two small documents with different edits exchange
/// until they agree, in the order they were sent.
fn real_sync_messages() -> Vec<Vec<u8>> {
    let mut left = AutoCommit::new();
    let members = left
        .put_object(ROOT, "members", ObjType::Map)
        .expect("a map");
    left.put(&members, "rosa", "Rosa Steward").expect("a value");
    left.commit();
    let mut right = left.fork();
    left.put(&members, "sam", "Sam Member").expect("a value");
    left.commit();
    let notes = right
        .put_object(ROOT, "notes", ObjType::List)
        .expect("a list");
    right
        .insert(&notes, 0, "gate 3 at dawn")
        .expect("an element");
    right.commit();
    right.put(ROOT, "count", 2_i64).expect("a value");
    right.commit();

    let mut left_state = sync::State::new();
    let mut right_state = sync::State::new();
    let mut messages = Vec::new();
    for _ in 0..10 {
        let mut quiet = true;
        if let Some(message) = left.sync().generate_sync_message(&mut left_state) {
            quiet = false;
            let bytes = message.clone().encode();
            messages.push(bytes);
            right
                .sync()
                .receive_sync_message(&mut right_state, message)
                .expect("a message from the left");
        }
        if let Some(message) = right.sync().generate_sync_message(&mut right_state) {
            quiet = false;
            let bytes = message.clone().encode();
            messages.push(bytes);
            left.sync()
                .receive_sync_message(&mut left_state, message)
                .expect("a message from the right");
        }
        if quiet {
            break;
        }
    }
    assert_eq!(left.get_heads(), right.get_heads(), "the documents agree");
    messages
}

fn sync_message(dir: &Path, messages: &[Vec<u8>]) {
    let seed = corpus(dir);
    for (index, message) in messages.iter().enumerate() {
        seed(&format!("real-{index}"), message);
    }
    // A Bloom filter with one entry and zero bits per entry: Automerge 0.12
    // divides by zero when it checks a change against it. Version 1, no
    // heads, no need, one have with an empty last_sync and a three-byte
    // filter (1 entry, 0 bits per entry, 7 probes), no changes.
    seed("bloom-zero-bits", &[0x42, 0, 0, 1, 0, 3, 1, 0, 7, 0]);
    // A filter claiming 2^32 - 1 probes over one entry of 10 bits: Automerge
    // would loop that many times for each change it checks.
    let mut huge_probes = vec![0x42, 0, 0, 1, 0];
    let mut bloom = vec![1, 10];
    write_number(&mut bloom, u64::from(u32::MAX));
    bloom.extend_from_slice(&[0xff, 0x03]);
    write_number(&mut huge_probes, bloom.len() as u64);
    huge_probes.extend_from_slice(&bloom);
    huge_probes.push(0);
    seed("bloom-huge-probes", &huge_probes);
    // A filter that claims a million entries but carries no bits.
    let mut short_bloom = vec![0x42, 0, 0, 1, 0];
    let mut bloom = Vec::new();
    write_number(&mut bloom, 1_000_000);
    bloom.extend_from_slice(&[10, 7]);
    write_number(&mut short_bloom, bloom.len() as u64);
    short_bloom.extend_from_slice(&bloom);
    short_bloom.push(0);
    seed("bloom-missing-bits", &short_bloom);
    // Many empty have entries and many empty changes.
    let mut empty_haves = vec![0x42, 0, 0];
    write_number(&mut empty_haves, 64);
    for _ in 0..64 {
        empty_haves.extend_from_slice(&[0, 0]);
    }
    empty_haves.push(0);
    seed("many-empty-haves", &empty_haves);
    let mut empty_changes = vec![0x42, 0, 0, 0];
    write_number(&mut empty_changes, 64);
    empty_changes.extend_from_slice(&[0; 64]);
    seed("many-empty-changes", &empty_changes);
    // A version 2 message whose one change is a whole saved document.
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "holdfast", "fuzz").expect("a value");
    doc.commit();
    let mut v2 = vec![0x43, 0, 0, 0, 1];
    let saved = doc.save();
    write_number(&mut v2, saved.len() as u64);
    v2.extend_from_slice(&saved);
    seed("v2-whole-document", &v2);
}

fn wire_message(dir: &Path, sync_messages: &[Vec<u8>]) {
    let seed = corpus(dir);
    let action = DocumentId::action("6f1c2f8e-8d0a-4c57-9a53-2d1f3c4b5a69");
    // An action id that is a UUID but not in the hyphenated lower-case form,
    // which the wire format carries as text.
    let text_action =
        DocumentId::parse("action:6F1C2F8E8D0A4C579A532D1F3C4B5A69").expect("a document id");
    let messages = [
        (
            "flight-first",
            Message::Flight {
                announce: Some(vec![
                    (DocumentId::campaign(), Epoch::ZERO, [1; 8]),
                    (DocumentId::aid(), Epoch::ZERO, [2; 8]),
                    (action.clone(), Epoch::ZERO, [3; 8]),
                    (text_action.clone(), Epoch::ZERO, [4; 8]),
                ]),
                syncs: vec![
                    (DocumentId::campaign(), sync_messages[0].clone(), vec![([7; 8], [8; 64])]),
                    (action.clone(), sync_messages[1].clone(), Vec::new()),
                ],
                epochs: Vec::new(),
                rebases: Vec::new(),
            },
        ),
        (
            "flight-reply",
            Message::Flight {
                announce: None,
                syncs: vec![
                    (DocumentId::aid_private(), vec![0x42, 0, 0, 0, 0], Vec::new()),
                    (DocumentId::personal(), vec![], Vec::new()),
                    (text_action, vec![1, 2, 3], Vec::new()),
                ],
                epochs: Vec::new(),
                rebases: Vec::new(),
            },
        ),
        (
            "flight-empty",
            Message::Flight {
                announce: None,
                syncs: vec![],
                epochs: Vec::new(),
                rebases: Vec::new(),
            },
        ),
        (
            // A hub's answer to a device holding an older history: its
            // epochs, and a whole new history with what it retired.
            "flight-rebase",
            Message::Flight {
                announce: None,
                syncs: vec![(DocumentId::campaign(), sync_messages[0].clone(), Vec::new())],
                epochs: vec![(
                    DocumentId::aid(),
                    Epoch {
                        number: 1,
                        base: [5; 8],
                    },
                )],
                rebases: vec![holdfast_store::Rebase {
                    document: DocumentId::campaign(),
                    epoch: Epoch {
                        number: 2,
                        base: [6; 8],
                    },
                    retired: vec![[1; 8], [2; 8], [3; 8]],
                    erased: vec!["0b9c8f52-3d7e-4f0a-9b61-2c1d5e7a8f90".into()],
                    bytes: genesis_bytes(),
                }],
            },
        ),
        (
            "refused",
            Message::Refused {
                reason: "this device was revoked".into(),
            },
        ),
        (
            "pair-request",
            Message::PairRequest {
                device_id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".into(),
                signing_key: "ab".repeat(32),
            },
        ),
        (
            "welcome",
            Message::Welcome {
                member_id: "m-1".into(),
                campaign: sync_messages[0].clone(),
                signatures: vec![([1; 8], [2; 64])],
            },
        ),
    ];
    for (name, message) in messages {
        seed(name, &message.encode());
    }
    // A flight that claims 2^62 syncs in a handful of bytes.
    seed(
        "huge-count",
        &[1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40],
    );
}

fn bundle_import(dir: &Path, fixture: &mut Fixture) {
    let seed = corpus(dir);
    // The first byte picks the target's mode: even for a file as it is, odd
    // for plaintext that the target seals itself.
    let as_file = |file: &[u8]| [&[0_u8][..], file].concat();
    let as_plain = |plain: &[u8]| [&[1_u8][..], plain].concat();

    let (file, _) = bundle::export(&mut fixture.campaign, None).expect("a bundle");
    seed("file-real", &as_file(&file));
    // Mutations of the real file: a flipped byte in the ciphertext, the file
    // cut short, an unknown format version, and a key the campaign lacks.
    let mut flipped = file.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    seed("file-flipped-byte", &as_file(&flipped));
    seed("file-cut-short", &as_file(&file[..40]));
    let mut version = file.clone();
    version[16] = 9;
    seed("file-unknown-version", &as_file(&version));
    let mut other_key = file.clone();
    other_key[18] ^= 0x20;
    seed("file-unknown-key", &as_file(&other_key));

    // The real bundle must open in another fuzz campaign, as it will in the
    // target.
    let mut other = Fixture::new();
    bundle::import(&mut other.campaign, &file).expect("the real bundle imports");
    let plain = unseal_bundle(&file).expect("the real bundle opens with the fuzzing key");
    seed("plain-real", &as_plain(&plain));
    // One entry for a document no bundle may carry.
    let mut personal = Vec::new();
    write_number(&mut personal, 1);
    personal.push(3);
    write_number(&mut personal, 0);
    seed("plain-personal-document", &as_plain(&personal));
    // One entry for an action named by text, holding bytes that are not
    // Automerge.
    let action_text = b"6f1c2f8e8d0a4c579a532d1f3c4b5a69";
    let mut text_action = Vec::new();
    write_number(&mut text_action, 1);
    text_action.push(5);
    write_number(&mut text_action, action_text.len() as u64);
    text_action.extend_from_slice(action_text);
    write_number(&mut text_action, 3);
    text_action.extend_from_slice(&[0x85, 0x6f, 0x4a]);
    seed("plain-not-automerge", &as_plain(&text_action));
    // No entries, then trailing bytes after the entries.
    seed("plain-empty", &as_plain(&[0]));
    seed(
        "plain-trailing",
        &as_plain(&[plain.as_slice(), &[0]].concat()),
    );
    // A sealed file in the first mode, so both modes start from a real file.
    seed("file-sealed-empty", &as_file(&seal_bundle(&[0], [1; 24])));
}

fn roster_csv(dir: &Path, fixture: &mut Fixture) {
    let seed = corpus(dir);
    let mut exported = Vec::new();
    fixture
        .campaign
        .export_roster(&mut exported)
        .expect("a roster");
    seed("exported", &exported);
    let samples: [(&str, &str); 8] = [
        (
            "full",
            "name,phone,email,site,department,roles\n\
             Ana Diaz,555-0101,ana@example.org,North Yard,Loading,member;steward\n\
             Ben Okafor,,ben@example.org,North Yard,Loading,member\n\
             Cleo Park,555-0103,,South Yard,,member\n",
        ),
        ("name-only", "name\nDee\nEli\n"),
        (
            "quoted-across-lines",
            "name,site,roles\n\"Fay, \"\"the\"\" Organizer\nSecond line\",\"North Yard\",member\n",
        ),
        ("department-without-site", "name,department\nGus,Loading\n"),
        ("unknown-role", "name,roles\nHal,overlord\n"),
        (
            "twice",
            "name,email\nIda,ida@example.org\nIDA,IDA@example.org\n",
        ),
        ("no-name-column", "phone,email\n555,a@b\n"),
        ("ragged", "name,phone\nJo\nKim,1,2,3\n"),
    ];
    for (name, text) in samples {
        seed(name, text.as_bytes());
    }
    seed("not-utf8", b"name,site\n\xff\xfe,\xc3\x28\n");
}

fn automerge_import(dir: &Path, fixture: &mut Fixture) {
    let seed = corpus(dir);
    let campaign = DocumentId::campaign();
    let exported = fixture
        .campaign
        .export_document(&campaign)
        .expect("the campaign document");
    seed("campaign", &exported);
    for id in fixture.campaign.documents().expect("the documents") {
        if id.action_id().is_some() {
            let bytes = fixture.campaign.export_document(&id).expect("an action");
            seed("action", &bytes);
            break;
        }
    }
    // The document's changes as a run of change chunks rather than a saved
    // document.
    let changes = fixture
        .campaign
        .changes_since(&campaign, &[])
        .expect("the changes");
    seed("campaign-changes", &changes);
    // An Automerge document with no Holdfast header, and one whose header
    // names a document that is not one of Holdfast's.
    let mut plain = AutoCommit::new();
    plain.put(ROOT, "title", "minutes").expect("a value");
    plain.commit();
    seed("no-header", &plain.save());
    let mut foreign = AutoCommit::new();
    let header = foreign
        .put_object(ROOT, "holdfast", ObjType::Map)
        .expect("a map");
    foreign
        .put(&header, "document", "payroll")
        .expect("a value");
    foreign.commit();
    seed("unknown-document", &foreign.save());
    // The campaign document cut short.
    seed("campaign-cut-short", &exported[..exported.len() / 2]);
}

/// The campaign document's genesis alone, as Automerge saves it.
fn genesis_bytes() -> Vec<u8> {
    holdfast_core::documents::genesis(&DocumentId::campaign())
        .expect("the genesis of the campaign document")
        .save()
}
