//! Many phones sync their offline check-ins through one hub.
//!
//! The workload is the morning of an action: N phones, each paired with the
//! campaign's hub and already holding the action's document, record K
//! check-ins while offline, then all come back and sync through the hub, at
//! most `--concurrency` of them at once. The hub is the real `holdfast hub`
//! program in its own process, so that its CPU time and peak memory can be
//! read from /proc without counting the phones. The phones live in this
//! process: each has its own data directory and syncs with
//! `holdfast_net::client::sync_with` from a tokio task, as the app does.
//!
//! Setup is not measured. The hub's campaign is made here (a steward, one
//! member per check-in, one action today with three shifts), one invite per
//! phone is issued on it, the hub starts, every phone pairs and syncs once so
//! that it holds the action document, and every phone records its check-ins.
//! The hub is then restarted so that its CPU time and peak memory cover the
//! measured phase alone. Afterwards the hub is stopped and its database opened
//! here, to count the action document's heads and to check that every
//! check-in made on a phone arrived.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use holdfast_core::model::{ActionKind, Role};
use holdfast_core::{time, DocumentId};
use holdfast_net::{client, SharedVault};
use holdfast_store::use_cases::actions::{NewAction, NewShift};
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::{Campaign, Vault};
use holdfast_sync::wire::Message;
use holdfast_sync::{pairing, Config, Identity, Invite, Session};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::progress;
use crate::report::{Machine, Target};

/// Measures many phones syncing offline check-ins through one hub process.
#[derive(Debug, clap::Args)]
pub struct SyncOptions {
    /// Phones that pair with the hub and then sync. Several sizes, comma
    /// separated (`500,1000,2000`), are measured one after the other, each
    /// with a hub and phones of its own, and summed up in one table.
    #[arg(long, default_value = "500", value_delimiter = ',')]
    phones: Vec<usize>,
    /// Check-ins each phone records offline before the measured sync. With
    /// one, each phone's member checks in; with more, each phone is a
    /// captain's, checking in that many different members.
    #[arg(long, default_value_t = 1)]
    check_ins: usize,
    /// Phones syncing at the same time.
    #[arg(long, default_value_t = 50)]
    concurrency: usize,
    /// The `holdfast` program to run as the hub. Without it, the release
    /// build is brought up to date with cargo and that one is used.
    #[arg(long, value_name = "PATH")]
    holdfast: Option<PathBuf>,
    /// Print one line of JSON instead of the report.
    #[arg(long)]
    json: bool,
    /// Also run automerge-repo's sync server on the same workload and the
    /// same action document (automerge-repo/sync-load.mjs, with Node), and
    /// compare.
    #[arg(long)]
    compare: bool,
    /// The Node program for `--compare`.
    #[arg(long, default_value = "node", value_name = "PATH")]
    node: PathBuf,
    /// Record the hub's CPU profile during the measured phase with
    /// `perf record --call-graph dwarf,32768` into this file (read it with
    /// `perf report -i`).
    /// Sampling adds a little to the hub's CPU time.
    #[arg(long, value_name = "FILE")]
    perf_record: Option<PathBuf>,
    /// Keep the hub's and phones' data directories and the hub's logs.
    #[arg(long)]
    keep: bool,
}

/// Phones paired or synced at once during setup. A few at a time keep both
/// cores busy without making setup itself the thing that is slow.
const SETUP_PARALLEL: usize = 4;

/// What a transport frame adds to an application message that fits in one:
/// the four-byte length and the kind byte of the frame, the piece marker, and
/// the Noise authentication tag.
const TRANSPORT_OVERHEAD: usize = 4 + 1 + 1 + holdfast_sync::noise::TAG_BYTES;

/// The third Noise XX message, which the phone sends after the hub's reply:
/// its encrypted static key (32 bytes and a tag) and an empty encrypted
/// payload (a tag), in a frame with a five-byte header.
const HANDSHAKE_THIRD_MESSAGE: usize = 32 + 16 + 16 + 5;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    pub mean: f64,
    pub median: f64,
    pub max: f64,
    pub min: f64,
}

