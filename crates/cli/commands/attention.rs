//! What a merge of offline edits made inconsistent, waiting for a person.

use anyhow::Result;
use clap::Subcommand;

use super::{member_name, Context};
use crate::output::Table;

#[derive(Subcommand)]
pub enum Command {
    /// Things a merge made inconsistent, for a person to settle.
    #[command(subcommand)]
    Attention(AttentionCommand),
}

#[derive(Subcommand)]
pub enum AttentionCommand {
    /// List what needs attention.
    List,
    /// Record how an item was settled; it then leaves the list on every device.
    Resolve {
        /// The item's key, as `attention list` shows it.
        key: String,
        /// What was decided.
        #[arg(long, default_value = "")]
        note: String,
    },
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let Command::Attention(command) = command;
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        AttentionCommand::List => {
            let items = campaign.attention()?;
            output.show(&items, || {
                let mut table = Table::new(&["What", "Details", "Key"]);
                for item in &items {
                    table.row(vec![
                        item.kind.replace('_', " "),
                        item.summary.clone(),
                        item.key.clone(),
                    ]);
                }
                table.render_or("Nothing needs attention.")
            })
        }
        AttentionCommand::Resolve { key, note } => {
            let by = context.actor(&campaign)?;
            let resolution = campaign.resolve_attention(&key, &by, &note)?;
            output.show(&resolution, || {
                format!(
                    "Marked it settled by {}.",
                    member_name(&campaign, &resolution.resolved_by)
                )
            })
        }
    }
}
