//! End-to-end tests of the `holdfast` program: each test runs the real
//! binary against its own temporary data directory and reads what it prints.

mod support;

mod actions;
mod aid;
mod authority;
mod cadence;
mod check_ins;
mod choke_points;
mod circles_and_skills;
mod crowd;
mod decisions;
mod erasure;
mod errors;
mod exchange;
mod members;
mod protection;
mod reports;
mod roster;
mod sync;
mod walk_ins;
