//! The choke-point map and the 48-hour report.

use anyhow::Result;
use clap::Subcommand;
use holdfast_core::model::{ChokeKind, ChokePoint, Commitment};
use holdfast_store::use_cases::choke_points::NewChokePoint;
use serde::Serialize;

use super::{site_name, Context};
use crate::output::{hours, yes_no, Table};

#[derive(Subcommand)]
pub enum Command {
    /// Map what the employer's operation cannot run without.
    #[command(subcommand)]
    Choke(ChokeCommand),
}

#[derive(Subcommand)]
pub enum ChokeCommand {
    /// Add a choke point.
    Add {
        name: String,
        /// site, process, system or deadline.
        #[arg(long, default_value = "site")]
        kind: ChokeKind,
        /// How many hours the operation keeps running once this stops.
        #[arg(long)]
        hours: f64,
        /// People needed to close it.
        #[arg(long, default_value_t = 0)]
        people: i64,
        #[arg(long)]
        site: Option<String>,
        /// Management can route the work around this point.
        #[arg(long)]
        routable: bool,
        /// A choke point this one cannot run without; repeat for several.
        #[arg(long = "depends-on", value_name = "POINT")]
        depends_on: Vec<String>,
        /// What to do if management moves the work or the plan fails.
        #[arg(long, default_value = "")]
        contingency: String,
    },
    /// Record that POINT cannot run without ON.
    Depend { point: String, on: String },
    /// Commit a member (yourself by default) to closing a choke point.
    Commit {
        point: String,
        #[arg(long)]
        member: Option<String>,
    },
    /// Take back a commitment to close a choke point (your own by default).
    Withdraw {
        point: String,
        #[arg(long)]
        member: Option<String>,
    },
    /// Change what to do at POINT if management moves the work or the plan
    /// fails ("" removes the plan).
    Plan { point: String, plan: String },
    /// List the map.
    List,
    /// Which points freeze the operation within a number of hours, and how
    /// many people each still needs.
    Report {
        #[arg(long, default_value_t = 48.0)]
        hours: f64,
    },
}

#[derive(Serialize)]
struct PointRow {
    #[serde(flatten)]
    point: ChokePoint,
    people_committed: usize,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let Command::Choke(command) = command;
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        ChokeCommand::Add {
            name,
            kind,
            hours,
            people,
            site,
            routable,
            depends_on,
            contingency,
        } => {
            let point = campaign.add_choke_point(NewChokePoint {
                name,
                kind,
                site,
                hours_to_freeze: hours,
                routable,
                depends_on,
                people_needed: people,
                contingency,
            })?;
            output.show(&point, || format!("Mapped the choke point {}.", point.name))
        }
        ChokeCommand::Depend { point, on } => {
            let point = campaign.add_dependency(&point, &on)?;
            let dependency = campaign.resolve_choke_point(&on)?;
            output.show(&point, || {
                format!("{} now depends on {}.", point.name, dependency.name)
            })
        }
        ChokeCommand::Commit { point, member } => {
            let member = context.member_or_actor(&campaign, member)?;
            let commitment = campaign.commit_to_choke_point(&point, &member)?;
            let point = campaign.resolve_choke_point(&commitment.choke_point_id)?;
            let name = super::member_name(&campaign, &commitment.member_id);
            output.show(&commitment, || {
                format!("{name} is committed to closing {}.", point.name)
            })
        }
        ChokeCommand::Withdraw { point, member } => {
            let member = context.member_or_actor(&campaign, member)?;
            let withdrawn = campaign.withdraw_commitment(&point, &member)?;
            let point = campaign.resolve_choke_point(&withdrawn.choke_point_id)?;
            let name = super::member_name(&campaign, &withdrawn.member_id);
            output.show(&withdrawn, || {
                format!("{name} is no longer committed to closing {}.", point.name)
            })
        }
        ChokeCommand::Plan { point, plan } => {
            let point = campaign.set_contingency(&point, &plan)?;
            output.show(&point, || {
                if point.contingency.is_empty() {
                    format!("{} has no contingency plan now.", point.name)
                } else {
                    format!(
                        "The plan for {} if it fails: {}",
                        point.name, point.contingency
                    )
                }
            })
        }
        ChokeCommand::List => {
            let points: Vec<ChokePoint> = campaign.all()?;
            let commitments: Vec<Commitment> = campaign.all()?;
            let rows: Vec<PointRow> = points
                .into_iter()
                .map(|point| PointRow {
                    people_committed: commitments
                        .iter()
                        .filter(|commitment| {
                            commitment.choke_point_id == point.id && commitment.is_active()
                        })
                        .count(),
                    point,
                })
                .collect();
            output.show(&rows, || {
                let name_of = |id: &String| {
                    rows.iter()
                        .find(|row| &row.point.id == id)
                        .map_or_else(|| id.clone(), |row| row.point.name.clone())
                };
                let mut table = Table::new(&[
                    "Choke point",
                    "Kind",
                    "Site",
                    "Hours to freeze",
                    "Routable",
                    "People",
                    "Depends on",
                    "If it fails",
                ]);
                for row in &rows {
                    table.row(vec![
                        row.point.name.clone(),
                        row.point.kind.to_string(),
                        site_name(&campaign, row.point.site_id.as_deref()),
                        hours(row.point.hours_to_freeze),
                        yes_no(row.point.routable),
                        format!("{} of {}", row.people_committed, row.point.people_needed),
                        row.point
                            .depends_on
                            .iter()
                            .map(name_of)
                            .collect::<Vec<_>>()
                            .join(", "),
                        row.point.contingency.clone(),
                    ]);
                }
                table.render_or("The map is empty. Add a point with `holdfast choke add`.")
            })
        }
        ChokeCommand::Report { hours: horizon } => {
            let rows = campaign.freeze_report(horizon)?;
            output.show(&rows, || {
                let mut table = Table::new(&[
                    "Close this",
                    "Freezes in",
                    "Through",
                    "Needed",
                    "Committed",
                    "Still needed",
                ]);
                for row in &rows {
                    table.row(vec![
                        row.name.clone(),
                        format!("{} h", hours(row.hours_to_freeze)),
                        row.frozen_through.clone(),
                        row.people_needed.to_string(),
                        row.people_committed.to_string(),
                        row.people_still_needed.to_string(),
                    ]);
                }
                let plans: Vec<String> = rows
                    .iter()
                    .filter(|row| !row.contingency.is_empty())
                    .map(|row| format!("  {}: {}", row.name, row.contingency))
                    .collect();
                let short: i64 = rows.iter().map(|row| row.people_still_needed).sum();
                let mut text = format!(
                    "Closing any of these freezes the operation within {horizon} hours:\n\n"
                );
                text.push_str(&table.render_or(""));
                text.push_str(&match short {
                    0 => "\n\nEvery point on this list has enough people committed.".to_string(),
                    1 => "\n\nOne more committed person is needed.".to_string(),
                    _ => format!("\n\n{short} more committed people are needed in all."),
                });
                if !plans.is_empty() {
                    text.push_str("\n\nIf a point fails or the work is moved:\n");
                    text.push_str(&plans.join("\n"));
                }
                if rows.is_empty() {
                    format!(
                        "No choke point on the map freezes the operation within {horizon} hours."
                    )
                } else {
                    text
                }
            })
        }
    }
}
