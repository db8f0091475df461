//! The durability promise (ARCHITECTURE.md, "Durability promise") under real
//! process kills. A writer process edits a campaign as fast as it can and
//! prints every edit it was told was saved; the test kills it with SIGKILL
//! at a random moment, starts it again on the same data directory, and does
//! that again and again. Every 20 rounds and at the end it checks that the
//! database is intact, that every document loads, that every acknowledged
//! check-in, ledger entry and action is there, and that rebuilding the
//! projections from the documents changes nothing; the second device the
//! writer syncs with gets the same checks but for the acknowledgements.
//!
//! The writer is `examples/crash_writer.rs`. `cargo test --test crash` builds
//! this test binary but not the examples, so looking for
//! `target/<profile>/examples/crash_writer` would find nothing, or worse, a
//! build of older source. So the example's source is compiled into this
//! binary as well, and the test starts this same binary again, filtered to
//! the ignored test `writer_process`, which hands over to the writer. The
//! writer is still a real process of its own, killed by a real signal.
//!
//! `HOLDFAST_CRASH_ROUNDS` sets the number of kills (200 by default) and
//! `HOLDFAST_CRASH_SEED` repeats a run's random choices (the kill delays and
//! the writers' edits; not the timing). Run with `--nocapture` to see the
//! summary.
//!
//! A process kill is not a power cut: what the writer wrote but never synced
//! survives in the kernel's page cache. For a power-loss run, point
//! `HOLDFAST_CRASH_DIR` at an empty directory on a file system that can drop
//! unsynced writes (a LazyFS-style FUSE layer) and set
//! `HOLDFAST_CRASH_AFTER_KILL` to a shell command that makes it do so; the
//! test runs it after every kill, before anything reads the directory again.

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use holdfast_store::{Campaign, DATABASE_FILE};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

// The example's own `main` is not called here; `run` is.
#[allow(dead_code)]
#[path = "../examples/crash_writer.rs"]
mod crash_writer;

const ROUNDS_VARIABLE: &str = "HOLDFAST_CRASH_ROUNDS";
const SEED_VARIABLE: &str = "HOLDFAST_CRASH_SEED";
const DIR_VARIABLE: &str = "HOLDFAST_CRASH_DIR";
const AFTER_KILL_VARIABLE: &str = "HOLDFAST_CRASH_AFTER_KILL";
/// Set only in the writer process: its data directory and seed.
const WRITER_DIR_VARIABLE: &str = "HOLDFAST_CRASH_WRITER_DIR";
const WRITER_SEED_VARIABLE: &str = "HOLDFAST_CRASH_WRITER_SEED";
const DEFAULT_ROUNDS: u64 = 200;
const CHECK_EVERY: u64 = 20;
const MAX_DELAY_MS: u64 = 300;
const SIGKILL: i32 = 9;

/// The writer, when this binary is started as one. In an ordinary test run
/// it is ignored; started by hand with `--ignored` it does nothing.
#[test]
#[ignore = "the writer process that `acknowledged_edits_survive_kills` starts and kills"]
fn writer_process() {
    let (Some(dir), Some(seed)) = (
        std::env::var_os(WRITER_DIR_VARIABLE),
        std::env::var_os(WRITER_SEED_VARIABLE),
    ) else {
        return;
    };
    let seed = seed.to_str().and_then(|seed| seed.parse().ok()).unwrap();
    let Err(error) = crash_writer::run(Path::new(&dir), seed);
    eprintln!("crash_writer: {error}");
    std::process::exit(2);
}

