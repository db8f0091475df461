//! Sync between devices: the hub, pairing by invite, one-off syncs, the
//! device list and revocation, and bundles for a USB stick.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context as _, Result};
use clap::{Subcommand, ValueEnum};
use holdfast_core::model::Role;
use holdfast_net::background::{self, BackgroundOptions, LAST_HUB};
use holdfast_net::discovery::{self, AdvertiseOptions, Interfaces};
use holdfast_net::{client, hub, SharedCampaign, DEFAULT_PORT};
use holdfast_sync::{bundle, pairing, Identity, Invite};
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
        /// Connections served at once; more are told the hub is busy.
        #[arg(long, default_value_t = 512)]
        max_connections: usize,
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
    /// Invite a new device for a member: prints a code to read out and a QR code.
    Invite {
        member: String,
        #[arg(long, default_value = "member")]
        role: String,
        /// Hours until the invite expires.
        #[arg(long, default_value_t = 24)]
        hours: i64,
        /// Where the new device finds the hub (host:port); repeatable. Without
        /// one, this computer's network addresses on the hub's default port.
        #[arg(long = "hub")]
        hubs: Vec<String>,
    },
    /// Pair this new device using an invite code or link; creates the data directory.
    Pair {
        /// The code (TTTT-SSSS-SSSS-SSSS) or the link from the QR code.
        invite: String,
        /// The hub's address (host:port), if the invite does not carry one.
        #[arg(long = "hub")]
        hubs: Vec<String>,
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
    /// List paired devices.
    Devices,
    /// Revoke a device: it is refused from its next connection on.
    Revoke { device: String },
    /// Encrypted files of changes, for carrying on a USB stick.
    #[command(subcommand)]
    Bundle(BundleCommand),
}

#[derive(Subcommand)]
pub enum BundleCommand {
    /// Write the changes another device lacks into one encrypted file.
    Export {
        file: PathBuf,
        /// Only what this paired device (id or label) has not yet received.
        #[arg(long = "for")]
        for_device: Option<String>,
    },
    /// Merge a bundle. Importing the same file twice, or an old one, is harmless.
    Import { file: PathBuf },
}

