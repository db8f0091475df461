//! Browsers at the hall: people who use the hub's web UI from their own
//! phone or laptop, each with an identity of its own.
//!
//! A browser that opens the hub's link becomes a guest of this hub: it gets
//! a secret of its own (kept in a cookie; only its hash is stored here) and
//! may read what a member's device may read. It may change nothing, and it
//! is nobody, until it is paired: someone types the code of an invite a
//! steward issued for a member and role, and from then on the browser acts
//! as that member, with that role and the member's own roles, and no more.
//! The hub's edits on its behalf pass the same write policy as a device's
//! (`Campaign::write` checks both the hub's authority and the browser's).
//!
//! Browsers never appear in the campaign document: they are this hub's
//! guests, listed and revoked here. A revoked browser is turned away at its
//! next request.

use std::collections::BTreeSet;

use blake2::{Blake2b512, Digest};
use holdfast_core::authority::Author;
use holdfast_core::model::{Member, Role};
use holdfast_core::time;
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use crate::campaign::Campaign;
use crate::error::{Result, StoreError};

/// One browser as this hub knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HallBrowser {
    pub id: String,
    /// What the browser said it is (its user agent, shortened), then, once
    /// paired, whose browser it is.
    pub label: String,
    pub member_id: Option<String>,
    pub role: Option<Role>,
    pub created_at: String,
    pub paired_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl HallBrowser {
    pub fn is_paired(&self) -> bool {
        self.member_id.is_some() && self.revoked_at.is_none()
    }

    /// A browser that shows the hall key but no identity this hub keeps
    /// (its cookie was cleared, or it was one of the oldest guests and was
    /// let go): it may read as a guest, and is written nowhere. To be
    /// paired it opens the hub's link again.
    pub fn passing_guest(user_agent: &str) -> Self {
        HallBrowser {
            id: PASSING_GUEST.into(),
            label: label_from(user_agent),
            member_id: None,
            role: None,
            created_at: time::now(),
            paired_at: None,
            revoked_at: None,
        }
    }

    /// Whether this is a [`HallBrowser::passing_guest`], kept nowhere.
    pub fn is_passing(&self) -> bool {
        self.id == PASSING_GUEST
    }
}

/// The id of a guest that is kept nowhere; no stored browser has it (theirs
/// are UUIDs).
const PASSING_GUEST: &str = "passing-guest";

/// Guests not yet paired that the hub keeps. Opening the link makes one, so
/// whoever holds the link could otherwise fill the hub's disk with them;
/// past this many, the oldest are let go (they become passing guests, who
/// still read, and open the link again to pair). Paired and turned-away
/// browsers are always kept.
pub const GUEST_LIMIT: usize = 1_000;

fn label_from(user_agent: &str) -> String {
    let label: String = user_agent
        .chars()
        .filter(|character| !character.is_control())
        .take(LABEL_LIMIT)
        .collect();
    if label.trim().is_empty() {
        "a browser".to_string()
    } else {
        label
    }
}

/// The longest label kept from what a browser says about itself.
const LABEL_LIMIT: usize = 80;

