//! The choke-point map and the 48-hour report.

use holdfast_core::model::*;
use holdfast_core::rules::choke_map::{self, FreezeRow};
use holdfast_core::{time, DocumentId};

use super::resolve;
use crate::{Campaign, Result, StoreError};

#[derive(Debug, Clone)]
pub struct NewChokePoint {
    pub name: String,
    pub kind: ChokeKind,
    pub site: Option<String>,
    pub hours_to_freeze: f64,
    pub routable: bool,
    pub depends_on: Vec<String>,
    pub people_needed: i64,
    pub contingency: String,
}

impl Campaign {
    pub fn add_choke_point(&mut self, new: NewChokePoint) -> Result<ChokePoint> {
        if new.name.trim().is_empty() {
            return Err(StoreError::rejected("a choke point needs a name"));
        }
        if !(new.hours_to_freeze.is_finite() && new.hours_to_freeze >= 0.0) {
            return Err(StoreError::rejected("hours to freeze must be zero or more"));
        }
        if new.people_needed < 0 {
            return Err(StoreError::rejected("people needed cannot be negative"));
        }
        let site_id = new
            .site
            .as_deref()
            .map(|site| self.resolve_site(site).map(|site| site.id))
            .transpose()?;
        let depends_on = new
            .depends_on
            .iter()
            .map(|point| self.resolve_choke_point(point).map(|point| point.id))
            .collect::<Result<Vec<_>>>()?;
        let point = ChokePoint {
            id: new_id(),
            name: new.name.trim().to_string(),
            kind: new.kind,
            site_id,
            hours_to_freeze: new.hours_to_freeze,
            routable: new.routable,
            depends_on,
            people_needed: new.people_needed,
            contingency: new.contingency,
        };
        self.write(&DocumentId::campaign(), "map a choke point", |writer| {
            writer.put(&point)
        })?;
        Ok(point)
    }

    pub fn resolve_choke_point(&self, wanted: &str) -> Result<ChokePoint> {
        let points: Vec<ChokePoint> = self.all()?;
        resolve(
            &points,
            "choke point",
            wanted,
            |item| &item.id,
            |item| &item.name,
        )
        .cloned()
    }

    /// Records that `point` cannot run without `depends_on`.
    pub fn add_dependency(&mut self, point: &str, depends_on: &str) -> Result<ChokePoint> {
        let mut point = self.resolve_choke_point(point)?;
        let dependency = self.resolve_choke_point(depends_on)?;
        if dependency.id == point.id {
            return Err(StoreError::rejected(
                "a choke point cannot depend on itself",
            ));
        }
        let points: Vec<ChokePoint> = self.all()?;
        if let Some(chain) =
            holdfast_core::rules::choke_map::loop_through(&points, &point.id, &dependency.id)
        {
            let names: Vec<&str> = chain
                .iter()
                .map(|id| {
                    points
                        .iter()
                        .find(|known| &known.id == id)
                        .map_or(id.as_str(), |known| known.name.as_str())
                })
                .collect();
            return Err(StoreError::rejected(format!(
                "{} cannot depend on {}: that would close a loop ({}), and a loop has no first thing to stop",
                point.name,
                dependency.name,
                names.join(" → ")
            )));
        }
        if !point.depends_on.contains(&dependency.id) {
            point.depends_on.push(dependency.id);
        }
        self.write(&DocumentId::campaign(), "link choke points", |writer| {
            writer.put(&point)
        })?;
        Ok(point)
    }

    pub fn commit_to_choke_point(&mut self, point: &str, member: &str) -> Result<Commitment> {
        let point = self.resolve_choke_point(point)?;
        let member = self.resolve_member(member)?;
        let existing: Vec<Commitment> = self.all()?;
        let today = time::day_of(&time::now()).to_string();
        let commitment = match existing.into_iter().find(|commitment| {
            commitment.choke_point_id == point.id && commitment.member_id == member.id
        }) {
            Some(found) if found.is_active() => return Ok(found),
            // Made again after it was taken back: the same record, standing.
            Some(found) => Commitment {
                withdrawn_on: None,
                made_on: today,
                ..found
            },
            None => Commitment {
                id: new_id(),
                choke_point_id: point.id,
                member_id: member.id,
                made_on: today,
                withdrawn_on: None,
            },
        };
        self.write(
            &DocumentId::campaign(),
            "commit to a choke point",
            |writer| writer.put(&commitment),
        )?;
        Ok(commitment)
    }

    /// Replaces a point's contingency plan: what to do if management moves
    /// the work or the plan fails. An empty text removes it.
    pub fn set_contingency(&mut self, point: &str, plan: &str) -> Result<ChokePoint> {
        let mut point = self.resolve_choke_point(point)?;
        point.contingency = plan.trim().to_string();
        self.write(
            &DocumentId::campaign(),
            "change a contingency plan",
            |writer| writer.put(&point),
        )?;
        Ok(point)
    }

    /// Takes back a member's commitment to close a point: marked withdrawn,
    /// which the member's own device may write (see
    /// [`Commitment::withdrawn_on`]). Refused, by name, if they had none
    /// standing.
    pub fn withdraw_commitment(&mut self, point: &str, member: &str) -> Result<Commitment> {
        let point = self.resolve_choke_point(point)?;
        let member = self.resolve_member(member)?;
        let commitments: Vec<Commitment> = self.all()?;
        let Some(found) = commitments.into_iter().find(|commitment| {
            commitment.choke_point_id == point.id
                && commitment.member_id == member.id
                && commitment.is_active()
        }) else {
            return Err(StoreError::rejected(format!(
                "{} has no commitment to close {}",
                member.name, point.name
            )));
        };
        let withdrawn = Commitment {
            withdrawn_on: Some(time::day_of(&time::now()).to_string()),
            ..found
        };
        self.write(&DocumentId::campaign(), "withdraw a commitment", |writer| {
            writer.put(&withdrawn)
        })?;
        Ok(withdrawn)
    }

    /// Which points freeze the operation within `horizon_hours`, and how many
    /// people each still needs.
    pub fn freeze_report(&self, horizon_hours: f64) -> Result<Vec<FreezeRow>> {
        let points: Vec<ChokePoint> = self.all()?;
        let commitments: Vec<Commitment> = self.all()?;
        Ok(choke_map::freeze_report(
            &points,
            &commitments,
            horizon_hours,
        ))
    }
}
