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
    Ok(autosurgeon::hydrate_prop::<_, Option<R>, _, _>(
        doc, &object, id,
    )?)
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
