//! Starting a campaign on this device and looking after its data directory.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use holdfast_demo::DemoSize;
use holdfast_store::Campaign;
use serde::Serialize;

use super::Context;

#[derive(Subcommand)]
pub enum Command {
    /// Create a new campaign in the data directory.
    Init {
        /// What the campaign is called, e.g. "Contract 2026".
        name: String,
        /// The union local running it, e.g. "Local 1199".
        #[arg(long, default_value = "")]
        local: String,
    },
    /// Start the data directory from a campaign file that another device
    /// exported (`holdfast export`), as a newly paired device does.
    Join {
        /// The exported campaign document (a .automerge file).
        file: PathBuf,
    },
    /// Create a campaign filled with a realistic example local, to look around in.
    Demo {
        /// What the example campaign is called.
        #[arg(long, default_value = "A Fair Contract at Calloway")]
        name: String,
        #[arg(long, default_value = "Local 418")]
        local: String,
    },
    /// Fold each document's saved changes into one snapshot, to save space.
    Compact,
    /// Rebuild the lists and reports from the documents themselves.
    Reproject,
}

#[derive(Serialize)]
struct Created {
    campaign: String,
    local: String,
    data_dir: String,
    device_id: String,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    match command {
        Command::Init { name, local } => {
            let campaign = Campaign::create(&context.data_dir, &name, &local)?;
            let settings = campaign.settings()?;
            let created = Created {
                campaign: settings.campaign_name,
                local: settings.local_name,
                data_dir: context.data_dir.display().to_string(),
                device_id: campaign.device_id().to_string(),
            };
            output.show(&created, || {
                let local = if created.local.is_empty() {
                    String::new()
                } else {
                    format!(" for {}", created.local)
                };
                format!(
                    "Started the campaign \"{}\"{local} in {}.\n\
                     Next, add yourself with `holdfast member add \"Your Name\" --role steward`\n\
                     and link this device to you with `holdfast use-member \"Your Name\"`.",
                    created.campaign, created.data_dir
                )
            })
        }
        Command::Join { file } => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let campaign = Campaign::join(&context.data_dir, &bytes)?;
            let settings = campaign.settings()?;
            let created = Created {
                campaign: settings.campaign_name,
                local: settings.local_name,
                data_dir: context.data_dir.display().to_string(),
                device_id: campaign.device_id().to_string(),
            };
            output.show(&created, || {
                format!(
                    "Joined the campaign \"{}\" in {}.\n\
                     Import the other documents you were given with `holdfast import <FILE>`.",
                    created.campaign, created.data_dir
                )
            })
        }
        Command::Demo { name, local } => {
            let mut campaign = Campaign::create(&context.data_dir, &name, &local)?;
            let summary = holdfast_demo::seed(&mut campaign, &DemoSize::demo(), super::today())?;
            let steward = holdfast_demo::act_as_a_steward(&mut campaign)?;
            output.show(&summary, || {
                let mut text = format!(
                    "Created the example campaign \"{name}\" in {}: {} members at {} sites, \
                     {} past actions and {} to come.",
                    context.data_dir.display(),
                    summary.members,
                    summary.sites,
                    summary.past_actions,
                    summary.upcoming_actions
                );
                if let Some(steward) = &steward {
                    text.push_str(&format!(
                        "\nThis device acts as {}, a steward; change that with `holdfast use-member`.",
                        steward.name
                    ));
                }
                text.push_str("\nStart with `holdfast status`.");
                text
            })
        }
        Command::Compact => {
            let mut campaign = context.open()?;
            campaign.compact_all()?;
            let documents = campaign.documents()?.len();
            output.show(&serde_json::json!({ "compacted": documents }), || {
                format!(
                    "Compacted {}.",
                    crate::output::count(documents as i64, "document", "documents")
                )
            })
        }
        Command::Reproject => {
            let mut campaign = context.open()?;
            campaign.reproject_everything()?;
            let documents = campaign.documents()?.len();
            output.show(&serde_json::json!({ "reprojected": documents }), || {
                format!(
                    "Rebuilt the lists and reports from {}.",
                    crate::output::count(documents as i64, "document", "documents")
                )
            })
        }
    }
}
