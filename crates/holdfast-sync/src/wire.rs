//! The messages inside the encrypted channel, and their strict encoding.
//!
//! Every count and length is checked against the bytes that remain before
//! anything is allocated, and a message must be used up exactly: a peer that
//! sends more or less than it says is disconnected.

use holdfast_core::rebase::Epoch;
use holdfast_core::DocumentId;
use holdfast_store::{Rebase, Signatures};

use crate::error::{Result, SyncError};

/// A short digest of a document's heads: equal digests mean both sides hold
/// the same changes, so the document needs no sync this time.
pub type HeadsDigest = [u8; 8];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// One side's turn: on the first flight, which documents it holds for
    /// this peer; then Automerge sync messages, one per document that needs
    /// them. An empty flight says "nothing more from me".
    Flight {
        announce: Option<Vec<(DocumentId, Epoch, HeadsDigest)>>,
        /// Per document: an Automerge sync message and the signatures of
        /// the changes it carries.
        syncs: Vec<(DocumentId, Vec<u8>, Signatures)>,
        /// From the hub's side, for announced documents whose history
        /// (epoch) differs from the announcing side's: which one it holds.
        epochs: Vec<(DocumentId, Epoch)>,
        /// Whole new histories, sent by a steward's device to a peer that
        /// holds an older epoch of the document.
        rebases: Vec<Rebase>,
    },
    /// Why the connection ends, sent before closing.
    Refused { reason: String },
    /// A new device asks to be paired (after the invite handshake), with
    /// the public key it will sign its changes with.
    PairRequest {
        device_id: String,
        signing_key: String,
    },
    /// The hub's answer: the campaign document, the signatures of its
    /// changes, and the member the device is for.
    Welcome {
        member_id: String,
        campaign: Vec<u8>,
        signatures: Signatures,
    },
}

const FLIGHT: u8 = 1;
const REFUSED: u8 = 2;
const PAIR_REQUEST: u8 = 3;
const WELCOME: u8 = 4;

const ID_CAMPAIGN: u8 = 0;
const ID_AID: u8 = 1;
const ID_AID_PRIVATE: u8 = 2;
const ID_PERSONAL: u8 = 3;
const ID_ACTION_UUID: u8 = 4;
const ID_ACTION_TEXT: u8 = 5;
const ID_DECISIONS: u8 = 6;
const ID_ARRIVALS_UUID: u8 = 7;
const ID_ARRIVALS_TEXT: u8 = 8;

