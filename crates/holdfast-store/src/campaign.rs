//! `Campaign`: one open data directory, and the single path every edit takes.
//!
//! An edit runs against the in-memory Automerge document, becomes one change,
//! and is written to SQLite together with its projections in one transaction.
//! Only when that transaction commits does the edit return; with WAL and
//! `synchronous = FULL` the commit has reached the disk by then, so a crash or
//! a power cut after "saved" loses nothing. If anything fails before the
//! commit, the in-memory document is thrown away and reloaded from disk, so
//! memory never runs ahead of what is saved. The write lock is held from the
//! moment the document is read until the commit (`in_one_commit`), so
//! another process on the same campaign (the command line beside a running
//! hub) commits before or after an edit, never in the middle of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use automerge::{ActorId, AutoCommit, ChangeHash};
use holdfast_core::authority::Authors;
use holdfast_core::model::*;
use holdfast_core::rules::attention::{self, AttentionInput};
use holdfast_core::signing::SigningKey;
use holdfast_core::{record, time, DocumentId, DocumentKind, Record};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};

use crate::at_rest;
use crate::authority::Signatures;
use crate::documents::{
    self, LoadedDocument, COMPACT_AFTER_CHANGES, COMPACT_ON_WRITE_AFTER_CHANGES,
};
use crate::error::{Result, StoreError};
use crate::projection::{self, Touched};
use crate::schema;

/// How many documents stay in memory before action documents are dropped.
const MAX_LOADED_DOCUMENTS: usize = 48;
/// Members' arrivals are small (a few check-ins each) and a hub serving
/// captains reads thousands of them per session: they have a cap of their
/// own, so they neither push the action documents out nor are reloaded
/// from disk for every captain.
const MAX_LOADED_ARRIVALS: usize = 8192;

/// The database file inside a data directory.
pub const DATABASE_FILE: &str = "holdfast.sqlite3";

pub struct Campaign {
    pub(crate) connection: Connection,
    loaded: HashMap<DocumentId, LoadedDocument>,
    actor: ActorId,
    device_id: String,
    data_dir: PathBuf,
    /// SQLite's count of commits by other connections, when last looked at.
    data_version: i64,
    /// Every paired device's authority, while the campaign document is unchanged.
    pub(crate) authors: Option<Arc<Authors>>,
    /// Signatures of admitted foreign changes, until `persist` saves them.
    pub(crate) incoming_signatures: HashMap<ChangeHash, Vec<u8>>,
    signing: Option<Arc<SigningKey>>,
    /// Documents whose history was rewritten from under a running sync
    /// (changes dropped after a revocation); the session starts their sync
    /// state afresh.
    pub(crate) rewritten: Vec<DocumentId>,
    /// Signatures read or written lately, by change hash: a hub sends the
    /// same changes' signatures to every phone that syncs after them.
    pub(crate) signature_cache: HashMap<ChangeHash, [u8; 64]>,
    /// Signatures that arrived before their changes were admitted.
    pub(crate) pending_signatures: HashMap<crate::authority::HashPrefix, [u8; 64]>,
    /// The browser at the hall this device is acting for during one
    /// request to its web UI, if any.
    pub(crate) acting: Option<crate::use_cases::hall_browsers::HallBrowser>,
    /// An erasure inside a transaction left the write-ahead log to be
    /// emptied once it commits.
    pub(crate) log_to_truncate: bool,
    /// Held while the campaign is open, so its key is not changed under it.
    _open: crate::rekey::OpenLock,
}

/// What an edit may do to one document.
pub struct Writer<'a> {
    doc: &'a mut AutoCommit,
    touched: Vec<Touched>,
    removed: Vec<(&'static str, String)>,
    check_attention: bool,
}

impl Writer<'_> {
    pub fn put<R: Record + Serialize>(&mut self, value: &R) -> Result<()> {
        record::put(self.doc, value)?;
        self.touched.push(Touched::of(value)?);
        Ok(())
    }

    pub fn get<R: Record>(&self, id: &str) -> Result<Option<R>> {
        Ok(record::get(self.doc, id)?)
    }

    pub fn all<R: Record>(&self) -> Result<Vec<R>> {
        Ok(record::all(self.doc)?)
    }

    pub fn delete<R: Record>(&mut self, id: &str) -> Result<()> {
        record::delete::<R>(self.doc, id)?;
        self.removed.push((R::COLLECTION, id.to_string()));
        Ok(())
    }

    /// Asks for the document's "needs attention" items to be recomputed after
    /// this edit (sign-ups, ledger entries, matches, voids and resolutions can
    /// change them; a validated check-in cannot).
    pub fn check_attention(&mut self) {
        self.check_attention = true;
    }
}

/// What a merge of foreign bytes did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MergeOutcome {
    pub document: String,
    /// Whether the merge brought anything this device did not have.
    pub changed: bool,
    /// Why changes in the bytes were refused at the door (none applied).
    pub refused: Vec<String>,
}

