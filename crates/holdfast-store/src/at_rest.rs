//! The key that encrypts the database, and the small file that keeps it.
//!
//! The database is encrypted as a whole (SQLCipher: every page, the
//! write-ahead log included) with a random 32-byte key. That key lives in
//! `holdfast.key` beside the database, sealed in one of three ways:
//!
//! * with a passphrase: Argon2id (64 MiB, 3 passes) turns the passphrase and
//!   a random salt into a key that seals the database key
//!   (XChaCha20-Poly1305). A seized device without the passphrase yields
//!   nothing readable; a wrong passphrase fails authentication and changes
//!   nothing.
//! * by the system keystore: no passphrase was set, and the operating
//!   system keeps a random key (see [`crate::keystore`]) that seals the
//!   database key, XChaCha20-Poly1305 again. The keystore entry is named by
//!   a random id in the file's header, so each data directory has its own.
//!   A copy of the folder alone opens nothing; someone logged in as the same
//!   user, with the keystore unlocked, opens it as Holdfast does.
//! * on this device only: no passphrase was set and no keystore could be
//!   reached (a server without a desktop session, or a platform Holdfast has
//!   no keystore for), so the key is stored as it is. The files are still
//!   unreadable apart from this one, but anyone holding the whole folder
//!   holds the key.
//!
//! Without a passphrase, a new campaign (the demo's too) uses the keystore
//! where one answers and this device only otherwise, until a steward sets a
//! passphrase.
//!
//! Wiping destroys the key first (overwritten, flushed, removed), which
//! makes every other file unreadable at once, then removes the files.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

use crate::error::{Result, StoreError};
use crate::keystore;

/// The file that holds the sealed database key.
pub const KEY_FILE: &str = "holdfast.key";
const MAGIC: &[u8; 13] = b"HOLDFAST KEY\n";
const VERSION: u8 = 1;
const PASSPHRASE: u8 = 1;
const DEVICE: u8 = 2;
const KEYSTORE: u8 = 3;

/// Argon2id's cost, kept in the file so that it can be tuned per device
/// without breaking older files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl Default for Cost {
    /// About a second on a mid-range phone; a third of that on this
    /// project's 2-core test machine (see BENCHMARKS.md).
    fn default() -> Self {
        Cost {
            memory_kib: 64 * 1024,
            passes: 3,
            lanes: 1,
        }
    }
}

/// The database key: 32 random bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey(pub(crate) [u8; 32]);

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("DatabaseKey(…)")
    }
}

// The key is wiped from memory when it is dropped: locking the campaign
// drops it, and so does every connection once keyed.
impl Drop for DatabaseKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl DatabaseKey {
    pub(crate) fn generate() -> Self {
        let mut key = [0_u8; 32];
        rand::rng().fill_bytes(&mut key);
        DatabaseKey(key)
    }

    /// The key itself, for checks that it is written nowhere it should
    /// not be.
    #[doc(hidden)]
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The statement SQLCipher needs first on every connection.
    pub(crate) fn pragma(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(format!("PRAGMA key = {};", self.literal().as_str()))
    }

    /// The key as SQLCipher reads a raw key in SQL: `"x'…'"`.
    pub(crate) fn literal(&self) -> zeroize::Zeroizing<String> {
        let hex = zeroize::Zeroizing::new(
            self.0
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>(),
        );
        zeroize::Zeroizing::new(format!("\"x'{}'\"", hex.as_str()))
    }
}

/// How the key in a data directory is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Protection {
    Passphrase,
    /// Sealed by a key that the operating system's keystore keeps.
    SystemKeystore,
    ThisDeviceOnly,
}

/// Makes a new database key for a new data directory and writes its file.
/// Without a passphrase the key is sealed by the system keystore when one
/// answers, and kept on this device only when none does.
pub fn create(data_dir: &Path, passphrase: Option<&str>) -> Result<DatabaseKey> {
    let key = DatabaseKey::generate();
    write_key_file(data_dir, &key, passphrase, Cost::default())?;
    Ok(key)
}

