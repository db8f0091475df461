//! The measurements against a real data directory: opening it, answering the
//! dashboard, timing check-ins to durability, sizes on disk, and memory.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::Duration;
use holdfast_core::time;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::{Campaign, DATABASE_FILE};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::report::{CauseTimes, DiskUsage, FsyncBaseline, Latency, OpenTimes};

/// A value from `/proc/self/status`, in megabytes.
fn status_mb(field: &str) -> f64 {
    process_status_mb("self", field).unwrap_or(0.0)
}

/// A value in kilobytes from /proc/PROCESS/status ("self" or a pid), in
/// megabytes.
pub(crate) fn process_status_mb(process: &str, field: &str) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{process}/status"))
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map(|kilobytes| kilobytes / 1024.0)
}

/// The process's peak resident memory since start, or since the last reset.
pub fn peak_memory_mb() -> f64 {
    status_mb("VmHWM:")
}

pub fn resident_memory_mb() -> f64 {
    status_mb("VmRSS:")
}

/// Resets the peak to the current resident size (Linux 4.0 and later), so a
/// later peak covers only what ran after this point. Returns whether it worked.
pub fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn milliseconds(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1_000.0
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// The value below which a share `quantile` of the sorted values fall.
fn percentile(sorted: &[f64], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Opens the data directory and answers the dashboard, the 48-hour report and
/// the aid totals, as the app does on start; `repeats` times, each from a
/// fresh open. Returns the timings and the last open campaign.
pub fn open_to_dashboard(data_dir: &Path, repeats: usize) -> Result<(OpenTimes, Campaign)> {
    let mut totals = Vec::new();
    let mut times = OpenTimes::default();
    let mut last = None;
    for run in 0..repeats.max(1) {
        drop(last.take());
        let now = time::now();
        let started = Instant::now();
        let campaign = Campaign::open(data_dir)?;
        let opened = milliseconds(started);
        let step = Instant::now();
        let dashboard = campaign.dashboard(&now)?;
        let dashboard_ms = milliseconds(step);
        let step = Instant::now();
        let freeze = campaign.freeze_report(48.0)?;
        let freeze_ms = milliseconds(step);
        let step = Instant::now();
        let totals_by_month = campaign.aid_totals()?;
        let aid_totals_ms = milliseconds(step);
        let total = milliseconds(started);
        totals.push(total);
        if run == 0 {
            times = OpenTimes {
                first_total_ms: total,
                open_ms: opened,
                dashboard_ms,
                freeze_report_ms: freeze_ms,
                aid_totals_ms,
                median_total_ms: 0.0,
                repeats: repeats.max(1),
                members: dashboard.members,
                actions: dashboard.actions,
                check_ins: dashboard.check_ins,
                freeze_rows: freeze.len(),
                aid_month_rows: totals_by_month.len(),
                attention: dashboard.attention,
            };
        }
        last = Some(campaign);
    }
    times.median_total_ms = median(&mut totals);
    Ok((times, last.expect("opened at least once")))
}

/// Times check-ins and check-outs of random members at the most recent past
/// actions, each call from entry to return, which is after the change has
/// committed to the write-ahead log with `synchronous = FULL`.
pub fn check_in_latency(
    campaign: &mut Campaign,
    data_dir: &Path,
    samples: usize,
    seed: u64,
) -> Result<Latency> {
    let probe = Probe::new(data_dir)?;
    let mut random = StdRng::seed_from_u64(seed ^ 0x5eed);
    let now_text = time::now();
    let recent: Vec<_> = campaign
        .actions()?
        .into_iter()
        .filter(|action| !action.cancelled && action.ends_at < now_text)
        .rev()
        .take(5)
        .collect();
    anyhow::ensure!(
        !recent.is_empty(),
        "the campaign has no past actions to check in at"
    );
    let members: Vec<String> = campaign
        .members()?
        .into_iter()
        .map(|member| member.id)
        .collect();
    let mut shifts: HashMap<String, Vec<String>> = HashMap::new();
    let mut present: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut start = None;
    for action in &recent {
        let ids = campaign
            .shifts(&action.id)?
            .into_iter()
            .map(|shift| shift.id)
            .collect();
        shifts.insert(action.id.clone(), ids);
        present.insert(action.id.clone(), campaign.present_at(&action.id)?);
        // The calls are stamped one second apart after everything already
        // recorded at these actions (a reused directory holds the previous
        // run's calls too): in the past, as a captain entering a paper
        // sheet would, since a time still to come is refused.
        let latest = campaign
            .check_ins(Some(&action.id))?
            .into_iter()
            .map(|check| check.at)
            .max()
            .unwrap_or_else(|| action.starts_at.clone());
        let after = time::parse_instant(&latest)? + Duration::seconds(1);
        start = start.max(Some(after));
    }
    let now = start.expect("at least one recent action");

    let mut all = Vec::with_capacity(samples);
    let mut first_touch = Vec::new();
    let mut touched = BTreeSet::new();
    let mut check_outs = 0;
    let mut causes: BTreeMap<Cause, Vec<f64>> = BTreeMap::new();
    for index in 0..samples {
        let action = recent.choose(&mut random).expect("not empty");
        let here = present.get_mut(&action.id).expect("every recent action");
        // About half the calls check someone out again once people are here.
        let leaving = !here.is_empty() && random.random_bool(0.5);
        let member = if leaving {
            here.iter()
                .nth(random.random_range(0..here.len()))
                .expect("not empty")
                .clone()
        } else {
            loop {
                let candidate = members.choose(&mut random).expect("members exist");
                if !here.contains(candidate) {
                    break candidate.clone();
                }
            }
        };
        let shift = shifts[&action.id].choose(&mut random).cloned();
        // Strictly increasing times keep each member's in and out in order
        // even when both fall within the same second of the wall clock.
        let at = time::format_instant(now + Duration::seconds(index as i64));
        let request = CheckRequest {
            action: action.id.clone(),
            member: Some(member.clone()),
            shift,
            recorded_by: None,
            at: Some(at),
        };
        let before = probe.look(&action.id)?;
        let started = Instant::now();
        if leaving {
            campaign.check_out(request)?;
        } else {
            campaign.check_in(request)?;
        }
        let elapsed = milliseconds(started);
        let after = probe.look(&action.id)?;
        let cause = if !touched.contains(&action.id) {
            Cause::FirstLoad
        } else if after.change_rows < before.change_rows {
            Cause::Compaction
        } else if after.database_modified != before.database_modified {
            Cause::Checkpoint
        } else {
            Cause::Plain
        };
        causes.entry(cause).or_default().push(elapsed);
        if leaving {
            here.remove(&member);
            check_outs += 1;
        } else {
            here.insert(member);
        }
        if touched.insert(action.id.clone()) {
            first_touch.push(elapsed);
        }
        all.push(elapsed);
    }
    let mut sorted = all.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(Latency {
        samples,
        check_outs,
        actions: recent.len(),
        median_ms: percentile(&sorted, 0.5),
        p90_ms: percentile(&sorted, 0.9),
        p99_ms: percentile(&sorted, 0.99),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        mean_ms: sorted.iter().sum::<f64>() / sorted.len().max(1) as f64,
        first_at_each_action_ms: first_touch,
        over_five_ms: sorted.iter().filter(|value| **value > 5.0).count(),
        by_cause: causes
            .into_iter()
            .map(|(cause, mut times)| {
                times.sort_by(f64::total_cmp);
                CauseTimes {
                    cause: cause.describe(),
                    calls: times.len(),
                    median_ms: percentile(&times, 0.5),
                    max_ms: times.last().copied().unwrap_or(0.0),
                    over_five_ms: times.iter().filter(|value| **value > 5.0).count(),
                }
            })
            .collect(),
    })
}

/// What else a timed call did besides writing its check-in, told from the
/// outside: by the action's change rows (which compaction folds into a
/// snapshot) and by the main database file's modification time (which only a
/// checkpoint of the write-ahead log changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cause {
    /// The first call at an action since opening, which loads its document.
    FirstLoad,
    /// The call that reached the compaction threshold and wrote a snapshot.
    Compaction,
    /// A call during which the write-ahead log was checkpointed into the file.
    Checkpoint,
    /// Everything else: validate, write one change, commit.
    Plain,
}

impl Cause {
    fn describe(self) -> &'static str {
        match self {
            Cause::FirstLoad => "first call at an action (loads its document)",
            Cause::Compaction => "compaction into a snapshot",
            Cause::Checkpoint => "WAL checkpoint into the database file",
            Cause::Plain => "plain check-in",
        }
    }
}

