//! Unsigned LEB128 numbers: seven bits a byte, low bits first, the top bit
//! of each byte saying whether another follows. Automerge's sync messages,
//! Holdfast's own messages and bundle files all write numbers this way, and
//! this is the one place that writes and reads them.
//!
//! Reading follows Automerge's own rules, so that every reader in Holdfast
//! refuses the same bytes: at most ten bytes for a `u64`, the tenth carrying
//! only bit 63, and never a longer encoding than the number needs (two
//! spellings of one number would let a message differ byte for byte from
//! what its sender meant while meaning the same).

/// A `u64` needs at most ten bytes of seven bits.
pub const MOST_BYTES: usize = 10;

/// Why bytes are not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// The bytes ended while a byte said another would follow.
    CutShort,
    /// The number does not fit in 64 bits.
    TooLarge,
    /// A shorter encoding of the same number exists.
    Overlong,
}

impl NumberError {
    /// What went wrong, as the end of a sentence ("… a number cut short").
    pub fn describe(self) -> &'static str {
        match self {
            NumberError::CutShort => "a number cut short",
            NumberError::TooLarge => "a number too large",
            NumberError::Overlong => "a number written longer than it needs",
        }
    }
}

/// Appends `value`, the shortest way.
pub fn write(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// `value`, the shortest way, on its own.
pub fn encode(value: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(MOST_BYTES);
    write(&mut out, value);
    out
}

/// Reads the number at the front of `bytes`: its value and how many bytes
/// it took.
pub fn read(bytes: &[u8]) -> Result<(u64, usize), NumberError> {
    let mut value: u64 = 0;
    for index in 0..MOST_BYTES {
        let byte = *bytes.get(index).ok_or(NumberError::CutShort)?;
        let payload = u64::from(byte & 0x7f);
        // Only bit 63 is left for the tenth byte; anything more would be
        // shifted out of the u64.
        if index == MOST_BYTES - 1 && payload > 1 {
            return Err(NumberError::TooLarge);
        }
        // The shift is at most 63, because index is at most 9.
        value |= payload << (7 * index);
        if byte & 0x80 == 0 {
            if index > 0 && byte == 0 {
                return Err(NumberError::Overlong);
            }
            return Ok((value, index + 1));
        }
    }
    // The tenth byte asked for an eleventh.
    Err(NumberError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_follow_automerge_rules() {
        assert_eq!(read(&[0]), Ok((0, 1)));
        assert_eq!(read(&[0x81, 0x01, 0xff]), Ok((129, 2)));
        assert_eq!(read(&encode(u64::MAX)), Ok((u64::MAX, MOST_BYTES)));
        // A zero last byte means a shorter encoding existed.
        assert_eq!(read(&[0x81, 0x00]), Err(NumberError::Overlong));
        assert_eq!(read(&[0x80, 0x00]), Err(NumberError::Overlong));
        // The tenth byte may only carry bit 63.
        let mut too_wide = vec![0xff; 9];
        too_wide.push(0x02);
        assert_eq!(read(&too_wide), Err(NumberError::TooLarge));
        assert_eq!(read(&[0x80; 11]), Err(NumberError::TooLarge));
        assert_eq!(read(&[0x80, 0x80]), Err(NumberError::CutShort));
        assert_eq!(read(&[]), Err(NumberError::CutShort));
    }

    proptest! {
        #[test]
        fn every_number_reads_back_as_written(value: u64, tail: Vec<u8>) {
            let mut bytes = encode(value);
            let length = bytes.len();
            bytes.extend_from_slice(&tail);
            prop_assert_eq!(read(&bytes), Ok((value, length)));
        }
    }
}
