//! A new database key whenever the key's protection changes, and the lock
//! that keeps other processes out while it happens.
//!
//! Sealing the old key under a new passphrase would leave every copy of the
//! old key file able to open the database. So setting, changing or removing
//! a passphrase writes the whole database again under a fresh key, beside
//! the old file, and swaps the two in steps a crash cannot break:
//!
//! 1. the database is exported under the new key to `holdfast.sqlite3.rekey`
//!    and flushed;
//! 2. the new key, sealed, is written to `holdfast.key.next` and flushed;
//! 3. `holdfast.sqlite3.rekey` is renamed over the database: this is the
//!    moment the change happens;
//! 4. `holdfast.key.next` is renamed over `holdfast.key`.
//!
//! At the next open, [`finish_interrupted`] looks at what is left: a
//! `.rekey` file means step 3 never happened, so both new files go and the
//! old pair stands; a `.next` file alone means step 3 happened, so step 4 is
//! done then. Neither needs the passphrase.
//!
//! Every open campaign holds a shared lock on `holdfast.lock`; re-keying
//! takes it exclusively, or refuses when another process (the app, a hub)
//! has the campaign open, since that process would go on with the old key.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;

use crate::at_rest::{self, Cost, DatabaseKey, Protection};
use crate::error::{Result, StoreError};

/// The lock file every open campaign holds shared.
pub(crate) const LOCK_FILE: &str = "holdfast.lock";
/// The database under its new key, before it replaces the old one.
pub(crate) const REKEYED_DATABASE: &str = "holdfast.sqlite3.rekey";
/// The new key file, before it replaces the old one.
pub(crate) const NEXT_KEY_FILE: &str = "holdfast.key.next";

/// A lock on a data folder, released when dropped.
pub(crate) struct OpenLock {
    _file: File,
}

impl OpenLock {
    /// Held by every open campaign; waits while a re-key is under way.
    pub(crate) fn shared(data_dir: &Path) -> Result<OpenLock> {
        let file = lock_file(data_dir)?;
        file.lock_shared()
            .map_err(|source| data_dir_error(&data_dir.join(LOCK_FILE), source))?;
        Ok(OpenLock { _file: file })
    }

    /// Held while the database key changes; refused while any other opener
    /// holds the folder.
    fn exclusive(data_dir: &Path) -> Result<OpenLock> {
        let file = lock_file(data_dir)?;
        match file.try_lock() {
            Ok(()) => Ok(OpenLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(StoreError::OpenElsewhere),
            Err(TryLockError::Error(source)) => {
                Err(data_dir_error(&data_dir.join(LOCK_FILE), source))
            }
        }
    }
}

fn lock_file(data_dir: &Path) -> Result<File> {
    let path = data_dir.join(LOCK_FILE);
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(&path)
        .map_err(|source| data_dir_error(&path, source))
}

/// Where a re-key was cut off, for tests of the recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Exported,
    NextKeyWritten,
    DatabaseSwapped,
}

/// Seals a new key under `new` (see [`at_rest::change_passphrase`]) and
/// writes the database again under it.
pub(crate) fn change_protection(
    data_dir: &Path,
    current: Option<&str>,
    new: Option<&str>,
    cost: Cost,
) -> Result<Protection> {
    change_protection_until(data_dir, current, new, cost, None)
}

