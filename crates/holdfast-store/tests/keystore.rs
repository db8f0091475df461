//! The database key sealed by the system keystore, against a real one.
//!
//! It runs only with `HOLDFAST_KEYSTORE_TEST=1`, which `scripts/keystore-test.sh`
//! sets after starting GNOME Keyring in a private D-Bus session: on a desktop
//! it would otherwise write to the user's own login keyring, and on a machine
//! without a keystore there is nothing to test. Without the variable it says
//! it was skipped.

#[cfg(target_os = "linux")]
use std::fs;
#[cfg(target_os = "linux")]
use std::path::Path;

#[cfg(target_os = "linux")]
use holdfast_store::at_rest::{self, Cost, Protection, KEY_FILE};
#[cfg(target_os = "linux")]
use holdfast_store::{keystore, StoreError};

/// What the script looks for to know that the test really ran.
const RAN: &str = "keystore test: ran against the system keystore";

#[cfg(target_os = "linux")]
const CHEAP: Cost = Cost {
    memory_kib: 64,
    passes: 1,
    lanes: 1,
};

#[cfg(target_os = "linux")]
fn entry_exists(account: &str) -> bool {
    match keyring::Entry::new(keystore::SERVICE, account)
        .unwrap()
        .get_secret()
    {
        Ok(_) => true,
        Err(keyring::Error::NoEntry) => false,
        Err(error) => panic!("the keystore failed: {error}"),
    }
}

#[cfg(target_os = "linux")]
fn delete_entry(account: &str) {
    keyring::Entry::new(keystore::SERVICE, account)
        .unwrap()
        .delete_credential()
        .unwrap();
}

#[cfg(target_os = "linux")]
fn copy_folder(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_database_key_is_sealed_by_the_system_keystore() {
    if std::env::var("HOLDFAST_KEYSTORE_TEST").as_deref() != Ok("1") {
        println!(
            "keystore test: skipped (set HOLDFAST_KEYSTORE_TEST=1 with a Secret Service \
             running, as scripts/keystore-test.sh does)"
        );
        return;
    }

    // A campaign made without a passphrase uses the keystore.
    let dir = tempfile::tempdir().unwrap();
    let campaign = holdfast_store::Campaign::create(dir.path(), "Keystore local", "Ana")
        .expect("a campaign is made");
    assert_eq!(
        at_rest::protection(dir.path()).unwrap(),
        Some(Protection::SystemKeystore),
        "HOLDFAST_KEYSTORE_TEST=1 says a keystore is running, so the key must be sealed by it"
    );
    let account = at_rest::keystore_account(dir.path()).unwrap().unwrap();
    assert!(entry_exists(&account));
    let key = at_rest::unlock(dir.path(), None).unwrap().unwrap();
    drop(campaign);

    // The key file does not hold the database key.
    let file = fs::read(dir.path().join(KEY_FILE)).unwrap();
    assert!(!file
        .windows(32)
        .any(|window| window == key.bytes().as_slice()));

    // With the entry present, the campaign opens, here and from a copy.
    holdfast_store::Campaign::open(dir.path()).expect("opens with the entry present");
    let copy = tempfile::tempdir().unwrap();
    copy_folder(dir.path(), copy.path());
    holdfast_store::Campaign::open(copy.path()).expect("a copy opens while the entry is there");

    // Without the entry (as on another computer or login), the copy fails,
    // and says why.
    delete_entry(&account);
    match at_rest::unlock(copy.path(), None) {
        Err(StoreError::KeystoreEntryMissing {
            service,
            account: named,
        }) => {
            assert_eq!(service, "holdfast");
            assert_eq!(named, account);
        }
        other => panic!("expected the missing entry to be named, got {other:?}"),
    }
    let error = holdfast_store::Campaign::open(copy.path())
        .err()
        .expect("the copy must not open");
    assert!(
        matches!(error, StoreError::KeystoreEntryMissing { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("no entry"), "{error}");

    // Wiping removes the entry.
    let wiped = tempfile::tempdir().unwrap();
    at_rest::create(wiped.path(), None).unwrap();
    let wiped_account = at_rest::keystore_account(wiped.path()).unwrap().unwrap();
    assert!(entry_exists(&wiped_account));
    at_rest::wipe(wiped.path()).unwrap();
    assert!(!wiped.path().join(KEY_FILE).exists());
    assert!(!entry_exists(&wiped_account));

    // Setting a passphrase seals the same key under it and removes the entry;
    // removing the passphrase again goes back to a new entry.
    let moved = tempfile::tempdir().unwrap();
    let key = at_rest::create(moved.path(), None).unwrap();
    let moved_account = at_rest::keystore_account(moved.path()).unwrap().unwrap();
    assert_eq!(
        at_rest::change_passphrase(moved.path(), None, Some("solidarity forever"), CHEAP).unwrap(),
        Protection::Passphrase
    );
    assert!(!entry_exists(&moved_account));
    assert_eq!(at_rest::keystore_account(moved.path()).unwrap(), None);
    assert_eq!(
        at_rest::unlock(moved.path(), Some("solidarity forever")).unwrap(),
        Some(key.clone())
    );
    assert_eq!(
        at_rest::change_passphrase(moved.path(), Some("solidarity forever"), None, CHEAP).unwrap(),
        Protection::SystemKeystore
    );
    let again = at_rest::keystore_account(moved.path()).unwrap().unwrap();
    assert_ne!(again, moved_account);
    assert_eq!(at_rest::unlock(moved.path(), None).unwrap(), Some(key));
    at_rest::wipe(moved.path()).unwrap();
    assert!(!entry_exists(&again));

    println!("{RAN}");
}

#[cfg(not(target_os = "linux"))]
#[test]
fn the_database_key_is_sealed_by_the_system_keystore() {
    println!("keystore test: skipped (no system keystore is built in on this platform)");
    let _ = RAN;
}
