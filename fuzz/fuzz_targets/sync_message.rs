//! Arbitrary bytes as an Automerge sync message from a peer, through the
//! same gate the sync session puts them through: `validate_sync_message`
//! first, and only what passes is decoded and handed to Automerge.
//!
//! Automerge 0.12 trusts a sync message once it has parsed, and some
//! messages that parse make it divide by zero or loop for billions of steps
//! when it works out its reply (see `holdfast_sync::validate`). The property
//! fuzzed here is the one the validator exists for: nothing it lets through
//! makes Automerge panic or hang while generating the next message.
//!
//! Receiving is treated the way the store treats it. The validator only
//! vouches for the framing around each change, and Automerge 0.12 can still
//! panic while parsing the contents of a change (an input that does is kept
//! in `fuzz/crashes/sync_message/`), so `Campaign::receive_sync_message`
//! catches a panic there, forgets the document and refuses the message. The
//! target does the same: a panic while receiving ends the run, as it ends the
//! connection, and is not reported as a crash.

#![no_main]

use std::panic::{self, AssertUnwindSafe};
use std::sync::OnceLock;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use holdfast_sync::validate::{validate_sync_message, Limits};
use libfuzzer_sys::fuzz_target;

/// A small document with a few changes, so that the reply has changes to
/// check against the peer's Bloom filter: that check is where a bad filter
/// does its harm.
fn base() -> &'static AutoCommit {
    static BASE: OnceLock<AutoCommit> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut doc = AutoCommit::new();
        let members = doc
            .put_object(ROOT, "members", ObjType::Map)
            .expect("a map");
        doc.put(&members, "rosa", "Rosa Steward").expect("a value");
        doc.commit();
        doc.put(&members, "sam", "Sam Member").expect("a value");
        let list = doc
            .put_object(ROOT, "notes", ObjType::List)
            .expect("a list");
        doc.insert(&list, 0, "first").expect("an element");
        doc.commit();
        doc.put(ROOT, "count", 3_i64).expect("a value");
        doc.commit();
        doc
    })
}

/// Runs `receive` the way the store does, with a panic caught; `None` if it
/// panicked. libFuzzer's panic hook aborts the process even on a panic that
/// is caught, so it is swapped for a silent one while `receive` runs and put
/// back afterwards; the fuzzer runs one input at a time on one thread.
fn contained<T>(receive: impl FnOnce() -> T) -> Option<T> {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(receive));
    panic::set_hook(hook);
    outcome.ok()
}

fuzz_target!(|data: &[u8]| {
    if validate_sync_message(data, &Limits::default()).is_err() {
        return;
    }
    let Ok(message) = sync::Message::decode(data) else {
        return;
    };

    // A peer this document has never synced with: the message arrives first.
    let mut doc = base().clone();
    let mut state = sync::State::new();
    if contained(|| doc.sync().receive_sync_message(&mut state, message.clone())).is_none() {
        return;
    }
    let _ = doc.sync().generate_sync_message(&mut state);

    // A peer this document already sent its opening message to, as the side
    // that connected does.
    let mut doc = base().clone();
    let mut state = sync::State::new();
    let _ = doc.sync().generate_sync_message(&mut state);
    if contained(|| doc.sync().receive_sync_message(&mut state, message)).is_none() {
        return;
    }
    let _ = doc.sync().generate_sync_message(&mut state);
});
