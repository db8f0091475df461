//! Pairing devices: invites a steward issues, the device record written when
//! one is redeemed, revocation, and the keys that seal bundle files.

use holdfast_core::model::{BundleKey, Device, Member, Role};
use holdfast_core::{time, DocumentId};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::campaign::Campaign;
use crate::error::{Result, StoreError};

/// An invite as the issuing device keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invite {
    pub tag: String,
    pub member_id: String,
    pub role: Role,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub used_by: Option<String>,
}

/// What a valid, unused invite grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteGrant {
    pub tag: String,
    pub psk: Vec<u8>,
    pub member_id: String,
    pub role: Role,
    pub label: String,
}

/// A new device to record when an invite is redeemed.
pub struct NewDevice<'a> {
    pub device_id: &'a str,
    pub public_key: &'a str,
    /// Its Ed25519 key for signing changes (hex).
    pub signing_key: &'a str,
}

impl Campaign {
    /// Records this device in the campaign's device list, as the device that
    /// founded the campaign (or an older campaign's first sync) does.
    /// Does nothing if the key is already listed.
    pub fn register_this_device(&mut self, public_key: &str, label: &str) -> Result<()> {
        if self.device_by_key(public_key)?.is_some() {
            return Ok(());
        }
        if !self.devices()?.is_empty() {
            return Err(StoreError::NotAllowed(
                "this campaign already lists its devices; this device must be paired by a steward's device".into(),
            ));
        }
        let device = Device {
            id: self.device_id().to_string(),
            public_key: public_key.to_string(),
            member_id: self.device_member()?,
            role: Role::Steward,
            label: label.to_string(),
            paired_at: time::now(),
            paired_by: None,
            revoked_at: None,
            revoked_by: None,
            signing_key: Some(self.signing_public_key()?),
            revoked_cover: None,
        };
        let key = BundleKey {
            id: holdfast_core::model::new_id(),
            key: super::random_hex(32),
            generation: 1,
            created_at: time::now(),
        };
        let has_bundle_key = !self.all::<BundleKey>()?.is_empty();
        self.write(&DocumentId::campaign(), "register this device", |writer| {
            writer.put(&device)?;
            if !has_bundle_key {
                writer.put(&key)?;
            }
            Ok(())
        })
    }

    pub fn devices(&self) -> Result<Vec<Device>> {
        let mut devices = self.all::<Device>()?;
        devices.sort_by(|a, b| a.paired_at.cmp(&b.paired_at));
        Ok(devices)
    }