struct Look {
    change_rows: i64,
    database_modified: Option<std::time::SystemTime>,
}

/// A read-only view of the database between timed calls.
struct Probe {
    connection: rusqlite::Connection,
    database: std::path::PathBuf,
}

impl Probe {
    fn new(data_dir: &Path) -> Result<Self> {
        let database = data_dir.join(DATABASE_FILE);
        let connection = read_only(data_dir)?;
        Ok(Probe {
            connection,
            database,
        })
    }

    fn look(&self, action_id: &str) -> Result<Look> {
        let change_rows = self
            .connection
            .prepare_cached("SELECT COUNT(*) FROM changes WHERE document_id = ?1")?
            .query_row([format!("action:{action_id}")], |row| row.get(0))?;
        Ok(Look {
            change_rows,
            database_modified: std::fs::metadata(&self.database)?.modified().ok(),
        })
    }
}

/// How long this disk takes to make a small append durable: 16 KB written
/// and `fdatasync`ed, `samples` times, in a scratch file beside the
/// database. A durable commit cannot be faster than this.
pub fn fsync_baseline(data_dir: &Path, samples: usize) -> Result<FsyncBaseline> {
    use std::io::Write;
    let path = data_dir.join("fsync-probe.tmp");
    let mut file = std::fs::File::create(&path)?;
    let block = vec![0x5a_u8; 16 * 1024];
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        times.push(milliseconds(started));
    }
    drop(file);
    std::fs::remove_file(&path).ok();
    times.sort_by(f64::total_cmp);
    Ok(FsyncBaseline {
        samples,
        median_ms: percentile(&times, 0.5),
        p99_ms: percentile(&times, 0.99),
    })
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |metadata| metadata.len())
}

