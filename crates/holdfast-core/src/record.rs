//! Reading and writing records: each collection is a map at the document root,
//! keyed by record id.
//!
//! Writes reconcile exactly one record (`collection.id`), never the whole
//! document: autosurgeon's map reconcile deletes keys that are missing from the
//! value being reconciled, so reconciling a stale copy of a collection would
//! delete records another device added. Writing one path at a time makes an edit
//! touch only what it means to touch.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};
use autosurgeon::{Hydrate, Reconcile};

use crate::CoreError;

/// A record kept in a collection of some document.
pub trait Record: Hydrate + Reconcile + Clone {
    const COLLECTION: &'static str;
    fn id(&self) -> &str;
}

fn collection_object(
    doc: &AutoCommit,
    collection: &'static str,
) -> Result<automerge::ObjId, CoreError> {
    match doc.get(ROOT, collection)? {
        Some((automerge::Value::Object(ObjType::Map), object)) => Ok(object),
        _ => Err(CoreError::invalid(
            "document",
            format!("it has no `{collection}` collection"),
        )),
    }
}

/// Writes one record, creating or updating it.
pub fn put<R: Record>(doc: &mut AutoCommit, record: &R) -> Result<(), CoreError> {
    let object = collection_object(doc, R::COLLECTION)?;
    autosurgeon::reconcile_prop(doc, &object, record.id(), record)?;
    Ok(())
}

/// Reads one record by id.
pub fn get<R: Record>(doc: &AutoCommit, id: &str) -> Result<Option<R>, CoreError> {
    let object = collection_object(doc, R::COLLECTION)?;
    // autosurgeon reads an absent key as an error, not as `None`.
    if doc.get(&object, id)?.is_none() {
        return Ok(None);
    }
    Ok(Some(autosurgeon::hydrate_prop::<_, R, _, _>(
        doc, &object, id,
    )?))
}

/// Why record `id` of `collection` does not read as the record Holdfast
/// keeps there (a field missing or of the wrong type), or `None` when it
/// does, is absent, or the collection is not one of Holdfast's (the door
/// refuses writes there on its own).
pub fn unreadable(doc: &AutoCommit, collection: &str, id: &str) -> Option<String> {
    use crate::model::*;
    macro_rules! read_as_one_of {
        ($($type:ty),+ $(,)?) => {
            $(
                if collection == <$type>::COLLECTION {
                    return get::<$type>(doc, id).err().map(|error| error.to_string());
                }
            )+
        };
    }
    read_as_one_of!(
        Settings,
        Member,
        Site,
        Department,
        Committee,
        Meeting,
        ChokePoint,
        Commitment,
        Cadence,
        Skill,
        SkillSession,
        Attendance,
        Practice,
        PracticeEvent,
        Resolution,
        Device,
        BundleKey,
        Action,
        Shift,
        Signup,
        CheckIn,
        Circle,
        RestCommitment,
        AidRequest,
        AidOffer,
        AidMatch,
        LedgerEntry,
        AidIdentity,
        Reflection,
        Proposal,
        Vote,
    );
    None
}

/// Reads a whole collection, ordered by record id.
pub fn all<R: Record>(doc: &AutoCommit) -> Result<Vec<R>, CoreError> {
    collection_object(doc, R::COLLECTION)?;
    let records: BTreeMap<String, R> = autosurgeon::hydrate_prop(doc, ROOT, R::COLLECTION)?;
    Ok(records.into_values().collect())
}

/// Removes one record. Used only where the product calls for removal
/// (erasing a member); everything else is kept and marked instead.
pub fn delete<R: Record>(doc: &mut AutoCommit, id: &str) -> Result<(), CoreError> {
    use automerge::transaction::Transactable;
    let object = collection_object(doc, R::COLLECTION)?;
    doc.delete(&object, id)?;
    Ok(())
}

/// The (collection, record id) pairs that `patches` (from `AutoCommit::diff`)
/// touched, or `None` when a patch reaches outside the records (the header,
/// a whole collection) and the caller must treat the whole document as
/// touched.
pub fn touched_by(patches: Vec<automerge::Patch>) -> Option<BTreeSet<(String, String)>> {
    use automerge::{PatchAction, Prop};
    let mut touched = BTreeSet::new();
    for patch in patches {
        match (patch.path.first(), patch.path.get(1)) {
            (Some((_, Prop::Map(collection))), Some((_, Prop::Map(record)))) => {
                touched.insert((collection.clone(), record.clone()));
            }
            (Some((_, Prop::Map(collection))), None) => match &patch.action {
                PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                    touched.insert((collection.clone(), key.clone()));
                }
                _ => return None,
            },
            _ => return None,
        }
    }
    Some(touched)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ReadDoc, ROOT};

    use crate::documents::genesis;
    use crate::DocumentId;

    /// Every collection of every kind of document is read by its own
    /// record type, so the door's shape check misses none: a record that
    /// is a bare number in place of a map is unreadable in each.
    #[test]
    fn every_collection_has_a_record_type_that_reads_it() {
        let ids = [
            DocumentId::campaign(),
            DocumentId::action("6f1c1d5e-7d3a-4a53-9d63-2a0f3f0d1e11"),
            DocumentId::aid(),
            DocumentId::aid_private(),
            DocumentId::personal(),
            DocumentId::decisions(),
        ];
        for id in ids {
            let kind = id.kind().unwrap();
            let mut doc = genesis(&id).unwrap();
            for collection in kind.collections() {
                let object = match doc.get(ROOT, *collection).unwrap() {
                    Some((_, object)) => object,
                    None => doc.put_object(ROOT, *collection, ObjType::Map).unwrap(),
                };
                doc.put(&object, "broken", 7_i64).unwrap();
                assert!(
                    super::unreadable(&doc, collection, "broken").is_some(),
                    "{collection} in {id}"
                );
                assert_eq!(
                    super::unreadable(&doc, collection, "absent"),
                    None,
                    "{collection}"
                );
            }
        }
    }
}
