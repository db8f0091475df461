//! Automerge documents on disk: a snapshot plus the changes written since.
//!
//! Loading a document is `load(snapshot)` followed by `load_incremental` of
//! each later change row. Every local edit and every merge appends its changes, a row each, in
//! the same SQLite transaction as its projections. Compaction folds the rows
//! into a fresh snapshot inside one transaction, so a crash at any point leaves
//! either the old rows or the new snapshot, never neither.

use automerge::{AutoCommit, Change, ChangeHash};
use holdfast_core::{documents, Audience, DocumentId};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Result, StoreError};

/// `Campaign::maintain` folds a document's changes into a snapshot once it
/// has this many change rows.
pub const COMPACT_AFTER_CHANGES: i64 = 256;

/// An edit folds its document's changes into a snapshot itself only past this
/// many rows, so that a device that never idles still keeps loading fast.
/// Below it, compaction waits for `Campaign::maintain`, off the check-in path.
pub const COMPACT_ON_WRITE_AFTER_CHANGES: i64 = 2048;

/// A document in memory with what is known to be on disk.
pub struct LoadedDocument {
    pub doc: AutoCommit,
    /// Heads of everything already written to SQLite.
    pub persisted_heads: Vec<ChangeHash>,
    /// Change rows written since the last snapshot.
    pub pending_rows: i64,
    /// The bytes of the changes written or read as change rows since the
    /// last snapshot, by hash, so that a sync message can carry them as
    /// they are: Automerge otherwise rebuilds every change it sends from
    /// its op set, walking the ops of every change that shares its counter
    /// range (BENCHMARKS.md, "Where the hub's CPU goes"). Emptied at each
    /// snapshot, so it holds no more than the change rows do.
    pub change_bytes: ChangeBytes,
}

/// The changes `loaded` holds beyond `heads`, in causal order. One change
/// on top of exactly `heads` (a local edit, or one change a peer sent) is
/// found by its hash: asking Automerge for "everything after these heads"
/// walks the history. Changes whose bytes the document holds are taken
/// from them; otherwise Automerge rebuilds them from its op set, which
/// walks every op in their counter range.
pub fn changes_after(loaded: &mut LoadedDocument, heads: &[ChangeHash]) -> Vec<Change> {
    let now = loaded.doc.get_heads();
    if now.iter().all(|head| heads.contains(head)) {
        return Vec::new();
    }
    if let [head] = now.as_slice() {
        let only = match loaded.change_bytes.get(head) {
            Some(change) => Some(change.clone()),
            None => loaded.doc.get_change_by_hash(head),
        };
        if let Some(change) = only {
            let mut deps = change.deps().to_vec();
            deps.sort();
            let mut heads = heads.to_vec();
            heads.sort();
            if deps == heads {
                return vec![change];
            }
        }
    }
    let held: Option<Vec<Change>> = loaded
        .doc
        .get_changes_meta(heads)
        .iter()
        .map(|change| loaded.change_bytes.get(&change.hash).cloned())
        .collect();
    held.unwrap_or_else(|| loaded.doc.get_changes(heads))
}

/// Changes by hash; see [`LoadedDocument::change_bytes`]. Only changes
/// that are in the document are kept (as they are loaded, written, or
/// applied from a peer), so `total`, once known, stays the document's
/// count of changes.
#[derive(Default)]
pub struct ChangeBytes {
    by_hash: std::collections::HashMap<ChangeHash, Change>,
    /// How many changes the document holds, when known.
    pub(crate) total: Option<usize>,
}

impl ChangeBytes {
    /// Keeps a change that has just entered the document.
    pub(crate) fn keep(&mut self, change: &Change) {
        if self.by_hash.insert(change.hash(), change.clone()).is_none() {
            if let Some(total) = &mut self.total {
                *total += 1;
            }
        }
    }

    /// A change, if it is kept.
    pub fn get(&self, hash: &ChangeHash) -> Option<&Change> {
        self.by_hash.get(hash)
    }

    fn clear(&mut self) {
        self.by_hash.clear();
        self.total = None;
    }
}

