//! Sync messages that carry the changes' own bytes.
//!
//! Automerge 0.12 keeps no change bytes: to send a change it rebuilds it
//! from its op set, and rebuilding even one change walks every op whose
//! counter lies in the range of the changes asked for. Check-ins made on
//! many phones from the same starting document share one counter range, so
//! on a hub each phone's sync walked every other phone's ops, and the hub's
//! CPU grew with the square of the crowd (BENCHMARKS.md, "Where the hub's
//! CPU goes").
//!
//! The store already holds each change's bytes as it writes or reads them
//! (`LoadedDocument::change_bytes`). So when every change a message would
//! carry is held, the message is built here from those bytes, and Automerge
//! is asked only for the rest of the message (heads, need, have, flags),
//! with the changes marked as already sent so that it rebuilds none of
//! them. The choice of changes is Automerge's own rule, restated: the
//! changes since the peer's last sync that its Bloom filter does not
//! contain, what depends on them, and what it asked for by hash. Whenever
//! the rule would do anything else (send the whole document, reset the
//! peer, a change whose bytes are not held), Automerge builds the message
//! as before. The convergence property test and the sync tests run through
//! this path.

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::sync::{self, MessageVersion, SyncDoc};
use automerge::{Change, ChangeHash};

use crate::documents::LoadedDocument;

/// The next sync message for a peer, as Automerge's `generate_sync_message`
/// would make it, with the changes taken from the bytes the store holds.
pub fn generate(loaded: &mut LoadedDocument, state: &mut sync::State) -> Option<sync::Message> {
    let Some(held) = held_changes(loaded, state) else {
        return loaded.doc.sync().generate_sync_message(state);
    };
    let hashes: Vec<ChangeHash> = held.iter().map(|(hash, _)| *hash).collect();
    // Marked as sent, Automerge leaves them out and rebuilds nothing.
    state.sent_hashes.extend(hashes.iter().copied());
    let Some(mut message) = loaded.doc.sync().generate_sync_message(state) else {
        // It had nothing to say (its changes were already in flight):
        // the changes were not sent after all.
        for hash in &hashes {
            state.sent_hashes.remove(hash);
        }
        return None;
    };
    let chunks: Vec<Vec<u8>> = match message.version {
        MessageVersion::V1 => held.into_iter().map(|(_, bytes)| bytes).collect(),
        MessageVersion::V2 => vec![held.into_iter().flat_map(|(_, bytes)| bytes).collect()],
    };
    message.changes = chunks.into();
    Some(message)
}

/// The changes a sync message carries, parsed (which checks each against
/// its hash). A chunk that is a whole document, or does not parse, is
/// left out: this is only for keeping bytes, never for applying them.
pub fn carried_changes(message: &sync::Message) -> Vec<Change> {
    let mut changes = Vec::new();
    for chunk in message.changes.iter() {
        // A chunk of changes one after another (V2), or one change (V1):
        // each is a magic number, a checksum, a type byte, its length
        // (LEB128) and that many bytes.
        let mut rest: &[u8] = chunk;
        while let Some(end) = chunk_end(rest) {
            let Ok(change) = Change::try_from(&rest[..end]) else {
                break;
            };
            changes.push(change);
            rest = &rest[end..];
        }
    }
    changes
}

/// Where the first chunk in `bytes` ends, if its header says so.
fn chunk_end(bytes: &[u8]) -> Option<usize> {
    const HEADER: usize = 9;
    let (mut length, mut shift, mut at) = (0_usize, 0_u32, HEADER);
    loop {
        let byte = *bytes.get(at)?;
        if shift > 56 {
            return None;
        }
        length |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        at += 1;
        if byte & 0x80 == 0 {
            break;
        }
    }
    let end = at.checked_add(length)?;
    (end <= bytes.len()).then_some(end)
}