impl Campaign {
    /// Creates a new campaign in an empty or missing data directory.
    pub fn create(data_dir: &Path, campaign_name: &str, local_name: &str) -> Result<Self> {
        if campaign_name.trim().is_empty() {
            return Err(StoreError::rejected("a campaign needs a name"));
        }
        clear_interrupted_start(data_dir)?;
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let key = at_rest::create(data_dir, None)?;
        let mut campaign = Self::open_database(data_dir, Some(&key))?;
        let settings = Settings::new(campaign_name.trim(), local_name.trim());
        campaign.write(&DocumentId::campaign(), "create the campaign", |writer| {
            writer.put(&settings)
        })?;
        Ok(campaign)
    }

    /// Starts a data directory from another device's campaign document, as a
    /// newly paired device does. The bytes must hold the `campaign` document.
    pub fn join(data_dir: &Path, campaign_document: &[u8]) -> Result<Self> {
        Self::join_as(data_dir, campaign_document, None, &Signatures::new())
    }

    /// Like [`Campaign::join`], with the device id (and Automerge actor)
    /// chosen beforehand, as pairing does: the hub records the id before the
    /// new device has a database.
    /// The signatures are those the hub holds for the document's changes,
    /// so that this device can pass them on when it relays the changes.
    pub fn join_as(
        data_dir: &Path,
        campaign_document: &[u8],
        device_id: Option<&str>,
        signatures: &Signatures,
    ) -> Result<Self> {
        if let Some(id) = device_id {
            uuid::Uuid::parse_str(id)
                .map_err(|_| StoreError::rejected("a device id must be a UUID"))?;
        }
        clear_interrupted_start(data_dir)?;
        let incoming = load_foreign(campaign_document)?;
        let id = holdfast_core::documents::read_header(&incoming)
            .map_err(|error| StoreError::ForeignDocument(error.to_string()))?;
        if id != DocumentId::campaign() {
            return Err(StoreError::ForeignDocument(format!(
                "it holds `{id}`, not the campaign document"
            )));
        }
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let key = at_rest::create(data_dir, None)?;
        if let Some(device_id) = device_id {
            let mut connection = connect(data_dir, Some(&key))?;
            schema::migrate(&mut connection)?;
            set_meta(&connection, "device_id", device_id)?;
        }
        let mut campaign = Self::open_database(data_dir, Some(&key))?;
        campaign.merge_into_signed(&id, campaign_document, signatures)?;
        campaign.settings()?;
        Ok(campaign)
    }

