//! What the fuzz targets share: a real campaign in a temporary directory,
//! made the same way every time, and a slot that keeps one alive across runs
//! and replaces it now and then.
//!
//! Every campaign made here has the same steward, the same invite and the
//! same bundle key, so that the committed seed inputs (made by
//! `examples/seeds.rs` against a campaign built by the same code) reach past
//! the lookups a stranger's input would fail: the pairing hello names an
//! invite this campaign knows, and a seed bundle is sealed with a key it
//! holds.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard, OnceLock};

use holdfast_core::model::{ActionKind, BundleKey, Role};
use holdfast_core::DocumentId;
use holdfast_store::use_cases::actions::NewAction;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::Campaign;
use holdfast_sync::{bundle, Identity, InviteCode};
use tempfile::TempDir;

/// The steward every fuzz campaign has; only a steward may issue invites.
pub const STEWARD: &str = "Rosa Steward";

/// The invite every fuzz campaign holds, as a person would type it. Its tag
/// is `FZ2Z`; a pairing hello naming that tag reaches the pre-shared-key
/// handshake instead of being refused at the invite lookup.
pub const INVITE_CODE: &str = "FZ2Z-1234-5678-9ABC";

/// The id of the bundle key every fuzz campaign holds.
pub const BUNDLE_KEY_ID: &str = "fuzz-bundle-key";
/// That key, 32 bytes in hex. It is public on purpose: it protects nothing,
/// and the seed bundles in the corpus are sealed with it.
pub const BUNDLE_KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// A generation far above that of the random key that registering the device
/// creates, so that `bundle::export` picks this one as the newest key.
const BUNDLE_KEY_GENERATION: i64 = 1_000_000;
const BUNDLE_KEY_CREATED: &str = "2026-01-01T00:00:00Z";

/// A campaign in its own temporary directory, with this device's identity.
pub struct Fixture {
    pub campaign: Campaign,
    pub identity: Identity,
    /// Kept so that the directory lives as long as the campaign, and is
    /// removed when the fixture is replaced.
    _dir: TempDir,
}

impl Fixture {
    /// A small campaign: the steward, one member, one action, this device
    /// registered (which also gives the campaign a bundle key), the fixed
    /// invite and the fixed bundle key.
    pub fn new() -> Fixture {
        let dir = TempDir::with_prefix("holdfast-fuzz-").expect("a temporary directory");
        let mut campaign =
            Campaign::create(dir.path(), "Fair Contract Now", "Local 12").expect("a campaign");
        // The fuzz campaign lives in a scratch directory; waiting for the
        // disk on every commit would only slow the fuzzer down.
        campaign
            .relax_durability_for_bulk_load()
            .expect("relaxed durability");
        for (name, roles) in [
            (STEWARD, vec![Role::Member, Role::Steward]),
            ("Sam Member", vec![Role::Member]),
        ] {
            campaign
                .add_member(NewMember {
                    name: name.into(),
                    email: Some(format!(
                        "{}@example.org",
                        name.replace(' ', ".").to_lowercase()
                    )),
                    roles,
                    ..NewMember::default()
                })
                .expect("a member");
        }
        campaign
            .create_action(NewAction {
                title: "Gate picket".into(),
                kind: ActionKind::InformationalPicket,
                tactic: "picket".into(),
                site: None,
                starts_at: "2026-03-02T07:00:00Z".into(),
                ends_at: "2026-03-02T15:00:00Z".into(),
                choke_points: vec![],
            })
            .expect("an action");
        let identity = Identity::of(&mut campaign).expect("this device's identity");
        let code = invite_code();
        campaign
            .create_invite(
                STEWARD,
                &code.tag,
                &code.psk(),
                "Sam Member",
                Role::Member,
                24 * 14,
            )
            .expect("an invite");
        campaign
            .write(
                &DocumentId::campaign(),
                "add the fuzzing bundle key",
                |writer| writer.put(&bundle_key()),
            )
            .expect("the fuzzing bundle key");
        Fixture {
            campaign,
            identity,
            _dir: dir,
        }
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

/// The fixed invite code, parsed.
pub fn invite_code() -> InviteCode {
    InviteCode::parse(INVITE_CODE).expect("a valid invite code")
}

/// One fixture shared by the runs of a target, replaced after a number of
/// runs. Targets that write to the campaign would otherwise let it grow for
/// as long as the fuzzer runs, and each run would see more state left behind
/// by earlier ones; replacing it bounds both.
pub struct Slot {
    cell: OnceLock<Mutex<(Fixture, usize)>>,
    runs_per_fixture: usize,
}

impl Slot {
    /// A slot whose fixture is replaced after `runs_per_fixture` runs; zero
    /// means never.
    pub const fn new(runs_per_fixture: usize) -> Slot {
        Slot {
            cell: OnceLock::new(),
            runs_per_fixture,
        }
    }

    /// The fixture for one run.
    pub fn get(&self) -> FixtureGuard<'_> {
        let mut guard = self
            .cell
            .get_or_init(|| Mutex::new((Fixture::new(), 0)))
            .lock()
            // Only a panicking run poisons the lock, and the fuzzer stops at
            // the first panic, so the fixture is used as it is.
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.runs_per_fixture > 0 && guard.1 >= self.runs_per_fixture {
            // The old directory is removed when the old fixture drops here.
            *guard = (Fixture::new(), 0);
        }
        guard.1 += 1;
        FixtureGuard(guard)
    }
}

/// A locked fixture, for the length of one run.
pub struct FixtureGuard<'a>(MutexGuard<'a, (Fixture, usize)>);

