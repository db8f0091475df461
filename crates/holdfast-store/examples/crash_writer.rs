//! The writer half of the crash test (`tests/crash.rs`): it edits a campaign
//! as fast as it can, forever, and says on stdout which edits it was told
//! were saved, so that a process killed at any moment leaves behind a list
//! of what must still be there.
//!
//! Usage: `crash_writer <data-dir> <seed>`.
//!
//! The first run creates the campaign: twelve members, one of them an aid
//! coordinator, a picket and a funded aid pool. Every run then loops over a
//! mix of work drawn from the seed: check-ins and check-outs at the current
//! picket, aid contributions and payouts, housekeeping (`maintain`, which
//! compacts and checkpoints, and `compact_all`), and syncs with a second
//! device of the same campaign kept in `<data-dir>/peer`. The second device
//! makes edits of its own, which reach this one only through merges, by
//! three roads: whole documents as a bundle carries them, the changes after
//! this device's heads, and Automerge's sync protocol with sync states that
//! are kept on disk.
//!
//! Every check-in and check-out gets a second of its own (see `Clock`).
//!
//! Each edit that returned `Ok` prints `ack <kind> <id>` and flushes stdout
//! before anything else happens. Housekeeping and syncs print `begin <kind>`
//! first and `ack <kind> ...` after, so that the test can tell what a kill
//! interrupted. Edits the store refuses (checking out someone who is not
//! there, paying out more than the pool holds) print nothing. Any other
//! error ends the process with status 2, which the test counts as a failure.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::io::{self, Write};
use std::path::Path;

use holdfast_core::model::*;
use holdfast_core::{time, Audience, DocumentId, DocumentKind};
use holdfast_store::use_cases::actions::NewAction;
use holdfast_store::use_cases::aid::NewLedgerEntry;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::{Campaign, StoreError, DATABASE_FILE};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// Anything that ends the writer: a store error that is not a refusal, or
/// stdout gone.
pub type Fatal = Box<dyn std::error::Error>;

/// The second device's data directory, inside the first one's.
pub const PEER_DIR: &str = "peer";
/// Written once the campaign is fully set up; before that nothing has been
/// acknowledged, so a half-made campaign may be thrown away and made again.
pub const SETUP_DONE: &str = "setup-done";
/// Written once the second device has joined, for the same reason.
pub const PEER_READY: &str = "peer-ready";

const MEMBERS: &[&str] = &[
    "Rosa Lindqvist",
    "Ana Ferreira",
    "Ben Adeyemi",
    "Cy Moreau",
    "Dara Okafor",
    "Eli Novak",
    "Farah Haddad",
    "Gus Pereira",
    "Hana Sato",
    "Ivo Kowalski",
    "Jun Park",
    "Kofi Mensah",
];
/// The member who records every ledger entry, on both devices.
const COORDINATOR: &str = "Rosa Lindqvist";
/// What the pool starts with, so that most payouts are allowed.
const INITIAL_FUND_CENTS: i64 = 5_000_000;
/// Check-ins per picket before the writer plans the next one, so that no
/// single action document grows without bound over a long run.
const CHECK_INS_PER_ACTION: usize = 200;
/// How often, in check-ins, the writer counts the current picket's.
const RECOUNT_EVERY: usize = 25;
/// How each device names the other in its stored sync states.
const PEER_AS_SEEN_BY_MAIN: &str = "crash-test-peer";
const MAIN_AS_SEEN_BY_PEER: &str = "crash-test-main";
/// How many of the latest pickets a sync looks at. Older ones get no more
/// edits, so looking at every one would only make each sync slower as the
/// run goes on.
const SYNCED_ACTIONS: usize = 3;
/// Where syncs start in the writer's roll of 0 to 99.
const SYNC: u32 = 85;
/// More sync rounds than two devices ever need to converge on one document.
const MAX_SYNC_ROUNDS: usize = 64;

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let (data_dir, seed) = match arguments.as_slice() {
        [data_dir, seed] => match seed.parse::<u64>() {
            Ok(seed) => (data_dir, seed),
            Err(_) => usage(),
        },
        _ => usage(),
    };
    let Err(error) = run(Path::new(data_dir), seed);
    eprintln!("crash_writer: {error}");
    std::process::exit(2);
}

fn usage() -> ! {
    eprintln!("usage: crash_writer <data-dir> <seed>");
    std::process::exit(64);
}

