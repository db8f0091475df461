//! Paired devices and the keys that seal bundle files.
//!
//! Both live in the `campaign` document, so every paired device learns who
//! else is paired (and who was revoked) through ordinary sync, and can check
//! a peer at the picket line without asking the hub.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::record;
use super::Role;

/// A phone or computer paired with the campaign: its public key, the member
/// who carries it and the role it was paired with.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Device {
    /// The device id, which is also its Automerge actor.
    pub id: String,
    /// The device's static X25519 public key, in lower-case hex.
    pub public_key: String,
    pub member_id: Option<String>,
    /// The role the device was paired with. Documents with a narrower
    /// audience (who received aid) only go to devices paired as coordinators.
    pub role: Role,
    /// A name people recognise, such as "Ana's phone".
    pub label: String,
    pub paired_at: String,
    /// The device that paired this one; none for the device that founded the campaign.
    pub paired_by: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    /// The device's Ed25519 key for signing changes, in lower-case hex.
    /// Every change the device writes carries a signature by it; a device
    /// without one can write nothing any other device accepts.
    #[serde(default)]
    #[autosurgeon(missing = "Option::default")]
    pub signing_key: Option<String>,
    /// Set with the revocation: for each document, the highest sequence
    /// number of this device's changes the revoking device held. Those
    /// changes stay; every later one is refused by every device.
    #[serde(default)]
    #[autosurgeon(missing = "Option::default")]
    pub revoked_cover: Option<BTreeMap<String, i64>>,
}
record!(Device, "devices");

impl Device {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// Whether this device may hold documents meant for aid coordinators.
    pub fn may_hold_aid_identities(&self) -> bool {
        !self.is_revoked() && matches!(self.role, Role::AidCoordinator | Role::Steward)
    }
}

/// A key that seals bundle files for carrying on a USB stick. A new key is
/// added whenever a device is revoked, so bundles written afterwards cannot be
/// read by the revoked device, which never receives the new key.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct BundleKey {
    pub id: String,
    /// 32 random bytes, in lower-case hex.
    pub key: String,
    /// One more than the newest key before it. Times can tie within a
    /// second; this cannot, so "the newest key" is never in doubt.
    pub generation: i64,
    pub created_at: String,
}
record!(BundleKey, "bundle_keys");
