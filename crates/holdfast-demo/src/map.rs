//! The choke-point map: the core ten nodes of the employer's operation, a
//! branch node for every further site, and members' commitments to close them.

use holdfast_core::model::{ChokeKind, Commitment};
use holdfast_core::DocumentId;
use holdfast_store::use_cases::choke_points::NewChokePoint;
use holdfast_store::StoreError;
use rand::Rng;

use crate::names::CORE_SITES;
use crate::text::{CHOKE_POINTS, CONTINGENCY_FOR_BRANCH};
use crate::{MappedPoint, Seeder};

impl Seeder<'_> {
    pub(crate) fn choke_map(&mut self) -> Result<(), StoreError> {
        for point in CHOKE_POINTS {
            let site = (point.site < self.sites.len()).then_some(point.site);
            let kind: ChokeKind = point.kind.parse()?;
            let added = self.campaign.add_choke_point(NewChokePoint {
                name: point.name.to_string(),
                kind,
                site: site.map(|site| self.sites[site].id.clone()),
                hours_to_freeze: point.hours_to_freeze,
                routable: point.routable,
                depends_on: Vec::new(),
                people_needed: point.people_needed,
                contingency: point.contingency.to_string(),
            })?;
            self.summary.choke_points += 1;
            self.choke_points.push(MappedPoint {
                id: added.id,
                name: added.name,
                site,
                people_needed: point.people_needed,
            });
        }
        // Dependencies go in as their own edits, as a steward drawing the map
        // adds the arrows after placing the boxes.
        for point in CHOKE_POINTS {
            for dependency in point.depends_on {
                let from = self.point_id(point.name);
                let to = self.point_id(dependency);
                self.campaign.add_dependency(&from, &to)?;
                self.summary.dependencies += 1;
            }
        }
        let clearing = self.point_id("Overnight clearing run");
        for site in CORE_SITES.len()..self.sites.len() {
            let name = format!("{} counter", self.sites[site].name);
            let added = self.campaign.add_choke_point(NewChokePoint {
                name: name.clone(),
                kind: ChokeKind::Site,
                site: Some(self.sites[site].id.clone()),
                hours_to_freeze: 300.0,
                routable: true,
                depends_on: vec![clearing.clone()],
                people_needed: 4,
                contingency: CONTINGENCY_FOR_BRANCH.to_string(),
            })?;
            self.summary.choke_points += 1;
            self.summary.dependencies += 1;
            self.choke_points.push(MappedPoint {
                id: added.id,
                name,
                site: Some(site),
                people_needed: 4,
            });
        }
        self.commitments()
    }

    fn point_id(&self, name: &str) -> String {
        self.choke_points
            .iter()
            .find(|point| point.name == name)
            .map(|point| point.id.clone())
            .expect("the map's own names")
    }

    /// Members commit to close the points, mostly at their own site. Some
    /// points are fully covered and some are not, so the 48-hour report has
    /// something to ask for.
    fn commitments(&mut self) -> Result<(), StoreError> {
        let mut made = Vec::new();
        for (index, point) in self.choke_points.clone().iter().enumerate() {
            let needed = point.people_needed;
            // Cover between about half and all of what each point needs.
            let share = [1.0, 0.6, 0.85, 0.5, 1.1, 0.75][index % 6];
            let wanted = ((needed as f64 * share).round() as usize).min(self.members.len());
            let mut chosen: Vec<usize> = Vec::new();
            let mut attempts = 0;
            while chosen.len() < wanted && attempts < wanted * 50 {
                attempts += 1;
                let candidate = self.random.random_range(0..self.members.len());
                let same_site = point.site == Some(self.members[candidate].site);
                if (same_site || self.random.random_bool(0.15)) && !chosen.contains(&candidate) {
                    chosen.push(candidate);
                }
            }
            for member in chosen {
                let commitment = self
                    .campaign
                    .commit_to_choke_point(&point.id, &self.members[member].id)?;
                let days_ago = self.random.random_range(10..self.size.history_days);
                let made_on = self.days_ago(days_ago);
                made.push((commitment.id, made_on.to_string()));
                self.summary.commitments += 1;
            }
        }
        // Commitments are stamped with the day they are made; give the
        // demo's the days they would have been made on.
        self.campaign.write(
            &DocumentId::campaign(),
            "date the demo's commitments",
            |writer| {
                for (id, made_on) in &made {
                    if let Some(mut commitment) = writer.get::<Commitment>(id)? {
                        commitment.made_on = made_on.clone();
                        writer.put(&commitment)?;
                    }
                }
                Ok(())
            },
        )
    }
}
