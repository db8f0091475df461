//! Checks the sync-message validator against real Automerge traffic, and
//! shows the crash it exists to prevent.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use automerge::sync::{Message, State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, Value, ROOT};
use holdfast_sync::validate::{validate_sync_message, InvalidMessage, Limits, Summary};
use proptest::prelude::*;
use proptest::sample::Index;

/// One edit a member might make to a document.
#[derive(Debug, Clone)]
enum Edit {
    Put {
        key: u8,
        value: i64,
    },
    Delete {
        key: u8,
    },
    Write {
        text: String,
    },
    /// Ends the current change, so that later edits land in a new one and
    /// the sync exchanges several changes and larger Bloom filters.
    Commit,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0u8..6, any::<i64>()).prop_map(|(key, value)| Edit::Put { key, value }),
        (0u8..6).prop_map(|key| Edit::Delete { key }),
        "[a-z ]{1,12}".prop_map(|text| Edit::Write { text }),
        Just(Edit::Commit),
    ]
}

fn edits(most: usize) -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(edit(), 0..most)
}

fn apply(doc: &mut AutoCommit, edits: &[Edit]) {
    for edit in edits {
        match edit {
            Edit::Put { key, value } => doc.put(ROOT, format!("key{key}"), *value).unwrap(),
            Edit::Delete { key } => {
                let key = format!("key{key}");
                if doc.get(ROOT, key.as_str()).unwrap().is_some() {
                    doc.delete(ROOT, key.as_str()).unwrap();
                }
            }
            Edit::Write { text } => {
                let notes = match doc.get(ROOT, "notes").unwrap() {
                    Some((Value::Object(ObjType::Text), notes)) => notes,
                    _ => doc.put_object(ROOT, "notes", ObjType::Text).unwrap(),
                };
                let end = doc.length(&notes);
                doc.splice_text(&notes, end, 0, text).unwrap();
            }
            Edit::Commit => {
                doc.commit();
            }
        }
    }
    doc.commit();
}

/// Runs the sync protocol between two documents until neither has anything
/// to send, and returns every message's bytes in the order sent.
///
/// Each message goes through its encoded bytes, as it would over the
/// network, so the receiver sees exactly what the validator saw.
fn sync(
    left: &mut AutoCommit,
    right: &mut AutoCommit,
    left_state: &mut State,
    right_state: &mut State,
) -> Vec<Vec<u8>> {
    let mut wire = Vec::new();
    for _ in 0..64 {
        let mut quiet = true;
        if let Some(message) = left.sync().generate_sync_message(left_state) {
            quiet = false;
            let bytes = message.encode();
            let received = Message::decode(&bytes).unwrap();
            right
                .sync()
                .receive_sync_message(right_state, received)
                .unwrap();
            wire.push(bytes);
        }
        if let Some(message) = right.sync().generate_sync_message(right_state) {
            quiet = false;
            let bytes = message.encode();
            let received = Message::decode(&bytes).unwrap();
            left.sync()
                .receive_sync_message(left_state, received)
                .unwrap();
            wire.push(bytes);
        }
        if quiet {
            return wire;
        }
    }
    panic!("the documents were still sending after 64 rounds");
}

/// What Automerge itself decodes from `bytes`, in the validator's terms.
fn decoded_summary(bytes: &[u8]) -> Summary {
    let message = Message::decode(bytes).unwrap();
    Summary {
        heads: message.heads.len(),
        need: message.need.len(),
        haves: message.have.len(),
        changes: message.changes.len(),
        change_bytes: message.changes.iter().map(<[u8]>::len).sum(),
    }
}

/// Two members edit apart, sync, edit again and sync again after
/// reconnecting.
#[derive(Debug, Clone)]
struct Scenario {
    shared: Vec<Edit>,
    right_starts_empty: bool,
    left: Vec<Edit>,
    right: Vec<Edit>,
    later_left: Vec<Edit>,
    later_right: Vec<Edit>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        edits(12),
        any::<bool>(),
        edits(16),
        edits(16),
        edits(8),
        edits(8),
    )
        .prop_map(
            |(shared, right_starts_empty, left, right, later_left, later_right)| Scenario {
                shared,
                right_starts_empty,
                left,
                right,
                later_left,
                later_right,
            },
        )
}

