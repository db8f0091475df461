//! Reports: the dashboard, hours, strike pay and sovereignty gains.

use anyhow::Result;
use clap::{Args, Subcommand};
use holdfast_core::model::StrikePayRule;
use holdfast_core::time;
use holdfast_store::use_cases::reports::Dashboard;
use serde::Serialize;

use super::{member_name, today, Context};
use crate::money::{format_cents, parse_cents};
use crate::output::{hours, when, Table};

#[derive(Subcommand)]
pub enum Command {
    /// The campaign at a glance.
    Status,
    /// Hours each member has given at actions, most first.
    Hours,
    /// Strike pay owed from picket hours, or set the rule with `strike-pay rule`.
    StrikePay(StrikePayArgs),
    /// What the workers now run for themselves, month by month.
    Sovereignty {
        /// The last day to count, YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Write the figures as one HTML page to share (no names in it).
        #[arg(long, value_name = "FILE")]
        page: Option<std::path::PathBuf>,
        /// The page's language: en or es.
        #[arg(long, value_name = "LANGUAGE", default_value = "en", requires = "page")]
        language: String,
    },
}

#[derive(Args)]
pub struct StrikePayArgs {
    #[command(subcommand)]
    rule: Option<StrikePayCommand>,
}

#[derive(Subcommand)]
enum StrikePayCommand {
    /// Set how picket hours turn into strike pay.
    Rule {
        /// A day counts only with at least this many picket hours.
        #[arg(long)]
        day_hours: f64,
        /// A week qualifies only if its counted days reach this many hours.
        #[arg(long)]
        week_hours: f64,
        /// Paid for each qualifying week, e.g. 300.00.
        #[arg(long, value_parser = parse_cents)]
        weekly_pay: i64,
    },
}

#[derive(Serialize)]
struct StrikePayRow {
    member_id: String,
    name: String,
    qualifying_weeks: Vec<String>,
    counted_hours: f64,
    hours_on_counting_days: f64,
    picket_hours: f64,
    pay_cents: i64,
}

#[derive(Serialize)]
struct StrikePayReport {
    rule: StrikePayRule,
    members: Vec<StrikePayRow>,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        Command::Status => {
            let dashboard = campaign.dashboard(&time::now())?;
            output.show(&dashboard, || describe_dashboard(&dashboard))
        }
        Command::Hours => {
            let rows = campaign.hours()?;
            output.show(&rows, || {
                let mut table = Table::new(&["Member", "Hours"]);
                for row in &rows {
                    table.row(vec![row.name.clone(), hours(row.hours)]);
                }
                table.render_or("No hours yet: they count once people check out.")
            })
        }
        Command::StrikePay(StrikePayArgs {
            rule:
                Some(StrikePayCommand::Rule {
                    day_hours,
                    week_hours,
                    weekly_pay,
                }),
        }) => {
            let settings = campaign.set_strike_pay_rule(StrikePayRule {
                minimum_hours_per_day: day_hours,
                minimum_hours_per_week: week_hours,
                weekly_pay_cents: weekly_pay,
            })?;
            let rule = settings.strike_pay;
            output.show(&rule, || {
                format!("Strike pay is now: {}.", rule_text(&rule))
            })
        }
        Command::StrikePay(StrikePayArgs { rule: None }) => {
            let rule = campaign.settings()?.strike_pay;
            let mut members: Vec<StrikePayRow> = campaign
                .strike_pay()?
                .into_iter()
                .map(|pay| StrikePayRow {
                    name: member_name(&campaign, &pay.member_id),
                    member_id: pay.member_id,
                    qualifying_weeks: pay.qualifying_weeks,
                    counted_hours: pay.counted_hours,
                    hours_on_counting_days: pay.hours_on_counting_days,
                    picket_hours: pay.picket_hours,
                    pay_cents: pay.pay_cents,
                })
                .collect();
            // By name, as a pay list is read.
            members.sort_by(|left, right| {
                left.name
                    .to_lowercase()
                    .cmp(&right.name.to_lowercase())
                    .then_with(|| left.member_id.cmp(&right.member_id))
            });
            let report = StrikePayReport { rule, members };
            output.show(&report, || {
                let mut table = Table::new(&[
                    "Member",
                    "Picket hours",
                    "On days that count",
                    "Weeks that pay",
                    "Pay",
                ]);
                for row in &report.members {
                    table.row(vec![
                        row.name.clone(),
                        hours(row.picket_hours),
                        hours(row.hours_on_counting_days),
                        row.qualifying_weeks.len().to_string(),
                        format_cents(row.pay_cents),
                    ]);
                }
                format!(
                    "Rule: {}.\n\n{}",
                    rule_text(&report.rule),
                    table.render_or("No picket hours recorded yet.")
                )
            })
        }
        Command::Sovereignty {
            until,
            page,
            language,
        } => {
            let until = match until {
                Some(text) => time::parse_date(&text)?,
                None => today(),
            };
            if let Some(path) = page {
                let html = campaign.sovereignty_page(until, &language)?;
                std::fs::write(&path, html).map_err(|error| {
                    anyhow::anyhow!("could not write the page to {}: {error}", path.display())
                })?;
                let written = path.display().to_string();
                return output.show(&serde_json::json!({ "page": written }), || {
                    format!("Wrote the page to {written}. It names no one; share it as it is.")
                });
            }
            let months = campaign.sovereignty(until)?;
            output.show(&months, || {
                let mut table = Table::new(&[
                    "Month",
                    "Committees",
                    "Still meeting",
                    "Trained",
                    "Practices",
                    "Kept up",
                    "Aid given",
                    "Circles",
                    "Decided",
                ]);
                for month in &months {
                    table.row(vec![
                        month.month.clone(),
                        month.committees_formed.to_string(),
                        month.committees_meeting.to_string(),
                        month.members_trained.to_string(),
                        month.practices_started.to_string(),
                        month.practices_kept.to_string(),
                        format_cents(month.aid_given_cents),
                        month.circles_held.to_string(),
                        month.decisions_made.to_string(),
                    ]);
                }
                table.render_or("Nothing to count yet.")
            })
        }
    }
}

