//! Members and the structure of the local: sites, departments, committees,
//! their meetings and facilitation rota, parallel practices, and settings.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::{record, word_enum};
use super::new_id;

word_enum! {
    /// What a member does in the campaign. A member may hold several roles.
    pub enum Role {
        Member => "member",
        Steward => "steward",
        PicketCaptain => "captain",
        AidCoordinator => "coordinator",
        Facilitator => "facilitator",
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub site_id: Option<String>,
    pub department_id: Option<String>,
    pub roles: Vec<Role>,
    pub joined_on: String,
    /// Skills this member can teach, by skill id.
    pub teaches: Vec<String>,
    /// Roles a steward took away, each with what it still covers: for each
    /// of the member's devices, per document, the highest sequence number
    /// of its changes the steward's device held when it took the role away.
    /// Those changes keep the role's authority on every device; later ones
    /// do not, whatever order devices hear of them in. Giving the role back
    /// removes the entry.
    #[serde(default)]
    #[autosurgeon(missing = "Option::default")]
    pub demotions: Option<BTreeMap<String, Covers>>,
    /// Set while this person is a walk-in: someone a picket captain checked
    /// in at this action before the roster knew them, with no roles. A
    /// steward then adds them as a member (which clears it) or merges them
    /// into a member already listed.
    #[serde(default)]
    #[autosurgeon(missing = "Option::default")]
    pub walk_in_action_id: Option<String>,
    /// The member a walk-in turned out to be, once a steward merged them:
    /// their check-ins count as that member's.
    #[serde(default)]
    #[autosurgeon(missing = "Option::default")]
    pub merged_into: Option<String>,
}
record!(Member, "members");

/// Per device id, per document, the last sequence number of that device's
/// changes a demotion still covers.
pub type Covers = BTreeMap<String, BTreeMap<String, i64>>;

impl Member {
    pub fn new(name: &str, joined_on: &str) -> Self {
        Member {
            id: new_id(),
            name: name.to_string(),
            phone: None,
            email: None,
            site_id: None,
            department_id: None,
            roles: vec![Role::Member],
            joined_on: joined_on.to_string(),
            teaches: Vec::new(),
            demotions: None,
            walk_in_action_id: None,
            merged_into: None,
        }
    }

    /// A walk-in, merged or not: not listed among the members.
    pub fn is_walk_in(&self) -> bool {
        self.walk_in_action_id.is_some()
    }

    /// A walk-in a steward has not yet added as a member or merged.
    pub fn awaits_a_steward(&self) -> bool {
        self.is_walk_in() && self.merged_into.is_none()
    }

    /// Roles a steward took away and has not given back, each with its
    /// covers by device (see `demotions`).
    pub fn taken_roles(&self) -> impl Iterator<Item = (Role, &Covers)> + '_ {
        self.demotions
            .iter()
            .flatten()
            .filter_map(|(role, covers)| Some((role.parse::<Role>().ok()?, covers)))
            .filter(|(role, _)| !self.roles.contains(role))
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
}
record!(Site, "sites");

impl Site {
    pub fn new(name: &str) -> Self {
        Site {
            id: new_id(),
            name: name.to_string(),
            address: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Department {
    pub id: String,
    pub site_id: String,
    pub name: String,
}
record!(Department, "departments");

/// A cross-site committee with its members and facilitation rota.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Committee {
    pub id: String,
    pub name: String,
    pub purpose: String,
    pub formed_on: String,
    pub member_ids: Vec<String>,
    /// Members who take turns facilitating, in rota order.
    pub rota: Vec<String>,
}
record!(Committee, "committees");

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Meeting {
    pub id: String,
    pub committee_id: String,
    pub held_on: String,
    pub facilitator_id: Option<String>,
    pub attendee_ids: Vec<String>,
    pub notes: String,
}
record!(Meeting, "meetings");

word_enum! {
    /// A practice that workers run for themselves instead of waiting on management.
    pub enum PracticeKind {
        SafetyInspection => "safety_inspection",
        GrievancePanel => "grievance_panel",
        DecisionForum => "decision_forum",
        Other => "other",
    }
}

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Practice {
    pub id: String,
    pub name: String,
    pub kind: PracticeKind,
    pub started_on: String,
    pub site_id: Option<String>,
}
record!(Practice, "practices");

/// One occasion a practice was carried out (an inspection walked, a panel sat).
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct PracticeEvent {
    pub id: String,
    pub practice_id: String,
    pub held_on: String,
    pub participant_count: i64,
}
record!(PracticeEvent, "practice_events");

/// How the local pays strike pay from picket hours.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct StrikePayRule {
    /// A day counts only if the member picketed at least this many hours that day.
    pub minimum_hours_per_day: f64,
    /// A week qualifies only if its counted days add up to at least this many hours.
    pub minimum_hours_per_week: f64,
    /// Paid for each qualifying week, in cents.
    pub weekly_pay_cents: i64,
}

impl Default for StrikePayRule {
    fn default() -> Self {
        StrikePayRule {
            minimum_hours_per_day: 4.0,
            minimum_hours_per_week: 20.0,
            weekly_pay_cents: 30_000,
        }
    }
}

/// Campaign-wide settings; a single record with id `settings`.
#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Settings {
    pub id: String,
    pub campaign_name: String,
    pub local_name: String,
    pub strike_pay: StrikePayRule,
    /// How many times in a row one tactic may run before the app suggests varying it.
    pub tactic_repeat_limit: i64,
    /// A committee counts as still meeting if it met within this many days.
    pub committee_active_days: i64,
    pub currency: String,
}
record!(Settings, "settings");

impl Settings {
    pub const ID: &'static str = "settings";

    pub fn new(campaign_name: &str, local_name: &str) -> Self {
        Settings {
            id: Self::ID.to_string(),
            campaign_name: campaign_name.to_string(),
            local_name: local_name.to_string(),
            strike_pay: StrikePayRule::default(),
            tactic_repeat_limit: 3,
            committee_active_days: 60,
            currency: "USD".to_string(),
        }
    }
}
