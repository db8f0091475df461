//! Actions of every size, and the shifts of a picket.

use anyhow::Result;
use clap::Subcommand;
use holdfast_core::model::{Action, ActionKind, ChokePoint};
use holdfast_store::use_cases::actions::{NewAction, ShiftRoster};
use holdfast_store::use_cases::check_ins::Turnout;
use holdfast_store::Campaign;
use serde::Serialize;

use super::{site_name, Context};
use crate::output::{hours, when, Table};

#[derive(Subcommand)]
pub enum Command {
    /// Plan, list, show or cancel actions.
    #[command(subcommand)]
    Action(ActionCommand),
    /// Shifts of a picket: places, times and sign-ups.
    #[command(subcommand)]
    Shift(super::shifts::ShiftCommand),
}

#[derive(Subcommand)]
pub enum ActionCommand {
    /// Plan an action.
    Add {
        title: String,
        /// log_off, badge_flip, lunch_rally, informational_picket, mass_picket,
        /// strike_day or other.
        #[arg(long)]
        kind: ActionKind,
        /// When it starts, e.g. 2026-03-14T09:00:00Z.
        #[arg(long, value_name = "TIME")]
        starts: String,
        /// When it ends, e.g. 2026-03-14T13:00:00Z.
        #[arg(long, value_name = "TIME")]
        ends: String,
        /// The form it takes, compared across actions to keep them varied
        /// (the kind, if left out).
        #[arg(long, default_value = "")]
        tactic: String,
        #[arg(long)]
        site: Option<String>,
        /// A choke point it aims to close; repeat for several.
        #[arg(long = "choke", value_name = "POINT")]
        choke_points: Vec<String>,
    },
    /// List actions, soonest first.
    List,
    /// Show an action with its shifts and turnout.
    Show { action: String },
    /// Cancel an action. It stays in the record, marked cancelled.
    Cancel { action: String },
}

#[derive(Serialize)]
struct ActionDetail {
    action: Action,
    shifts: Vec<ShiftRoster>,
    turnout: Turnout,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        Command::Action(ActionCommand::Add {
            title,
            kind,
            starts,
            ends,
            tactic,
            site,
            choke_points,
        }) => {
            let action = campaign.create_action(NewAction {
                title,
                kind,
                tactic,
                site,
                starts_at: starts,
                ends_at: ends,
                choke_points,
            })?;
            output.show(&action, || {
                format!(
                    "Planned {} for {}. Its id is {}.",
                    action.title,
                    when(&action.starts_at),
                    action.id
                )
            })
        }
        Command::Action(ActionCommand::List) => {
            let actions = campaign.actions()?;
            output.show(&actions, || {
                let mut table = Table::new(&["Starts", "Title", "Kind", "Tactic", "Site", "Id"]);
                for action in &actions {
                    let title = if action.cancelled {
                        format!("{} (cancelled)", action.title)
                    } else {
                        action.title.clone()
                    };
                    table.row(vec![
                        when(&action.starts_at),
                        title,
                        action.kind.to_string(),
                        action.tactic.clone(),
                        site_name(&campaign, action.site_id.as_deref()),
                        action.id.clone(),
                    ]);
                }
                table.render_or("No actions yet. Plan one with `holdfast action add`.")
            })
        }
        Command::Action(ActionCommand::Show { action }) => {
            let action = campaign.resolve_action(&action)?;
            let shifts = campaign
                .shifts(&action.id)?
                .iter()
                .map(|shift| campaign.shift_roster(&shift.id))
                .collect::<Result<Vec<_>, _>>()?;
            let turnout = campaign.turnout(&action.id)?;
            let detail = ActionDetail {
                action,
                shifts,
                turnout,
            };
            output.show(&detail, || describe_action(&campaign, &detail))
        }
        Command::Action(ActionCommand::Cancel { action }) => {
            let action = campaign.cancel_action(&action)?;
            output.show(&action, || format!("Cancelled {}.", action.title))
        }
        Command::Shift(command) => super::shifts::run(context, &mut campaign, command),
    }
}

fn describe_action(campaign: &Campaign, detail: &ActionDetail) -> String {
    let action = &detail.action;
    let mut text = format!(
        "{}{}\n{} to {}\nKind: {}   Tactic: {}\n",
        action.title,
        if action.cancelled { " (cancelled)" } else { "" },
        when(&action.starts_at),
        when(&action.ends_at),
        action.kind,
        action.tactic
    );
    let site = site_name(campaign, action.site_id.as_deref());
    if !site.is_empty() {
        text.push_str(&format!("Site: {site}\n"));
    }
    if !action.choke_point_ids.is_empty() {
        let names: Vec<String> = action
            .choke_point_ids
            .iter()
            .map(|id| match campaign.find::<ChokePoint>(id) {
                Ok(Some(point)) => point.name,
                _ => id.clone(),
            })
            .collect();
        text.push_str(&format!("Aims to close: {}\n", names.join(", ")));
    }
    text.push('\n');
    text.push_str(&super::shifts::shift_table(campaign, &detail.shifts).render_or("No shifts."));
    text.push_str(&format!(
        "\n\nTurnout: {} came, {} still here, {} hours in all.",
        detail.turnout.turned_out,
        detail.turnout.still_here,
        hours(detail.turnout.hours)
    ));
    text
}
