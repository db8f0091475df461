//! The one error type of the core crate.

use thiserror::Error;

// The Automerge and autosurgeon errors are boxed: they are large, and every
// fallible call in the workspace returns this type.
#[derive(Debug, Error)]
pub enum CoreError {
    #[error("the document could not be read: {0}")]
    Hydrate(Box<autosurgeon::HydrateError>),
    #[error("the edit could not be written into the document: {0}")]
    Reconcile(Box<autosurgeon::ReconcileError>),
    #[error("automerge refused the operation: {0}")]
    Automerge(Box<automerge::AutomergeError>),
    #[error("`{0}` is not a document id Holdfast knows (expected campaign, aid, aid-private, personal or action:<uuid>)")]
    UnknownDocumentId(String),
    #[error("this document has no Holdfast header, so it is not a Holdfast campaign document")]
    MissingHeader,
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl From<autosurgeon::HydrateError> for CoreError {
    fn from(error: autosurgeon::HydrateError) -> Self {
        CoreError::Hydrate(Box::new(error))
    }
}

impl From<autosurgeon::ReconcileError> for CoreError {
    fn from(error: autosurgeon::ReconcileError) -> Self {
        CoreError::Reconcile(Box::new(error))
    }
}

impl From<automerge::AutomergeError> for CoreError {
    fn from(error: automerge::AutomergeError) -> Self {
        CoreError::Automerge(Box::new(error))
    }
}

impl CoreError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        CoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