#[derive(Serialize)]
struct Issued {
    code: String,
    link: String,
    member: String,
    role: String,
    expires_at: String,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    match command {
        Command::Hub {
            address,
            port,
            discovery,
            max_connections,
            handshake_timeout,
            ui_address,
            ui_port,
            no_ui,
        } => {
            let options = hub::HubOptions {
                max_connections,
                handshake_timeout: Duration::from_secs(handshake_timeout),
                ..hub::HubOptions::default()
            };
            let ui = (!no_ui).then(|| format!("{ui_address}:{ui_port}"));
            run_hub(context, &address, port, discovery, options, ui)
        }
        Command::Invite {
            member,
            role,
            hours,
            hubs,
        } => {
            let mut campaign = context.open()?;
            let by = context.actor(&campaign)?;
            let role: Role = role.parse()?;
            let hubs = if hubs.is_empty() {
                hub::local_addresses(DEFAULT_PORT)
            } else {
                hubs
            };
            let (invite, record) =
                pairing::issue_invite(&mut campaign, &by, &member, role, hours, hubs)?;
            let issued = Issued {
                code: invite.code.display(),
                link: invite.link(),
                member: super::member_name(&campaign, &record.member_id),
                role: record.role.to_string(),
                expires_at: record.expires_at.clone(),
            };
            let qr = invite.qr_text()?;
            output.show(&issued, || {
                format!(
                    "{qr}\nInvite for {} as {} (one use, expires {}).\nCode to read out: {}\nLink: {}",
                    issued.member,
                    issued.role,
                    when(&issued.expires_at),
                    issued.code,
                    issued.link
                )
            })
        }
        Command::Pair { invite, hubs } => {
            let invite = Invite::parse(&invite)?;
            let runtime = runtime()?;
            let (campaign, address) =
                runtime.block_on(client::pair(&context.data_dir, invite, &hubs))?;
            let member = campaign
                .device_member()?
                .map(|id| super::member_name(&campaign, &id))
                .unwrap_or_default();
            let name = campaign.settings()?.campaign_name;
            campaign.set_local_value(LAST_HUB, &address)?;
            // The first full sync right away, so the phone leaves the hall
            // with the whole campaign, not just its outline.
            let shared: SharedCampaign = Arc::new(Mutex::new(campaign));
            let report = runtime.block_on(client::sync_with(shared, &address))?;
            let paired = Paired {
                campaign: name,
                member,
                hub: address,
                documents: report.documents,
            };
            output.show(&paired, || {
                format!(
                    "Paired with {} as {} through the hub at {}; fetched {}.",
                    paired.campaign,
                    paired.member,
                    paired.hub,
                    crate::output::count(paired.documents as i64, "document", "documents")
                )
            })
        }
        Command::Sync { peers, discovery } => {
            let mut campaign = context.open()?;
            let identity = Identity::of(&mut campaign)?;
            let tag = holdfast_sync::identity::discovery_tag(&campaign)?;
            let shared: SharedCampaign = Arc::new(Mutex::new(campaign));
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
                format!(
                    "Synced with {} at {}: {} documents compared, {} changes received, {} sent.",
                    summary.peer,
                    summary.address,
                    summary.documents,
                    summary.changes_received,
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
        Command::Devices => {
            let campaign = context.open()?;
            let devices = campaign.devices()?;
            output.show(&devices, || {
                let mut table = Table::new(&["Device", "Member", "Role", "Paired", "Status", "Id"]);
                for device in &devices {
                    table.row(vec![
                        device.label.clone(),
                        device
                            .member_id
                            .as_deref()
                            .map(|id| super::member_name(&campaign, id))
                            .unwrap_or_default(),
                        device.role.to_string(),
                        when(&device.paired_at),
                        match &device.revoked_at {
                            Some(at) => format!("revoked {}", when(at)),
                            None => "active".into(),
                        },
                        device.id.clone(),
                    ]);
                }
                table.render_or("No devices are paired yet; start the hub to list this one.")
            })
        }
        Command::Revoke { device } => {
            let mut campaign = context.open()?;
            let by = context.actor(&campaign)?;
            let revoked = campaign.revoke_device(&by, &device)?;
            output.show(&revoked, || {
                format!(
                    "Revoked {}. Devices refuse it from their next sync with a device that knows; sync the hub now to spread the word.",
                    revoked.label
                )
            })
        }
        Command::Bundle(BundleCommand::Export { file, for_device }) => {
            let mut campaign = context.open()?;
            Identity::of(&mut campaign)?;
            let (bytes, summary) = bundle::export(&mut campaign, for_device.as_deref())?;
            write_atomically(&file, &bytes)?;
            output.show(&summary, || {
                format!(
                    "Wrote {} ({} bytes, encrypted) to {}.",
                    crate::output::count(summary.documents as i64, "document", "documents"),
                    summary.bytes,
                    file.display()
                )
            })
        }
        Command::Bundle(BundleCommand::Import { file }) => {
            let mut campaign = context.open()?;
            let bytes = std::fs::read(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let summary = bundle::import(&mut campaign, &bytes)
                .with_context(|| format!("could not import {}", file.display()))?;
            output.show(&summary, || {
                if summary.changed == 0 {
                    format!("{} held nothing new.", file.display())
                } else {
                    format!(
                        "Merged {} from {}.",
                        crate::output::count(summary.changed as i64, "document", "documents"),
                        file.display()
                    )
                }
            })
        }
    }
}

#[derive(Serialize)]
struct Paired {
    campaign: String,
    member: String,
    hub: String,
    documents: usize,
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

fn runtime() -> Result<tokio::runtime::Runtime> {
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
    let mut campaign = context.open()?;
    let identity = Identity::of(&mut campaign)?;
    let tag = holdfast_sync::identity::discovery_tag(&campaign)?;
    let hall_key = holdfast_http::hall_key(&campaign)?;
    let ui_dir = match ui {
        Some(_) => Some(super::serve::find_ui_dir().ok_or_else(|| {
            anyhow!("could not find the web UI folder; set HOLDFAST_UI_DIR, or pass --no-ui")
        })?),
        None => None,
    };
    let shared: SharedCampaign = Arc::new(Mutex::new(campaign));
    let runtime = runtime()?;
    runtime.block_on(async move {
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
        if let (Some(ui), Some(ui_dir)) = (ui, ui_dir) {
            let listener = tokio::net::TcpListener::bind(&ui)
                .await
                .with_context(|| format!("could not serve the web UI on {ui}"))?;
            let ui_bound = listener.local_addr()?;
            println!(
                "Web UI on this computer: http://127.0.0.1:{}/",
                ui_bound.port()
            );
            if !ui_bound.ip().is_loopback() {
                for address in hub::local_addresses(ui_bound.port()) {
                    println!(
                        "Web UI for other computers at the hall (keep this link among stewards): {}",
                        holdfast_http::link_for(&address, &hall_key)
                    );
                }
            }
            let campaign = shared.clone();
            tokio::spawn(async move {
                if let Err(error) =
                    holdfast_http::serve_for_hall(listener, campaign, ui_dir, hall_key).await
                {
                    eprintln!("holdfast: the web UI stopped: {error}");
                }
            });
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

/// Writes a file so that a crash leaves either the old file or the new one,
/// never half of the new one.
fn write_atomically(file: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let temporary = file.with_extension("partial");
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("could not write {}", temporary.display()))?;
    std::fs::rename(&temporary, file)
        .with_context(|| format!("could not write {}", file.display()))?;
    Ok(())
}
