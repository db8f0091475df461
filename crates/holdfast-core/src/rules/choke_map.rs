//! Which choke points freeze the operation within a horizon, and how many
//! people are still needed to close each.
//!
//! Stopping a point also stops everything that depends on it, directly or
//! through other points. The operation then freezes when the first stopped,
//! non-routable point reaches its hours-to-freeze. A point management can route
//! around does not freeze anything by itself, but what depends on it may.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{ChokePoint, Commitment};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreezeRow {
    pub choke_point_id: String,
    pub name: String,
    /// Hours until the operation freezes once this point is closed.
    pub hours_to_freeze: f64,
    /// The point whose stoppage freezes the operation first.
    pub frozen_through: String,
    /// Points that stop along with this one.
    pub also_stops: Vec<String>,
    pub people_needed: i64,
    pub people_committed: i64,
    pub people_still_needed: i64,
    pub contingency: String,
}

/// Every point whose closure freezes the operation within `horizon_hours`,
/// soonest first.
pub fn freeze_report(
    points: &[ChokePoint],
    commitments: &[Commitment],
    horizon_hours: f64,
) -> Vec<FreezeRow> {
    let by_id: BTreeMap<&str, &ChokePoint> = points
        .iter()
        .map(|point| (point.id.as_str(), point))
        .collect();
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for point in points {
        for dependency in &point.depends_on {
            dependents
                .entry(dependency.as_str())
                .or_default()
                .push(point.id.as_str());
        }
    }
    let mut committed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for commitment in commitments
        .iter()
        .filter(|commitment| commitment.is_active())
    {
        committed
            .entry(commitment.choke_point_id.as_str())
            .or_default()
            .insert(commitment.member_id.as_str());
    }

    let mut rows = Vec::new();
    for point in points {
        let stopped = stopped_with(point.id.as_str(), &dependents);
        let fastest = stopped
            .iter()
            .filter_map(|id| by_id.get(id))
            .filter(|stopped_point| !stopped_point.routable)
            .min_by(|left, right| left.hours_to_freeze.total_cmp(&right.hours_to_freeze));
        let Some(fastest) = fastest else { continue };
        if fastest.hours_to_freeze > horizon_hours {
            continue;
        }
        let people_committed = committed
            .get(point.id.as_str())
            .map_or(0, |set| set.len() as i64);
        let mut also_stops: Vec<String> = stopped
            .iter()
            .filter(|id| **id != point.id.as_str())
            .filter_map(|id| by_id.get(id).map(|other| other.name.clone()))
            .collect();
        also_stops.sort();
        rows.push(FreezeRow {
            choke_point_id: point.id.clone(),
            name: point.name.clone(),
            hours_to_freeze: fastest.hours_to_freeze,
            frozen_through: fastest.name.clone(),
            also_stops,
            people_needed: point.people_needed,
            people_committed,
            people_still_needed: (point.people_needed - people_committed).max(0),
            contingency: point.contingency.clone(),
        });
    }
    rows.sort_by(|left, right| {
        left.hours_to_freeze
            .total_cmp(&right.hours_to_freeze)
            .then_with(|| left.name.cmp(&right.name))
    });
    rows
}

/// If `point` came to depend on `dependency`, whether that would close a
/// loop: the chain of ids from `point` through `dependency` and what it
/// already depends on, back to `point`. A loop has no first thing to stop,
/// so the map refuses it where it is drawn.
pub fn loop_through(points: &[ChokePoint], point: &str, dependency: &str) -> Option<Vec<String>> {
    let by_id: BTreeMap<&str, &ChokePoint> = points
        .iter()
        .map(|point| (point.id.as_str(), point))
        .collect();
    // Breadth first from the dependency along what each point depends on,
    // remembering how each was reached, until the point itself comes up.
    let mut reached_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([dependency]);
    let mut seen = BTreeSet::from([dependency]);
    while let Some(current) = queue.pop_front() {
        if current == point {
            let mut chain = vec![current.to_string()];
            let mut step = current;
            while let Some(previous) = reached_from.get(step) {
                chain.push(previous.to_string());
                step = previous;
            }
            chain.push(point.to_string());
            chain.reverse();
            return Some(chain);
        }
        for next in by_id
            .get(current)
            .map(|found| found.depends_on.as_slice())
            .unwrap_or_default()
        {
            if seen.insert(next.as_str()) {
                reached_from.insert(next.as_str(), current);
                queue.push_back(next.as_str());
            }
        }
    }
    None
}

