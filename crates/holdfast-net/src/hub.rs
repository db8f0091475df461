//! The hub: listens for devices and runs one session per connection.
//!
//! Each connection is its own task. Session work (Automerge, SQLite) runs on
//! the blocking pool with the campaign locked; the socket side never blocks.
//! A connection that panics is caught by its task: the campaign's in-memory
//! documents are dropped (disk holds only what committed), the event is
//! logged, and every other connection carries on.
//!
//! While the campaign is locked (or after it was wiped) the hub keeps
//! listening, and tells each device that connects why it cannot sync.
//!
//! Who gets a place, and who gives theirs up under a crowd, is decided by
//! [`crate::door`]. Refusals of peers that never proved a key are written
//! down at most once a minute (see [`Strangers`]), so a flood of garbage
//! connections costs the hub's disk next to nothing.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use holdfast_store::StoreError;
use holdfast_sync::{Config, Identity, Session, Status, SyncError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::door::{Door, DoorLimits, Place};
use crate::{lock, SharedVault};

/// How the hub runs.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// How places are shared: connections served at once, handshakes per
    /// address, syncs per device, memory for unfinished messages. A
    /// connection that gets no place is told the hub is busy and closed at
    /// once, instead of waiting in a queue behind stalled ones.
    pub door: DoorLimits,
    /// How long a connection may take to prove who it is. A client that
    /// connects and sends nothing (or dribbles a byte at a time) loses its
    /// place after this, whatever it does.
    pub handshake_timeout: Duration,
    /// How long an authenticated connection may stay silent.
    pub idle_timeout: Duration,
    /// Print a line per connection to standard error.
    pub log: bool,
}

impl Default for HubOptions {
    fn default() -> Self {
        HubOptions {
            door: DoorLimits::default(),
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            log: true,
        }
    }
}

/// What a device reads while the hub's campaign is locked.
const LOCKED: &str =
    "the hub is locked; sync again once someone at the hub has unlocked it with its passphrase";
/// What a device reads after the hub's campaign was wiped.
const NO_CAMPAIGN: &str = "the hub holds no campaign any more";

/// The addresses a device on the same network can reach this hub at:
/// every non-loopback IPv4 address of this computer, with the hub's port.
/// Invites carry them, since multicast discovery is often blocked.
pub fn local_addresses(port: u16) -> Vec<String> {
    let mut addresses: Vec<String> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|interface| !interface.is_loopback())
        .filter_map(|interface| match interface.ip() {
            std::net::IpAddr::V4(ip) => Some(format!("{ip}:{port}")),
            std::net::IpAddr::V6(_) => None,
        })
        .collect();
    addresses.sort();
    addresses.dedup();
    addresses
}

/// Binds the hub's listener.
pub async fn bind(address: &str) -> Result<TcpListener, crate::NetError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| crate::NetError::Listen {
            address: address.to_string(),
            source,
        })
}

/// Serves connections until the task is dropped or the listener fails.
pub async fn serve(
    campaign: SharedVault,
    identity: Identity,
    listener: TcpListener,
    options: HubOptions,
) -> Result<(), crate::NetError> {
    let door = Door::new(options.door);
    let strangers = Arc::new(Strangers::default());
    loop {
        let (socket, address) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Running out of file descriptors is passing trouble, not a
                // reason to stop serving everyone.
                eprintln!("hub: could not accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let place = match door.admit(address.ip()) {
            Ok(place) => place,
            Err(refusal) => {
                tokio::spawn(turn_away(socket, refusal.to_string()));
                continue;
            }
        };
        let campaign = campaign.clone();
        let identity = identity.clone();
        let options = options.clone();
        let strangers = strangers.clone();
        tokio::spawn(async move {
            let handle = tokio::spawn(connection(
                campaign.clone(),
                identity,
                socket,
                address,
                place,
                options.clone(),
                strangers,
            ));
            if handle.await.is_err() {
                let note = "the connection's task failed; it was closed";
                if options.log {
                    eprintln!("hub: {address}: {note}");
                }
                if let Ok(campaign) = lock(&campaign).campaign() {
                    let _ = campaign.record_sync_event(&address.to_string(), note);
                }
            }
        });
    }
}

/// Refusals of peers that never proved a key: written down (in the sync
/// events and on standard error) at most once a minute for each kind of
/// refusal, with a count of the ones in between, instead of once per
/// connection. The kinds are kept apart so that a flood of garbage never
/// hides a revoked phone's attempt from the steward for long.
#[derive(Default)]
pub struct Strangers {
    kinds: Mutex<HashMap<&'static str, StrangersState>>,
}

