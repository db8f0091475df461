//! The skill commons: skills, who teaches them, sessions and attendance.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use holdfast_core::model::{Attendance, Member, Skill};
use serde::Serialize;

use super::{member_name, site_name, today, Context};
use crate::output::Table;

#[derive(Subcommand)]
pub enum Command {
    /// Skills, teachers, monthly sessions and who came.
    #[command(subcommand)]
    Skill(SkillCommand),
}

#[derive(Subcommand)]
pub enum SkillCommand {
    /// Add a skill, with materials kept offline in the record.
    Add {
        name: String,
        #[arg(long, default_value = "")]
        summary: String,
        /// Materials as text.
        #[arg(long, conflicts_with = "materials_file")]
        materials: Option<String>,
        /// Materials read from a text or Markdown file.
        #[arg(long, value_name = "FILE")]
        materials_file: Option<PathBuf>,
    },
    /// Record that a member can teach a skill.
    Teacher { skill: String, member: String },
    /// Who should facilitate the skill next: whoever knows it and has gone
    /// longest without teaching.
    Rotation { skill: String },
    /// Schedule a session. The facilitator comes from the rotation unless named.
    Session {
        skill: String,
        /// YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        #[arg(long)]
        facilitator: Option<String>,
        #[arg(long)]
        site: Option<String>,
    },
    /// Record who attended a session.
    Attend {
        /// The session id.
        session: String,
        #[arg(required = true)]
        members: Vec<String>,
    },
    /// List the skills, who teaches them and how many members are trained.
    List,
    /// List the sessions.
    Sessions,
    /// Show a skill's materials.
    Materials { skill: String },
}

#[derive(Serialize)]
struct SkillRow {
    skill: Skill,
    teachers: Vec<String>,
    sessions: usize,
}

#[derive(Serialize)]
struct SkillList {
    skills: Vec<SkillRow>,
    members_trained: usize,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let Command::Skill(command) = command;
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        SkillCommand::Add {
            name,
            summary,
            materials,
            materials_file,
        } => {
            let materials = match materials_file {
                Some(file) => std::fs::read_to_string(&file)
                    .with_context(|| format!("could not read {}", file.display()))?,
                None => materials.unwrap_or_default(),
            };
            let skill = campaign.add_skill(&name, &summary, &materials)?;
            output.show(&skill, || format!("Added the skill {}.", skill.name))
        }
        SkillCommand::Teacher { skill, member } => {
            let member = campaign.add_teacher(&skill, &member)?;
            let skill = campaign.resolve_skill(&skill)?;
            output.show(&member, || {
                format!("{} can now teach {}.", member.name, skill.name)
            })
        }
        SkillCommand::Rotation { skill } => {
            let skill = campaign.resolve_skill(&skill)?;
            let pick: Option<Member> = campaign.rotation_pick(&skill)?;
            output.show(&pick, || match &pick {
                Some(member) => format!("{} is next to teach {}.", member.name, skill.name),
                None => format!(
                    "No one is listed as able to teach {} yet; add someone with `holdfast skill teacher`.",
                    skill.name
                ),
            })
        }
        SkillCommand::Session {
            skill,
            on,
            facilitator,
            site,
        } => {
            let on = on.unwrap_or_else(|| today().format("%Y-%m-%d").to_string());
            let session =
                campaign.schedule_session(&skill, &on, facilitator.as_deref(), site.as_deref())?;
            let skill = campaign.resolve_skill(&session.skill_id)?;
            output.show(&session, || {
                let facilitator = session
                    .facilitator_id
                    .as_deref()
                    .map(|id| member_name(&campaign, id))
                    .unwrap_or_else(|| "no one yet".to_string());
                format!(
                    "Scheduled {} on {}, facilitated by {facilitator}. The session id is {}.",
                    skill.name, session.held_on, session.id
                )
            })
        }
        SkillCommand::Attend { session, members } => {
            let records = campaign.record_attendance(&session, &members)?;
            output.show(&records, || {
                format!(
                    "Recorded {} at the session.",
                    crate::output::count(records.len() as i64, "new attendee", "new attendees")
                )
            })
        }
        SkillCommand::List => {
            let sessions = campaign.skill_sessions()?;
            let members = campaign.members()?;
            let mut skills: Vec<Skill> = campaign.all()?;
            skills.sort_by(|left, right| left.name.cmp(&right.name));
            let list = SkillList {
                skills: skills
                    .into_iter()
                    .map(|skill| SkillRow {
                        teachers: members
                            .iter()
                            .filter(|member| member.teaches.contains(&skill.id))
                            .map(|member| member.name.clone())
                            .collect(),
                        sessions: sessions
                            .iter()
                            .filter(|session| session.skill_id == skill.id)
                            .count(),
                        skill,
                    })
                    .collect(),
                members_trained: campaign.members_trained()?,
            };
            output.show(&list, || {
                let mut table = Table::new(&["Skill", "Teachers", "Sessions", "Summary"]);
                for row in &list.skills {
                    table.row(vec![
                        row.skill.name.clone(),
                        row.teachers.join(", "),
                        row.sessions.to_string(),
                        row.skill.summary.clone(),
                    ]);
                }
                format!(
                    "{}\n\nMembers trained so far: {}.",
                    table.render_or("No skills yet. Add one with `holdfast skill add`."),
                    list.members_trained
                )
            })
        }
        SkillCommand::Sessions => {
            let sessions = campaign.skill_sessions()?;
            let attendance: Vec<Attendance> = campaign.all()?;
            output.show(&sessions, || {
                let mut table =
                    Table::new(&["Held", "Skill", "Facilitator", "Site", "Attended", "Id"]);
                for session in &sessions {
                    table.row(vec![
                        session.held_on.clone(),
                        campaign
                            .resolve_skill(&session.skill_id)
                            .map(|skill| skill.name)
                            .unwrap_or_default(),
                        session
                            .facilitator_id
                            .as_deref()
                            .map(|id| member_name(&campaign, id))
                            .unwrap_or_default(),
                        site_name(&campaign, session.site_id.as_deref()),
                        attendance
                            .iter()
                            .filter(|present| present.session_id == session.id)
                            .count()
                            .to_string(),
                        session.id.clone(),
                    ]);
                }
                table.render_or("No sessions yet.")
            })
        }
        SkillCommand::Materials { skill } => {
            let skill = campaign.resolve_skill(&skill)?;
            output.show(&skill, || {
                if skill.materials.trim().is_empty() {
                    format!("{} has no materials yet.", skill.name)
                } else {
                    format!("{}\n\n{}", skill.name, skill.materials)
                }
            })
        }
    }
}
