//! Sites, departments, members with their roles, committees with meetings on
//! a rota, and the practices workers run for themselves.

use holdfast_core::model::{PracticeKind, Role};
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::StoreError;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;

use crate::names::{self, CORE_SITES};
use crate::text::{COMMITTEES, MEETING_NOTES, PRACTICES};
use crate::{Person, Seeder, SitePlace};

impl Seeder<'_> {
    pub(crate) fn structure(&mut self) -> Result<(), StoreError> {
        let mut departments: Vec<Vec<String>> = Vec::new();
        for index in 0..self.size.sites {
            let (name, address, department_names): (String, String, &[&str]) =
                match CORE_SITES.get(index) {
                    Some((name, address, department_names)) => {
                        (name.to_string(), address.to_string(), department_names)
                    }
                    None => names::extra_site(index - CORE_SITES.len()),
                };
            let site = self.campaign.add_site(&name, Some(address))?;
            self.summary.sites += 1;
            let mut ids = Vec::new();
            for department in department_names {
                ids.push(self.campaign.add_department(&site.id, department)?.id);
                self.summary.departments += 1;
            }
            departments.push(ids);
            self.sites.push(SitePlace {
                id: site.id,
                name: site.name,
            });
        }

        let count = self.size.members;
        let full_names = names::full_names(&mut self.random, count);
        // Role holders come first in a shuffled order, so every site gets a
        // steward and the roles are spread over the sites.
        let stewards = (count / 12).max(self.size.sites).min(count / 2);
        let captains = (count / 10).max(2);
        let coordinators = (count / 100).max(2);
        let facilitators = (count / 15).max(3);
        let mut order: Vec<usize> = (0..count).collect();
        order.shuffle(&mut self.random);
        let mut roles: Vec<Vec<Role>> = vec![vec![Role::Member]; count];
        let mut site_of: Vec<usize> = (0..count)
            .map(|_| self.random.random_range(0..self.size.sites))
            .collect();
        let mut position = 0;
        for (role, how_many) in [
            (Role::Steward, stewards),
            (Role::PicketCaptain, captains),
            (Role::AidCoordinator, coordinators),
            (Role::Facilitator, facilitators),
        ] {
            for slot in 0..how_many {
                // Facilitators overlap the coordinators a little: people who
                // hold a circle often also hold the fund.
                let at = if role == Role::Facilitator {
                    position + slot - 1
                } else {
                    position + slot
                };
                let member = order[at % count];
                roles[member].push(role);
                site_of[member] = slot % self.size.sites;
            }
            position += how_many;
        }
        // The first steward also facilitates, as small locals usually need.
        roles[order[0]].push(Role::Facilitator);

        for index in 0..count {
            let name = &full_names[index];
            let site = site_of[index];
            let department = departments[site].choose(&mut self.random).cloned();
            let email = (self.random.random_bool(0.8)).then(|| email_for(name));
            let phone = (self.random.random_bool(0.7))
                .then(|| format!("555-01{:02}", self.random.random_range(0..100)));
            let days_ago = self.size.history_days + self.random.random_range(0..3_000_i64);
            let joined_on = self.days_ago(days_ago);
            let member = self.campaign.add_member(NewMember {
                name: name.clone(),
                phone,
                email,
                site: Some(self.sites[site].id.clone()),
                department,
                roles: roles[index].clone(),
                joined_on: Some(joined_on.to_string()),
            })?;
            self.summary.members += 1;
            for role in &roles[index] {
                match role {
                    Role::Steward => self.summary.stewards += 1,
                    Role::PicketCaptain => self.summary.captains += 1,
                    Role::AidCoordinator => self.summary.aid_coordinators += 1,
                    Role::Facilitator => self.summary.facilitators += 1,
                    Role::Member => {}
                }
            }
            self.members.push(Person {
                id: member.id,
                site,
                roles: roles[index].clone(),
            });
            if self.size.bulk_load && index % 500 == 499 {
                self.campaign.release_memory();
            }
        }
        // The device that holds the demo belongs to its first steward, so
        // "check me in" works straight away.
        let steward = self.members[order[0]].id.clone();
        self.campaign.set_device_member(&steward)?;
        Ok(())
    }

    pub(crate) fn committees(&mut self) -> Result<(), StoreError> {
        let stewards = self.with_role(Role::Steward);
        let per_committee = (self.members.len() / 8).clamp(5, 18);
        for (index, (name, purpose)) in COMMITTEES
            .iter()
            .cycle()
            .take(self.size.committees)
            .enumerate()
        {
            // Every committee has a steward and people from several sites.
            let mut chosen = vec![stewards[index % stewards.len()]];
            while chosen.len() < per_committee {
                let candidate = self.random.random_range(0..self.members.len());
                if !chosen.contains(&candidate) {
                    chosen.push(candidate);
                }
            }
            let member_ids: Vec<String> = chosen
                .iter()
                .map(|index| self.members[*index].id.clone())
                .collect();
            let formed = self.days_ago(self.size.history_days - 2 * index as i64);
            let name = if index < COMMITTEES.len() {
                name.to_string()
            } else {
                format!("{name} {}", index / COMMITTEES.len() + 1)
            };
            let committee = self.campaign.add_committee(
                &name,
                purpose,
                &member_ids,
                Some(&formed.to_string()),
            )?;
            self.summary.committees += 1;
            // A meeting every fortnight; the rota picks who facilitates.
            let mut day = formed + chrono::Duration::days(3 + index as i64);
            while day < self.today {
                let attendees: Vec<String> = member_ids
                    .iter()
                    .filter(|_| self.random.random_bool(0.75))
                    .cloned()
                    .collect();
                let notes = MEETING_NOTES
                    .choose(&mut self.random)
                    .expect("there are notes");
                self.campaign.record_meeting(
                    &committee.id,
                    &day.to_string(),
                    None,
                    &attendees,
                    notes,
                )?;
                self.summary.meetings += 1;
                day += chrono::Duration::days(14);
            }
        }
        Ok(())
    }

    pub(crate) fn practices(&mut self) -> Result<(), StoreError> {
        let count = if self.size.sites > 4 {
            PRACTICES.len()
        } else {
            3
        };
        for (index, (name, kind)) in PRACTICES.iter().take(count).enumerate() {
            let kind: PracticeKind = kind.parse()?;
            let started = self.days_ago(self.size.history_days - 20 - 9 * index as i64);
            let site = match kind {
                PracticeKind::SafetyInspection => {
                    Some(self.sites[(2 + index) % self.sites.len()].id.clone())
                }
                _ => None,
            };
            let practice =
                self.campaign
                    .start_practice(name, kind, &started.to_string(), site.as_deref())?;
            self.summary.practices += 1;
            let every = match kind {
                PracticeKind::GrievancePanel => 21,
                _ => 28,
            };
            let mut day = started;
            while day < self.today {
                let participants = match kind {
                    PracticeKind::DecisionForum => self.random.random_range(12..40),
                    PracticeKind::GrievancePanel => self.random.random_range(3..6),
                    _ => self.random.random_range(3..9),
                };
                self.campaign.record_practice_event(
                    &practice.id,
                    &day.to_string(),
                    participants,
                )?;
                self.summary.practice_events += 1;
                day += chrono::Duration::days(every);
            }
        }
        Ok(())
    }
}

/// A plausible address on the reserved example domain.
fn email_for(name: &str) -> String {
    let local: String = name
        .to_lowercase()
        .chars()
        .filter_map(|character| match character {
            ' ' => Some('.'),
            character if character.is_ascii_alphanumeric() => Some(character),
            _ => None,
        })
        .collect();
    format!("{local}@example.org")
}
