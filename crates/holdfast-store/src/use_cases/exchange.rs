//! Whole documents in and out as `.automerge` files.
//!
//! An exported file is a plain Automerge document: any Automerge
//! implementation opens it. Its root holds a `holdfast` header naming the
//! document, so importing it back (or a copy edited elsewhere) merges into the
//! right document. Importing the same file twice changes nothing.

use holdfast_core::{Audience, DocumentId};

use crate::{Campaign, MergeOutcome, Result, StoreError};

impl Campaign {
    /// The bytes of a document for export. A document only this device may
    /// hold is refused, so it cannot leave by this door.
    pub fn export_document(&mut self, id: &DocumentId) -> Result<Vec<u8>> {
        if id.kind()?.audience() == Audience::ThisDevice {
            return Err(StoreError::rejected(format!(
                "{id} holds private reflections and never leaves this device"
            )));
        }
        self.document_bytes(id)
    }

    /// Merges a `.automerge` file into the document its header names.
    pub fn import_document(&mut self, bytes: &[u8]) -> Result<MergeOutcome> {
        if bytes.is_empty() {
            return Err(StoreError::ForeignDocument("the file is empty".into()));
        }
        self.merge_bytes(bytes)
    }
}
