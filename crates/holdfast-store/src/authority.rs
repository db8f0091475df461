//! The door every change from another device passes, and the signatures
//! this device puts on its own.
//!
//! Sync, bundles and `.automerge` imports all end in [`Campaign::admit`]:
//! the changes a merge brought are checked one by one against
//! `holdfast_core::authority::check` (signature by the author's device key,
//! revocation, the write policy). If any is refused, the merge is thrown
//! away in memory and only the admitted changes are applied again, so a
//! refused change is never saved and never forwarded. Refusals are kept in
//! `refused_changes` with their author and reason, for stewards to see.
//!
//! Every change this device writes is signed when it is saved (`persist`),
//! and every admitted change keeps the signature it came with, so the next
//! device can check it too.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use automerge::{ActorId, Change, ChangeHash};
use holdfast_core::authority::{self, Author, Authors, Refusal};
use holdfast_core::model::{Device, Member};
use holdfast_core::signing::{from_hex, hex as to_hex, SigningKey, SIGNATURE_LENGTH};
use holdfast_core::{time, DocumentId};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::campaign::Campaign;
use crate::error::{Result, StoreError};

/// The local value that holds this device's signing secret (hex). It lives
/// in the encrypted database beside the sync key and never leaves it.
const SIGNING_SECRET: &str = "signing_secret";

/// The first bytes of a change hash: how a signature names its change on
/// the wire. The signature itself covers the whole hash.
pub use holdfast_core::rebase::HashPrefix;

/// Signatures that travelled with changes, by hash prefix.
pub type Signatures = Vec<(HashPrefix, [u8; SIGNATURE_LENGTH])>;

/// How many signatures stay cached in memory before the cache starts over
/// (about 10 MB).
const SIGNATURE_CACHE_LIMIT: usize = 100_000;

/// A change this device refused, as stewards see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedChange {
    pub hash: String,
    pub document: String,
    pub author: String,
    pub reason: String,
    pub refused_at: String,
}

/// What the door made of the changes a merge brought.
#[derive(Debug, Default)]
pub(crate) struct Admission {
    pub admitted: usize,
    pub refused: Vec<Refused>,
    /// The records the admitted changes touched, read from their
    /// operations; `None` when some change reaches past the records (a
    /// document's first change, a file from a campaign with no device
    /// list), and the whole document must be re-projected.
    pub touched: Option<BTreeSet<(String, String)>>,
}

/// An admitted change with the records it touched (`None`: the door let
/// it through unread and it reaches past the records).
type Judged = (Change, Option<BTreeSet<(String, String)>>);

/// One refused change: its hash, what it depends on, its author, and why.
#[derive(Debug)]
pub(crate) struct Refused {
    pub hash: ChangeHash,
    pub deps: Vec<ChangeHash>,
    pub author: String,
    pub refusal: Refusal,
}

pub use holdfast_core::rebase::prefix;

