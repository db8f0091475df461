//! The skill commons: skills, monthly sessions, and who attended.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::macros::record;

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Skill {
    pub id: String,
    pub name: String,
    pub summary: String,
    /// Materials kept offline in the record itself (plain text or Markdown).
    pub materials: String,
}
record!(Skill, "skills");

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct SkillSession {
    pub id: String,
    pub skill_id: String,
    pub held_on: String,
    pub facilitator_id: Option<String>,
    pub site_id: Option<String>,
}
record!(SkillSession, "skill_sessions");

#[derive(Debug, Clone, PartialEq, Hydrate, Reconcile, Serialize, Deserialize)]
pub struct Attendance {
    pub id: String,
    pub session_id: String,
    pub member_id: String,
}
record!(Attendance, "attendance");
