//! Bundles: the changes another device lacks, in one encrypted file for a
//! USB stick when there is no network at all.
//!
//! A bundle is sealed with the campaign's newest bundle key (XChaCha20-
//! Poly1305, a random 24-byte nonce), which only paired devices hold: it
//! travels inside the campaign document. Revoking a device adds a new key that
//! the revoked device never receives. The header names the key, so a device
//! holding several can pick the right one; it is also authenticated, so a
//! swapped header fails like a swapped byte anywhere else.
//!
//! Every change travels with its author's signature, and importing passes
//! each one through the same door as sync (`Campaign::merge_into_signed`):
//! a bundle written or altered by a revoked or hostile device brings in
//! nothing that device may not write.
//!
//! Importing merges each document's changes; Automerge ignores changes it
//! already has, so importing a file twice, or an old file, changes nothing.
//! Each document also names its epoch: a bundle written against another
//! history of a document (before or after an erasure re-based it) is refused
//! whole, because merging it would bring the old history back.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use holdfast_core::model::BundleKey;
use holdfast_core::{Audience, DocumentId};
use holdfast_store::Campaign;
use rand::RngCore;

use crate::error::{Result, SyncError};
use crate::identity::from_hex;
use crate::wire::{
    write_bytes, write_document_id, write_epoch, write_number, write_signatures, Reader,
};

const MAGIC: &[u8; 16] = b"HOLDFAST BUNDLE\n";
/// 2: each document carries its epoch (which history it is).
/// 3: and the signatures of its changes.
const VERSION: u8 = 3;
/// The XChaCha20-Poly1305 nonce at the front of the sealed part.
pub const NONCE_BYTES: usize = 24;

/// What an export or import covered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BundleSummary {
    pub documents: usize,
    /// Documents an import brought something new to.
    pub changed: usize,
    pub bytes: usize,
    /// Changes an import refused at the door, with why.
    pub refused: Vec<String>,
}

/// Writes the changes a peer lacks (everything, if this device never synced
/// with it) for every document all paired devices may hold. Documents with a
/// narrower audience never go into a bundle.
pub fn export(campaign: &mut Campaign, for_peer: Option<&str>) -> Result<(Vec<u8>, BundleSummary)> {
    let key = campaign.bundle_keys()?.into_iter().next().ok_or_else(|| {
        SyncError::Bundle("this campaign has no bundle key yet; start the hub or sync once".into())
    })?;
    let peer_key = match for_peer {
        Some(wanted) => {
            let devices = campaign.devices()?;
            let device = devices
                .iter()
                .find(|device| device.id == wanted || device.label.eq_ignore_ascii_case(wanted))
                .ok_or_else(|| SyncError::Bundle(format!("no paired device `{wanted}`")))?;
            Some(device.public_key.clone())
        }
        None => None,
    };
    let mut plain = Vec::new();
    let mut entries = Vec::new();
    for id in campaign.documents()? {
        if !may_carry(&id)? {
            continue;
        }
        let heads = match &peer_key {
            Some(peer) => campaign.sync_state(peer, &id)?.shared_heads,
            None => Vec::new(),
        };
        let bytes = campaign.changes_since(&id, &heads)?;
        if !bytes.is_empty() {
            let epoch = campaign.epoch(&id)?;
            let signatures = campaign.signatures_since(&id, &heads)?;
            entries.push((id, epoch, bytes, signatures));
        }
    }
    write_number(&mut plain, entries.len() as u64);
    for (id, epoch, bytes, signatures) in &entries {
        write_document_id(&mut plain, id);
        write_epoch(&mut plain, epoch);
        write_bytes(&mut plain, bytes);
        write_signatures(&mut plain, signatures);
    }
    let mut nonce = [0_u8; NONCE_BYTES];
    rand::rng().fill_bytes(&mut nonce);
    let file = seal(&plain, &key, nonce)?;
    let summary = BundleSummary {
        documents: entries.len(),
        changed: 0,
        bytes: file.len(),
        refused: Vec::new(),
    };
    Ok((file, summary))
}

/// Whether a bundle may carry a document. Arrivals ride along: a phone
/// that checked in offline carries its own to the hall on a stick, and the
/// hall's bundle carries everyone's. They are scoped to save the crowd's
/// downloads at the picket, not to keep them from other members.
fn may_carry(id: &DocumentId) -> Result<bool> {
    Ok(matches!(
        id.kind()
            .map_err(holdfast_store::StoreError::from)?
            .audience(),
        Audience::Campaign | Audience::MemberAndCaptains
    ))
}