    /// Opens the campaign in a data directory whose key needs no passphrase.
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with_passphrase(data_dir, None)
    }

    /// Opens the campaign in a data directory, unlocking its key with the
    /// passphrase if one was set. A wrong passphrase changes nothing.
    pub fn open_with_passphrase(data_dir: &Path, passphrase: Option<&str>) -> Result<Self> {
        if !data_dir.join(DATABASE_FILE).exists() {
            return Err(StoreError::NoCampaign(data_dir.display().to_string()));
        }
        // A change of key cut off is finished or undone first, with the
        // folder locked against one still under way.
        let _opening = crate::rekey::OpenLock::shared(data_dir)?;
        crate::rekey::finish_interrupted(data_dir)?;
        let key = at_rest::unlock(data_dir, passphrase)?;
        if key.is_none() && encrypted(&data_dir.join(DATABASE_FILE)) {
            return Err(StoreError::KeyFileMissing(
                data_dir.join(at_rest::KEY_FILE).display().to_string(),
            ));
        }
        let campaign = Self::open_database(data_dir, key.as_ref())?;
        if !documents::exists(&campaign.connection, &DocumentId::campaign())? {
            return Err(StoreError::NoCampaign(data_dir.display().to_string()));
        }
        Ok(campaign)
    }

    fn open_database(data_dir: &Path, key: Option<&at_rest::DatabaseKey>) -> Result<Self> {
        let open = crate::rekey::OpenLock::shared(data_dir)?;
        let mut connection = connect(data_dir, key)?;
        crate::file_modes::protect(data_dir)?;
        // WAL lets readers go on while a write commits; synchronous = FULL
        // makes each commit wait for the WAL to reach the disk, which is what
        // "saved" has to mean on a phone whose battery can die mid-picket.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        // SQLite's automatic checkpoint runs inside whichever commit crosses
        // the threshold, flushing the database file too. A larger threshold
        // makes that rare on the check-in path; `maintain` checkpoints when
        // the device is idle.
        connection.pragma_update(None, "wal_autocheckpoint", 8192)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut connection)?;
        let device_id = match meta(&connection, "device_id")? {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                set_meta(&connection, "device_id", &id)?;
                id
            }
        };
        let actor_bytes = uuid::Uuid::parse_str(&device_id)
            .map_err(|_| StoreError::rejected("the stored device id is not a UUID"))?
            .into_bytes();
        Ok(Campaign {
            connection,
            loaded: HashMap::new(),
            actor: ActorId::from(actor_bytes.as_slice()),
            device_id,
            data_dir: data_dir.to_path_buf(),
            data_version: 0,
            authors: None,
            incoming_signatures: HashMap::new(),
            signing: None,
            rewritten: Vec::new(),
            signature_cache: HashMap::new(),
            pending_signatures: HashMap::new(),
            acting: None,
            log_to_truncate: false,
            _open: open,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// This device's id; also its Automerge actor.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The member who uses this device, if set; while acting for a browser
    /// at the hall, the member it was paired for.
    pub fn device_member(&self) -> Result<Option<String>> {
        if let Some(browser) = &self.acting {
            return Ok(browser.member_id.clone().filter(|_| browser.is_paired()));
        }
        meta(&self.connection, "member_id")
    }

    pub fn set_device_member(&mut self, member_id: &str) -> Result<()> {
        if self.acting.is_some() {
            return Err(StoreError::NotAllowed(
                "a browser at the hall is the member it was paired for; it cannot choose someone else".into(),
            ));
        }
        self.member(member_id)?;
        set_meta(&self.connection, "member_id", member_id)
    }

    pub fn settings(&self) -> Result<Settings> {
        projection::read_one::<Settings>(&self.connection, Settings::ID)?
            .ok_or_else(|| StoreError::NoCampaign(self.data_dir.display().to_string()))
    }

    /// Every record of a collection, from the projections.
    pub fn all<R: Record + DeserializeOwned>(&self) -> Result<Vec<R>> {
        projection::read_all(&self.connection)
    }

    /// One record, from the projections.
    pub fn find<R: Record + DeserializeOwned>(&self, id: &str) -> Result<Option<R>> {
        projection::read_one(&self.connection, id)
    }

    pub fn documents(&self) -> Result<Vec<DocumentId>> {
        documents::list(&self.connection)
    }

    pub(crate) fn loaded(&mut self, id: &DocumentId) -> Result<&mut LoadedDocument> {
        // Another process (the command line beside a running hub or app) may
        // have committed changes; documents cached before that are stale.
        let version: i64 = self
            .connection
            .query_row("PRAGMA data_version", [], |row| row.get(0))?;
        if version != self.data_version {
            self.loaded.clear();
            self.authors = None;
            self.data_version = version;
        }
        if !self.loaded.contains_key(id) {
            if self.loaded.len() >= MAX_LOADED_DOCUMENTS {
                // Everything in memory is also on disk, so dropping documents
                // costs only a reload. Keeping the count bounded keeps a hub
                // or a long-running app from holding every action ever held.
                let arrivals = |loaded_id: &DocumentId| loaded_id.arrivals_member().is_some();
                let held_arrivals = self.loaded.keys().filter(|key| arrivals(key)).count();
                if self.loaded.len() - held_arrivals >= MAX_LOADED_DOCUMENTS {
                    self.loaded
                        .retain(|loaded_id, _| loaded_id.action_id().is_none());
                }
                if held_arrivals >= MAX_LOADED_ARRIVALS {
                    self.loaded.retain(|loaded_id, _| !arrivals(loaded_id));
                }
            }
            let mut loaded = documents::load(&self.connection, id)?;
            loaded.doc.set_actor(self.actor.clone());
            self.loaded.insert(id.clone(), loaded);
        }
        Ok(self.loaded.get_mut(id).expect("inserted above"))
    }

    /// The one path for local edits: run `edit` on the document, commit it as
    /// one Automerge change, and write the change and its projections in one
    /// SQLite transaction. Returns only once that transaction has committed.
    ///
    /// The whole edit runs holding the database's write lock
    /// ([`Campaign::in_one_commit`]): the document is read, changed, checked
    /// and saved with no other process committing in between. Another
    /// process's commit noticed half-way through would drop the document
    /// holding the new change from memory, and the edit would reach the
    /// lists but not the history other devices receive.
    pub fn write<T>(
        &mut self,
        id: &DocumentId,
        message: &str,
        edit: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        self.in_one_commit(|campaign| campaign.write_locked(id, message, edit))?
    }

    fn write_locked<T>(
        &mut self,
        id: &DocumentId,
        message: &str,
        edit: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let loaded = self.loaded(id)?;
        let mut writer = Writer {
            doc: &mut loaded.doc,
            touched: Vec::new(),
            removed: Vec::new(),
            check_attention: false,
        };
        let value = match edit(&mut writer) {
            Ok(value) => value,
            Err(error) => {
                writer.doc.rollback();
                return Err(error);
            }
        };
        let Writer {
            touched,
            removed,
            check_attention,
            ..
        } = writer;
        let now = time::now();
        let change = loaded.doc.commit_with(
            automerge::transaction::CommitOptions::default()
                .with_message(message.to_string())
                .with_time(chrono::Utc::now().timestamp()),
        );
        if let Some(hash) = &change {
            // The same rule every other device applies to this change.
            if let Err(error) = self.check_own_change(id, hash) {
                self.forget_loaded(id);
                return Err(error);
            }
        }
        self.persist(id, &now, |connection, _| {
            if let Some(hash) = change {
                connection.execute(
                    "INSERT OR IGNORE INTO unsynced_changes (document_id, hash) VALUES (?1, ?2)",
                    params![id.as_str(), hash.as_ref()],
                )?;
            }
            for record in &touched {
                projection::upsert(connection, id, record)?;
            }
            for (collection, record_id) in &removed {
                projection::remove(connection, collection, record_id)?;
            }
            Ok(check_attention)
        })?;
        Ok(value)
    }

    /// Merges bytes that hold changes to a Holdfast document (a `.automerge`
    /// file, a bundle entry, a sync payload). The document is named by the
    /// header inside the bytes.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<MergeOutcome> {
        let incoming = load_foreign(bytes)?;
        let id = holdfast_core::documents::read_header(&incoming)
            .map_err(|error| StoreError::ForeignDocument(error.to_string()))?;
        self.merge_into(&id, bytes)
    }

    /// Merges changes into a named document and re-projects it. Every
    /// change goes through the door (`admit`); the signatures are looked up
    /// among those this device holds.
    pub fn merge_into(&mut self, id: &DocumentId, bytes: &[u8]) -> Result<MergeOutcome> {
        self.merge_into_signed(id, bytes, &Signatures::new())
    }

    /// Like [`Campaign::merge_into`], with signatures that came with the bytes.
    pub fn merge_into_signed(
        &mut self,
        id: &DocumentId,
        bytes: &[u8],
        signatures: &Signatures,
    ) -> Result<MergeOutcome> {
        // Under the write lock, for the reason given at [`Campaign::write`].
        self.in_one_commit(|campaign| campaign.merge_locked(id, bytes, signatures))?
    }

    fn merge_locked(
        &mut self,
        id: &DocumentId,
        bytes: &[u8],
        signatures: &Signatures,
    ) -> Result<MergeOutcome> {
        let authority_before = self.authority_before_merge(id)?;
        self.stash_signatures(signatures);
        let loaded = self.loaded(id)?;
        let before = loaded.doc.get_heads();
        let doc = &mut loaded.doc;
        // Automerge 0.12 panics on some malformed chunks instead of
        // returning an error (found by fuzzing; see FUZZING.md). The panic is
        // caught here and the half-merged document forgotten, so a bad file
        // is refused like any other and nothing of it is kept.
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| doc.load_incremental(bytes)));
        match outcome {
            Ok(Ok(_)) => {}
            Ok(Err(source)) => {
                self.loaded.remove(id);
                return Err(StoreError::Automerge {
                    what: format!("changes for {id}"),
                    source: Box::new(source),
                });
            }
            Err(_) => {
                self.loaded.remove(id);
                return Err(StoreError::ForeignDocument(
                    "it is malformed (Automerge could not parse it)".into(),
                ));
            }
        }
        let admission = self.admit(id, &before, signatures)?;
        let refused: Vec<String> = admission
            .refused
            .iter()
            .map(|refused| format!("a change from {}: {}", refused.author, refused.refusal))
            .collect();
        if admission.admitted == 0 && !refused.is_empty() {
            return Err(StoreError::RefusedChanges {
                document: id.to_string(),
                reason: summarise(&refused),
            });
        }
        let changed = self.loaded(id)?.doc.get_heads() != before;
        if changed {
            self.persist(id, &time::now(), |connection, doc| {
                projection::reproject(connection, id, doc)?;
                Ok(true)
            })?;
            self.after_merge(id, authority_before)?;
        }
        Ok(MergeOutcome {
            document: id.to_string(),
            changed,
            refused,
        })
    }

    /// Writes what the document has beyond disk, plus whatever `project`
    /// writes, in one transaction; compacts when the change rows pile up.
    pub(crate) fn persist(
        &mut self,
        id: &DocumentId,
        now: &str,
        project: impl FnOnce(&Connection, &AutoCommit) -> Result<bool>,
    ) -> Result<()> {
        let key = self.cached_signing_key()?;
        let loaded = self.loaded.get_mut(id).expect("loaded by the caller");
        let incoming = &mut self.incoming_signatures;
        let actor = &self.actor;
        let mut wrote_something = false;
        let outcome = (|| -> Result<()> {
            let transaction = self.connection.savepoint()?;
            let persisted = loaded.persisted_heads.clone();
            let new_changes = documents::changes_after(loaded, &persisted);
            wrote_something = new_changes.iter().any(|change| !change.is_empty());
            Campaign::save_signatures(&transaction, &key, actor, &new_changes, incoming)?;
            loaded.pending_rows += documents::append(&transaction, id, loaded, &new_changes, now)?;
            let check_attention = project(&transaction, &loaded.doc)?;
            if check_attention || has_attention(&transaction, id)? {
                refresh_attention(&transaction, id)?;
            }
            refresh_names_in_attention(&transaction, id)?;
            if loaded.pending_rows >= COMPACT_ON_WRITE_AFTER_CHANGES {
                documents::compact(&transaction, id, loaded, now)?;
            }
            transaction.commit()?;
            Ok(())
        })();
        self.incoming_signatures.clear();
        if *id == DocumentId::campaign() && (wrote_something || outcome.is_err()) {
            // Devices, roles or revocations may have changed (an empty
            // change, such as the hub's collapse of heads, changes nothing).
            self.authors = None;
        }
        match outcome {
            Ok(()) => {
                loaded.persisted_heads = loaded.doc.get_heads();
                if loaded.pending_rows >= COMPACT_ON_WRITE_AFTER_CHANGES {
                    loaded.pending_rows = 0;
                }
                Ok(())
            }
            Err(error) => {
                // Memory must not run ahead of disk: forget this document and
                // let the next use reload it from what was saved.
                self.loaded.remove(id);
                Err(error)
            }
        }
    }

    /// Runs `work` with everything it writes committed once, at the end,
    /// instead of once per document: a sync flight that brings a captain's
    /// phone hundreds of members' arrivals waits for the disk once. Each
    /// write inside still succeeds or fails on its own (a savepoint), and
    /// nothing is durable before this returns `Ok`. If the final commit
    /// fails, nothing `work` wrote is kept and every document in memory is
    /// dropped, to be read again from what the disk holds. Outermost, it
    /// takes the write lock before `work` reads anything, which is why every
    /// local edit, merge and compaction runs inside one.
    pub fn in_one_commit<T>(&mut self, work: impl FnOnce(&mut Campaign) -> T) -> Result<T> {
        // Outermost, the write lock is taken at once: a transaction that
        // read first would fail to write if another process (the command
        // line beside a hub) had committed meanwhile. Inside another, a
        // savepoint.
        let outermost = self.connection.is_autocommit();
        let (begin, end, undo) = if outermost {
            ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        } else {
            (
                "SAVEPOINT in_one_commit",
                "RELEASE in_one_commit",
                "ROLLBACK TO in_one_commit; RELEASE in_one_commit",
            )
        };
        self.connection.execute_batch(begin)?;
        let done = work(self);
        // SQLite ends the whole transaction by itself after some failures
        // (a full disk); then there is nothing left to end.
        let committed = if self.connection.is_autocommit() {
            Err(StoreError::rejected(
                "the database ended the transaction after a failure; nothing was saved",
            ))
        } else {
            self.connection.execute_batch(end).map_err(StoreError::from)
        };
        if let Err(error) = committed {
            if !self.connection.is_autocommit() {
                let _ = self.connection.execute_batch(undo);
            }
            self.forget_memory();
            return Err(error);
        }
        if outermost && self.log_to_truncate {
            self.truncate_log()?;
        }
        Ok(done)
    }

    /// Drops every document and cache held in memory; they are read again
    /// from disk when next used.
    fn forget_memory(&mut self) {
        self.loaded.clear();
        self.authors = None;
        self.signature_cache.clear();
        self.pending_signatures.clear();
        self.incoming_signatures.clear();
    }

    /// The full Automerge bytes of a document, as any Automerge reader opens them.
    pub fn document_bytes(&mut self, id: &DocumentId) -> Result<Vec<u8>> {
        if !documents::exists(&self.connection, id)? {
            return Err(StoreError::not_found("document", id.to_string()));
        }
        Ok(self.loaded(id)?.doc.save())
    }

    /// Heads of a stored document (for sync and tests).
    pub fn heads(&mut self, id: &DocumentId) -> Result<Vec<automerge::ChangeHash>> {
        Ok(self.loaded(id)?.doc.get_heads())
    }

    /// Rebuilds every projection and attention list from the documents.
    pub fn reproject_everything(&mut self) -> Result<()> {
        for id in self.documents()? {
            self.loaded(&id)?;
            let loaded = self.loaded.get(&id).expect("loaded above");
            let transaction = self.connection.savepoint()?;
            projection::reproject(&transaction, &id, &loaded.doc)?;
            refresh_attention(&transaction, &id)?;
            transaction.commit()?;
        }
        Ok(())
    }

    /// Folds every document's change rows into a snapshot.
    pub fn compact_all(&mut self) -> Result<()> {
        for id in self.documents()? {
            self.compact_one(&id)?;
        }
        Ok(())
    }

    /// Replaces a document's change rows with a snapshot of it. The write
    /// lock is taken before the document is read: a snapshot of a copy in
    /// memory that another process has since added to would delete that
    /// process's changes with the rows it replaces.
    fn compact_one(&mut self, id: &DocumentId) -> Result<()> {
        self.in_one_commit(|campaign| -> Result<()> {
            campaign.loaded(id)?;
            let loaded = campaign.loaded.get_mut(id).expect("loaded above");
            documents::compact(&campaign.connection, id, loaded, &time::now())?;
            loaded.pending_rows = 0;
            Ok(())
        })?
    }

    /// Housekeeping that keeps the check-in path short: folds the change rows
    /// of documents that have piled up into snapshots and copies the
    /// write-ahead log into the database file. Shells call it when the device
    /// is idle; the command line calls it as each command ends. Returns how
    /// many documents were compacted.
    pub fn maintain(&mut self) -> Result<usize> {
        let mut statement = self.connection.prepare(
            "SELECT document_id FROM changes GROUP BY document_id HAVING COUNT(*) >= ?1",
        )?;
        let piled_up = statement
            .query_map([COMPACT_AFTER_CHANGES], |row| row.get::<_, String>(0))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        drop(statement);
        for id in &piled_up {
            let id = DocumentId::parse(id)?;
            let was_loaded = self.loaded.contains_key(&id);
            self.compact_one(&id)?;
            // A document loaded only to be compacted is let go again, so that
            // housekeeping over many documents holds one at a time.
            if !was_loaded {
                self.loaded.remove(&id);
            }
        }
        self.connection
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(piled_up.len())
    }

    /// Turns off waiting for the disk on each commit, for seeding a large demo
    /// or benchmark campaign in bulk. Nothing acknowledged in this mode is
    /// promised to survive a power cut; `Campaign::open` always starts in the
    /// durable mode.
    pub fn relax_durability_for_bulk_load(&mut self) -> Result<()> {
        self.connection.pragma_update(None, "synchronous", "OFF")?;
        Ok(())
    }

    /// Drops documents cached in memory; they reload from disk when next used.
    pub fn release_memory(&mut self) {
        self.loaded.clear();
    }

    /// A value kept only on this device (keys, addresses): never synced,
    /// never exported.
    pub fn local_value(&self, key: &str) -> Result<Option<String>> {
        meta(&self.connection, key)
    }

    pub fn set_local_value(&self, key: &str, value: &str) -> Result<()> {
        set_meta(&self.connection, key, value)
    }

    pub(crate) fn actor(&self) -> &ActorId {
        &self.actor
    }

    pub(crate) fn forget_signing_key(&mut self) {
        self.signing = None;
    }

    pub(crate) fn cached_signing_key(&mut self) -> Result<Arc<SigningKey>> {
        if let Some(key) = &self.signing {
            return Ok(key.clone());
        }
        let key = Arc::new(self.signing_key()?);
        self.signing = Some(key.clone());
        Ok(key)
    }

    /// Puts a document whose every change is already on disk in the cache.
    pub(crate) fn install_loaded(&mut self, id: &DocumentId, mut loaded: LoadedDocument) {
        loaded.doc.set_actor(self.actor.clone());
        self.loaded.insert(id.clone(), loaded);
    }

    /// Forgets a document held in memory, so that its next use reloads it
    /// from disk. Used after a failed or interrupted merge.
    pub(crate) fn forget_loaded(&mut self, id: &DocumentId) {
        self.loaded.remove(id);
    }

    pub(crate) fn member(&self, id: &str) -> Result<Member> {
        self.find::<Member>(id)?
            .ok_or_else(|| StoreError::not_found("member", id))
    }
}