#[derive(Default)]
struct StrangersState {
    last_written: Option<Instant>,
    unwritten: usize,
}

/// How often refusals of strangers are written down.
const STRANGERS_EVERY: Duration = Duration::from_secs(60);

impl Strangers {
    /// Counts one refusal of a kind. When it is time to write one down,
    /// returns how many went unwritten since the last.
    pub fn refused(&self, kind: &'static str) -> Option<usize> {
        self.refused_at(Instant::now(), kind)
    }

    fn refused_at(&self, now: Instant, kind: &'static str) -> Option<usize> {
        let mut kinds = self
            .kinds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let state = kinds.entry(kind).or_default();
        let due = state
            .last_written
            .is_none_or(|last| now.duration_since(last) >= STRANGERS_EVERY);
        if !due {
            state.unwritten += 1;
            return None;
        }
        state.last_written = Some(now);
        Some(std::mem::take(&mut state.unwritten))
    }
}

/// A refusal as written down, with the ones left unwritten before it.
fn with_earlier(note: &str, earlier: usize) -> String {
    match earlier {
        0 => note.to_string(),
        1 => format!("{note} (and 1 more such refusal in the minute before)"),
        _ => format!("{note} (and {earlier} more such refusals in the minute before)"),
    }
}

/// Which kind of refusal a stranger's connection ended in.
fn refusal_kind(outcome: &Result<Status, String>) -> &'static str {
    match outcome {
        Ok(Status::Failed(SyncError::Revoked { .. })) => "revoked",
        Ok(Status::Failed(SyncError::Unpaired { .. })) => "unpaired",
        _ => "other",
    }
}

/// Tells a connection why it is closed (the hub is busy or locked),
/// without waiting on it.
async fn turn_away(mut socket: TcpStream, reason: impl AsRef<str>) {
    let reason = reason.as_ref();
    let mut refusal = Vec::new();
    holdfast_sync::frame::encode(
        holdfast_sync::frame::FrameKind::Refusal,
        reason.as_bytes(),
        &mut refusal,
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.write_all(&refusal)).await;
    let _ = socket.shutdown().await;
}