impl Message {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Message::Flight {
                announce,
                syncs,
                epochs,
                rebases,
            } => {
                out.push(FLIGHT);
                match announce {
                    None => out.push(0),
                    Some(documents) => {
                        out.push(1);
                        write_number(&mut out, documents.len() as u64);
                        for (id, epoch, digest) in documents {
                            write_document_id(&mut out, id);
                            write_epoch(&mut out, epoch);
                            out.extend_from_slice(digest);
                        }
                    }
                }
                write_number(&mut out, syncs.len() as u64);
                for (id, bytes, signatures) in syncs {
                    write_document_id(&mut out, id);
                    write_bytes(&mut out, bytes);
                    write_signatures(&mut out, signatures);
                }
                write_number(&mut out, epochs.len() as u64);
                for (id, epoch) in epochs {
                    write_document_id(&mut out, id);
                    write_epoch(&mut out, epoch);
                }
                write_number(&mut out, rebases.len() as u64);
                for rebase in rebases {
                    write_document_id(&mut out, &rebase.document);
                    write_epoch(&mut out, &rebase.epoch);
                    write_number(&mut out, rebase.retired.len() as u64);
                    for hash in &rebase.retired {
                        out.extend_from_slice(hash);
                    }
                    write_number(&mut out, rebase.erased.len() as u64);
                    for member in &rebase.erased {
                        write_bytes(&mut out, member.as_bytes());
                    }
                    write_bytes(&mut out, &rebase.bytes);
                }
            }
            Message::Refused { reason } => {
                out.push(REFUSED);
                write_bytes(&mut out, reason.as_bytes());
            }
            Message::PairRequest {
                device_id,
                signing_key,
            } => {
                out.push(PAIR_REQUEST);
                write_bytes(&mut out, device_id.as_bytes());
                write_bytes(&mut out, signing_key.as_bytes());
            }
            Message::Welcome {
                member_id,
                campaign,
                signatures,
            } => {
                out.push(WELCOME);
                write_bytes(&mut out, member_id.as_bytes());
                write_bytes(&mut out, campaign);
                write_signatures(&mut out, signatures);
            }
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let mut reader = Reader { bytes, position: 0 };
        let message = match reader.byte()? {
            FLIGHT => {
                let announce = match reader.byte()? {
                    0 => None,
                    1 => {
                        // Each entry is at least a kind byte, an epoch and a digest.
                        let count = reader.count(1 + 9 + 8)?;
                        let mut documents = Vec::with_capacity(count);
                        for _ in 0..count {
                            let id = reader.document_id()?;
                            let epoch = reader.epoch()?;
                            let digest: HeadsDigest =
                                reader.take(8)?.try_into().expect("eight bytes");
                            documents.push((id, epoch, digest));
                        }
                        Some(documents)
                    }
                    _ => return Err(SyncError::MalformedFrame("an unknown announce marker")),
                };
                let count = reader.count(3)?;
                let mut syncs = Vec::with_capacity(count);
                for _ in 0..count {
                    let id = reader.document_id()?;
                    let bytes = reader.bytes()?.to_vec();
                    syncs.push((id, bytes, reader.signatures()?));
                }
                let count = reader.count(1 + 9)?;
                let mut epochs = Vec::with_capacity(count);
                for _ in 0..count {
                    epochs.push((reader.document_id()?, reader.epoch()?));
                }
                let count = reader.count(1 + 9 + 3)?;
                let mut rebases = Vec::with_capacity(count);
                for _ in 0..count {
                    let document = reader.document_id()?;
                    let epoch = reader.epoch()?;
                    let retired_count = reader.count(8)?;
                    let mut retired = Vec::with_capacity(retired_count);
                    for _ in 0..retired_count {
                        retired.push(reader.take(8)?.try_into().expect("eight bytes"));
                    }
                    let erased_count = reader.count(1)?;
                    let mut erased = Vec::with_capacity(erased_count);
                    for _ in 0..erased_count {
                        erased.push(reader.text()?);
                    }
                    let bytes = reader.bytes()?.to_vec();
                    rebases.push(Rebase {
                        document,
                        epoch,
                        retired,
                        erased,
                        bytes,
                    });
                }
                Message::Flight {
                    announce,
                    syncs,
                    epochs,
                    rebases,
                }
            }
            REFUSED => Message::Refused {
                reason: reader.text()?,
            },
            PAIR_REQUEST => Message::PairRequest {
                device_id: reader.text()?,
                signing_key: reader.text()?,
            },
            WELCOME => Message::Welcome {
                member_id: reader.text()?,
                campaign: reader.bytes()?.to_vec(),
                signatures: reader.signatures()?,
            },
            _ => return Err(SyncError::MalformedFrame("an unknown message kind")),
        };
        if reader.position != bytes.len() {
            return Err(SyncError::MalformedFrame(
                "bytes after the end of a message",
            ));
        }
        Ok(message)
    }
}

pub(crate) use crate::number::write as write_number;

