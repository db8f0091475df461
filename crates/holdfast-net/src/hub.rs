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

use std::net::SocketAddr;
use std::time::Duration;

use holdfast_store::StoreError;
use holdfast_sync::{Config, Identity, Session, Status};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::{lock, SharedVault};

/// How the hub runs.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// Connections served at once. One more is told the hub is busy and
    /// closed at once, instead of waiting in a queue behind stalled ones.
    pub max_connections: usize,
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
            // Well under the usual limit of 1,024 open files per process.
            max_connections: 512,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            log: true,
        }
    }
}

/// What a connection over the limit reads before the hub closes it.
const BUSY: &str = "the hub is busy; try again in a minute";
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
    let places = std::sync::Arc::new(Semaphore::new(options.max_connections));
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
        let Ok(permit) = places.clone().try_acquire_owned() else {
            tokio::spawn(turn_away(socket, BUSY));
            continue;
        };
        let campaign = campaign.clone();
        let identity = identity.clone();
        let options = options.clone();
        tokio::spawn(async move {
            let handle = tokio::spawn(connection(
                campaign.clone(),
                identity,
                socket,
                address,
                options.clone(),
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
            drop(permit);
        });
    }
}

/// Tells a connection why it is closed (the hub is busy or locked),
/// without waiting on it.
async fn turn_away(mut socket: TcpStream, reason: &str) {
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
    options: HubOptions,
) {
    let _ = socket.set_nodelay(true);
    let config = Config {
        collapse_heads: true,
        ..Config::default()
    };
    let mut session = Some(Session::accept(identity, config));
    let mut buffer = vec![0_u8; 16 * 1024];
    let handshake_deadline = tokio::time::Instant::now() + options.handshake_timeout;
    let outcome: Result<Status, String> = loop {
        let authenticated = session.as_ref().is_some_and(Session::is_authenticated);
        let deadline = if authenticated {
            tokio::time::Instant::now() + options.idle_timeout
        } else {
            handshake_deadline
        };
        let read = tokio::time::timeout_at(deadline, socket.read(&mut buffer)).await;
        let count = match read {
            Err(_) if !authenticated => {
                break Err(
                    "did not finish the handshake in time; the connection was dropped".into(),
                )
            }
            Err(_) => break Err("went silent; the connection was dropped".into()),
            Ok(Err(error)) => break Err(format!("connection failed: {error}")),
            Ok(Ok(0)) => break Err("closed the connection before the sync finished".into()),
            Ok(Ok(count)) => count,
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
    let peer = session
        .as_ref()
        .map(Session::peer_description)
        .unwrap_or_else(|| "an unidentified peer".to_string());
    let mut vault = lock(&campaign);
    // Locked or wiped meanwhile: there is nowhere to note what happened.
    let Ok(campaign) = vault.campaign() else {
        if options.log {
            if let Err(note) = outcome {
                eprintln!("hub: {address}: {peer} {note}");
            }
        }
        return;
    };
    match outcome {
        Ok(Status::Done(report)) => {
            let _ = campaign.record_sync(
                &report.peer_key,
                &report.peer_device,
                &address.to_string(),
                report.changes_sent,
                report.changes_received,
            );
            if options.log {
                match &report.paired_device {
                    Some(_) => eprintln!("hub: {address}: paired {}", report.peer_label),
                    None => eprintln!(
                        "hub: {address}: synced with {} ({} documents, {} changes in, {} out)",
                        report.peer_label,
                        report.documents,
                        report.changes_received,
                        report.changes_sent
                    ),
                }
            }
        }
        Ok(Status::Failed(error)) => {
            let note = format!("refused {peer}: {error}");
            if options.log {
                eprintln!("hub: {address}: {note}");
            }
            let _ = campaign.record_sync_event(&address.to_string(), &note);
        }
        Ok(Status::Continue) => {}
        Err(note) => {
            let note = format!("{peer} {note}");
            if options.log {
                eprintln!("hub: {address}: {note}");
            }
            let _ = campaign.record_sync_event(&address.to_string(), &note);
        }
    }
}