pub fn exists(connection: &Connection, id: &DocumentId) -> Result<bool> {
    Ok(connection
        .query_row(
            "SELECT 1 FROM documents WHERE id = ?1",
            [id.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub fn list(connection: &Connection) -> Result<Vec<DocumentId>> {
    let mut statement = connection.prepare("SELECT id FROM documents ORDER BY id")?;
    let ids = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    ids.iter().map(|id| Ok(DocumentId::parse(id)?)).collect()
}

/// The stored documents of every audience but one, through the index on
/// audience: a hub that holds thousands of members' arrivals lists a
/// member's phone its handful of documents without reading the rest.
pub fn list_except(connection: &Connection, audience: Audience) -> Result<Vec<DocumentId>> {
    let mut statement = connection.prepare_cached(
        // No ORDER BY: sorting by id here would walk the primary key instead.
        "SELECT id FROM documents WHERE audience < ?1 OR audience > ?1",
    )?;
    let mut ids = statement
        .query_map([audience.as_str()], |row| row.get::<_, String>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    ids.sort();
    ids.iter().map(|id| Ok(DocumentId::parse(id)?)).collect()
}

/// Loads a stored document, or starts it from its genesis if it is new.
pub fn load(connection: &Connection, id: &DocumentId) -> Result<LoadedDocument> {
    let damaged = |reason: String| StoreError::DamagedDocument {
        document: id.to_string(),
        reason,
    };
    let snapshot: Option<Vec<u8>> = connection
        .query_row(
            "SELECT bytes FROM snapshots WHERE document_id = ?1",
            [id.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    let mut doc = match snapshot {
        Some(bytes) => {
            AutoCommit::load(&bytes).map_err(|error| damaged(format!("snapshot: {error}")))?
        }
        None => documents::genesis(id)?,
    };
    let mut statement = connection.prepare_cached(
        "SELECT seq, hash, bytes FROM changes WHERE document_id = ?1 ORDER BY seq",
    )?;
    let mut rows = statement.query([id.as_str()])?;
    let mut changes = Vec::new();
    let mut change_bytes = ChangeBytes::default();
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let hash: Vec<u8> = row.get(1)?;
        let bytes: Vec<u8> = row.get(2)?;
        // Parsing verifies the change's checksum, so a damaged row is caught
        // here, by number, instead of being skipped in silence.
        let change = Change::try_from(bytes.as_slice())
            .map_err(|error| damaged(format!("change row {seq} does not parse: {error}")))?;
        if change.hash().as_ref() != hash.as_slice() {
            return Err(damaged(format!("change row {seq} does not match its hash")));
        }
        change_bytes.keep(&change);
        changes.push(change);
    }
    let pending_rows = changes.len() as i64;
    doc.apply_changes(changes)
        .map_err(|error| damaged(format!("its changes do not apply: {error}")))?;
    let persisted_heads = if pending_rows == 0 && !exists(connection, id)? {
        // A new document: nothing is on disk yet, not even its genesis.
        Vec::new()
    } else {
        doc.get_heads()
    };
    Ok(LoadedDocument {
        doc,
        persisted_heads,
        pending_rows,
        change_bytes,
    })
}

/// Writes `changes`, the changes the document has beyond what is on disk
/// (from [`changes_after`]), one row each. Returns how many rows were
/// written. Runs inside the caller's transaction.
pub fn append(
    connection: &Connection,
    id: &DocumentId,
    loaded: &mut LoadedDocument,
    changes: &[Change],
    now: &str,
) -> Result<i64> {
    if changes.is_empty() {
        return Ok(0);
    }
    let kind = id.kind()?;
    connection
        .prepare_cached(
            "INSERT OR IGNORE INTO documents (id, audience, created_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id.as_str(), kind.audience().as_str(), now])?;
    let mut insert = connection.prepare_cached(
        "INSERT OR IGNORE INTO changes (document_id, hash, bytes, written_at) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut written = 0;
    for change in changes {
        loaded.change_bytes.keep(change);
        written += insert.execute(params![
            id.as_str(),
            change.hash().as_ref(),
            change.raw_bytes(),
            now
        ])? as i64;
    }
    Ok(written)
}

/// Replaces the change rows of a document with one snapshot. Runs inside the
/// caller's transaction.
pub fn compact(
    connection: &Connection,
    id: &DocumentId,
    loaded: &mut LoadedDocument,
    now: &str,
) -> Result<()> {
    let up_to_seq: i64 = connection.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM changes WHERE document_id = ?1",
        [id.as_str()],
        |row| row.get(0),
    )?;
    let bytes = loaded.doc.save();
    connection.execute(
        "INSERT INTO snapshots (document_id, bytes, up_to_seq, written_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (document_id) DO UPDATE SET bytes = excluded.bytes, up_to_seq = excluded.up_to_seq, written_at = excluded.written_at",
        params![id.as_str(), bytes, up_to_seq, now],
    )?;
    connection.execute(
        "DELETE FROM changes WHERE document_id = ?1 AND seq <= ?2",
        params![id.as_str(), up_to_seq],
    )?;
    loaded.change_bytes.clear();
    Ok(())
}
