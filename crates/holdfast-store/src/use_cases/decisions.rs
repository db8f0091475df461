//! Decision forums: a member puts a proposal, members vote on it from
//! wherever they are (offline too), and a facilitator closes the vote,
//! which records the count as their device holds it.
//!
//! The rules every device checks on what arrives (a vote only for a
//! proposal its device saw open, for one of its options, by its own
//! member; a closing whose count is the votes it saw) are the authority
//! policy's (`authority::check_decision`); this file makes honest edits
//! and reads them back with their tallies.

use holdfast_core::model::*;
use holdfast_core::rules::decisions::{self, Tally};
use holdfast_core::{time, DocumentId};
use serde::Serialize;

use super::resolve;
use crate::{Campaign, Result, StoreError};

/// The most options a proposal may offer.
const MAX_OPTIONS: usize = 12;
/// The longest title, option or proposal text, in characters.
const MAX_TITLE_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 10_000;

#[derive(Debug, Clone, Default)]
pub struct NewProposal {
    pub title: String,
    pub text: String,
    /// What members may vote for; "yes, no, abstain" when left empty.
    pub options: Vec<String>,
    /// Who puts it (this device's member if left out).
    pub proposer: Option<String>,
    /// The meeting it is taken to, by id.
    pub meeting: Option<String>,
    /// When voting ends by itself (RFC 3339).
    pub closes_at: Option<String>,
}

/// A proposal as a screen shows it: the count so far, or the count
/// recorded when it closed.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalRow {
    pub proposal: Proposal,
    pub proposer_name: Option<String>,
    /// Whether it still takes votes now.
    pub open: bool,
    /// Votes per option: the recorded count once closed, the live count
    /// before.
    pub counts: Vec<i64>,
    /// The option that carries (or carried), if one has more votes than
    /// every other.
    pub outcome: Option<String>,
    /// How many members' votes the live tally holds, closing or not.
    pub voters: usize,
    /// For a closed proposal: how many more members have a vote on this
    /// device than the count included (cast offline before the close, they
    /// arrived after it).
    pub arrived_after_close: usize,
    /// The choice that counts for the member acting here, if they voted.
    pub my_choice: Option<String>,
    /// Members whose votes from different devices disagree.
    pub disagreements: usize,
    /// Who voted for what, by name: votes are open, and a member checks
    /// that theirs was counted as they cast it.
    pub ballots: Vec<Ballot>,
}

/// One member's vote as it counts, by name.
#[derive(Debug, Clone, Serialize)]
pub struct Ballot {
    /// None for a member erased since they voted.
    pub name: Option<String>,
    pub choice: String,
}

impl Campaign {
    pub fn propose(&mut self, new: NewProposal) -> Result<Proposal> {
        let title = new.title.trim();
        if title.is_empty() {
            return Err(StoreError::rejected("a proposal needs a title"));
        }
        if title.chars().count() > MAX_TITLE_CHARS || new.text.chars().count() > MAX_TEXT_CHARS {
            return Err(StoreError::rejected(format!(
                "a title is at most {MAX_TITLE_CHARS} characters and the text at most {MAX_TEXT_CHARS}"
            )));
        }
        let mut options: Vec<String> = new
            .options
            .iter()
            .map(|option| option.trim().to_string())
            .filter(|option| !option.is_empty())
            .collect();
        if options.is_empty() {
            options = vec!["yes".into(), "no".into(), "abstain".into()];
        }
        let mut seen = std::collections::BTreeSet::new();
        if options
            .iter()
            .any(|option| !seen.insert(option.to_lowercase()))
        {
            return Err(StoreError::rejected("each option must be different"));
        }
        if options.len() < 2 || options.len() > MAX_OPTIONS {
            return Err(StoreError::rejected(format!(
                "a proposal offers between 2 and {MAX_OPTIONS} options"
            )));
        }
        if options
            .iter()
            .any(|option| option.chars().count() > MAX_TITLE_CHARS)
        {
            return Err(StoreError::rejected(format!(
                "an option is at most {MAX_TITLE_CHARS} characters"
            )));
        }
        let proposer = self.member_acting_or_named(new.proposer.as_deref(), "who is putting it")?;
        let meeting_id = match &new.meeting {
            Some(meeting) => Some(
                self.find::<Meeting>(meeting)?
                    .ok_or_else(|| StoreError::not_found("meeting", meeting))?
                    .id,
            ),
            None => None,
        };
        let now = time::now();
        let closes_at = match &new.closes_at {
            Some(at) => {
                let at = time::format_instant(time::parse_instant(at)?);
                if at <= now {
                    return Err(StoreError::rejected(format!(
                        "the vote would close at {at}, which has already passed"
                    )));
                }
                Some(at)
            }
            None => None,
        };
        let proposal = Proposal {
            id: new_id(),
            title: title.to_string(),
            text: new.text.trim().to_string(),
            options,
            member_id: proposer.id,
            meeting_id,
            opened_at: now,
            closes_at,
            closing: None,
        };
        self.write(&DocumentId::decisions(), "put a proposal", |writer| {
            writer.put(&proposal)
        })?;
        Ok(proposal)
    }

