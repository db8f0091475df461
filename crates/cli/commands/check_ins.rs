//! Checking in and out at an action, and turnout.

use anyhow::Result;
use clap::{Args, Subcommand};
use holdfast_core::model::{CheckIn, CheckKind};
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::Campaign;

use super::{member_name, Context};
use crate::output::{hours, when, Table};

#[derive(Subcommand)]
pub enum Command {
    /// Check in at an action: yourself, or someone else when you are the captain.
    Checkin(CheckArgs),
    /// Check out of a picket.
    Checkout(CheckArgs),
    /// Void a mistaken check-in or check-out. It stays in the record, marked.
    VoidCheck {
        /// The id printed when it was recorded, or shown by `holdfast checks`.
        id: String,
    },
    /// List every check-in and check-out at an action.
    Checks { action: String },
    /// How many people came to an action and how many hours they gave.
    Turnout { action: String },
}

#[derive(Args)]
pub struct CheckArgs {
    /// Action title or id.
    action: String,
    /// Who is checking in (yourself if left out).
    #[arg(long)]
    member: Option<String>,
    /// The shift id, for a picket with shifts.
    #[arg(long)]
    shift: Option<String>,
    /// When it happened, e.g. 2026-03-14T09:05:00Z (now if left out), for
    /// entering a paper sheet afterwards.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        Command::Checkin(args) => check(context, &mut campaign, args, CheckKind::In),
        Command::Checkout(args) => check(context, &mut campaign, args, CheckKind::Out),
        Command::VoidCheck { id } => {
            let check = campaign.void_check(&id)?;
            let name = member_name(&campaign, &check.member_id);
            output.show(&check, || {
                format!(
                    "Voided the check-{} of {name} at {}.",
                    check.kind,
                    when(&check.at)
                )
            })
        }
        Command::Checks { action } => {
            let action = campaign.resolve_action(&action)?;
            let checks = campaign.check_ins(Some(&action.id))?;
            output.show(&checks, || {
                let mut table = Table::new(&["When", "Who", "Kind", "Recorded by", "Voided", "Id"]);
                for check in &checks {
                    table.row(vec![
                        when(&check.at),
                        member_name(&campaign, &check.member_id),
                        check.kind.to_string(),
                        member_name(&campaign, &check.recorded_by),
                        if check.voided { "voided" } else { "" }.to_string(),
                        check.id.clone(),
                    ]);
                }
                table.render_or("No one has checked in yet.")
            })
        }
        Command::Turnout { action } => {
            let turnout = campaign.turnout(&action)?;
            output.show(&turnout, || {
                format!(
                    "{}: {} came, {} still here, {} hours given in all.",
                    turnout.title,
                    crate::output::count(turnout.turned_out as i64, "person", "people"),
                    turnout.still_here,
                    hours(turnout.hours)
                )
            })
        }
    }
}

fn check(
    context: &Context,
    campaign: &mut Campaign,
    args: CheckArgs,
    kind: CheckKind,
) -> Result<()> {
    // A check-in names who recorded it: whoever is acting on this device,
    // which is the member themself unless a captain is checking them in.
    let recorded_by = match &context.acting {
        Some(acting) => Some(acting.clone()),
        None => campaign.device_member()?,
    };
    let member = args.member.or_else(|| context.acting.clone());
    let request = CheckRequest {
        action: args.action,
        member,
        shift: args.shift,
        recorded_by,
        at: args.at,
    };
    let check: CheckIn = match kind {
        CheckKind::In => campaign.check_in(request)?,
        CheckKind::Out => campaign.check_out(request)?,
    };
    let name = member_name(campaign, &check.member_id);
    let action = campaign.resolve_action(&check.action_id)?;
    context.output.show(&check, || {
        let verb = match kind {
            CheckKind::In => "Checked in",
            CheckKind::Out => "Checked out",
        };
        format!(
            "{verb} {name} at {} ({}). Saved on this device.",
            action.title,
            when(&check.at)
        )
    })
}
