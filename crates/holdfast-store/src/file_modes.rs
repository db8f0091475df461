//! Nobody else on this computer may read a data folder.
//!
//! With the database key kept beside the database (no passphrase), the
//! folder's file modes are all that stands between the campaign and another
//! account on the same computer. The folder is made `0700` and every file
//! Holdfast keeps in it `0600`, when they are made and again at every open,
//! which repairs a folder copied in or made by an older version. SQLite gives
//! its `-wal` and `-shm` files the database file's mode.
//!
//! Phones keep each app's files to itself already; on systems without Unix
//! file modes this does nothing.

use std::path::Path;

use crate::error::{Result, StoreError};

/// The files Holdfast keeps in a data folder, by name.
const KEPT: [&str; 8] = [
    crate::at_rest::KEY_FILE,
    crate::campaign::DATABASE_FILE,
    "holdfast.sqlite3-wal",
    "holdfast.sqlite3-shm",
    "holdfast.key.partial",
    crate::rekey::NEXT_KEY_FILE,
    crate::rekey::REKEYED_DATABASE,
    crate::rekey::LOCK_FILE,
];

/// Makes the folder and the files in it private to this account.
pub(crate) fn protect(data_dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |path: &Path, mode: u32| -> Result<()> {
            match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
                Ok(()) => Ok(()),
                // Gone, or not this account's to change (a folder another
                // account made and lets this one use): nothing to repair here.
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                    ) =>
                {
                    Ok(())
                }
                Err(source) => Err(StoreError::DataDir {
                    path: path.display().to_string(),
                    source,
                }),
            }
        };
        set(data_dir, 0o700)?;
        for name in KEPT {
            set(&data_dir.join(name), 0o600)?;
        }
    }
    #[cfg(not(unix))]
    let _ = data_dir;
    Ok(())
}

/// Creates a file that only this account may read or write, from the start.
pub(crate) fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
