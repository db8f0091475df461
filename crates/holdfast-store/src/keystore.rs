//! The operating system's keystore, where Holdfast has one: it keeps the
//! random key that seals the database key in `holdfast.key` when no
//! passphrase is set (see [`crate::at_rest`]).
//!
//! Only Linux desktops are built in, through the Secret Service (GNOME
//! Keyring, KWallet and others) over D-Bus. On every other platform the
//! keystore counts as unreachable, so a new campaign's key file is kept on
//! this device only, as it always was.

/// Every entry is filed under this service name, with an account name unique
/// to one data directory.
pub const SERVICE: &str = "holdfast";

/// Why a wrapping key could not be fetched.
#[derive(Debug)]
pub(crate) enum FetchError {
    /// The keystore answered, but has no entry for this account.
    Missing,
    /// No keystore answered, or it refused: the reason, in its words.
    Unreachable(String),
    /// The entry is there but is not a 32-byte key.
    WrongLength,
}

#[cfg(target_os = "linux")]
mod platform {
    use super::{FetchError, SERVICE};

    fn entry(account: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, account).map_err(|error| error.to_string())
    }

    /// Stores `secret` and reads it back: a keystore that does not give back
    /// what it was handed is not used.
    pub(crate) fn store(account: &str, secret: &[u8; 32]) -> Result<(), String> {
        let entry = entry(account)?;
        entry
            .set_secret(secret)
            .map_err(|error| error.to_string())?;
        match entry.get_secret() {
            Ok(read) if read.as_slice() == secret.as_slice() => Ok(()),
            Ok(_) => {
                let _ = entry.delete_credential();
                Err("the keystore gave back something else than it was given".to_string())
            }
            Err(error) => {
                let _ = entry.delete_credential();
                Err(error.to_string())
            }
        }
    }

    pub(crate) fn fetch(account: &str) -> Result<[u8; 32], FetchError> {
        let entry = entry(account).map_err(FetchError::Unreachable)?;
        match entry.get_secret() {
            Ok(secret) => secret
                .as_slice()
                .try_into()
                .map_err(|_| FetchError::WrongLength),
            Err(keyring::Error::NoEntry) => Err(FetchError::Missing),
            Err(error) => Err(FetchError::Unreachable(error.to_string())),
        }
    }

    /// Removes the entry; one that is already gone is fine.
    pub(crate) fn delete(account: &str) -> Result<(), String> {
        match entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(error.to_string()),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use super::FetchError;

    const NONE: &str = "this build of Holdfast has no system keystore on this platform";

    pub(crate) fn store(_account: &str, _secret: &[u8; 32]) -> Result<(), String> {
        Err(NONE.to_string())
    }

    pub(crate) fn fetch(_account: &str) -> Result<[u8; 32], FetchError> {
        Err(FetchError::Unreachable(NONE.to_string()))
    }

    pub(crate) fn delete(_account: &str) -> Result<(), String> {
        Err(NONE.to_string())
    }
}

pub(crate) use platform::{delete, fetch};

/// Set to `off` to keep new campaigns' keys out of the keystore, as if
/// there were none: the test suite does, so that running it on a desktop
/// leaves nothing in the user's login keyring.
pub const SWITCH: &str = "HOLDFAST_KEYSTORE";

/// Stores a new wrapping key, unless the keystore is switched off.
pub(crate) fn store(account: &str, secret: &[u8; 32]) -> Result<(), String> {
    if std::env::var(SWITCH).is_ok_and(|value| value == "off") {
        return Err(format!("the keystore is switched off ({SWITCH}=off)"));
    }
    platform::store(account, secret)
}