/// Sets up or opens the campaign in `data_dir` and edits it until killed.
/// Returns only on an error that is not a refusal.
pub fn run(data_dir: &Path, seed: u64) -> Result<Infallible, Fatal> {
    let mut out = Acks::new();
    let mut random = StdRng::seed_from_u64(seed);
    let mut main = open_or_set_up(data_dir)?;
    let mut peer = open_or_join(data_dir, &mut main)?;
    let members: Vec<String> = main
        .members()?
        .into_iter()
        .map(|member| member.id)
        .collect();
    let coordinator = main.resolve_member(COORDINATOR)?.id;
    let mut action = current_action(&mut main, &mut out)?;
    let mut present = main.present_at(&action)?;
    let mut clock = Clock::new();
    clock.catch_up(&main, &action)?;
    let mut peer_clock = Clock::new();
    let mut since_recount = 0;
    // How often this run does housekeeping is drawn once per run, so that
    // some runs compact often and others let change rows pile up, across
    // kills too.
    let maintain_one_in = *[8_u32, 40, 400].choose(&mut random).expect("not empty");
    // A third of the runs sync first, as the app does when it comes back to
    // the foreground. A sync takes long enough that one started later in a
    // run is mostly cut off by the kill, which is worth testing too, but
    // then few would ever finish.
    let mut sync_first = random.random_ratio(1, 3);

    loop {
        let roll = if std::mem::take(&mut sync_first) {
            SYNC
        } else {
            random.random_range(0..100)
        };
        match roll {
            0..55 => {
                let member = members.choose(&mut random).expect("members").clone();
                // Mostly the edit that the member's state allows; sometimes
                // the other, which the store refuses.
                let check_out = present.contains(&member) != random.random_ratio(1, 10);
                let request = CheckRequest {
                    action: action.clone(),
                    member: Some(member.clone()),
                    recorded_by: random.random_ratio(1, 4).then(|| coordinator.clone()),
                    at: Some(clock.tick()),
                    ..CheckRequest::default()
                };
                let outcome = if check_out {
                    main.check_out(request)
                } else {
                    main.check_in(request)
                };
                if let Some(check) = refused_is_none(outcome)? {
                    if check_out {
                        present.remove(&member);
                        out.ack("check_out", &check.id)?;
                    } else {
                        present.insert(member);
                        out.ack("check_in", &check.id)?;
                    }
                    since_recount += 1;
                }
                if since_recount >= RECOUNT_EVERY {
                    since_recount = 0;
                    let current = current_action(&mut main, &mut out)?;
                    if current != action {
                        action = current;
                        present = main.present_at(&action)?;
                        clock.catch_up(&main, &action)?;
                    }
                }
            }
            55..73 => {
                if let Some(entry) = ledger_entry(&mut main, &mut random, &members, &coordinator)? {
                    out.ack("ledger", &entry.id)?;
                }
            }
            73..85 => {
                peer_edit(
                    &mut peer,
                    &mut peer_clock,
                    &mut random,
                    &members,
                    &coordinator,
                )?;
            }
            SYNC..88 => {
                let road = *[Road::Bundle, Road::ChangesSince, Road::SyncProtocol]
                    .choose(&mut random)
                    .expect("not empty");
                out.begin("sync")?;
                let synced = sync_devices(&mut main, &mut peer, road)?;
                for id in &synced.changed {
                    out.ack("merge", id.as_str())?;
                }
                for (kind, id) in &synced.brought {
                    out.ack(kind, id)?;
                }
                out.ack("sync", road.name())?;
                // A merge can bring check-ins and check-outs made apart, some
                // of them at later times than this device's clock.
                present = main.present_at(&action)?;
                clock.catch_up(&main, &action)?;
            }
            _ => {}
        }
        if random.random_ratio(1, maintain_one_in) {
            out.begin("maintain")?;
            let compacted = main.maintain()?;
            out.ack("maintain", &compacted.to_string())?;
        }
        if random.random_ratio(1, 4 * maintain_one_in) {
            out.begin("peer_maintain")?;
            let compacted = peer.maintain()?;
            out.ack("peer_maintain", &compacted.to_string())?;
        }
        if random.random_ratio(1, 60) {
            out.begin("compact_all")?;
            main.compact_all()?;
            out.ack("compact_all", "-")?;
        }
    }
}

/// Stdout, one flushed line at a time.
struct Acks {
    out: io::StdoutLock<'static>,
}

impl Acks {
    fn new() -> Self {
        Acks {
            out: io::stdout().lock(),
        }
    }

    fn ack(&mut self, kind: &str, id: &str) -> Result<(), Fatal> {
        writeln!(self.out, "ack {kind} {id}")?;
        self.out.flush()?;
        Ok(())
    }

