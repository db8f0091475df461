//! Builds a large campaign and measures, inside this one process, what a
//! member and a steward feel: how long a check-in takes to be durable, how
//! long the app takes to open and show the dashboard, how big the database
//! grows, how much memory it needs, and what splitting check-ins into one
//! document per action buys.
//!
//! Run `cargo run --release -p holdfast-bench` for the full size, or add
//! `--quick` for a small run. Progress goes to standard error; the report
//! (or `--json`) to standard output.
//!
//! `cargo run --release -p holdfast-bench -- sync --phones 500 --check-ins 1`
//! measures something else: many phones syncing offline check-ins through
//! one hub process (see `sync_load.rs`).

mod measure;
mod report;
mod split;
mod sync_load;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use holdfast_demo::DemoSize;
use holdfast_store::{Campaign, DATABASE_FILE};

use crate::report::{Build, Report};

/// Measures Holdfast's check-in path, start-up, size on disk, memory and
/// document split on a large campaign.
#[derive(Debug, Parser)]
#[command(
    name = "holdfast-bench",
    version,
    args_conflicts_with_subcommands = true
)]
struct Options {
    #[command(subcommand)]
    command: Option<Mode>,
    /// Where to build the campaign. A directory that already holds one is
    /// measured as it is, without seeding. Defaults to a temporary directory.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Members to seed.
    #[arg(long)]
    members: Option<usize>,
    /// Sites to seed.
    #[arg(long)]
    sites: Option<usize>,
    /// Check-in records (check-ins and check-outs) to seed at past actions.
    #[arg(long)]
    check_ins: Option<usize>,
    /// Aid ledger entries to seed.
    #[arg(long)]
    ledger_entries: Option<usize>,
    /// Past actions to seed.
    #[arg(long)]
    actions: Option<usize>,
    /// A small run that finishes in well under a minute.
    #[arg(long)]
    quick: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Check-ins and check-outs to time in durable mode.
    #[arg(long, default_value_t = 2_000)]
    latency_samples: usize,
    /// Check-ins to store for the document-split comparison.
    #[arg(long, default_value_t = 20_000)]
    split_check_ins: usize,
    /// Check-ins per action document in the document-split comparison.
    #[arg(long, default_value_t = 400)]
    split_per_document: usize,
    /// Seed for every random choice.
    #[arg(long)]
    seed: Option<u64>,
}

/// Other measurements than the default one.
#[derive(Debug, Subcommand)]
enum Mode {
    /// Many phones sync offline check-ins through one hub process: bytes and
    /// round trips per phone, the hub's CPU time and peak memory.
    Sync(sync_load::SyncOptions),
}

impl Options {
    fn size(&self) -> DemoSize {
        let mut size = DemoSize::large();
        if self.quick {
            size = DemoSize {
                members: 400,
                sites: 6,
                committees: 3,
                history_days: 180,
                past_actions: 30,
                upcoming_actions: 3,
                check_ins: 6_000,
                ledger_entries: 150,
                ..size
            };
        }
        if let Some(members) = self.members {
            size.members = members;
        }
        if let Some(sites) = self.sites {
            size.sites = sites;
        }
        if let Some(check_ins) = self.check_ins {
            size.check_ins = check_ins;
        }
        if let Some(ledger_entries) = self.ledger_entries {
            size.ledger_entries = ledger_entries;
        }
        if let Some(actions) = self.actions {
            size.past_actions = actions;
        }
        if let Some(seed) = self.seed {
            size.seed = seed;
        }
        size
    }

    fn latency_samples(&self) -> usize {
        if self.quick {
            self.latency_samples.min(300)
        } else {
            self.latency_samples
        }
    }

    fn split(&self) -> (usize, usize) {
        if self.quick {
            (self.split_check_ins.min(2_000), self.split_per_document)
        } else {
            (self.split_check_ins, self.split_per_document)
        }
    }
}

fn progress(message: &str) {
    eprintln!("[holdfast-bench] {message}");
}

