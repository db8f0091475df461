//! Counting the votes on a proposal.
//!
//! A member has one vote per proposal. They normally hold one vote record
//! and change it when they change their mind; a member who voted on two
//! devices that had not yet synced holds two. Then the vote cast last
//! counts (by `cast_at`, then by the larger record id, so that every device
//! picks the same one), and if the two disagree the disagreement is shown
//! until the member votes again, which brings all their records into line.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{Proposal, Vote};
use crate::rules::attention::{AttentionItem, AttentionKind};

/// How the votes on one proposal stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Votes per option, in the order of the proposal's options.
    pub counts: Vec<i64>,
    /// The option with more votes than every other, if one has.
    pub outcome: Option<String>,
    /// Who voted, with the choice that counts for them.
    pub voters: BTreeMap<String, String>,
    /// Members whose vote records disagree, with every choice they hold.
    pub disagreements: BTreeMap<String, Vec<String>>,
}

/// Counts `votes` (of any proposals; only `proposal`'s are read). A vote for
/// something that is not one of the options does not count.
pub fn tally(proposal: &Proposal, votes: &[Vote]) -> Tally {
    count(&proposal.id, &proposal.options, votes)
}

/// [`tally`] for a proposal known by its id and options alone, as the
/// authority check reads them from a document.
pub fn count(proposal_id: &str, options: &[String], votes: &[Vote]) -> Tally {
    let mut latest: BTreeMap<&str, &Vote> = BTreeMap::new();
    let mut choices: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for vote in votes
        .iter()
        .filter(|vote| vote.proposal_id == proposal_id && options.contains(&vote.choice))
    {
        let held = choices.entry(vote.member_id.as_str()).or_default();
        if !held.contains(&vote.choice) {
            held.push(vote.choice.clone());
        }
        let later = |current: &&Vote| {
            (vote.cast_at.as_str(), vote.id.as_str())
                > (current.cast_at.as_str(), current.id.as_str())
        };
        match latest.get(vote.member_id.as_str()) {
            Some(current) if !later(current) => {}
            _ => {
                latest.insert(vote.member_id.as_str(), vote);
            }
        }
    }
    let counts: Vec<i64> = options
        .iter()
        .map(|option| {
            latest
                .values()
                .filter(|vote| &vote.choice == option)
                .count() as i64
        })
        .collect();
    Tally {
        outcome: outcome(options, &counts),
        counts,
        voters: latest
            .iter()
            .map(|(member, vote)| (member.to_string(), vote.choice.clone()))
            .collect(),
        disagreements: choices
            .into_iter()
            .filter(|(_, held)| held.len() > 1)
            .map(|(member, mut held)| {
                held.sort();
                (member.to_string(), held)
            })
            .collect(),
    }
}

/// A member who voted differently on two devices, on a proposal still
/// open, for a facilitator to look at: the vote cast last counts until the
/// member votes again. Keys are stable, so a resolution can name one.
pub fn disagreements(
    proposals: &[Proposal],
    votes: &[Vote],
    name_of: &dyn Fn(&str) -> Option<String>,
    resolved: &BTreeSet<String>,
) -> Vec<AttentionItem> {
    proposals
        .iter()
        .filter(|proposal| proposal.closing.is_none())
        .flat_map(|proposal| {
            let tally = tally(proposal, votes);
            tally
                .disagreements
                .into_iter()
                .map(move |(member, held)| AttentionItem {
                    key: format!("votes-disagree:{}:{member}", proposal.id),
                    kind: AttentionKind::VotesDisagree,
                    document: "decisions".into(),
                    summary: format!(
                        "{} voted {} on \"{}\" from different devices; {} counts until they vote again",
                        name_of(&member).unwrap_or_else(|| "an erased member".into()),
                        held.join(" and "),
                        proposal.title,
                        tally.voters.get(&member).cloned().unwrap_or_default()
                    ),
                })
        })
        .filter(|item| !resolved.contains(&item.key))
        .collect()
}

/// The option whose count is larger than every other's; none on a tie at
/// the top or when nobody voted.
pub fn outcome(options: &[String], counts: &[i64]) -> Option<String> {
    let top = counts.iter().copied().max().filter(|top| *top > 0)?;
    let mut leaders = options
        .iter()
        .zip(counts)
        .filter(|(_, count)| **count == top);
    let (leader, _) = leaders.next()?;
    match leaders.next() {
        Some(_) => None,
        None => Some(leader.clone()),
    }
}

