//! Decision forums: one proposal the members decided last month, and one
//! still open, with votes from a share of the members.

use holdfast_core::model::Role;
use holdfast_store::use_cases::decisions::NewProposal;
use holdfast_store::StoreError;
use rand::Rng;

use crate::Seeder;

impl Seeder<'_> {
    pub(crate) fn decisions(&mut self) -> Result<(), StoreError> {
        let facilitators = self.with_role(Role::Facilitator);
        let stewards = self.with_role(Role::Steward);
        let Some(&proposer) = stewards.first().or(facilitators.first()) else {
            return Ok(());
        };
        let closer = facilitators.first().copied().unwrap_or(proposer);
        let voters = self.members.len().min(60);

        let decided = self.campaign.propose(NewProposal {
            title: "Publish our own staffing survey before bargaining resumes".into(),
            text: "The bargaining committee prints the results of the members' staffing survey and hands them out at every gate the week before the next session.".into(),
            options: vec![],
            proposer: Some(self.members[proposer].id.clone()),
            meeting: None,
            closes_at: None,
        })?;
        for index in 0..voters {
            let choice = match self.random.random_range(0..10) {
                0..=6 => "yes",
                7..=8 => "no",
                _ => "abstain",
            };
            let member = self.members[index].id.clone();
            self.campaign.vote(&decided.id, choice, Some(&member))?;
        }
        let closer = self.members[closer].id.clone();
        self.campaign.close_proposal(&decided.id, Some(&closer))?;

        let open = self.campaign.propose(NewProposal {
            title: "Which gate do we picket first on the day of action?".into(),
            text: "Each gate needs at least twelve people for the first two hours. Vote for where you can be at six in the morning.".into(),
            options: vec!["North gate".into(), "Loading dock".into(), "Both, split".into()],
            proposer: Some(self.members[proposer].id.clone()),
            meeting: None,
            closes_at: None,
        })?;
        for index in 0..voters / 2 {
            let choice =
                ["North gate", "Loading dock", "Both, split"][self.random.random_range(0..3)];
            let member = self.members[index].id.clone();
            self.campaign.vote(&open.id, choice, Some(&member))?;
        }
        self.summary.proposals = 2;
        Ok(())
    }
}