#[test]
fn acknowledged_edits_survive_kills() {
    let rounds: u64 = variable(ROUNDS_VARIABLE).unwrap_or(DEFAULT_ROUNDS);
    let seed: u64 = variable(SEED_VARIABLE).unwrap_or_else(rand::random);
    println!("crash test: {rounds} rounds, {SEED_VARIABLE}={seed}");
    let started = Instant::now();
    let given_dir = std::env::var_os(DIR_VARIABLE).map(PathBuf::from);
    // A temporary directory is kept if the test fails, for a look at what
    // the writers left.
    let dir = match &given_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).unwrap();
            assert!(
                std::fs::read_dir(dir).unwrap().next().is_none(),
                "{DIR_VARIABLE}={} must name an empty directory",
                dir.display()
            );
            dir.clone()
        }
        None => tempfile::TempDir::new().unwrap().keep(),
    };
    let after_kill = std::env::var(AFTER_KILL_VARIABLE).ok();
    println!("crash test: data directory {}", dir.display());
    let mut random = StdRng::seed_from_u64(seed);
    let mut acked = Acked::default();
    let mut kills = Kills::default();
    let mut checks = 0;
    for round in 0..rounds {
        let delay = Duration::from_millis(random.random_range(0..=MAX_DELAY_MS));
        let writer_seed: u64 = random.random();
        let lines = kill_a_writer(dir.as_path(), writer_seed, delay, round);
        if let Some(command) = &after_kill {
            let status = Command::new("sh").args(["-c", command]).status().unwrap();
            assert!(status.success(), "{AFTER_KILL_VARIABLE} failed: {status}");
        }
        kills.count(&lines);
        acked.add(&lines);
        if (round + 1) % CHECK_EVERY == 0 && round + 1 < rounds {
            check_main(dir.as_path(), &acked);
            check_peer(dir.as_path());
            checks += 1;
        }
    }
    let totals = check_main(dir.as_path(), &acked);
    check_peer(dir.as_path());
    checks += 1;

    if given_dir.is_none() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(
        !acked.check_ins.is_empty() && !acked.ledger.is_empty(),
        "the writers acknowledged too little to test anything: {acked:?}"
    );
    println!(
        "crash test: {rounds} kills in {:.1} s, checked {checks} times, no acknowledged edit lost",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  acknowledged: {} lines; {} check-ins and check-outs, {} ledger entries, {} actions",
        acked.lines,
        acked.check_ins.len(),
        acked.ledger.len(),
        acked.actions.len()
    );
    println!("  by kind: {:?}", acked.by_kind);
    println!(
        "  kills: {} before the first acknowledgement, {} between edits or during one, and during longer work: {:?} (maintain is compaction and checkpoint; compact_all compacts every document)",
        kills.before_first_ack, kills.other, kills.during
    );
    println!(
        "  on disk at the end: {} check-ins, {} ledger entries, {} documents",
        totals.check_ins, totals.ledger, totals.documents
    );
}

fn variable<T: std::str::FromStr>(name: &str) -> Option<T> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a number")),
    )
}

/// Starts a writer, kills it after `delay`, and returns every complete line
/// it printed.
fn kill_a_writer(data_dir: &Path, seed: u64, delay: Duration, round: u64) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "writer_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
            "--quiet",
        ])
        .env(WRITER_DIR_VARIABLE, data_dir)
        .env(WRITER_SEED_VARIABLE, seed.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let lines = std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut lines = Vec::new();
        let mut line = String::new();
        // A line cut short by the kill has no newline; it is left out, since
        // its id may be cut short too.
        while reader.read_line(&mut line).unwrap() > 0 {
            if let Some(complete) = line.strip_suffix('\n') {
                lines.push(complete.to_string());
            }
            line.clear();
        }
        lines
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });
    std::thread::sleep(delay);
    // `kill` sends SIGKILL on Unix: no destructor, no `maintain` on the way
    // out, nothing flushed that was not already written.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let lines = lines.join().unwrap();
    let errors = errors.join().unwrap();
    assert_eq!(
        status.signal(),
        Some(SIGKILL),
        "round {round} (writer seed {seed}): the writer ended by itself ({status}) instead of being killed\n{errors}\nlast lines: {:?}",
        lines.iter().rev().take(5).collect::<Vec<_>>()
    );
    lines
}