/// The changes the next message should carry, in Automerge's order, when
/// the store holds the bytes of every one of them and Automerge would send
/// them one by one; `None` whenever Automerge should build the message
/// itself.
fn held_changes(
    loaded: &mut LoadedDocument,
    state: &sync::State,
) -> Option<Vec<(ChangeHash, Vec<u8>)>> {
    if state.is_peer_read_only() {
        return None;
    }
    let have = state.their_have.as_ref()?;
    let need = state.their_need.as_ref()?;
    // A peer with nothing may be sent the whole document, and a peer whose
    // last sync we do not know is told to start again: Automerge's cases.
    if state.their_heads.as_ref().is_some_and(Vec::is_empty) || have.is_empty() {
        return None;
    }
    let doc: &automerge::Automerge = loaded.doc.document();
    let known = |hash: &ChangeHash| doc.get_change_meta_by_hash(hash).is_some();
    if !have[0].last_sync.iter().all(&known) {
        return None;
    }
    let last_sync: Vec<ChangeHash> = have
        .iter()
        .flat_map(|have| have.last_sync.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let since = doc.get_changes_meta(&last_sync);
    let mut dependents: HashMap<ChangeHash, Vec<ChangeHash>> = HashMap::new();
    let mut to_send: HashSet<ChangeHash> = HashSet::new();
    for change in &since {
        for dep in &change.deps {
            dependents.entry(*dep).or_default().push(change.hash);
        }
        if have
            .iter()
            .all(|have| !have.bloom.contains_hash(&change.hash))
        {
            to_send.insert(change.hash);
        }
    }
    let mut stack: Vec<ChangeHash> = to_send.iter().copied().collect();
    while let Some(hash) = stack.pop() {
        for dependent in dependents.get(&hash).into_iter().flatten() {
            if to_send.insert(*dependent) {
                stack.push(*dependent);
            }
        }
    }
    let mut ordered: Vec<ChangeHash> = need
        .iter()
        .filter(|hash| known(hash) && !to_send.contains(*hash))
        .copied()
        .collect();
    ordered.extend(
        since
            .iter()
            .map(|change| change.hash)
            .filter(|hash| to_send.contains(hash)),
    );
    ordered.retain(|hash| !state.sent_hashes.contains(hash));
    if ordered.is_empty() {
        // Nothing to rebuild: Automerge's own message costs nothing more.
        return None;
    }
    // Sending more than a third of the document, Automerge sends all of it
    // in one compressed piece instead, which is smaller.
    let total = match loaded.change_bytes.total {
        Some(total) => total,
        None => {
            let total = doc.get_changes_meta(&[]).len();
            loaded.change_bytes.total = Some(total);
            total
        }
    };
    if ordered.len() > total / 3 {
        return None;
    }
    ordered
        .into_iter()
        .map(|hash| Some((hash, loaded.change_bytes.get(&hash)?.raw_bytes().to_vec())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::ChangeBytes;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    /// A hub's document that phones each changed offline from the same
    /// start, as at a picket; the hub holds every change's bytes.
    fn picket(phones: usize) -> (LoadedDocument, Vec<AutoCommit>) {
        let mut start = AutoCommit::new();
        // The action, its shifts and sign-ups: enough history that a phone
        // lacking the others' check-ins lacks less than a third of it.
        for signed_up in 0..3 * phones {
            start
                .put(ROOT, format!("sign-up {signed_up}"), "yes")
                .unwrap();
            start.commit();
        }
        let mut hub = start.fork();
        let mut devices = Vec::new();
        for phone in 0..phones {
            let mut device = start.fork();
            device
                .put(ROOT, format!("check-in {phone}"), phone as i64)
                .unwrap();
            hub.merge(&mut device).unwrap();
            devices.push(device);
        }
        let mut change_bytes = ChangeBytes::default();
        for change in hub.get_changes(&[]) {
            change_bytes.keep(&change);
        }
        let loaded = LoadedDocument {
            persisted_heads: hub.get_heads(),
            doc: hub,
            pending_rows: 0,
            change_bytes,
        };
        (loaded, devices)
    }

    fn hashes_in(message: &sync::Message) -> BTreeSet<ChangeHash> {
        let mut hashes: BTreeSet<ChangeHash> =
            carried_changes(message).iter().map(Change::hash).collect();
        // A whole document, sent when the peer lacks much of it.
        for chunk in message.changes.iter() {
            if let Ok(whole) = automerge::Automerge::load(chunk) {
                if Change::try_from(chunk).is_err() {
                    hashes.extend(whole.get_changes_meta(&[]).iter().map(|c| c.hash));
                }
            }
        }
        hashes
    }

    /// Each phone syncs with the hub in turn; at every message the hub
    /// sends, the message built from held bytes matches, change for change
    /// and field for field, the one Automerge builds itself from the same
    /// state, and the states end the same.
    #[test]
    fn messages_from_held_bytes_are_automerges_own() {
        let (mut hub, devices) = picket(12);
        let mut from_held_bytes = 0;
        for mut phone in devices {
            let mut hub_state = sync::State::new();
            let mut phone_state = sync::State::new();
            for _round in 0..10 {
                let mut plain_state = hub_state.clone();
                let plain = hub.doc.sync().generate_sync_message(&mut plain_state);
                let held = held_changes(&mut hub, &hub_state).map(|held| held.len());
                from_held_bytes += usize::from(held.is_some());
                let fast = generate(&mut hub, &mut hub_state);
                match (&plain, &fast) {
                    (None, None) => {}
                    (Some(plain), Some(fast)) => {
                        assert_eq!(hashes_in(plain), hashes_in(fast));
                        // Every change is held here, so whenever Automerge
                        // would send changes one by one, held bytes do.
                        if !carried_changes(plain).is_empty() {
                            assert!(held.is_some(), "Automerge rebuilt changes that were held");
                        }
                        if let Some(held) = held {
                            assert_eq!(hashes_in(fast).len(), held, "the held bytes were sent");
                        }
                        assert_eq!(plain.heads, fast.heads);
                        assert_eq!(plain.need, fast.need);
                        assert_eq!(plain.have, fast.have);
                        assert_eq!(plain.version, fast.version);
                    }
                    _ => panic!("one built a message and the other did not"),
                }
                assert_eq!(plain_state.sent_hashes, hub_state.sent_hashes);
                assert_eq!(plain_state.last_sent_heads, hub_state.last_sent_heads);
                assert_eq!(plain_state.in_flight, hub_state.in_flight);
                if let Some(message) = fast {
                    phone
                        .sync()
                        .receive_sync_message(&mut phone_state, message)
                        .unwrap();
                }
                let reply = phone.sync().generate_sync_message(&mut phone_state);
                match reply {
                    Some(reply) => hub
                        .doc
                        .sync()
                        .receive_sync_message(&mut hub_state, reply)
                        .unwrap(),
                    None if plain.is_none() => break,
                    None => {}
                }
            }
            assert_eq!(phone.get_heads(), hub.doc.get_heads());
        }
        assert!(from_held_bytes > 0, "no message was built from held bytes");
    }
}