pub(crate) fn change_protection_until(
    data_dir: &Path,
    current: Option<&str>,
    new: Option<&str>,
    cost: Cost,
    stop_after: Option<Step>,
) -> Result<Protection> {
    let _exclusive = OpenLock::exclusive(data_dir)?;
    finish_interrupted(data_dir)?;
    let old = at_rest::unlock(data_dir, current)?.ok_or_else(|| {
        StoreError::rejected("this campaign was made before encryption; it has no key to protect")
    })?;
    let database = data_dir.join(crate::DATABASE_FILE);
    if !database.exists() {
        // A key file without its database (a start cut off): nothing to
        // write again, only the key's seal to change.
        return at_rest::write_key_file(data_dir, &old, new, cost);
    }
    let new_key = DatabaseKey::generate();
    let rekeyed = data_dir.join(REKEYED_DATABASE);
    export(data_dir, &old, &new_key, &rekeyed)?;
    if stop_after == Some(Step::Exported) {
        return Err(StoreError::rejected("stopped after the export, for a test"));
    }
    let sealed = at_rest::seal_key_file(&new_key, new, cost)?;
    let next = data_dir.join(NEXT_KEY_FILE);
    if let Err(error) = at_rest::write_flushed(&next, &sealed.bytes) {
        sealed.forget_new_entry();
        let _ = fs::remove_file(&rekeyed);
        return Err(error);
    }
    if stop_after == Some(Step::NextKeyWritten) {
        return Err(StoreError::rejected("stopped before the swap, for a test"));
    }
    // The old database's log must be gone before the new file takes its
    // name: SQLite would otherwise read the old log into the new database.
    for leftover in ["-wal", "-shm", "-journal"] {
        let path = PathBuf::from(format!("{}{leftover}", database.display()));
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(data_dir_error(&path, source)),
        }
    }
    fs::rename(&rekeyed, &database).map_err(|source| data_dir_error(&database, source))?;
    sync_folder(data_dir);
    if stop_after == Some(Step::DatabaseSwapped) {
        return Err(StoreError::rejected("stopped after the swap, for a test"));
    }
    at_rest::replace_key_file(data_dir, &next)?;
    Ok(sealed.protection)
}