pub(crate) fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_number(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Signatures: a count, then per change the first eight bytes of its hash
/// and the 64-byte signature.
pub(crate) fn write_signatures(out: &mut Vec<u8>, signatures: &Signatures) {
    write_number(out, signatures.len() as u64);
    for (prefix, signature) in signatures {
        out.extend_from_slice(prefix);
        out.extend_from_slice(signature);
    }
}

/// An epoch: its number, then the eight bytes of its base.
pub(crate) fn write_epoch(out: &mut Vec<u8>, epoch: &Epoch) {
    write_number(out, epoch.number);
    out.extend_from_slice(&epoch.base);
}

/// Document ids travel compactly: one byte for the fixed documents, and
/// one byte and the sixteen bytes of the UUID for an action's document or a
/// member's arrivals.
pub(crate) fn write_document_id(out: &mut Vec<u8>, id: &DocumentId) {
    let (name, as_uuid, as_text) = match id.as_str() {
        "campaign" => return out.push(ID_CAMPAIGN),
        "aid" => return out.push(ID_AID),
        "aid-private" => return out.push(ID_AID_PRIVATE),
        "personal" => return out.push(ID_PERSONAL),
        "decisions" => return out.push(ID_DECISIONS),
        _ => match id.arrivals_member() {
            Some(member) => (member, ID_ARRIVALS_UUID, ID_ARRIVALS_TEXT),
            None => (
                id.action_id().unwrap_or_default(),
                ID_ACTION_UUID,
                ID_ACTION_TEXT,
            ),
        },
    };
    match uuid::Uuid::parse_str(name) {
        Ok(uuid) if uuid.hyphenated().to_string() == name => {
            out.push(as_uuid);
            out.extend_from_slice(uuid.as_bytes());
        }
        _ => {
            out.push(as_text);
            write_bytes(out, name.as_bytes());
        }
    }
}

pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, position: 0 }
    }

    pub(crate) fn finished(&self) -> bool {
        self.position == self.bytes.len()
    }

    pub(crate) fn remaining_bytes(&self) -> usize {
        self.remaining()
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    pub(crate) fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn take(&mut self, count: usize) -> Result<&'a [u8]> {
        if count > self.remaining() {
            return Err(SyncError::MalformedFrame("a message cut short"));
        }
        let slice = &self.bytes[self.position..self.position + count];
        self.position += count;
        Ok(slice)
    }

    pub(crate) fn number(&mut self) -> Result<u64> {
        let (value, length) = crate::number::read(&self.bytes[self.position..])
            .map_err(|error| SyncError::MalformedFrame(error.describe()))?;
        self.position += length;
        Ok(value)
    }

    /// A count of entries that each take at least `minimum` bytes.
    pub(crate) fn count(&mut self, minimum: usize) -> Result<usize> {
        let count = self.number()?;
        if count > (self.remaining() / minimum) as u64 {
            return Err(SyncError::MalformedFrame(
                "a count larger than the message could hold",
            ));
        }
        Ok(count as usize)
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8]> {
        let length = self.number()?;
        if length > self.remaining() as u64 {
            return Err(SyncError::MalformedFrame(
                "a length past the end of the message",
            ));
        }
        self.take(length as usize)
    }

    pub(crate) fn text(&mut self) -> Result<String> {
        String::from_utf8(self.bytes()?.to_vec())
            .map_err(|_| SyncError::MalformedFrame("text that is not UTF-8"))
    }

    pub(crate) fn signatures(&mut self) -> Result<Signatures> {
        let count = self.count(8 + 64)?;
        let mut signatures = Signatures::with_capacity(count);
        for _ in 0..count {
            let prefix = self.take(8)?.try_into().expect("eight bytes");
            let signature = self.take(64)?.try_into().expect("sixty-four bytes");
            signatures.push((prefix, signature));
        }
        Ok(signatures)
    }

    pub(crate) fn epoch(&mut self) -> Result<Epoch> {
        let number = self.number()?;
        let base = self.take(8)?.try_into().expect("eight bytes");
        Ok(Epoch { number, base })
    }

    fn uuid(&mut self) -> Result<String> {
        let bytes: [u8; 16] = self.take(16)?.try_into().expect("sixteen bytes");
        Ok(uuid::Uuid::from_bytes(bytes).hyphenated().to_string())
    }

    fn named_document(&mut self, prefix: &str) -> Result<DocumentId> {
        let text = self.text()?;
        DocumentId::parse(&format!("{prefix}{text}"))
            .map_err(|_| SyncError::MalformedFrame("an invalid document name"))
    }

    pub(crate) fn document_id(&mut self) -> Result<DocumentId> {
        Ok(match self.byte()? {
            ID_CAMPAIGN => DocumentId::campaign(),
            ID_AID => DocumentId::aid(),
            ID_AID_PRIVATE => DocumentId::aid_private(),
            ID_PERSONAL => DocumentId::personal(),
            ID_DECISIONS => DocumentId::decisions(),
            ID_ACTION_UUID => DocumentId::action(&self.uuid()?),
            ID_ARRIVALS_UUID => DocumentId::arrivals(&self.uuid()?),
            ID_ACTION_TEXT => self.named_document("action:")?,
            ID_ARRIVALS_TEXT => self.named_document("arrivals:")?,
            _ => return Err(SyncError::MalformedFrame("an unknown document kind")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let action = DocumentId::action("6f1c2f8e-8d0a-4c57-9a53-2d1f3c4b5a69");
        let messages = [
            Message::Flight {
                announce: Some(vec![
                    (DocumentId::campaign(), Epoch::ZERO, [1; 8]),
                    (
                        action.clone(),
                        Epoch {
                            number: 300,
                            base: [7; 8],
                        },
                        [2; 8],
                    ),
                ]),
                syncs: vec![(action.clone(), vec![0x42, 0, 0], vec![([5; 8], [6; 64])])],
                epochs: vec![],
                rebases: vec![],
            },
            Message::Flight {
                announce: None,
                syncs: vec![],
                epochs: vec![
                    (DocumentId::aid(), Epoch::ZERO),
                    (DocumentId::decisions(), Epoch::ZERO),
                    (
                        DocumentId::arrivals("0b7e4c2a-1f3d-4e5a-8b9c-6d7e8f901a2b"),
                        Epoch::ZERO,
                    ),
                    (
                        DocumentId::arrivals("0B7E4C2A-1F3D-4E5A-8B9C-6D7E8F901A2B"),
                        Epoch::ZERO,
                    ),
                ],
                rebases: vec![Rebase {
                    document: DocumentId::campaign(),
                    epoch: Epoch {
                        number: 2,
                        base: [3; 8],
                    },
                    retired: vec![[1; 8], [2; 8]],
                    erased: vec!["someone".into()],
                    bytes: vec![9, 9, 9],
                }],
            },
            Message::Refused {
                reason: "revoked".into(),
            },
            Message::PairRequest {
                device_id: "abc".into(),
                signing_key: "def".into(),
            },
            Message::Welcome {
                member_id: "m".into(),
                campaign: vec![1, 2, 3],
                signatures: vec![],
            },
        ];
        for message in messages {
            assert_eq!(Message::decode(&message.encode()).unwrap(), message);
        }
    }

    #[test]
    fn lies_about_sizes_are_refused_without_allocating() {
        // A flight that claims 2^62 syncs in a handful of bytes.
        let bytes = [
            FLIGHT, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40,
        ];
        assert!(Message::decode(&bytes).is_err());
        let mut good = Message::Refused { reason: "x".into() }.encode();
        good.push(0);
        assert!(Message::decode(&good).is_err());
        for cut in 0..good.len() - 1 {
            assert!(Message::decode(&good[..cut]).is_err());
        }
    }

    /// The messages' numbers are read as strictly as the sync messages
    /// inside them: a number written longer than it needs is refused, as
    /// `validate` refuses one (once, this reader took it).
    #[test]
    fn a_number_written_longer_than_it_needs_is_refused() {
        assert_eq!(Reader::new(&[0x05]).number().unwrap(), 5);
        for overlong in [&[0x85, 0x00][..], &[0x80, 0x80, 0x00]] {
            let error = Reader::new(overlong).number().unwrap_err();
            assert!(
                error.to_string().contains("longer than it needs"),
                "{error}"
            );
        }
    }
}
