//! The one error type of the core crate.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum CoreError {
    #[error("the document could not be read: {0}")]
    Hydrate(#[from] autosurgeon::HydrateError),
    #[error("the edit could not be written into the document: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
    #[error("automerge refused the operation: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("`{0}` is not a document id Holdfast knows (expected campaign, aid, aid-private, personal or action:<uuid>)")]
    UnknownDocumentId(String),
    #[error("this document has no Holdfast header, so it is not a Holdfast campaign document")]
    MissingHeader,
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl CoreError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        CoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
