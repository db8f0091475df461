//! The benchmark's findings, as a readable report and as JSON.

use std::fmt::Write as _;

use holdfast_demo::{DemoSize, DemoSummary};
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_total_gb: f64,
    pub cpu: String,
    pub kernel: String,
}

impl Machine {
    pub(crate) fn here() -> Self {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_total_gb = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map_or(0.0, |kilobytes| kilobytes / 1024.0 / 1024.0);
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
            .unwrap_or_default();
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_string();
        Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_total_gb,
            cpu,
            kernel,
        }
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Build {
    /// Whether an existing campaign was measured instead of seeding one.
    pub reused: bool,
    pub seconds: f64,
    pub summary: Option<DemoSummary>,
    /// Peak resident memory of the process up to the end of seeding.
    pub peak_memory_mb: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct OpenTimes {
    /// The first open of the process: open, dashboard, 48-hour report, aid totals.
    pub first_total_ms: f64,
    pub open_ms: f64,
    pub dashboard_ms: f64,
    pub freeze_report_ms: f64,
    pub aid_totals_ms: f64,
    /// The median of `repeats` fresh opens, the first included.
    pub median_total_ms: f64,
    pub repeats: usize,
    pub members: i64,
    pub actions: i64,
    pub check_ins: i64,
    pub freeze_rows: usize,
    pub aid_month_rows: usize,
    pub attention: i64,
}

#[derive(Debug, Default, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub check_outs: usize,
    /// Recent actions the calls were spread over.
    pub actions: usize,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// The first call at each action, which loads its document from disk.
    pub first_at_each_action_ms: Vec<f64>,
    pub over_five_ms: usize,
    /// The calls grouped by what else they had to do.
    pub by_cause: Vec<CauseTimes>,
}

#[derive(Debug, Default, Serialize)]
pub struct CauseTimes {
    pub cause: &'static str,
    pub calls: usize,
    pub median_ms: f64,
    pub max_ms: f64,
    pub over_five_ms: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct FsyncBaseline {
    pub samples: usize,
    pub median_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct DiskUsage {
    pub database_bytes: u64,
    pub wal_bytes: u64,
    /// Pages in use, without the free pages SQLite keeps for reuse.
    pub live_bytes: u64,
    pub change_rows: u64,
    pub change_bytes: u64,
    pub snapshot_bytes: u64,
}

impl DiskUsage {
    pub fn total(&self) -> u64 {
        self.database_bytes + self.wal_bytes
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Disk {
    pub before_compaction: DiskUsage,
    pub after_check_ins: DiskUsage,
    pub after_compaction: DiskUsage,
    pub after_close: DiskUsage,
    pub compaction_seconds: f64,
    /// The file's size if it were vacuumed (measured on a copy).
    pub after_vacuum: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct Memory {
    /// Whether the kernel let the peak be reset before the measured phases.
    pub peak_reset: bool,
    /// Resident memory when the measured phases began (what seeding left
    /// behind in the allocator counts here).
    pub resident_at_start_mb: f64,
    /// Peak during opening, the dashboard and the timed check-ins.
    pub measured_peak_mb: f64,
    pub resident_after_mb: f64,
    /// Peak of the whole process, seeding included.
    pub process_peak_mb: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct DocumentShape {
    pub documents: usize,
    /// Sum of the saved (compacted) documents.
    pub saved_bytes: u64,
    /// Sum of every change as written, one per check-in.
    pub change_bytes: u64,
    pub build_ms: f64,
    /// Loading every document.
    pub load_all_ms: f64,
    /// Loading the one document a new check-in goes to.
    pub load_one_ms: f64,
    pub commit_median_ms: f64,
    pub commit_mean_ms: f64,
    /// A full save of the document a check-in goes to (what compaction does).
    pub full_save_ms: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct Split {
    pub check_ins: usize,
    pub per_document: usize,
    pub extra_commits: usize,
    pub one_document: DocumentShape,
    pub per_action: DocumentShape,
    /// Peak resident memory during the comparison alone.
    pub peak_memory_mb: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Target {
    pub name: &'static str,
    pub target: String,
    pub measured: String,
    pub met: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub date: String,
    pub command: String,
    pub machine: Machine,
    pub data_dir: String,
    pub size: Option<DemoSize>,
    pub build: Build,
    pub open: OpenTimes,
    pub latency: Latency,
    /// The same calls with the commit not waiting for the disk, to show how
    /// much of the latency is the disk. Not a mode the app runs in.
    pub latency_without_fsync: Latency,
    pub fsync: FsyncBaseline,
    pub disk: Disk,
    pub memory: Memory,
    pub split: Split,
    pub targets: Vec<Target>,
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}

/// The TARGETS block both benchmarks end their report with.
pub(crate) fn write_targets(out: &mut String, targets: &[Target]) -> std::fmt::Result {
    use std::fmt::Write;
    writeln!(out, "TARGETS")?;
    for target in targets {
        writeln!(
            out,
            "  {:<32} {:>10}  measured {:>10}  {}",
            target.name,
            target.target,
            target.measured,
            verdict(target.met)
        )?;
    }
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met {
        "MET"
    } else {
        "NOT MET"
    }
}

impl Report {
    pub fn new(command: String, size: &DemoSize) -> Self {
        Report {
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            command,
            machine: Machine::here(),
            size: Some(size.clone()),
            ..Report::default()
        }
    }

    /// Sets each target against what was measured.
    pub fn judge(&mut self) {
        let memory = self.memory.measured_peak_mb;
        self.targets = vec![
            Target {
                name: "check-in median",
                target: "<= 1 ms".into(),
                measured: format!("{:.2} ms", self.latency.median_ms),
                met: self.latency.median_ms <= 1.0,
            },
            Target {
                name: "check-in p99",
                target: "<= 5 ms".into(),
                measured: format!("{:.2} ms", self.latency.p99_ms),
                met: self.latency.p99_ms <= 5.0,
            },
            Target {
                name: "open to dashboard",
                target: "<= 300 ms".into(),
                measured: format!("{:.1} ms", self.open.first_total_ms),
                met: self.open.first_total_ms <= 300.0,
            },
            Target {
                name: "peak memory (measured phases)",
                target: "<= 150 MB".into(),
                measured: format!("{memory:.1} MB"),
                met: memory <= 150.0 && self.memory.peak_reset,
            },
        ];
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = self.write_text(&mut out);
        out
    }

    fn write_text(&self, out: &mut String) -> std::fmt::Result {
        let machine = &self.machine;
        writeln!(out, "Holdfast benchmark, {}", self.date)?;
        writeln!(out, "command: {}", self.command)?;
        writeln!(
            out,
            "machine: {} cores ({}), {:.1} GiB memory, Linux {}",
            machine.cores, machine.cpu, machine.memory_total_gb, machine.kernel
        )?;
        writeln!(out, "data directory: {}", self.data_dir)?;
        writeln!(out)?;

        writeln!(out, "CAMPAIGN")?;
        match &self.build.summary {
            Some(summary) => {
                writeln!(
                    out,
                    "  seeded in {:.1} s with durability relaxed for the bulk load (synchronous = OFF), one Automerge change per check-in",
                    self.build.seconds
                )?;
                writeln!(
                    out,
                    "  {} members, {} sites, {} committees ({} meetings), {} choke points",
                    summary.members,
                    summary.sites,
                    summary.committees,
                    summary.meetings,
                    summary.choke_points
                )?;
                writeln!(
                    out,
                    "  {} past and {} upcoming actions, {} shifts, {} sign-ups",
                    summary.past_actions, summary.upcoming_actions, summary.shifts, summary.signups
                )?;
                writeln!(
                    out,
                    "  {} check-in records ({} in, {} out, {} recorded by a captain), {} circles",
                    summary.check_in_records(),
                    summary.check_ins,
                    summary.check_outs,
                    summary.recorded_by_captain,
                    summary.circles
                )?;
                writeln!(
                    out,
                    "  {} ledger entries, {} aid requests, {} skill sessions",
                    summary.ledger_entries, summary.aid_requests, summary.skill_sessions
                )?;
            }
            None => writeln!(out, "  an existing campaign, measured as it was")?,
        }
        writeln!(
            out,
            "  dashboard counts: {} members, {} actions, {} check-in records, {} attention items",
            self.open.members, self.open.actions, self.open.check_ins, self.open.attention
        )?;
        writeln!(out)?;

        let latency = &self.latency;
        writeln!(
            out,
            "CHECK-IN LATENCY (Campaign::check_in/check_out, call to return; durable: reopened, WAL with synchronous = FULL)"
        )?;
        writeln!(
            out,
            "  {} calls ({} check-outs) of random members at the {} most recent past actions",
            latency.samples, latency.check_outs, latency.actions
        )?;
        writeln!(
            out,
            "  median {:>8.2} ms   target <= 1 ms   {}",
            latency.median_ms,
            verdict(latency.median_ms <= 1.0)
        )?;
        writeln!(out, "  p90    {:>8.2} ms", latency.p90_ms)?;
        writeln!(
            out,
            "  p99    {:>8.2} ms   target <= 5 ms   {}",
            latency.p99_ms,
            verdict(latency.p99_ms <= 5.0)
        )?;
        writeln!(out, "  max    {:>8.2} ms", latency.max_ms)?;
        writeln!(out, "  mean   {:>8.2} ms", latency.mean_ms)?;
        writeln!(
            out,
            "  first call at each action (loads its document): {}",
            latency
                .first_at_each_action_ms
                .iter()
                .map(|value| format!("{value:.1} ms"))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        writeln!(out, "  calls over 5 ms: {}", latency.over_five_ms)?;
        writeln!(out, "  by what else the call did:")?;
        for group in &latency.by_cause {
            writeln!(
                out,
                "    {:<46} {:>5} calls, median {:>6.2} ms, max {:>7.2} ms, {} over 5 ms",
                group.cause, group.calls, group.median_ms, group.max_ms, group.over_five_ms
            )?;
        }
        let relaxed = &self.latency_without_fsync;
        writeln!(
            out,
            "  for comparison, not the app's mode: {} more calls with synchronous = OFF: median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            relaxed.samples, relaxed.median_ms, relaxed.p90_ms, relaxed.p99_ms, relaxed.max_ms
        )?;
        writeln!(
            out,
            "  this disk alone: 16 KB append + fdatasync, median {:.2} ms, p99 {:.2} ms ({} samples)",
            self.fsync.median_ms, self.fsync.p99_ms, self.fsync.samples
        )?;
        writeln!(out)?;

        let open = &self.open;
        writeln!(
            out,
            "OPEN TO DASHBOARD (Campaign::open + dashboard + freeze_report(48) + aid_totals; page cache warm)"
        )?;
        writeln!(
            out,
            "  first  {:>8.1} ms   target <= 300 ms   {}",
            open.first_total_ms,
            verdict(open.first_total_ms <= 300.0)
        )?;
        writeln!(
            out,
            "         open {:.1} ms, dashboard {:.1} ms, 48-hour report {:.1} ms, aid totals {:.1} ms",
            open.open_ms, open.dashboard_ms, open.freeze_report_ms, open.aid_totals_ms
        )?;
        writeln!(
            out,
            "  median {:>8.1} ms   of {} fresh opens",
            open.median_total_ms, open.repeats
        )?;
        writeln!(out)?;

        let disk = &self.disk;
        writeln!(out, "DATABASE ON DISK (main file + WAL)")?;
        for (label, usage) in [
            ("after seeding", &disk.before_compaction),
            ("after the timed check-ins", &disk.after_check_ins),
            ("after compact_all", &disk.after_compaction),
            ("after closing", &disk.after_close),
        ] {
            writeln!(
                out,
                "  {label:<26} {:>8.1} MB  (file {:.1} MB + WAL {:.1} MB; live pages {:.1} MB; {} change rows of {:.1} MB, snapshots {:.1} MB)",
                megabytes(usage.total()),
                megabytes(usage.database_bytes),
                megabytes(usage.wal_bytes),
                megabytes(usage.live_bytes),
                usage.change_rows,
                megabytes(usage.change_bytes),
                megabytes(usage.snapshot_bytes),
            )?;
        }
        writeln!(
            out,
            "  compact_all took {:.1} s; the file would be {:.1} MB after VACUUM (measured on a copy)",
            disk.compaction_seconds,
            megabytes(disk.after_vacuum)
        )?;
        writeln!(out)?;

        let memory = &self.memory;
        writeln!(out, "PEAK MEMORY (VmHWM from /proc/self/status)")?;
        writeln!(
            out,
            "  measured phases {:>7.1} MB   target <= 150 MB   {}",
            memory.measured_peak_mb,
            verdict(memory.measured_peak_mb <= 150.0 && memory.peak_reset)
        )?;
        writeln!(
            out,
            "    covers opening, the dashboard and the timed check-ins; {}",
            if memory.peak_reset {
                format!(
                    "the peak was reset before them, when the process held {:.1} MB (seeding's leftovers in the allocator included)",
                    memory.resident_at_start_mb
                )
            } else {
                "the kernel refused to reset the peak, so this includes seeding".to_string()
            }
        )?;
        writeln!(
            out,
            "  whole process   {:>7.1} MB   (seeding included: {:.1} MB)",
            memory.process_peak_mb, self.build.peak_memory_mb
        )?;
        writeln!(out)?;

        let split = &self.split;
        writeln!(
            out,
            "DOCUMENT SPLIT ({} check-ins, one change each: one document against {} documents of {})",
            split.check_ins, split.per_action.documents, split.per_document
        )?;
        writeln!(
            out,
            "  {:<34} {:>14} {:>18}",
            "", "one document", "per action"
        )?;
        let one = &split.one_document;
        let per = &split.per_action;
        let rows: [(&str, String, String); 8] = [
            (
                "saved size",
                format!("{:.2} MB", megabytes(one.saved_bytes)),
                format!("{:.2} MB", megabytes(per.saved_bytes)),
            ),
            (
                "changes as written",
                format!("{:.2} MB", megabytes(one.change_bytes)),
                format!("{:.2} MB", megabytes(per.change_bytes)),
            ),
            (
                "load everything",
                format!("{:.1} ms", one.load_all_ms),
                format!("{:.1} ms", per.load_all_ms),
            ),
            (
                "load the document to write to",
                format!("{:.1} ms", one.load_one_ms),
                format!("{:.1} ms", per.load_one_ms),
            ),
            (
                "one more commit, median",
                format!("{:.3} ms", one.commit_median_ms),
                format!("{:.3} ms", per.commit_median_ms),
            ),
            (
                "one more commit, mean",
                format!("{:.3} ms", one.commit_mean_ms),
                format!("{:.3} ms", per.commit_mean_ms),
            ),
            (
                "full save (compaction)",
                format!("{:.1} ms", one.full_save_ms),
                format!("{:.1} ms", per.full_save_ms),
            ),
            (
                "writing all check-ins",
                format!("{:.0} ms", one.build_ms),
                format!("{:.0} ms", per.build_ms),
            ),
        ];
        for (label, single, spread) in rows {
            writeln!(out, "  {label:<34} {single:>14} {spread:>18}")?;
        }
        writeln!(
            out,
            "  (\"one more commit\" is {} check-ins appended after loading: put, commit, save_after, as the store writes a change)",
            split.extra_commits
        )?;
        if let Some(peak) = split.peak_memory_mb {
            writeln!(out, "  peak memory during the comparison: {peak:.1} MB")?;
        }
        writeln!(out)?;

        write_targets(out, &self.targets)
    }
}