    fn begin(&mut self, kind: &str) -> Result<(), Fatal> {
        writeln!(self.out, "begin {kind}")?;
        self.out.flush()?;
        Ok(())
    }
}

/// Times for one device's check-ins and check-outs. Times have one-second
/// resolution, and within one second the store cannot tell the order of a
/// check-in, a check-out and another check-in of the same member: the
/// check-in is accepted, but rebuilding the projections then finds a
/// duplicate check-in that the edits never listed. That is a fault of its
/// own, not of durability, so every check this writer records gets a second
/// of its own, later than every check already on record at its action, as a
/// captain copying a paper sheet gives each line its own time.
struct Clock {
    next: chrono::DateTime<chrono::Utc>,
}

impl Clock {
    fn new() -> Self {
        Clock {
            next: time::parse_instant(&time::now()).expect("the store's own format"),
        }
    }

    /// Moves the clock past every check on record at `action`.
    fn catch_up(&mut self, campaign: &Campaign, action: &str) -> Result<(), Fatal> {
        for check in campaign.check_ins(Some(action))? {
            let at = time::parse_instant(&check.at)?;
            if at >= self.next {
                self.next = at + chrono::Duration::seconds(1);
            }
        }
        Ok(())
    }

    fn tick(&mut self) -> String {
        let at = time::format_instant(self.next);
        self.next += chrono::Duration::seconds(1);
        at
    }
}