/// The key of a data directory. `None` for a directory made before the
/// database was encrypted, which still opens as it is.
pub fn unlock(data_dir: &Path, passphrase: Option<&str>) -> Result<Option<DatabaseKey>> {
    let path = data_dir.join(KEY_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(data_dir_error(&path, source)),
    };
    let file = KeyFile::parse(&bytes)?;
    // The key as it came out of its seal, wiped once it is copied into the
    // `DatabaseKey` (which wipes itself in turn).
    let opened = zeroize::Zeroizing::new(match (file.protection, passphrase) {
        (DEVICE, _) => file.sealed.clone(),
        (PASSPHRASE, None) => return Err(StoreError::PassphraseNeeded),
        (PASSPHRASE, Some(passphrase)) => {
            let sealing = derive(passphrase, &file.salt, file.cost)?;
            file.open(&sealing)
                .map_err(|_| StoreError::WrongPassphrase)?
        }
        (KEYSTORE, _) => {
            let account = file.keystore_account();
            let sealing = keystore::fetch(&account).map_err(|error| match error {
                keystore::FetchError::Missing => StoreError::KeystoreEntryMissing {
                    service: keystore::SERVICE,
                    account: account.clone(),
                },
                keystore::FetchError::Unreachable(reason) => {
                    StoreError::KeystoreUnreachable(reason)
                }
                keystore::FetchError::WrongLength => {
                    damaged("its entry in the system keystore is not a key")
                }
            })?;
            file.open(&sealing)
                .map_err(|_| damaged("its entry in the system keystore does not open it"))?
        }
        _ => return Err(damaged("unknown protection")),
    });
    Ok(Some(DatabaseKey(
        opened
            .as_slice()
            .try_into()
            .map_err(|_| damaged("the key has the wrong length"))?,
    )))
}

