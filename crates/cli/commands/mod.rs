//! The commands, one file per part of the campaign. Each file declares the
//! top-level commands it contributes and a `run` that carries them out.

pub mod actions;
pub mod aid;
pub mod aid_ledger;
pub mod attention;
pub mod cadence;
pub mod campaign;
pub mod check_ins;
pub mod choke_points;
pub mod circles;
pub mod committees;
pub mod decisions;
pub mod devices;
pub mod exchange;
pub mod members;
pub mod protection;
pub mod reports;
pub mod roster;
pub mod serve;
pub mod shifts;
pub mod skills;
pub mod structure;
pub mod sync;
pub mod walk_ins;

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use chrono::NaiveDate;
use holdfast_core::model::{Member, Site};
use holdfast_store::{Campaign, Vault};

use crate::output::Output;

/// What every command gets from the global options.
pub struct Context {
    pub data_dir: PathBuf,
    pub output: Output,
    /// The member named by `--as`, if any.
    pub acting: Option<String>,
}

impl Context {
    pub fn open(&self) -> Result<Campaign> {
        Ok(Campaign::open_with_passphrase(
            &self.data_dir,
            protection::given_passphrase()
                .as_deref()
                .map(String::as_str),
        )?)
    }

    /// The campaign for a command that keeps running (`serve`, `hub`): a
    /// campaign with a passphrase and no HOLDFAST_PASSPHRASE opens locked,
    /// to be unlocked from the web UI.
    pub fn open_vault(&self) -> Result<Vault> {
        Ok(Vault::open(
            &self.data_dir,
            protection::given_passphrase()
                .as_deref()
                .map(String::as_str),
        )?)
    }

    /// Who is doing this: `--as`, or else the member this device is linked to.
    pub fn actor(&self, campaign: &Campaign) -> Result<String> {
        if let Some(member) = &self.acting {
            return Ok(campaign.resolve_member(member)?.id);
        }
        campaign.device_member()?.ok_or_else(|| {
            anyhow!(
                "say who is doing this: pass --as <MEMBER>, or link this device to a member with `holdfast use-member <MEMBER>`"
            )
        })
    }

    /// The member a command is about: the one named, or else whoever is acting.
    pub fn member_or_actor(&self, campaign: &Campaign, member: Option<String>) -> Result<String> {
        match member {
            Some(member) => Ok(member),
            None => self.actor(campaign),
        }
    }
}

/// Today's date in UTC, which is how the record keeps days.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A member's name for display; an erased member has none left to show.
pub fn member_name(campaign: &Campaign, id: &str) -> String {
    match campaign.find::<Member>(id) {
        Ok(Some(member)) => member.name,
        _ => "(erased member)".to_string(),
    }
}

/// Names for a list of member ids, joined for a table cell.
pub fn member_names(campaign: &Campaign, ids: &[String]) -> String {
    ids.iter()
        .map(|id| member_name(campaign, id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A site's name for display, or an empty cell.
pub fn site_name(campaign: &Campaign, id: Option<&str>) -> String {
    id.and_then(|id| campaign.find::<Site>(id).ok().flatten())
        .map(|site| site.name)
        .unwrap_or_default()
}