/// The hash under which a browser's secret is kept, hex.
fn token_hash(token: &str) -> String {
    let digest = Blake2b512::new_with_prefix(b"holdfast hall browser 1\0")
        .chain_update(token.as_bytes())
        .finalize();
    holdfast_core::signing::hex(&digest[..32])
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<(HallBrowser, Option<String>)> {
    Ok((
        HallBrowser {
            id: row.get(0)?,
            label: row.get(1)?,
            member_id: row.get(2)?,
            role: None,
            created_at: row.get(4)?,
            paired_at: row.get(5)?,
            revoked_at: row.get(6)?,
        },
        row.get(3)?,
    ))
}

const COLUMNS: &str = "id, label, member_id, role, created_at, paired_at, revoked_at";

fn with_role((mut browser, role): (HallBrowser, Option<String>)) -> Result<HallBrowser> {
    browser.role = role.map(|role| role.parse()).transpose()?;
    Ok(browser)
}

/// Where this device keeps the key in its hall link.
const HALL_KEY: &str = "hall_ui_key";

impl Campaign {
    /// The key other computers at the hall must show, made on first use and
    /// kept on this device so that their bookmarks keep working.
    pub fn hall_key(&self) -> Result<String> {
        if let Some(key) = self.local_value(HALL_KEY)? {
            return Ok(key);
        }
        let key = super::random_hex(24);
        self.set_local_value(HALL_KEY, &key)?;
        Ok(key)
    }

    /// Replaces the hall key, for a steward: every link printed or shared
    /// before stops working at once, and browsers that came in with it must
    /// open the new one (a paired browser stays paired). Returns the new key.
    pub fn new_hall_key(&mut self, by: &str) -> Result<String> {
        self.require_steward(by)?;
        let key = super::random_hex(24);
        self.set_local_value(HALL_KEY, &key)?;
        Ok(key)
    }

    /// Admits a browser that showed the hall key: records it as a guest and
    /// returns it with the secret for its cookie, which is not kept here.
    pub fn admit_browser(&mut self, user_agent: &str) -> Result<(HallBrowser, String)> {
        let token = super::random_hex(32);
        // A guest like a passing one, but with an id of its own, kept.
        let browser = HallBrowser {
            id: uuid::Uuid::new_v4().to_string(),
            ..HallBrowser::passing_guest(user_agent)
        };
        let transaction = self.connection.unchecked_transaction()?;
        transaction.execute(
            "INSERT INTO hall_browsers (id, token_hash, label, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                browser.id,
                token_hash(&token),
                browser.label,
                browser.created_at
            ],
        )?;
        transaction.execute(
            "DELETE FROM hall_browsers WHERE id IN (
                 SELECT id FROM hall_browsers
                 WHERE member_id IS NULL AND revoked_at IS NULL
                 ORDER BY created_at DESC, rowid DESC
                 LIMIT -1 OFFSET ?1)",
            [GUEST_LIMIT as i64],
        )?;
        transaction.commit()?;
        Ok((browser, token))
    }

    /// The browser whose cookie holds `token`, revoked or not.
    pub fn hall_browser(&self, token: &str) -> Result<Option<HallBrowser>> {
        self.connection
            .query_row(
                &format!("SELECT {COLUMNS} FROM hall_browsers WHERE token_hash = ?1"),
                [token_hash(token)],
                from_row,
            )
            .optional()?
            .map(with_role)
            .transpose()
    }

    /// Every browser this hub has admitted, newest first: for this
    /// computer, or a steward's browser (the list says whose browser is
    /// whose).
    pub fn hall_browsers(&mut self) -> Result<Vec<HallBrowser>> {
        if self.acting.is_some()
            && !self
                .acting_authority()?
                .is_some_and(|author| author.is_steward())
        {
            return Err(StoreError::NotAllowed(
                "only stewards see the browsers at the hall".into(),
            ));
        }
        let mut statement = self.connection.prepare(&format!(
            "SELECT {COLUMNS} FROM hall_browsers ORDER BY created_at DESC, id"
        ))?;
        let rows = statement.query_map([], from_row)?;
        rows.map(|row| with_role(row?)).collect()
    }

    /// Pairs a guest browser with an invite, given the invite's tag and the
    /// key derived from its secret: the browser acts from now on as the
    /// invite's member, with its role. The invite is used up, as it is when
    /// a device redeems it.
    pub fn pair_browser(&mut self, browser_id: &str, tag: &str, psk: &[u8]) -> Result<HallBrowser> {
        let browser = self.browser_by_id(browser_id)?;
        if browser.revoked_at.is_some() {
            return Err(StoreError::NotAllowed(
                "this browser was turned away by a steward; it cannot be paired again".into(),
            ));
        }
        if browser.member_id.is_some() {
            return Err(StoreError::rejected("this browser is already paired"));
        }
        // A wrong secret with a right tag is told the same as an unknown
        // invite: the answer must not help anyone guess.
        let unknown = || StoreError::InviteRefused("no open invite has this code".into());
        let grant = self.invite_grant(tag).map_err(|_| unknown())?;
        if !holdfast_core::signing::same_secret(&grant.psk, psk) {
            return Err(unknown());
        }
        let member: Member = self.member(&grant.member_id)?;
        let label = format!("{}'s browser at the hall", member.name);
        let now = time::now();
        let transaction = self.connection.unchecked_transaction()?;
        let taken = transaction.execute(
            "UPDATE invites SET used_at = ?1, used_by = ?2 WHERE tag = ?3 AND used_at IS NULL",
            params![now, format!("browser {browser_id}"), tag],
        )?;
        if taken != 1 {
            return Err(unknown());
        }
        transaction.execute(
            "UPDATE hall_browsers SET member_id = ?1, role = ?2, label = ?3, paired_at = ?4 WHERE id = ?5",
            params![member.id, grant.role.as_str(), label, now, browser_id],
        )?;
        transaction.commit()?;
        self.browser_by_id(browser_id)
    }

    /// Turns a browser away for good. For stewards, like revoking a device.
    pub fn revoke_browser(&mut self, by: &str, browser_id: &str) -> Result<HallBrowser> {
        let steward = self.require_steward(by)?;
        let browser = self.browser_by_id(browser_id)?;
        if browser.revoked_at.is_none() {
            self.connection.execute(
                "UPDATE hall_browsers SET revoked_at = ?1, revoked_by = ?2 WHERE id = ?3",
                params![time::now(), steward.id, browser_id],
            )?;
        }
        self.browser_by_id(browser_id)
    }

    fn browser_by_id(&self, id: &str) -> Result<HallBrowser> {
        let row = self
            .connection
            .query_row(
                &format!("SELECT {COLUMNS} FROM hall_browsers WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found("browser", id))?;
        with_role(row)
    }

    /// Makes the edits and views that follow act for `browser` instead of
    /// this device's own user, until [`Campaign::stop_acting_for_browser`].
    pub fn act_for_browser(&mut self, browser: HallBrowser) {
        self.acting = Some(browser);
    }

    pub fn stop_acting_for_browser(&mut self) {
        self.acting = None;
    }

    /// The browser being acted for, if any.
    pub fn acting_browser(&self) -> Option<&HallBrowser> {
        self.acting.as_ref()
    }

    /// The member acting here: the one the browser at the hall was paired
    /// for, when acting for one, or else the member this device belongs to.
    pub fn acting_member_id(&self) -> Result<Option<String>> {
        match self
            .acting_browser()
            .and_then(|browser| browser.member_id.clone())
        {
            Some(id) => Ok(Some(id)),
            None => self.device_member(),
        }
    }

    /// What the browser being acted for may do: its invite's role and its
    /// member's roles, on this device. A guest, a revoked browser, and one
    /// whose member was erased may do nothing.
    pub(crate) fn browser_author(&self, browser: &HallBrowser) -> Result<Author> {
        let refuse = |why: &str| Err(StoreError::NotAllowed(why.to_string()));
        if browser.revoked_at.is_some() {
            return refuse("a steward turned this browser away");
        }
        let (Some(member_id), Some(role)) = (&browser.member_id, browser.role) else {
            return refuse(
                "this browser is not paired yet, so it can only read; ask a steward for an invite and enter its code on this browser",
            );
        };
        let Some(member) = self.find::<Member>(member_id)? else {
            return refuse("the member this browser was paired for is no longer in the campaign");
        };
        let mut roles = BTreeSet::from([role]);
        roles.extend(member.roles.iter().copied());
        for (taken, _) in member.taken_roles() {
            roles.remove(&taken);
        }
        Ok(Author {
            device_id: self.device_id().to_string(),
            label: browser.label.clone(),
            member_id: Some(member.id),
            roles,
            signing_key: None,
            revoked: false,
            cover: Default::default(),
            demoted: Default::default(),
        })
    }

    /// The member named as the one doing something (who recorded a
    /// check-in, who facilitated, who decided). A browser acts only as its
    /// own member, whoever it names.
    pub fn acting_member(&self, named: &str) -> Result<Member> {
        let member = self.resolve_member(named)?;
        if let Some(browser) = &self.acting {
            if browser.member_id.as_deref() != Some(member.id.as_str()) {
                return Err(StoreError::NotAllowed(format!(
                    "this browser acts only for the member it was paired for, not for {}",
                    member.name
                )));
            }
        }
        Ok(member)
    }

    /// The member named (who must be the one a hall browser acts for), or
    /// else the member acting here.
    pub(crate) fn member_acting_or_named(&self, named: Option<&str>, who: &str) -> Result<Member> {
        match named {
            Some(named) => self.acting_member(named),
            None => {
                let id = self.acting_member_id()?.ok_or_else(|| {
                    StoreError::rejected(format!(
                        "say {who}: this device is not linked to a member yet"
                    ))
                })?;
                self.member(&id)
            }
        }
    }
}
