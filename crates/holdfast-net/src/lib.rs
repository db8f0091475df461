//! The network edge of sync.
pub mod discovery;
