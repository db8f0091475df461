//! What sync needs from the store: Automerge sync messages in and out of a
//! stored document, per-peer sync state that survives a restart, and the
//! record of whom this device synced with.
//!
//! Incoming sync messages take the same road as every foreign change
//! (`Campaign::persist`): applied in memory, written with their projections in
//! one transaction, and forgotten from memory if anything fails, so a change
//! that is refused is never on disk.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use automerge::sync::{self, SyncDoc};
use automerge::ChangeHash;
use holdfast_core::model::{Device, Role};
use holdfast_core::{time, Audience, DocumentId};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::authority::Signatures;
use crate::campaign::Campaign;
use crate::error::{Result, StoreError};
use crate::projection;

/// What receiving one sync message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Received {
    /// How many changes the message brought that this device did not have.
    pub new_changes: usize,
    /// How many of the changes it brought were refused at the door.
    pub refused: usize,
}

/// What one peer device may hold, worked out once per list of documents.
pub struct Sharing {
    revoked: bool,
    aid_identities: bool,
    sees_the_picket: bool,
    /// Whose arrivals the device is sent even without the picket's.
    members: BTreeSet<String>,
}

impl Sharing {
    pub fn allows(&self, id: &DocumentId) -> Result<bool> {
        if self.revoked {
            return Ok(false);
        }
        Ok(match id.kind()?.audience() {
            Audience::Campaign => true,
            Audience::AidCoordinators => self.aid_identities,
            Audience::MemberAndCaptains => {
                self.sees_the_picket
                    || id
                        .arrivals_member()
                        .is_some_and(|member| self.members.contains(member))
            }
            Audience::ThisDevice => false,
        })
    }
}

/// One peer this device has synced with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerSync {
    pub peer_key: String,
    pub device_id: String,
    pub label: Option<String>,
    pub address: String,
    pub last_synced_at: String,
    pub changes_sent: i64,
    pub changes_received: i64,
}

/// One logged sync event (a refusal, a dropped connection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncEvent {
    pub at: String,
    pub peer: String,
    pub event: String,
}

/// What the "Sync and devices" screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub peers: Vec<PeerSync>,
    /// Changes made here that no other device is known to hold.
    pub unsynced_local_changes: i64,
    pub recent_events: Vec<SyncEvent>,
}

impl Campaign {
    /// The paired device with this public key, revoked or not.
    ///
    /// Asked at every connection; read through an index on the key, so a
    /// hub with thousands of paired phones does not read every device
    /// record to find one.
    pub fn device_by_key(&self, public_key: &str) -> Result<Option<Device>> {
        let data: Option<String> = self
            .connection
            .prepare_cached(
                "SELECT data FROM records WHERE collection = 'devices'
                 AND json_extract(data, '$.public_key') = ?1 ORDER BY id LIMIT 1",
            )?
            .query_row([public_key], |row| row.get(0))
            .optional()?;
        Ok(data.map(|data| serde_json::from_str(&data)).transpose()?)
    }