impl Stats {
    fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return Stats::default();
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Stats {
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            median: sorted[sorted.len() / 2],
            max: sorted[sorted.len() - 1],
            min: sorted[0],
        }
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Workload {
    pub phones: usize,
    pub check_ins_per_phone: usize,
    pub concurrency: usize,
    /// Members in the campaign, the steward included.
    pub members: usize,
    pub shifts: usize,
    /// The action document as every phone and the hub held it before the
    /// check-ins (saved, compacted).
    pub action_document_bytes: usize,
}

/// Each phone's figures, from the `Report` its sync returned.
#[derive(Debug, Default, Serialize)]
pub struct PerPhone {
    pub bytes_up: Stats,
    pub bytes_down: Stats,
    pub round_trips: Stats,
    pub sync_ms: Stats,
    pub changes_sent: Stats,
    pub changes_received: Stats,
}

/// Where a phone's bytes up go, on average. The first flight is rebuilt on
/// each phone before the phase the way the session builds it, and sized
/// without being sent; the later flights are what the measured total has
/// beyond the handshake and the first flight.
#[derive(Debug, Default, Serialize)]
pub struct BytesUp {
    /// The clear-text hello and Noise XX messages 1 and 3.
    pub handshake: f64,
    /// The whole first flight on the wire.
    pub first_flight: f64,
    /// Of the first flight: the list of documents with their heads digests.
    pub announce: f64,
    /// Of the first flight: the Automerge sync messages around the changes
    /// (heads, have with its Bloom filter, lengths) and their document ids.
    pub sync_message_overhead: f64,
    /// Of the first flight: the check-in changes themselves.
    pub changes: f64,
    /// Of the first flight: frame header, piece marker and encryption tag.
    pub transport: f64,
    /// Documents the first flight announced.
    pub documents_announced: f64,
    /// Flights after the first: acknowledgements of what the hub sent.
    pub later_flights: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct HubFigures {
    pub binary: String,
    pub pid: u32,
    /// User and system CPU time of the hub process during the phase.
    pub cpu_seconds: f64,
    pub user_seconds: f64,
    pub system_seconds: f64,
    /// VmHWM at the end of the phase.
    pub peak_memory_mb: f64,
    /// Whether the peak was reset at the start of the phase; if not, it
    /// also covers the hub's start-up.
    pub peak_reset: bool,
    pub resident_at_start_mb: f64,
    pub resident_at_end_mb: f64,
    /// Whether `perf record` sampled the hub during the phase.
    pub profiled: bool,
}

/// How the hub saw the phase's connections end, from its log.
#[derive(Debug, Default, Serialize)]
pub struct HubLog {
    /// Connections the hub logged as finished syncs.
    pub synced: usize,
    /// Connections the hub logged as ending any other way.
    pub not_synced: usize,
    pub examples: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct After {
    pub action_heads: usize,
    pub check_ins_expected: usize,
    pub check_ins_found: usize,
    pub check_ins_at_action: usize,
    pub action_document_bytes: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct Ratio {
    pub what: &'static str,
    pub holdfast: f64,
    pub automerge_repo: f64,
    /// Holdfast's figure divided by automerge-repo's.
    pub ratio: Option<f64>,
}

#[derive(Debug, Default, Serialize)]
pub struct SyncLoad {
    pub benchmark: &'static str,
    pub implementation: &'static str,
    pub date: String,
    pub command: String,
    pub machine: Machine,
    pub workload: Workload,
    pub setup_seconds: f64,
    /// From the first phone starting its sync to the last one finishing.
    pub wall_seconds: f64,
    /// CPU time of this process, where every phone runs, during the phase.
    /// The phones share the machine's cores with the hub, so when this is
    /// high the wall time says more about the phones than about the hub.
    pub phones_cpu_seconds: f64,
    pub per_phone: PerPhone,
    pub bytes_up: BytesUp,
    pub total_bytes_up: u64,
    pub total_bytes_down: u64,
    pub hub: HubFigures,
    pub hub_log: HubLog,
    pub after: After,
    /// Phones whose sync in the measured phase failed.
    pub phones_failed: usize,
    /// Of those, how many tried again after the phase, and how many of
    /// them failed again.
    pub phones_retried: usize,
    pub phones_failed_again: usize,
    /// The first few sync errors, if any phone failed.
    pub errors: Vec<String>,
    pub targets: Vec<Target>,
    /// automerge-repo's own figures for the same workload (`--compare`).
    pub automerge_repo: Option<serde_json::Value>,
    pub ratios: Vec<Ratio>,
}

/// What setup made on the hub's campaign before the hub started.
struct Plan {
    action_id: String,
    shift_ids: Vec<String>,
    /// Member ids in the order phones and check-ins use them: phone `p`
    /// belongs to member `p`, and its check-ins are of members
    /// `p * K .. p * K + K`.
    members: Vec<String>,
    invites: Vec<Invite>,
    hub_key: String,
    document_bytes: usize,
}

/// A paired phone, ready to sync.
struct Phone {
    /// The phone's data directory. A phone's campaign is opened only while
    /// it records or syncs: thousands held open at once would hold every
    /// copy of the campaign document in memory at once (about 12 MB each).
    dir: PathBuf,
    check_in_ids: Vec<String>,
    first_flight: FlightSize,
}

#[derive(Debug, Default, Clone, Copy)]
struct FlightSize {
    wire: usize,
    announce: usize,
    sync_overhead: usize,
    changes: usize,
    documents: usize,
}

struct Outcome {
    report: Option<holdfast_sync::Report>,
    error: Option<String>,
    millis: f64,
}

impl Outcome {
    fn failed(error: String) -> Self {
        Outcome {
            report: None,
            error: Some(error),
            millis: 0.0,
        }
    }
}

pub fn run(options: &SyncOptions) -> Result<()> {
    if options.phones.is_empty()
        || options.phones.contains(&0)
        || options.check_ins == 0
        || options.concurrency == 0
    {
        bail!("--phones, --check-ins and --concurrency must each be at least 1");
    }
    let binary = hub_binary(options)?;
    let mut results = Vec::with_capacity(options.phones.len());
    for &phones in &options.phones {
        let result = run_one(options, &binary, phones)?;
        if options.json {
            println!("{}", serde_json::to_string(&result)?);
        } else {
            print!("{}", text(&result));
        }
        let missing = result.after.check_ins_expected - result.after.check_ins_found;
        if missing > 0 || result.phones_failed_again > 0 {
            bail!(
                "{missing} check-ins made on phones are not on the hub, and {} phones failed to sync twice",
                result.phones_failed_again
            );
        }
        results.push(result);
    }
    if results.len() > 1 && !options.json {
        print!("{}", summary(&results));
    }
    Ok(())
}

/// One table of the figures that say how the hub's cost grows with the
/// crowd, one row per size measured.
fn summary(results: &[SyncLoad]) -> String {
    let mut out = String::from(
        "\nSUMMARY (one row per size, each its own hub and phones)\n\
         | phones | hub CPU | per phone | hub peak memory | bytes up per phone (mean) \
         | bytes down per phone (mean) | round trips (mean) | check-ins arrived | syncs broken off, then retried |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for result in results {
        let phones = result.workload.phones;
        out.push_str(&format!(
            "| {phones} | {:.2} s | {:.2} ms | {:.0} MB | {:.0} B | {:.1} KB | {:.2} | {}/{} | {} |\n",
            result.hub.cpu_seconds,
            result.hub.cpu_seconds * 1_000.0 / phones as f64,
            result.hub.peak_memory_mb,
            result.per_phone.bytes_up.mean,
            result.per_phone.bytes_down.mean / 1_000.0,
            result.per_phone.round_trips.mean,
            result.after.check_ins_found,
            result.after.check_ins_expected,
            result.phones_retried,
        ));
    }
    out
}

/// Measures one size: its own scratch directory, hub campaign and phones.
fn run_one(options: &SyncOptions, binary: &Path, phone_count: usize) -> Result<SyncLoad> {
    let scratch = tempfile::Builder::new()
        .prefix("holdfast-sync-load-")
        .tempdir()
        .context("creating a temporary directory")?;
    let root = scratch.path().to_path_buf();
    if options.keep {
        // Leaving the directory behind on purpose, for a look at the logs
        // and the databases after the run.
        let _ = scratch.keep();
    }
    // The hub runs from a copy: the target directory may be shared, and a
    // build there between the hub's two starts would otherwise change the
    // program being measured half-way through.
    let program = root.join("holdfast");
    std::fs::copy(binary, &program)
        .with_context(|| format!("copying {} to {}", binary.display(), program.display()))?;
    let hub_dir = root.join("hub");
    let document_path = root.join("action.automerge");
    let port = free_port()?;
    let address = format!("127.0.0.1:{port}");
    let mut result = SyncLoad {
        benchmark: "sync-load",
        implementation: "holdfast-hub",
        date: Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        machine: Machine::here(),
        ..SyncLoad::default()
    };
    result.hub.binary = binary.display().to_string();

    let setup_started = Instant::now();
    progress(&format!(
        "setting up in {}: {} phones, {} check-in(s) each, hub {} on {address}",
        root.display(),
        phone_count,
        options.check_ins,
        binary.display()
    ));
    let plan = build_hub_campaign(
        &hub_dir,
        phone_count,
        options.check_ins,
        &address,
        &document_path,
    )?;
    result.workload = Workload {
        phones: phone_count,
        check_ins_per_phone: options.check_ins,
        concurrency: options.concurrency,
        members: plan.members.len() + 1,
        shifts: plan.shift_ids.len(),
        action_document_bytes: plan.document_bytes,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let mut hub = HubProcess::start(&program, &hub_dir, port, &root.join("hub-setup.log"))?;
    let dirs = runtime.block_on(pair_phones(&plan.invites, &root))?;
    progress("each phone syncs once to fetch the action document");
    let outcomes = runtime.block_on(sync_all(&dirs, &address, SETUP_PARALLEL));
    if let Some((index, error)) = outcomes
        .iter()
        .enumerate()
        .find_map(|(index, outcome)| outcome.error.as_ref().map(|error| (index, error)))
    {
        bail!("phone {index} could not fetch the action document: {error}");
    }
    hub.stop()?;
    progress("each phone records its check-ins offline");
    let phones = record_check_ins(dirs, &plan, options.check_ins)?;
    result.setup_seconds = setup_started.elapsed().as_secs_f64();
    progress(&format!(
        "set up in {:.1} s; restarting the hub for the measured phase",
        result.setup_seconds
    ));

    // The measured phase.
    let mut hub = HubProcess::start(&program, &hub_dir, port, &root.join("hub.log"))?;
    let pid = hub.pid();
    let ticks = clock_ticks();
    result.hub.pid = pid;
    result.hub.resident_at_start_mb =
        crate::measure::process_status_mb(&pid.to_string(), "VmRSS:").unwrap_or(0.0);
    result.hub.peak_reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    let profiler = match &options.perf_record {
        Some(file) => Some(Profiler::start(pid, file)?),
        None => None,
    };
    result.hub.profiled = profiler.is_some();
    let (user_before, system_before) = cpu_seconds(pid, ticks)?;
    let own = std::process::id();
    let (phones_user_before, phones_system_before) = cpu_seconds(own, ticks)?;
    progress(&format!(
        "measuring: {} phones sync, at most {} at once",
        phone_count, options.concurrency
    ));
    let started = Instant::now();
    let dirs: Vec<PathBuf> = phones.iter().map(|phone| phone.dir.clone()).collect();
    let outcomes = runtime.block_on(sync_all(&dirs, &address, options.concurrency));
    result.wall_seconds = started.elapsed().as_secs_f64();
    // The hub logs each connection's end after its last write to the phone;
    // waiting for those lines keeps its last bookkeeping inside the figures.
    hub.wait_for_connections(phone_count, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(200));
    let (user_after, system_after) = cpu_seconds(pid, ticks)?;
    result.hub.user_seconds = user_after - user_before;
    result.hub.system_seconds = system_after - system_before;
    result.hub.cpu_seconds = result.hub.user_seconds + result.hub.system_seconds;
    let (phones_user_after, phones_system_after) = cpu_seconds(own, ticks)?;
    result.phones_cpu_seconds =
        phones_user_after - phones_user_before + phones_system_after - phones_system_before;
    result.hub.peak_memory_mb =
        crate::measure::process_status_mb(&pid.to_string(), "VmHWM:").unwrap_or(0.0);
    result.hub.resident_at_end_mb =
        crate::measure::process_status_mb(&pid.to_string(), "VmRSS:").unwrap_or(0.0);
    if let Some(profiler) = profiler {
        profiler.stop()?;
    }
    let lines = hub.connection_lines();
    result.hub_log.synced = lines
        .iter()
        .filter(|line| line.contains(": synced with "))
        .count();
    let unfinished: Vec<&String> = lines
        .iter()
        .filter(|line| !line.contains(": synced with "))
        .collect();
    result.hub_log.not_synced = unfinished.len();
    result.hub_log.examples = unfinished
        .iter()
        .take(3)
        .map(|line| line.to_string())
        .collect();
    // A phone whose sync broke off tries again, as the app does at its next
    // sync. Outside the measured figures: it says whether a check-in was
    // lost or only late.
    let failed: Vec<PathBuf> = outcomes
        .iter()
        .zip(&dirs)
        .filter(|(outcome, _)| outcome.error.is_some())
        .map(|(_, dir)| dir.clone())
        .collect();
    if !failed.is_empty() {
        progress(&format!("{} phones try again", failed.len()));
        let again = runtime.block_on(sync_all(&failed, &address, options.concurrency));
        result.phones_retried = failed.len();
        result.phones_failed_again = again
            .iter()
            .filter(|outcome| outcome.error.is_some())
            .count();
    }
    hub.stop()?;

    summarise_phones(&mut result, &phones, &outcomes);

    progress("opening the hub's database to count heads and check-ins");
    let expected: Vec<&str> = phones
        .iter()
        .flat_map(|phone| phone.check_in_ids.iter().map(String::as_str))
        .collect();
    result.after = inspect_hub(&hub_dir, &plan.action_id, &expected)?;
    drop(phones);
    judge(&mut result);

    if options.compare {
        progress("running automerge-repo's sync server on the same workload");
        let theirs = run_automerge_repo(options, phone_count, &document_path)?;
        result.ratios = ratios(&result, &theirs);
        result.automerge_repo = Some(theirs);
    }
    if options.keep {
        progress(&format!("kept {}", root.display()));
    }
    Ok(result)
}

/// The hub program: the one given, or the release build of the workspace's
/// `holdfast` package, brought up to date first so that the hub measured is
/// the code in the tree (cargo does nothing when it already is).
fn hub_binary(options: &SyncOptions) -> Result<PathBuf> {
    if let Some(path) = &options.holdfast {
        return Ok(path.clone());
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    progress("building the hub: cargo build --release -p holdfast");
    let output = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "holdfast",
            "--bin",
            "holdfast",
            "--message-format=json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(&manifest)
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo to build the hub (or pass --holdfast PATH)")?;
    if !output.status.success() {
        bail!("cargo build --release -p holdfast failed");
    }
    // Cargo names the executable it built, wherever CARGO_TARGET_DIR puts it.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == "holdfast"
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .context("cargo did not report where it put the holdfast program")
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

fn member_name(index: usize) -> String {
    use holdfast_demo::{FIRST_NAMES, SURNAMES};
    let first = FIRST_NAMES[index % FIRST_NAMES.len()];
    let last = SURNAMES[(index / FIRST_NAMES.len()) % SURNAMES.len()];
    format!("{first} {last}")
}

/// Makes the hub's campaign, exports the action document for `--compare`,
/// and issues one invite per phone, all before the hub process starts.
fn build_hub_campaign(
    dir: &Path,
    phones: usize,
    per_phone: usize,
    address: &str,
    document_path: &Path,
) -> Result<Plan> {
    let mut campaign = Campaign::create(dir, "A Fair Contract at Calloway", "Local 418")?;
    // Setup is not measured; the hub reopens the campaign durably.
    campaign.relax_durability_for_bulk_load()?;
    let steward = campaign.add_member(NewMember {
        name: "Rosa Steward".into(),
        roles: vec![Role::Member, Role::Steward],
        ..NewMember::default()
    })?;
    campaign.set_device_member(&steward.id)?;
    let mut members = Vec::with_capacity(phones * per_phone);
    for index in 0..phones * per_phone {
        let roles = if per_phone > 1 && index < phones {
            vec![Role::Member, Role::PicketCaptain]
        } else {
            vec![Role::Member]
        };
        let member = campaign.add_member(NewMember {
            name: member_name(index),
            roles,
            ..NewMember::default()
        })?;
        members.push(member.id);
    }
    let starts = Utc::now() - chrono::Duration::hours(1);
    let action = campaign.create_action(NewAction {
        title: "Mass picket at the main gate".into(),
        kind: ActionKind::MassPicket,
        tactic: "mass picket".into(),
        site: None,
        starts_at: time::format_instant(starts),
        ends_at: time::format_instant(starts + chrono::Duration::hours(12)),
        choke_points: vec![],
    })?;
    let mut shift_ids = Vec::new();
    for gate in 0..3 {
        let shift = campaign.add_shift(
            &action.id,
            NewShift {
                location: format!("Gate {}", gate + 1),
                starts_at: time::format_instant(starts + chrono::Duration::hours(4 * gate)),
                ends_at: time::format_instant(starts + chrono::Duration::hours(4 * (gate + 1))),
                capacity: (phones * per_phone) as i64,
                captain: None,
            },
        )?;
        shift_ids.push(shift.id);
    }
    let document = campaign.document_bytes(&DocumentId::action(&action.id))?;
    std::fs::write(document_path, &document)
        .with_context(|| format!("writing {}", document_path.display()))?;
    let hub_key = Identity::of(&mut campaign)?.public_hex();
    let role = if per_phone > 1 {
        Role::PicketCaptain
    } else {
        Role::Member
    };
    let mut invites = Vec::with_capacity(phones);
    for member in members.iter().take(phones) {
        let (invite, _) = pairing::issue_invite(
            &mut campaign,
            &steward.id,
            member,
            role,
            24,
            vec![address.to_string()],
        )?;
        invites.push(invite);
    }
    Ok(Plan {
        action_id: action.id,
        shift_ids,
        members,
        invites,
        hub_key,
        document_bytes: document.len(),
    })
}

/// Pairs one phone per invite, each in its own data directory under
/// `root`, and returns the directories (the campaigns are closed again).
async fn pair_phones(invites: &[Invite], root: &Path) -> Result<Vec<PathBuf>> {
    let places = Arc::new(Semaphore::new(SETUP_PARALLEL));
    let mut tasks = JoinSet::new();
    for (index, invite) in invites.iter().cloned().enumerate() {
        let dir = root.join("phones").join(format!("{index:04}"));
        let places = places.clone();
        tasks.spawn(async move {
            let _place = places.acquire_owned().await.expect("never closed");
            let paired = client::pair(&dir, invite, &[]).await;
            (
                index,
                paired.map(|(campaign, _)| drop(campaign)).map(|()| dir),
            )
        });
    }
    let mut dirs: Vec<Option<PathBuf>> = invites.iter().map(|_| None).collect();
    let mut paired = 0;
    while let Some(joined) = tasks.join_next().await {
        let (index, outcome) = joined.context("a pairing task failed")?;
        dirs[index] = Some(outcome.with_context(|| format!("pairing phone {index}"))?);
        paired += 1;
        if paired % 100 == 0 || paired == invites.len() {
            progress(&format!("  paired {paired}/{}", invites.len()));
        }
    }
    Ok(dirs
        .into_iter()
        .map(|dir| dir.expect("every phone paired"))
        .collect())
}

/// Opens a phone's campaign for one sync or one round of check-ins.
fn open_phone(dir: &Path) -> Result<Campaign> {
    let mut campaign =
        Campaign::open(dir).with_context(|| format!("opening the phone in {}", dir.display()))?;
    // Hundreds of phones share this one disk here, where in the field each
    // has its own; waiting for every phone's fsync in turn would make the
    // phones, not the hub, the slow part of the run.
    campaign.relax_durability_for_bulk_load()?;
    Ok(campaign)
}

/// Each phone connects from a loopback address of its own (127.1.x.y;
/// Linux answers the whole of 127.0.0.0/8 on the loopback interface), as
/// phones on the hall's wifi each have their own address. From one address,
/// hundreds of phones at once would meet the hub's cap on handshakes per
/// address, which is there to stop one stranger from crowding everyone out.
fn phone_address(index: usize) -> std::net::IpAddr {
    let index = index % (250 * 250);
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(
        127,
        1,
        (index / 250) as u8,
        (index % 250 + 1) as u8,
    ))
}

/// Syncs every phone with the hub, at most `parallel` at once, in order.
/// Each phone's campaign is open only for its own sync; the time it takes
/// to open is not in its sync time.
async fn sync_all(phones: &[PathBuf], address: &str, parallel: usize) -> Vec<Outcome> {
    let places = Arc::new(Semaphore::new(parallel));
    let mut tasks = JoinSet::new();
    for (index, dir) in phones.iter().cloned().enumerate() {
        let places = places.clone();
        let address = address.to_string();
        tasks.spawn(async move {
            let _place = places.acquire_owned().await.expect("never closed");
            let campaign = match tokio::task::spawn_blocking(move || open_phone(&dir)).await {
                Ok(Ok(campaign)) => campaign,
                Ok(Err(error)) => return (index, Outcome::failed(format!("{error:#}"))),
                Err(error) => return (index, Outcome::failed(error.to_string())),
            };
            let campaign: SharedVault = Arc::new(Mutex::new(Vault::from(campaign)));
            let started = Instant::now();
            let outcome = client::sync_from(campaign, &address, Some(phone_address(index))).await;
            let millis = started.elapsed().as_secs_f64() * 1_000.0;
            let outcome = match outcome {
                Ok(report) => Outcome {
                    report: Some(report),
                    error: None,
                    millis,
                },
                Err(error) => Outcome {
                    report: None,
                    error: Some(error.to_string()),
                    millis,
                },
            };
            (index, outcome)
        });
    }
    let mut outcomes: Vec<Option<Outcome>> = phones.iter().map(|_| None).collect();
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let (index, outcome) = match joined {
            Ok(finished) => finished,
            Err(error) => {
                progress(&format!("a sync task failed: {error}"));
                continue;
            }
        };
        outcomes[index] = Some(outcome);
        done += 1;
        if done % 100 == 0 || done == phones.len() {
            progress(&format!("  synced {done}/{}", phones.len()));
        }
    }
    outcomes
        .into_iter()
        .map(|outcome| {
            outcome.unwrap_or_else(|| Outcome::failed("the task syncing this phone failed".into()))
        })
        .collect()
}

/// Records each phone's check-ins offline, then sizes the first flight its
/// next sync will send.
fn record_check_ins(dirs: Vec<PathBuf>, plan: &Plan, per_phone: usize) -> Result<Vec<Phone>> {
    let mut phones = Vec::with_capacity(dirs.len());
    for (index, dir) in dirs.into_iter().enumerate() {
        let (check_in_ids, first_flight) = {
            let mut campaign = open_phone(&dir)?;
            let campaign = &mut campaign;
            let shift = &plan.shift_ids[index % plan.shift_ids.len()];
            let mut ids = Vec::with_capacity(per_phone);
            for number in 0..per_phone {
                let request = if per_phone == 1 {
                    // The member checks themself in on their own phone.
                    CheckRequest {
                        action: plan.action_id.clone(),
                        member: None,
                        shift: Some(shift.clone()),
                        recorded_by: None,
                        at: None,
                    }
                } else {
                    // A captain checks in the people at their gate.
                    CheckRequest {
                        action: plan.action_id.clone(),
                        member: Some(plan.members[index * per_phone + number].clone()),
                        shift: Some(shift.clone()),
                        recorded_by: Some(plan.members[index].clone()),
                        at: None,
                    }
                };
                let check = campaign
                    .check_in(request)
                    .with_context(|| format!("checking in on phone {index}"))?;
                ids.push(check.id);
            }
            let flight = first_flight(campaign, &plan.hub_key)?;
            (ids, flight)
        };
        phones.push(Phone {
            dir,
            check_in_ids,
            first_flight,
        });
    }
    Ok(phones)
}

/// The first flight a phone will send the hub, planned by the session's own
/// `plan_first_flight` and sized without being sent.
fn first_flight(campaign: &mut Campaign, hub_key: &str) -> Result<FlightSize> {
    let hub = campaign
        .device_by_key(hub_key)?
        .context("a phone does not list the hub among its devices")?;
    let (announce, states) = holdfast_sync::session::plan_first_flight(campaign, &hub)?;
    let mut syncs = Vec::new();
    let mut changes = 0;
    for (id, mut state) in states {
        if let Some((message, signatures)) = campaign.generate_sync_message(&id, &mut state)? {
            changes += message.changes.iter().map(<[u8]>::len).sum::<usize>();
            syncs.push((id, message.encode(), signatures));
        }
    }
    let documents = announce.len();
    let announce_only = Message::Flight {
        announce: Some(announce.clone()),
        syncs: Vec::new(),
        epochs: Vec::new(),
        rebases: Vec::new(),
    }
    .encode()
    .len();
    let whole = Message::Flight {
        announce: Some(announce),
        syncs,
        epochs: Vec::new(),
        rebases: Vec::new(),
    }
    .encode()
    .len();
    Ok(FlightSize {
        wire: whole + TRANSPORT_OVERHEAD,
        announce: announce_only,
        sync_overhead: whole - announce_only - changes,
        changes,
        documents,
    })
}

fn summarise_phones(result: &mut SyncLoad, phones: &[Phone], outcomes: &[Outcome]) {
    let reports: Vec<&holdfast_sync::Report> = outcomes
        .iter()
        .filter_map(|outcome| outcome.report.as_ref())
        .collect();
    let of = |pick: &dyn Fn(&holdfast_sync::Report) -> usize| {
        Stats::of(
            &reports
                .iter()
                .map(|report| pick(report) as f64)
                .collect::<Vec<_>>(),
        )
    };
    result.per_phone = PerPhone {
        bytes_up: of(&|report| report.bytes_sent),
        bytes_down: of(&|report| report.bytes_received),
        round_trips: of(&|report| report.round_trips),
        sync_ms: Stats::of(
            &outcomes
                .iter()
                .filter(|outcome| outcome.report.is_some())
                .map(|outcome| outcome.millis)
                .collect::<Vec<_>>(),
        ),
        changes_sent: of(&|report| report.changes_sent),
        changes_received: of(&|report| report.changes_received),
    };
    result.total_bytes_up = reports.iter().map(|report| report.bytes_sent as u64).sum();
    result.total_bytes_down = reports
        .iter()
        .map(|report| report.bytes_received as u64)
        .sum();
    result.phones_failed = outcomes.len() - reports.len();
    result.errors = outcomes
        .iter()
        .enumerate()
        .filter_map(|(index, outcome)| {
            outcome
                .error
                .as_ref()
                .map(|error| format!("phone {index}: {error}"))
        })
        .take(5)
        .collect();

    let count = phones.len().max(1) as f64;
    let mean = |pick: &dyn Fn(&FlightSize) -> usize| {
        phones
            .iter()
            .map(|phone| pick(&phone.first_flight) as f64)
            .sum::<f64>()
            / count
    };
    let handshake = Session::connect(
        Identity::generate().expect("a fresh key pair"),
        Config::default(),
    )
    .map_or(0, |(_, first)| first.len())
        + HANDSHAKE_THIRD_MESSAGE;
    let first_flight = mean(&|flight| flight.wire);
    result.bytes_up = BytesUp {
        handshake: handshake as f64,
        first_flight,
        announce: mean(&|flight| flight.announce),
        sync_message_overhead: mean(&|flight| flight.sync_overhead),
        changes: mean(&|flight| flight.changes),
        transport: TRANSPORT_OVERHEAD as f64,
        documents_announced: mean(&|flight| flight.documents),
        later_flights: result.per_phone.bytes_up.mean - handshake as f64 - first_flight,
    };
}

/// Opens the hub's database (the hub has stopped) and checks what arrived.
fn inspect_hub(dir: &Path, action_id: &str, expected: &[&str]) -> Result<After> {
    let mut campaign = Campaign::open(dir)?;
    let document = DocumentId::action(action_id);
    let heads = campaign.document_heads(&document)?;
    let at_action: BTreeSet<String> = campaign
        .check_ins(Some(action_id))?
        .into_iter()
        .map(|check| check.id)
        .collect();
    let found = expected
        .iter()
        .filter(|id| at_action.contains(**id))
        .count();
    Ok(After {
        action_heads: heads.len(),
        check_ins_expected: expected.len(),
        check_ins_found: found,
        check_ins_at_action: at_action.len(),
        action_document_bytes: campaign.document_bytes(&document)?.len(),
    })
}

fn judge(result: &mut SyncLoad) {
    let up = result.per_phone.bytes_up.max;
    let trips = result.per_phone.round_trips.max;
    let cpu = result.hub.cpu_seconds;
    let answered = result.phones_failed == 0;
    result.targets = vec![
        Target {
            name: "bytes up per phone (max)",
            target: "<= 400 B".into(),
            measured: format!("{up:.0} B"),
            met: answered && up <= 400.0,
        },
        Target {
            name: "round trips (max, handshake in)",
            target: "<= 3".into(),
            measured: format!("{trips:.0}"),
            met: answered && trips <= 3.0,
        },
        Target {
            name: "hub CPU, all phones",
            target: "<= 2 s".into(),
            measured: format!("{cpu:.2} s"),
            met: answered && cpu <= 2.0,
        },
    ];
}

/// The running hub process.
struct HubProcess {
    child: Child,
    log: PathBuf,
}

impl HubProcess {
    fn start(binary: &Path, data_dir: &Path, port: u16, log: &Path) -> Result<Self> {
        let log_file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new(binary)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["hub", "--address", "127.0.0.1", "--port"])
            .arg(port.to_string())
            // No web UI: it would take the default port 8418, which another
            // hub on the machine may hold, and the bench measures sync only.
            .args(["--discovery", "off", "--no-ui"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped above");
        let (listening, heard) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.contains("listening on") {
                    let _ = listening.send(());
                }
            }
        });
        let mut hub = HubProcess {
            child,
            log: log.to_path_buf(),
        };
        if heard.recv_timeout(Duration::from_secs(60)).is_err() {
            hub.kill();
            bail!(
                "the hub did not start listening within 60 s; its log is {}",
                log.display()
            );
        }
        Ok(hub)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The hub's one line per finished connection, as it logged them.
    fn connection_lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.starts_with("hub: 127."))
            .map(str::to_string)
            .collect()
    }

