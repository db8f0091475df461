//! Re-basing a document: a new history that starts from the current state.
//!
//! Automerge keeps every value ever written, so deleting an erased member's
//! record leaves their name in the document's history, and every device that
//! syncs receives it again. A re-base replaces the history instead: the new
//! document is the deterministic genesis plus one change that writes the
//! current records, without anything belonging to the erased members.
//!
//! Each re-base starts a new [`Epoch`] of the document. Devices never run
//! Automerge sync across epochs (that would bring the old history back); a
//! device that meets a newer epoch installs it and then [`transplant`]s the
//! edits it made that the re-base did not include, record by record. To tell
//! those edits apart, a re-base lists the (short) hashes of every change it
//! retired.

use std::collections::{BTreeSet, HashSet};

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT,
};

use crate::documents::{genesis, DocumentId};
use crate::model::Member;
use crate::{CoreError, Record};

/// The first eight bytes of a change hash: enough to tell a device's own
/// changes from the retired ones, at a quarter of the size.
pub type HashPrefix = [u8; 8];

pub fn prefix(hash: &ChangeHash) -> HashPrefix {
    hash.as_ref()[..8]
        .try_into()
        .expect("a change hash has 32 bytes")
}

/// Which history of a document a device holds. Every document starts at
/// epoch zero; each re-base makes a higher one. Two stewards re-basing the
/// same epoch at once make the same number with different bases, and the
/// higher base wins everywhere, so all devices settle on one history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Epoch {
    pub number: u64,
    /// A digest of the re-based document's heads; zero for epoch zero.
    pub base: [u8; 8],
}

impl Epoch {
    pub const ZERO: Epoch = Epoch {
        number: 0,
        base: [0; 8],
    };

    /// The epoch of a re-base that produced a document with these heads.
    pub fn after(previous: Epoch, heads: &[ChangeHash]) -> Epoch {
        let mut sorted = heads.to_vec();
        sorted.sort();
        let base = sorted.first().map(prefix).unwrap_or([0; 8]);
        Epoch {
            number: previous.number + 1,
            base,
        }
    }
}

impl std::fmt::Display for Epoch {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.number)
    }
}

/// What a re-base leaves out: every record of an erased member (their
/// member record, and any record whose `member_id` names them: commitments,
/// attendance, aid identities, their devices) and their id in any list
/// (committee members, facilitation rotas).
pub struct Scrub<'a> {
    pub erased: &'a BTreeSet<String>,
}

impl Scrub<'_> {
    fn keeps_record(&self, doc: &AutoCommit, collection: &str, id: &str, object: &ObjId) -> bool {
        if collection == Member::COLLECTION && self.erased.contains(id) {
            return false;
        }
        match doc.get(object, "member_id") {
            Ok(Some((Value::Scalar(value), _))) => match value.as_ref() {
                ScalarValue::Str(member) => !self.erased.contains(member.as_str()),
                _ => true,
            },
            _ => true,
        }
    }

    fn keeps_list_item(&self, value: &ScalarValue) -> bool {
        match value {
            ScalarValue::Str(text) => !self.erased.contains(text.as_str()),
            _ => true,
        }
    }
}

/// A new history for `old`'s current state: the genesis of `id`, then one
/// change by `actor` at `time` that writes every record `scrub` keeps.
pub fn rebuild(
    old: &AutoCommit,
    id: &DocumentId,
    scrub: &Scrub<'_>,
    actor: ActorId,
    time: i64,
) -> Result<AutoCommit, CoreError> {
    let mut new = genesis(id)?;
    new.set_actor(actor);
    for collection in id.kind()?.collections() {
        let (Some(from), Some(to)) = (
            collection_of(old, collection)?,
            collection_of(&new, collection)?,
        ) else {
            continue;
        };
        for record_id in old.keys(&from).collect::<Vec<_>>() {
            copy_record(old, &from, &mut new, &to, collection, &record_id, scrub)?;
        }
    }
    new.commit_with(
        CommitOptions::default()
            .with_message("re-base".to_string())
            .with_time(time),
    );
    Ok(new)
}