impl std::ops::Deref for FixtureGuard<'_> {
    type Target = Fixture;
    fn deref(&self) -> &Fixture {
        &self.0 .0
    }
}

impl std::ops::DerefMut for FixtureGuard<'_> {
    fn deref_mut(&mut self) -> &mut Fixture {
        &mut self.0 .0
    }
}

/// Runs `call` so that a panic the code under test catches itself does not
/// count as a crash, while one that escapes still does.
///
/// libFuzzer's panic hook aborts the process at the moment of any panic,
/// even one that is caught further up. Holdfast catches Automerge's panics
/// on malformed input where it hands Automerge outside bytes (the merges
/// behind `.automerge` import, joining and bundle import) and refuses the
/// input instead; without this, the fuzzer would report those refusals as
/// crashes. So the hook is swapped for one that only records the message
/// while `call` runs. If a panic escapes `call`, the original hook is put
/// back and the panic raised again with the recorded message, which aborts
/// as any other crash does. The fuzzer runs one input at a time on one
/// thread, so swapping the process-wide hook is safe.
pub fn run_catching_contained_panics<T>(call: impl FnOnce() -> T) -> T {
    static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let mut last = LAST_PANIC
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *last = Some(info.to_string());
    }));
    let outcome = panic::catch_unwind(AssertUnwindSafe(call));
    panic::set_hook(hook);
    match outcome {
        Ok(value) => value,
        Err(_) => {
            let message = LAST_PANIC
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take()
                .unwrap_or_default();
            panic!("a panic escaped the code under test: {message}");
        }
    }
}

/// The fixed bundle key every fixture campaign holds.
fn bundle_key() -> BundleKey {
    BundleKey {
        id: BUNDLE_KEY_ID.into(),
        key: BUNDLE_KEY_HEX.into(),
        generation: BUNDLE_KEY_GENERATION,
        created_at: BUNDLE_KEY_CREATED.into(),
    }
}

/// Seals `plain` as a bundle file with the fixed key, by the same function
/// `holdfast_sync::bundle::export` seals with. The fuzzer cannot forge an
/// authentication tag, so this is how it reaches the parser that runs after
/// decryption.
pub fn seal_bundle(plain: &[u8], nonce: [u8; bundle::NONCE_BYTES]) -> Vec<u8> {
    bundle::seal(plain, &bundle_key(), nonce).expect("the fixed key seals")
}

/// Opens a bundle sealed with the fixed key and returns its plaintext, or
/// `None` if it is not one. The seed generator uses it to turn a real bundle
/// into the plaintext the sealing mode of the bundle target starts from.
pub fn unseal_bundle(file: &[u8]) -> Option<Vec<u8>> {
    bundle::unseal(file, &[bundle_key()]).ok()
}

/// An unsigned LEB128 number, as the bundle and wire formats write them.
pub use holdfast_sync::number::write as write_number;

/// Splits a fuzz input into chunks at points the input itself chooses.
///
/// The first byte says how many chunk lengths follow (up to 15); each of the
/// next bytes is one length. The lengths are used in turn, over and over,
/// to cut the rest of the input, so a short header can still split a long
/// stream into many pieces. A length of zero hands over an empty chunk. An
/// input with no lengths (or only zeros) is one chunk.
pub fn split_chunks(data: &[u8]) -> Vec<&[u8]> {
    let Some((&first, rest)) = data.split_first() else {
        return vec![data];
    };
    let count = usize::from(first & 0x0f).min(rest.len());
    let (lengths, mut stream) = rest.split_at(count);
    if lengths.iter().all(|&length| length == 0) {
        let mut chunks: Vec<&[u8]> = lengths.iter().map(|_| &stream[..0]).collect();
        chunks.push(stream);
        return chunks;
    }
    let mut chunks = Vec::new();
    for &length in lengths.iter().cycle() {
        if stream.is_empty() {
            break;
        }
        let (chunk, remainder) = stream.split_at(usize::from(length).min(stream.len()));
        chunks.push(chunk);
        stream = remainder;
    }
    chunks
}

/// The header bytes that make [`split_chunks`] hand `stream` over in pieces
/// of the given lengths.
pub fn chunk_header(lengths: &[u8]) -> Vec<u8> {
    assert!(lengths.len() <= 15, "at most fifteen chunk lengths");
    let mut header = vec![lengths.len() as u8];
    header.extend_from_slice(lengths);
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_stream() {
        let mut input = chunk_header(&[1, 0, 3]);
        input.extend_from_slice(b"abcdefgh");
        let chunks = split_chunks(&input);
        assert_eq!(chunks.concat(), b"abcdefgh");
        assert_eq!(chunks[0], b"a");
        assert_eq!(chunks[1], b"");
        assert_eq!(chunks[2], b"bcd");
    }

    #[test]
    fn a_sealed_bundle_opens_again() {
        let file = seal_bundle(b"plain", [7; 24]);
        assert_eq!(unseal_bundle(&file).as_deref(), Some(&b"plain"[..]));
    }
}