    /// Waits until the hub has logged the end of `count` connections.
    fn wait_for_connections(&self, count: usize, limit: Duration) {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self.connection_lines().len() >= count {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        progress(&format!(
            "the hub logged the end of fewer than {count} connections within {} s",
            limit.as_secs()
        ));
    }

    /// Stops the hub as Ctrl-C would, so that it closes its campaign.
    fn stop(&mut self) -> Result<()> {
        if self.child.try_wait()?.is_some() {
            bail!(
                "the hub had already exited; its log is {}",
                self.log.display()
            );
        }
        interrupt(self.pid())?;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    bail!(
                        "the hub exited with {status}; its log is {}",
                        self.log.display()
                    );
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        bail!("the hub did not stop within 120 s of an interrupt")
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for HubProcess {
    /// A run that fails half-way must not leave a hub behind.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}

/// Sends SIGINT to a process this program started. Without `unsafe` (the
/// workspace forbids it) there is no direct call for that, so `kill` does it.
fn interrupt(pid: u32) -> Result<()> {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .context("running kill")?;
    if !status.success() {
        bail!("kill -INT {pid} failed");
    }
    Ok(())
}

/// `perf record` attached to the hub for the measured phase.
struct Profiler {
    child: Child,
}

impl Profiler {
    fn start(pid: u32, file: &Path) -> Result<Self> {
        let child = Command::new("perf")
            .args(["record", "-F", "499", "--call-graph", "dwarf,32768", "-p"])
            .arg(pid.to_string())
            .arg("-o")
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting perf record")?;
        // perf needs a moment to attach before the first phone connects.
        std::thread::sleep(Duration::from_millis(500));
        Ok(Profiler { child })
    }

    fn stop(mut self) -> Result<()> {
        interrupt(self.child.id())?;
        self.child.wait()?;
        Ok(())
    }
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8_lossy(&output.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// User and system CPU seconds of a process so far, from /proc/PID/stat.
fn cpu_seconds(pid: u32, ticks: f64) -> Result<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // The command name is in parentheses and may hold spaces; utime and
    // stime are the 14th and 15th fields of the line, the 12th and 13th
    // after the name.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let field = |index: usize| -> Result<f64> {
        fields
            .get(index)
            .and_then(|value| value.parse::<f64>().ok())
            .map(|value| value / ticks)
            .with_context(|| format!("reading CPU times from /proc/{pid}/stat"))
    };
    Ok((field(11)?, field(12)?))
}

/// Runs automerge-repo/sync-load.mjs on the same workload and document, and
/// returns the JSON it prints.
fn run_automerge_repo(
    options: &SyncOptions,
    phones: usize,
    document: &Path,
) -> Result<serde_json::Value> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("automerge-repo");
    let script = folder.join("sync-load.mjs");
    if !script.exists() {
        bail!("{} is missing", script.display());
    }
    let output = Command::new(&options.node)
        .arg(&script)
        .args(["--phones", &phones.to_string()])
        .args(["--changes-per-phone", &options.check_ins.to_string()])
        .args(["--concurrency", &options.concurrency.to_string()])
        .arg("--document")
        .arg(document)
        .current_dir(&folder)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {} {}", options.node.display(), script.display()))?;
    let figures: serde_json::Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "sync-load.mjs printed no figures (it exited with {})",
            output.status
        )
    })?;
    if !output.status.success() {
        // Its figures are still worth showing: it exits non-zero when a
        // check-in went missing, and says so in checkIns.
        progress(&format!(
            "sync-load.mjs exited with {}; its figures follow",
            output.status
        ));
    }
    Ok(figures)
}

fn ratios(ours: &SyncLoad, theirs: &serde_json::Value) -> Vec<Ratio> {
    let figure = |path: &[&str]| {
        path.iter()
            .try_fold(theirs, |value, key| value.get(key))
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
    };
    let ratio = |what, holdfast: f64, automerge_repo: f64| Ratio {
        what,
        holdfast,
        automerge_repo,
        ratio: (automerge_repo > 0.0).then(|| holdfast / automerge_repo),
    };
    vec![
        ratio(
            "hub CPU seconds",
            ours.hub.cpu_seconds,
            figure(&["server", "cpuSeconds"]),
        ),
        ratio(
            "hub peak memory MB",
            ours.hub.peak_memory_mb,
            figure(&["server", "peakMemoryMB"]),
        ),
        ratio(
            "hub memory at start MB",
            ours.hub.resident_at_start_mb,
            figure(&["server", "idleMemoryMB"]),
        ),
        ratio(
            "bytes up per phone (mean)",
            ours.per_phone.bytes_up.mean,
            figure(&["perPhone", "bytesUp", "mean"]),
        ),
        ratio(
            "bytes down per phone (mean)",
            ours.per_phone.bytes_down.mean,
            figure(&["perPhone", "bytesDown", "mean"]),
        ),
        ratio(
            "round trips per phone (mean)",
            ours.per_phone.round_trips.mean,
            figure(&["perPhone", "roundTrips", "mean"]),
        ),
        ratio("wall seconds", ours.wall_seconds, figure(&["wallSeconds"])),
    ]
}

fn text(result: &SyncLoad) -> String {
    let mut out = String::new();
    let _ = write_text(result, &mut out);
    out
}

fn write_text(result: &SyncLoad, out: &mut String) -> std::fmt::Result {
    use std::fmt::Write as _;
    let machine = &result.machine;
    let workload = &result.workload;
    writeln!(out, "Holdfast sync through one hub, {}", result.date)?;
    writeln!(out, "command: {}", result.command)?;
    writeln!(
        out,
        "machine: {} cores ({}), {:.1} GiB memory, Linux {}",
        machine.cores, machine.cpu, machine.memory_total_gb, machine.kernel
    )?;
    writeln!(out, "hub: {} (pid {})", result.hub.binary, result.hub.pid)?;
    writeln!(out)?;

    writeln!(out, "WORKLOAD")?;
    writeln!(
        out,
        "  {} phones, {} check-in(s) each recorded offline, then synced through the hub, at most {} at once",
        workload.phones, workload.check_ins_per_phone, workload.concurrency
    )?;
    writeln!(
        out,
        "  campaign: {} members, one action today with {} shifts; its document was {} bytes before the check-ins",
        workload.members, workload.shifts, workload.action_document_bytes
    )?;
    writeln!(
        out,
        "  setup (pairing, a first sync, the check-ins; not measured): {:.1} s",
        result.setup_seconds
    )?;
    writeln!(out)?;

    let phone = &result.per_phone;
    writeln!(out, "PER PHONE (each phone's sync Report)")?;
    writeln!(
        out,
        "  {:<22} {:>10} {:>10} {:>10} {:>10}",
        "", "mean", "median", "min", "max"
    )?;
    for (label, stats) in [
        ("bytes up", &phone.bytes_up),
        ("bytes down", &phone.bytes_down),
        ("round trips", &phone.round_trips),
        ("sync time (ms)", &phone.sync_ms),
        ("changes sent", &phone.changes_sent),
        ("changes received", &phone.changes_received),
    ] {
        writeln!(
            out,
            "  {label:<22} {:>10.1} {:>10.1} {:>10.1} {:>10.1}",
            stats.mean, stats.median, stats.min, stats.max
        )?;
    }
    let up = &result.bytes_up;
    writeln!(out, "  where the bytes up go (means):")?;
    writeln!(
        out,
        "    handshake (hello, Noise XX messages 1 and 3) {:>7.1} B",
        up.handshake
    )?;
    writeln!(
        out,
        "    first flight                                 {:>7.1} B",
        up.first_flight
    )?;
    writeln!(
        out,
        "      list of {:.0} documents with heads digests   {:>7.1} B",
        up.documents_announced, up.announce
    )?;
    writeln!(
        out,
        "      sync messages around the changes         {:>7.1} B",
        up.sync_message_overhead
    )?;
    writeln!(
        out,
        "      the check-in changes                     {:>7.1} B",
        up.changes
    )?;
    writeln!(
        out,
        "      frame, piece marker, encryption tag      {:>7.1} B",
        up.transport
    )?;
    writeln!(
        out,
        "    later flights (acknowledgements)             {:>7.1} B",
        up.later_flights
    )?;
    writeln!(
        out,
        "  all phones: {} bytes up, {} bytes down",
        result.total_bytes_up, result.total_bytes_down
    )?;
    if result.phones_failed > 0 {
        writeln!(out, "  {} phones FAILED to sync:", result.phones_failed)?;
        for error in &result.errors {
            writeln!(out, "    {error}")?;
        }
        writeln!(
            out,
            "  they tried again after the phase: {} of {} failed again",
            result.phones_failed_again, result.phones_retried
        )?;
    }
    writeln!(out)?;

    let hub = &result.hub;
    writeln!(
        out,
        "HUB PROCESS (holdfast hub, restarted before the phase; /proc/PID/stat and status)"
    )?;
    writeln!(
        out,
        "  CPU time      {:>8.2} s   (user {:.2} s, system {:.2} s){}",
        hub.cpu_seconds,
        hub.user_seconds,
        hub.system_seconds,
        if hub.profiled {
            ", sampled by perf record"
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "  peak memory   {:>8.1} MB  (VmHWM; {})",
        hub.peak_memory_mb,
        if hub.peak_reset {
            format!(
                "reset when the phase began, when the hub held {:.1} MB",
                hub.resident_at_start_mb
            )
        } else {
            format!(
                "not reset, so it includes start-up; {:.1} MB resident when the phase began",
                hub.resident_at_start_mb
            )
        }
    )?;
    writeln!(
        out,
        "  resident at the end {:>6.1} MB",
        hub.resident_at_end_mb
    )?;
    writeln!(
        out,
        "  wall time     {:>8.2} s   from the first phone connecting to the last one done",
        result.wall_seconds
    )?;
    writeln!(
        out,
        "  the phones' CPU time in the same phase: {:.2} s (all phones run in this process, on the same cores)",
        result.phones_cpu_seconds
    )?;
    writeln!(
        out,
        "  its log: {} connections ended as finished syncs, {} otherwise{}",
        result.hub_log.synced,
        result.hub_log.not_synced,
        if result.hub_log.not_synced > 0 {
            " (the phone may still have reported success), for example:"
        } else {
            ""
        }
    )?;
    for line in &result.hub_log.examples {
        writeln!(out, "    {line}")?;
    }
    writeln!(out)?;

    let after = &result.after;
    writeln!(
        out,
        "THE HUB AFTERWARDS (its database, opened once it had stopped)"
    )?;
    writeln!(out, "  action document heads: {}", after.action_heads)?;
    writeln!(
        out,
        "  check-ins: {} of the {} made on phones are on the hub ({} at the action in all){}",
        after.check_ins_found,
        after.check_ins_expected,
        after.check_ins_at_action,
        if after.check_ins_found == after.check_ins_expected {
            ""
        } else {
            "  MISSING SOME"
        }
    )?;
    writeln!(
        out,
        "  action document: {} bytes saved",
        after.action_document_bytes
    )?;
    writeln!(out)?;

    crate::report::write_targets(out, &result.targets)?;

    if let Some(theirs) = &result.automerge_repo {
        writeln!(out)?;
        writeln!(
            out,
            "AGAINST AUTOMERGE-REPO'S SYNC SERVER (sync-load.mjs, same workload and document)"
        )?;
        writeln!(
            out,
            "  {:<30} {:>12} {:>16} {:>8}",
            "", "holdfast", "automerge-repo", "ratio"
        )?;
        for ratio in &result.ratios {
            writeln!(
                out,
                "  {:<30} {:>12.2} {:>16.2} {:>8}",
                ratio.what,
                ratio.holdfast,
                ratio.automerge_repo,
                ratio
                    .ratio
                    .map_or_else(|| "-".to_string(), |value| format!("{value:.2}"))
            )?;
        }
        writeln!(
            out,
            "  automerge-repo: {} of {} check-ins on its server, {} phones failed",
            theirs["checkIns"]["found"], theirs["checkIns"]["expected"], theirs["phonesFailed"]
        )?;
        writeln!(
            out,
            "  (bytes: Holdfast counts what crosses the TCP socket, handshake and encryption included; sync-load.mjs counts WebSocket message payloads, without the HTTP upgrade)"
        )?;
    }
    Ok(())
}