/// The point itself and everything that depends on it, transitively. Cycles in
/// a hand-drawn map are tolerated: each point is visited once.
fn stopped_with<'a>(
    start: &'a str,
    dependents: &BTreeMap<&'a str, Vec<&'a str>>,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::from([start]);
    let mut queue = vec![start];
    while let Some(current) = queue.pop() {
        for next in dependents.get(current).into_iter().flatten() {
            if seen.insert(next) {
                queue.push(next);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChokeKind;

    fn point(id: &str, hours: f64, routable: bool, depends_on: &[&str], needed: i64) -> ChokePoint {
        ChokePoint {
            id: id.into(),
            name: id.into(),
            kind: ChokeKind::Process,
            site_id: None,
            hours_to_freeze: hours,
            routable,
            depends_on: depends_on.iter().map(|id| id.to_string()).collect(),
            people_needed: needed,
            contingency: String::new(),
        }
    }

    fn commit(point: &str, member: &str) -> Commitment {
        Commitment {
            id: format!("{point}-{member}"),
            choke_point_id: point.into(),
            member_id: member.into(),
            withdrawn_on: None,
            made_on: "2026-01-01".into(),
        }
    }

    /// (point, hours, frozen through, still needed) for every row.
    fn check(
        points: &[ChokePoint],
        commitments: &[Commitment],
        expected: &[(&str, f64, &str, i64)],
    ) {
        let rows = freeze_report(points, commitments, 48.0);
        let actual: Vec<(&str, f64, &str, i64)> = rows
            .iter()
            .map(|row| {
                (
                    row.choke_point_id.as_str(),
                    row.hours_to_freeze,
                    row.frozen_through.as_str(),
                    row.people_still_needed,
                )
            })
            .collect();
        assert_eq!(actual, expected);
    }

    #[test]
    fn a_slow_point_is_outside_the_horizon() {
        check(&[point("warehouse", 96.0, false, &[], 10)], &[], &[]);
    }

    #[test]
    fn a_routable_point_freezes_nothing_by_itself() {
        check(&[point("mail room", 2.0, true, &[], 3)], &[], &[]);
    }

    #[test]
    fn stopping_a_dependency_stops_its_dependents() {
        // Clearing cannot run without the data centre; the data centre alone
        // would take 72 hours to matter, but clearing freezes things in 6.
        let points = [
            point("data centre", 72.0, false, &[], 20),
            point("clearing", 6.0, false, &["data centre"], 8),
            point("loading dock", 120.0, true, &["clearing"], 4),
        ];
        check(
            &points,
            &[commit("data centre", "ana"), commit("data centre", "ben")],
            &[
                ("clearing", 6.0, "clearing", 8),
                ("data centre", 6.0, "clearing", 18),
            ],
        );
    }

    #[test]
    fn commitments_count_people_once_and_never_below_zero() {
        let points = [point("gate", 1.0, false, &[], 1)];
        check(
            &points,
            &[
                commit("gate", "ana"),
                commit("gate", "ana"),
                commit("gate", "ben"),
            ],
            &[("gate", 1.0, "gate", 0)],
        );
    }

    #[test]
    fn a_dependency_that_closes_a_loop_is_found_with_its_chain() {
        // c needs b, b needs a.
        let points = vec![
            point("a", 1.0, false, &[], 1),
            point("b", 1.0, false, &["a"], 1),
            point("c", 1.0, false, &["b"], 1),
        ];
        // a needing c would close a -> c -> b -> a.
        assert_eq!(
            loop_through(&points, "a", "c"),
            Some(vec!["a".into(), "c".into(), "b".into(), "a".into()])
        );
        // c needing a closes nothing: a needs nothing.
        assert_eq!(loop_through(&points, "c", "a"), None);
        assert_eq!(loop_through(&points, "a", "unknown"), None);
    }

    #[test]
    fn cycles_do_not_loop_forever() {
        let points = [
            point("a", 10.0, false, &["b"], 1),
            point("b", 30.0, false, &["a"], 1),
        ];
        check(&points, &[], &[("a", 10.0, "a", 1), ("b", 10.0, "a", 1)]);
    }
}