/// The name of the system keystore's entry (under the service
/// [`keystore::SERVICE`]) that a data directory's key file needs, if its
/// key is sealed that way.
pub fn keystore_account(data_dir: &Path) -> Result<Option<String>> {
    let path = data_dir.join(KEY_FILE);
    match fs::read(&path) {
        Ok(bytes) => {
            let file = KeyFile::parse(&bytes)?;
            Ok((file.protection == KEYSTORE).then(|| file.keystore_account()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(data_dir_error(&path, source)),
    }
}

/// How the key of a data directory is protected, without unlocking it.
pub fn protection(data_dir: &Path) -> Result<Option<Protection>> {
    let path = data_dir.join(KEY_FILE);
    match fs::read(&path) {
        Ok(bytes) => Ok(Some(match KeyFile::parse(&bytes)?.protection {
            PASSPHRASE => Protection::Passphrase,
            KEYSTORE => Protection::SystemKeystore,
            _ => Protection::ThisDeviceOnly,
        })),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(data_dir_error(&path, source)),
    }
}

/// Protects the campaign with a new passphrase (or none: then by the system
/// keystore where one answers, else on this device only). The database is
/// written again under a new key, so no copy of the old key file opens it
/// (see the `rekey` module); refused while another process has the campaign
/// open. A keystore entry the old file needed is removed afterwards. Gives
/// the protection the key has now.
pub fn change_passphrase(
    data_dir: &Path,
    current: Option<&str>,
    new: Option<&str>,
    cost: Cost,
) -> Result<Protection> {
    if new.is_some_and(|passphrase| passphrase.chars().count() < 8) {
        return Err(StoreError::rejected(
            "a passphrase needs at least 8 characters",
        ));
    }
    crate::rekey::change_protection(data_dir, current, new, cost)
}

/// What a wipe did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Wiped {
    /// Seconds until the key was gone and the data unreadable.
    pub seconds_until_unreadable: f64,
    pub files_removed: usize,
}

/// Makes the campaign unreadable, then removes its files: the key file is
/// overwritten with random bytes and flushed before anything else. The
/// system keystore's entry, if the key had one, is removed after the file;
/// a keystore that cannot be reached then does not stop the wipe (the entry
/// opens nothing without the file).
pub fn wipe(data_dir: &Path) -> Result<Wiped> {
    let started = Instant::now();
    let key_path = data_dir.join(KEY_FILE);
    let account = keystore_account(data_dir).ok().flatten();
    if let Ok(metadata) = fs::metadata(&key_path) {
        let mut noise = vec![0_u8; metadata.len() as usize];
        rand::rng().fill_bytes(&mut noise);
        let mut file = OpenOptions::new()
            .write(true)
            .open(&key_path)
            .map_err(|source| data_dir_error(&key_path, source))?;
        file.write_all(&noise)
            .and_then(|()| file.sync_all())
            .map_err(|source| data_dir_error(&key_path, source))?;
        fs::remove_file(&key_path).map_err(|source| data_dir_error(&key_path, source))?;
    }
    // A key file half-written when a passphrase change was cut off holds
    // the key too, and so does the next key of a re-key cut off.
    let next = data_dir.join(crate::rekey::NEXT_KEY_FILE);
    let next_account = keystore_account_of(&next);
    for kept in [data_dir.join(format!("{KEY_FILE}.partial")), next] {
        if let Ok(metadata) = fs::metadata(&kept) {
            let mut noise = vec![0_u8; metadata.len() as usize];
            rand::rng().fill_bytes(&mut noise);
            if let Ok(mut file) = OpenOptions::new().write(true).open(&kept) {
                let _ = file.write_all(&noise).and_then(|()| file.sync_all());
            }
            let _ = fs::remove_file(&kept);
        }
    }
    let seconds_until_unreadable = started.elapsed().as_secs_f64();
    for account in account.into_iter().chain(next_account) {
        let _ = keystore::delete(&account);
    }
    let mut files_removed = 1;
    for name in [
        crate::DATABASE_FILE.to_string(),
        crate::rekey::REKEYED_DATABASE.to_string(),
        crate::rekey::LOCK_FILE.to_string(),
        format!("{}-wal", crate::DATABASE_FILE),
        format!("{}-shm", crate::DATABASE_FILE),
        format!("{}-journal", crate::DATABASE_FILE),
    ] {
        if fs::remove_file(data_dir.join(name)).is_ok() {
            files_removed += 1;
        }
    }
    // Documents exported into the folder itself (`holdfast export`) are
    // plain Automerge, readable by anyone: they go too. Exports written
    // elsewhere are the user's to delete.
    for entry in fs::read_dir(data_dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "automerge")
            && path.is_file()
            && fs::remove_file(&path).is_ok()
        {
            files_removed += 1;
        }
    }
    Ok(Wiped {
        seconds_until_unreadable,
        files_removed,
    })
}

struct KeyFile {
    protection: u8,
    cost: Cost,
    salt: [u8; 16],
    nonce: [u8; 24],
    sealed: Vec<u8>,
}

impl KeyFile {
    /// Everything before the sealed key, which authentication covers too:
    /// lowering the cost in the file makes unsealing fail.
    fn header(&self) -> Vec<u8> {
        let mut header = MAGIC.to_vec();
        header.push(VERSION);
        header.push(self.protection);
        header.extend_from_slice(&self.cost.memory_kib.to_le_bytes());
        header.extend_from_slice(&self.cost.passes.to_le_bytes());
        header.extend_from_slice(&self.cost.lanes.to_le_bytes());
        header.extend_from_slice(&self.salt);
        header.extend_from_slice(&self.nonce);
        header
    }

    /// The keystore entry's account name: the random id that the salt's
    /// place in the header holds for this kind of file.
    fn keystore_account(&self) -> String {
        let id: String = self.salt.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("campaign-{id}")
    }

    /// Seals `key` under `sealing`, the header authenticated with it.
    fn seal(&self, sealing: &[u8; 32], key: &DatabaseKey) -> Result<Vec<u8>> {
        XChaCha20Poly1305::new_from_slice(sealing)
            .expect("32-byte key")
            .encrypt(
                XNonce::from_slice(&self.nonce),
                Payload {
                    msg: &key.0,
                    aad: &self.header(),
                },
            )
            .map_err(|_| damaged("sealing failed"))
    }

    /// The sealed key, opened with `sealing`; an error if authentication
    /// fails (the wrong sealing key, or a changed header or key).
    fn open(&self, sealing: &[u8; 32]) -> std::result::Result<Vec<u8>, ()> {
        XChaCha20Poly1305::new_from_slice(sealing)
            .expect("32-byte key")
            .decrypt(
                XNonce::from_slice(&self.nonce),
                Payload {
                    msg: &self.sealed,
                    aad: &self.header(),
                },
            )
            .map_err(|_| ())
    }

    fn encode(&self) -> Vec<u8> {
        let mut bytes = self.header();
        bytes.push(self.sealed.len() as u8);
        bytes.extend_from_slice(&self.sealed);
        bytes
    }

    fn parse(bytes: &[u8]) -> Result<Self> {
        let header_length = MAGIC.len() + 2 + 12 + 16 + 24;
        if bytes.len() < header_length + 1 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(damaged("it is not a Holdfast key file"));
        }
        if bytes[MAGIC.len()] != VERSION {
            return Err(damaged("it was written by a newer Holdfast"));
        }
        let number = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four"));
        let at = MAGIC.len() + 2;
        let sealed_length = bytes[header_length] as usize;
        if bytes.len() != header_length + 1 + sealed_length {
            return Err(damaged("it is cut short or has bytes after the key"));
        }
        Ok(KeyFile {
            protection: bytes[MAGIC.len() + 1],
            cost: Cost {
                memory_kib: number(at),
                passes: number(at + 4),
                lanes: number(at + 8),
            },
            salt: bytes[at + 12..at + 28].try_into().expect("sixteen"),
            nonce: bytes[at + 28..at + 52].try_into().expect("twenty-four"),
            sealed: bytes[header_length + 1..].to_vec(),
        })
    }
}

