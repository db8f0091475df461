//! The shape of the local: sites, departments, committees and the practices
//! workers run for themselves.

use anyhow::Result;
use clap::Subcommand;
use holdfast_core::model::{Department, Practice, PracticeEvent, PracticeKind, Site};

use super::{site_name, today, Context};
use crate::output::Table;

#[derive(Subcommand)]
pub enum Command {
    /// Workplaces of the local.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Departments within a site.
    #[command(subcommand)]
    Department(DepartmentCommand),
    /// Cross-site committees, their meetings and facilitation rota.
    #[command(subcommand)]
    Committee(super::committees::CommitteeCommand),
    /// Practices workers run themselves: safety inspections, grievance panels, forums.
    #[command(subcommand)]
    Practice(PracticeCommand),
}

#[derive(Subcommand)]
pub enum SiteCommand {
    /// Add a site.
    Add {
        name: String,
        #[arg(long)]
        address: Option<String>,
    },
    /// List the sites.
    List,
}

#[derive(Subcommand)]
pub enum DepartmentCommand {
    /// Add a department to a site.
    Add {
        /// Site name or id.
        site: String,
        name: String,
    },
    /// List departments with their sites.
    List,
}

#[derive(Subcommand)]
pub enum PracticeCommand {
    /// Record that a practice has started.
    Start {
        name: String,
        /// safety_inspection, grievance_panel, decision_forum or other.
        #[arg(long)]
        kind: PracticeKind,
        /// YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        #[arg(long)]
        site: Option<String>,
    },
    /// Record one occasion the practice was carried out.
    Held {
        practice: String,
        /// YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        #[arg(long, default_value_t = 0)]
        participants: i64,
    },
    /// List the practices.
    List,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    let mut campaign = context.open()?;
    let today = today().format("%Y-%m-%d").to_string();
    match command {
        Command::Site(SiteCommand::Add { name, address }) => {
            let site = campaign.add_site(&name, address)?;
            output.show(&site, || format!("Added the site {}.", site.name))
        }
        Command::Site(SiteCommand::List) => {
            let mut sites: Vec<Site> = campaign.all()?;
            sites.sort_by(|left, right| left.name.cmp(&right.name));
            output.show(&sites, || {
                let mut table = Table::new(&["Site", "Address"]);
                for site in &sites {
                    table.row(vec![
                        site.name.clone(),
                        site.address.clone().unwrap_or_default(),
                    ]);
                }
                table.render_or("No sites yet. Add one with `holdfast site add <NAME>`.")
            })
        }
        Command::Department(DepartmentCommand::Add { site, name }) => {
            let department = campaign.add_department(&site, &name)?;
            let site = site_name(&campaign, Some(&department.site_id));
            output.show(&department, || {
                format!("Added the department {} at {site}.", department.name)
            })
        }
        Command::Department(DepartmentCommand::List) => {
            let departments: Vec<Department> = campaign.all()?;
            output.show(&departments, || {
                let mut table = Table::new(&["Department", "Site"]);
                for department in &departments {
                    table.row(vec![
                        department.name.clone(),
                        site_name(&campaign, Some(&department.site_id)),
                    ]);
                }
                table.render_or("No departments yet.")
            })
        }
        Command::Committee(command) => {
            super::committees::run(context, &mut campaign, command, &today)
        }
        Command::Practice(PracticeCommand::Start {
            name,
            kind,
            on,
            site,
        }) => {
            let on = on.unwrap_or_else(|| today.clone());
            let practice = campaign.start_practice(&name, kind, &on, site.as_deref())?;
            output.show(&practice, || {
                format!("Started {} on {}.", practice.name, practice.started_on)
            })
        }
        Command::Practice(PracticeCommand::Held {
            practice,
            on,
            participants,
        }) => {
            let on = on.unwrap_or(today);
            let event = campaign.record_practice_event(&practice, &on, participants)?;
            output.show(&event, || {
                format!(
                    "Recorded that {practice} was held on {} with {} taking part.",
                    event.held_on, event.participant_count
                )
            })
        }
        Command::Practice(PracticeCommand::List) => {
            let practices: Vec<Practice> = campaign.all()?;
            let events: Vec<PracticeEvent> = campaign.all()?;
            let mut rows: Vec<PracticeRow> = practices
                .into_iter()
                .map(|practice| PracticeRow {
                    last_held: events
                        .iter()
                        .filter(|event| event.practice_id == practice.id)
                        .map(|event| event.held_on.clone())
                        .max(),
                    practice,
                })
                .collect();
            rows.sort_by(|left, right| {
                left.practice
                    .name
                    .to_lowercase()
                    .cmp(&right.practice.name.to_lowercase())
            });
            output.show(&rows, || {
                let mut table = Table::new(&["Practice", "Kind", "Started", "Last held", "Site"]);
                for row in &rows {
                    table.row(vec![
                        row.practice.name.clone(),
                        row.practice.kind.to_string(),
                        row.practice.started_on.clone(),
                        row.last_held.clone().unwrap_or_else(|| "not yet".into()),
                        site_name(&campaign, row.practice.site_id.as_deref()),
                    ]);
                }
                table.render_or("No practices yet.")
            })
        }
    }
}

/// A practice with the day it was last carried out, if it has been.
#[derive(serde::Serialize)]
struct PracticeRow {
    #[serde(flatten)]
    practice: Practice,
    last_held: Option<String>,
}