    pub fn resolve_proposal(&self, wanted: &str) -> Result<Proposal> {
        let proposals: Vec<Proposal> = self.all()?;
        resolve(
            &proposals,
            "proposal",
            wanted,
            |item| &item.id,
            |item| &item.title,
        )
        .cloned()
    }

    /// Casts (or changes) a member's vote. Every vote record the member
    /// holds on the proposal takes the new choice, so votes cast on two
    /// devices come back into line.
    pub fn vote(&mut self, proposal: &str, choice: &str, member: Option<&str>) -> Result<Vote> {
        let proposal = self.resolve_proposal(proposal)?;
        let member = self.member_acting_or_named(member, "who is voting")?;
        let now = time::now();
        if !decisions::is_open(&proposal, &now) {
            return Err(StoreError::rejected(format!(
                "the vote on \"{}\" has closed",
                proposal.title
            )));
        }
        let choice = proposal
            .options
            .iter()
            .find(|option| option.eq_ignore_ascii_case(choice.trim()))
            .cloned()
            .ok_or_else(|| {
                StoreError::rejected(format!(
                    "`{choice}` is not one of the options: {}",
                    proposal.options.join(", ")
                ))
            })?;
        let mut mine: Vec<Vote> = self
            .all::<Vote>()?
            .into_iter()
            .filter(|vote| vote.proposal_id == proposal.id && vote.member_id == member.id)
            .collect();
        if mine.is_empty() {
            mine.push(Vote {
                id: new_id(),
                proposal_id: proposal.id.clone(),
                member_id: member.id.clone(),
                choice: String::new(),
                cast_at: String::new(),
            });
        }
        for vote in &mut mine {
            vote.choice = choice.clone();
            vote.cast_at = now.clone();
        }
        self.write(&DocumentId::decisions(), "vote", |writer| {
            for vote in &mine {
                writer.put(vote)?;
            }
            Ok(())
        })?;
        Ok(mine.remove(0))
    }

    /// Closes the vote: the count as this device holds the votes now is
    /// written into the proposal, and is the result on every device.
    pub fn close_proposal(&mut self, proposal: &str, by: Option<&str>) -> Result<Proposal> {
        let mut proposal = self.resolve_proposal(proposal)?;
        if proposal.closing.is_some() {
            return Err(StoreError::rejected(format!(
                "\"{}\" is already closed",
                proposal.title
            )));
        }
        let by = self.member_acting_or_named(by, "who is closing it")?;
        self.write(&DocumentId::decisions(), "close a vote", |writer| {
            // Counted from the document itself, as it stands under the
            // write lock: the votes every other device will find in this
            // change's past. The lists can trail the document (a hub
            // admitting a phone's vote this instant), and a count taken
            // from them would be refused by every device, this one first.
            let votes: Vec<Vote> = writer.all()?;
            let tally = decisions::tally(&proposal, &votes);
            proposal.closing = Some(Closing {
                at: time::now(),
                by: by.id,
                outcome: tally.outcome,
                counts: tally.counts,
            });
            writer.put(&proposal)
        })?;
        Ok(proposal)
    }

    /// Every proposal, open ones first, newest first within each.
    pub fn proposals(&self) -> Result<Vec<ProposalRow>> {
        let votes: Vec<Vote> = self.all()?;
        let me = self.acting_member_id()?;
        let now = time::now();
        let mut rows = Vec::new();
        for proposal in self.all::<Proposal>()? {
            let live: Tally = decisions::tally(&proposal, &votes);
            let (counts, outcome, arrived_after_close) = match &proposal.closing {
                Some(closing) => {
                    let counted: i64 = closing.counts.iter().sum();
                    let arrived = (live.voters.len() as i64 - counted).max(0) as usize;
                    (closing.counts.clone(), closing.outcome.clone(), arrived)
                }
                None => (live.counts.clone(), live.outcome.clone(), 0),
            };
            let mut ballots = Vec::with_capacity(live.voters.len());
            for (member, choice) in &live.voters {
                ballots.push(Ballot {
                    name: self.find::<Member>(member)?.map(|member| member.name),
                    choice: choice.clone(),
                });
            }
            ballots.sort_by(|left, right| left.name.cmp(&right.name));
            rows.push(ProposalRow {
                ballots,
                proposer_name: self.find::<Member>(&proposal.member_id)?.map(|m| m.name),
                open: decisions::is_open(&proposal, &now),
                counts,
                outcome,
                voters: live.voters.len(),
                arrived_after_close,
                my_choice: me.as_ref().and_then(|me| live.voters.get(me).cloned()),
                disagreements: live.disagreements.len(),
                proposal,
            });
        }
        rows.sort_by(|left, right| {
            right
                .open
                .cmp(&left.open)
                .then_with(|| right.proposal.opened_at.cmp(&left.proposal.opened_at))
        });
        Ok(rows)
    }
}
