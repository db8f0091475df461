//! Walk-ins: checking in someone the roster does not know yet, and the
//! steward's choice afterwards (a new member, or one already listed).

use anyhow::Result;
use clap::Subcommand;
use holdfast_store::use_cases::walk_ins::NewWalkIn;

use super::Context;
use crate::output::{when, Table};

#[derive(Subcommand)]
pub enum Command {
    /// Check in someone who is not on the member list yet, as a captain.
    #[command(subcommand)]
    WalkIn(WalkInCommand),
}

#[derive(Subcommand)]
pub enum WalkInCommand {
    /// Check a walk-in in at an action (the captain is `--as`, or this
    /// device's member).
    Add {
        /// Action title or id.
        action: String,
        /// Their name, as they give it.
        name: String,
        #[arg(long)]
        phone: Option<String>,
        /// The shift id, for a picket with shifts.
        #[arg(long)]
        shift: Option<String>,
        /// When they arrived (now if left out), for a paper sheet.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Walk-ins waiting for a steward.
    List,
    /// Add a walk-in to the members (a steward's call).
    Confirm {
        /// Walk-in name or id.
        walk_in: String,
    },
    /// Say a walk-in is a member already listed (a steward's call): their
    /// check-ins count as that member's.
    Merge {
        /// Walk-in name or id.
        walk_in: String,
        /// The member they are, by name or id.
        into: String,
    },
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let Command::WalkIn(command) = command;
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        WalkInCommand::Add {
            action,
            name,
            phone,
            shift,
            at,
        } => {
            let walked_in = campaign.walk_in(NewWalkIn {
                action,
                name,
                phone,
                shift,
                captain: context.acting.clone(),
                at,
            })?;
            let action = campaign.resolve_action(&walked_in.check_in.action_id)?;
            output.show(&walked_in, || {
                format!(
                    "Checked in {} at {} ({}), a walk-in until a steward adds them to the members.",
                    walked_in.person.name,
                    action.title,
                    when(&walked_in.check_in.at)
                )
            })
        }
        WalkInCommand::List => {
            let rows = campaign.walk_ins()?;
            output.show(&rows, || {
                let mut table = Table::new(&["Name", "Phone", "At", "When", "Checked in by", "Id"]);
                for row in &rows {
                    table.row(vec![
                        row.person.name.clone(),
                        row.person.phone.clone().unwrap_or_default(),
                        row.action_title.clone(),
                        row.at.as_deref().map(when).unwrap_or_default(),
                        row.recorded_by.clone().unwrap_or_default(),
                        row.person.id.clone(),
                    ]);
                }
                table.render_or("No walk-ins are waiting.")
            })
        }
        WalkInCommand::Confirm { walk_in } => {
            let by = context.actor(&campaign)?;
            let member = campaign.add_walk_in_as_member(&walk_in, &by)?;
            output.show(&member, || format!("{} is a member now.", member.name))
        }
        WalkInCommand::Merge { walk_in, into } => {
            let by = context.actor(&campaign)?;
            let member = campaign.merge_walk_in(&walk_in, &into, &by)?;
            output.show(&member, || {
                format!(
                    "Merged the walk-in into {}: their check-ins count as theirs.",
                    member.name
                )
            })
        }
    }
}
