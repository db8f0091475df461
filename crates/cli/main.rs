//! `holdfast`: the campaign record of a union local, from a terminal.
//!
//! This file holds the root of the command tree, the options every command
//! shares, and the one place where failures are printed. Each command lives in
//! `commands/`, named after the part of the campaign it works on, and does
//! three things only: read its arguments, call one `Campaign` method, print.

mod commands;
mod money;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use commands::Context;
use output::Output;

#[derive(Parser)]
#[command(
    name = "holdfast",
    version,
    about = "Keep a union local's campaign record on this device, with or without a network.",
    propagate_version = true
)]
struct Cli {
    /// Where the campaign is kept on this device.
    #[arg(
        long,
        global = true,
        env = "HOLDFAST_DATA_DIR",
        default_value = "./holdfast-data",
        value_name = "DIR"
    )]
    data_dir: PathBuf,

    /// Print one JSON value on standard output instead of text for people.
    #[arg(long, global = true)]
    json: bool,

    /// The member doing this (a captain checking someone in, a coordinator
    /// paying out), when it is not the member this device is linked to.
    #[arg(long = "as", global = true, value_name = "MEMBER")]
    acting: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Campaign(commands::campaign::Command),
    #[command(flatten)]
    Members(commands::members::Command),
    #[command(flatten)]
    Roster(commands::roster::Command),
    #[command(flatten)]
    Structure(commands::structure::Command),
    #[command(flatten)]
    ChokePoints(commands::choke_points::Command),
    #[command(flatten)]
    Actions(commands::actions::Command),
    #[command(flatten)]
    CheckIns(commands::check_ins::Command),
    #[command(flatten)]
    WalkIns(commands::walk_ins::Command),
    #[command(flatten)]
    Circles(commands::circles::Command),
    #[command(flatten)]
    Cadence(commands::cadence::Command),
    #[command(flatten)]
    Skills(commands::skills::Command),
    #[command(flatten)]
    Decisions(commands::decisions::Command),
    #[command(flatten)]
    Aid(commands::aid::Command),
    #[command(flatten)]
    Reports(commands::reports::Command),
    #[command(flatten)]
    Attention(commands::attention::Command),
    #[command(flatten)]
    Exchange(commands::exchange::Command),
    #[command(flatten)]
    Sync(commands::sync::Command),
    #[command(flatten)]
    Devices(commands::devices::Command),
    #[command(flatten)]
    Protection(commands::protection::Command),
    /// Serve the web UI and its API over HTTP (on this computer only, unless --address says otherwise).
    Serve(commands::serve::Serve),
}

fn main() -> ExitCode {
    // Clap prints its own usage errors and exits with status 2 on its own.
    let cli = Cli::parse();
    let json = cli.json;
    let context = Context {
        data_dir: cli.data_dir,
        output: Output::new(cli.json),
        acting: cli.acting,
    };
    let outcome = match cli.command {
        Command::Campaign(command) => commands::campaign::run(&context, command),
        Command::Members(command) => commands::members::run(&context, command),
        Command::Roster(command) => commands::roster::run(&context, command),
        Command::Structure(command) => commands::structure::run(&context, command),
        Command::ChokePoints(command) => commands::choke_points::run(&context, command),
        Command::Actions(command) => commands::actions::run(&context, command),
        Command::CheckIns(command) => commands::check_ins::run(&context, command),
        Command::WalkIns(command) => commands::walk_ins::run(&context, command),
        Command::Circles(command) => commands::circles::run(&context, command),
        Command::Cadence(command) => commands::cadence::run(&context, command),
        Command::Skills(command) => commands::skills::run(&context, command),
        Command::Decisions(command) => commands::decisions::run(&context, command),
        Command::Aid(command) => commands::aid::run(&context, command),
        Command::Reports(command) => commands::reports::run(&context, command),
        Command::Attention(command) => commands::attention::run(&context, command),
        Command::Exchange(command) => commands::exchange::run(&context, command),
        Command::Sync(command) => commands::sync::run(&context, command),
        Command::Devices(command) => commands::devices::run(&context, command),
        Command::Protection(command) => commands::protection::run(&context, command),
        Command::Serve(serve) => commands::serve::run(&context, serve),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = describe(&error);
            // A script asked for JSON gets the error as JSON where it reads
            // everything else, and people still see it on standard error.
            if json {
                println!("{}", serde_json::json!({ "error": message }));
            }
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Joins an error with its causes into one line. Store errors often repeat
/// their cause inside their own message, so a cause already said is skipped.
fn describe(error: &anyhow::Error) -> String {
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}
