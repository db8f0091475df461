//! Arbitrary bytes from the socket, handed to a hub's side of a sync
//! connection that has not yet seen a hello, in pieces cut where the input
//! says (see `holdfast_fuzz::split_chunks`). However the bytes arrive, the
//! session must answer with bytes to send and a status, never a panic.
//!
//! Only the clear-text part of the protocol is reachable this way: the hello,
//! the invite lookup and the first Noise handshake message. Everything after
//! that is encrypted under keys the responder makes afresh for each
//! connection, so no fixed input gets past it; the messages inside the
//! channel have targets of their own (`wire_message`, `sync_message`).

#![no_main]

use holdfast_fuzz::{split_chunks, Slot};
use holdfast_sync::{Config, Session, Status};
use libfuzzer_sys::fuzz_target;

/// A responder only reads the campaign before the handshake completes (the
/// invite lookup), so one campaign serves every run.
static FIXTURE: Slot = Slot::new(0);

fuzz_target!(|data: &[u8]| {
    let mut fixture = FIXTURE.get();
    let identity = fixture.identity.clone();
    let mut session = Session::accept(identity, Config::default());
    for chunk in split_chunks(data) {
        let output = session.receive(&mut fixture.campaign, chunk);
        // A real connection is closed once the session is done or has failed,
        // so nothing more is handed to it.
        if !matches!(output.status, Status::Continue) {
            break;
        }
    }
});
