//! What the document split buys: the same check-ins kept in one Automerge
//! document, against one document per action, each written one change per
//! check-in as phones write them.

use std::time::Instant;

use anyhow::Result;
use automerge::{AutoCommit, ReadDoc};
use holdfast_core::model::{CheckIn, CheckKind};
use holdfast_core::{documents, record, DocumentId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::report::{DocumentShape, Split};

/// Extra commits timed at the end of each shape.
const EXTRA_COMMITS: usize = 200;
/// Loads timed per shape; the median is reported.
const LOADS: usize = 3;

fn uuid_from(random: &mut StdRng) -> String {
    let bytes: [u8; 16] = random.random();
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

struct Writer {
    random: StdRng,
    members: Vec<String>,
    device: String,
    device_bytes: [u8; 16],
    written: usize,
}

impl Writer {
    fn check_in(&mut self, action_id: &str) -> CheckIn {
        let member = self.members[self.random.random_range(0..self.members.len())].clone();
        let minute = self.written;
        self.written += 1;
        CheckIn {
            id: uuid_from(&mut self.random),
            action_id: action_id.to_string(),
            shift_id: None,
            member_id: member.clone(),
            kind: if minute.is_multiple_of(2) {
                CheckKind::In
            } else {
                CheckKind::Out
            },
            at: format!(
                "2026-01-{:02}T{:02}:{:02}:00Z",
                1 + minute / 1440 % 28,
                minute / 60 % 24,
                minute % 60
            ),
            recorded_by: member,
            device: self.device.clone(),
            voided: false,
        }
    }

    /// One check-in as one change, the way the store writes it: put the
    /// record, commit, and take the bytes of the new change.
    fn commit_one(&mut self, doc: &mut AutoCommit, action_id: &str) -> Result<usize> {
        let heads = doc.get_heads();
        record::put(doc, &self.check_in(action_id))?;
        doc.commit();
        Ok(doc.save_after(&heads).len())
    }
}

fn new_document(action_id: &str, device: &[u8; 16]) -> Result<AutoCommit> {
    let mut doc = documents::genesis(&DocumentId::action(action_id))?;
    doc.set_actor(automerge::ActorId::from(device.as_slice()));
    Ok(doc)
}

fn milliseconds(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1_000.0
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Loads saved documents `LOADS` times and returns the median milliseconds.
fn time_loads(saved: &[Vec<u8>]) -> Result<f64> {
    let mut times = Vec::new();
    for _ in 0..LOADS {
        let started = Instant::now();
        for bytes in saved {
            let doc = AutoCommit::load(bytes)?;
            std::hint::black_box(doc.length(automerge::ROOT));
        }
        times.push(milliseconds(started));
    }
    Ok(median(times))
}

/// Times commits at the end of a loaded document, and a full save of it
/// (what the store's compaction does).
fn time_commits(writer: &mut Writer, bytes: &[u8], action_id: &str) -> Result<(f64, f64, f64)> {
    let mut doc = AutoCommit::load(bytes)?;
    doc.set_actor(automerge::ActorId::from(writer.device_bytes.as_slice()));
    let mut times = Vec::with_capacity(EXTRA_COMMITS);
    for _ in 0..EXTRA_COMMITS {
        let started = Instant::now();
        writer.commit_one(&mut doc, action_id)?;
        times.push(milliseconds(started));
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let started = Instant::now();
    std::hint::black_box(doc.save());
    let save = milliseconds(started);
    Ok((median(times), mean, save))
}

pub fn compare(total: usize, per_document: usize, seed: u64) -> Result<Split> {
    let per_document = per_document.max(1);
    let mut random = StdRng::seed_from_u64(seed ^ 0x5917);
    let device_bytes: [u8; 16] = random.random();
    let members: Vec<String> = (0..2_000).map(|_| uuid_from(&mut random)).collect();
    let mut writer = Writer {
        random,
        members,
        device: uuid_from(&mut StdRng::seed_from_u64(seed)),
        device_bytes,
        written: 0,
    };

    // One document holding every check-in.
    let single_action = uuid_from(&mut writer.random);
    let started = Instant::now();
    let mut single = new_document(&single_action, &device_bytes)?;
    let mut incremental_single = 0;
    for _ in 0..total {
        incremental_single += writer.commit_one(&mut single, &single_action)?;
    }
    let build_single = milliseconds(started);
    let single_bytes = single.save();
    drop(single);

    // The same number of check-ins spread over one document per action.
    let documents = total.div_ceil(per_document);
    let started = Instant::now();
    let mut split_bytes = Vec::with_capacity(documents);
    let mut split_actions = Vec::with_capacity(documents);
    let mut incremental_split = 0;
    for index in 0..documents {
        let action = uuid_from(&mut writer.random);
        let mut doc = new_document(&action, &device_bytes)?;
        let count = per_document.min(total - index * per_document);
        for _ in 0..count {
            incremental_split += writer.commit_one(&mut doc, &action)?;
        }
        split_bytes.push(doc.save());
        split_actions.push(action);
    }
    let build_split = milliseconds(started);

    let single_load = time_loads(std::slice::from_ref(&single_bytes))?;
    let split_load_all = time_loads(&split_bytes)?;
    let split_load_one = time_loads(&split_bytes[split_bytes.len() - 1..])?;
    let (single_commit, single_commit_mean, single_save) =
        time_commits(&mut writer, &single_bytes, &single_action)?;
    let last = split_bytes.len() - 1;
    let (split_commit, split_commit_mean, split_save) =
        time_commits(&mut writer, &split_bytes[last], &split_actions[last])?;

    Ok(Split {
        check_ins: total,
        per_document,
        extra_commits: EXTRA_COMMITS,
        one_document: DocumentShape {
            documents: 1,
            saved_bytes: single_bytes.len() as u64,
            change_bytes: incremental_single as u64,
            build_ms: build_single,
            load_all_ms: single_load,
            load_one_ms: single_load,
            commit_median_ms: single_commit,
            commit_mean_ms: single_commit_mean,
            full_save_ms: single_save,
        },
        per_action: DocumentShape {
            documents,
            saved_bytes: split_bytes.iter().map(|bytes| bytes.len() as u64).sum(),
            change_bytes: incremental_split as u64,
            build_ms: build_split,
            load_all_ms: split_load_all,
            load_one_ms: split_load_one,
            commit_median_ms: split_commit,
            commit_mean_ms: split_commit_mean,
            full_save_ms: split_save,
        },
        peak_memory_mb: None,
    })
}