/// Everything the writers said was saved.
#[derive(Debug, Default)]
struct Acked {
    lines: usize,
    by_kind: BTreeMap<String, usize>,
    check_ins: BTreeSet<String>,
    ledger: BTreeSet<String>,
    actions: BTreeSet<String>,
}

impl Acked {
    fn add(&mut self, lines: &[String]) {
        for line in lines {
            let mut words = line.split(' ');
            let (Some("ack"), Some(kind), Some(id), None) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                continue;
            };
            self.lines += 1;
            *self.by_kind.entry(kind.to_string()).or_default() += 1;
            let set = match kind {
                "check_in" | "check_out" | "peer_check_in" => &mut self.check_ins,
                "ledger" | "peer_ledger" => &mut self.ledger,
                "action" => &mut self.actions,
                _ => continue,
            };
            set.insert(id.to_string());
        }
    }
}

/// What each kill interrupted, as far as the writer's last line tells: a
/// `begin` with no `ack` after it means the kill came during that work (or
/// just after it returned, before its acknowledgement was printed).
#[derive(Debug, Default)]
struct Kills {
    during: BTreeMap<String, usize>,
    before_first_ack: usize,
    other: usize,
}

impl Kills {
    fn count(&mut self, lines: &[String]) {
        let last = lines
            .iter()
            .rev()
            .find(|line| line.starts_with("ack ") || line.starts_with("begin "));
        match last.and_then(|line| line.strip_prefix("begin ")) {
            Some(work) => *self.during.entry(work.to_string()).or_default() += 1,
            None if last.is_none() => self.before_first_ack += 1,
            None => self.other += 1,
        }
    }
}

struct Totals {
    check_ins: usize,
    ledger: usize,
    documents: usize,
}

/// Opens the writer's campaign as the app would after a crash and checks
/// everything the promise covers.
fn check_main(data_dir: &Path, acked: &Acked) -> Totals {
    if !data_dir.join(crash_writer::SETUP_DONE).exists() {
        // Every writer so far was killed during setup, before any edit
        // was acknowledged.
        assert_eq!(acked.lines, 0);
        return Totals {
            check_ins: 0,
            ledger: 0,
            documents: 0,
        };
    }
    check_database(data_dir);
    let mut campaign = Campaign::open(data_dir).unwrap();
    let documents = load_every_document(&mut campaign, data_dir);

    let check_ins: BTreeSet<String> = campaign
        .check_ins(None)
        .unwrap()
        .into_iter()
        .map(|check| check.id)
        .collect();
    let ledger: BTreeSet<String> = campaign
        .ledger()
        .unwrap()
        .into_iter()
        .map(|entry| entry.id)
        .collect();
    let actions: BTreeSet<String> = campaign
        .actions()
        .unwrap()
        .into_iter()
        .map(|action| action.id)
        .collect();
    assert_none_missing("check-ins", &acked.check_ins, &check_ins);
    assert_none_missing("ledger entries", &acked.ledger, &ledger);
    assert_none_missing("actions", &acked.actions, &actions);

    assert_projections_match_documents(&mut campaign, data_dir);
    // Closing runs `maintain`, as it would in the app.
    drop(campaign);
    check_database(data_dir);
    Totals {
        check_ins: check_ins.len(),
        ledger: ledger.len(),
        documents,
    }
}

/// The second device, whose own edits are acknowledged only once merged
/// here (and so checked by `check_main`): its database must be intact, its
/// documents must load and its projections must agree with them.
fn check_peer(data_dir: &Path) {
    let peer_dir = data_dir.join(crash_writer::PEER_DIR);
    check_database(&peer_dir);
    if !data_dir.join(crash_writer::PEER_READY).exists() {
        return;
    }
    let mut peer = Campaign::open(&peer_dir).unwrap();
    load_every_document(&mut peer, &peer_dir);
    assert_projections_match_documents(&mut peer, &peer_dir);
    drop(peer);
    check_database(&peer_dir);
}

