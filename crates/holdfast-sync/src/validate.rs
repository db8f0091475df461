//! Checks the bytes of an Automerge sync message before Automerge decodes
//! them.
//!
//! Automerge 0.12 trusts a sync message once it has parsed. A Bloom filter
//! that claims entries but zero bits per entry makes the receiver divide by
//! zero the next time it works out which changes to send, and a filter that
//! claims billions of probes makes it allocate and loop that many times for
//! every change it checks. A message packed with empty have entries or empty
//! changes makes it build vectors many times larger than the message itself.
//! A peer is a device we paired with, but a paired device can still be
//! buggy, stolen or running altered code, so every message from the network
//! passes through [`validate_sync_message`] first and is dropped if it fails.
//!
//! The wire format, as Automerge 0.12 writes and reads it:
//!
//! ```text
//! version     1 byte: 0x42 (version 1) or 0x43 (version 2)
//! heads       uleb128 count, then count 32-byte hashes
//! need        uleb128 count, then count 32-byte hashes
//! have        uleb128 count, then for each entry:
//!               last_sync  uleb128 count, then count 32-byte hashes
//!               bloom      uleb128 length, then that many bytes, either empty
//!                          or: uleb128 entries, uleb128 bits per entry,
//!                          uleb128 probes, then ceil(entries * bits / 8)
//!                          bytes of bits
//! changes     uleb128 count, then for each: uleb128 length, then that many bytes
//! flags       only if bytes remain: uleb128 length, then that many bytes
//! ```
//!
//! The check walks the bytes once and allocates nothing, so a message that
//! claims a huge count costs no more to refuse than a short one. The contents
//! of each change are left to Automerge's change parser, which checks every
//! length it reads; this module only vouches for the framing around them.

/// The first byte of a version 1 sync message.
const VERSION_ONE: u8 = 0x42;
/// The first byte of a version 2 sync message, which may carry a whole saved
/// document as its single change.
const VERSION_TWO: u8 = 0x43;
/// The size of an Automerge change hash, a SHA-256 digest.
const HASH_BYTES: usize = 32;
/// The fewest bytes a have entry can take: an empty last-sync list (one byte
/// of count) and an empty Bloom filter (one byte of length).
const SMALLEST_HAVE_BYTES: usize = 2;
/// The fewest bytes a change can take: its one-byte length of zero.
const SMALLEST_CHANGE_BYTES: usize = 1;
/// The most bits a Bloom filter may hold whatever the limits say. Automerge
/// computes probe positions as `u32` values below eight times the length of
/// the bit array and adds two of them together, so the array must stay
/// under 2^31 bits for that sum to fit. Staying under 2^31 bits also keeps
/// the product of entries and bits per entry exact in the `f64` arithmetic
/// Automerge uses to size the array, so our expected length matches its.
const MOST_BLOOM_BITS: u64 = 1 << 31;
use crate::number::NumberError;

/// How much a single sync message may claim before it is refused.
///
/// Each limit bounds work or memory on the receiving side. The defaults are
/// far above what real traffic between two Holdfast devices produces, so
/// they only stop messages that no honest peer would send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The size of the whole message in bytes.
    pub max_message_bytes: usize,
    /// The number of hashes in each list: heads, needed hashes, and the
    /// last-sync hashes of each have entry.
    pub max_hashes: usize,
    /// The number of have entries. Automerge sends at most one.
    pub max_haves: usize,
    /// The number of changes.
    pub max_changes: usize,
    /// The size of one change in bytes. A version 2 message carries the
    /// whole saved document as one change, so this also bounds the size of
    /// a document that can be sent in one message.
    pub max_change_bytes: usize,
    /// The number of entries a Bloom filter may claim.
    pub max_bloom_entries: u32,
    /// The number of bits per entry a Bloom filter may claim.
    pub max_bits_per_entry: u32,
    /// The number of probes a Bloom filter may claim.
    pub max_probes: u32,
    /// The size of the flags section in bytes. Automerge sends two.
    pub max_flag_bytes: usize,
}

