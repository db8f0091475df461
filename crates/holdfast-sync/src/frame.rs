//! Frames on the wire: a four-byte big-endian length, a kind byte, and the
//! body. The reader holds at most one frame's worth of bytes, and refuses a
//! length over the limit before reading the body, so a peer cannot make a
//! device buffer more than that.

use crate::error::{Result, SyncError};
use crate::noise::MAX_NOISE_MESSAGE;

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// In the clear: the protocol name, the mode, and the invite tag when pairing.
    Hello = 1,
    /// A Noise handshake message.
    Handshake = 2,
    /// A Noise transport message: an encrypted piece of an application message.
    Transport = 3,
    /// In the clear, before any key is agreed: why the connection was refused
    /// (an unknown or used invite). Carries no campaign data.
    Refusal = 4,
}

impl FrameKind {
    fn from_byte(byte: u8) -> Result<Self> {
        Ok(match byte {
            1 => FrameKind::Hello,
            2 => FrameKind::Handshake,
            3 => FrameKind::Transport,
            4 => FrameKind::Refusal,
            _ => return Err(SyncError::MalformedFrame("unknown frame kind")),
        })
    }
}

/// The largest frame body: one Noise message.
pub const MAX_FRAME_BODY: usize = MAX_NOISE_MESSAGE;
const HEADER_BYTES: usize = 5;

pub fn encode(kind: FrameKind, body: &[u8], out: &mut Vec<u8>) {
    debug_assert!(body.len() <= MAX_FRAME_BODY);
    out.extend_from_slice(&((body.len() + 1) as u32).to_be_bytes());
    out.push(kind as u8);
    out.extend_from_slice(body);
}

/// Collects bytes from the socket and hands out whole frames.
#[derive(Default)]
pub struct FrameReader {
    buffer: Vec<u8>,
}

impl FrameReader {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole frame, if one has arrived.
    pub fn next_frame(&mut self) -> Result<Option<(FrameKind, Vec<u8>)>> {
        if self.buffer.len() < 4 {
            return Ok(None);
        }
        let length = u32::from_be_bytes(self.buffer[..4].try_into().expect("four bytes")) as usize;
        if length == 0 {
            return Err(SyncError::MalformedFrame("an empty frame"));
        }
        if length > MAX_FRAME_BODY + 1 {
            return Err(SyncError::FrameTooLarge {
                size: length,
                limit: MAX_FRAME_BODY + 1,
            });
        }
        if self.buffer.len() < 4 + length {
            return Ok(None);
        }
        let kind = FrameKind::from_byte(self.buffer[4])?;
        let body = self.buffer[HEADER_BYTES..4 + length].to_vec();
        self.buffer.drain(..4 + length);
        Ok(Some((kind, body)))
    }

    /// Bytes received but not yet part of a whole frame.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }
}