/// Writes the key file, replacing any there. Without a passphrase, a new
/// random sealing key goes into the system keystore first; if none takes it,
/// the key is kept on this device only. A keystore entry that the replaced
/// file needed is removed once the new file is in place.
pub(crate) fn write_key_file(
    data_dir: &Path,
    key: &DatabaseKey,
    passphrase: Option<&str>,
    cost: Cost,
) -> Result<Protection> {
    let replaced_account = keystore_account(data_dir).ok().flatten();
    let sealed = seal_key_file(key, passphrase, cost)?;
    let written = write_atomically(data_dir, &sealed.bytes);
    if written.is_err() {
        sealed.forget_new_entry();
    }
    written?;
    if let Some(replaced) = replaced_account {
        if sealed.stored_account.as_ref() != Some(&replaced) {
            let _ = keystore::delete(&replaced);
        }
    }
    Ok(sealed.protection)
}

/// A key file's bytes, not yet written anywhere.
pub(crate) struct SealedKeyFile {
    pub(crate) bytes: Vec<u8>,
    pub(crate) protection: Protection,
    /// The keystore entry made for it, if any.
    stored_account: Option<String>,
}

impl SealedKeyFile {
    /// Removes the keystore entry made for a file that was never kept.
    pub(crate) fn forget_new_entry(&self) {
        if let Some(account) = &self.stored_account {
            let _ = keystore::delete(account);
        }
    }
}

/// Seals `key` as [`write_key_file`] does, without writing it.
pub(crate) fn seal_key_file(
    key: &DatabaseKey,
    passphrase: Option<&str>,
    cost: Cost,
) -> Result<SealedKeyFile> {
    let mut salt = [0_u8; 16];
    let mut nonce = [0_u8; 24];
    rand::rng().fill_bytes(&mut salt);
    rand::rng().fill_bytes(&mut nonce);
    let mut file = KeyFile {
        protection: DEVICE,
        cost,
        salt,
        nonce,
        sealed: Vec::new(),
    };
    let mut stored_account = None;
    let protection = match passphrase {
        Some(passphrase) => {
            file.protection = PASSPHRASE;
            let sealing = derive(passphrase, &salt, cost)?;
            file.sealed = file.seal(&sealing, key)?;
            Protection::Passphrase
        }
        None => {
            let mut sealing = [0_u8; 32];
            rand::rng().fill_bytes(&mut sealing);
            file.protection = KEYSTORE;
            // No passphrase, no cost: zero in the header says so.
            file.cost = Cost {
                memory_kib: 0,
                passes: 0,
                lanes: 0,
            };
            let account = file.keystore_account();
            if keystore::store(&account, &sealing).is_ok() {
                file.sealed = file.seal(&sealing, key)?;
                stored_account = Some(account);
                Protection::SystemKeystore
            } else {
                file.protection = DEVICE;
                file.cost = cost;
                file.sealed = key.0.to_vec();
                Protection::ThisDeviceOnly
            }
        }
    };
    Ok(SealedKeyFile {
        bytes: file.encode(),
        protection,
        stored_account,
    })
}