impl Drop for Campaign {
    /// Closing is a quiet moment: everything is already saved, so the
    /// housekeeping that `maintain` does can run without keeping anyone
    /// waiting. A failure here loses nothing and is retried next time.
    fn drop(&mut self) {
        let _ = self.maintain();
    }
}

/// A list of refusals in one line: the first reasons, and how many more.
pub(crate) fn summarise(refused: &[String]) -> String {
    let shown: Vec<&str> = refused.iter().take(3).map(String::as_str).collect();
    let mut text = shown.join("; ");
    if refused.len() > shown.len() {
        text.push_str(&format!("; and {} more", refused.len() - shown.len()));
    }
    text
}

/// Loads outside bytes as a whole document, turning Automerge's panics on
/// malformed input into a refusal.
pub(crate) fn load_foreign(bytes: &[u8]) -> Result<AutoCommit> {
    match std::panic::catch_unwind(|| AutoCommit::load(bytes)) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(error)) => Err(StoreError::ForeignDocument(format!(
            "it is not an Automerge file ({error})"
        ))),
        Err(_) => Err(StoreError::ForeignDocument(
            "it is malformed (Automerge could not parse it)".into(),
        )),
    }
}

/// Refuses a data directory that holds a campaign. A database without even
/// the campaign document is what a creation or a join cut off by a crash
/// leaves (nothing in it was ever acknowledged): it is removed, so that
/// trying again works instead of being told a campaign exists that no
/// command can open.
fn clear_interrupted_start(data_dir: &Path) -> Result<()> {
    if !data_dir.join(DATABASE_FILE).exists() {
        return Ok(());
    }
    let exists = || StoreError::CampaignExists(data_dir.display().to_string());
    let key = at_rest::unlock(data_dir, None).map_err(|_| exists())?;
    let connection = connect(data_dir, key.as_ref()).map_err(|_| exists())?;
    let has_table: bool = connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'documents')",
            [],
            |row| row.get(0),
        )
        .map_err(|_| exists())?;
    let has_documents = has_table
        && connection
            .query_row("SELECT EXISTS (SELECT 1 FROM documents)", [], |row| {
                row.get::<_, bool>(0)
            })
            .map_err(|_| exists())?;
    drop(connection);
    if has_documents {
        return Err(exists());
    }
    for name in [
        DATABASE_FILE.to_string(),
        format!("{DATABASE_FILE}-wal"),
        format!("{DATABASE_FILE}-shm"),
        format!("{DATABASE_FILE}-journal"),
    ] {
        let _ = std::fs::remove_file(data_dir.join(name));
    }
    at_rest::remove_key_file(data_dir);
    Ok(())
}

