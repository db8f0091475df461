//! Arbitrary bytes as a `.automerge` file, imported into a campaign: loaded
//! by Automerge, its header read to find which document it names, and its
//! changes merged into that document. It must refuse or merge, never panic.
//!
//! Automerge 0.12 panics on some malformed files (see `fuzz/crashes/`); the
//! store catches that panic and refuses the file, which is what this target
//! checks. A panic the store catches is not a crash; one that escapes is.

#![no_main]

use holdfast_fuzz::{run_catching_contained_panics, Slot};
use libfuzzer_sys::fuzz_target;

/// A file that merges adds changes or whole documents to the campaign, so
/// the campaign is replaced now and then to keep it small.
static FIXTURE: Slot = Slot::new(500);

fuzz_target!(|data: &[u8]| {
    let mut fixture = FIXTURE.get();
    let _ = run_catching_contained_panics(|| fixture.campaign.import_document(data));
});
