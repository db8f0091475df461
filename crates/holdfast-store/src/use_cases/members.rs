//! Members: add, change roles, list, and erase on request.

use holdfast_core::model::*;
use holdfast_core::{time, DocumentId};
use serde::Serialize;

use super::resolve;
use crate::{Campaign, Result, StoreError};

#[derive(Debug, Clone, Default)]
pub struct NewMember {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Site id or name.
    pub site: Option<String>,
    /// Department id or name (within the site).
    pub department: Option<String>,
    pub roles: Vec<Role>,
    pub joined_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Erasure {
    pub member_id: String,
    pub committees_updated: usize,
    pub commitments_removed: usize,
    pub aid_identities_removed: usize,
    pub devices_revoked: usize,
}

/// What erasing a member removed: the current record's part, and the
/// documents whose history no longer holds them.
#[derive(Debug, Clone, Serialize)]
pub struct ErasureReport {
    #[serde(flatten)]
    pub erasure: Erasure,
    /// Documents re-based without the member, by id (`campaign`, `aid`, ...).
    pub history_rebased: Vec<String>,
    /// Why the history was left as it was, when this device may not re-base
    /// it: the member is gone from the current record only, until a
    /// steward's device erases them too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_note: Option<String>,
}

impl Campaign {
    /// The members, by name: walk-ins are not among them until a steward
    /// adds them (see `walk_ins`).
    pub fn members(&self) -> Result<Vec<Member>> {
        let mut members: Vec<Member> = self.all()?;
        members.retain(|member| !member.is_walk_in());
        members.sort_by_cached_key(|member| member.name.to_lowercase());
        Ok(members)
    }

    /// Finds a member by id or by name.
    pub fn resolve_member(&self, wanted: &str) -> Result<Member> {
        if let Some(member) = self.find::<Member>(wanted)? {
            return Ok(member);
        }
        let members: Vec<Member> = self.all()?;
        resolve(
            &members,
            "member",
            wanted,
            |member| &member.id,
            |member| &member.name,
        )
        .cloned()
    }

