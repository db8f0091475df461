//! Re-based documents on disk: making one after an erasure, and installing
//! one that a steward's device sends.
//!
//! A re-base replaces a document's whole history (see
//! `holdfast_core::rebase`). Here that means: the document's change rows and
//! snapshot are deleted and the new document written as its only snapshot,
//! its projections rebuilt, its sync states forgotten (they describe the old
//! history), and the epoch recorded with the hashes it retired and the
//! members it leaves out. All of that is one transaction. Afterwards the
//! write-ahead log is checkpointed and truncated, and because every
//! connection runs with `secure_delete`, the freed pages that held the old
//! history are overwritten with zeros rather than left in the file.

use std::collections::{BTreeSet, HashSet};

use automerge::AutoCommit;
use holdfast_core::model::{Device, Role};
use holdfast_core::rebase::{self, Epoch, HashPrefix, Scrub};
use holdfast_core::{time, DocumentId, DocumentKind};
use rusqlite::{params, OptionalExtension};

use crate::campaign::{refresh_attention, refresh_names_in_attention, Campaign};
use crate::documents::LoadedDocument;
use crate::error::{Result, StoreError};
use crate::projection;

/// A document's current history, as a steward's device hands it to a device
/// that holds an older one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebase {
    pub document: DocumentId,
    pub epoch: Epoch,
    /// Short hashes of every change of every earlier epoch.
    pub retired: Vec<HashPrefix>,
    /// Members whose records this history leaves out.
    pub erased: Vec<String>,
    /// The whole document, as Automerge saves it.
    pub bytes: Vec<u8>,
}

/// The documents an erasure re-bases: the ones that hold names, contact
/// details and who is behind an aid pseudonym. Action documents hold only
/// random member ids.
const ERASURE_DOCUMENTS: [fn() -> DocumentId; 3] = [
    DocumentId::campaign,
    DocumentId::aid,
    DocumentId::aid_private,
];

struct EpochRow {
    epoch: Epoch,
    retired: Vec<HashPrefix>,
    erased: BTreeSet<String>,
}

