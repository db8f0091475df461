//! Decision forums: put a proposal, vote on it, close the vote.

use anyhow::Result;
use clap::Subcommand;
use holdfast_store::use_cases::decisions::{NewProposal, ProposalRow};

use super::Context;
use crate::output::Table;

#[derive(Subcommand)]
pub enum Command {
    /// Proposals members vote on, offline too, and their outcomes.
    #[command(subcommand)]
    Decision(DecisionCommand),
}

#[derive(Subcommand)]
pub enum DecisionCommand {
    /// Put a proposal to the members.
    Propose {
        title: String,
        /// What is proposed, in full.
        #[arg(long, default_value = "")]
        text: String,
        /// An option to vote for; give it once per option (yes, no and
        /// abstain when left out).
        #[arg(long = "option", value_name = "OPTION")]
        options: Vec<String>,
        /// When voting ends by itself (RFC 3339, e.g. 2026-12-10T18:00:00Z).
        #[arg(long, value_name = "INSTANT")]
        closes_at: Option<String>,
        /// The meeting it is taken to, by id.
        #[arg(long)]
        meeting: Option<String>,
    },
    /// Cast or change a vote (as --as, or this device's member).
    Vote { proposal: String, choice: String },
    /// Close the vote and record its count, as a facilitator.
    Close { proposal: String },
    /// List the proposals with their counts.
    List,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let Command::Decision(command) = command;
    let output = &context.output;
    let mut campaign = context.open()?;
    let acting = match &context.acting {
        Some(_) => Some(context.actor(&campaign)?),
        None => None,
    };
    match command {
        DecisionCommand::Propose {
            title,
            text,
            options,
            closes_at,
            meeting,
        } => {
            let proposal = campaign.propose(NewProposal {
                title,
                text,
                options,
                proposer: acting,
                meeting,
                closes_at,
            })?;
            output.show(&proposal, || {
                format!(
                    "Put \"{}\" to a vote ({}). Its id is {}.",
                    proposal.title,
                    proposal.options.join(", "),
                    proposal.id
                )
            })
        }
        DecisionCommand::Vote { proposal, choice } => {
            let vote = campaign.vote(&proposal, &choice, acting.as_deref())?;
            let proposal = campaign.resolve_proposal(&vote.proposal_id)?;
            output.show(&vote, || {
                format!("Voted {} on \"{}\".", vote.choice, proposal.title)
            })
        }
        DecisionCommand::Close { proposal } => {
            let proposal = campaign.close_proposal(&proposal, acting.as_deref())?;
            output.show(&proposal, || {
                let closing = proposal.closing.as_ref().expect("just closed");
                let counts = counts_text(&proposal.options, &closing.counts);
                match &closing.outcome {
                    Some(outcome) => format!(
                        "Closed \"{}\": {outcome} carried ({counts}).",
                        proposal.title
                    ),
                    None => format!(
                        "Closed \"{}\": no option carried ({counts}).",
                        proposal.title
                    ),
                }
            })
        }
        DecisionCommand::List => {
            let rows = campaign.proposals()?;
            output.show(&rows, || list(&rows))
        }
    }
}

fn counts_text(options: &[String], counts: &[i64]) -> String {
    options
        .iter()
        .zip(counts)
        .map(|(option, count)| format!("{option} {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(rows: &[ProposalRow]) -> String {
    let mut table = Table::new(&["Proposal", "Status", "Count", "Outcome", "Your vote", "Id"]);
    for row in rows {
        let status = if row.proposal.closing.is_some() {
            "closed".to_string()
        } else if row.open {
            match &row.proposal.closes_at {
                Some(at) => format!("open until {at}"),
                None => "open".to_string(),
            }
        } else {
            "voting over, not yet closed".to_string()
        };
        let mut count = counts_text(&row.proposal.options, &row.counts);
        if row.arrived_after_close > 0 {
            count.push_str(&format!(
                "; {} more arrived after the close, not counted",
                row.arrived_after_close
            ));
        }
        if row.disagreements > 0 {
            count.push_str(&format!(
                "; {} voted differently on two devices",
                row.disagreements
            ));
        }
        table.row(vec![
            row.proposal.title.clone(),
            status,
            count,
            match (&row.outcome, row.proposal.closing.is_some()) {
                (Some(outcome), _) => outcome.clone(),
                (None, true) => "none carried".into(),
                (None, false) => "none yet".into(),
            },
            row.my_choice.clone().unwrap_or_default(),
            row.proposal.id.clone(),
        ]);
    }
    table.render_or("No proposals yet. Put one with `holdfast decision propose`.")
}
