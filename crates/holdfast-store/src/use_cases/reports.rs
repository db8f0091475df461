//! Reports: the dashboard, hours and strike pay, and sovereignty gains.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use holdfast_core::model::*;
use holdfast_core::rules::attendance::{self, StrikePay};
use holdfast_core::rules::cadence::VarietyWarning;
use holdfast_core::rules::choke_map::FreezeRow;
use holdfast_core::rules::sovereignty::{self, GainsInput, MonthGains};
use holdfast_core::time;
use serde::Serialize;

use crate::{Campaign, Result};

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub campaign: String,
    pub members: i64,
    pub sites: i64,
    pub actions: i64,
    pub check_ins: i64,
    pub next_action: Option<Action>,
    /// Distinct members at each of the last few actions that are over, most
    /// recent first.
    pub recent_turnout: Vec<(String, i64)>,
    pub freeze_within_48_hours: Vec<FreezeRow>,
    pub aid_balances: BTreeMap<AidCategory, i64>,
    pub attention: i64,
    pub variety_warning: Option<VarietyWarning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberHours {
    pub member_id: String,
    pub name: String,
    pub hours: f64,
}

impl Campaign {
    fn count(&self, sql: &str) -> Result<i64> {
        Ok(self.connection.query_row(sql, [], |row| row.get(0))?)
    }

    /// What the app shows first. Answered from the projections and small
    /// collections; it never loads a document.
    pub fn dashboard(&self, now: &str) -> Result<Dashboard> {
        let actions = self.actions()?;
        let mut recent_turnout = Vec::new();
        {
            let mut statement = self.connection.prepare_cached(
                "SELECT COUNT(DISTINCT member_id) FROM checkins WHERE action_id = ?1 AND kind = 'in' AND voided = 0",
            )?;
            for action in actions
                .iter()
                .rev()
                // Actions that are over: one still going has no final count.
                .filter(|action| action.ends_at.as_str() <= now)
                .take(5)
            {
                let count: i64 = statement.query_row([&action.id], |row| row.get(0))?;
                recent_turnout.push((action.title.clone(), count));
            }
        }
        Ok(Dashboard {
            campaign: self.settings()?.campaign_name,
            members: self.count(
                "SELECT COUNT(*) FROM records WHERE collection = 'members'
                 AND json_extract(data, '$.walk_in_action_id') IS NULL",
            )?,
            sites: self.count("SELECT COUNT(*) FROM records WHERE collection = 'sites'")?,
            actions: actions.len() as i64,
            // Kept by triggers (schema.rs, migration 6): counting the rows
            // themselves reads the whole table.
            check_ins: self.count("SELECT value FROM totals WHERE name = 'live_check_ins'")?,
            next_action: actions
                .iter()
                .find(|action| !action.cancelled && action.ends_at.as_str() > now)
                .cloned(),
            recent_turnout,
            freeze_within_48_hours: self.freeze_report(48.0)?,
            aid_balances: self.aid_balances()?,
            attention: self.attention()?.len() as i64,
            variety_warning: self.variety_warning(now)?,
        })
    }

    fn stays(&self, pickets_only: bool) -> Result<Vec<attendance::Stay>> {
        let check_ins = self.check_ins(None)?;
        let mut stays = attendance::pair(&check_ins).stays;
        // A walk-in merged into a member: their hours are that member's.
        let merged = self.merged_walk_ins()?;
        for stay in &mut stays {
            if let Some(member) = merged.get(&stay.member_id) {
                stay.member_id = member.clone();
            }
        }
        if !pickets_only {
            return Ok(stays);
        }
        let pickets: std::collections::BTreeSet<String> = self
            .actions()?
            .into_iter()
            .filter(|action| action.kind.is_picket())
            .map(|action| action.id)
            .collect();
        Ok(stays
            .into_iter()
            .filter(|stay| pickets.contains(&stay.action_id))
            .collect())
    }