/// Writes into `new` the records that `old`'s changes outside `retired`
/// touched, as they stand in `old` now (a record those changes deleted is
/// deleted). Returns how many records were carried over. The carried edits
/// are one new change by `new`'s actor; a record both the re-base and such
/// an edit changed ends as this device last saw it.
///
/// Only records this device's own changes (by `new`'s actor) touched are
/// carried: the carried change is signed by this device and judged by its
/// authority, so it cannot vouch for edits other devices made. Those come
/// back from their own devices, which carry them over when they install
/// the new history.
pub fn transplant(
    old: &mut AutoCommit,
    retired: &HashSet<HashPrefix>,
    new: &mut AutoCommit,
    id: &DocumentId,
    scrub: &Scrub<'_>,
    time: i64,
) -> Result<usize, CoreError> {
    transplant_except(old, retired, new, id, scrub, time, &HashSet::new())
}

/// Like [`transplant`], leaving out what this device's `refused` changes
/// touched: its own edits that its authority no longer allows (after its
/// member lost a role), which no device would take from it.
pub fn transplant_except(
    old: &mut AutoCommit,
    retired: &HashSet<HashPrefix>,
    new: &mut AutoCommit,
    id: &DocumentId,
    scrub: &Scrub<'_>,
    time: i64,
    refused: &HashSet<ChangeHash>,
) -> Result<usize, CoreError> {
    let changes = old.get_changes(&[]);
    let is_retired = |hash: &ChangeHash| retired.contains(&prefix(hash));
    if changes.iter().all(|change| is_retired(&change.hash())) {
        return Ok(0);
    }
    // The retired changes this device holds are closed under their
    // dependencies (the re-base held all of them and what they depend on),
    // so their heads say what the re-base saw of this device's history.
    let retired_here: HashSet<ChangeHash> = changes
        .iter()
        .map(|change| change.hash())
        .filter(is_retired)
        .collect();
    let depended_on: HashSet<ChangeHash> = changes
        .iter()
        .filter(|change| retired_here.contains(&change.hash()))
        .flat_map(|change| change.deps().iter().copied())
        .collect();
    let seen: Vec<ChangeHash> = retired_here
        .iter()
        .filter(|hash| !depended_on.contains(hash))
        .copied()
        .collect();
    let now = old.get_heads();
    let collections = id.kind()?.collections();
    // A patch outside the records (none is expected: the header never
    // changes after genesis) makes every record count as touched.
    let mut touched = match crate::record::touched_by(old.diff(&seen, &now)) {
        Some(touched) => touched,
        None => every_record(old, collections)?,
    };
    let own = new.get_actor().clone();
    let kind = id.kind()?;
    let mine: BTreeSet<(String, String)> = changes
        .iter()
        .filter(|change| {
            !is_retired(&change.hash())
                && *change.actor_id() == own
                && !refused.contains(&change.hash())
        })
        .flat_map(|change| crate::authority::touched_records(old, kind, change).unwrap_or_default())
        .collect();
    touched.retain(|record| mine.contains(record));
    let known: BTreeSet<&str> = collections.iter().copied().collect();
    let mut carried = 0;
    for (collection, record_id) in &touched {
        if !known.contains(collection.as_str()) {
            continue;
        }
        let (Some(to), from) = (
            collection_of(new, collection)?,
            collection_of(old, collection)?,
        ) else {
            continue;
        };
        let present = match &from {
            Some(from) => matches!(
                old.get(from, record_id.as_str())?,
                Some((Value::Object(_), _))
            ),
            None => false,
        };
        if present {
            let from = from.expect("present implies the collection exists");
            copy_record(old, &from, new, &to, collection, record_id, scrub)?;
        } else if new.get(&to, record_id.as_str())?.is_some() {
            new.delete(&to, record_id.as_str())?;
        }
        carried += 1;
    }
    new.commit_with(
        CommitOptions::default()
            .with_message("carried over a re-base".to_string())
            .with_time(time),
    );
    Ok(carried)
}

/// Every change hash a document holds, shortened: what a re-base retires.
pub fn retired_by(doc: &mut AutoCommit) -> Vec<HashPrefix> {
    doc.get_changes(&[])
        .iter()
        .map(|change| prefix(&change.hash()))
        .collect()
}

fn every_record(
    doc: &AutoCommit,
    collections: &[&str],
) -> Result<BTreeSet<(String, String)>, CoreError> {
    let mut records = BTreeSet::new();
    for collection in collections {
        if let Some(object) = collection_of(doc, collection)? {
            for id in doc.keys(&object) {
                records.insert((collection.to_string(), id));
            }
        }
    }
    Ok(records)
}