impl Default for Limits {
    /// Generous limits for real traffic.
    ///
    /// Automerge builds every Bloom filter with 10 bits per entry and 7
    /// probes, which gives a 1% false-positive rate; 32 bits and 32 probes
    /// leave room for a future Automerge to choose a lower rate while
    /// keeping the cost of checking one hash small. A million entries is
    /// far more changes than a union local's campaign produces between two
    /// syncs, and at 32 bits each that filter is 4 MiB. The message and
    /// change sizes leave room for a version 2 message that carries a whole
    /// saved document, which for a busy campaign is a few megabytes.
    fn default() -> Self {
        Limits {
            max_message_bytes: 16 * 1024 * 1024,
            max_hashes: 4096,
            max_haves: 16,
            max_changes: 100_000,
            max_change_bytes: 8 * 1024 * 1024,
            max_bloom_entries: 1_000_000,
            max_bits_per_entry: 32,
            max_probes: 32,
            max_flag_bytes: 16,
        }
    }
}

/// What a valid sync message contains, counted without decoding it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// The number of heads the sender announces.
    pub heads: usize,
    /// The number of hashes the sender asks for.
    pub need: usize,
    /// The number of have entries, each with a Bloom filter.
    pub haves: usize,
    /// The number of changes carried.
    pub changes: usize,
    /// The total size of the changes in bytes.
    pub change_bytes: usize,
}

/// Why a sync message was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum InvalidMessage {
    #[error("the sync message is empty")]
    Empty,
    #[error("the sync message is {size} bytes, more than the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error(
        "the sync message starts with byte {0:#04x}, which is neither version 1 (0x42) nor version 2 (0x43)"
    )]
    UnknownVersion(u8),
    #[error("the sync message ends in the middle of its {what}")]
    Truncated { what: &'static str },
    #[error("the {what} in the sync message is too large a number for its field")]
    NumberTooLarge { what: &'static str },
    #[error("the {what} in the sync message is encoded with more bytes than it needs")]
    OverlongNumber { what: &'static str },
    #[error("the sync message claims {count} {what}, more than the limit of {limit}")]
    TooMany {
        what: &'static str,
        count: u64,
        limit: usize,
    },
    #[error("the sync message claims {count} {what}, more than its remaining {remaining} bytes can hold")]
    CountBeyondEnd {
        what: &'static str,
        count: u64,
        remaining: usize,
    },
    #[error("a Bloom filter with {entries} entries is refused (allowed: 1 to {limit})")]
    BloomEntries { entries: u32, limit: u32 },
    #[error(
        "a Bloom filter with {bits_per_entry} bits per entry is refused (allowed: 1 to {limit})"
    )]
    BloomBitsPerEntry { bits_per_entry: u32, limit: u32 },
    #[error("a Bloom filter with {probes} probes is refused (allowed: 1 to {limit})")]
    BloomProbes { probes: u32, limit: u32 },
    #[error("a Bloom filter of {bits} bits is refused: Automerge's probe arithmetic overflows above 2^31 bits")]
    BloomTooLarge { bits: u64 },
    #[error("a Bloom filter should carry {expected} bytes of bits but carries {found}")]
    BloomLength { expected: u64, found: usize },
    #[error("a change of {size} bytes is more than the limit of {limit}")]
    ChangeTooLarge { size: u64, limit: usize },
    #[error("{0} bytes follow the end of the sync message")]
    TrailingBytes(usize),
}

