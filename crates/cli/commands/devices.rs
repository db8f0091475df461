//! Devices of the campaign: invites and pairing, the device list and
//! revocation, and bundles for a USB stick.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use clap::Subcommand;
use holdfast_core::model::Role;
use holdfast_net::background::LAST_HUB;
use holdfast_net::{client, hub, SharedVault, DEFAULT_PORT};
use holdfast_store::Vault;
use holdfast_sync::{bundle, pairing, Identity, Invite};
use serde::Serialize;

use super::sync::runtime;
use super::Context;
use crate::output::{when, Table};

#[derive(Subcommand)]
pub enum Command {
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
            let shared: SharedVault = Arc::new(Mutex::new(Vault::from(campaign)));
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
                let mut text = if summary.changed == 0 {
                    format!("{} held nothing new.", file.display())
                } else {
                    format!(
                        "Merged {} from {}.",
                        crate::output::count(summary.changed as i64, "document", "documents"),
                        file.display()
                    )
                };
                for refusal in &summary.refused {
                    text.push_str(&format!("\nRefused {refusal}"));
                }
                text
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