/// Writes the database under `new` to `to`, flushed, and reads it back.
fn export(data_dir: &Path, old: &DatabaseKey, new: &DatabaseKey, to: &Path) -> Result<()> {
    let _ = fs::remove_file(to);
    // Made private before SQLite writes a page into it.
    crate::file_modes::create_private(to).map_err(|source| data_dir_error(to, source))?;
    let written = (|| -> Result<()> {
        let connection = crate::campaign::connect(data_dir, Some(old))?;
        // Everything in the log goes into the database file first, so the
        // export reads one consistent file and leaves no log behind.
        connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let documents: i64 = count_documents(&connection, "main")?;
        let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        connection.execute(
            &format!(
                "ATTACH DATABASE ?1 AS rekeyed KEY {}",
                new.literal().as_str()
            ),
            [to.display().to_string()],
        )?;
        connection.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
        // The export copies tables and rows, not the count of migrations.
        connection.execute_batch(&format!("PRAGMA rekeyed.user_version = {version}"))?;
        connection.execute_batch("DETACH DATABASE rekeyed")?;
        drop(connection);
        File::open(to)
            .and_then(|file| file.sync_all())
            .map_err(|source| data_dir_error(to, source))?;
        // Read back under the new key: the same schema version and every
        // document, or the swap does not happen.
        let check = crate::campaign::connect_file(to, new)?;
        let copied_version: i64 = check.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if copied_version != version || count_documents(&check, "main")? != documents {
            return Err(StoreError::rejected(
                format!("the database written under the new key did not read back the same (schema {copied_version} for {version}); nothing was changed"),
            ));
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(to);
    }
    written
}

fn count_documents(connection: &rusqlite::Connection, schema: &str) -> Result<i64> {
    let exists: Option<i64> = connection
        .query_row(
            &format!("SELECT 1 FROM {schema}.sqlite_schema WHERE name = 'documents'"),
            [],
            |row| row.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(0);
    }
    Ok(connection.query_row(
        &format!("SELECT count(*) FROM {schema}.documents"),
        [],
        |row| row.get(0),
    )?)
}

/// Finishes or undoes a re-key that was cut off (see the module's steps).
/// Called under the folder's lock, before the key is read.
pub(crate) fn finish_interrupted(data_dir: &Path) -> Result<()> {
    let rekeyed = data_dir.join(REKEYED_DATABASE);
    let next = data_dir.join(NEXT_KEY_FILE);
    if rekeyed.exists() {
        // The swap never happened: the old database and key stand.
        at_rest::discard_key_file(&next);
        remove_if_there(&rekeyed)?;
        remove_if_there(&PathBuf::from(format!("{}-journal", rekeyed.display())))?;
    } else if next.exists() {
        // The database is already under the new key: its key file follows.
        at_rest::replace_key_file(data_dir, &next)?;
    }
    Ok(())
}

fn remove_if_there(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(data_dir_error(path, source)),
    }
}

pub(crate) fn sync_folder(data_dir: &Path) {
    if let Ok(directory) = File::open(data_dir) {
        let _ = directory.sync_all();
    }
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
    use crate::Campaign;

    const CHEAP: Cost = Cost {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };
    const PASSPHRASE: &str = "solidarity forever";

    /// A campaign in a fresh folder, closed again, with its key file as it
    /// was before any change.
    fn campaign() -> (tempfile::TempDir, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        drop(Campaign::create(dir.path(), "Rekey test", "Local 9").unwrap());
        let key_file = fs::read(dir.path().join(at_rest::KEY_FILE)).unwrap();
        (dir, key_file)
    }

    fn name_of(dir: &Path, passphrase: Option<&str>) -> Result<String> {
        Ok(Campaign::open_with_passphrase(dir, passphrase)?
            .settings()?
            .campaign_name)
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        [REKEYED_DATABASE, NEXT_KEY_FILE]
            .into_iter()
            .filter(|name| dir.join(name).exists())
            .map(String::from)
            .collect()
    }

    #[test]
    fn after_a_change_the_old_key_file_opens_nothing() {
        let (dir, old_key_file) = campaign();
        change_protection(dir.path(), None, Some(PASSPHRASE), CHEAP).unwrap();
        assert_eq!(name_of(dir.path(), Some(PASSPHRASE)).unwrap(), "Rekey test");
        assert!(leftovers(dir.path()).is_empty());
        fs::write(dir.path().join(at_rest::KEY_FILE), &old_key_file).unwrap();
        let error = name_of(dir.path(), None).unwrap_err();
        assert!(
            matches!(error, StoreError::DamagedKeyFile(_)),
            "the old key file opened the database: {error:?}"
        );
    }

    #[test]
    fn cut_off_before_the_swap_the_old_key_stands() {
        for step in [Step::Exported, Step::NextKeyWritten] {
            let (dir, old_key_file) = campaign();
            change_protection_until(dir.path(), None, Some(PASSPHRASE), CHEAP, Some(step))
                .unwrap_err();
            assert!(!leftovers(dir.path()).is_empty(), "{step:?}");
            assert_eq!(name_of(dir.path(), None).unwrap(), "Rekey test", "{step:?}");
            assert!(leftovers(dir.path()).is_empty(), "{step:?}");
            assert_eq!(
                fs::read(dir.path().join(at_rest::KEY_FILE)).unwrap(),
                old_key_file
            );
            // And the change can be made again afterwards.
            change_protection(dir.path(), None, Some(PASSPHRASE), CHEAP).unwrap();
            assert_eq!(name_of(dir.path(), Some(PASSPHRASE)).unwrap(), "Rekey test");
        }
    }

    #[test]
    fn cut_off_after_the_swap_the_new_key_takes_its_place() {
        let (dir, old_key_file) = campaign();
        change_protection_until(
            dir.path(),
            None,
            Some(PASSPHRASE),
            CHEAP,
            Some(Step::DatabaseSwapped),
        )
        .unwrap_err();
        // Opened with the new passphrase, as the person who set it would.
        assert_eq!(name_of(dir.path(), Some(PASSPHRASE)).unwrap(), "Rekey test");
        assert!(leftovers(dir.path()).is_empty());
        fs::write(dir.path().join(at_rest::KEY_FILE), &old_key_file).unwrap();
        assert!(name_of(dir.path(), None).is_err());
    }

    #[test]
    fn refused_while_the_campaign_is_open() {
        let (dir, old_key_file) = campaign();
        let open = Campaign::open(dir.path()).unwrap();
        let error = change_protection(dir.path(), None, Some(PASSPHRASE), CHEAP).unwrap_err();
        assert!(matches!(error, StoreError::OpenElsewhere), "{error:?}");
        assert!(leftovers(dir.path()).is_empty());
        assert_eq!(
            fs::read(dir.path().join(at_rest::KEY_FILE)).unwrap(),
            old_key_file
        );
        assert_eq!(open.settings().unwrap().campaign_name, "Rekey test");
    }
}
