//! The Noise handshakes that open every connection.
//!
//! Ordinary sync uses the XX pattern: both sides prove their long-term key,
//! and each checks the other's against the campaign's device list before any
//! campaign data moves. Pairing uses XXpsk3: the new device has no listed key
//! yet, so both sides instead prove they hold the key derived from the
//! invite's secret, which an eavesdropper or a fake hub does not.

use crate::error::Result;

pub const PARAMS_SYNC: &str = "Noise_XX_25519_ChaChaPoly_BLAKE2s";
pub const PARAMS_PAIR: &str = "Noise_XXpsk3_25519_ChaChaPoly_BLAKE2s";
/// Bound into every handshake, so a transcript from another protocol or
/// version cannot be passed off as this one.
pub const PROLOGUE: &[u8] = b"holdfast sync 1";
/// Noise's own limit on one message.
pub const MAX_NOISE_MESSAGE: usize = 65535;
/// Authentication tag added to each encrypted message.
pub const TAG_BYTES: usize = 16;

pub fn initiator(private_key: &[u8], psk: Option<&[u8; 32]>) -> Result<snow::HandshakeState> {
    build(private_key, psk, true)
}

pub fn responder(private_key: &[u8], psk: Option<&[u8; 32]>) -> Result<snow::HandshakeState> {
    build(private_key, psk, false)
}

fn build(
    private_key: &[u8],
    psk: Option<&[u8; 32]>,
    initiator: bool,
) -> Result<snow::HandshakeState> {
    let params = if psk.is_some() {
        PARAMS_PAIR
    } else {
        PARAMS_SYNC
    };
    let mut builder = snow::Builder::new(params.parse().expect("valid noise parameters"))
        .local_private_key(private_key)?
        .prologue(PROLOGUE)?;
    if let Some(psk) = psk {
        builder = builder.psk(3, psk)?;
    }
    Ok(if initiator {
        builder.build_initiator()?
    } else {
        builder.build_responder()?
    })
}
