//! Protecting the campaign on this device: a passphrase for the key that
//! encrypts the database, and the emergency wipe.

use std::io::BufRead;

use anyhow::{anyhow, Result};
use clap::Subcommand;
use holdfast_store::at_rest::{self, Cost};
use zeroize::Zeroizing;

use super::Context;

/// Where the command line reads the passphrase of a locked campaign.
pub const PASSPHRASE_VARIABLE: &str = "HOLDFAST_PASSPHRASE";
/// Where `passphrase set` reads the new passphrase, if not from standard input.
const NEW_PASSPHRASE_VARIABLE: &str = "HOLDFAST_NEW_PASSPHRASE";

#[derive(Subcommand)]
pub enum Command {
    /// Lock the campaign on this device with a passphrase, or change or remove it.
    #[command(subcommand)]
    Passphrase(PassphraseCommand),
    /// Make this device's copy of the campaign unreadable at once, then delete it.
    Wipe {
        /// Say yes: there is no undo, and no question is asked.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum PassphraseCommand {
    /// Set or change the passphrase (read from HOLDFAST_NEW_PASSPHRASE, or one
    /// line of standard input). The current one, if any, comes from HOLDFAST_PASSPHRASE.
    Set,
    /// Remove the passphrase: the key is then sealed by the system keystore
    /// where there is one, and kept on this device unprotected otherwise.
    Remove,
}

/// The passphrase given for this run, if any, wiped from memory when
/// dropped (the process's own environment keeps its copy).
pub fn given_passphrase() -> Option<Zeroizing<String>> {
    std::env::var(PASSPHRASE_VARIABLE)
        .ok()
        .filter(|value| !value.is_empty())
        .map(Zeroizing::new)
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    let data_dir = &context.data_dir;
    match command {
        Command::Passphrase(PassphraseCommand::Set) => {
            let new = match std::env::var(NEW_PASSPHRASE_VARIABLE) {
                Ok(value) if !value.is_empty() => Zeroizing::new(value),
                _ => {
                    let mut line = Zeroizing::new(String::new());
                    std::io::stdin().lock().read_line(&mut line)?;
                    Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string())
                }
            };
            at_rest::change_passphrase(
                data_dir,
                given_passphrase().as_deref().map(String::as_str),
                Some(new.as_str()),
                Cost::default(),
            )?;
            output.show(&"passphrase", || {
                "The campaign on this device is now locked with the passphrase. Keep it somewhere that is not this device.".to_string()
            })
        }
        Command::Passphrase(PassphraseCommand::Remove) => {
            let protection = at_rest::change_passphrase(
                data_dir,
                given_passphrase().as_deref().map(String::as_str),
                None,
                Cost::default(),
            )?;
            output.show(&"none", || match protection {
                at_rest::Protection::SystemKeystore => {
                    "The passphrase is removed; the key is now sealed by this computer's keystore (your login keyring).".to_string()
                }
                _ => "The passphrase is removed; the key is kept on this device unprotected."
                    .to_string(),
            })
        }
        Command::Wipe { yes } => {
            if !yes {
                return Err(anyhow!(
                    "wiping cannot be undone; run `holdfast wipe --yes` to wipe {}",
                    data_dir.display()
                ));
            }
            let wiped = at_rest::wipe(data_dir)?;
            output.show(&wiped, || {
                format!(
                    "Wiped {}: unreadable after {:.3} s, {} files removed.",
                    data_dir.display(),
                    wiped.seconds_until_unreadable,
                    wiped.files_removed
                )
            })
        }
    }
}
