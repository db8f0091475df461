//! A campaign that may be locked: what the app, the web server and the hub
//! hold while they run.
//!
//! A campaign protected by a passphrase can be opened without it; it is then
//! locked, and every use of it answers [`StoreError::Locked`] until someone
//! gives the passphrase. Locking drops the open [`Campaign`]: its database
//! connection, the documents it had in memory and, with them, the database
//! key. Wiping destroys the key file and the database; afterwards the vault
//! holds nothing and says so.

use std::path::{Path, PathBuf};

use crate::at_rest::{self, Protection, Wiped};
use crate::campaign::Campaign;
use crate::error::{Result, StoreError};

/// A campaign that is open, locked, or wiped.
pub struct Vault {
    data_dir: PathBuf,
    state: State,
}

enum State {
    Open(Box<Campaign>),
    Locked,
    Wiped,
}

impl Vault {
    /// Opens the campaign in `data_dir`. A campaign with a passphrase opened
    /// without one is locked, not refused; a wrong passphrase is refused.
    pub fn open(data_dir: &Path, passphrase: Option<&str>) -> Result<Vault> {
        let state = match Campaign::open_with_passphrase(data_dir, passphrase) {
            Ok(campaign) => State::Open(Box::new(campaign)),
            Err(StoreError::PassphraseNeeded) => State::Locked,
            Err(error) => return Err(error),
        };
        Ok(Vault {
            data_dir: data_dir.to_path_buf(),
            state,
        })
    }

    /// The data directory this vault keeps.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The open campaign. Locked: [`StoreError::Locked`]; wiped:
    /// [`StoreError::NoCampaign`].
    pub fn campaign(&mut self) -> Result<&mut Campaign> {
        match &mut self.state {
            State::Open(campaign) => Ok(campaign),
            State::Locked => Err(StoreError::Locked),
            State::Wiped => Err(StoreError::NoCampaign(self.data_dir.display().to_string())),
        }
    }

    pub fn is_locked(&self) -> bool {
        matches!(self.state, State::Locked)
    }

    /// How the key is protected. `None` for a campaign made before the
    /// database was encrypted, which has no key file.
    pub fn protection(&self) -> Result<Option<Protection>> {
        if matches!(self.state, State::Wiped) {
            return Err(self.no_campaign());
        }
        at_rest::protection(&self.data_dir)
    }

    /// Closes the campaign until the passphrase is given again. Only a
    /// campaign with a passphrase can be locked: a key kept on this device,
    /// or sealed by the system keystore, would open it again for anyone
    /// using this login.
    pub fn lock(&mut self) -> Result<()> {
        match self.state {
            State::Wiped => return Err(self.no_campaign()),
            State::Locked => return Ok(()),
            State::Open(_) => {}
        }
        if self.protection()? != Some(Protection::Passphrase) {
            return Err(StoreError::rejected(
                "this campaign has no passphrase, so locking it would protect nothing; \
                 set a passphrase first (`holdfast passphrase set`)",
            ));
        }
        // Dropping the campaign closes its connection and frees the
        // documents it held, and the database key with them.
        self.state = State::Locked;
        Ok(())
    }

    /// Opens a locked campaign with its passphrase. A wrong one is
    /// [`StoreError::WrongPassphrase`] and leaves the vault locked. An open
    /// campaign stays open.
    pub fn unlock(&mut self, passphrase: &str) -> Result<()> {
        match self.state {
            State::Wiped => Err(self.no_campaign()),
            State::Open(_) => Ok(()),
            State::Locked => {
                let campaign = Campaign::open_with_passphrase(&self.data_dir, Some(passphrase))?;
                self.state = State::Open(Box::new(campaign));
                Ok(())
            }
        }
    }

    /// Closes the campaign and destroys it on this device: the key file is
    /// overwritten and removed first, then the database files (see
    /// [`at_rest::wipe`]). Works locked or open. Afterwards every call
    /// answers [`StoreError::NoCampaign`].
    pub fn wipe(&mut self) -> Result<Wiped> {
        if matches!(self.state, State::Wiped) {
            return Err(self.no_campaign());
        }
        // The connection must be closed before its files go.
        self.state = State::Locked;
        let wiped = at_rest::wipe(&self.data_dir)?;
        self.state = State::Wiped;
        Ok(wiped)
    }

    /// Drops the documents held in memory, if the campaign is open; they
    /// reload from disk when next used.
    pub fn release_memory(&mut self) {
        if let State::Open(campaign) = &mut self.state {
            campaign.release_memory();
        }
    }

    fn no_campaign(&self) -> StoreError {
        StoreError::NoCampaign(self.data_dir.display().to_string())
    }
}

impl From<Campaign> for Vault {
    fn from(campaign: Campaign) -> Self {
        Vault {
            data_dir: campaign.data_dir().to_path_buf(),
            state: State::Open(Box::new(campaign)),
        }
    }
}
