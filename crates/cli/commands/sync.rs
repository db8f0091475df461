//! Sync between devices: the hub, syncing now, and where this device stands.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context as _, Result};
use clap::{Subcommand, ValueEnum};
use holdfast_net::background::{self, BackgroundOptions};
use holdfast_net::discovery::{self, AdvertiseOptions, Interfaces};
use holdfast_net::{hub, lock, until_unlocked, SharedVault, DEFAULT_PORT};
use holdfast_store::Vault;
use holdfast_sync::Identity;
use serde::Serialize;

use super::Context;
use crate::output::{when, Table};

#[derive(Clone, Copy, ValueEnum)]
pub enum Discovery {
    /// Advertise and browse on every network interface but loopback.
    On,
    /// Do not use mDNS at all.
    Off,
    /// Only on this computer's loopback interface (for trying things out).
    Loopback,
}

impl Discovery {
    fn interfaces(self) -> Option<Interfaces> {
        match self {
            Discovery::On => Some(Interfaces::All),
            Discovery::Off => None,
            Discovery::Loopback => Some(Interfaces::LoopbackOnly),
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the sync hub: paired devices on this network sync through it.
    Hub {
        /// The address to listen on; the default answers the whole network.
        #[arg(long, default_value = "0.0.0.0")]
        address: String,
        #[arg(long, default_value_t = DEFAULT_PORT)]
        port: u16,
        /// Whether to announce the hub over mDNS.
        #[arg(long, value_enum, default_value = "on")]
        discovery: Discovery,
        /// Connections served at once. When all are taken, the oldest still
        /// proving who it is gives way; past that, newcomers are told the
        /// hub is busy.
        #[arg(long, default_value_t = 512)]
        max_connections: usize,
        /// Connections from one address that may be proving who they are
        /// at once; past that, that address's oldest gives way.
        #[arg(long, default_value_t = 64)]
        handshakes_per_address: usize,
        /// Seconds a connection may take to prove who it is.
        #[arg(long, default_value_t = 10)]
        handshake_timeout: u64,
        /// Where to serve the web UI. The default serves this computer only;
        /// 0.0.0.0 serves the hall, to browsers that open the printed link.
        #[arg(long, default_value = "127.0.0.1")]
        ui_address: String,
        /// The web UI's port; 0 picks a free one.
        #[arg(long, default_value_t = 8418)]
        ui_port: u16,
        /// Do not serve the web UI.
        #[arg(long)]
        no_ui: bool,
    },
    /// Sync now with a hub or peer (given, or found on the network).
    Sync {
        /// host:port of a hub or peer; repeatable.
        #[arg(long = "peer")]
        peers: Vec<String>,
        #[arg(long, value_enum, default_value = "on")]
        discovery: Discovery,
    },
    /// When this device last synced, with whom, and what has not left it yet.
    SyncStatus,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    match command {
        Command::Hub {
            address,
            port,
            discovery,
            max_connections,
            handshakes_per_address,
            handshake_timeout,
            ui_address,
            ui_port,
            no_ui,
        } => {
            let options = hub::HubOptions {
                door: holdfast_net::door::DoorLimits {
                    places: max_connections,
                    handshakes_per_address,
                    ..Default::default()
                },
                handshake_timeout: Duration::from_secs(handshake_timeout),
                ..hub::HubOptions::default()
            };
            let ui = (!no_ui).then(|| format!("{ui_address}:{ui_port}"));
            run_hub(context, &address, port, discovery, options, ui)
        }
        Command::Sync { peers, discovery } => {
            let mut campaign = context.open()?;
            let identity = Identity::of(&mut campaign)?;
            let tag = holdfast_sync::identity::discovery_tag(&campaign)?;
            let shared: SharedVault = Arc::new(Mutex::new(Vault::from(campaign)));
            let options = BackgroundOptions {
                hub_address: None,
                discovery: discovery.interfaces(),
                interval: Duration::from_secs(30),
                peers,
            };
            let (address, report) = runtime()?.block_on(background::sync_once(
                &shared,
                &options,
                &tag,
                &identity.fingerprint(),
            ))?;
            let summary = SyncSummary {
                peer: report.peer_label.clone(),
                address: address.clone(),
                documents: report.documents,
                changes_received: report.changes_received,
                changes_sent: report.changes_sent,
                bytes_sent: report.bytes_sent,
                bytes_received: report.bytes_received,
                round_trips: report.round_trips,
            };
            output.show(&summary, || {
                use crate::output::count;
                format!(
                    "Synced with {} at {}: {} compared, {} received, {} sent.",
                    summary.peer,
                    summary.address,
                    count(summary.documents as i64, "document", "documents"),
                    count(summary.changes_received as i64, "change", "changes"),
                    summary.changes_sent
                )
            })
        }
        Command::SyncStatus => {
            let campaign = context.open()?;
            let status = campaign.sync_status()?;
            output.show(&status, || {
                let mut table = Table::new(&["Device", "Address", "Last synced", "In", "Out"]);
                for peer in &status.peers {
                    table.row(vec![
                        peer.label.clone().unwrap_or_else(|| peer.device_id.clone()),
                        peer.address.clone(),
                        when(&peer.last_synced_at),
                        peer.changes_received.to_string(),
                        peer.changes_sent.to_string(),
                    ]);
                }
                let mut text = table.render_or("This device has not synced yet.");
                text.push_str(&format!(
                    "\n{} made here are not yet on any other device.",
                    crate::output::count(status.unsynced_local_changes, "change", "changes")
                ));
                for event in &status.recent_events {
                    text.push_str(&format!(
                        "\n{} {}: {}",
                        when(&event.at),
                        event.peer,
                        event.event
                    ));
                }
                text
            })
        }
    }
}

#[derive(Serialize)]
struct SyncSummary {
    peer: String,
    address: String,
    documents: usize,
    changes_received: usize,
    changes_sent: usize,
    bytes_sent: usize,
    bytes_received: usize,
    round_trips: usize,
}

/// The runtime for the commands that use the network.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Runtime::new().context("could not start the network runtime")
}

fn run_hub(
    context: &Context,
    address: &str,
    port: u16,
    discovery: Discovery,
    options: hub::HubOptions,
    ui: Option<String>,
) -> Result<()> {
    let vault = context.open_vault()?;
    if vault.is_locked() && ui.is_none() {
        return Err(anyhow!(
            "the campaign is locked with a passphrase and --no-ui leaves no way to unlock it; set HOLDFAST_PASSPHRASE"
        ));
    }
    let ui_dir = match ui {
        Some(_) => Some(super::serve::find_ui_dir().ok_or_else(|| {
            anyhow!("could not find the web UI folder; set HOLDFAST_UI_DIR, or pass --no-ui")
        })?),
        None => None,
    };
    let shared: SharedVault = Arc::new(Mutex::new(vault));
    let runtime = runtime()?;
    runtime.block_on(async move {
        // The web UI starts first: a campaign that starts locked is
        // unlocked there.
        let mut ui_bound = None;
        if let (Some(ui), Some(ui_dir)) = (ui, ui_dir) {
            let listener = tokio::net::TcpListener::bind(&ui)
                .await
                .with_context(|| format!("could not serve the web UI on {ui}"))?;
            ui_bound = Some(listener.local_addr()?);
            let vault = shared.clone();
            tokio::spawn(async move {
                if let Err(error) = holdfast_http::serve_for_hall(listener, vault, ui_dir).await {
                    eprintln!("holdfast: the web UI stopped: {error}");
                }
            });
        }
        let local_ui = |bound: SocketAddr| {
            println!(
                "Web UI on this computer: http://127.0.0.1:{}/",
                bound.port()
            );
        };
        let started_locked = lock(&shared).is_locked();
        if let (true, Some(bound)) = (started_locked, ui_bound) {
            local_ui(bound);
            println!("{}", super::serve::LOCKED_NOTE);
            println!("The sync hub starts once the campaign is unlocked.");
            tokio::select! {
                () = until_unlocked(&shared) => {}
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
        let (identity, tag, hall_key) = {
            let mut vault = lock(&shared);
            let campaign = vault.campaign()?;
            (
                Identity::of(campaign)?,
                holdfast_sync::identity::discovery_tag(campaign)?,
                holdfast_http::hall_key(campaign)?,
            )
        };
        let listener = hub::bind(&format!("{address}:{port}")).await?;
        let bound: SocketAddr = listener.local_addr()?;
        let _advertisement = match discovery.interfaces() {
            Some(interfaces) => Some(
                discovery::advertise(&AdvertiseOptions {
                    campaign_tag: tag,
                    device_fingerprint: identity.fingerprint(),
                    port: bound.port(),
                    interfaces,
                })
                .map_err(|error| anyhow!("could not announce the hub on the network: {error}"))?,
            ),
            None => None,
        };
        println!("Holdfast hub listening on {bound}");
        println!("Hub key fingerprint: {}", identity.fingerprint());
        if let (false, Some(bound)) = (started_locked, ui_bound) {
            local_ui(bound);
        }
        if let Some(ui_bound) = ui_bound.filter(|bound| !bound.ip().is_loopback()) {
            for link in holdfast_http::hall_links(ui_bound.port(), &hall_key) {
                println!(
                    "Web UI for other computers at the hall (keep this link among stewards): {link}"
                );
            }
        }
        println!("Press Ctrl-C to stop.");
        tokio::select! {
            result = hub::serve(shared, identity, listener, options) => {
                result.map_err(|error| anyhow!("the hub stopped: {error}"))
            }
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}
