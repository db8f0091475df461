//! The shifts of a picket: where and when, how many people, and who signed up.

use anyhow::Result;
use clap::Subcommand;
use holdfast_core::model::Member;
use holdfast_store::use_cases::actions::{NewShift, ShiftRoster};
use holdfast_store::Campaign;

use super::{member_name, Context};
use crate::output::{when, Table};

#[derive(Subcommand)]
pub enum ShiftCommand {
    /// Add a shift to an action.
    Add {
        /// Action title or id.
        action: String,
        /// Where, e.g. "North gate".
        #[arg(long)]
        location: String,
        /// When it starts, e.g. 2026-03-14T06:00:00Z.
        #[arg(long, value_name = "TIME")]
        starts: String,
        /// When it ends, e.g. 2026-03-14T10:00:00Z.
        #[arg(long, value_name = "TIME")]
        ends: String,
        /// How many people the shift needs.
        #[arg(long)]
        capacity: i64,
        #[arg(long)]
        captain: Option<String>,
    },
    /// List an action's shifts with how full each one is.
    List { action: String },
    /// The captain's view of a shift: who signed up, who is here, who is missing.
    Roster { shift: String },
    /// Sign up for a shift (yourself, unless you name a member).
    Signup {
        shift: String,
        #[arg(long)]
        member: Option<String>,
    },
    /// Withdraw from a shift (yourself, unless you name a member).
    Withdraw {
        shift: String,
        #[arg(long)]
        member: Option<String>,
    },
}

pub fn shift_table(campaign: &Campaign, rosters: &[ShiftRoster]) -> Table {
    let mut table = Table::new(&[
        "Shift",
        "Location",
        "From",
        "To",
        "Signed up",
        "Here",
        "Captain",
    ]);
    for roster in rosters {
        let shift = &roster.shift;
        table.row(vec![
            shift.id.clone(),
            shift.location.clone(),
            when(&shift.starts_at),
            when(&shift.ends_at),
            format!("{} of {}", roster.signed_up.len(), shift.capacity),
            roster.here.len().to_string(),
            shift
                .captain_id
                .as_deref()
                .map(|id| member_name(campaign, id))
                .unwrap_or_default(),
        ]);
    }
    table
}

pub fn run(context: &Context, campaign: &mut Campaign, command: ShiftCommand) -> Result<()> {
    let output = &context.output;
    match command {
        ShiftCommand::Add {
            action,
            location,
            starts,
            ends,
            capacity,
            captain,
        } => {
            let shift = campaign.add_shift(
                &action,
                NewShift {
                    location,
                    starts_at: starts,
                    ends_at: ends,
                    capacity,
                    captain,
                },
            )?;
            output.show(&shift, || {
                format!(
                    "Added a shift for {} at {} from {}. Its id is {}.",
                    shift.capacity,
                    shift.location,
                    when(&shift.starts_at),
                    shift.id
                )
            })
        }
        ShiftCommand::List { action } => {
            let action = campaign.resolve_action(&action)?;
            let rosters = campaign
                .shifts(&action.id)?
                .iter()
                .map(|shift| campaign.shift_roster(&shift.id))
                .collect::<Result<Vec<_>, _>>()?;
            output.show(&rosters, || {
                shift_table(campaign, &rosters).render_or("This action has no shifts yet.")
            })
        }
        ShiftCommand::Roster { shift } => {
            let roster = campaign.shift_roster(&shift)?;
            output.show(&roster, || {
                let names = |members: &[Member]| {
                    if members.is_empty() {
                        "no one".to_string()
                    } else {
                        members
                            .iter()
                            .map(|member| member.name.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                };
                format!(
                    "{} from {} to {}\nSigned up ({} of {}): {}\nHere: {}\nNot here yet: {}\nStill needed: {}",
                    roster.shift.location,
                    when(&roster.shift.starts_at),
                    when(&roster.shift.ends_at),
                    roster.signed_up.len(),
                    roster.shift.capacity,
                    names(&roster.signed_up),
                    names(&roster.here),
                    names(&roster.missing),
                    roster.still_needed
                )
            })
        }
        ShiftCommand::Signup { shift, member } => {
            let member = context.member_or_actor(campaign, member)?;
            let signup = campaign.sign_up(&shift, &member)?;
            let name = member_name(campaign, &signup.member_id);
            output.show(&signup, || format!("Signed {name} up for the shift."))
        }
        ShiftCommand::Withdraw { shift, member } => {
            let member = context.member_or_actor(campaign, member)?;
            let signup = campaign.withdraw_signup(&shift, &member)?;
            let name = member_name(campaign, &signup.member_id);
            output.show(&signup, || {
                format!("{name} is no longer signed up for the shift.")
            })
        }
    }
}
