//! This device's long-term sync key pair, kept in the local part of the
//! database (never synced, never exported).

use holdfast_store::{Campaign, PRIVATE_KEY, PUBLIC_KEY};

use crate::error::{Result, SyncError};
use crate::noise::PARAMS_SYNC;

/// A device's static X25519 key pair.
#[derive(Clone)]
pub struct Identity {
    pub private: Vec<u8>,
    pub public: Vec<u8>,
}

/// The private key is wiped from memory when the identity is dropped.
impl Drop for Identity {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.private);
    }
}

impl std::fmt::Debug for Identity {
    /// Never prints the private key.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Identity({})", fingerprint(&self.public))
    }
}

impl Identity {
    pub fn generate() -> Result<Self> {
        let keypair = snow::Builder::new(PARAMS_SYNC.parse().expect("valid noise parameters"))
            .generate_keypair()?;
        Ok(Identity {
            private: keypair.private.to_vec(),
            public: keypair.public.to_vec(),
        })
    }

    pub fn public_hex(&self) -> String {
        to_hex(&self.public)
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public)
    }

    /// Stores this key pair as the device's own.
    pub fn save(&self, campaign: &Campaign) -> Result<()> {
        campaign.set_local_value(PRIVATE_KEY, &to_hex(&self.private))?;
        campaign.set_local_value(PUBLIC_KEY, &to_hex(&self.public))?;
        Ok(())
    }

    /// The device's key pair if it has one yet, without making one: for
    /// readers that must not write.
    pub fn existing(campaign: &Campaign) -> Result<Option<Self>> {
        match (
            campaign.local_value(PRIVATE_KEY)?,
            campaign.local_value(PUBLIC_KEY)?,
        ) {
            (Some(private), Some(public)) => Ok(Some(Identity {
                private: from_hex(&private)
                    .ok_or_else(|| SyncError::BadKey("private key".into()))?,
                public: from_hex(&public).ok_or_else(|| SyncError::BadKey("public key".into()))?,
            })),
            _ => Ok(None),
        }
    }

    /// The device's key pair, made on first use. A device with no entry in
    /// the campaign's device list yet (the one that founded the campaign, or
    /// one made before devices were listed) is recorded as a steward's device.
    pub fn of(campaign: &mut Campaign) -> Result<Self> {
        let identity = match Identity::existing(campaign)? {
            Some(identity) => identity,
            None => {
                let identity = Identity::generate()?;
                identity.save(campaign)?;
                identity
            }
        };
        if !campaign.has_devices()? {
            let label = campaign.settings()?.local_name;
            campaign.register_this_device(&identity.public_hex(), &format!("{label} hub"))?;
        }
        Ok(identity)
    }
}

/// The fingerprint of a public key written in hex, as the device list keeps
/// it; a key that is not hex is shortened instead.
pub fn fingerprint_of_hex(public_key: &str) -> String {
    from_hex(public_key)
        .map(|key| fingerprint(&key))
        .unwrap_or_else(|| public_key.chars().take(16).collect())
}

/// A short, readable form of a public key for people to compare.
pub fn fingerprint(public: &[u8]) -> String {
    use blake2::{Blake2s256, Digest};
    let digest = Blake2s256::digest(public);
    let hex = to_hex(&digest[..8]);
    format!(
        "{}-{}-{}-{}",
        &hex[0..4],
        &hex[4..8],
        &hex[8..12],
        &hex[12..16]
    )
}

pub use holdfast_core::signing::{from_hex, hex as to_hex};

/// The tag a hub advertises over mDNS: derived from the key of the device
/// that founded the campaign (every paired device holds the same device
/// list), so that devices of one campaign find each other while people on
/// the same guest network cannot tell which union is meeting.
pub fn discovery_tag(campaign: &Campaign) -> Result<String> {
    use blake2::{Blake2s256, Digest};
    let founder = campaign
        .devices()?
        .into_iter()
        .filter(|device| device.paired_by.is_none())
        .map(|device| device.public_key)
        .min()
        .ok_or_else(|| SyncError::BadKey("the campaign lists no founding device".into()))?;
    let mut hasher = Blake2s256::new();
    hasher.update(b"holdfast discovery tag 1\0");
    hasher.update(founder.as_bytes());
    Ok(to_hex(&hasher.finalize()[..10]))
}