/// Checks that `bytes` is a well-formed Automerge sync message within
/// `limits`, and counts what it carries.
///
/// Only a message that passes may be handed to
/// `automerge::sync::Message::decode`. The check never panics and allocates
/// nothing, whatever the bytes claim.
pub fn validate_sync_message(bytes: &[u8], limits: &Limits) -> Result<Summary, InvalidMessage> {
    if bytes.is_empty() {
        return Err(InvalidMessage::Empty);
    }
    if bytes.len() > limits.max_message_bytes {
        return Err(InvalidMessage::TooLarge {
            size: bytes.len(),
            limit: limits.max_message_bytes,
        });
    }

    let mut reader = Reader::new(bytes);
    let version = reader.byte("version byte")?;
    if version != VERSION_ONE && version != VERSION_TWO {
        return Err(InvalidMessage::UnknownVersion(version));
    }

    let heads = reader.hashes("count of heads", "heads", limits.max_hashes)?;
    let need = reader.hashes("count of needed hashes", "needed hashes", limits.max_hashes)?;

    let haves = reader.count(
        "count of have entries",
        "have entries",
        SMALLEST_HAVE_BYTES,
        limits.max_haves,
    )?;
    for _ in 0..haves {
        reader.hashes(
            "count of last-sync hashes",
            "last-sync hashes",
            limits.max_hashes,
        )?;
        let length = reader.number("Bloom filter length")?;
        let filter = reader.take(length, "Bloom filter")?;
        check_bloom_filter(filter, limits)?;
    }

    let changes = reader.count(
        "count of changes",
        "changes",
        SMALLEST_CHANGE_BYTES,
        limits.max_changes,
    )?;
    let mut change_bytes = 0;
    for _ in 0..changes {
        let length = reader.number("change length")?;
        if length > as_u64(limits.max_change_bytes) {
            return Err(InvalidMessage::ChangeTooLarge {
                size: length,
                limit: limits.max_change_bytes,
            });
        }
        // The sum cannot overflow: every change lies inside `bytes`.
        change_bytes += reader.take(length, "change")?.len();
    }

    // Automerge reads a flags section whenever bytes remain after the
    // changes, and a message without one is still valid: peers that predate
    // the flags never send it.
    if reader.remaining() > 0 {
        let length = reader.number("flags length")?;
        if length > as_u64(limits.max_flag_bytes) {
            return Err(InvalidMessage::TooMany {
                what: "flag bytes",
                count: length,
                limit: limits.max_flag_bytes,
            });
        }
        reader.take(length, "flags")?;
    }

    // Automerge ignores anything after the flags. Refusing it keeps a peer
    // from smuggling data past the check, and leaves room to give such
    // bytes a meaning later without old receivers misreading them.
    if reader.remaining() > 0 {
        return Err(InvalidMessage::TrailingBytes(reader.remaining()));
    }

    Ok(Summary {
        heads,
        need,
        haves,
        changes,
        change_bytes,
    })
}

/// Checks the contents of one Bloom filter string, already cut to its
/// length prefix.
fn check_bloom_filter(filter: &[u8], limits: &Limits) -> Result<(), InvalidMessage> {
    // An empty string is how Automerge sends a filter with no entries.
    if filter.is_empty() {
        return Ok(());
    }
    let mut reader = Reader::new(filter);
    let entries = reader.number_u32("Bloom filter entry count")?;
    let bits_per_entry = reader.number_u32("Bloom filter bits per entry")?;
    let probes = reader.number_u32("Bloom filter probe count")?;

    // Automerge writes an empty string for a filter with no entries, so a
    // non-empty filter that claims none did not come from Automerge.
    if entries == 0 || entries > limits.max_bloom_entries {
        return Err(InvalidMessage::BloomEntries {
            entries,
            limit: limits.max_bloom_entries,
        });
    }
    // Zero bits per entry gives an empty bit array, and Automerge takes
    // every probe position modulo the array's size in bits.
    if bits_per_entry == 0 || bits_per_entry > limits.max_bits_per_entry {
        return Err(InvalidMessage::BloomBitsPerEntry {
            bits_per_entry,
            limit: limits.max_bits_per_entry,
        });
    }
    // Automerge allocates room for every probe and computes each one for
    // every hash it checks, so the probe count multiplies the cost of each
    // check. Automerge never writes a filter without probes.
    if probes == 0 || probes > limits.max_probes {
        return Err(InvalidMessage::BloomProbes {
            probes,
            limit: limits.max_probes,
        });
    }

    // Both factors are below 2^32, so the product fits in a u64.
    let bits = u64::from(entries) * u64::from(bits_per_entry);
    if bits > MOST_BLOOM_BITS {
        return Err(InvalidMessage::BloomTooLarge { bits });
    }
    let expected = bits.div_ceil(8);
    // Automerge ignores bytes after the bits; refusing them means every
    // accepted filter has exactly one reading.
    if as_u64(reader.remaining()) != expected {
        return Err(InvalidMessage::BloomLength {
            expected,
            found: reader.remaining(),
        });
    }
    Ok(())
}