fn main() -> Result<()> {
    let options = Options::parse();
    if let Some(Mode::Sync(sync)) = &options.command {
        return sync_load::run(sync);
    }
    let size = options.size();
    let temporary;
    let data_dir = match &options.data_dir {
        Some(directory) => directory.clone(),
        None => {
            temporary = tempfile::tempdir().context("creating a temporary data directory")?;
            temporary.path().join("campaign")
        }
    };
    let today = chrono::Utc::now().date_naive();
    let mut report = Report::new(std::env::args().collect::<Vec<_>>().join(" "), &size);
    report.data_dir = data_dir.display().to_string();

    // Build, or reuse a campaign already there.
    let reused = data_dir.join(DATABASE_FILE).exists();
    if reused {
        progress(&format!(
            "measuring the campaign already in {}",
            data_dir.display()
        ));
        report.build = Build {
            reused: true,
            seconds: 0.0,
            summary: None,
            peak_memory_mb: measure::peak_memory_mb(),
        };
    } else {
        progress(&format!(
            "seeding {} members, {} sites, {} past actions, {} check-in records, {} ledger entries into {}",
            size.members,
            size.sites,
            size.past_actions,
            size.check_ins,
            size.ledger_entries,
            data_dir.display()
        ));
        let started = Instant::now();
        let mut campaign = Campaign::create(&data_dir, "A Fair Contract at Calloway", "Local 418")?;
        let summary =
            holdfast_demo::seed_with_progress(&mut campaign, &size, today, &mut |part| {
                progress(&format!(
                    "  {part} ({:.0} s, {:.0} MB resident)",
                    started.elapsed().as_secs_f64(),
                    measure::resident_memory_mb()
                ))
            })?;
        drop(campaign);
        report.build = Build {
            reused: false,
            seconds: started.elapsed().as_secs_f64(),
            summary: Some(summary),
            peak_memory_mb: measure::peak_memory_mb(),
        };
        progress(&format!("seeded in {:.1} s", report.build.seconds));
    }

    // Everything from here on is what the app does after it starts; the
    // peak memory is measured from this point, apart from the seeding.
    report.memory.peak_reset = measure::reset_peak_memory();
    report.memory.resident_at_start_mb = measure::resident_memory_mb();

    progress("opening the campaign and answering the dashboard");
    let (open, campaign) = measure::open_to_dashboard(&data_dir, 5)?;
    report.open = open;

    report.disk.before_compaction = measure::disk_usage(&data_dir)?;

    progress(&format!(
        "timing {} check-ins and check-outs in durable mode",
        options.latency_samples()
    ));
    let mut campaign = campaign;
    report.latency = measure::check_in_latency(
        &mut campaign,
        &data_dir,
        options.latency_samples(),
        size.seed,
    )?;
    report.memory.measured_peak_mb = measure::peak_memory_mb();
    report.memory.resident_after_mb = measure::resident_memory_mb();

    // For the analysis only: the same calls without waiting for the disk,
    // and what the disk itself takes to make a small write durable.
    let comparison = (options.latency_samples() / 4).max(50);
    progress(&format!(
        "timing {comparison} more with synchronous = OFF, and the disk's own fdatasync"
    ));
    campaign.relax_durability_for_bulk_load()?;
    report.latency_without_fsync = measure::check_in_latency(
        &mut campaign,
        &data_dir,
        comparison,
        size.seed.wrapping_add(1),
    )?;
    report.fsync = measure::fsync_baseline(&data_dir, 200)?;

    report.disk.after_check_ins = measure::disk_usage(&data_dir)?;
    progress("compacting every document");
    let started = Instant::now();
    campaign.compact_all()?;
    report.disk.compaction_seconds = started.elapsed().as_secs_f64();
    report.disk.after_compaction = measure::disk_usage(&data_dir)?;
    drop(campaign);
    report.disk.after_close = measure::disk_usage(&data_dir)?;
    report.disk.after_vacuum = measure::vacuumed_size(&data_dir)?;

    let (split_total, per_document) = options.split();
    progress(&format!(
        "document split: {split_total} check-ins in one document against documents of {per_document}"
    ));
    let split_reset = measure::reset_peak_memory();
    report.split = split::compare(split_total, per_document, size.seed)?;
    report.split.peak_memory_mb = split_reset.then(measure::peak_memory_mb);
    report.memory.process_peak_mb = measure::peak_memory_mb().max(report.build.peak_memory_mb);

    report.judge();
    if options.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.text());
    }
    Ok(())
}