/// Puts a key file written beside (`next`) in place of the key file, and
/// removes the keystore entry the replaced file needed, if the new one
/// does not need it too.
pub(crate) fn replace_key_file(data_dir: &Path, next: &Path) -> Result<()> {
    let replaced = keystore_account_of(&data_dir.join(KEY_FILE));
    let kept = keystore_account_of(next);
    let path = data_dir.join(KEY_FILE);
    fs::rename(next, &path).map_err(|source| data_dir_error(&path, source))?;
    crate::rekey::sync_folder(data_dir);
    if let Some(replaced) = replaced {
        if kept.as_ref() != Some(&replaced) {
            let _ = keystore::delete(&replaced);
        }
    }
    Ok(())
}

/// Removes a key file that will never be used, with its keystore entry.
pub(crate) fn discard_key_file(path: &Path) {
    let account = keystore_account_of(path);
    if fs::remove_file(path).is_ok() {
        if let Some(account) = account {
            let _ = keystore::delete(&account);
        }
    }
}

/// The keystore entry a key file needs, if it is readable and sealed that
/// way.
fn keystore_account_of(path: &Path) -> Option<String> {
    fs::read(path)
        .ok()
        .and_then(|bytes| KeyFile::parse(&bytes).ok())
        .filter(|file| file.protection == KEYSTORE)
        .map(|file| file.keystore_account())
}

/// Writes a new private file and flushes it to the disk.
pub(crate) fn write_flushed(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut handle =
        crate::file_modes::create_private(path).map_err(|source| data_dir_error(path, source))?;
    handle
        .write_all(bytes)
        .and_then(|()| handle.sync_all())
        .map_err(|source| data_dir_error(path, source))
}

/// Removes the key file, and its keystore entry if it has one: for a
/// creation cut off before anything was kept.
pub(crate) fn remove_key_file(data_dir: &Path) {
    let account = keystore_account(data_dir).ok().flatten();
    if fs::remove_file(data_dir.join(KEY_FILE)).is_ok() {
        if let Some(account) = account {
            let _ = keystore::delete(&account);
        }
    }
}

fn write_atomically(data_dir: &Path, bytes: &[u8]) -> Result<()> {
    // Written beside, flushed, then renamed over the old file: a crash
    // leaves the old key file or the new one, never half of one.
    let path = data_dir.join(KEY_FILE);
    let partial = data_dir.join(format!("{KEY_FILE}.partial"));
    write_flushed(&partial, bytes)?;
    fs::rename(&partial, &path).map_err(|source| data_dir_error(&path, source))?;
    crate::rekey::sync_folder(data_dir);
    Ok(())
}

