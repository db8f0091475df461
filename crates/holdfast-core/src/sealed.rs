//! Boxes sealed to some devices' keys: what a member's phone writes into a
//! shared document for the aid coordinators alone (who is asking, and the
//! note meant for coordinators). Every device carries the box; only the
//! devices it was sealed to can open it.
//!
//! The recipients' keys are their X25519 sync keys from the device list. A
//! box is: a version byte, a fresh ephemeral public key, the number of
//! recipients, then per recipient the first eight bytes of its public key
//! and the content key wrapped for it (ChaCha20-Poly1305 under a key derived
//! with BLAKE2b from the ephemeral key, the recipient's key and their shared
//! secret), then the content sealed with the content key. Each key is used
//! for one message only, so the nonces can be zero.

use blake2::{Blake2b512, Digest};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use x25519_dalek::{PublicKey, StaticSecret};

const VERSION: u8 = 1;
const WRAPPED: usize = 32 + 16;

/// Seals `content` to every recipient's X25519 public key. `ephemeral` and
/// `content_key` must be fresh random bytes for every box.
pub fn seal(
    recipients: &[[u8; 32]],
    content: &[u8],
    ephemeral: [u8; 32],
    content_key: [u8; 32],
) -> Option<Vec<u8>> {
    if recipients.is_empty() || recipients.len() > usize::from(u8::MAX) {
        return None;
    }
    let ephemeral = StaticSecret::from(ephemeral);
    let ephemeral_public = PublicKey::from(&ephemeral);
    let mut sealed = vec![VERSION];
    sealed.extend_from_slice(ephemeral_public.as_bytes());
    sealed.push(recipients.len() as u8);
    for recipient in recipients {
        let shared = ephemeral.diffie_hellman(&PublicKey::from(*recipient));
        let wrap = wrapping_key(ephemeral_public.as_bytes(), recipient, shared.as_bytes());
        let wrapped = cipher(&wrap)
            .encrypt(&Nonce::default(), content_key.as_slice())
            .ok()?;
        sealed.extend_from_slice(&recipient[..8]);
        sealed.extend_from_slice(&wrapped);
    }
    sealed.extend(
        cipher(&content_key)
            .encrypt(&Nonce::default(), content)
            .ok()?,
    );
    Some(sealed)
}

/// Opens a box with this device's X25519 key pair, if it was sealed to it.
pub fn open(sealed: &[u8], public: &[u8; 32], secret: &[u8; 32]) -> Option<Vec<u8>> {
    let (&version, rest) = sealed.split_first()?;
    if version != VERSION || rest.len() < 33 {
        return None;
    }
    let ephemeral_public: [u8; 32] = rest[..32].try_into().ok()?;
    let count = usize::from(rest[32]);
    let entries = rest.get(33..33 + count * (8 + WRAPPED))?;
    let content = &rest[33 + count * (8 + WRAPPED)..];
    let secret = StaticSecret::from(*secret);
    let shared = secret.diffie_hellman(&PublicKey::from(ephemeral_public));
    let wrap = wrapping_key(&ephemeral_public, public, shared.as_bytes());
    entries
        .chunks_exact(8 + WRAPPED)
        .filter(|entry| entry[..8] == public[..8])
        .find_map(|entry| {
            let content_key = cipher(&wrap).decrypt(&Nonce::default(), &entry[8..]).ok()?;
            let content_key: [u8; 32] = content_key.try_into().ok()?;
            cipher(&content_key)
                .decrypt(&Nonce::default(), content)
                .ok()
        })
}

/// The X25519 public key of a secret, as a device's record holds it.
pub fn public_of(secret: &[u8; 32]) -> [u8; 32] {
    *PublicKey::from(&StaticSecret::from(*secret)).as_bytes()
}

fn wrapping_key(ephemeral: &[u8; 32], recipient: &[u8; 32], shared: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Blake2b512::new();
    hasher.update(b"holdfast sealed box v1\0");
    hasher.update(ephemeral);
    hasher.update(recipient);
    hasher.update(shared);
    hasher.finalize()[..32].try_into().expect("32 bytes")
}

fn cipher(key: &[u8; 32]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(Key::from_slice(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(seed: u8) -> ([u8; 32], [u8; 32]) {
        let secret = [seed; 32];
        (public_of(&secret), secret)
    }

    #[test]
    fn only_the_recipients_open_a_box() {
        let (alice, alice_secret) = keys(1);
        let (bob, bob_secret) = keys(2);
        let (eve, eve_secret) = keys(3);
        let sealed = seal(&[alice, bob], b"who asked", [9; 32], [8; 32]).unwrap();
        assert_eq!(open(&sealed, &alice, &alice_secret).unwrap(), b"who asked");
        assert_eq!(open(&sealed, &bob, &bob_secret).unwrap(), b"who asked");
        assert_eq!(open(&sealed, &eve, &eve_secret), None);
        // Claiming a recipient's key without its secret opens nothing.
        assert_eq!(open(&sealed, &alice, &eve_secret), None);
    }

    #[test]
    fn a_damaged_box_opens_for_no_one() {
        let (alice, alice_secret) = keys(1);
        let sealed = seal(&[alice], b"who asked", [9; 32], [8; 32]).unwrap();
        for index in 0..sealed.len() {
            let mut damaged = sealed.clone();
            damaged[index] ^= 1;
            assert_eq!(open(&damaged, &alice, &alice_secret), None, "byte {index}");
        }
        for cut in 0..sealed.len() {
            assert_eq!(open(&sealed[..cut], &alice, &alice_secret), None);
        }
        assert!(!String::from_utf8_lossy(&sealed).contains("who asked"));
    }
}