/// Whether a proposal still takes votes at `now` (RFC 3339, UTC): it has
/// not been closed, and its closing time, if it has one, has not passed.
pub fn is_open(proposal: &Proposal, now: &str) -> bool {
    proposal.closing.is_none()
        && proposal
            .closes_at
            .as_deref()
            .is_none_or(|closes_at| now < closes_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Closing;

    fn proposal() -> Proposal {
        Proposal {
            id: "p".into(),
            title: "Strike vote".into(),
            text: "Walk out on Monday".into(),
            options: vec!["yes".into(), "no".into(), "abstain".into()],
            member_id: "m0".into(),
            meeting_id: None,
            opened_at: "2026-12-01T10:00:00Z".into(),
            closes_at: None,
            closing: None,
        }
    }

    fn vote(id: &str, member: &str, choice: &str, at: &str) -> Vote {
        Vote {
            id: id.into(),
            proposal_id: "p".into(),
            member_id: member.into(),
            choice: choice.into(),
            cast_at: at.into(),
        }
    }

    #[test]
    fn one_vote_per_member_and_the_one_cast_last_counts() {
        let votes = [
            vote("a", "ana", "yes", "2026-12-01T10:01:00Z"),
            vote("b", "ben", "no", "2026-12-01T10:02:00Z"),
            // Ana again, on a second device, later: this one counts.
            vote("c", "ana", "no", "2026-12-01T10:05:00Z"),
        ];
        let tally = tally(&proposal(), &votes);
        assert_eq!(tally.counts, vec![0, 2, 0]);
        assert_eq!(tally.outcome.as_deref(), Some("no"));
        assert_eq!(tally.voters.len(), 2);
        assert_eq!(
            tally.disagreements.get("ana"),
            Some(&vec!["no".to_string(), "yes".to_string()])
        );
        assert!(!tally.disagreements.contains_key("ben"));
    }

    #[test]
    fn the_same_choice_twice_is_one_vote_and_no_disagreement() {
        let votes = [
            vote("a", "ana", "yes", "2026-12-01T10:01:00Z"),
            vote("b", "ana", "yes", "2026-12-01T10:03:00Z"),
        ];
        let tally = tally(&proposal(), &votes);
        assert_eq!(tally.counts, vec![1, 0, 0]);
        assert!(tally.disagreements.is_empty());
    }

    #[test]
    fn equal_times_pick_the_same_vote_whatever_the_order() {
        let first = vote("a", "ana", "yes", "2026-12-01T10:01:00Z");
        let second = vote("b", "ana", "no", "2026-12-01T10:01:00Z");
        let one = tally(&proposal(), &[first.clone(), second.clone()]);
        let other = tally(&proposal(), &[second, first]);
        assert_eq!(one, other);
        assert_eq!(one.voters.get("ana").map(String::as_str), Some("no"));
    }

    #[test]
    fn a_tie_at_the_top_or_no_votes_carries_nothing() {
        let votes = [
            vote("a", "ana", "yes", "2026-12-01T10:01:00Z"),
            vote("b", "ben", "no", "2026-12-01T10:02:00Z"),
        ];
        assert_eq!(tally(&proposal(), &votes).outcome, None);
        assert_eq!(tally(&proposal(), &[]).outcome, None);
        assert_eq!(tally(&proposal(), &[]).counts, vec![0, 0, 0]);
    }

    #[test]
    fn votes_for_another_proposal_or_no_option_are_not_counted() {
        let mut elsewhere = vote("a", "ana", "yes", "2026-12-01T10:01:00Z");
        elsewhere.proposal_id = "other".into();
        let nonsense = vote("b", "ben", "maybe", "2026-12-01T10:02:00Z");
        let tally = tally(&proposal(), &[elsewhere, nonsense]);
        assert_eq!(tally.counts, vec![0, 0, 0]);
        assert!(tally.voters.is_empty());
    }

    #[test]
    fn a_proposal_is_open_until_closed_or_past_its_time() {
        let mut open = proposal();
        assert!(is_open(&open, "2026-12-02T00:00:00Z"));
        open.closes_at = Some("2026-12-01T12:00:00Z".into());
        assert!(is_open(&open, "2026-12-01T11:59:59Z"));
        assert!(!is_open(&open, "2026-12-01T12:00:00Z"));
        let mut closed = proposal();
        closed.closing = Some(Closing {
            at: "2026-12-01T11:00:00Z".into(),
            by: "m0".into(),
            outcome: None,
            counts: vec![0, 0, 0],
        });
        assert!(!is_open(&closed, "2026-12-01T11:30:00Z"));
    }
}
