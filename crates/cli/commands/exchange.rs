//! Documents in and out as `.automerge` files, for carrying on a USB stick.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use holdfast_core::{Audience, DocumentId};
use holdfast_store::Campaign;
use serde::Serialize;

use super::Context;
use crate::output::Table;

#[derive(Subcommand)]
pub enum Command {
    /// Write one document to a .automerge file that any Automerge reader opens.
    Export {
        file: PathBuf,
        /// campaign, aid, aid-private or action:ID (an action's title works too).
        #[arg(long, default_value = "campaign")]
        document: String,
    },
    /// Write every document other devices of the campaign may hold into a directory.
    ExportAll {
        dir: PathBuf,
        /// Also write who is behind each aid pseudonym. Give that file only to
        /// aid coordinators.
        #[arg(long)]
        with_aid_private: bool,
    },
    /// Merge .automerge files into this campaign. Importing a file twice changes nothing.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the documents stored on this device and who may hold each.
    Documents,
}

#[derive(Serialize)]
struct Written {
    document: String,
    file: String,
    bytes: usize,
}

#[derive(Serialize)]
struct Merged {
    file: String,
    document: String,
    changed: bool,
    /// Changes in the file refused at the door, with why.
    refused: Vec<String>,
}

#[derive(Serialize)]
struct Stored {
    document: String,
    audience: &'static str,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        Command::Export { file, document } => {
            let id = document_id(&campaign, &document)?;
            let written = write(&mut campaign, &id, file)?;
            output.show(&written, || {
                format!("Wrote {} to {}.", written.document, written.file)
            })
        }
        Command::ExportAll {
            dir,
            with_aid_private,
        } => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
            let mut written = Vec::new();
            for id in campaign.documents()? {
                let audience = id.kind()?.audience();
                let shareable =
                    matches!(audience, Audience::Campaign | Audience::MemberAndCaptains)
                        || (with_aid_private && audience == Audience::AidCoordinators);
                if shareable {
                    let file = dir.join(format!("{}.automerge", id.as_str().replace(':', "-")));
                    written.push(write(&mut campaign, &id, file)?);
                }
            }
            output.show(&written, || {
                format!(
                    "Wrote {} to {}.",
                    crate::output::count(written.len() as i64, "document", "documents"),
                    dir.display()
                )
            })
        }
        Command::Import { files } => {
            let mut merged = Vec::new();
            for file in files {
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("could not read {}", file.display()))?;
                let outcome = campaign
                    .import_document(&bytes)
                    .with_context(|| format!("could not import {}", file.display()))?;
                merged.push(Merged {
                    file: file.display().to_string(),
                    document: outcome.document,
                    changed: outcome.changed,
                    refused: outcome.refused,
                });
            }
            output.show(&merged, || {
                merged
                    .iter()
                    .map(|merge| {
                        let mut text = if merge.changed {
                            format!("Merged {} from {}.", merge.document, merge.file)
                        } else {
                            format!("{} held nothing new for {}.", merge.file, merge.document)
                        };
                        for refusal in &merge.refused {
                            text.push_str(&format!("\nRefused {refusal}"));
                        }
                        text
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Documents => {
            let documents = campaign
                .documents()?
                .into_iter()
                .map(|id| {
                    Ok(Stored {
                        audience: id.kind()?.audience().as_str(),
                        document: id.to_string(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            output.show(&documents, || {
                let mut table = Table::new(&["Document", "Who may hold it"]);
                for stored in &documents {
                    table.row(vec![stored.document.clone(), stored.audience.to_string()]);
                }
                table.render_or("No documents are stored.")
            })
        }
    }
}

/// Reads a document name; an action may be named by its title as well as its id.
fn document_id(campaign: &Campaign, text: &str) -> Result<DocumentId> {
    if let Ok(id) = DocumentId::parse(text) {
        return Ok(id);
    }
    match text.strip_prefix("action:") {
        Some(action) => Ok(DocumentId::action(&campaign.resolve_action(action)?.id)),
        None => Ok(DocumentId::parse(text)?),
    }
}

fn write(campaign: &mut Campaign, id: &DocumentId, file: PathBuf) -> Result<Written> {
    let bytes = campaign.export_document(id)?;
    std::fs::write(&file, &bytes).with_context(|| format!("could not write {}", file.display()))?;
    Ok(Written {
        document: id.to_string(),
        file: file.display().to_string(),
        bytes: bytes.len(),
    })
}
