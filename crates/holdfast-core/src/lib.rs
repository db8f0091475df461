//! The campaign record of a union local, as plain Rust over Automerge documents.
//!
//! This crate does no I/O: it knows what a campaign holds, how the record is
//! split into documents, how an edit is written into a document, and the rules
//! that turn the record into answers (the 48-hour choke-point set, the cadence,
//! strike pay, sovereignty gains, what needs attention). Storage lives in
//! `holdfast-store`; the command line and the app are shells around that.

pub mod authority;
pub mod documents;
pub mod error;
pub mod model;
pub mod rebase;
pub mod record;
pub mod rules;
pub mod sealed;
pub mod signing;
pub mod time;

pub use documents::{Audience, DocumentId, DocumentKind};
pub use error::CoreError;
pub use record::Record;
