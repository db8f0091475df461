//! Answers computed from the record. Every rule is a pure function of plain
//! records, so the store can feed it from SQLite projections and the tests can
//! feed it literals.

pub mod aid;
pub mod attendance;
pub mod attention;
pub mod cadence;
pub mod choke_map;
pub mod decisions;
pub mod sovereignty;