impl Campaign {
    /// Which history of the document this device holds. Sync asks for
    /// every document it announces, so this reads only the epoch itself,
    /// through a cached statement.
    pub fn epoch(&self, id: &DocumentId) -> Result<Epoch> {
        let row = self
            .connection
            .prepare_cached("SELECT number, base FROM epochs WHERE document_id = ?1")?
            .query_row([id.as_str()], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .optional()?;
        match row {
            Some((number, base)) => epoch_from(id, number, &base),
            None => Ok(Epoch::ZERO),
        }
    }

    fn epoch_row(&self, id: &DocumentId) -> Result<Option<EpochRow>> {
        let row = self
            .connection
            .prepare_cached(
                "SELECT number, base, retired, erased FROM epochs WHERE document_id = ?1",
            )?
            .query_row([id.as_str()], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, Vec<u8>>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .optional()?;
        let Some((number, base, retired, erased)) = row else {
            return Ok(None);
        };
        if retired.len() % 8 != 0 {
            return Err(damaged_epoch(id, "has a retired list of the wrong length"));
        }
        let retired = retired
            .chunks_exact(8)
            .map(|chunk| chunk.try_into().expect("eight bytes"))
            .collect();
        let erased: BTreeSet<String> = serde_json::from_str(&erased)
            .map_err(|_| damaged_epoch(id, "has an unreadable erased list"))?;
        Ok(Some(EpochRow {
            epoch: epoch_from(id, number, &base)?,
            retired,
            erased,
        }))
    }

    /// Whether this device was paired as a steward's. Only such devices make
    /// re-bases, and only theirs are installed.
    pub fn is_steward_device(&self) -> Result<bool> {
        Ok(self
            .find::<Device>(self.device_id())?
            .is_some_and(|device| !device.is_revoked() && device.role == Role::Steward))
    }

    /// Gives the documents that hold names a new history without the erased
    /// member, after `erase_member` has removed them from the current state.
    /// Only a steward's device (or a device that was never paired with any
    /// other) may do this: other devices install the new history when they
    /// next sync with it. Returns the documents re-based.
    pub fn erase_from_history(&mut self, member_id: &str) -> Result<Vec<(DocumentId, Epoch)>> {
        let alone = self.all::<Device>()?.is_empty();
        if !alone && !self.is_steward_device()? {
            return Err(StoreError::rejected(
                "only a steward's device can remove an erased member from the record's history; \
                 the member is gone from this device's current record, and the history is \
                 re-based when a steward's device erases them",
            ));
        }
        let mut done = Vec::new();
        for id in ERASURE_DOCUMENTS.map(|make| make()) {
            if !crate::documents::exists(&self.connection, &id)? {
                continue;
            }
            let epoch = self.rebase(&id, &[member_id.to_string()])?;
            done.push((id, epoch));
        }
        self.truncate_log()?;
        Ok(done)
    }

    /// Replaces a document's history with one that starts from its current
    /// state, leaving out `erase` and every member erased before.
    pub fn rebase(&mut self, id: &DocumentId, erase: &[String]) -> Result<Epoch> {
        let row = self.epoch_row(id)?;
        let (previous, mut retired, mut erased) = match row {
            Some(row) => (row.epoch, row.retired, row.erased),
            None => (Epoch::ZERO, Vec::new(), BTreeSet::new()),
        };
        erased.extend(erase.iter().cloned());
        let actor = self.actor().clone();
        let loaded = self.loaded(id)?;
        let mut new = rebase::rebuild(
            &loaded.doc,
            id,
            &Scrub { erased: &erased },
            actor,
            chrono::Utc::now().timestamp(),
        )?;
        let mut known: HashSet<HashPrefix> = retired.iter().copied().collect();
        for hash in rebase::retired_by(&mut loaded.doc) {
            if known.insert(hash) {
                retired.push(hash);
            }
        }
        let epoch = Epoch::after(previous, &new.get_heads());
        self.replace_history(id, new, epoch, &retired, &erased, true)?;
        Ok(epoch)
    }

    /// The document's history for a peer that holds an older epoch, or
    /// `None` when this device holds epoch zero.
    pub fn rebase_for_peer(&mut self, id: &DocumentId) -> Result<Option<Rebase>> {
        let Some(row) = self.epoch_row(id)? else {
            return Ok(None);
        };
        let bytes = self.loaded(id)?.doc.save();
        Ok(Some(Rebase {
            document: id.clone(),
            epoch: row.epoch,
            retired: row.retired,
            erased: row.erased.into_iter().collect(),
            bytes,
        }))
    }

    /// Installs a newer history of a document from a steward's device (the
    /// caller checked who sent it). Edits this device made that the new
    /// history lacks are carried over record by record; nothing of an erased
    /// member is. Returns how many records were carried over.
    pub fn install_rebase(&mut self, rebase: Rebase) -> Result<usize> {
        let id = rebase.document.clone();
        let refused = |reason: String| StoreError::RefusedChanges {
            document: id.to_string(),
            reason,
        };
        let mine = self.epoch_row(&id)?;
        let my_epoch = mine.as_ref().map_or(Epoch::ZERO, |row| row.epoch);
        if rebase.epoch <= my_epoch {
            return Err(refused(format!(
                "it is a re-base to epoch {}, and this device already holds epoch {my_epoch}",
                rebase.epoch
            )));
        }
        if id.kind()? == DocumentKind::Personal {
            return Err(refused(
                "personal notes are never re-based by another device".into(),
            ));
        }
        let mut new = crate::campaign::load_foreign(&rebase.bytes)?;
        let header = holdfast_core::documents::read_header(&new)
            .map_err(|error| refused(error.to_string()))?;
        if header != id {
            return Err(refused(format!("the history sent is of {header}")));
        }
        // Whatever this device erased and the sender did not stays erased.
        let mut erased: BTreeSet<String> = rebase.erased.iter().cloned().collect();
        if let Some(row) = &mine {
            erased.extend(row.erased.iter().cloned());
        }
        let retired: HashSet<HashPrefix> = rebase.retired.iter().copied().collect();
        // A new history of the campaign may take authority away (a
        // revocation or a demotion made after the erasure): settled below,
        // as after a merge.
        let authority_before = self.authority_before_merge(&id)?;
        new.set_actor(self.actor().clone());
        let carried = if crate::documents::exists(&self.connection, &id)? {
            let old = &mut self.loaded(&id)?.doc;
            rebase::transplant(
                old,
                &retired,
                &mut new,
                &id,
                &Scrub { erased: &erased },
                chrono::Utc::now().timestamp(),
            )?
        } else {
            0
        };
        // The history came from the sender; only what was carried over is
        // new to it.
        self.replace_history(
            &id,
            new,
            rebase.epoch,
            &rebase.retired,
            &erased,
            carried > 0,
        )
        .map_err(|error| refused(error.to_string()))?;
        self.truncate_log()?;
        self.after_merge(&id, authority_before)?;
        Ok(carried)
    }

    /// Writes `new` as the document's only history, in one transaction.
    /// `heads_written_here`: whether its heads are changes this device made
    /// (a re-base, or edits carried over), which no other device holds yet.
    fn replace_history(
        &mut self,
        id: &DocumentId,
        new: AutoCommit,
        epoch: Epoch,
        retired: &[HashPrefix],
        erased: &BTreeSet<String>,
        heads_written_here: bool,
    ) -> Result<()> {
        self.write_history(id, new, Some((epoch, retired, erased)), heads_written_here)
    }

    /// Writes `new` as the document's only history; with an epoch, records
    /// it (a re-base), without one leaves the epoch as it was (a history
    /// that only lost changes, after a revocation).
    fn write_history(
        &mut self,
        id: &DocumentId,
        mut new: AutoCommit,
        epoch: Option<(Epoch, &[HashPrefix], &BTreeSet<String>)>,
        heads_written_here: bool,
    ) -> Result<()> {
        let now = time::now();
        let bytes = new.save();
        let heads = new.get_heads();
        let audience = id.kind()?.audience();
        let key = self.cached_signing_key()?;
        let actor = self.actor().clone();
        let own_changes = new.get_changes(&[]);
        let transaction = self.connection.savepoint()?;
        // The re-base change, or the edits carried over, are this device's:
        // signed like every other change it writes.
        Campaign::save_signatures(
            &transaction,
            &key,
            &actor,
            &own_changes,
            &mut std::collections::HashMap::new(),
        )?;
        transaction.execute("DELETE FROM changes WHERE document_id = ?1", [id.as_str()])?;
        transaction.execute(
            "DELETE FROM snapshots WHERE document_id = ?1",
            [id.as_str()],
        )?;
        transaction.execute(
            "INSERT OR IGNORE INTO documents (id, audience, created_at) VALUES (?1, ?2, ?3)",
            params![id.as_str(), audience.as_str(), now],
        )?;
        transaction.execute(
            "INSERT INTO snapshots (document_id, bytes, up_to_seq, written_at) VALUES (?1, ?2, 0, ?3)",
            params![id.as_str(), bytes, now],
        )?;
        if let Some((epoch, retired, erased)) = epoch {
            let retired_bytes: Vec<u8> = retired.iter().flatten().copied().collect();
            let erased_json = serde_json::to_string(erased)?;
            transaction.execute(
                "INSERT INTO epochs (document_id, number, base, retired, erased) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (document_id) DO UPDATE SET number = excluded.number, base = excluded.base,
                     retired = excluded.retired, erased = excluded.erased",
                params![
                    id.as_str(),
                    epoch.number as i64,
                    epoch.base.as_slice(),
                    retired_bytes,
                    erased_json
                ],
            )?;
        }
        transaction.execute(
            "DELETE FROM sync_states WHERE document_id = ?1",
            [id.as_str()],
        )?;
        transaction.execute(
            "DELETE FROM unsynced_changes WHERE document_id = ?1",
            [id.as_str()],
        )?;
        for head in heads.iter().filter(|_| heads_written_here) {
            transaction.execute(
                "INSERT OR IGNORE INTO unsynced_changes (document_id, hash) VALUES (?1, ?2)",
                params![id.as_str(), head.as_ref()],
            )?;
        }
        projection::reproject(&transaction, id, &new)?;
        refresh_attention(&transaction, id)?;
        refresh_names_in_attention(&transaction, id)?;
        transaction.commit()?;
        self.install_loaded(
            id,
            LoadedDocument {
                doc: new,
                persisted_heads: heads,
                pending_rows: 0,
                change_bytes: Default::default(),
            },
        );
        if *id == DocumentId::campaign() {
            // Devices and roles are read from it.
            self.authors = None;
        }
        Ok(())
    }

    /// After a revocation or a demotion arrives: drops from every document
    /// the changes its authority no longer covers, with every change built
    /// on them, and carries this device's own edits among those over as one
    /// new change (signed, judged by this device's own authority), as an
    /// erasure's re-base does. For a revoked device that is every change
    /// past its revocation's cover; for a device whose member lost a role,
    /// every change past the role's cover that the device's remaining roles
    /// do not allow (judged as at admission: at the change's own causal
    /// past). This device's own such edits are not carried over. The epoch
    /// stays: the new history is the old one less what no honest device
    /// keeps. Returns how many changes were dropped.
    pub(crate) fn drop_unauthorized_changes(
        &mut self,
        authors: &[holdfast_core::authority::Author],
    ) -> Result<usize> {
        let mut dropped = 0;
        let own = self.actor().clone();
        for id in self.documents()? {
            if id.kind()? == DocumentKind::Personal {
                continue;
            }
            let covers: Vec<(automerge::ActorId, &holdfast_core::authority::Author)> = authors
                .iter()
                .filter_map(|author| {
                    Some((
                        holdfast_core::authority::actor_of(&author.device_id)?,
                        author,
                    ))
                })
                .collect();
            let doc = &mut self.loaded(&id)?.doc;
            let all = doc.get_changes(&[]);
            let mut tainted: HashSet<automerge::ChangeHash> = HashSet::new();
            let mut own_refused: HashSet<automerge::ChangeHash> = HashSet::new();
            let mut refusals = Vec::new();
            for change in &all {
                let author = covers
                    .iter()
                    .find(|(actor, _)| change.actor_id() == actor)
                    .map(|(_, author)| *author);
                let direct = author.and_then(|author| unauthorized(doc, &id, change, author));
                if direct.is_some() && *change.actor_id() == own {
                    own_refused.insert(change.hash());
                }
                let reason = direct.or_else(|| {
                    change
                        .deps()
                        .iter()
                        .any(|dep| tainted.contains(dep))
                        .then(|| "it builds on a change dropped here when a revocation or a demotion arrived".to_string())
                });
                if let Some(reason) = reason {
                    tainted.insert(change.hash());
                    let by = match author {
                        Some(author) => format!("{} ({})", author.label, author.device_id),
                        None => format!("device {}", change.actor_id().to_hex_string()),
                    };
                    refusals.push((change.hash(), change.deps().to_vec(), by, reason));
                }
            }
            if tainted.is_empty() {
                continue;
            }
            let kept: Vec<automerge::Change> = all
                .iter()
                .filter(|change| !tainted.contains(&change.hash()))
                .cloned()
                .collect();
            let seen: HashSet<HashPrefix> = kept
                .iter()
                .map(|change| holdfast_core::rebase::prefix(&change.hash()))
                .collect();
            let mut new = AutoCommit::new();
            new.apply_changes(kept)
                .map_err(|source| StoreError::Automerge {
                    what: format!("the kept changes of {id}"),
                    source: Box::new(source),
                })?;
            new.set_actor(self.actor().clone());
            let erased = self
                .epoch_row(&id)?
                .map(|row| row.erased)
                .unwrap_or_default();
            let old = &mut self.loaded(&id)?.doc;
            let carried = rebase::transplant_except(
                old,
                &seen,
                &mut new,
                &id,
                &Scrub { erased: &erased },
                chrono::Utc::now().timestamp(),
                &own_refused,
            )?;
            self.write_history(&id, new, None, carried > 0)?;
            crate::authority::record_dropped(&self.connection, &id, &refusals)?;
            self.rewritten.push(id.clone());
            dropped += tainted.len();
        }
        Ok(dropped)
    }

    /// Copies the write-ahead log into the database and empties it, so the
    /// old pages it held are gone from the disk as well. Inside a
    /// transaction (a sync flight) that cannot be done yet; it is done as
    /// the transaction commits.
    pub(crate) fn truncate_log(&mut self) -> Result<()> {
        if !self.connection.is_autocommit() {
            self.log_to_truncate = true;
            return Ok(());
        }
        self.log_to_truncate = false;
        self.connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

fn epoch_from(id: &DocumentId, number: i64, base: &[u8]) -> Result<Epoch> {
    let base = base
        .try_into()
        .map_err(|_| damaged_epoch(id, "has a base of the wrong length"))?;
    Ok(Epoch {
        number: number as u64,
        base,
    })
}

fn damaged_epoch(id: &DocumentId, reason: &str) -> StoreError {
    StoreError::DamagedDocument {
        document: id.to_string(),
        reason: format!("its epoch record {reason}"),
    }
}

/// Why a change by `author` would not be kept now that its authority
/// shrank, if it would not: past a revocation's cover, or past a demotion's
/// cover and not allowed by what the author still holds.
fn unauthorized(
    doc: &AutoCommit,
    id: &DocumentId,
    change: &automerge::Change,
    author: &holdfast_core::authority::Author,
) -> Option<String> {
    if author.revoked {
        let cover = author.cover.get(id.as_str()).copied().unwrap_or(0);
        return (i64::try_from(change.seq()).unwrap_or(i64::MAX) > cover).then(|| {
            format!(
                "it was written by {} after that device was revoked (dropped here when the revocation arrived)",
                author.label
            )
        });
    }
    let after = author.demoted_after(id.as_str())?;
    if change.seq() <= after {
        return None;
    }
    holdfast_core::authority::check_policy(doc, id, change, &author.at(id.as_str(), change.seq()))
        .err()
        .map(|refusal| format!("{refusal} (dropped here when a demotion arrived)"))
}