/// Checks that two documents hold the same changes and read the same.
/// Their saved bytes may still differ, because a save records each actor
/// in the order that document first met it.
fn assert_converged(left: &mut AutoCommit, right: &mut AutoCommit) {
    assert_eq!(left.get_heads(), right.get_heads());
    assert_eq!(
        left.hydrate(ROOT, None).unwrap(),
        right.hydrate(ROOT, None).unwrap()
    );
}

/// Plays a scenario, checks that both documents converge after each sync,
/// and returns every message sent.
fn play(scenario: &Scenario) -> Vec<Vec<u8>> {
    let mut left = AutoCommit::new();
    apply(&mut left, &scenario.shared);
    let mut right = if scenario.right_starts_empty {
        AutoCommit::new()
    } else {
        left.fork()
    };
    apply(&mut left, &scenario.left);
    apply(&mut right, &scenario.right);

    let mut left_state = State::new();
    let mut right_state = State::new();
    let mut wire = sync(&mut left, &mut right, &mut left_state, &mut right_state);
    assert_converged(&mut left, &mut right);

    // A reconnect starts from the persisted part of each state, so the
    // second sync sends Bloom filters of the changes since the shared heads.
    apply(&mut left, &scenario.later_left);
    apply(&mut right, &scenario.later_right);
    let mut left_state = State::decode(&left_state.encode()).unwrap();
    let mut right_state = State::decode(&right_state.encode()).unwrap();
    wire.extend(sync(
        &mut left,
        &mut right,
        &mut left_state,
        &mut right_state,
    ));
    assert_converged(&mut left, &mut right);
    wire
}

/// Messages from two fixed scenarios that between them use both message
/// versions, non-empty Bloom filters, changes and flags.
fn sample_messages() -> &'static [Vec<u8>] {
    static MESSAGES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    MESSAGES.get_or_init(|| {
        let words = |text: &str| Edit::Write {
            text: text.to_owned(),
        };
        let forked = Scenario {
            shared: vec![
                Edit::Put { key: 0, value: 1 },
                Edit::Commit,
                words("minutes"),
            ],
            right_starts_empty: false,
            left: vec![Edit::Put { key: 1, value: 2 }, Edit::Commit, words(" ok")],
            right: vec![Edit::Delete { key: 0 }, Edit::Commit, words(" vote")],
            later_left: vec![Edit::Put { key: 2, value: 3 }],
            later_right: vec![words(" strike"), Edit::Commit, words(" now")],
        };
        let empty_peer = Scenario {
            right_starts_empty: true,
            ..forked.clone()
        };
        let mut messages = play(&forked);
        messages.extend(play(&empty_peer));

        let decoded: Vec<Message> = messages
            .iter()
            .map(|bytes| Message::decode(bytes).unwrap())
            .collect();
        assert!(messages.iter().any(|bytes| bytes[0] == 0x42));
        assert!(messages.iter().any(|bytes| bytes[0] == 0x43));
        assert!(decoded
            .iter()
            .flat_map(|message| &message.have)
            .any(|have| !have.bloom.to_bytes().is_empty()));
        assert!(decoded.iter().any(|message| !message.changes.is_empty()));
        assert!(decoded.iter().any(|message| message.flags.is_some()));
        messages
    })
}

