//! Invite codes: what a steward's screen shows and a new device types in or
//! scans.
//!
//! A code is sixteen characters in four groups, `TTTT-SSSS-SSSS-SSSS`. The
//! first group is a public tag that tells the hub which invite is meant; the
//! other twelve are the secret (60 random bits). The secret never crosses the
//! network: both sides derive a Noise pre-shared key from it, so a hub that
//! does not know it, or a device that does not, fails the handshake. The
//! characters are Crockford's base32, which has no I, L, O or U, so a code
//! read out loud over a noisy picket line survives.
//!
//! The QR code carries more: the code, the hub's addresses, and the hub's
//! public key, which the new device then insists on.

use rand::Rng;

use crate::error::{Result, SyncError};
use crate::identity::{from_hex, to_hex};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TAG_CHARACTERS: usize = 4;
const SECRET_CHARACTERS: usize = 12;
const LINK_PREFIX: &str = "holdfast://pair?";

/// The short code part of an invite.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteCode {
    pub tag: String,
    secret: String,
}

impl std::fmt::Debug for InviteCode {
    /// Never prints the secret.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "InviteCode({}-…)", self.tag)
    }
}

impl InviteCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let mut pick = |count: usize| -> String {
            (0..count)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect()
        };
        InviteCode {
            tag: pick(TAG_CHARACTERS),
            secret: pick(SECRET_CHARACTERS),
        }
    }

    /// Reads a code as a person typed it: any case, with or without dashes
    /// and spaces, with O for zero and I or L for one forgiven.
    pub fn parse(text: &str) -> Result<Self> {
        let mut characters = String::new();
        for character in text.chars() {
            let character = match character.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !ALPHABET.contains(&(character as u8)) || !character.is_ascii() {
                return Err(SyncError::BadInvite(format!(
                    "`{character}` is not a letter or digit used in invite codes"
                )));
            }
            characters.push(character);
        }
        if characters.len() != TAG_CHARACTERS + SECRET_CHARACTERS {
            return Err(SyncError::BadInvite(format!(
                "an invite code has {} letters and digits; this has {}",
                TAG_CHARACTERS + SECRET_CHARACTERS,
                characters.len()
            )));
        }
        let (tag, secret) = characters.split_at(TAG_CHARACTERS);
        Ok(InviteCode {
            tag: tag.to_string(),
            secret: secret.to_string(),
        })
    }

    /// The code as people read it: `TTTT-SSSS-SSSS-SSSS`.
    pub fn display(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            self.tag,
            &self.secret[0..4],
            &self.secret[4..8],
            &self.secret[8..12]
        )
    }

    /// The Noise pre-shared key both sides derive from the code.
    pub fn psk(&self) -> [u8; 32] {
        use blake2::{Blake2s256, Digest};
        let mut hasher = Blake2s256::new();
        hasher.update(b"holdfast invite psk 1\0");
        hasher.update(self.tag.as_bytes());
        hasher.update(b"\0");
        hasher.update(self.secret.as_bytes());
        hasher.finalize().into()
    }
}

/// Everything a new device needs to pair: the code, where to find the hub,
/// and (from a QR code) the hub's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub code: InviteCode,
    pub hubs: Vec<String>,
    pub hub_key: Option<Vec<u8>>,
}

impl Invite {
    /// The text inside the QR code.
    pub fn link(&self) -> String {
        let mut link = format!("{LINK_PREFIX}code={}", self.code.display());
        if !self.hubs.is_empty() {
            link.push_str(&format!("&hub={}", self.hubs.join(",")));
        }
        if let Some(key) = &self.hub_key {
            link.push_str(&format!("&key={}", to_hex(key)));
        }
        link
    }

    /// Reads either a full link from a QR code or a bare short code.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let Some(query) = text.strip_prefix(LINK_PREFIX) else {
            return Ok(Invite {
                code: InviteCode::parse(text)?,
                hubs: Vec::new(),
                hub_key: None,
            });
        };
        let mut code = None;
        let mut hubs = Vec::new();
        let mut hub_key = None;
        for pair in query.split('&') {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| SyncError::BadInvite(format!("`{pair}` is not name=value")))?;
            match name {
                "code" => code = Some(InviteCode::parse(value)?),
                "hub" => hubs.extend(
                    value
                        .split(',')
                        .filter(|hub| !hub.is_empty())
                        .map(str::to_string),
                ),
                "key" => {
                    let key = from_hex(value)
                        .filter(|key| key.len() == 32)
                        .ok_or_else(|| {
                            SyncError::BadInvite("the hub key is not 64 hex digits".into())
                        })?;
                    hub_key = Some(key);
                }
                // Later versions may add fields; this one ignores them.
                _ => {}
            }
        }
        Ok(Invite {
            code: code.ok_or_else(|| SyncError::BadInvite("the link has no code".into()))?,
            hubs,
            hub_key,
        })
    }

    /// The link as an SVG QR code, for the steward's screen.
    pub fn qr_svg(&self) -> Result<String> {
        let code = qrcode::QrCode::new(self.link().as_bytes())
            .map_err(|error| SyncError::BadInvite(error.to_string()))?;
        Ok(code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build())
    }

    /// The link as a QR code drawn with text blocks, for a terminal.
    pub fn qr_text(&self) -> Result<String> {
        let code = qrcode::QrCode::new(self.link().as_bytes())
            .map_err(|error| SyncError::BadInvite(error.to_string()))?;
        Ok(code
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_survive_being_read_out_and_typed_sloppily() {
        let code = InviteCode::generate();
        let typed = code
            .display()
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "o");
        assert_eq!(InviteCode::parse(&typed).unwrap(), code);
        assert_eq!(InviteCode::parse(&typed).unwrap().psk(), code.psk());
    }

    #[test]
    fn bad_codes_are_named() {
        let short = InviteCode::parse("ABCD-EFGH").unwrap_err().to_string();
        assert!(short.contains("has 8"), "{short}");
        let odd = InviteCode::parse("ABCD-EFGH-JKMN-PQR!")
            .unwrap_err()
            .to_string();
        assert!(odd.contains("`!`"), "{odd}");
    }

    #[test]
    fn links_carry_hubs_and_key() {
        let invite = Invite {
            code: InviteCode::generate(),
            hubs: vec!["192.168.1.20:8419".into(), "10.0.0.2:8419".into()],
            hub_key: Some(vec![7; 32]),
        };
        assert_eq!(Invite::parse(&invite.link()).unwrap(), invite);
        assert!(invite.qr_svg().unwrap().contains("<svg"));
        assert!(!invite.qr_text().unwrap().is_empty());
    }
}
