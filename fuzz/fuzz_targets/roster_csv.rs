//! Arbitrary bytes as a roster CSV file, imported into a campaign. The
//! import is all or nothing and reports a bad line by number; whatever the
//! file holds (broken quoting, invalid UTF-8, unknown roles, duplicate
//! people, departments without sites), it must refuse or import, never
//! panic.

#![no_main]

use holdfast_fuzz::Slot;
use libfuzzer_sys::fuzz_target;

/// A clean file adds members, sites and departments, so the campaign is
/// replaced now and then to keep it small.
static FIXTURE: Slot = Slot::new(500);

fuzz_target!(|data: &[u8]| {
    let mut fixture = FIXTURE.get();
    let _ = fixture.campaign.import_roster(data);
});
