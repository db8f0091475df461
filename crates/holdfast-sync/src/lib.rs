//! Sync between Holdfast devices, without any I/O.
//!
//! A connection is a [`session::Session`]: bytes from the socket go in, bytes
//! for the socket come out, and the campaign is read and written through the
//! store. Sockets, timers and discovery live in `holdfast-net`.
//!
//! * [`frame`]: length-prefixed frames, with a size cap checked first.
//! * [`noise`]: the Noise handshakes (XX for sync, XXpsk3 for pairing).
//! * [`wire`]: the messages inside the encrypted channel.
//! * [`number`]: the LEB128 numbers every format here writes and reads.
//! * [`validate`]: checks Automerge sync messages before Automerge sees them.
//! * [`session`]: the per-connection state machine.
//! * [`pairing`]: the new device's side of redeeming an invite.
//! * [`invite`]: invite codes, links and QR codes.
//! * [`identity`]: this device's key pair.
//! * [`bundle`]: encrypted files of changes, for a USB stick.

pub mod bundle;
pub mod error;
pub mod frame;
pub mod identity;
pub mod invite;
pub mod noise;
pub mod number;
pub mod pairing;
pub mod session;
pub mod validate;
pub mod wire;

pub use error::{Result, SyncError};
pub use identity::Identity;
pub use invite::{Invite, InviteCode};
pub use session::{Config, Output, Report, Session, Status};