impl Campaign {
    /// This device's signing key, made the first time it is needed.
    pub(crate) fn signing_key(&self) -> Result<SigningKey> {
        if let Some(secret) = self.local_value(SIGNING_SECRET)? {
            let bytes = from_hex(&secret)
                .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
                .ok_or_else(|| StoreError::rejected("the stored signing key is damaged"))?;
            return Ok(SigningKey::from_secret(&bytes));
        }
        let mut secret = [0_u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        let key = SigningKey::from_secret(&secret);
        self.set_local_value(SIGNING_SECRET, &to_hex(&secret))?;
        Ok(key)
    }

    /// Keeps a signing key made before this device had a database (while
    /// pairing, when the hub recorded its public half).
    pub fn adopt_signing_key(&mut self, key: &SigningKey) -> Result<()> {
        self.set_local_value(SIGNING_SECRET, &to_hex(&key.secret()))?;
        self.forget_signing_key();
        Ok(())
    }

    /// The public half of this device's signing key, for its device record.
    pub fn signing_public_key(&self) -> Result<String> {
        Ok(self.signing_key()?.public_hex())
    }

    /// Every paired device's authority, read from the saved campaign
    /// document's projections; cached until the campaign document changes.
    pub(crate) fn authors(&mut self) -> Result<Arc<Authors>> {
        if let Some(authors) = &self.authors {
            return Ok(authors.clone());
        }
        let devices = self.all::<Device>()?;
        let mut members: HashMap<String, Member> = HashMap::new();
        for device in &devices {
            if let Some(member_id) = &device.member_id {
                if let Some(member) = self.find::<Member>(member_id)? {
                    members.insert(member_id.clone(), member);
                }
            }
        }
        let authors = Arc::new(Authors::new(devices.iter().map(|device| {
            Author::of(
                device,
                device
                    .member_id
                    .as_ref()
                    .and_then(|member_id| members.get(member_id)),
            )
        })));
        self.authors = Some(authors.clone());
        Ok(authors)
    }

    /// This device's own authority, or none while the campaign has no
    /// device list (a campaign on one device, never paired).
    pub(crate) fn own_authority(&mut self) -> Result<Option<Author>> {
        let authors = self.authors()?;
        if authors.is_open() {
            return Ok(None);
        }
        match authors.by_device(self.device_id()) {
            Some(author) => Ok(Some(author.clone())),
            None => Err(StoreError::NotAllowed(
                "this device is not in the campaign's device list, so it cannot edit the campaign; pair it with a steward's device".into(),
            )),
        }
    }

    /// Whose authority an edit made now carries: the browser's this device
    /// is acting for, or else the device's own (none on a campaign with no
    /// device list).
    pub(crate) fn acting_authority(&mut self) -> Result<Option<Author>> {
        match self.acting.clone() {
            Some(browser) => self.browser_author(&browser).map(Some),
            None => self.own_authority(),
        }
    }

    /// Checks a local edit (already committed in memory as `hash`) against
    /// the write policy, as every other device will. An edit for a browser
    /// at the hall must also be one the browser's own authority allows.
    pub(crate) fn check_own_change(&mut self, id: &DocumentId, hash: &ChangeHash) -> Result<()> {
        let mut authors = Vec::new();
        if let Some(author) = self.own_authority()? {
            authors.push(author);
        }
        if let Some(browser) = self.acting.clone() {
            authors.push(self.browser_author(&browser)?);
        }
        if authors.is_empty() {
            return Ok(());
        }
        let loaded = self.loaded(id)?;
        let Some(change) = loaded.doc.get_change_by_hash(hash) else {
            // The document was read again from disk since the edit was
            // made: saving now would keep the edit's lists and lose the
            // edit. Nothing is saved; the person can try again.
            return Err(StoreError::rejected(
                "the campaign changed on disk while this edit was being made; nothing was saved, please try again",
            ));
        };
        for author in &authors {
            authority::check_policy(&loaded.doc, id, &change, author)
                .map_err(|refusal| StoreError::NotAllowed(format!("refused: {refusal}")))?;
        }
        Ok(())
    }

    /// The door. `before` are the document's heads before a merge that has
    /// been applied in memory; `signatures` came with the bytes. Checks every
    /// change the merge brought; if any is refused, rebuilds the document in
    /// memory from disk and applies only what was admitted. The caller
    /// persists what the document then holds.
    pub(crate) fn admit(
        &mut self,
        id: &DocumentId,
        before: &[ChangeHash],
        signatures: &Signatures,
    ) -> Result<Admission> {
        let authors = self.authors()?;
        self.stash_signatures(signatures);
        let new: Vec<Change> = crate::documents::changes_after(self.loaded(id)?, before);
        if new.is_empty() {
            return Ok(Admission {
                touched: Some(BTreeSet::new()),
                ..Admission::default()
            });
        }
        let kind = id.kind()?;
        // Each change's signature: the one that came with it (or earlier in
        // the session), else one this device already keeps.
        let mut found: Vec<Option<[u8; SIGNATURE_LENGTH]>> = Vec::with_capacity(new.len());
        let mut missing = Vec::new();
        for (index, change) in new.iter().enumerate() {
            let signature = self.pending_signatures.remove(&prefix(&change.hash()));
            if signature.is_none() {
                missing.push((index, change.hash()));
            }
            found.push(signature);
        }
        if !missing.is_empty() {
            let stored = self.signatures_for(missing.iter().map(|(_, hash)| *hash))?;
            for (index, hash) in missing {
                found[index] = stored
                    .iter()
                    .find(|(stored, _)| *stored == prefix(&hash))
                    .map(|(_, signature)| *signature);
            }
        }
        let mut refused: Vec<Refused> = Vec::new();
        let mut refused_hashes: HashSet<ChangeHash> = HashSet::new();
        let mut admitted: Vec<Judged> = Vec::new();
        let mut signed: Vec<(ChangeHash, Vec<u8>)> = Vec::new();
        let doc = &self.loaded(id)?.doc;
        for (change, signature) in new.iter().zip(found) {
            let hash = change.hash();
            let verdict = authority::check(
                doc,
                id,
                change,
                signature.as_ref().map(|s| s.as_slice()),
                &authors,
            )
            .and_then(|records| {
                match change.deps().iter().any(|dep| refused_hashes.contains(dep)) {
                    true => Err(Refusal::Malformed(
                        "it builds on a change that was refused".into(),
                    )),
                    false => Ok(records),
                }
            });
            match verdict {
                Ok(records) => {
                    // The door read them only if it judged the change; a
                    // change it let through unread is read here.
                    let records = records
                        .map(Ok)
                        .unwrap_or_else(|| authority::touched_records(doc, kind, change))
                        .ok();
                    if let Some(signature) = signature {
                        signed.push((hash, signature.to_vec()));
                    }
                    admitted.push((change.clone(), records));
                }
                Err(refusal) => {
                    refused_hashes.insert(hash);
                    refused.push(Refused {
                        hash,
                        deps: change.deps().to_vec(),
                        author: author_name(&authors, change.actor_id()),
                        refusal,
                    });
                }
            }
        }
        if !refused.is_empty() {
            self.keep_only(id, &admitted)?;
        }
        // A record that passes the policy must still be one Holdfast can
        // read: a modified program could write a check-in with no member,
        // or a name as a number. Projecting it would fail and end the
        // session with a bare error; refused here, it is named, shown to
        // stewards, and the rest of the flight goes on.
        if !authors.is_open() {
            let unreadable = self.unreadable_records(id, &admitted)?;
            if !unreadable.is_empty() {
                let mut dropped: HashSet<ChangeHash> = HashSet::new();
                for (change, records) in &admitted {
                    let breaks = records.iter().flatten().find_map(|(collection, record)| {
                        unreadable
                            .iter()
                            .find(|(broken, id, _)| broken == collection && id == record)
                    });
                    let reason = match breaks {
                        Some((collection, record, why)) => format!(
                            "its {collection} record {record} is not one Holdfast can read ({why})"
                        ),
                        None if change.deps().iter().any(|dep| dropped.contains(dep)) => {
                            "it builds on a change that was refused".into()
                        }
                        None => continue,
                    };
                    dropped.insert(change.hash());
                    refused.push(Refused {
                        hash: change.hash(),
                        deps: change.deps().to_vec(),
                        author: author_name(&authors, change.actor_id()),
                        refusal: Refusal::Malformed(reason),
                    });
                }
                admitted.retain(|(change, _)| !dropped.contains(&change.hash()));
                signed.retain(|(hash, _)| !dropped.contains(hash));
                self.keep_only(id, &admitted)?;
            }
        }
        if !refused.is_empty() {
            record_refusals(&self.connection, id, &refused)?;
        }
        self.incoming_signatures.extend(signed);
        let mut touched = Some(BTreeSet::new());
        for (_, records) in &admitted {
            match (&mut touched, records) {
                (Some(touched), Some(records)) => touched.extend(records.iter().cloned()),
                _ => touched = None,
            }
        }
        Ok(Admission {
            admitted: admitted.len(),
            refused,
            touched,
        })
    }

    /// Memory must hold only what may be saved: starts the document again
    /// from disk and applies the admitted changes alone.
    fn keep_only(&mut self, id: &DocumentId, admitted: &[Judged]) -> Result<()> {
        self.forget_loaded(id);
        let loaded = self.loaded(id)?;
        loaded
            .doc
            .apply_changes(admitted.iter().map(|(change, _)| change.clone()))
            .map_err(|source| StoreError::Automerge {
                what: format!("admitted changes for {id}"),
                source: Box::new(source),
            })
    }

    /// The records the admitted changes touched that do not read as the
    /// record their collection holds, as the document now stands, each
    /// with the reason.
    fn unreadable_records(
        &mut self,
        id: &DocumentId,
        admitted: &[Judged],
    ) -> Result<Vec<(String, String, String)>> {
        let doc = &self.loaded(id)?.doc;
        let records: BTreeSet<&(String, String)> = admitted
            .iter()
            .flat_map(|(_, records)| records.iter().flatten())
            .collect();
        Ok(records
            .into_iter()
            .filter_map(|(collection, record)| {
                holdfast_core::record::unreadable(doc, collection, record)
                    .map(|why| (collection.clone(), record.clone(), why))
            })
            .collect())
    }

    /// Every device's authority before a merge into `id`, kept to see what
    /// the merge took away (only the campaign document carries authority).
    pub(crate) fn authority_before_merge(
        &mut self,
        id: &DocumentId,
    ) -> Result<Option<Arc<Authors>>> {
        match *id == DocumentId::campaign() {
            true => self.authors().map(Some),
            false => Ok(None),
        }
    }

    /// After the campaign document changed from outside: if it took
    /// authority away (a revocation, a role taken from a member), drops
    /// what that authority no longer covers from every document, keeping
    /// this device's own allowed edits. Dropping may take more away (a
    /// grant made by a demoted steward), so this runs until nothing more
    /// changes. Returns how many changes were dropped.
    pub(crate) fn settle_lost_authority(&mut self, before: Arc<Authors>) -> Result<usize> {
        let mut before = before;
        let mut dropped = 0;
        // Each round drops at least one campaign change or stops; a bound
        // keeps a pathological history from holding the device forever.
        for _ in 0..16 {
            let now = self.authors()?;
            let mut lost: Vec<Author> = Vec::new();
            for author in now.all() {
                let Some(was) = before.by_device(&author.device_id) else {
                    continue;
                };
                if !lost_authority(was, author) {
                    continue;
                }
                // A role that went without a demotion of its own (the
                // grant itself was dropped) covers nothing of what the
                // device wrote with it.
                let mut author = author.clone();
                for role in was.roles.difference(&author.roles) {
                    author.demoted.entry(*role).or_default();
                }
                lost.push(author);
            }
            if lost.is_empty() {
                break;
            }
            dropped += self.drop_unauthorized_changes(&lost)?;
            before = now;
        }
        Ok(dropped)
    }

    /// What follows a merge that brought changes: lost authority settled
    /// (campaign document), sealed aid requests opened (aid document).
    pub(crate) fn after_merge(
        &mut self,
        id: &DocumentId,
        authority_before: Option<Arc<Authors>>,
    ) -> Result<()> {
        if let Some(before) = authority_before {
            self.settle_lost_authority(before)?;
        }
        if *id == DocumentId::aid() {
            self.open_sealed_requests()?;
        }
        Ok(())
    }

    /// The documents whose history was rewritten since last asked (after a
    /// revocation dropped changes from them).
    pub fn take_rewritten(&mut self) -> Vec<DocumentId> {
        std::mem::take(&mut self.rewritten)
    }

    /// Keeps signatures that came with bytes until their changes are
    /// admitted: a change can arrive after its signature (Automerge holds a
    /// change back until what it builds on has arrived, or sends a change
    /// again without it).
    pub(crate) fn stash_signatures(&mut self, signatures: &Signatures) {
        if self.pending_signatures.len() > SIGNATURE_CACHE_LIMIT {
            self.pending_signatures.clear();
        }
        self.pending_signatures.extend(signatures.iter().copied());
    }

    /// The signatures of the given changes that this device holds.
    pub fn signatures_for(
        &mut self,
        hashes: impl IntoIterator<Item = ChangeHash>,
    ) -> Result<Signatures> {
        if self.signature_cache.len() > SIGNATURE_CACHE_LIMIT {
            self.signature_cache.clear();
        }
        let mut statement = self
            .connection
            .prepare_cached("SELECT signature FROM signatures WHERE hash = ?1")?;
        let mut found = Signatures::new();
        for hash in hashes {
            if let Some(signature) = self.signature_cache.get(&hash) {
                found.push((prefix(&hash), *signature));
                continue;
            }
            let signature: Option<Vec<u8>> = statement
                .query_row([hash.as_ref()], |row| row.get(0))
                .optional()?;
            if let Some(signature) = signature.and_then(|bytes| <[u8; 64]>::try_from(bytes).ok()) {
                self.signature_cache.insert(hash, signature);
                found.push((prefix(&hash), signature));
            }
        }
        Ok(found)
    }

    /// The signatures of a document's changes after `heads` (all, given none).
    pub fn signatures_since(
        &mut self,
        id: &DocumentId,
        heads: &[ChangeHash],
    ) -> Result<Signatures> {
        let hashes: Vec<ChangeHash> = self
            .loaded(id)?
            .doc
            .get_changes_meta(heads)
            .iter()
            .map(|meta| meta.hash)
            .collect();
        self.signatures_for(hashes)
    }

    /// Every signature this device holds for a document's changes.
    pub fn document_signatures(&mut self, id: &DocumentId) -> Result<Signatures> {
        self.signatures_since(id, &[])
    }

    /// Changes this device refused, newest first.
    pub fn refused_changes(&self) -> Result<Vec<RefusedChange>> {
        let mut statement = self.connection.prepare(
            "SELECT hash, document_id, author, reason, refused_at FROM refused_changes ORDER BY refused_at DESC, hash",
        )?;
        let rows = statement.query_map([], |row| {
            let hash: Vec<u8> = row.get(0)?;
            Ok(RefusedChange {
                hash: to_hex(&hash),
                document: row.get(1)?,
                author: row.get(2)?,
                reason: row.get(3)?,
                refused_at: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Signs this device's new changes and keeps the signatures that came
    /// with admitted ones; called inside `persist`'s transaction.
    pub(crate) fn save_signatures(
        connection: &Connection,
        key: &SigningKey,
        own_actor: &ActorId,
        new_changes: &[Change],
        incoming: &mut HashMap<ChangeHash, Vec<u8>>,
    ) -> Result<()> {
        let mut statement = connection
            .prepare_cached("INSERT OR IGNORE INTO signatures (hash, signature) VALUES (?1, ?2)")?;
        // Only a merge brings signatures; a local edit forgives nothing.
        let any_refused: bool = !incoming.is_empty()
            && connection
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM refused_changes)")?
                .query_row([], |row| row.get(0))?;
        let mut forgive =
            connection.prepare_cached("DELETE FROM refused_changes WHERE hash = ?1")?;
        for change in new_changes {
            let hash = change.hash();
            if let Some(signature) = incoming.remove(&hash) {
                statement.execute(params![hash.as_ref(), signature])?;
                // Refused once for want of a grant this device had not yet
                // heard of, and admitted now that it has.
                if any_refused {
                    forgive.execute([hash.as_ref()])?;
                }
            } else if change.actor_id() == own_actor {
                statement.execute(params![hash.as_ref(), key.sign(&hash).as_slice()])?;
            }
        }
        Ok(())
    }
}

/// Whether a device's authority shrank from `before` to `now`: it was
/// revoked, or a role was taken from its member (or a demotion's cover
/// changed).
fn lost_authority(before: &Author, now: &Author) -> bool {
    if now.revoked {
        return !before.revoked;
    }
    !before.roles.is_subset(&now.roles) || before.demoted != now.demoted
}

fn author_name(authors: &Authors, actor: &ActorId) -> String {
    match authors.get(actor) {
        Some(author) => format!("{} ({})", author.label, author.device_id),
        None => format!("unknown device {}", actor.to_hex_string()),
    }
}

fn record_refusals(connection: &Connection, id: &DocumentId, refused: &[Refused]) -> Result<()> {
    record_refused(
        connection,
        id,
        refused.iter().map(|refused| {
            (
                refused.hash,
                refused.deps.as_slice(),
                refused.author.as_str(),
                refused.refusal.to_string(),
            )
        }),
    )
}

/// Records changes dropped after a revocation or a demotion as refused
/// (hash, deps, author, reason), so that sync treats them as refused when
/// a peer still holds them.
pub(crate) fn record_dropped(
    connection: &Connection,
    id: &DocumentId,
    dropped: &[(ChangeHash, Vec<ChangeHash>, String, String)],
) -> Result<()> {
    record_refused(
        connection,
        id,
        dropped.iter().map(|(hash, deps, author, reason)| {
            (*hash, deps.as_slice(), author.as_str(), reason.clone())
        }),
    )
}

/// One row per refused change: its hash, what it was built on, its author
/// and why.
fn record_refused<'a>(
    connection: &Connection,
    id: &DocumentId,
    rows: impl Iterator<Item = (ChangeHash, &'a [ChangeHash], &'a str, String)>,
) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "INSERT OR IGNORE INTO refused_changes (hash, document_id, deps, author, reason, refused_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let now = time::now();
    for (hash, deps, author, reason) in rows {
        let deps: Vec<u8> = deps.iter().flat_map(|dep| dep.0).collect();
        statement.execute(params![
            hash.as_ref(),
            id.as_str(),
            deps,
            author,
            reason,
            now
        ])?;
    }
    Ok(())
}

/// What a refused change depended on, if this device refused it.
pub(crate) fn refused_deps(
    connection: &Connection,
    hash: &ChangeHash,
) -> Result<Option<Vec<ChangeHash>>> {
    let deps: Option<Vec<u8>> = connection
        .prepare_cached("SELECT deps FROM refused_changes WHERE hash = ?1")?
        .query_row([hash.as_ref()], |row| row.get(0))
        .optional()?;
    Ok(deps.map(|bytes| {
        bytes
            .chunks_exact(32)
            .map(|chunk| ChangeHash(chunk.try_into().expect("32 bytes")))
            .collect()
    }))
}

/// What a modified program on a paired device can do, for the tests that
/// attack the door: write any change into a document, signed with this
/// device's key (or none), past every local check.
#[cfg(feature = "hostile")]
impl Campaign {
    /// Writes `edit` as one change by this device, signs it and saves it
    /// without projecting it (a tampered build does not care).
    pub fn forge(
        &mut self,
        id: &DocumentId,
        edit: impl FnOnce(
            &mut automerge::AutoCommit,
        ) -> std::result::Result<(), automerge::AutomergeError>,
    ) -> Result<ChangeHash> {
        self.forge_as(id, None, true, edit)
    }

    /// Like [`Campaign::forge`], written under another device's actor
    /// (`as_device`), and signed with this device's key or not at all.
    pub fn forge_as(
        &mut self,
        id: &DocumentId,
        as_device: Option<&str>,
        sign: bool,
        edit: impl FnOnce(
            &mut automerge::AutoCommit,
        ) -> std::result::Result<(), automerge::AutomergeError>,
    ) -> Result<ChangeHash> {
        let key = self.signing_key()?;
        let own = self.actor().clone();
        let actor = match as_device {
            Some(device) => authority::actor_of(device)
                .ok_or_else(|| StoreError::rejected("not a device id"))?,
            None => own.clone(),
        };
        let loaded = self.loaded(id)?;
        loaded.doc.set_actor(actor);
        let outcome = edit(&mut loaded.doc);
        let hash = loaded.doc.commit();
        loaded.doc.set_actor(own);
        outcome.map_err(|source| StoreError::Automerge {
            what: "a forged edit".into(),
            source: Box::new(source),
        })?;
        let hash = hash.ok_or_else(|| StoreError::rejected("the forged edit changed nothing"))?;
        if sign {
            self.incoming_signatures
                .insert(hash, key.sign(&hash).to_vec());
        }
        self.persist(id, &time::now(), |_, _| Ok(false))?;
        Ok(hash)
    }
}