/// Whether a database file is encrypted: a plain SQLite file starts with
/// its format's name, an encrypted one with random bytes.
fn encrypted(database: &Path) -> bool {
    let mut header = [0_u8; 16];
    std::fs::File::open(database)
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut header))
        .is_ok_and(|()| &header != b"SQLite format 3\0")
}

/// A connection to a data directory's database, keyed. Every connection
/// goes through here: SQLCipher needs the key before the first read.
pub(crate) fn connect(data_dir: &Path, key: Option<&at_rest::DatabaseKey>) -> Result<Connection> {
    connect_to(&data_dir.join(DATABASE_FILE), key)
}

/// A connection to one database file under `key`, as [`connect`] makes.
pub(crate) fn connect_file(path: &Path, key: &at_rest::DatabaseKey) -> Result<Connection> {
    connect_to(path, Some(key))
}

fn connect_to(path: &Path, key: Option<&at_rest::DatabaseKey>) -> Result<Connection> {
    let connection = match key {
        Some(key) => keyed_connection(path, key)?,
        None => Connection::open(path)?,
    };
    // SQLCipher writes its own lines to standard error when a page fails to
    // decrypt; Holdfast's message says what happened instead.
    let _ = connection.pragma_update(None, "cipher_log_level", "NONE");
    // Reading the schema proves the key: a wrong one fails here, before
    // anything is written.
    connection
        .query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|error| match error {
            rusqlite::Error::SqliteFailure(failure, _)
                if failure.code == rusqlite::ErrorCode::NotADatabase =>
            {
                StoreError::DamagedKeyFile(
                    "it does not open this database (the database or the key file was replaced or damaged)"
                        .into(),
                )
            }
            rusqlite::Error::SqliteFailure(failure, detail)
                if failure.code == rusqlite::ErrorCode::DatabaseCorrupt =>
            {
                StoreError::DamagedDatabase {
                    path: path.display().to_string(),
                    detail: detail.unwrap_or_else(|| failure.to_string()),
                }
            }
            other => StoreError::Database(other),
        })?;
    // Sorting and temporary tables stay in memory, so that no unencrypted
    // temporary file is ever written beside the database.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    // Deleted rows are overwritten with zeros, not only unlinked: after an
    // erasure re-bases a document, the pages of its old history hold
    // nothing a key holder could read back.
    connection.pragma_update(None, "secure_delete", "ON")?;
    // Every page read from disk is decrypted and authenticated, so the
    // pages a check-in and the dashboard touch are kept decrypted in
    // memory: 16 MB rather than SQLite's 2 MB (BENCHMARKS.md).
    connection.pragma_update(None, "cache_size", -16_384)?;
    Ok(connection)
}