    /// Checks a new member's fields and resolves their site and department.
    pub(crate) fn prepare_member(
        &self,
        new: &NewMember,
        sites: &[Site],
        departments: &[Department],
    ) -> Result<Member> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(StoreError::rejected("a member needs a name"));
        }
        if let Some(email) = &new.email {
            if !email.contains('@') {
                return Err(StoreError::rejected(format!(
                    "`{email}` is not an email address"
                )));
            }
        }
        let joined_on = match &new.joined_on {
            Some(date) => time::format_date(time::parse_date(date)?),
            None => time::day_of(&time::now()).to_string(),
        };
        let mut member = Member::new(name, &joined_on);
        member.phone = new.phone.clone().filter(|phone| !phone.trim().is_empty());
        member.email = new.email.clone().filter(|email| !email.trim().is_empty());
        if let Some(site) = &new.site {
            member.site_id = Some(
                resolve(sites, "site", site, |site| &site.id, |site| &site.name)?
                    .id
                    .clone(),
            );
        }
        if let Some(department) = &new.department {
            let candidates: Vec<Department> = departments
                .iter()
                .filter(|candidate| {
                    member.site_id.is_none()
                        || member.site_id.as_deref() == Some(&candidate.site_id)
                })
                .cloned()
                .collect();
            let found = resolve(
                &candidates,
                "department",
                department,
                |item| &item.id,
                |item| &item.name,
            )?;
            member.department_id = Some(found.id.clone());
            member.site_id.get_or_insert_with(|| found.site_id.clone());
        }
        if !new.roles.is_empty() {
            member.roles = new.roles.clone();
        }
        Ok(member)
    }

    pub fn add_member(&mut self, new: NewMember) -> Result<Member> {
        let member = self.prepare_member(&new, &self.all()?, &self.all()?)?;
        self.write(&DocumentId::campaign(), "add a member", |writer| {
            writer.put(&member)
        })?;
        Ok(member)
    }

    pub fn set_roles(&mut self, member: &str, roles: Vec<Role>) -> Result<Member> {
        let mut member = self.resolve_member(member)?;
        if roles.is_empty() {
            return Err(StoreError::rejected("a member needs at least one role"));
        }
        self.note_demotions(&mut member, &roles)?;
        member.roles = roles;
        self.write(
            &DocumentId::campaign(),
            "change a member's roles",
            |writer| writer.put(&member),
        )?;
        Ok(member)
    }

    /// Records, for each role `member` loses, how far each of their
    /// devices' changes keep it (what this device holds of them: see
    /// `Member::demotions`), and forgets the record of a role given back.
    fn note_demotions(&mut self, member: &mut Member, roles: &[Role]) -> Result<()> {
        let lost: Vec<Role> = member
            .roles
            .iter()
            .filter(|role| !roles.contains(role))
            .copied()
            .collect();
        let mut demotions = member.demotions.take().unwrap_or_default();
        demotions.retain(|role, _| !roles.iter().any(|kept| kept.as_str() == role));
        if !lost.is_empty() {
            let mut covers = std::collections::BTreeMap::new();
            for device in self.devices()? {
                if device.member_id.as_deref() == Some(&member.id) {
                    covers.insert(device.id.clone(), self.cover_of(&device.id)?);
                }
            }
            for role in lost {
                demotions.insert(role.as_str().to_string(), covers.clone());
            }
        }
        member.demotions = (!demotions.is_empty()).then_some(demotions);
        Ok(())
    }

    /// Erases a member from the current state of every document this device
    /// holds: their record, their place on committees and rotas, their
    /// choke-point commitments and, on a coordinator's device, who they are
    /// behind an aid pseudonym. Check-ins keep only the random member id, which
    /// no longer leads to a name.
    pub fn erase_member(&mut self, wanted: &str) -> Result<Erasure> {
        let member = self.resolve_member(wanted)?;
        let committees: Vec<Committee> = self.all()?;
        let commitments: Vec<Commitment> = self.all()?;
        let attendance: Vec<Attendance> = self.all()?;
        // Walk-in records a steward merged into them carry their name too.
        let walk_ins: Vec<String> = self
            .all::<Member>()?
            .into_iter()
            .filter(|person| person.merged_into.as_deref() == Some(member.id.as_str()))
            .map(|person| person.id)
            .collect();
        // Their devices lose the link to them and any label that may carry
        // their name, and are revoked: an erased member's phone syncs no more.
        let devices: Vec<Device> = self
            .all::<Device>()?
            .into_iter()
            .filter(|device| device.member_id.as_deref() == Some(member.id.as_str()))
            .collect();
        if devices.iter().any(|device| device.id == self.device_id()) {
            return Err(StoreError::rejected(format!(
                "{} carries this device; erase them from another steward's device",
                member.name
            )));
        }
        let new_key = if devices.iter().any(|device| !device.is_revoked()) {
            Some(self.next_bundle_key()?)
        } else {
            None
        };
        let this_device = self.device_id().to_string();
        let mut erasure = Erasure {
            member_id: member.id.clone(),
            committees_updated: 0,
            commitments_removed: 0,
            aid_identities_removed: 0,
            devices_revoked: 0,
        };
        self.write(&DocumentId::campaign(), "erase a member", |writer| {
            writer.delete::<Member>(&member.id)?;
            for walk_in in &walk_ins {
                writer.delete::<Member>(walk_in)?;
            }
            for mut committee in committees {
                let before = (committee.member_ids.len(), committee.rota.len());
                committee.member_ids.retain(|id| id != &member.id);
                committee.rota.retain(|id| id != &member.id);
                if before != (committee.member_ids.len(), committee.rota.len()) {
                    writer.put(&committee)?;
                    erasure.committees_updated += 1;
                }
            }
            for commitment in commitments
                .iter()
                .filter(|commitment| commitment.member_id == member.id)
            {
                writer.delete::<Commitment>(&commitment.id)?;
                erasure.commitments_removed += 1;
            }
            for record in attendance
                .iter()
                .filter(|record| record.member_id == member.id)
            {
                writer.delete::<Attendance>(&record.id)?;
            }
            for mut device in devices {
                device.member_id = None;
                device.label = "device of an erased member".to_string();
                if !device.is_revoked() {
                    device.revoked_at = Some(time::now());
                    device.revoked_by = Some(this_device.clone());
                }
                writer.put(&device)?;
                erasure.devices_revoked += 1;
            }
            if let Some(key) = &new_key {
                writer.put(key)?;
            }
            Ok(())
        })?;
        let identities: Vec<AidIdentity> = self.all()?;
        let theirs: Vec<&AidIdentity> = identities
            .iter()
            .filter(|identity| identity.member_id == member.id)
            .collect();
        if !theirs.is_empty() {
            self.write(
                &DocumentId::aid_private(),
                "erase a member's aid identities",
                |writer| {
                    for identity in &theirs {
                        writer.delete::<AidIdentity>(&identity.id)?;
                    }
                    Ok(())
                },
            )?;
            erasure.aid_identities_removed = theirs.len();
        }
        self.connection
            .execute("DELETE FROM invites WHERE member_id = ?1", [&member.id])?;
        if self.device_member()?.as_deref() == Some(member.id.as_str()) {
            self.connection
                .execute("DELETE FROM meta WHERE key = 'member_id'", [])?;
        }
        Ok(erasure)
    }

    /// Erases a member from the current record and then, where this device
    /// may, from the history of the documents that hold names. A device that
    /// may not re-base keeps the reason in `history_note` rather than
    /// failing: the current record is already clean by then.
    pub fn erase_member_and_history(&mut self, wanted: &str) -> Result<ErasureReport> {
        let member = self.resolve_member(wanted)?;
        let erasure = self.erase_member(&member.id)?;
        let (history_rebased, history_note) = match self.erase_from_history(&member.id) {
            Ok(rebased) => (rebased.iter().map(|(id, _)| id.to_string()).collect(), None),
            Err(StoreError::Rejected(reason)) => (Vec::new(), Some(reason)),
            Err(other) => return Err(other),
        };
        Ok(ErasureReport {
            erasure,
            history_rebased,
            history_note,
        })
    }

    /// A steward's erasure of a member, confirmed by typing the member's
    /// full name (trimmed, in any case). `by` is the member acting, who must
    /// be a steward; erasing cannot be undone, so nothing is erased unless
    /// every check passes.
    pub fn erase_member_confirmed(
        &mut self,
        by: Option<&str>,
        wanted: &str,
        confirm: &str,
    ) -> Result<ErasureReport> {
        let acting = match by {
            Some(id) => self.find::<Member>(id)?,
            None => None,
        };
        let Some(acting) = acting else {
            return Err(StoreError::NotAllowed(
                "pick who you are on this device first; only a steward can erase a member"
                    .to_string(),
            ));
        };
        if !acting.has_role(Role::Steward) {
            return Err(StoreError::NotAllowed(format!(
                "{} is not a steward; only a steward can erase a member",
                acting.name
            )));
        }
        let member = self.resolve_member(wanted)?;
        if member.id == acting.id {
            return Err(StoreError::rejected(format!(
                "{} uses this device and cannot be erased from it; another steward can \
                 erase them from their own device",
                member.name
            )));
        }
        if confirm.trim().to_lowercase() != member.name.trim().to_lowercase() {
            return Err(StoreError::rejected(format!(
                "type the member's full name, {}, to confirm the erasure",
                member.name
            )));
        }
        self.erase_member_and_history(&member.id)
    }
}