fn collection_of(doc: &AutoCommit, collection: &str) -> Result<Option<ObjId>, CoreError> {
    Ok(match doc.get(ROOT, collection)? {
        Some((Value::Object(ObjType::Map), object)) => Some(object),
        _ => None,
    })
}

fn copy_record(
    old: &AutoCommit,
    from: &ObjId,
    new: &mut AutoCommit,
    to: &ObjId,
    collection: &str,
    record_id: &str,
    scrub: &Scrub<'_>,
) -> Result<(), CoreError> {
    match old.get(from, record_id)? {
        Some((Value::Object(kind), object)) => {
            if !scrub.keeps_record(old, collection, record_id, &object) {
                if new.get(to, record_id)?.is_some() {
                    new.delete(to, record_id)?;
                }
                return Ok(());
            }
            let copy = new.put_object(to, record_id, kind)?;
            copy_object(old, &object, kind, new, &copy, scrub)
        }
        Some((Value::Scalar(value), _)) => Ok(new.put(to, record_id, value.into_owned())?),
        None => Ok(()),
    }
}

fn copy_object(
    old: &AutoCommit,
    from: &ObjId,
    kind: ObjType,
    new: &mut AutoCommit,
    to: &ObjId,
    scrub: &Scrub<'_>,
) -> Result<(), CoreError> {
    match kind {
        ObjType::Map | ObjType::Table => {
            for key in old.keys(from).collect::<Vec<_>>() {
                match old.get(from, key.as_str())? {
                    Some((Value::Scalar(value), _)) => {
                        new.put(to, key.as_str(), value.into_owned())?;
                    }
                    Some((Value::Object(child_kind), child)) => {
                        let copy = new.put_object(to, key.as_str(), child_kind)?;
                        copy_object(old, &child, child_kind, new, &copy, scrub)?;
                    }
                    None => {}
                }
            }
        }
        ObjType::List => {
            let mut at = 0;
            for index in 0..old.length(from) {
                match old.get(from, index)? {
                    Some((Value::Scalar(value), _)) if scrub.keeps_list_item(&value) => {
                        new.insert(to, at, value.into_owned())?;
                        at += 1;
                    }
                    Some((Value::Scalar(_), _)) => {}
                    Some((Value::Object(child_kind), child)) => {
                        let copy = new.insert_object(to, at, child_kind)?;
                        copy_object(old, &child, child_kind, new, &copy, scrub)?;
                        at += 1;
                    }
                    None => {}
                }
            }
        }
        ObjType::Text => {
            let text = old.text(from)?;
            new.splice_text(to, 0, 0, &text)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Committee, Member};
    use crate::record;

    fn erased(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|id| id.to_string()).collect()
    }

    fn holds_member(doc: &AutoCommit, id: &str) -> bool {
        record::all::<Member>(doc)
            .unwrap()
            .iter()
            .any(|member| member.id == id)
    }

    /// A campaign document holding `members`, written by a random actor.
    fn campaign_with(members: &[&Member]) -> AutoCommit {
        let mut doc = genesis(&DocumentId::campaign()).unwrap();
        doc.set_actor(ActorId::random());
        for member in members {
            record::put(&mut doc, *member).unwrap();
        }
        doc.commit();
        doc
    }

    /// `shared` re-based without `erased`, and what it retired.
    fn rebased(
        shared: &mut AutoCommit,
        erased: &BTreeSet<String>,
    ) -> (AutoCommit, HashSet<HashPrefix>) {
        let retired = retired_by(shared).into_iter().collect();
        let new = rebuild(
            shared,
            &DocumentId::campaign(),
            &Scrub { erased },
            ActorId::random(),
            1,
        )
        .unwrap();
        (new, retired)
    }

    /// What `transplant` carries from `device` into `new`.
    fn carry(
        device: &mut AutoCommit,
        retired: &HashSet<HashPrefix>,
        new: &mut AutoCommit,
        erased: &BTreeSet<String>,
    ) -> usize {
        // The device carries its own edits: the new history is written on
        // it, under its actor.
        new.set_actor(device.get_actor().clone());
        transplant(
            device,
            retired,
            new,
            &DocumentId::campaign(),
            &Scrub { erased },
            2,
        )
        .unwrap()
    }

    fn history_mentions(doc: &mut AutoCommit, text: &str) -> bool {
        doc.get_changes(&[])
            .iter()
            .any(|change| format!("{:?}", change.decode()).contains(text))
    }

    #[test]
    fn a_rebuilt_history_holds_the_state_without_the_erased() {
        let keep = Member::new("Ottoline Vance", "2026-01-01");
        let gone = Member::new("Quenby Marchetti", "2026-01-01");
        let mut old = campaign_with(&[&keep, &gone]);
        let committee = Committee {
            id: crate::model::new_id(),
            name: "Strike committee".into(),
            purpose: "Run the strike".into(),
            formed_on: "2026-01-01".into(),
            member_ids: vec![keep.id.clone(), gone.id.clone()],
            rota: vec![gone.id.clone()],
        };
        record::put(&mut old, &committee).unwrap();
        old.commit();
        assert!(history_mentions(&mut old, "Quenby"));

        let (mut new, _) = rebased(&mut old, &erased(&[&gone.id]));
        assert!(!history_mentions(&mut new, "Quenby"));
        assert!(history_mentions(&mut new, "Ottoline"));
        assert_eq!(
            record::get::<Member>(&new, &keep.id).unwrap(),
            Some(keep.clone())
        );
        assert!(!holds_member(&new, &gone.id));
        let committee = record::get::<Committee>(&new, &committee.id)
            .unwrap()
            .unwrap();
        assert_eq!(committee.member_ids, vec![keep.id]);
        assert!(committee.rota.is_empty());
    }

    #[test]
    fn edits_the_rebase_never_saw_are_carried_over() {
        let first = Member::new("Ottoline Vance", "2026-01-01");
        let gone = Member::new("Quenby Marchetti", "2026-01-01");
        let mut shared = campaign_with(&[&first, &gone]);

        // A phone forks off, then edits while the steward re-bases.
        let mut phone = shared.fork().with_actor(ActorId::random());
        let mut renamed = first.clone();
        renamed.name = "Ottoline Vance-Obi".into();
        let added = Member::new("Wendeline Osei", "2026-02-01");
        record::put(&mut phone, &renamed).unwrap();
        record::put(&mut phone, &added).unwrap();
        phone.commit();

        let ids = erased(&[&gone.id]);
        let (mut new, retired) = rebased(&mut shared, &ids);
        assert_eq!(carry(&mut phone, &retired, &mut new, &ids), 2);
        assert_eq!(
            record::get::<Member>(&new, &renamed.id).unwrap(),
            Some(renamed)
        );
        assert_eq!(record::get::<Member>(&new, &added.id).unwrap(), Some(added));
        assert!(!holds_member(&new, &gone.id));
        assert!(!history_mentions(&mut new, "Quenby"));

        // Nothing to carry from a device that held only retired changes.
        let mut caught_up = shared.fork();
        let before = new.get_heads();
        assert_eq!(carry(&mut caught_up, &retired, &mut new, &ids), 0);
        assert_eq!(new.get_heads(), before);
    }

    #[test]
    fn an_offline_edit_to_an_erased_member_is_not_carried_back() {
        let gone = Member::new("Quenby Marchetti", "2026-01-01");
        let mut shared = campaign_with(&[&gone]);
        let mut phone = shared.fork().with_actor(ActorId::random());
        let mut edited = gone.clone();
        edited.phone = Some("+1 555 0147".into());
        record::put(&mut phone, &edited).unwrap();
        phone.commit();

        let ids = erased(&[&gone.id]);
        let (mut new, retired) = rebased(&mut shared, &ids);
        carry(&mut phone, &retired, &mut new, &ids);
        assert!(!holds_member(&new, &gone.id));
        assert!(!history_mentions(&mut new, "Quenby"));
        assert!(!history_mentions(&mut new, "555 0147"));
    }

    #[test]
    fn epochs_order_by_number_then_base() {
        let first = Epoch::after(Epoch::ZERO, &[]);
        assert!(first > Epoch::ZERO);
        let mut other = first;
        other.base = [9; 8];
        assert!(other > first);
        assert!(Epoch::after(first, &[]) > other);
    }
}