/// A new connection with SQLCipher's key set. Keying sets up SQLCipher's
/// crypto context for the connection. Two threads keying at once (tests, a
/// hub opening a campaign while another is keyed) were seen to fail now and
/// then with "An error occurred with PRAGMA key or rekey", so keying is done
/// one connection at a time. It was still seen, rarely (once in many full
/// test runs, never in 40 runs of the same tests alone), so a refused key is
/// tried again on a fresh connection a few times before it is an error. A
/// wrong key is not caught here: SQLCipher only finds that out at the first
/// read, and that is never retried.
fn keyed_connection(path: &Path, key: &at_rest::DatabaseKey) -> Result<Connection> {
    const ATTEMPTS: u32 = 4;
    static KEYING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let mut attempt = 1;
    loop {
        let connection = Connection::open(path)?;
        let keyed = {
            let _turn = KEYING
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            connection.execute_batch(&key.pragma())
        };
        match keyed {
            Ok(()) => return Ok(connection),
            Err(rusqlite::Error::SqliteFailure(..)) if attempt < ATTEMPTS => {
                std::thread::sleep(std::time::Duration::from_millis(u64::from(attempt) * 20));
                attempt += 1;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// A plain SQL connection to a data directory's database, unlocked like
/// `Campaign::open_with_passphrase`, for inspection and tests that look at
/// the tables directly.
pub fn open_connection(data_dir: &Path, passphrase: Option<&str>) -> Result<Connection> {
    let key = at_rest::unlock(data_dir, passphrase)?;
    connect(data_dir, key.as_ref())
}

fn meta(connection: &Connection, key: &str) -> Result<Option<String>> {
    Ok(connection
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

fn set_meta(connection: &Connection, key: &str, value: &str) -> Result<()> {
    connection.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

fn has_attention(connection: &Connection, id: &DocumentId) -> Result<bool> {
    Ok(connection
        .query_row(
            "SELECT 1 FROM attention WHERE document_id = ?1 LIMIT 1",
            [id.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Attention items of other documents that name members (a vote
/// disagreement, a check-in made twice) are recomputed when the `campaign`
/// document changes, so a rename shows and an erased member's name is not
/// kept in the attention table.
pub(crate) fn refresh_names_in_attention(connection: &Connection, id: &DocumentId) -> Result<()> {
    if id.kind()? != DocumentKind::Campaign {
        return Ok(());
    }
    let decisions = DocumentId::decisions();
    if has_attention(connection, &decisions)? {
        refresh_attention(connection, &decisions)?;
    }
    // A check-in's item names its member: the few arrivals with items.
    let arrivals: Vec<String> = connection
        .prepare_cached(
            "SELECT DISTINCT document_id FROM attention WHERE document_id LIKE 'arrivals:%'",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for document in arrivals {
        refresh_attention(connection, &DocumentId::parse(&document)?)?;
    }
    Ok(())
}

/// The names of the members, and the titles of the actions, that some
/// check-ins name.
fn names_and_titles(
    connection: &Connection,
    check_ins: &[CheckIn],
) -> Result<(BTreeMap<String, String>, BTreeMap<String, String>)> {
    let mut names = BTreeMap::new();
    let mut titles = BTreeMap::new();
    for check_in in check_ins {
        if !names.contains_key(&check_in.member_id) {
            if let Some(member) = projection::read_one::<Member>(connection, &check_in.member_id)? {
                names.insert(member.id, member.name);
            }
        }
        if !titles.contains_key(&check_in.action_id) {
            if let Some(action) = projection::read_one::<Action>(connection, &check_in.action_id)? {
                titles.insert(action.id, action.title);
            }
        }
    }
    Ok((names, titles))
}

/// Recomputes the "needs attention" items that belong to one document.
pub(crate) fn refresh_attention(connection: &Connection, id: &DocumentId) -> Result<()> {
    let resolved: BTreeSet<String> = projection::read_in_document::<Resolution>(connection, id)
        .unwrap_or_default()
        .into_iter()
        .map(|resolution| resolution.id)
        .collect();
    let items = match id.kind()? {
        // A check-in that needs a person (checked in twice, out with no
        // check-in) is one member's: found among that member's arrivals
        // alone, so a check-in costs the same at a crowd of five thousand.
        DocumentKind::Arrivals => {
            let check_ins = projection::read_check_ins_in_document(connection, id)?;
            let (names, titles) = names_and_titles(connection, &check_ins)?;
            attention::find(&AttentionInput {
                check_ins: &check_ins,
                shifts: &[],
                signups: &[],
                ledger: &[],
                matches: &[],
                resolved: &resolved,
                names: &names,
                titles: &titles,
            })
        }
        DocumentKind::Action => {
            // Only check-ins written here before they moved to arrivals.
            let check_ins = projection::read_check_ins_in_document(connection, id)?;
            let (names, titles) = names_and_titles(connection, &check_ins)?;
            let shifts: Vec<Shift> = projection::read_in_document(connection, id)?;
            let signups: Vec<Signup> = projection::read_in_document(connection, id)?;
            attention::find(&AttentionInput {
                check_ins: &check_ins,
                shifts: &shifts,
                signups: &signups,
                ledger: &[],
                matches: &[],
                resolved: &resolved,
                names: &names,
                titles: &titles,
            })
        }
        DocumentKind::Aid => {
            let ledger: Vec<LedgerEntry> = projection::read_in_document(connection, id)?;
            let matches: Vec<AidMatch> = projection::read_in_document(connection, id)?;
            attention::find(&AttentionInput {
                check_ins: &[],
                shifts: &[],
                signups: &[],
                ledger: &ledger,
                matches: &matches,
                resolved: &resolved,
                names: &BTreeMap::new(),
                titles: &BTreeMap::new(),
            })
        }
        DocumentKind::Decisions => {
            let proposals: Vec<Proposal> = projection::read_in_document(connection, id)?;
            let votes: Vec<Vote> = projection::read_in_document(connection, id)?;
            let names: HashMap<String, String> = projection::read_all::<Member>(connection)?
                .into_iter()
                .map(|member| (member.id, member.name))
                .collect();
            holdfast_core::rules::decisions::disagreements(
                &proposals,
                &votes,
                &|member| names.get(member).cloned(),
                &resolved,
            )
        }
        _ => Vec::new(),
    };
    connection.execute(
        "DELETE FROM attention WHERE document_id = ?1",
        [id.as_str()],
    )?;
    let mut insert = connection
        .prepare_cached("INSERT OR REPLACE INTO attention (key, kind, document_id, summary) VALUES (?1, ?2, ?3, ?4)")?;
    for item in items {
        let kind = serde_json::to_value(&item.kind)?;
        insert.execute(params![
            item.key,
            kind.as_str().unwrap_or_default(),
            id.as_str(),
            item.summary
        ])?;
    }
    Ok(())
}