fn rule_text(rule: &StrikePayRule) -> String {
    format!(
        "days of at least {} picket hours count, and a week with at least {} counted hours pays {}",
        rule.minimum_hours_per_day,
        rule.minimum_hours_per_week,
        format_cents(rule.weekly_pay_cents)
    )
}

fn describe_dashboard(dashboard: &Dashboard) -> String {
    let mut text = format!(
        "{}\n{} members at {} sites, {} actions, {} check-ins.\n",
        dashboard.campaign,
        dashboard.members,
        dashboard.sites,
        dashboard.actions,
        dashboard.check_ins
    );
    match &dashboard.next_action {
        Some(action) => text.push_str(&format!(
            "Next action: {} at {}.\n",
            action.title,
            when(&action.starts_at)
        )),
        None => text.push_str("No action is planned.\n"),
    }
    if !dashboard.recent_turnout.is_empty() {
        text.push_str("\nRecent turnout:\n");
        for (title, people) in &dashboard.recent_turnout {
            text.push_str(&format!("  {title}: {people}\n"));
        }
    }
    let short: Vec<String> = dashboard
        .freeze_within_48_hours
        .iter()
        .filter(|row| row.people_still_needed > 0)
        .map(|row| format!("{} (needs {} more)", row.name, row.people_still_needed))
        .collect();
    text.push_str(&format!(
        "\n{} would freeze the operation within 48 hours",
        crate::output::count(
            dashboard.freeze_within_48_hours.len() as i64,
            "choke point",
            "choke points"
        )
    ));
    if short.is_empty() {
        text.push_str(".\n");
    } else {
        text.push_str(&format!("; still short: {}.\n", short.join(", ")));
    }
    if !dashboard.aid_balances.is_empty() {
        let pools: Vec<String> = dashboard
            .aid_balances
            .iter()
            .map(|(category, cents)| format!("{category} {}", format_cents(*cents)))
            .collect();
        text.push_str(&format!("Aid pools: {}.\n", pools.join(", ")));
    }
    if dashboard.attention > 0 {
        let needs = if dashboard.attention == 1 {
            "needs"
        } else {
            "need"
        };
        text.push_str(&format!(
            "{} {needs} attention: see `holdfast attention list`.\n",
            crate::output::count(dashboard.attention, "item", "items")
        ));
    }
    if let Some(warning) = &dashboard.variety_warning {
        text.push_str(&format!(
            "The last {} actions all took the form \"{}\"; consider varying it.\n",
            warning.times_in_a_row, warning.tactic
        ));
    }
    text
}