/// A small document with a few changes, for feeding crafted messages to.
fn document_with_changes() -> AutoCommit {
    let mut doc = AutoCommit::new();
    for value in 0..3 {
        doc.put(ROOT, "key", value).unwrap();
        doc.commit();
    }
    doc
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_message_from_a_real_sync_passes(scenario in scenario()) {
        for bytes in play(&scenario) {
            prop_assert_eq!(
                validate_sync_message(&bytes, &Limits::default()),
                Ok(decoded_summary(&bytes))
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Flipped bytes never panic the validator, and whatever it accepts
    /// Automerge decodes to the same counts and can act on without
    /// panicking.
    #[test]
    fn flipped_bytes_never_panic(
        which in any::<Index>(),
        flips in proptest::collection::vec((any::<Index>(), 1u8..=255), 1..4),
    ) {
        let mut bytes = which.get(sample_messages()).clone();
        for (position, mask) in flips {
            let position = position.index(bytes.len());
            bytes[position] ^= mask;
        }
        if let Ok(summary) = validate_sync_message(&bytes, &Limits::default()) {
            prop_assert_eq!(summary, decoded_summary(&bytes));
            let mut doc = document_with_changes();
            let mut state = State::new();
            // A corrupted change may be refused; what matters is that
            // nothing panics.
            if doc
                .sync()
                .receive_sync_message(&mut state, Message::decode(&bytes).unwrap())
                .is_ok()
            {
                let _ = doc.sync().generate_sync_message(&mut state);
            }
        }
    }
}

#[test]
fn every_cut_of_a_real_message_is_refused() {
    for bytes in sample_messages() {
        let message = Message::decode(bytes).unwrap();
        // Cutting off exactly the flags section leaves a valid message from
        // a peer that predates flags; every other cut must be refused.
        let without_flags = Message {
            flags: None,
            ..message.clone()
        }
        .encode();
        for cut in 0..bytes.len() {
            let prefix = &bytes[..cut];
            let outcome = validate_sync_message(prefix, &Limits::default());
            if message.flags.is_some() && prefix == without_flags.as_slice() {
                assert_eq!(outcome, Ok(decoded_summary(prefix)));
            } else {
                assert!(
                    outcome.is_err(),
                    "a message cut to {cut} of {} bytes passed",
                    bytes.len()
                );
            }
        }
    }
}

#[test]
fn a_real_message_over_the_size_limit_is_refused() {
    let bytes = sample_messages()
        .iter()
        .max_by_key(|bytes| bytes.len())
        .unwrap();
    let limits = Limits {
        max_message_bytes: bytes.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        validate_sync_message(bytes, &limits),
        Err(InvalidMessage::TooLarge {
            size: bytes.len(),
            limit: bytes.len() - 1
        })
    );
}

/// A version 1 message with one have entry whose Bloom filter claims one
/// entry, zero bits per entry and seven probes, and so carries no bits.
const ZERO_BITS_PER_ENTRY: [u8; 10] = [0x42, 0, 0, 1, 0, 3, 1, 0, 7, 0];

#[test]
fn zero_bits_per_entry_is_refused() {
    assert_eq!(
        validate_sync_message(&ZERO_BITS_PER_ENTRY, &Limits::default()),
        Err(InvalidMessage::BloomBitsPerEntry {
            bits_per_entry: 0,
            limit: 32
        })
    );
}

/// Shows why the check above exists. If this test fails, the Automerge in
/// use no longer crashes on such a filter; the check is still worth
/// keeping, but this test should then be changed to say so.
#[test]
fn zero_bits_per_entry_crashes_automerge() {
    let message = Message::decode(&ZERO_BITS_PER_ENTRY)
        .expect("Automerge decodes a Bloom filter with zero bits per entry");
    let mut doc = document_with_changes();
    let mut state = State::new();

    // Receiving only stores the filter; the crash comes when the receiver
    // next works out which of its changes the peer lacks, which every sync
    // loop does straight after receiving.
    let received = catch_unwind(AssertUnwindSafe(|| {
        doc.sync().receive_sync_message(&mut state, message)
    }));
    assert!(matches!(received, Ok(Ok(()))));

    let generated = catch_unwind(AssertUnwindSafe(|| {
        doc.sync().generate_sync_message(&mut state)
    }));
    let payload = generated.expect_err("Automerge should divide by zero here");
    let text = panic_text(payload.as_ref());
    assert!(text.contains("divisor of zero"), "unexpected panic: {text}");
}

#[test]
fn huge_probe_counts_are_refused() {
    let mut bytes = vec![0x42, 0, 0, 1, 0];
    // One entry, ten bits per entry, u32::MAX probes, then two bytes of bits.
    let filter = [0x01, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00];
    bytes.push(filter.len() as u8);
    bytes.extend(filter);
    bytes.push(0);
    assert_eq!(
        validate_sync_message(&bytes, &Limits::default()),
        Err(InvalidMessage::BloomProbes {
            probes: u32::MAX,
            limit: 32
        })
    );
}

#[test]
fn huge_counts_are_refused_before_any_work() {
    // A count of 2^40 heads, and none of the heads themselves.
    let heads = [0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20];
    assert_eq!(
        validate_sync_message(&heads, &Limits::default()),
        Err(InvalidMessage::TooMany {
            what: "heads",
            count: 1 << 40,
            limit: 4096
        })
    );
    let unlimited = Limits {
        max_hashes: usize::MAX,
        ..Limits::default()
    };
    assert_eq!(
        validate_sync_message(&heads, &unlimited),
        Err(InvalidMessage::CountBeyondEnd {
            what: "heads",
            count: 1 << 40,
            remaining: 0
        })
    );
}