async fn connection(
    campaign: SharedVault,
    identity: Identity,
    mut socket: TcpStream,
    address: SocketAddr,
    mut place: Place,
    options: HubOptions,
    strangers: Arc<Strangers>,
) {
    let _ = socket.set_nodelay(true);
    let config = Config {
        collapse_heads: true,
        pause_after_handshake: true,
        peer_address: Some(address.to_string()),
        ..Config::default()
    };
    let mut session = Some(Session::accept(identity, config));
    let mut buffer = vec![0_u8; 16 * 1024];
    let handshake_deadline = tokio::time::Instant::now() + options.handshake_timeout;
    // Set once the device has proved its key and been given its place: what
    // it sent after the handshake is read from the session, not the socket.
    let mut resume = false;
    let outcome: Result<Status, String> = loop {
        let authenticated = session.as_ref().is_some_and(Session::is_authenticated);
        let deadline = if authenticated {
            tokio::time::Instant::now() + options.idle_timeout
        } else {
            handshake_deadline
        };
        let read = if std::mem::take(&mut resume) {
            Ok(Ok(None))
        } else {
            tokio::select! {
            biased;
            reason = place.give_way.asked() => {
                turn_away(socket, reason).await;
                break Err(format!("gave its place up: {reason}"));
            }
            read = tokio::time::timeout_at(deadline, socket.read(&mut buffer)) => {
                read.map(|read| read.map(Some))
            }
            }
        };
        let count = match read {
            Err(_) if !authenticated => {
                break Err(
                    "did not finish the handshake in time; the connection was dropped".into(),
                )
            }
            Err(_) => break Err("went silent; the connection was dropped".into()),
            Ok(Err(error)) => break Err(format!("connection failed: {error}")),
            Ok(Ok(Some(0))) => break Err("closed the connection before the sync finished".into()),
            Ok(Ok(Some(count))) => count,
            Ok(Ok(None)) => 0,
        };
        let bytes = buffer[..count].to_vec();
        let shared = campaign.clone();
        let mut running = session.take().expect("a session between reads");
        let step = tokio::task::spawn_blocking(move || {
            let mut vault = lock(&shared);
            let output = match vault.campaign() {
                Ok(campaign) => Ok(running.receive(campaign, &bytes)),
                Err(StoreError::Locked) => Err(LOCKED),
                Err(_) => Err(NO_CAMPAIGN),
            };
            (running, output)
        })
        .await;
        let (running, output) = match step {
            Ok((running, Ok(output))) => (running, output),
            Ok((running, Err(reason))) => {
                session = Some(running);
                turn_away(socket, reason).await;
                break Err(format!("was turned away: {reason}"));
            }
            Err(_) => break Err("Holdfast failed while handling this connection (a panic); it was closed and nothing half-done was kept".into()),
        };
        if let Some(key) = running.peer_key() {
            if let Err(refusal) = place.authenticated(key) {
                session = Some(running);
                let reason = refusal.to_string();
                turn_away(socket, &reason).await;
                break Err(format!("was turned away: {reason}"));
            }
            resume = !authenticated && running.is_authenticated();
        }
        place.holding(running.buffered_bytes());
        if !output.send.is_empty() && socket.write_all(&output.send).await.is_err() {
            break Err("the connection broke while sending".into());
        }
        match output.status {
            Status::Continue => session = Some(running),
            status => {
                let _ = socket.shutdown().await;
                session = Some(running);
                break Ok(status);
            }
        }
    };
    drop(place);
    // The sync events (which the steward reads on the hub) name the device
    // by its label; standard error, which may end up in any log, names it
    // by its key's fingerprint only.
    let peer = session
        .as_ref()
        .map(Session::peer_description)
        .unwrap_or_else(|| "an unidentified peer".to_string());
    let logged_peer = session
        .as_ref()
        .and_then(Session::peer_key)
        .map(|key| {
            format!(
                "device {}",
                holdfast_sync::identity::fingerprint_of_hex(key)
            )
        })
        .unwrap_or_else(|| "an unidentified peer".to_string());
    // What went wrong, for the sync events and for standard error.
    let trouble = match &outcome {
        Ok(Status::Failed(error)) => Some((
            format!("refused {peer}: {error}"),
            format!("refused {logged_peer}: {}", error.for_log()),
        )),
        Err(note) => Some((format!("{peer} {note}"), format!("{logged_peer} {note}"))),
        Ok(_) => None,
    };
    // A peer that never proved a key is written down at most once a minute.
    let stranger = session
        .as_ref()
        .is_none_or(|session| session.peer_key().is_none());
    if stranger {
        let Some((note, logged)) = trouble else {
            return;
        };
        let Some(earlier) = strangers.refused(refusal_kind(&outcome)) else {
            return;
        };
        if options.log {
            eprintln!("hub: {address}: {}", with_earlier(&logged, earlier));
        }
        if let Ok(campaign) = lock(&campaign).campaign() {
            let _ = campaign.record_sync_event(&address.to_string(), &with_earlier(&note, earlier));
        }
        return;
    }
    if let (true, Some((_, logged))) = (options.log, &trouble) {
        eprintln!("hub: {address}: {logged}");
    }
    let mut vault = lock(&campaign);
    // Locked or wiped meanwhile: there is nowhere to note what happened.
    let Ok(campaign) = vault.campaign() else {
        return;
    };
    match outcome {
        // The session noted the sync itself, in the commit of its last step.
        Ok(Status::Done(report)) => {
            if options.log {
                match &report.paired_device {
                    Some(_) => eprintln!("hub: {address}: paired {logged_peer}"),
                    None => eprintln!(
                        "hub: {address}: synced with {logged_peer} ({} documents, {} changes in, {} out)",
                        report.documents, report.changes_received, report.changes_sent
                    ),
                }
            }
        }
        Ok(Status::Continue) => {}
        Ok(Status::Failed(_)) | Err(_) => {
            if let Some((note, _)) = &trouble {
                let _ = campaign.record_sync_event(&address.to_string(), note);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_of_strangers_are_written_down_once_a_minute_with_a_count() {
        let strangers = Strangers::default();
        let start = Instant::now();
        let seconds = |count: u64| start + Duration::from_secs(count);
        assert_eq!(strangers.refused_at(seconds(0), "other"), Some(0));
        for second in 1..60 {
            assert_eq!(strangers.refused_at(seconds(second), "other"), None);
        }
        assert_eq!(
            strangers.refused_at(seconds(30), "revoked"),
            Some(0),
            "a revoked phone is not hidden behind garbage"
        );
        assert_eq!(strangers.refused_at(seconds(60), "other"), Some(59));
        assert_eq!(strangers.refused_at(seconds(61), "other"), None);
        assert_eq!(strangers.refused_at(seconds(200), "other"), Some(1));
        assert_eq!(with_earlier("refused", 0), "refused");
        assert_eq!(
            with_earlier("refused", 1),
            "refused (and 1 more such refusal in the minute before)"
        );
        assert_eq!(
            with_earlier("refused", 59),
            "refused (and 59 more such refusals in the minute before)"
        );
    }
}