/// A cursor over the message bytes that never reads past the end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    fn remaining(&self) -> usize {
        self.bytes.len()
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, InvalidMessage> {
        let (&first, rest) = self
            .bytes
            .split_first()
            .ok_or(InvalidMessage::Truncated { what })?;
        self.bytes = rest;
        Ok(first)
    }

    /// Takes `length` bytes, a length read from the message.
    fn take(&mut self, length: u64, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        // Comparing as u64 first means a length above usize::MAX on a
        // 32-bit target is refused rather than truncated.
        if length > as_u64(self.bytes.len()) {
            return Err(InvalidMessage::Truncated { what });
        }
        let length = usize::try_from(length).map_err(|_| InvalidMessage::Truncated { what })?;
        let (taken, rest) = self.bytes.split_at(length);
        self.bytes = rest;
        Ok(taken)
    }

    /// Reads an unsigned LEB128 number that must fit in a u64.
    ///
    /// The rules match Automerge's reader: at most ten bytes, the tenth
    /// carrying only the top bit, and no trailing zero byte that a shorter
    /// encoding would not need.
    fn number(&mut self, what: &'static str) -> Result<u64, InvalidMessage> {
        let (value, length) = crate::number::read(self.bytes).map_err(|error| match error {
            NumberError::CutShort => InvalidMessage::Truncated { what },
            NumberError::TooLarge => InvalidMessage::NumberTooLarge { what },
            NumberError::Overlong => InvalidMessage::OverlongNumber { what },
        })?;
        self.bytes = &self.bytes[length..];
        Ok(value)
    }

    /// Reads an unsigned LEB128 number that must fit in a u32, where
    /// Automerge reads one.
    fn number_u32(&mut self, what: &'static str) -> Result<u32, InvalidMessage> {
        let value = self.number(what)?;
        u32::try_from(value).map_err(|_| InvalidMessage::NumberTooLarge { what })
    }

    /// Reads a count of items that each take at least `smallest` bytes, and
    /// checks it against `limit` and against the bytes that remain, so the
    /// caller's loop runs only as often as the message can back up.
    fn count(
        &mut self,
        count_name: &'static str,
        items: &'static str,
        smallest: usize,
        limit: usize,
    ) -> Result<usize, InvalidMessage> {
        let count = self.number(count_name)?;
        if count > as_u64(limit) {
            return Err(InvalidMessage::TooMany {
                what: items,
                count,
                limit,
            });
        }
        let room = self.bytes.len() / smallest;
        if count > as_u64(room) {
            return Err(InvalidMessage::CountBeyondEnd {
                what: items,
                count,
                remaining: self.bytes.len(),
            });
        }
        // The count is at most `room`, which is a usize.
        usize::try_from(count).map_err(|_| InvalidMessage::CountBeyondEnd {
            what: items,
            count,
            remaining: self.bytes.len(),
        })
    }

    /// Skips a counted list of hashes and returns how many it held.
    fn hashes(
        &mut self,
        count_name: &'static str,
        items: &'static str,
        limit: usize,
    ) -> Result<usize, InvalidMessage> {
        let count = self.count(count_name, items, HASH_BYTES, limit)?;
        // `count` passed the room check, so this multiplication is at most
        // the remaining length and the take cannot fail.
        self.take(as_u64(count * HASH_BYTES), items)?;
        Ok(count)
    }
}

