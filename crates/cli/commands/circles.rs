//! Decompression circles after actions.

use anyhow::Result;
use clap::Subcommand;
use holdfast_core::model::{Circle, CIRCLE_ROUNDS};
use serde::Serialize;

use super::{member_name, Context};
use crate::output::{when, Table};

#[derive(Subcommand)]
pub enum Command {
    /// Decompression circles: which are due, the rounds, and what was shared.
    #[command(subcommand)]
    Circle(CircleCommand),
}

#[derive(Subcommand)]
pub enum CircleCommand {
    /// Actions that have ended with no circle held yet.
    Due,
    /// The rounds of a circle, in order, with minutes for each.
    Rounds,
    /// Record that a circle was held. What people said is not recorded.
    Record {
        /// Action title or id.
        action: String,
        /// Who facilitated (yourself if left out).
        #[arg(long)]
        facilitator: Option<String>,
        /// How many people took part.
        #[arg(long)]
        participants: i64,
        /// A round completed; repeat for several (all rounds if left out).
        #[arg(long = "round", value_name = "ROUND")]
        rounds: Vec<String>,
        /// When it was held, e.g. 2026-03-14T14:00:00Z (now if left out).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// List the circles held.
    List,
    /// Share a rest commitment with the campaign, by choice.
    ShareRest {
        /// The circle id.
        circle: String,
        /// What you will do to rest, e.g. "a day off with my kids on Sunday".
        commitment: String,
        /// Whose commitment it is (yours if left out).
        #[arg(long)]
        member: Option<String>,
    },
    /// Keep a private reflection on this device only. It is never sent anywhere.
    Reflect {
        /// Action title or id.
        action: String,
        /// The round it answers (worries, laughter, gratitude, rest).
        #[arg(long)]
        round: String,
        text: String,
    },
    /// Show the reflections kept on this device.
    Reflections,
}

#[derive(Serialize)]
struct Round {
    name: &'static str,
    minutes: u32,
    prompt: &'static str,
}

/// What the facilitator asks in each round. The record keeps only round
/// names, so the wording can change without touching any document.
fn prompt(round: &str) -> &'static str {
    match round {
        "worries" => "What worried you today, or still does?",
        "laughter" => "What made you laugh?",
        "gratitude" => "Who are you grateful to, and for what?",
        "rest" => "When will you rest, and how?",
        _ => "",
    }
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let Command::Circle(command) = command;
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        CircleCommand::Due => {
            let due = campaign.circles_due(&holdfast_core::time::now())?;
            output.show(&due, || {
                let mut table = Table::new(&["Action", "Ended"]);
                for item in &due {
                    table.row(vec![item.title.clone(), when(&item.ended_at)]);
                }
                table.render_or("No circle is due: every finished action has had one.")
            })
        }
        CircleCommand::Rounds => {
            let rounds: Vec<Round> = CIRCLE_ROUNDS
                .iter()
                .map(|(name, minutes)| Round {
                    name,
                    minutes: *minutes,
                    prompt: prompt(name),
                })
                .collect();
            output.show(&rounds, || {
                let total: u32 = rounds.iter().map(|round| round.minutes).sum();
                let mut table = Table::new(&["Round", "Minutes", "Ask"]);
                for round in &rounds {
                    table.row(vec![
                        round.name.to_string(),
                        round.minutes.to_string(),
                        round.prompt.to_string(),
                    ]);
                }
                format!(
                    "{}\n\nAbout {total} minutes in all. Put the phones away once the circle starts.",
                    table.render_or("")
                )
            })
        }
        CircleCommand::Record {
            action,
            facilitator,
            participants,
            rounds,
            at,
        } => {
            let facilitator = context.member_or_actor(&campaign, facilitator)?;
            let rounds = if rounds.is_empty() {
                CIRCLE_ROUNDS
                    .iter()
                    .map(|(name, _)| name.to_string())
                    .collect()
            } else {
                rounds
            };
            let circle = campaign.record_circle(
                &action,
                &facilitator,
                participants,
                rounds,
                at.as_deref(),
            )?;
            output.show(&circle, || {
                format!(
                    "Recorded the circle, facilitated by {} with {} taking part. Its id is {}.",
                    member_name(&campaign, &circle.facilitator_id),
                    circle.participant_count,
                    circle.id
                )
            })
        }
        CircleCommand::List => {
            let mut circles: Vec<Circle> = campaign.all()?;
            // Newest first, as a steward looks back over them.
            circles.sort_by(|left, right| right.held_at.cmp(&left.held_at));
            output.show(&circles, || {
                let mut table = Table::new(&["Held", "Action", "Facilitator", "People", "Id"]);
                for circle in &circles {
                    let action = campaign
                        .resolve_action(&circle.action_id)
                        .map(|action| action.title)
                        .unwrap_or_default();
                    table.row(vec![
                        when(&circle.held_at),
                        action,
                        member_name(&campaign, &circle.facilitator_id),
                        circle.participant_count.to_string(),
                        circle.id.clone(),
                    ]);
                }
                table.render_or("No circles held yet.")
            })
        }
        CircleCommand::ShareRest {
            circle,
            commitment,
            member,
        } => {
            let member = context.member_or_actor(&campaign, member)?;
            let shared = campaign.share_rest_commitment(&circle, &member, &commitment)?;
            output.show(&shared, || {
                format!(
                    "Shared {}'s rest commitment with the campaign.",
                    member_name(&campaign, &shared.member_id)
                )
            })
        }
        CircleCommand::Reflect {
            action,
            round,
            text,
        } => {
            let reflection = campaign.write_reflection(&action, &round, &text)?;
            output.show(&reflection, || {
                "Kept your reflection on this device. It is never sent to anyone.".to_string()
            })
        }
        CircleCommand::Reflections => {
            let reflections = campaign.reflections()?;
            output.show(&reflections, || {
                let mut table = Table::new(&["Written", "Round", "Reflection"]);
                for reflection in &reflections {
                    table.row(vec![
                        when(&reflection.written_at),
                        reflection.round.clone(),
                        reflection.text.clone(),
                    ]);
                }
                table.render_or("No reflections on this device.")
            })
        }
    }
}
