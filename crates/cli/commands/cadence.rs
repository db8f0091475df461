//! The steady rhythm of small actions, and keeping their form varied.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use holdfast_core::model::{ActionKind, Cadence, RecurrenceRule};
use holdfast_core::time;
use holdfast_store::use_cases::cadence::NewCadence;
use serde::Serialize;

use super::{site_name, today, Context};
use crate::output::{when, Table};

#[derive(Subcommand)]
pub enum Command {
    /// Recurring small actions: every so many days, or a fixed day each month.
    #[command(subcommand)]
    Cadence(CadenceCommand),
    /// Warn when the same tactic has run several times in a row.
    Variety,
}

#[derive(Subcommand)]
pub enum CadenceCommand {
    /// Set up a cadence.
    #[command(group(clap::ArgGroup::new("rule").required(true).args(["every_days", "day_of_month"])))]
    Add {
        name: String,
        /// Repeat every this many days, e.g. 29.
        #[arg(long, value_name = "DAYS")]
        every_days: Option<i64>,
        /// Repeat on this day of every month (the last day in shorter months).
        #[arg(long, value_name = "DAY")]
        day_of_month: Option<i64>,
        /// The first day, YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        starts: Option<String>,
        /// Start time of each action, HH:MM in UTC.
        #[arg(long, default_value = "12:00", value_name = "HH:MM")]
        time: String,
        /// How long each action lasts, in minutes (at most a week).
        #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(i64).range(1..=10_080))]
        minutes: i64,
        /// The kind of action it makes.
        #[arg(long, default_value = "log_off")]
        kind: ActionKind,
        /// A tactic to rotate through; repeat for several.
        #[arg(long = "tactic", value_name = "TACTIC")]
        tactics: Vec<String>,
        #[arg(long)]
        site: Option<String>,
    },
    /// List the cadences.
    List,
    /// The coming dates of every cadence.
    Calendar {
        /// From this day, YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// How many dates of each cadence (at most 500).
        #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=500))]
        count: u16,
    },
    /// Plan a cadence's next action, with the tactic used least recently.
    Next {
        cadence: String,
        /// Plan the first date on or after this day (today if left out).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
    },
    /// Write the planned actions and coming dates as an iCalendar file.
    Ics {
        /// Where to write it (standard output if left out).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// How many coming dates of each cadence (at most 500).
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=500))]
        count: u16,
    },
}

#[derive(Serialize)]
struct Written {
    file: String,
    bytes: usize,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    let mut campaign = context.open()?;
    let day = |text: Option<String>| -> Result<chrono::NaiveDate> {
        Ok(match text {
            Some(text) => time::parse_date(&text)?,
            None => today(),
        })
    };
    match command {
        Command::Variety => {
            let warning = campaign.variety_warning(&time::now())?;
            output.show(&warning, || match &warning {
                Some(warning) => format!(
                    "The last {} actions all took the form \"{}\". Try a different form next \
                     time, so the employer cannot settle into a routine and members stay fresh.",
                    warning.times_in_a_row, warning.tactic
                ),
                None => "The recent actions vary in form. Nothing to change.".to_string(),
            })
        }
        Command::Cadence(CadenceCommand::Add {
            name,
            every_days,
            day_of_month,
            starts,
            time,
            minutes,
            kind,
            tactics,
            site,
        }) => {
            let rule = if every_days.is_some() {
                RecurrenceRule::EveryDays
            } else {
                RecurrenceRule::DayOfMonth
            };
            let cadence = campaign.add_cadence(NewCadence {
                name,
                rule,
                interval_days: every_days.unwrap_or(0),
                day_of_month: day_of_month.unwrap_or(0),
                starts_on: holdfast_core::time::format_date(day(starts)?),
                start_time: time,
                duration_minutes: minutes,
                kind,
                tactics,
                site,
            })?;
            output.show(&cadence, || {
                format!("Set the cadence {}: {}.", cadence.name, rule_text(&cadence))
            })
        }
        Command::Cadence(CadenceCommand::List) => {
            let cadences: Vec<Cadence> = campaign.all()?;
            output.show(&cadences, || {
                let mut table = Table::new(&["Cadence", "Rule", "From", "Kind", "Tactics", "Site"]);
                for cadence in &cadences {
                    table.row(vec![
                        cadence.name.clone(),
                        rule_text(cadence),
                        cadence.starts_on.clone(),
                        cadence.kind.to_string(),
                        cadence.tactics.join(", "),
                        site_name(&campaign, cadence.site_id.as_deref()),
                    ]);
                }
                table.render_or("No cadences yet. Add one with `holdfast cadence add`.")
            })
        }
        Command::Cadence(CadenceCommand::Calendar { from, count }) => {
            let occurrences = campaign.calendar(day(from)?, usize::from(count))?;
            output.show(&occurrences, || {
                let mut table = Table::new(&["Starts", "Cadence", "Planned"]);
                for occurrence in &occurrences {
                    table.row(vec![
                        when(&occurrence.starts_at),
                        occurrence.cadence.clone(),
                        if occurrence.action_id.is_some() {
                            "yes"
                        } else {
                            ""
                        }
                        .to_string(),
                    ]);
                }
                table.render_or("No cadence has coming dates.")
            })
        }
        Command::Cadence(CadenceCommand::Next { cadence, from }) => {
            let planned = campaign.plan_next(&cadence, day(from)?)?;
            output.show(&planned, || {
                let action = &planned.action;
                if planned.already_planned {
                    format!(
                        "{} on {} is already planned (its id is {}). To plan the one after, run: holdfast cadence next \"{}\" --from {}",
                        action.title,
                        when(&action.starts_at),
                        action.id,
                        planned.cadence,
                        planned.day_after
                    )
                } else {
                    format!(
                        "The next action is {} on {}. Its id is {}.",
                        action.title,
                        when(&action.starts_at),
                        action.id
                    )
                }
            })
        }
        Command::Cadence(CadenceCommand::Ics { out, from, count }) => {
            let calendar = campaign.calendar_ics(day(from)?, usize::from(count))?;
            let Some(out) = out else {
                if output.is_json() {
                    // Under --json the calendar is one field of a JSON
                    // answer, as every answer is.
                    let wrapped = serde_json::json!({
                        "bytes": calendar.len(),
                        "ics": calendar,
                    });
                    return output.show(&wrapped, String::new);
                }
                return crate::output::write_raw(calendar.as_bytes());
            };
            std::fs::write(&out, &calendar)
                .with_context(|| format!("could not write {}", out.display()))?;
            let written = Written {
                file: out.display().to_string(),
                bytes: calendar.len(),
            };
            output.show(&written, || {
                format!(
                    "Wrote the calendar to {}. Import it into any calendar app.",
                    written.file
                )
            })
        }
    }
}

fn rule_text(cadence: &Cadence) -> String {
    match cadence.rule {
        RecurrenceRule::EveryDays => format!(
            "every {} days at {} UTC",
            cadence.interval_days, cadence.start_time
        ),
        RecurrenceRule::DayOfMonth => format!(
            "day {} of each month at {} UTC",
            cadence.day_of_month, cadence.start_time
        ),
    }
}