/// A refused edit is part of the workload, not a failure.
fn refused_is_none<T>(outcome: Result<T, StoreError>) -> Result<Option<T>, Fatal> {
    match outcome {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::Rejected(_)) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Opens the campaign, or makes it. Setup is several edits, and a kill can
/// land between any two, so each step checks whether it was already done.
fn open_or_set_up(data_dir: &Path) -> Result<Campaign, Fatal> {
    let mut campaign = match Campaign::open(data_dir) {
        Ok(campaign) => campaign,
        Err(StoreError::NoCampaign(_)) if !data_dir.join(SETUP_DONE).exists() => {
            // A kill between `Campaign::create` making the database file and
            // committing the campaign document leaves a file that `open`
            // calls empty and `create` refuses to overwrite. Nothing was
            // acknowledged from it, so it is removed and made again.
            remove_database(data_dir)?;
            Campaign::create(data_dir, "Fair Contract Now", "Local 12")?
        }
        Err(error) => return Err(error.into()),
    };
    if data_dir.join(SETUP_DONE).exists() {
        return Ok(campaign);
    }
    let existing: BTreeSet<String> = campaign
        .members()?
        .into_iter()
        .map(|member| member.name)
        .collect();
    for name in MEMBERS.iter().filter(|name| !existing.contains(**name)) {
        let mut roles = vec![Role::Member];
        if *name == COORDINATOR {
            roles.push(Role::AidCoordinator);
        }
        campaign.add_member(NewMember {
            name: (*name).to_string(),
            roles,
            ..NewMember::default()
        })?;
    }
    if campaign.actions()?.is_empty() {
        plan_action(&mut campaign, 0)?;
    }
    if campaign.ledger()?.is_empty() {
        campaign.record_ledger_entry(
            NewLedgerEntry {
                kind: LedgerKind::Contribution,
                category: AidCategory::Fund,
                amount_cents: INITIAL_FUND_CENTS,
                request_id: None,
                party: None,
                note: "strike fund transfer".into(),
                at: None,
            },
            COORDINATOR,
        )?;
    }
    mark(data_dir, SETUP_DONE)?;
    Ok(campaign)
}

/// Opens the second device, or joins it to the campaign the way a paired
/// device starts: from the campaign document alone.
fn open_or_join(data_dir: &Path, main: &mut Campaign) -> Result<Campaign, Fatal> {
    let peer_dir = data_dir.join(PEER_DIR);
    let peer = match Campaign::open(&peer_dir) {
        Ok(peer) => peer,
        Err(StoreError::NoCampaign(_)) if !data_dir.join(PEER_READY).exists() => {
            // The same half-made state as in `open_or_set_up`, left by a
            // kill inside `Campaign::join`.
            remove_database(&peer_dir)?;
            let campaign_document = main.document_bytes(&DocumentId::campaign())?;
            Campaign::join(&peer_dir, &campaign_document)?
        }
        Err(error) => return Err(error.into()),
    };
    if !data_dir.join(PEER_READY).exists() {
        mark(data_dir, PEER_READY)?;
    }
    Ok(peer)
}

fn remove_database(dir: &Path) -> Result<(), Fatal> {
    for suffix in ["", "-wal", "-shm"] {
        let path = dir.join(format!("{DATABASE_FILE}{suffix}"));
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// Creates a marker file and makes it durable, directory entry included.
fn mark(dir: &Path, name: &str) -> Result<(), Fatal> {
    std::fs::File::create(dir.join(name))?.sync_all()?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// Plans picket number `number`, one day after the one before it.
fn plan_action(campaign: &mut Campaign, number: usize) -> Result<Action, StoreError> {
    let first = chrono::DateTime::parse_from_rfc3339("2026-03-02T07:00:00Z")
        .expect("a valid instant")
        .with_timezone(&chrono::Utc);
    let starts = first + chrono::Duration::days(number as i64);
    let ends = starts + chrono::Duration::hours(8);
    campaign.create_action(NewAction {
        title: format!("Gate B picket, day {}", number + 1),
        kind: ActionKind::InformationalPicket,
        tactic: "picket".into(),
        site: None,
        starts_at: starts.to_rfc3339(),
        ends_at: ends.to_rfc3339(),
        choke_points: vec![],
    })
}

/// The picket check-ins go to: the latest, or a new one once the latest is
/// full.
fn current_action(campaign: &mut Campaign, out: &mut Acks) -> Result<String, Fatal> {
    let actions = campaign.actions()?;
    if let Some(latest) = actions.last() {
        if campaign.check_ins(Some(&latest.id))?.len() < CHECK_INS_PER_ACTION {
            return Ok(latest.id.clone());
        }
    }
    let action = plan_action(campaign, actions.len())?;
    out.ack("action", &action.id)?;
    Ok(action.id)
}

/// A contribution (now and then from a named member, which also writes the
/// coordinators' private document) or a payout, which the store refuses
/// when the pool is short.
fn ledger_entry(
    campaign: &mut Campaign,
    random: &mut StdRng,
    members: &[String],
    coordinator: &str,
) -> Result<Option<LedgerEntry>, Fatal> {
    let contribution = random.random_bool(0.5);
    let party = (contribution && random.random_ratio(1, 3))
        .then(|| members.choose(random).expect("members").clone());
    let entry = NewLedgerEntry {
        kind: if contribution {
            LedgerKind::Contribution
        } else {
            LedgerKind::Disbursement
        },
        category: if random.random_ratio(4, 5) {
            AidCategory::Fund
        } else {
            AidCategory::Pantry
        },
        amount_cents: random.random_range(500..=25_000),
        request_id: None,
        party,
        note: String::new(),
        at: None,
    };
    refused_is_none(campaign.record_ledger_entry(entry, coordinator))
}

/// An edit on the second device, at whatever picket it has heard of. It is
/// acknowledged only once a sync has brought it here (`Synced::brought`).
fn peer_edit(
    peer: &mut Campaign,
    clock: &mut Clock,
    random: &mut StdRng,
    members: &[String],
    coordinator: &str,
) -> Result<(), Fatal> {
    if random.random_ratio(1, 3) {
        ledger_entry(peer, random, members, coordinator)?;
        return Ok(());
    }
    let Some(action) = peer.actions()?.pop() else {
        return Ok(());
    };
    clock.catch_up(peer, &action.id)?;
    let request = CheckRequest {
        action: action.id,
        member: Some(members.choose(random).expect("members").clone()),
        at: Some(clock.tick()),
        ..CheckRequest::default()
    };
    let outcome = if random.random_bool(0.5) {
        peer.check_in(request)
    } else {
        peer.check_out(request)
    };
    refused_is_none(outcome)?;
    Ok(())
}

/// How changes travel between the two devices.
#[derive(Debug, Clone, Copy)]
enum Road {
    /// Whole documents, as a bundle file or an export carries them.
    Bundle,
    /// Only the changes after the receiver's heads.
    ChangesSince,
    /// Automerge's sync protocol, with sync states kept on disk.
    SyncProtocol,
}

impl Road {
    fn name(self) -> &'static str {
        match self {
            Road::Bundle => "bundle",
            Road::ChangesSince => "changes_since",
            Road::SyncProtocol => "sync_protocol",
        }
    }
}

/// What a finished sync did to this device.
struct Synced {
    /// Documents that changed here.
    changed: Vec<DocumentId>,
    /// Check-ins and ledger entries that only the second device had before,
    /// as (kind, id): this device holds them now.
    brought: Vec<(&'static str, String)>,
}

/// Brings both devices to the same heads on every document they may share.
fn sync_devices(main: &mut Campaign, peer: &mut Campaign, road: Road) -> Result<Synced, Fatal> {
    let on_main: BTreeSet<DocumentId> = shared_documents(main)?;
    let on_peer: BTreeSet<DocumentId> = shared_documents(peer)?;
    let mut different = Vec::new();
    for id in on_main.union(&on_peer) {
        if main.document_heads(id)? != peer.document_heads(id)? {
            different.push(id.clone());
        }
    }
    let brought = only_on_peer(main, peer, &different)?;
    let mut changed = Vec::new();
    match road {
        Road::Bundle => {
            for id in &different {
                if on_peer.contains(id) {
                    let bytes = peer.document_bytes(id)?;
                    if main.merge_bytes(&bytes)?.changed {
                        changed.push(id.clone());
                    }
                }
                let bytes = main.document_bytes(id)?;
                peer.merge_into(id, &bytes)?;
            }
        }
        Road::ChangesSince => {
            for id in &different {
                // The peer first gets everything this device has, so that
                // the heads it is asked about are all known to it.
                if on_main.contains(id) {
                    let bytes = main.document_bytes(id)?;
                    peer.merge_into(id, &bytes)?;
                }
                let heads = main.document_heads(id)?;
                let bytes = peer.changes_since(id, &heads)?;
                if main.merge_into(id, &bytes)?.changed {
                    changed.push(id.clone());
                }
            }
        }
        Road::SyncProtocol => {
            let mut main_states = Vec::new();
            let mut peer_states = Vec::new();
            for id in &different {
                let mut main_state = main.sync_state(PEER_AS_SEEN_BY_MAIN, id)?;
                let mut peer_state = peer.sync_state(MAIN_AS_SEEN_BY_PEER, id)?;
                let mut brought = 0;
                for _ in 0..MAX_SYNC_ROUNDS {
                    let to_peer = main.generate_sync_message(id, &mut main_state)?;
                    let to_main = peer.generate_sync_message(id, &mut peer_state)?;
                    if to_peer.is_none() && to_main.is_none() {
                        break;
                    }
                    if let Some((message, signatures)) = to_peer {
                        peer.receive_sync_message(id, &mut peer_state, message, &signatures)?;
                    }
                    if let Some((message, signatures)) = to_main {
                        brought += main
                            .receive_sync_message(id, &mut main_state, message, &signatures)?
                            .new_changes;
                    }
                }
                if brought > 0 {
                    changed.push(id.clone());
                }
                main_states.push((id.clone(), main_state));
                peer_states.push((id.clone(), peer_state));
            }
            main.save_sync_states(PEER_AS_SEEN_BY_MAIN, &main_states)?;
            peer.save_sync_states(MAIN_AS_SEEN_BY_PEER, &peer_states)?;
        }
    }
    for id in &different {
        if main.document_heads(id)? != peer.document_heads(id)? {
            return Err(format!("{id} did not converge by the {} road", road.name()).into());
        }
    }
    Ok(Synced { changed, brought })
}

/// The check-ins and ledger entries in `documents` that the second device
/// has and this one does not.
fn only_on_peer(
    main: &Campaign,
    peer: &Campaign,
    documents: &[DocumentId],
) -> Result<Vec<(&'static str, String)>, Fatal> {
    let mut only = Vec::new();
    for id in documents {
        match (id.kind()?, id.action_id()) {
            (DocumentKind::Action, Some(action)) => {
                let here: BTreeSet<String> = main
                    .check_ins(Some(action))?
                    .into_iter()
                    .map(|check| check.id)
                    .collect();
                for check in peer.check_ins(Some(action))? {
                    if !here.contains(&check.id) {
                        only.push(("peer_check_in", check.id));
                    }
                }
            }
            (DocumentKind::Aid, _) => {
                let here: BTreeSet<String> =
                    main.ledger()?.into_iter().map(|entry| entry.id).collect();
                for entry in peer.ledger()? {
                    if !here.contains(&entry.id) {
                        only.push(("peer_ledger", entry.id));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(only)
}

/// The documents a device holds that may travel to another device, less
/// all but the latest pickets.
fn shared_documents(campaign: &Campaign) -> Result<BTreeSet<DocumentId>, Fatal> {
    let latest: BTreeSet<DocumentId> = campaign
        .actions()?
        .iter()
        .rev()
        .take(SYNCED_ACTIONS)
        .map(|action| DocumentId::action(&action.id))
        .collect();
    let mut shared = BTreeSet::new();
    for id in campaign.documents()? {
        let kind = id.kind()?;
        if kind.audience() == Audience::ThisDevice
            || (kind == DocumentKind::Action && !latest.contains(&id))
        {
            continue;
        }
        shared.insert(id);
    }
    Ok(shared)
}
