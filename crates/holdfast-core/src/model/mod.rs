//! The records of a campaign, one file per part of the product.
//!
//! Every record is a plain struct that Automerge stores (autosurgeon's
//! `Hydrate`/`Reconcile`) and that the store projects into SQLite as JSON
//! (serde). Records refer to each other by id; ids are random UUIDs in text.

mod actions;
mod aid;
mod attention;
mod cadence;
mod choke_points;
mod decisions;
mod devices;
mod macros;
mod people;
mod skills;

pub use actions::*;
pub use aid::*;
pub use attention::*;
pub use cadence::*;
pub use choke_points::*;
pub use decisions::*;
pub use devices::*;
pub use people::*;
pub use skills::*;

/// A fresh random id for a new record.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