/// A connection that reads the (encrypted) database and may not write.
fn read_only(data_dir: &Path) -> Result<rusqlite::Connection> {
    let connection = holdfast_store::open_connection(data_dir, None)?;
    connection.pragma_update(None, "query_only", true)?;
    Ok(connection)
}

/// The database file and its write-ahead log, and how much of the file holds
/// live pages rather than free ones.
pub fn disk_usage(data_dir: &Path) -> Result<DiskUsage> {
    let database = data_dir.join(DATABASE_FILE);
    let mut wal = database.clone().into_os_string();
    wal.push("-wal");
    let connection =
        read_only(data_dir).context("opening the database read-only to count pages")?;
    let pragma = |name: &str| -> Result<u64> {
        // SQLCipher answers some of these pragmas with text, not a number.
        let value: rusqlite::types::Value =
            connection.query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))?;
        match value {
            rusqlite::types::Value::Integer(number) => Ok(number as u64),
            rusqlite::types::Value::Text(text) => text
                .trim()
                .parse()
                .with_context(|| format!("PRAGMA {name} answered `{text}`")),
            other => anyhow::bail!("PRAGMA {name} answered {other:?}"),
        }
    };
    let page_size = pragma("page_size")?;
    let pages = pragma("page_count")?;
    let free = pragma("freelist_count")?;
    let blobs = |sql: &str| -> Result<u64> {
        Ok(connection
            .query_row(sql, [], |row| row.get::<_, Option<i64>>(0))?
            .unwrap_or(0) as u64)
    };
    let change_bytes = blobs("SELECT SUM(LENGTH(bytes)) FROM changes")?;
    let snapshot_bytes = blobs("SELECT SUM(LENGTH(bytes)) FROM snapshots")?;
    let change_rows = blobs("SELECT COUNT(*) FROM changes")?;
    Ok(DiskUsage {
        database_bytes: file_size(&database),
        wal_bytes: file_size(Path::new(&wal)),
        live_bytes: (pages - free) * page_size,
        change_rows,
        change_bytes,
        snapshot_bytes,
    })
}

/// The size the file would shrink to if free pages were handed back, found by
/// vacuuming a copy so the measured directory is left as the store left it.
pub fn vacuumed_size(data_dir: &Path) -> Result<u64> {
    let copy = data_dir.join("vacuumed-copy.sqlite3");
    let _ = std::fs::remove_file(&copy);
    let connection = holdfast_store::open_connection(data_dir, None)?;
    connection.execute("VACUUM INTO ?1", [copy.display().to_string()])?;
    drop(connection);
    let size = file_size(&copy);
    std::fs::remove_file(&copy).ok();
    Ok(size)
}