fn derive(passphrase: &str, salt: &[u8], cost: Cost) -> Result<zeroize::Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(cost.memory_kib, cost.passes, cost.lanes, Some(32))
        .map_err(|error| damaged(&format!("its key-derivation cost is invalid ({error})")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = zeroize::Zeroizing::new([0_u8; 32]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|error| damaged(&format!("the key could not be derived ({error})")))?;
    Ok(out)
}

fn damaged(reason: &str) -> StoreError {
    StoreError::DamagedKeyFile(reason.to_string())
}

fn data_dir_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::DataDir {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: Cost = Cost {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    #[test]
    fn a_passphrase_seals_the_key_and_a_wrong_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let key = create(dir.path(), None).unwrap();
        assert_eq!(unlock(dir.path(), None).unwrap(), Some(key.clone()));
        change_passphrase(dir.path(), None, Some("solidarity forever"), CHEAP).unwrap();
        assert_eq!(
            protection(dir.path()).unwrap(),
            Some(Protection::Passphrase)
        );
        assert!(matches!(
            unlock(dir.path(), None),
            Err(StoreError::PassphraseNeeded)
        ));
        let before = fs::read(dir.path().join(KEY_FILE)).unwrap();
        assert!(matches!(
            unlock(dir.path(), Some("scab")),
            Err(StoreError::WrongPassphrase)
        ));
        assert!(matches!(
            change_passphrase(dir.path(), Some("scab"), None, CHEAP),
            Err(StoreError::WrongPassphrase)
        ));
        assert_eq!(fs::read(dir.path().join(KEY_FILE)).unwrap(), before);
        assert_eq!(
            unlock(dir.path(), Some("solidarity forever")).unwrap(),
            Some(key)
        );
        let file = fs::read(dir.path().join(KEY_FILE)).unwrap();
        assert!(!file.windows(32).any(|window| window == before.as_slice()));
    }

    #[test]
    fn a_tampered_or_cut_key_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), None).unwrap();
        change_passphrase(dir.path(), None, Some("solidarity forever"), CHEAP).unwrap();
        let path = dir.path().join(KEY_FILE);
        let good = fs::read(&path).unwrap();
        // Lowering the cost in the file is caught by authentication.
        let mut cheaper = good.clone();
        cheaper[MAGIC.len() + 6] ^= 1;
        fs::write(&path, &cheaper).unwrap();
        assert!(unlock(dir.path(), Some("solidarity forever")).is_err());
        fs::write(&path, &good[..good.len() - 3]).unwrap();
        let error = unlock(dir.path(), Some("solidarity forever")).unwrap_err();
        assert!(error.to_string().contains("cut short"), "{error}");
    }

    #[test]
    fn a_keystore_file_without_its_entry_is_refused_by_name() {
        // Written by hand with a sealing key no keystore has: whether a
        // keystore answers here or not, opening fails and says why.
        let dir = tempfile::tempdir().unwrap();
        let mut salt = [0_u8; 16];
        let mut nonce = [0_u8; 24];
        let mut sealing = [0_u8; 32];
        rand::rng().fill_bytes(&mut salt);
        rand::rng().fill_bytes(&mut nonce);
        rand::rng().fill_bytes(&mut sealing);
        let mut file = KeyFile {
            protection: KEYSTORE,
            cost: Cost {
                memory_kib: 0,
                passes: 0,
                lanes: 0,
            },
            salt,
            nonce,
            sealed: Vec::new(),
        };
        let key = DatabaseKey::generate();
        file.sealed = file.seal(&sealing, &key).unwrap();
        assert_eq!(file.open(&sealing).unwrap(), key.0.to_vec());
        fs::write(dir.path().join(KEY_FILE), file.encode()).unwrap();
        assert_eq!(
            protection(dir.path()).unwrap(),
            Some(Protection::SystemKeystore)
        );
        assert_eq!(
            keystore_account(dir.path()).unwrap(),
            Some(file.keystore_account())
        );
        match unlock(dir.path(), None) {
            Err(StoreError::KeystoreEntryMissing { account, .. }) => {
                assert_eq!(account, file.keystore_account());
            }
            Err(StoreError::KeystoreUnreachable(_)) => {}
            other => panic!("expected a keystore error, got {other:?}"),
        }
    }

    #[test]
    fn wiping_destroys_the_key_first() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), None).unwrap();
        fs::write(dir.path().join(crate::DATABASE_FILE), b"pages").unwrap();
        let wiped = wipe(dir.path()).unwrap();
        assert!(wiped.seconds_until_unreadable < 1.0);
        assert_eq!(wiped.files_removed, 2);
        assert!(!dir.path().join(KEY_FILE).exists());
        assert!(unlock(dir.path(), None).unwrap().is_none());
    }
}
