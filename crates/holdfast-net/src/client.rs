//! The connecting side: sync with a hub or peer, or pair with a hub.

use std::path::Path;
use std::time::Duration;

use holdfast_store::Campaign;
use holdfast_sync::pairing::{self, Pairing, PairingStatus};
use holdfast_sync::{Config, Identity, Invite, Report, Session, Status};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{lock, NetError, SharedVault};

/// How long to wait for a hub to answer.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

async fn connect(address: &str, from: Option<std::net::IpAddr>) -> Result<TcpStream, NetError> {
    let connecting = async {
        let Some(from) = from else {
            return TcpStream::connect(address).await;
        };
        // A chosen source address: the load bench gives each simulated
        // phone one of its own on the loopback network, as phones on the
        // hall's wifi each have their own.
        let target = tokio::net::lookup_host(address)
            .await?
            .find(|target| target.is_ipv4() == from.is_ipv4())
            .ok_or_else(|| std::io::Error::other("no address of the same family"))?;
        let socket = if from.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.bind(std::net::SocketAddr::new(from, 0))?;
        socket.connect(target).await
    };
    let socket = tokio::time::timeout(ANSWER_TIMEOUT, connecting)
        .await
        .map_err(|_| NetError::Timeout {
            address: address.to_string(),
            seconds: ANSWER_TIMEOUT.as_secs(),
        })?
        .map_err(|source| NetError::Connect {
            address: address.to_string(),
            source,
        })?;
    let _ = socket.set_nodelay(true);
    Ok(socket)
}

async fn read_some(
    socket: &mut TcpStream,
    buffer: &mut [u8],
    address: &str,
) -> Result<usize, NetError> {
    match tokio::time::timeout(ANSWER_TIMEOUT, socket.read(buffer)).await {
        Err(_) => Err(NetError::Timeout {
            address: address.to_string(),
            seconds: ANSWER_TIMEOUT.as_secs(),
        }),
        Ok(Err(source)) => Err(NetError::Io {
            address: address.to_string(),
            source,
        }),
        Ok(Ok(0)) => Err(NetError::Closed {
            address: address.to_string(),
        }),
        Ok(Ok(count)) => Ok(count),
    }
}

/// Syncs once with the hub or peer at `address`.
pub async fn sync_with(campaign: SharedVault, address: &str) -> Result<Report, NetError> {
    sync_from(campaign, address, None).await
}

/// [`sync_with`], connecting from the local address `from` when given.
pub async fn sync_from(
    campaign: SharedVault,
    address: &str,
    from: Option<std::net::IpAddr>,
) -> Result<Report, NetError> {
    let identity = Identity::of(lock(&campaign).campaign()?)?;
    let mut socket = connect(address, from).await?;
    let config = Config {
        peer_address: Some(address.to_string()),
        ..Config::default()
    };
    let (mut session, first) = Session::connect(identity, config)?;
    write(&mut socket, &first, address).await?;
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let count = read_some(&mut socket, &mut buffer, address).await?;
        let bytes = buffer[..count].to_vec();
        let shared = campaign.clone();
        let (returned, output) = tokio::task::spawn_blocking(move || {
            let mut vault = lock(&shared);
            let output = vault
                .campaign()
                .map(|campaign| session.receive(campaign, &bytes));
            (session, output)
        })
        .await
        .map_err(|_| NetError::TaskFailed)?;
        session = returned;
        // Locked (or wiped) halfway: the round stops; nothing half-done was kept.
        let output = output?;
        write(&mut socket, &output.send, address).await?;
        match output.status {
            Status::Continue => continue,
            Status::Done(report) => {
                // The session noted the sync in the commit of its last step.
                let _ = socket.shutdown().await;
                return Ok(report);
            }
            Status::Failed(source) => {
                let _ = socket.shutdown().await;
                if let Ok(campaign) = lock(&campaign).campaign() {
                    let _ = campaign.record_sync_event(address, &source.to_string());
                }
                return Err(NetError::Sync {
                    address: address.to_string(),
                    source,
                });
            }
        }
    }
}

async fn write(socket: &mut TcpStream, bytes: &[u8], address: &str) -> Result<(), NetError> {
    if bytes.is_empty() {
        return Ok(());
    }
    socket
        .write_all(bytes)
        .await
        .map_err(|source| NetError::Io {
            address: address.to_string(),
            source,
        })
}

/// Pairs this (new) device with a hub and creates its data directory.
/// Tries the addresses in the invite, then `extra` ones. Returns the
/// campaign and the address that answered.
pub async fn pair(
    data_dir: &Path,
    invite: Invite,
    extra: &[String],
) -> Result<(Campaign, String), NetError> {
    let mut addresses: Vec<String> = invite.hubs.clone();
    addresses.extend(extra.iter().cloned());
    if addresses.is_empty() {
        return Err(NetError::NoHub);
    }
    let identity = Identity::generate()?;
    let device_id = uuid_v4();
    let mut last_error = NetError::NoHub;
    for address in &addresses {
        match pair_at(address, &invite, &identity, &device_id).await {
            Ok(welcome) => {
                let campaign = pairing::settle(data_dir, &welcome, &identity, &device_id)?;
                return Ok((campaign, address.clone()));
            }
            Err(error @ NetError::Sync { .. }) => return Err(error),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

async fn pair_at(
    address: &str,
    invite: &Invite,
    identity: &Identity,
    device_id: &str,
) -> Result<pairing::Welcome, NetError> {
    let mut socket = connect(address, None).await?;
    let (mut pairing, first) = Pairing::start(invite.clone(), identity, device_id)?;
    write(&mut socket, &first, address).await?;
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        // A hub that proves the invite's tag but not its secret closes the
        // connection without a word (it cannot encrypt one to a device that
        // failed the handshake): that is a code typed or read out wrong.
        let count =
            read_some(&mut socket, &mut buffer, address)
                .await
                .map_err(|error| match error {
                    NetError::Closed { address } => NetError::InviteNotAccepted { address },
                    other => other,
                })?;
        let (send, status) =
            pairing
                .receive(&buffer[..count])
                .map_err(|source| NetError::Sync {
                    address: address.to_string(),
                    source,
                })?;
        write(&mut socket, &send, address).await?;
        if let PairingStatus::Welcomed(welcome) = status {
            let _ = socket.shutdown().await;
            return Ok(welcome);
        }
    }
}

fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}