/// Widens a length to u64. Every supported target has pointers of 64 bits
/// or fewer, so this never saturates in practice; saturating is still the
/// safe answer for a limit.
fn as_u64(value: usize) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::number::{encode as uleb, MOST_BYTES as MOST_NUMBER_BYTES};

    fn join(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    /// A version 1 message with no heads, no needs, the given have entries
    /// (already encoded, after their count), and no changes.
    fn with_haves(count: u64, haves: &[u8]) -> Vec<u8> {
        join(&[&[VERSION_ONE, 0, 0], &uleb(count), haves, &[0]])
    }

    /// One have entry with no last-sync hashes and the given filter body.
    fn have_with_filter(filter: &[u8]) -> Vec<u8> {
        join(&[&[0], &uleb(filter.len() as u64), filter])
    }

    fn filter(entries: u64, bits_per_entry: u64, probes: u64, bits: usize) -> Vec<u8> {
        join(&[
            &uleb(entries),
            &uleb(bits_per_entry),
            &uleb(probes),
            &vec![0xa5; bits],
        ])
    }

    fn check(bytes: &[u8]) -> Result<Summary, InvalidMessage> {
        validate_sync_message(bytes, &Limits::default())
    }

    fn number(bytes: &[u8]) -> Result<u64, InvalidMessage> {
        let mut reader = Reader::new(bytes);
        let value = reader.number("number")?;
        assert_eq!(reader.remaining(), 0, "the number should use every byte");
        Ok(value)
    }

    /// Limits that allow everything, to show that the checks against the
    /// remaining bytes hold on their own.
    fn unlimited() -> Limits {
        Limits {
            max_message_bytes: usize::MAX,
            max_hashes: usize::MAX,
            max_haves: usize::MAX,
            max_changes: usize::MAX,
            max_change_bytes: usize::MAX,
            max_bloom_entries: u32::MAX,
            max_bits_per_entry: u32::MAX,
            max_probes: u32::MAX,
            max_flag_bytes: usize::MAX,
        }
    }

    #[test]
    fn the_smallest_messages_pass() {
        assert_eq!(check(&[VERSION_ONE, 0, 0, 0, 0]), Ok(Summary::default()));
        assert_eq!(check(&[VERSION_TWO, 0, 0, 0, 0]), Ok(Summary::default()));
        // The flags section Automerge 0.12 writes: two bytes, the legacy
        // version 2 marker and a bitfield.
        assert_eq!(
            check(&[VERSION_ONE, 0, 0, 0, 0, 2, 0x02, 0x84]),
            Ok(Summary::default())
        );
        // Automerge reads an empty flags section without complaint.
        assert_eq!(check(&[VERSION_ONE, 0, 0, 0, 0, 0]), Ok(Summary::default()));
    }

    #[test]
    fn a_message_with_everything_is_counted() {
        let bytes = join(&[
            &[VERSION_ONE],
            &uleb(2),
            &[1; 64],
            &uleb(1),
            &[2; 32],
            &uleb(1),
            &uleb(1),
            &[3; 32],
            &uleb(filter(3, 10, 7, 4).len() as u64),
            &filter(3, 10, 7, 4),
            &uleb(2),
            &uleb(5),
            b"first",
            &uleb(0),
            &[2, 0x02, 0x84],
        ]);
        assert_eq!(
            check(&bytes),
            Ok(Summary {
                heads: 2,
                need: 1,
                haves: 1,
                changes: 2,
                change_bytes: 5,
            })
        );
    }

    #[test]
    fn empty_and_unknown_messages_are_refused() {
        assert_eq!(check(&[]), Err(InvalidMessage::Empty));
        assert_eq!(
            check(&[0x85, 0, 0, 0, 0]),
            Err(InvalidMessage::UnknownVersion(0x85))
        );
        assert_eq!(
            check(&[VERSION_ONE]),
            Err(InvalidMessage::Truncated {
                what: "count of heads"
            })
        );
    }

    #[test]
    fn an_oversized_message_is_refused_before_it_is_read() {
        let limits = Limits {
            max_message_bytes: 4,
            ..Limits::default()
        };
        assert_eq!(
            validate_sync_message(&[VERSION_ONE, 0, 0, 0, 0], &limits),
            Err(InvalidMessage::TooLarge { size: 5, limit: 4 })
        );
        // The size is checked before the version byte is looked at.
        let bytes = vec![0xff; Limits::default().max_message_bytes + 1];
        assert_eq!(
            check(&bytes),
            Err(InvalidMessage::TooLarge {
                size: bytes.len(),
                limit: Limits::default().max_message_bytes
            })
        );
    }

    #[test]
    fn numbers_follow_automerge_rules() {
        assert_eq!(number(&[0]), Ok(0));
        assert_eq!(number(&[0x81, 0x01]), Ok(129));
        assert_eq!(number(&uleb(u64::MAX)), Ok(u64::MAX));
        assert_eq!(uleb(u64::MAX).len(), MOST_NUMBER_BYTES);
        // A zero last byte means a shorter encoding existed.
        assert_eq!(
            number(&[0x81, 0x00]),
            Err(InvalidMessage::OverlongNumber { what: "number" })
        );
        assert_eq!(
            number(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
            Err(InvalidMessage::OverlongNumber { what: "number" })
        );
        // The tenth byte may only carry bit 63.
        let mut too_wide = vec![0xff; 9];
        too_wide.push(0x02);
        assert_eq!(
            number(&too_wide),
            Err(InvalidMessage::NumberTooLarge { what: "number" })
        );
        // Ten bytes that all ask for another.
        assert_eq!(
            Reader::new(&[0x80; 11]).number("number"),
            Err(InvalidMessage::NumberTooLarge { what: "number" })
        );
        assert_eq!(
            Reader::new(&[0x80, 0x80]).number("number"),
            Err(InvalidMessage::Truncated { what: "number" })
        );
        assert_eq!(
            Reader::new(&uleb(u64::from(u32::MAX) + 1)).number_u32("number"),
            Err(InvalidMessage::NumberTooLarge { what: "number" })
        );
        assert_eq!(
            Reader::new(&uleb(u64::from(u32::MAX))).number_u32("number"),
            Ok(u32::MAX)
        );
    }

    #[test]
    fn an_overlong_count_is_refused() {
        assert_eq!(
            check(&[VERSION_ONE, 0x80, 0x00, 0, 0, 0]),
            Err(InvalidMessage::OverlongNumber {
                what: "count of heads"
            })
        );
    }

    #[test]
    fn a_bloom_filter_with_zero_bits_per_entry_is_refused() {
        let bytes = with_haves(1, &have_with_filter(&filter(1, 0, 7, 0)));
        assert_eq!(
            check(&bytes),
            Err(InvalidMessage::BloomBitsPerEntry {
                bits_per_entry: 0,
                limit: 32
            })
        );
    }

    #[test]
    fn bloom_filter_parameters_are_bounded() {
        let refused = |body: Vec<u8>| check(&with_haves(1, &have_with_filter(&body))).unwrap_err();
        assert_eq!(
            refused(filter(1, 33, 7, 5)),
            InvalidMessage::BloomBitsPerEntry {
                bits_per_entry: 33,
                limit: 32
            }
        );
        assert_eq!(
            refused(filter(1, 10, u64::from(u32::MAX), 2)),
            InvalidMessage::BloomProbes {
                probes: u32::MAX,
                limit: 32
            }
        );
        assert_eq!(
            refused(filter(1, 10, 0, 2)),
            InvalidMessage::BloomProbes {
                probes: 0,
                limit: 32
            }
        );
        assert_eq!(
            refused(filter(0, 10, 7, 0)),
            InvalidMessage::BloomEntries {
                entries: 0,
                limit: 1_000_000
            }
        );
        assert_eq!(
            refused(filter(1_000_001, 1, 1, 0)),
            InvalidMessage::BloomEntries {
                entries: 1_000_001,
                limit: 1_000_000
            }
        );
        // Automerge reads the three parameters as u32.
        assert_eq!(
            refused(filter(1 << 32, 10, 7, 0)),
            InvalidMessage::NumberTooLarge {
                what: "Bloom filter entry count"
            }
        );
        assert_eq!(
            refused(join(&[&uleb(1), &uleb(10)])),
            InvalidMessage::Truncated {
                what: "Bloom filter probe count"
            }
        );
    }

    #[test]
    fn bloom_filter_bits_must_fill_the_string_exactly() {
        // Three entries of ten bits need 30 bits, so four bytes.
        assert!(check(&with_haves(1, &have_with_filter(&filter(3, 10, 7, 4)))).is_ok());
        for found in [0, 3, 5, 64] {
            assert_eq!(
                check(&with_haves(1, &have_with_filter(&filter(3, 10, 7, found)))),
                Err(InvalidMessage::BloomLength { expected: 4, found })
            );
        }
    }

    #[test]
    fn a_bloom_filter_too_large_for_automerge_arithmetic_is_refused() {
        let limits = unlimited();
        let body = filter(1 << 20, (1 << 11) + 1, 7, 0);
        assert_eq!(
            validate_sync_message(&with_haves(1, &have_with_filter(&body)), &limits),
            Err(InvalidMessage::BloomTooLarge {
                bits: (1 << 31) + (1 << 20)
            })
        );
    }

    #[test]
    fn huge_counts_are_refused_by_the_limits() {
        let huge = uleb(1 << 40);
        let cases: [(Vec<u8>, &str, usize); 4] = [
            (join(&[&[VERSION_ONE], &huge]), "heads", 4096),
            (join(&[&[VERSION_ONE, 0], &huge]), "needed hashes", 4096),
            (join(&[&[VERSION_ONE, 0, 0], &huge]), "have entries", 16),
            (join(&[&[VERSION_ONE, 0, 0, 0], &huge]), "changes", 100_000),
        ];
        for (bytes, what, limit) in cases {
            assert_eq!(
                check(&bytes),
                Err(InvalidMessage::TooMany {
                    what,
                    count: 1 << 40,
                    limit
                })
            );
        }
        let last_sync = with_haves(1, &join(&[&huge, &[0]]));
        assert_eq!(
            check(&last_sync),
            Err(InvalidMessage::TooMany {
                what: "last-sync hashes",
                count: 1 << 40,
                limit: 4096
            })
        );
    }

    #[test]
    fn huge_counts_are_refused_by_the_remaining_length_without_limits() {
        // With every limit lifted, a count that the rest of the message
        // cannot hold is still refused before any loop starts.
        let limits = unlimited();
        let trailer = [0u8; 40];
        for count in [2, 1 << 40, u64::MAX] {
            let heads = join(&[&[VERSION_ONE], &uleb(count), &trailer]);
            assert!(matches!(
                validate_sync_message(&heads, &limits),
                Err(InvalidMessage::CountBeyondEnd { what: "heads", .. })
            ));
            let haves = join(&[&[VERSION_ONE, 0, 0], &uleb(count.max(21)), &trailer]);
            assert_eq!(
                validate_sync_message(&haves, &limits),
                Err(InvalidMessage::CountBeyondEnd {
                    what: "have entries",
                    count: count.max(21),
                    remaining: 40
                })
            );
            let changes = join(&[&[VERSION_ONE, 0, 0, 0], &uleb(count.max(41)), &trailer]);
            assert_eq!(
                validate_sync_message(&changes, &limits),
                Err(InvalidMessage::CountBeyondEnd {
                    what: "changes",
                    count: count.max(41),
                    remaining: 40
                })
            );
        }
    }

    #[test]
    fn changes_are_bounded_and_must_be_present() {
        let limits = Limits {
            max_change_bytes: 4,
            ..Limits::default()
        };
        let five = join(&[&[VERSION_ONE, 0, 0, 0, 1], &uleb(5), b"hello"]);
        assert_eq!(
            validate_sync_message(&five, &limits),
            Err(InvalidMessage::ChangeTooLarge { size: 5, limit: 4 })
        );
        assert_eq!(
            check(&five[..five.len() - 1]),
            Err(InvalidMessage::Truncated { what: "change" })
        );
        let huge_length = join(&[&[VERSION_ONE, 0, 0, 0, 1], &uleb(u64::MAX)]);
        assert_eq!(
            validate_sync_message(&huge_length, &unlimited()),
            Err(InvalidMessage::Truncated { what: "change" })
        );
    }

    #[test]
    fn flags_are_bounded_and_nothing_may_follow_them() {
        assert_eq!(
            check(&join(&[&[VERSION_ONE, 0, 0, 0, 0], &uleb(17), &[0x80; 17]])),
            Err(InvalidMessage::TooMany {
                what: "flag bytes",
                count: 17,
                limit: 16
            })
        );
        assert_eq!(
            check(&[VERSION_ONE, 0, 0, 0, 0, 3, 0x02, 0x84]),
            Err(InvalidMessage::Truncated { what: "flags" })
        );
        assert_eq!(
            check(&[VERSION_ONE, 0, 0, 0, 0, 2, 0x02, 0x84, 0x00]),
            Err(InvalidMessage::TrailingBytes(1))
        );
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            InvalidMessage::BloomBitsPerEntry {
                bits_per_entry: 0,
                limit: 32
            }
            .to_string(),
            "a Bloom filter with 0 bits per entry is refused (allowed: 1 to 32)"
        );
        assert_eq!(
            InvalidMessage::UnknownVersion(0x85).to_string(),
            "the sync message starts with byte 0x85, which is neither version 1 (0x42) nor version 2 (0x43)"
        );
    }

    proptest! {
        #[test]
        fn every_u64_reads_back(value in any::<u64>()) {
            prop_assert_eq!(number(&uleb(value)), Ok(value));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = check(&bytes);
            let _ = validate_sync_message(&bytes, &unlimited());
        }

        #[test]
        fn arbitrary_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = check(&join(&[&[VERSION_ONE], &body]));
            let _ = validate_sync_message(&join(&[&[VERSION_TWO], &body]), &unlimited());
        }
    }
}
