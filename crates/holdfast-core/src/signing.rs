//! Signatures over changes: every change a device writes is signed with the
//! device's Ed25519 key, whose public half is in the device's record in the
//! `campaign` document. A receiver checks the signature before it lets the
//! change in, whoever relayed it.
//!
//! What is signed is a domain tag followed by the change's hash. The hash
//! covers the change's bytes and its dependencies, so a signature cannot be
//! moved to another change, and the tag keeps these signatures apart from
//! anything else the key might ever sign.

use automerge::ChangeHash;
use ed25519_dalek::Signer;

/// The length of a signature on the wire and on disk.
pub const SIGNATURE_LENGTH: usize = 64;

const DOMAIN: &[u8] = b"holdfast change signature v1\0";

/// A device's private signing key. It never leaves the device.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl SigningKey {
    /// A key from 32 secret bytes (random ones for a new device).
    pub fn from_secret(secret: &[u8; 32]) -> Self {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(secret))
    }

    pub fn secret(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public half, as the device record holds it (lower-case hex).
    pub fn public_hex(&self) -> String {
        hex(self.0.verifying_key().as_bytes())
    }

    pub fn sign(&self, hash: &ChangeHash) -> [u8; SIGNATURE_LENGTH] {
        self.0.sign(&message(hash)).to_bytes()
    }
}

impl std::fmt::Debug for SigningKey {
    /// Never prints the secret.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "SigningKey({})", self.public_hex())
    }
}

/// Whether `signature` is the signature of the key `public_hex` over the
/// change `hash`. A key that is not 32 bytes of hex, or not a valid curve
/// point, verifies nothing.
pub fn verify(public_hex: &str, hash: &ChangeHash, signature: &[u8]) -> bool {
    let Some(public) = from_hex(public_hex) else {
        return false;
    };
    let Ok(public) = <[u8; 32]>::try_from(public.as_slice()) else {
        return false;
    };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&public) else {
        return false;
    };
    let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
        return false;
    };
    key.verify_strict(&message(hash), &signature).is_ok()
}

fn message(hash: &ChangeHash) -> Vec<u8> {
    let mut message = Vec::with_capacity(DOMAIN.len() + 32);
    message.extend_from_slice(DOMAIN);
    message.extend_from_slice(hash.as_ref());
    message
}

/// Lower-case hex, as keys and hashes are written in records and logs.
/// Whether two secrets are equal, compared without stopping at the first
/// difference, so the time taken says nothing about how much of a guess
/// was right.
pub fn same_secret(offered: &[u8], expected: &[u8]) -> bool {
    offered.len() == expected.len()
        && offered
            .iter()
            .zip(expected)
            .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The bytes of a hex string, or none if it is not one.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(byte: u8) -> ChangeHash {
        ChangeHash([byte; 32])
    }

    #[test]
    fn a_signature_verifies_only_for_its_key_and_its_change() {
        let key = SigningKey::from_secret(&[7; 32]);
        let other = SigningKey::from_secret(&[8; 32]);
        let signature = key.sign(&hash(1));
        assert!(verify(&key.public_hex(), &hash(1), &signature));
        assert!(!verify(&key.public_hex(), &hash(2), &signature));
        assert!(!verify(&other.public_hex(), &hash(1), &signature));
        let mut flipped = signature;
        flipped[10] ^= 1;
        assert!(!verify(&key.public_hex(), &hash(1), &flipped));
    }

    #[test]
    fn malformed_keys_and_signatures_verify_nothing() {
        let key = SigningKey::from_secret(&[7; 32]);
        let signature = key.sign(&hash(1));
        assert!(!verify("", &hash(1), &signature));
        assert!(!verify("zz", &hash(1), &signature));
        assert!(!verify(&key.public_hex()[..62], &hash(1), &signature));
        assert!(!verify(&key.public_hex(), &hash(1), &signature[..63]));
        assert!(!verify(&key.public_hex(), &hash(1), &[]));
    }
}