/// Opens a bundle and merges what it holds. Nothing is merged unless the
/// whole file decrypts and parses.
pub fn import(campaign: &mut Campaign, file: &[u8]) -> Result<BundleSummary> {
    let entries = open(campaign, file)?;
    let mut changed = 0;
    for (id, epoch, _, _) in &entries {
        let ours = campaign.epoch(id)?;
        if *epoch != ours {
            return Err(SyncError::Bundle(format!(
                "it holds {id} as history {epoch}, and this device holds history {ours} \
                 (an erasure replaced it); nothing was imported: sync the devices through \
                 a steward's device instead"
            )));
        }
        if !may_carry(id)? {
            return Err(SyncError::Bundle(format!(
                "it holds {id}, which no bundle may carry"
            )));
        }
    }
    let mut refused = Vec::new();
    for (id, _, bytes, signatures) in entries.iter() {
        match campaign.merge_into_signed(id, bytes, signatures) {
            Ok(outcome) => {
                if outcome.changed {
                    changed += 1;
                }
                refused.extend(outcome.refused);
            }
            Err(holdfast_store::StoreError::RefusedChanges { document, reason }) => {
                refused.push(format!("{document}: {reason}"));
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(BundleSummary {
        documents: entries.len(),
        changed,
        bytes: file.len(),
        refused,
    })
}

type Entry = (
    DocumentId,
    holdfast_core::rebase::Epoch,
    Vec<u8>,
    holdfast_store::Signatures,
);

/// Seals a bundle's contents with a bundle key: the magic, the format
/// version and the key's id in the clear, then the nonce and the
/// ciphertext, with everything before the nonce authenticated too. The
/// nonce must never repeat under one key; [`export`] draws it at random.
pub fn seal(plain: &[u8], key: &BundleKey, nonce: [u8; NONCE_BYTES]) -> Result<Vec<u8>> {
    let mut header = MAGIC.to_vec();
    header.push(VERSION);
    write_bytes(&mut header, key.id.as_bytes());
    let sealed = cipher_for(&key.key)?
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: &header,
            },
        )
        .map_err(|_| SyncError::Bundle("encryption failed".into()))?;
    let mut file = header;
    file.extend_from_slice(&nonce);
    file.extend_from_slice(&sealed);
    Ok(file)
}

fn open(campaign: &Campaign, file: &[u8]) -> Result<Vec<Entry>> {
    let plain = unseal(file, &campaign.bundle_keys()?)?;
    let mut reader = Reader::new(&plain);
    let malformed = |_| SyncError::Bundle("its contents are malformed".into());
    let count = reader.count(1 + 9 + 1).map_err(malformed)?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let id = reader.document_id().map_err(malformed)?;
        let epoch = reader.epoch().map_err(malformed)?;
        let bytes = reader.bytes().map_err(malformed)?.to_vec();
        let signatures = reader.signatures().map_err(malformed)?;
        entries.push((id, epoch, bytes, signatures));
    }
    if !reader.finished() {
        return Err(SyncError::Bundle("its contents are malformed".into()));
    }
    Ok(entries)
}

/// Opens a bundle file sealed with one of `keys` and returns what
/// [`seal`] sealed, or says by name why it cannot: not a bundle, a format
/// this version does not read, a key this device was never given, or bytes
/// that fail authentication.
pub fn unseal(file: &[u8], keys: &[BundleKey]) -> Result<Vec<u8>> {
    if file.len() < MAGIC.len() + 1 || &file[..MAGIC.len()] != MAGIC {
        return Err(SyncError::Bundle(
            "this is not a Holdfast bundle file".into(),
        ));
    }
    if file[MAGIC.len()] != VERSION {
        return Err(SyncError::Bundle(format!(
            "bundle format {} is not one this version reads",
            file[MAGIC.len()]
        )));
    }
    let mut reader = Reader::new(&file[MAGIC.len() + 1..]);
    let key_id = reader
        .text()
        .map_err(|_| SyncError::Bundle("the file is cut short".into()))?;
    let header_length = file.len() - reader.remaining_bytes();
    let nonce = reader
        .take(NONCE_BYTES)
        .map_err(|_| SyncError::Bundle("the file is cut short".into()))?;
    let sealed = &file[header_length + NONCE_BYTES..];
    let key = keys.iter().find(|key| key.id == key_id).ok_or_else(|| {
        SyncError::Bundle(
            "it was sealed for another campaign, or with a key this device was never given".into(),
        )
    })?;
    let plain = cipher_for(&key.key)?
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: &file[..header_length],
            },
        )
        .map_err(|_| {
            SyncError::Bundle("it is damaged or was altered (it failed authentication)".into())
        })?;
    Ok(plain)
}

fn cipher_for(hex: &str) -> Result<XChaCha20Poly1305> {
    let key = from_hex(hex)
        .filter(|key| key.len() == 32)
        .ok_or_else(|| SyncError::Bundle("the stored bundle key is damaged".into()))?;
    Ok(XChaCha20Poly1305::new_from_slice(&key).expect("32-byte key"))
}