    /// Whether the campaign lists any device yet.
    pub fn has_devices(&self) -> Result<bool> {
        Ok(self
            .connection
            .prepare_cached("SELECT 1 FROM records WHERE collection = 'devices' LIMIT 1")?
            .query_row([], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Whether a document may be sent to (or accepted from) a peer device.
    /// Documents for this device alone never qualify; documents for aid
    /// coordinators need a device paired as one, on both sides; a member's
    /// arrivals go to the devices that member carries, and to captains' and
    /// stewards' devices.
    pub fn may_share(&self, id: &DocumentId, peer: &Device) -> Result<bool> {
        self.sharing_with(peer)?.allows(id)
    }

    /// The documents this device holds that may go to a peer device.
    pub fn documents_for(&self, peer: &Device) -> Result<Vec<DocumentId>> {
        let sharing = self.sharing_with(peer)?;
        let candidates = if sharing.sees_the_picket {
            self.documents()?
        } else {
            // Everything but arrivals, then the peer's own.
            let mut candidates =
                crate::documents::list_except(&self.connection, Audience::MemberAndCaptains)?;
            for member in &sharing.members {
                let id = DocumentId::arrivals(member);
                if crate::documents::exists(&self.connection, &id)? {
                    candidates.push(id);
                }
            }
            candidates
        };
        let mut shared = Vec::new();
        for id in candidates {
            if sharing.allows(&id)? {
                shared.push(id);
            }
        }
        Ok(shared)
    }

    /// What a peer device may hold, worked out once for a list of documents.
    pub fn sharing_with(&self, peer: &Device) -> Result<Sharing> {
        let revoked = peer.is_revoked();
        let aid_identities = !revoked && peer.may_hold_aid_identities() && {
            let this_device = self.device_by_key(&self.local_public_key()?)?;
            this_device.is_some_and(|device| device.may_hold_aid_identities())
        };
        // A device sees the whole picket if it was paired as a captain or
        // steward, or its member has since been made one.
        let sees_the_picket = !revoked
            && (matches!(peer.role, Role::Steward | Role::PicketCaptain)
                || match &peer.member_id {
                    Some(member) => self
                        .find::<holdfast_core::model::Member>(member)?
                        .is_some_and(|member| {
                            member.has_role(Role::Steward) || member.has_role(Role::PicketCaptain)
                        }),
                    None => false,
                });
        // The member's own arrivals, and those of walk-ins a steward said
        // were this member.
        let mut members = BTreeSet::new();
        if let Some(member) = &peer.member_id {
            members.insert(member.clone());
            let merged: Vec<String> = self
                .connection
                .prepare_cached(
                    "SELECT id FROM records WHERE collection = 'members'
                     AND json_extract(data, '$.merged_into') = ?1",
                )?
                .query_map([member], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            members.extend(merged);
        }
        Ok(Sharing {
            revoked,
            aid_identities,
            sees_the_picket,
            members,
        })
    }

    /// This device's public key as recorded locally by the sync layer.
    pub fn local_public_key(&self) -> Result<String> {
        self.local_value(PUBLIC_KEY)?
            .ok_or_else(|| StoreError::rejected("this device has no sync key yet"))
    }

    /// The sync state this device kept for a peer and document, or a fresh one.
    pub fn sync_state(&self, peer_key: &str, id: &DocumentId) -> Result<sync::State> {
        let stored: Option<Vec<u8>> = self
            .connection
            .query_row(
                "SELECT state FROM sync_states WHERE peer_key = ?1 AND document_id = ?2",
                params![peer_key, id.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        // A state that does not decode only costs a fuller sync, so it is
        // replaced instead of failing the connection.
        Ok(stored
            .and_then(|bytes| sync::State::decode(&bytes).ok())
            .unwrap_or_default())
    }

    /// Keeps the sync states of a finished session, and forgets the local
    /// changes the peer is now known to hold.
    pub fn save_sync_states(
        &mut self,
        peer_key: &str,
        states: &[(DocumentId, sync::State)],
    ) -> Result<()> {
        let mut known_to_peer = Vec::new();
        for (id, state) in states {
            if state.shared_heads.is_empty() {
                continue;
            }
            let unsynced = self.unsynced_hashes(id)?;
            if unsynced.is_empty() {
                continue;
            }
            let doc = &mut self.loaded(id)?.doc;
            let after: std::collections::HashSet<ChangeHash> = doc
                .get_changes_meta(&state.shared_heads)
                .iter()
                .map(|change| change.hash)
                .collect();
            for hash in unsynced {
                if !after.contains(&hash) {
                    known_to_peer.push((id.clone(), hash));
                }
            }
        }
        let transaction = self.connection.savepoint()?;
        for (id, state) in states {
            transaction.execute(
                "INSERT INTO sync_states (peer_key, document_id, state) VALUES (?1, ?2, ?3)
                 ON CONFLICT (peer_key, document_id) DO UPDATE SET state = excluded.state",
                params![peer_key, id.as_str(), state.encode()],
            )?;
        }
        for (id, hash) in known_to_peer {
            transaction.execute(
                "DELETE FROM unsynced_changes WHERE document_id = ?1 AND hash = ?2",
                params![id.as_str(), hash.as_ref()],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    fn unsynced_hashes(&self, id: &DocumentId) -> Result<Vec<ChangeHash>> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT hash FROM unsynced_changes WHERE document_id = ?1")?;
        let rows = statement.query_map([id.as_str()], |row| row.get::<_, Vec<u8>>(0))?;
        let mut hashes = Vec::new();
        for row in rows {
            if let Ok(hash) = ChangeHash::try_from(row?.as_slice()) {
                hashes.push(hash);
            }
        }
        Ok(hashes)
    }

    /// The heads of a document, sorted, as sync compares them.
    pub fn document_heads(&mut self, id: &DocumentId) -> Result<Vec<ChangeHash>> {
        let mut heads = self.loaded(id)?.doc.get_heads();
        heads.sort();
        Ok(heads)
    }

    /// The changes of a document after the given heads (all of it, given
    /// none), in the form Automerge's `load_incremental` reads.
    ///
    /// Changes written one by one are not compressed the way a whole
    /// document is, so after an early point they can take several times the
    /// bytes of the whole document (77 KB against 11 KB for 200 members);
    /// then the whole document goes instead, which any reader merges the
    /// same way.
    pub fn changes_since(&mut self, id: &DocumentId, heads: &[ChangeHash]) -> Result<Vec<u8>> {
        let doc = &mut self.loaded(id)?.doc;
        if heads.is_empty() {
            return Ok(doc.save());
        }
        let after = doc.save_after(heads);
        let whole = doc.save();
        Ok(if after.len() <= whole.len() {
            after
        } else {
            whole
        })
    }

    /// Whether a document differs from a peer's heads only by refusals:
    /// every change the peer lacks was already sent to it in this session
    /// (so it refused them), and every head of the peer's this device lacks
    /// is one it refused. Then there is nothing left to exchange.
    pub fn differs_only_by_refusals(
        &mut self,
        id: &DocumentId,
        their_heads: &[ChangeHash],
        sent: &std::collections::BTreeSet<ChangeHash>,
    ) -> Result<bool> {
        // The peer's heads as far as this device holds them: a head it
        // refused stands for what that change was built on.
        let mut known = Vec::new();
        let mut pending: Vec<ChangeHash> = their_heads.to_vec();
        let mut looked_at = std::collections::HashSet::new();
        while let Some(head) = pending.pop() {
            if !looked_at.insert(head) {
                continue;
            }
            if self.loaded(id)?.doc.get_change_by_hash(&head).is_some() {
                known.push(head);
                continue;
            }
            match crate::authority::refused_deps(&self.connection, &head)? {
                Some(deps) => pending.extend(deps),
                None => return Ok(false),
            }
        }
        let doc = &mut self.loaded(id)?.doc;
        let missing = doc.get_changes_meta(&known);
        Ok(missing.iter().all(|meta| sent.contains(&meta.hash)))
    }

    /// The next Automerge sync message for a peer, if there is anything to
    /// say, with the signatures of the changes it carries.
    pub fn generate_sync_message(
        &mut self,
        id: &DocumentId,
        state: &mut sync::State,
    ) -> Result<Option<(sync::Message, Signatures)>> {
        let sent_before = state.sent_hashes.len();
        let already_sent = (sent_before > 0).then(|| state.sent_hashes.clone());
        let loaded = self.loaded(id)?;
        let Some(message) = crate::sync_message::generate(loaded, state) else {
            return Ok(None);
        };
        if state.sent_hashes.len() == sent_before {
            return Ok(Some((message, Signatures::new())));
        }
        let new_hashes: Vec<ChangeHash> = match &already_sent {
            None => state.sent_hashes.iter().copied().collect(),
            Some(before) => state.sent_hashes.difference(before).copied().collect(),
        };
        let signatures = self.signatures_for(new_hashes)?;
        Ok(Some((message, signatures)))
    }

    /// Applies a peer's sync message to a document and saves what it brought.
    /// The caller has validated the bytes and the peer's right to send this
    /// document. A message Automerge refuses, or one that panics inside
    /// Automerge, leaves nothing on disk and nothing in memory.
    /// Every change it brings goes through the door with the signatures
    /// that came beside it; refused ones are neither saved nor forwarded.
    pub fn receive_sync_message(
        &mut self,
        id: &DocumentId,
        state: &mut sync::State,
        message: sync::Message,
        signatures: &Signatures,
    ) -> Result<Received> {
        let authority_before = self.authority_before_merge(id)?;
        self.stash_signatures(signatures);
        let loaded = self.loaded(id)?;
        let before = loaded.doc.get_heads();
        // The changes as they came, so that checking and saving them does
        // not ask Automerge to rebuild them (`documents::changes_after`).
        let carried = crate::sync_message::carried_changes(&message);
        let doc = &mut loaded.doc;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            doc.sync().receive_sync_message(state, message)
        }));
        let refused = |reason: String| StoreError::RefusedChanges {
            document: id.to_string(),
            reason,
        };
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                self.forget_loaded(id);
                return Err(refused(error.to_string()));
            }
            Err(_) => {
                self.forget_loaded(id);
                return Err(refused("Automerge failed while applying them".into()));
            }
        }
        let loaded = self.loaded(id)?;
        for change in &carried {
            // Only what Automerge applied: a change still waiting for its
            // dependencies is not in the document yet.
            if loaded.doc.get_change_meta_by_hash(&change.hash()).is_some() {
                loaded.change_bytes.keep(change);
            }
        }
        if loaded.doc.get_heads() == before {
            return Ok(Received::default());
        }
        let admission = self.admit(id, &before, signatures)?;
        if !admission.refused.is_empty() {
            // Automerge counted the refused changes as shared with the
            // peer; the shared heads fall back to what they were built on,
            // or the next message would claim this device holds them.
            let refused: std::collections::HashMap<ChangeHash, &[ChangeHash]> = admission
                .refused
                .iter()
                .map(|refused| (refused.hash, refused.deps.as_slice()))
                .collect();
            let doc = &mut self.loaded(id)?.doc;
            let mut shared = Vec::new();
            let mut pending = std::mem::take(&mut state.shared_heads);
            while let Some(head) = pending.pop() {
                if doc.get_change_by_hash(&head).is_some() {
                    shared.push(head);
                } else if let Some(deps) = refused.get(&head) {
                    pending.extend_from_slice(deps);
                }
            }
            shared.sort();
            shared.dedup();
            state.shared_heads = shared;
        }
        let loaded = self.loaded(id)?;
        if loaded.doc.get_heads() == before {
            return Ok(Received {
                new_changes: 0,
                refused: admission.refused.len(),
            });
        }
        // What the door read from the admitted changes' operations, not a
        // diff: Automerge's diff walks the whole document, and on a hub that
        // is every phone's check-in, each time one more arrives.
        let new_changes = admission.admitted;
        let touched = admission.touched;
        // A change Automerge accepts may still break the record (a field of
        // the wrong type); projecting fails, the transaction rolls back and
        // `persist` forgets the document, so the change is nowhere. Only the
        // records the message touched are re-read, so a hub receiving one
        // check-in does not re-read the thousands already there.
        self.persist(id, &time::now(), |connection, doc| {
            let done = match &touched {
                Some(touched) => projection::reproject_records(connection, id, doc, touched)?,
                None => false,
            };
            if !done {
                projection::reproject(connection, id, doc)?;
            }
            Ok(true)
        })
        .map_err(|error| refused(error.to_string()))?;
        self.after_merge(id, authority_before)?;
        Ok(Received {
            new_changes,
            refused: admission.refused.len(),
        })
    }

    /// When concurrent edits from many devices have left a document with
    /// several heads, records one empty change on top of all of them, so that
    /// the next sync message carries one head instead of hundreds. Returns
    /// whether a change was made.
    pub fn collapse_heads(&mut self, id: &DocumentId) -> Result<bool> {
        let loaded = self.loaded(id)?;
        if loaded.doc.get_heads().len() <= 1 {
            return Ok(false);
        }
        loaded.doc.empty_change(
            automerge::transaction::CommitOptions::default()
                .with_message("merge".to_string())
                .with_time(chrono::Utc::now().timestamp()),
        );
        self.persist(id, &time::now(), |_, _| Ok(false))?;
        Ok(true)
    }

    /// Notes a finished sync with a peer.
    pub fn record_sync(
        &self,
        peer_key: &str,
        device_id: &str,
        address: &str,
        changes_sent: usize,
        changes_received: usize,
    ) -> Result<()> {
        self.connection.execute(
            "INSERT INTO sync_peers (peer_key, device_id, address, last_synced_at, changes_sent, changes_received)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (peer_key) DO UPDATE SET device_id = excluded.device_id,
               address = excluded.address, last_synced_at = excluded.last_synced_at,
               changes_sent = changes_sent + excluded.changes_sent,
               changes_received = changes_received + excluded.changes_received",
            params![
                peer_key,
                device_id,
                address,
                time::now(),
                changes_sent as i64,
                changes_received as i64
            ],
        )?;
        Ok(())
    }

    /// Logs a sync event worth a steward's eye: a refused peer, garbage on
    /// the wire, a connection that broke off.
    pub fn record_sync_event(&self, peer: &str, event: &str) -> Result<()> {
        self.connection.execute(
            "INSERT INTO sync_events (at, peer, event) VALUES (?1, ?2, ?3)",
            params![time::now(), peer, event],
        )?;
        // The log is for recent trouble, not an archive.
        self.connection.execute(
            "DELETE FROM sync_events WHERE seq <= (SELECT MAX(seq) FROM sync_events) - 500",
            [],
        )?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let devices = self.all::<Device>()?;
        let mut statement = self.connection.prepare(
            "SELECT peer_key, device_id, address, last_synced_at, changes_sent, changes_received
             FROM sync_peers ORDER BY last_synced_at DESC",
        )?;
        let peers = statement
            .query_map([], |row| {
                Ok(PeerSync {
                    peer_key: row.get(0)?,
                    device_id: row.get(1)?,
                    label: None,
                    address: row.get(2)?,
                    last_synced_at: row.get(3)?,
                    changes_sent: row.get(4)?,
                    changes_received: row.get(5)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?
            .into_iter()
            .map(|mut peer| {
                peer.label = devices
                    .iter()
                    .find(|device| device.public_key == peer.peer_key)
                    .map(|device| device.label.clone());
                peer
            })
            .collect();
        let unsynced_local_changes =
            self.connection
                .query_row("SELECT COUNT(*) FROM unsynced_changes", [], |row| {
                    row.get(0)
                })?;
        let mut statement = self
            .connection
            .prepare("SELECT at, peer, event FROM sync_events ORDER BY seq DESC LIMIT 20")?;
        let recent_events = statement
            .query_map([], |row| {
                Ok(SyncEvent {
                    at: row.get(0)?,
                    peer: row.get(1)?,
                    event: row.get(2)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(SyncStatus {
            peers,
            unsynced_local_changes,
            recent_events,
        })
    }
}

/// Where the sync layer keeps this device's public key (hex).
pub const PUBLIC_KEY: &str = "sync_public_key";
/// Where the sync layer keeps this device's private key (hex).
pub const PRIVATE_KEY: &str = "sync_private_key";
