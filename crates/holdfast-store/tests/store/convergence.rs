//! Replicas converge: three devices make random edits apart, sync in random
//! orders, and end with identical documents and projections, with no check-in
//! or ledger entry lost.

use std::collections::BTreeSet;

use holdfast_core::model::*;
use holdfast_core::DocumentId;
use holdfast_store::use_cases::aid::NewLedgerEntry;
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::Campaign;
use proptest::prelude::*;

use crate::support::*;

#[derive(Debug, Clone)]
enum Step {
    AddMember {
        replica: usize,
    },
    PlanAction {
        replica: usize,
    },
    CheckIn {
        replica: usize,
        member: usize,
        action: usize,
    },
    CheckOut {
        replica: usize,
        member: usize,
        action: usize,
    },
    Contribute {
        replica: usize,
        amount: i64,
    },
    PayOut {
        replica: usize,
        amount: i64,
    },
    Sync {
        left: usize,
        right: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let replica = 0..3_usize;
    prop_oneof![
        replica
            .clone()
            .prop_map(|replica| Step::AddMember { replica }),
        replica
            .clone()
            .prop_map(|replica| Step::PlanAction { replica }),
        (replica.clone(), 0..8_usize, 0..4_usize).prop_map(|(replica, member, action)| {
            Step::CheckIn {
                replica,
                member,
                action,
            }
        }),
        (replica.clone(), 0..8_usize, 0..4_usize).prop_map(|(replica, member, action)| {
            Step::CheckOut {
                replica,
                member,
                action,
            }
        }),
        (replica.clone(), 1..50_000_i64)
            .prop_map(|(replica, amount)| Step::Contribute { replica, amount }),
        (replica.clone(), 1..50_000_i64)
            .prop_map(|(replica, amount)| Step::PayOut { replica, amount }),
        (replica.clone(), replica).prop_map(|(left, right)| Step::Sync { left, right }),
    ]
}

struct World {
    _directories: Vec<tempfile::TempDir>,
    replicas: Vec<Campaign>,
    coordinator: String,
    check_ins: BTreeSet<String>,
    ledger: BTreeSet<String>,
    counter: usize,
}

impl World {
    fn new() -> Self {
        let (first_dir, mut first) = new_campaign();
        let coordinator = member(&mut first, "Coordinator", &[Role::AidCoordinator]).id;
        let (second_dir, second) = join(&mut first);
        let (third_dir, third) = join(&mut first);
        World {
            _directories: vec![first_dir, second_dir, third_dir],
            replicas: vec![first, second, third],
            coordinator,
            check_ins: BTreeSet::new(),
            ledger: BTreeSet::new(),
            counter: 0,
        }
    }

    fn pair(&mut self, left: usize, right: usize) -> (&mut Campaign, &mut Campaign) {
        assert_ne!(left, right);
        if left < right {
            let (head, tail) = self.replicas.split_at_mut(right);
            (&mut head[left], &mut tail[0])
        } else {
            let (head, tail) = self.replicas.split_at_mut(left);
            (&mut tail[0], &mut head[right])
        }
    }

    fn apply(&mut self, step: &Step) {
        self.counter += 1;
        let counter = self.counter;
        match *step {
            Step::AddMember { replica } => {
                member(
                    &mut self.replicas[replica],
                    &format!("Member {counter}"),
                    &[Role::Member],
                );
            }
            Step::PlanAction { replica } => {
                picket(&mut self.replicas[replica], &format!("Picket {counter}"));
            }
            Step::CheckIn {
                replica,
                member,
                action,
            }
            | Step::CheckOut {
                replica,
                member,
                action,
            } => {
                let campaign = &mut self.replicas[replica];
                let members = campaign.members().unwrap();
                let actions = campaign.actions().unwrap();
                let (Some(member), Some(action)) = (members.get(member), actions.get(action))
                else {
                    return;
                };
                let request = CheckRequest {
                    action: action.id.clone(),
                    member: Some(member.id.clone()),
                    ..CheckRequest::default()
                };
                let result = if matches!(step, Step::CheckIn { .. }) {
                    campaign.check_in(request)
                } else {
                    campaign.check_out(request)
                };
                // A refusal (already in, not in) is a valid outcome; an accepted
                // check-in must survive every merge that follows.
                if let Ok(check) = result {
                    self.check_ins.insert(check.id);
                }
            }
            Step::Contribute { replica, amount } | Step::PayOut { replica, amount } => {
                let kind = if matches!(step, Step::Contribute { .. }) {
                    LedgerKind::Contribution
                } else {
                    LedgerKind::Disbursement
                };
                let entry = NewLedgerEntry {
                    kind,
                    category: AidCategory::Fund,
                    amount_cents: amount,
                    request_id: None,
                    party: None,
                    note: String::new(),
                    at: None,
                };
                let coordinator = self.coordinator.clone();
                if let Ok(entry) = self.replicas[replica].record_ledger_entry(entry, &coordinator) {
                    self.ledger.insert(entry.id);
                }
            }
            Step::Sync { left, right } if left != right => {
                let (left, right) = self.pair(left, right);
                sync(left, right);
            }
            Step::Sync { .. } => {}
        }
    }

    fn sync_everyone(&mut self) {
        for (left, right) in [(0, 1), (1, 2), (2, 0), (0, 1)] {
            let (left, right) = self.pair(left, right);
            sync(left, right);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("HOLDFAST_CONVERGENCE_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(16),
        ..ProptestConfig::default()
    })]

    #[test]
    fn three_replicas_converge_and_lose_nothing(steps in prop::collection::vec(step(), 1..40)) {
        let mut world = World::new();
        for step in &steps {
            world.apply(step);
        }
        world.sync_everyone();

        let documents = world.replicas[0].documents().unwrap();
        for replica in &mut world.replicas[1..] {
            let theirs: Vec<DocumentId> = replica
                .documents()
                .unwrap()
                .into_iter()
                .filter(travels)
                .collect();
            let ours: Vec<DocumentId> = documents
                .iter()
                .filter(|id| travels(id))
                .cloned()
                .collect();
            prop_assert_eq!(ours, theirs);
        }
        for id in documents.iter().filter(|id| travels(id)) {
            let heads = world.replicas[0].heads(id).unwrap();
            for replica in &mut world.replicas[1..] {
                prop_assert_eq!(&replica.heads(id).unwrap(), &heads);
            }
        }
        let rows = projected_rows(world._directories[0].path());
        for directory in &world._directories[1..] {
            prop_assert_eq!(&projected_rows(directory.path()), &rows);
        }
        for replica in &world.replicas {
            let check_ins: BTreeSet<String> = replica.check_ins(None).unwrap().into_iter().map(|check| check.id).collect();
            prop_assert_eq!(&check_ins, &world.check_ins);
            let ledger: BTreeSet<String> = replica.ledger().unwrap().into_iter().map(|entry| entry.id).collect();
            prop_assert_eq!(&ledger, &world.ledger);
        }
    }
}