    /// Issues a one-time invite for a member and role, valid for `hours`.
    /// Only a steward may invite; `psk` is the key derived from the secret
    /// half of the code, which never leaves this device otherwise.
    pub fn create_invite(
        &mut self,
        by: &str,
        tag: &str,
        psk: &[u8],
        member: &str,
        role: Role,
        hours: i64,
    ) -> Result<Invite> {
        self.require_steward(by)?;
        if !(1..=24 * 14).contains(&hours) {
            return Err(StoreError::rejected(
                "an invite must expire within 1 hour and 14 days",
            ));
        }
        let member: Member = self.resolve_member(member)?;
        let now = chrono::Utc::now();
        let invite = Invite {
            tag: tag.to_string(),
            member_id: member.id.clone(),
            role,
            label: format!("{}'s device", member.name),
            created_at: time::format_instant(now),
            expires_at: time::format_instant(now + chrono::Duration::hours(hours)),
            used_at: None,
            used_by: None,
        };
        self.connection.execute(
            "INSERT INTO invites (tag, psk, member_id, role, label, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                invite.tag,
                psk,
                invite.member_id,
                invite.role.as_str(),
                invite.label,
                invite.created_at,
                invite.expires_at
            ],
        )?;
        Ok(invite)
    }

    /// Whether an invite this device issued already has `tag`.
    pub fn invite_tag_taken(&self, tag: &str) -> Result<bool> {
        Ok(self
            .connection
            .query_row("SELECT 1 FROM invites WHERE tag = ?1", [tag], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn invites(&self) -> Result<Vec<Invite>> {
        let mut statement = self.connection.prepare(
            "SELECT tag, member_id, role, label, created_at, expires_at, used_at, used_by
             FROM invites ORDER BY created_at DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut invites = Vec::new();
        for row in rows {
            let (tag, member_id, role, label, created_at, expires_at, used_at, used_by) = row?;
            invites.push(Invite {
                tag,
                member_id,
                role: role.parse()?,
                label,
                created_at,
                expires_at,
                used_at,
                used_by,
            });
        }
        Ok(invites)
    }

    /// Looks up an invite by its public tag for a pairing handshake; refuses
    /// one that is used, expired or unknown.
    pub fn invite_grant(&self, tag: &str) -> Result<InviteGrant> {
        let row = self
            .connection
            .query_row(
                "SELECT psk, member_id, role, label, expires_at, used_at FROM invites WHERE tag = ?1",
                [tag],
                |row| {
                    Ok((
                        row.get::<_, Vec<u8>>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((psk, member_id, role, label, expires_at, used_at)) = row else {
            return Err(StoreError::InviteRefused(
                "this invite is unknown here".into(),
            ));
        };
        if used_at.is_some() {
            return Err(StoreError::InviteRefused(
                "this invite was already used".into(),
            ));
        }
        if expires_at <= time::now() {
            return Err(StoreError::InviteRefused(format!(
                "this invite expired at {expires_at}"
            )));
        }
        Ok(InviteGrant {
            tag: tag.to_string(),
            psk,
            member_id,
            role: role.parse()?,
            label,
        })
    }

    /// Redeems an invite: records the new device in the campaign document
    /// and marks the invite used, so it cannot pair a second device.
    pub fn redeem_invite(&mut self, grant: &InviteGrant, new: NewDevice<'_>) -> Result<Device> {
        // Checked again: another connection may have redeemed it meanwhile.
        self.invite_grant(&grant.tag)?;
        if self.device_by_key(new.public_key)?.is_some() {
            return Err(StoreError::InviteRefused(
                "this device is already paired".into(),
            ));
        }
        // A new device brings a new id and new keys: an id or a key the
        // campaign already lists (this hub's own among them) would let the
        // newcomer take over that device's record.
        if uuid::Uuid::parse_str(new.device_id).is_err() {
            return Err(StoreError::InviteRefused(
                "the device id it sent is not a UUID".into(),
            ));
        }
        let taken = self.devices()?.into_iter().any(|device| {
            device.id == new.device_id || device.signing_key.as_deref() == Some(new.signing_key)
        }) || new.device_id == self.device_id();
        if taken {
            return Err(StoreError::InviteRefused(
                "the device id or signing key it sent belongs to a device already paired".into(),
            ));
        }
        if !is_hex_key(new.signing_key) {
            return Err(StoreError::InviteRefused(
                "the signing key it sent is not 32 bytes of hex".into(),
            ));
        }
        let device = Device {
            id: new.device_id.to_string(),
            public_key: new.public_key.to_string(),
            member_id: Some(grant.member_id.clone()),
            role: grant.role,
            label: grant.label.clone(),
            paired_at: time::now(),
            paired_by: Some(self.device_id().to_string()),
            revoked_at: None,
            revoked_by: None,
            signing_key: Some(new.signing_key.to_string()),
            revoked_cover: None,
        };
        self.connection.execute(
            "UPDATE invites SET used_at = ?1, used_by = ?2 WHERE tag = ?3",
            params![time::now(), device.id, grant.tag],
        )?;
        self.write(&DocumentId::campaign(), "pair a device", |writer| {
            writer.put(&device)
        })?;
        Ok(device)
    }

    /// Revokes a device: every honest device refuses it from its next
    /// connection on, and a new bundle key is made that it never receives.
    pub fn revoke_device(&mut self, by: &str, device: &str) -> Result<Device> {
        self.require_steward(by)?;
        let devices = self.devices()?;
        let found = super::resolve(
            &devices,
            "device",
            device,
            |device| &device.id,
            |device| &device.label,
        )?;
        if found.is_revoked() {
            return Err(StoreError::rejected(format!(
                "{} was already revoked on {}",
                found.label,
                found.revoked_at.as_deref().unwrap_or("")
            )));
        }
        if found.id == self.device_id() {
            return Err(StoreError::rejected("a device cannot revoke itself"));
        }
        let mut revoked = found.clone();
        revoked.revoked_at = Some(time::now());
        revoked.revoked_by = Some(self.device_id().to_string());
        revoked.revoked_cover = Some(self.cover_of(&found.id)?);
        let key = self.next_bundle_key()?;
        self.write(&DocumentId::campaign(), "revoke a device", |writer| {
            writer.put(&revoked)?;
            writer.put(&key)
        })?;
        Ok(revoked)
    }

    /// A new bundle key, one generation past the newest: what a revocation
    /// adds, so that bundles written afterwards stay closed to the revoked.
    pub(crate) fn next_bundle_key(&self) -> Result<BundleKey> {
        Ok(BundleKey {
            id: holdfast_core::model::new_id(),
            key: super::random_hex(32),
            generation: self
                .bundle_keys()?
                .first()
                .map_or(1, |newest| newest.generation + 1),
            created_at: time::now(),
        })
    }

    /// Every bundle key, newest first.
    pub fn bundle_keys(&self) -> Result<Vec<BundleKey>> {
        let mut keys = self.all::<BundleKey>()?;
        keys.sort_by(|a, b| b.generation.cmp(&a.generation).then(b.id.cmp(&a.id)));
        Ok(keys)
    }

    /// For each document, the last sequence number of a device's changes
    /// that this device holds: what a revocation keeps.
    pub(crate) fn cover_of(
        &mut self,
        device_id: &str,
    ) -> Result<std::collections::BTreeMap<String, i64>> {
        let mut cover = std::collections::BTreeMap::new();
        let Some(actor) = holdfast_core::authority::actor_of(device_id) else {
            return Ok(cover);
        };
        for id in self.documents()? {
            if id.kind()?.audience() == holdfast_core::Audience::ThisDevice {
                continue;
            }
            let doc = &mut self.loaded(&id)?.doc;
            let last = doc
                .get_changes_meta(&[])
                .iter()
                .filter(|meta| *meta.actor == actor)
                .map(|meta| meta.seq)
                .max();
            if let Some(last) = last {
                cover.insert(id.to_string(), i64::try_from(last).unwrap_or(i64::MAX));
            }
        }
        Ok(cover)
    }

    pub(crate) fn require_steward(&mut self, by: &str) -> Result<Member> {
        if let Some(author) = self.acting_authority()? {
            if !author.is_steward() {
                return Err(StoreError::NotAllowed(
                    "this device was not paired as a steward's device; only stewards' devices pair, revoke and erase".into(),
                ));
            }
        }
        let member = self.acting_member(by)?;
        if !member.has_role(Role::Steward) {
            return Err(StoreError::rejected(format!(
                "{} is not a steward; only stewards pair and revoke devices",
                member.name
            )));
        }
        Ok(member)
    }
}

fn is_hex_key(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}
