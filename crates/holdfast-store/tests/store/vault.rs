//! The vault: a campaign that opens locked without its passphrase, locks
//! again, unlocks only with the right passphrase, and wipes.

use std::fs;
use std::path::Path;

use holdfast_store::at_rest::{self, Cost, Protection, KEY_FILE};
use holdfast_store::{Campaign, StoreError, Vault, DATABASE_FILE};

use crate::support::{member, new_campaign};

const PASSPHRASE: &str = "solidarity forever";

/// Cheap enough for tests; the real cost is in the file and checked on unlock.
const CHEAP: Cost = Cost {
    memory_kib: 64,
    passes: 1,
    lanes: 1,
};

/// A campaign with a member, protected by `PASSPHRASE`, closed.
fn protected() -> tempfile::TempDir {
    let (dir, mut campaign) = new_campaign();
    member(&mut campaign, "Ana Ferreira", &[]);
    drop(campaign);
    at_rest::change_passphrase(dir.path(), None, Some(PASSPHRASE), CHEAP).unwrap();
    dir
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                fs::read(entry.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn members(vault: &mut Vault) -> usize {
    vault.campaign().unwrap().members().unwrap().len()
}

#[test]
fn a_protected_campaign_opens_locked_without_its_passphrase() {
    let dir = protected();
    let mut vault = Vault::open(dir.path(), None).unwrap();
    assert!(vault.is_locked());
    assert_eq!(vault.protection().unwrap(), Some(Protection::Passphrase));
    assert!(matches!(vault.campaign(), Err(StoreError::Locked)));
    let message = vault.campaign().err().unwrap().to_string();
    assert!(message.contains("locked"), "{message}");

    let mut open = Vault::open(dir.path(), Some(PASSPHRASE)).unwrap();
    assert!(!open.is_locked());
    assert_eq!(members(&mut open), 1);
    assert!(matches!(
        Vault::open(dir.path(), Some("scab")),
        Err(StoreError::WrongPassphrase)
    ));
}

#[test]
fn a_missing_campaign_is_still_no_campaign() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Vault::open(dir.path(), None),
        Err(StoreError::NoCampaign(_))
    ));
}

#[test]
fn a_wrong_passphrase_changes_nothing_and_the_right_one_unlocks() {
    let dir = protected();
    let mut vault = Vault::open(dir.path(), None).unwrap();
    let before = files(dir.path());
    assert!(matches!(
        vault.unlock("scab"),
        Err(StoreError::WrongPassphrase)
    ));
    assert!(vault.is_locked());
    assert_eq!(files(dir.path()), before, "no file changed");

    vault.unlock(PASSPHRASE).unwrap();
    assert!(!vault.is_locked());
    assert_eq!(members(&mut vault), 1);
    // Unlocking an open campaign is harmless.
    vault.unlock(PASSPHRASE).unwrap();
    assert_eq!(members(&mut vault), 1);
}

#[test]
fn locking_closes_the_campaign_until_the_passphrase_is_given_again() {
    let dir = protected();
    let mut vault = Vault::open(dir.path(), Some(PASSPHRASE)).unwrap();
    member(vault.campaign().unwrap(), "Bo Lindqvist", &[]);
    vault.lock().unwrap();
    assert!(vault.is_locked());
    assert!(matches!(vault.campaign(), Err(StoreError::Locked)));
    // Locking twice is harmless.
    vault.lock().unwrap();
    vault.unlock(PASSPHRASE).unwrap();
    assert_eq!(
        members(&mut vault),
        2,
        "the edit made before locking is kept"
    );
}

#[test]
fn a_campaign_without_a_passphrase_cannot_be_locked() {
    let (dir, campaign) = new_campaign();
    let mut vault = Vault::from(campaign);
    assert_eq!(vault.data_dir(), dir.path());
    assert_eq!(
        vault.protection().unwrap(),
        Some(Protection::ThisDeviceOnly)
    );
    let error = vault.lock().unwrap_err();
    assert!(matches!(error, StoreError::Rejected(_)), "{error}");
    assert!(
        error.to_string().contains("set a passphrase first"),
        "{error}"
    );
    assert!(!vault.is_locked());
    assert_eq!(members(&mut vault), 0);
}

#[test]
fn wiping_removes_the_key_and_the_database_locked_or_open() {
    for unlocked in [false, true] {
        let dir = protected();
        let mut vault = Vault::open(dir.path(), unlocked.then_some(PASSPHRASE)).unwrap();
        assert_eq!(vault.is_locked(), !unlocked);
        let wiped = vault.wipe().unwrap();
        assert!(wiped.files_removed >= 2, "{wiped:?}");
        assert!(!dir.path().join(KEY_FILE).exists());
        assert!(!dir.path().join(DATABASE_FILE).exists());
        assert!(!vault.is_locked());
        assert!(matches!(vault.campaign(), Err(StoreError::NoCampaign(_))));
        assert!(matches!(vault.protection(), Err(StoreError::NoCampaign(_))));
        assert!(matches!(vault.lock(), Err(StoreError::NoCampaign(_))));
        assert!(matches!(
            vault.unlock(PASSPHRASE),
            Err(StoreError::NoCampaign(_))
        ));
        assert!(matches!(vault.wipe(), Err(StoreError::NoCampaign(_))));
        assert!(matches!(
            Campaign::open(dir.path()),
            Err(StoreError::NoCampaign(_))
        ));
        assert!(matches!(
            Vault::open(dir.path(), Some(PASSPHRASE)),
            Err(StoreError::NoCampaign(_))
        ));
    }
}

/// Phones at the hall open campaigns on many threads at once (the hub
/// serves each on its own): keying one connection while another is keyed,
/// read or closed must never fail. SQLCipher was seen to refuse a key now
/// and then when this happened ("An error occurred with PRAGMA key").
#[test]
fn campaigns_opened_and_closed_on_many_threads_at_once_all_unlock() {
    let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| new_campaign().0).collect();
    let paths: Vec<std::path::PathBuf> = dirs.iter().map(|dir| dir.path().to_path_buf()).collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|thread| {
                let path = paths[thread % paths.len()].clone();
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for _ in 0..20 {
                        match Campaign::open(&path) {
                            Ok(campaign) => drop(campaign),
                            Err(error) => failures.push(error.to_string()),
                        }
                        let fresh = tempfile::TempDir::new().unwrap();
                        if let Err(error) =
                            Campaign::create(fresh.path(), "Fair Contract Now", "Local 12")
                        {
                            failures.push(error.to_string());
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} openings failed: {:?}",
        failures.len(),
        failures.first()
    );
}
