//! The roster as a CSV file, in and out.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use serde::Serialize;

use super::Context;

#[derive(Subcommand)]
pub enum Command {
    /// Import or export the member roster as CSV.
    #[command(subcommand)]
    Roster(RosterCommand),
}

#[derive(Subcommand)]
pub enum RosterCommand {
    /// Import members from a CSV file with the columns
    /// name,phone,email,site,department,roles (roles separated by `;`).
    /// A file with any bad line is refused as a whole.
    Import { file: PathBuf },
    /// Write the roster as CSV to a file, or to standard output.
    Export { file: Option<PathBuf> },
}

#[derive(Serialize)]
struct Exported {
    file: String,
    members: usize,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let Command::Roster(command) = command;
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        RosterCommand::Import { file } => {
            let input = std::fs::File::open(&file)
                .with_context(|| format!("could not open {}", file.display()))?;
            let summary = campaign.import_roster(std::io::BufReader::new(input))?;
            output.show(&summary, || {
                let mut text = format!(
                    "Imported {}: {} added, {} updated.",
                    file.display(),
                    summary.added,
                    summary.updated
                );
                if summary.sites_created + summary.departments_created > 0 {
                    text.push_str(&format!(
                        "\nCreated {} and {} named in the file.",
                        crate::output::count(summary.sites_created as i64, "new site", "new sites"),
                        crate::output::count(
                            summary.departments_created as i64,
                            "new department",
                            "new departments"
                        )
                    ));
                }
                text
            })
        }
        RosterCommand::Export { file: None } => {
            let mut csv = Vec::new();
            let members = campaign.export_roster(&mut csv)?;
            if output.is_json() {
                // Under --json the file is one field of a JSON answer, as
                // every answer is.
                let wrapped = serde_json::json!({
                    "members": members,
                    "csv": String::from_utf8(csv)?,
                });
                return output.show(&wrapped, String::new);
            }
            crate::output::write_raw(&csv)
        }
        RosterCommand::Export { file: Some(file) } => {
            let out = std::fs::File::create(&file)
                .with_context(|| format!("could not create {}", file.display()))?;
            let members = campaign.export_roster(std::io::BufWriter::new(out))?;
            let exported = Exported {
                file: file.display().to_string(),
                members,
            };
            output.show(&exported, || {
                format!(
                    "Wrote {} to {}.",
                    crate::output::count(members as i64, "member", "members"),
                    exported.file
                )
            })
        }
    }
}