fn assert_none_missing(what: &str, acked: &BTreeSet<String>, found: &BTreeSet<String>) {
    let missing: Vec<&String> = acked.difference(found).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged {what} of {} are missing, among them {:?}",
        missing.len(),
        acked.len(),
        missing.iter().take(10).collect::<Vec<_>>()
    );
}

/// SQLite's own checks, on a connection of its own (unlocked with the
/// directory's key file, as the store's own connection is).
fn check_database(data_dir: &Path) {
    let path = data_dir.join(DATABASE_FILE);
    if !path.exists() {
        return;
    }
    let fail = |error: &dyn std::error::Error| -> ! { panic!("{}: {error}", path.display()) };
    let connection =
        holdfast_store::open_connection(data_dir, None).unwrap_or_else(|error| fail(&error));
    let pragma = |name: &str| -> Vec<String> {
        let mut statement = connection
            .prepare(&format!("PRAGMA {name}"))
            .unwrap_or_else(|error| fail(&error));
        statement
            .query_map([], |row| row.get(0))
            .unwrap_or_else(|error| fail(&error))
            .map(|row| row.unwrap_or_else(|error| fail(&error)))
            .collect()
    };
    assert_eq!(
        pragma("integrity_check"),
        ["ok"],
        "integrity_check of {}",
        path.display()
    );
    let dangling = pragma("foreign_key_check");
    assert!(
        dangling.is_empty(),
        "rows of {dangling:?} in {} point at nothing",
        path.display()
    );
}

/// Loads every stored document from disk (the campaign was just opened, so
/// nothing is cached) and reads its full bytes back with Automerge.
fn load_every_document(campaign: &mut Campaign, data_dir: &Path) -> usize {
    let documents = campaign.documents().unwrap();
    for id in &documents {
        let bytes = campaign
            .document_bytes(id)
            .unwrap_or_else(|error| panic!("{id} in {}: {error}", data_dir.display()));
        automerge::AutoCommit::load(&bytes)
            .unwrap_or_else(|error| panic!("{id} in {}: {error}", data_dir.display()));
    }
    documents.len()
}

fn assert_projections_match_documents(campaign: &mut Campaign, data_dir: &Path) {
    let before = projected_rows(data_dir);
    campaign.reproject_everything().unwrap();
    let after = projected_rows(data_dir);
    if before != after {
        let before: BTreeSet<&String> = before.iter().collect();
        let after: BTreeSet<&String> = after.iter().collect();
        panic!(
            "the projections in {} disagreed with the documents;\nonly before the rebuild: {:?}\nonly after: {:?}",
            data_dir.display(),
            before.difference(&after).take(10).collect::<Vec<_>>(),
            after.difference(&before).take(10).collect::<Vec<_>>()
        );
    }
}

/// Every projected row, as text, in a stable order: records, check-ins and
/// the "needs attention" list.
fn projected_rows(data_dir: &Path) -> Vec<String> {
    let connection = holdfast_store::open_connection(data_dir, None).unwrap();
    let mut rows = Vec::new();
    for query in [
        "SELECT collection || ' ' || id || ' ' || document_id || ' ' || data FROM records ORDER BY collection, id",
        "SELECT id || ' ' || document_id || ' ' || action_id || ' ' || COALESCE(shift_id, '-') || ' ' || member_id
            || ' ' || kind || ' ' || at || ' ' || recorded_by || ' ' || device || ' ' || voided FROM checkins ORDER BY id",
        "SELECT key || ' ' || kind || ' ' || document_id || ' ' || summary FROM attention ORDER BY key",
    ] {
        let mut statement = connection.prepare(query).unwrap();
        rows.extend(
            statement
                .query_map([], |row| row.get::<_, String>(0))
                .unwrap()
                .map(Result::unwrap),
        );
    }
    rows
}