    /// Hours per member across all actions, most first.
    pub fn hours(&self) -> Result<Vec<MemberHours>> {
        let mut rows = Vec::new();
        for (member_id, hours) in attendance::hours_per_member(&self.stays(false)?) {
            let name = self
                .find::<Member>(&member_id)?
                .map_or_else(|| "(erased member)".to_string(), |member| member.name);
            rows.push(MemberHours {
                member_id,
                name,
                hours,
            });
        }
        rows.sort_by(|left, right| {
            right
                .hours
                .total_cmp(&left.hours)
                .then_with(|| left.name.cmp(&right.name))
        });
        Ok(rows)
    }

    /// Strike pay owed under the local's rule, from picket hours.
    pub fn strike_pay(&self) -> Result<Vec<StrikePay>> {
        let rule = self.settings()?.strike_pay;
        Ok(attendance::strike_pay(&rule, &self.stays(true)?))
    }

    pub fn set_strike_pay_rule(&mut self, rule: StrikePayRule) -> Result<Settings> {
        let sensible = |hours: f64| hours.is_finite() && hours >= 0.0;
        if !sensible(rule.minimum_hours_per_day)
            || !sensible(rule.minimum_hours_per_week)
            || rule.weekly_pay_cents < 0
        {
            return Err(crate::StoreError::rejected(
                "strike pay figures cannot be negative",
            ));
        }
        if rule.minimum_hours_per_day > 24.0 {
            return Err(crate::StoreError::rejected(format!(
                "a day has 24 hours: no one could picket {} in one",
                rule.minimum_hours_per_day
            )));
        }
        if rule.minimum_hours_per_week > 7.0 * 24.0 {
            return Err(crate::StoreError::rejected(format!(
                "a week has 168 hours: no one could picket {} in one",
                rule.minimum_hours_per_week
            )));
        }
        if !amount_in_range(rule.weekly_pay_cents) {
            return Err(crate::StoreError::rejected(
                "the weekly pay is larger than any amount Holdfast keeps",
            ));
        }
        let mut settings = self.settings()?;
        settings.strike_pay = rule;
        self.write(
            &holdfast_core::DocumentId::campaign(),
            "set the strike pay rule",
            |writer| writer.put(&settings),
        )?;
        Ok(settings)
    }

    /// Sovereignty gains month by month, from the campaign's first record to `until`.
    pub fn sovereignty(&self, until: NaiveDate) -> Result<Vec<MonthGains>> {
        let committees: Vec<Committee> = self.all()?;
        let meetings: Vec<Meeting> = self.all()?;
        let sessions: Vec<SkillSession> = self.all()?;
        let attendance: Vec<Attendance> = self.all()?;
        let practices: Vec<Practice> = self.all()?;
        let practice_events: Vec<PracticeEvent> = self.all()?;
        let ledger: Vec<LedgerEntry> = self.all()?;
        let circles: Vec<Circle> = self.all()?;
        let proposals: Vec<Proposal> = self.all()?;
        let first = committees
            .iter()
            .map(|committee| committee.formed_on.clone())
            .chain(practices.iter().map(|practice| practice.started_on.clone()))
            .chain(sessions.iter().map(|session| session.held_on.clone()))
            .chain(
                ledger
                    .iter()
                    .map(|entry| time::day_of(&entry.at).to_string()),
            )
            .min()
            .map(|day| time::parse_date(&day))
            .transpose()?
            .unwrap_or(until)
            .min(until);
        let input = GainsInput {
            committees: &committees,
            meetings: &meetings,
            sessions: &sessions,
            attendance: &attendance,
            practices: &practices,
            practice_events: &practice_events,
            ledger: &ledger,
            circles: &circles,
            proposals: &proposals,
            active_days: self.settings()?.committee_active_days,
        };
        Ok(sovereignty::monthly(&input, first, until))
    }
}
