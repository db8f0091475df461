//! Cross-site committees: members, meetings and the facilitation rota.

use anyhow::Result;
use clap::Subcommand;
use holdfast_core::model::{Committee, Meeting};
use holdfast_store::Campaign;
use serde::Serialize;

use super::{member_name, member_names, Context};
use crate::output::Table;

#[derive(Subcommand)]
pub enum CommitteeCommand {
    /// Form a committee.
    Add {
        name: String,
        #[arg(long, default_value = "")]
        purpose: String,
        /// A founding member; repeat for several. They form the rota in this order.
        #[arg(long = "member", value_name = "MEMBER")]
        members: Vec<String>,
        /// The day it formed, YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        formed: Option<String>,
    },
    /// List committees with their members and who facilitates next.
    List,
    /// Add a member to a committee and its rota.
    Join { committee: String, member: String },
    /// Record a meeting. The facilitator is whoever the rota says is next
    /// unless you name one.
    Meet {
        committee: String,
        /// The day it met, YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        #[arg(long)]
        facilitator: Option<String>,
        /// Someone who came; repeat for several.
        #[arg(long = "attendee", value_name = "MEMBER")]
        attendees: Vec<String>,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Say whose turn it is to facilitate.
    NextFacilitator { committee: String },
}

#[derive(Serialize)]
struct CommitteeRow {
    committee: Committee,
    next_facilitator: Option<String>,
}

pub fn run(
    context: &Context,
    campaign: &mut Campaign,
    command: CommitteeCommand,
    today: &str,
) -> Result<()> {
    let output = &context.output;
    match command {
        CommitteeCommand::Add {
            name,
            purpose,
            members,
            formed,
        } => {
            let committee = campaign.add_committee(&name, &purpose, &members, formed.as_deref())?;
            output.show(&committee, || {
                format!(
                    "Formed the {} committee with {}.",
                    committee.name,
                    crate::output::count(committee.member_ids.len() as i64, "member", "members")
                )
            })
        }
        CommitteeCommand::List => {
            let mut rows = Vec::new();
            for committee in campaign.all::<Committee>()? {
                let next_facilitator = campaign.next_facilitator(&committee)?;
                rows.push(CommitteeRow {
                    committee,
                    next_facilitator,
                });
            }
            output.show(&rows, || {
                let mut table = Table::new(&["Committee", "Formed", "Members", "Next facilitator"]);
                for row in &rows {
                    table.row(vec![
                        row.committee.name.clone(),
                        row.committee.formed_on.clone(),
                        member_names(campaign, &row.committee.member_ids),
                        row.next_facilitator
                            .as_deref()
                            .map(|id| member_name(campaign, id))
                            .unwrap_or_default(),
                    ]);
                }
                table.render_or("No committees yet.")
            })
        }
        CommitteeCommand::Join { committee, member } => {
            let committee = campaign.join_committee(&committee, &member)?;
            output.show(&committee, || {
                format!(
                    "The {} committee now has {}.",
                    committee.name,
                    crate::output::count(committee.member_ids.len() as i64, "member", "members")
                )
            })
        }
        CommitteeCommand::Meet {
            committee,
            on,
            facilitator,
            attendees,
            notes,
        } => {
            let on = on.unwrap_or_else(|| today.to_string());
            let meeting: Meeting = campaign.record_meeting(
                &committee,
                &on,
                facilitator.as_deref(),
                &attendees,
                &notes,
            )?;
            output.show(&meeting, || {
                let facilitator = meeting
                    .facilitator_id
                    .as_deref()
                    .map(|id| member_name(campaign, id))
                    .unwrap_or_else(|| "no one".to_string());
                format!(
                    "Recorded the {committee} meeting on {}, facilitated by {facilitator}.",
                    meeting.held_on
                )
            })
        }
        CommitteeCommand::NextFacilitator { committee } => {
            let committee = campaign.resolve_committee(&committee)?;
            let next = campaign.next_facilitator(&committee)?;
            let name = next.as_deref().map(|id| member_name(campaign, id));
            output.show(
                &serde_json::json!({ "member_id": next, "name": name }),
                || match &name {
                    Some(name) => {
                        format!("{name} facilitates the next {} meeting.", committee.name)
                    }
                    None => format!("The {} committee has no one on its rota.", committee.name),
                },
            )
        }
    }
}
