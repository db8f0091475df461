//! The skill commons: five skills with their materials, teachers for each,
//! monthly sessions whose facilitator the fair rotation picks, and attendance.

use holdfast_core::model::Role;
use holdfast_store::StoreError;
use rand::seq::IndexedRandom;
use rand::Rng;

use crate::text::SKILLS;
use crate::Seeder;

impl Seeder<'_> {
    pub(crate) fn skills(&mut self) -> Result<(), StoreError> {
        let mut teachers_pool = self.with_role(Role::Facilitator);
        teachers_pool.extend(self.with_role(Role::Steward));
        let teachers_per_skill = (self.members.len() / 200).clamp(2, 6);
        let mut skill_ids = Vec::new();
        for skill in SKILLS {
            let added = self
                .campaign
                .add_skill(skill.name, skill.summary, skill.materials)?;
            self.summary.skills += 1;
            let teachers: Vec<usize> = teachers_pool
                .choose_multiple(&mut self.random, teachers_per_skill)
                .copied()
                .collect();
            for teacher in teachers {
                self.campaign
                    .add_teacher(&added.id, &self.members[teacher].id)?;
            }
            skill_ids.push(added.id);
        }

        // One session a month for a small local; a larger one runs a session
        // for every ten sites so nobody travels far.
        let per_month = (self.size.sites / 10).max(1) as i64;
        let attendance_range = if self.members.len() > 500 {
            15..40
        } else {
            5..13
        };
        let months = self.size.history_days / 30;
        let mut turn = 0;
        for month in 0..=months {
            for slot in 0..per_month {
                let days_ago = self.size.history_days - 12 - month * 30 - slot * 5;
                // The month's first session is held even if it is still to
                // come, so the calendar shows the next one.
                if days_ago < -25 || (days_ago <= 0 && slot > 0) {
                    continue;
                }
                let held_on = self.days_ago(days_ago);
                let skill = &skill_ids[turn % skill_ids.len()];
                let site = &self.sites[turn % self.sites.len()].id;
                turn += 1;
                let session = self.campaign.schedule_session(
                    skill,
                    &held_on.to_string(),
                    None,
                    Some(site),
                )?;
                self.summary.skill_sessions += 1;
                if held_on >= self.today {
                    continue;
                }
                let count = self.random.random_range(attendance_range.clone());
                let attendees: Vec<String> = (0..self.members.len())
                    .collect::<Vec<_>>()
                    .choose_multiple(&mut self.random, count)
                    .map(|index| self.members[*index].id.clone())
                    .collect();
                self.summary.attendance += self
                    .campaign
                    .record_attendance(&session.id, &attendees)?
                    .len();
            }
        }
        Ok(())
    }
}
