//! The store's tests, one binary: real SQLite files in temporary directories.

mod convergence;
mod lifecycle;
mod merges;
mod projections;
mod support;
mod vault;
