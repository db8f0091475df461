//! The one error type of the store crate.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    // Boxed because Automerge's own errors are large and every call returns
    // this type.
    #[error("{0}")]
    Core(Box<holdfast_core::CoreError>),
    #[error("{}", database_failure(.0))]
    Database(#[from] rusqlite::Error),
    #[error("could not use the data directory {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("there is no campaign in {0}; create one with `holdfast init` or `holdfast demo`")]
    NoCampaign(String),
    #[error("a campaign already exists in {0}")]
    CampaignExists(String),
    #[error("the database was written by a newer Holdfast (schema {found}, this build knows up to {known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("stored document {document} is damaged: {reason}")]
    DamagedDocument { document: String, reason: String },
    #[error("Automerge could not read {what}: {source}")]
    Automerge {
        what: String,
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    #[error("a projection could not be encoded: {0}")]
    Json(#[from] serde_json::Error),
    #[error("no {kind} with id or name `{id}`")]
    NotFound { kind: &'static str, id: String },
    #[error("{0}")]
    Rejected(String),
    /// The one acting may not do this, such as a member who is not a
    /// steward erasing someone.
    #[error("{0}")]
    NotAllowed(String),
    #[error("roster line {line}: {reason} (nothing from this file was imported)")]
    RosterLine { line: u64, reason: String },
    #[error("the roster file could not be read: {0}")]
    Roster(#[from] csv::Error),
    #[error("changes to {document} were refused and nothing was saved: {reason}")]
    RefusedChanges { document: String, reason: String },
    #[error("this campaign is locked with a passphrase; give it (HOLDFAST_PASSPHRASE for the command line)")]
    PassphraseNeeded,
    #[error("the passphrase is wrong; nothing was changed")]
    WrongPassphrase,
    #[error("the campaign is locked; unlock it with its passphrase on this device")]
    Locked,
    #[error("the key file is damaged: {0}")]
    DamagedKeyFile(String),
    /// The database is encrypted and its key file is not beside it.
    #[error("the key file {0} is missing, and the campaign's database cannot be opened without it; put back the holdfast.key that was in this folder, or pair this device again")]
    KeyFileMissing(String),
    /// SQLite found the database file itself damaged.
    #[error("the campaign database {path} is damaged ({detail}); nothing in it was changed. Pair this device again or restore the folder from a backup")]
    DamagedDatabase { path: String, detail: String },
    /// The key file needs an entry in the system keystore that is not there:
    /// the folder was copied from another login or computer, or the entry
    /// was deleted.
    #[error("this campaign's key is sealed by the system keystore, which has no entry for it (service `{service}`, account `{account}`): the folder was copied from another login or computer, or the entry was deleted, so it cannot be opened here")]
    KeystoreEntryMissing {
        service: &'static str,
        account: String,
    },
    /// The key file needs the system keystore, and none answered.
    #[error("this campaign's key is sealed by the system keystore, which could not be reached (is the desktop session's keyring running and unlocked?): {0}")]
    KeystoreUnreachable(String),
    /// Another process (the app, a hub, `holdfast serve`) has the campaign
    /// open, and what was asked would change it underneath.
    #[error("the campaign is open in another Holdfast on this computer (the app, a running hub or `holdfast serve`); close it and try again. Nothing was changed")]
    OpenElsewhere,
    #[error("pairing refused: {0}")]
    InviteRefused(String),
    #[error("the file is not a Holdfast document: {0}")]
    ForeignDocument(String),
}

impl From<holdfast_core::CoreError> for StoreError {
    fn from(error: holdfast_core::CoreError) -> Self {
        StoreError::Core(Box::new(error))
    }
}

impl StoreError {
    pub fn rejected(reason: impl Into<String>) -> Self {
        StoreError::Rejected(reason.into())
    }

    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        StoreError::NotFound {
            kind,
            id: id.into(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What a database error says: a damaged file is named as such, with what
/// to do, wherever the damage is first read.
fn database_failure(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.code == rusqlite::ErrorCode::DatabaseCorrupt =>
        {
            format!(
                "the campaign database is damaged ({error}); pair this device again or restore the folder from a backup"
            )
        }
        other => format!("the campaign database failed: {other}"),
    }
}
