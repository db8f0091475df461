//! A bundle file from a USB stick, imported into a campaign that holds a
//! bundle key.
//!
//! The first byte of the input picks what the rest is:
//! * even: the bundle file itself, byte for byte. This exercises the header,
//!   the key lookup and the authentication check; the fuzzer cannot forge a
//!   valid tag, so this mode never reaches the contents.
//! * odd: the plaintext inside a bundle, which the target seals with the
//!   campaign's fixed bundle key before importing it. This is what a
//!   device holding the key (a paired device, stolen or running altered
//!   code) could send, and it reaches the entry parser and the merge of
//!   each entry into the campaign.
//!
//! Either way the import must refuse what it cannot use, never panic. Automerge
//! 0.12 panics on some malformed entries (see `fuzz/crashes/`); the store
//! catches that panic and refuses the bundle, so a panic it catches is not a
//! crash here, while one that escapes is.

#![no_main]

use holdfast_fuzz::{run_catching_contained_panics, seal_bundle, Slot};
use holdfast_sync::bundle;
use libfuzzer_sys::fuzz_target;

/// A sealed bundle can add changes and documents to the campaign, so the
/// campaign is replaced now and then to keep it small.
static FIXTURE: Slot = Slot::new(500);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        // A fixed nonce keeps each input's run the same from one run to the next.
        seal_bundle(rest, [0x5a; 24])
    };
    let mut fixture = FIXTURE.get();
    let _ = run_catching_contained_panics(|| bundle::import(&mut fixture.campaign, &file));
});
