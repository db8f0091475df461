//! Members, and which member this device belongs to.

use anyhow::{bail, Result};
use clap::Subcommand;
use holdfast_core::model::{Department, Member, Role};
use holdfast_store::use_cases::members::NewMember;
use serde::Serialize;

use super::{member_name, site_name, Context};
use crate::output::Table;

#[derive(Subcommand)]
pub enum Command {
    /// Add, list, change or erase members.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Show the campaign and the member this device is linked to.
    Whoami,
    /// Link this device to a member, who then acts by default.
    UseMember {
        /// Member name or id.
        member: String,
    },
}

#[derive(Subcommand)]
pub enum MemberCommand {
    /// Add a member.
    Add {
        name: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Site name or id.
        #[arg(long)]
        site: Option<String>,
        /// Department name or id (at the member's site).
        #[arg(long)]
        department: Option<String>,
        /// A role: member, steward, captain, coordinator or facilitator.
        /// Repeat for several roles.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<Role>,
        /// The day they joined, YYYY-MM-DD (today if left out).
        #[arg(long, value_name = "DATE")]
        joined: Option<String>,
    },
    /// List every member.
    List,
    /// Replace a member's roles.
    Roles {
        /// Member name or id.
        member: String,
        /// The roles they now hold: member, steward, captain, coordinator, facilitator.
        #[arg(required = true)]
        roles: Vec<Role>,
    },
    /// Erase a member at their request. This cannot be undone.
    Erase {
        /// Member name or id.
        member: String,
        /// Confirm the erasure.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Serialize)]
struct WhoAmI {
    campaign: String,
    local: String,
    device_id: String,
    member: Option<Member>,
}

pub fn run(context: &Context, command: Command) -> Result<()> {
    let output = &context.output;
    match command {
        Command::Member(command) => run_member(context, command),
        Command::Whoami => {
            let campaign = context.open()?;
            let settings = campaign.settings()?;
            let member = match campaign.device_member()? {
                Some(id) => campaign.find::<Member>(&id)?,
                None => None,
            };
            let answer = WhoAmI {
                campaign: settings.campaign_name,
                local: settings.local_name,
                device_id: campaign.device_id().to_string(),
                member,
            };
            output.show(&answer, || {
                let who = match &answer.member {
                    Some(member) => format!(
                        "This device belongs to {} ({}).",
                        member.name,
                        roles_text(&member.roles)
                    ),
                    None => "This device is not linked to a member yet; link it with \
                             `holdfast use-member <MEMBER>`."
                        .to_string(),
                };
                format!(
                    "Campaign: {}\nDevice: {}\n{who}",
                    answer.campaign, answer.device_id
                )
            })
        }
        Command::UseMember { member } => {
            let mut campaign = context.open()?;
            let member = campaign.resolve_member(&member)?;
            campaign.set_device_member(&member.id)?;
            output.show(&member, || {
                format!("This device now belongs to {}.", member.name)
            })
        }
    }
}

fn run_member(context: &Context, command: MemberCommand) -> Result<()> {
    let output = &context.output;
    let mut campaign = context.open()?;
    match command {
        MemberCommand::Add {
            name,
            phone,
            email,
            site,
            department,
            roles,
            joined,
        } => {
            let member = campaign.add_member(NewMember {
                name,
                phone,
                email,
                site,
                department,
                roles,
                joined_on: joined,
            })?;
            output.show(&member, || {
                format!(
                    "Added {} ({}). Their id is {}.",
                    member.name,
                    roles_text(&member.roles),
                    member.id
                )
            })
        }
        MemberCommand::List => {
            let members = campaign.members()?;
            output.show(&members, || {
                let departments: Vec<Department> = campaign.all().unwrap_or_default();
                let mut table =
                    Table::new(&["Name", "Roles", "Site", "Department", "Phone", "Email"]);
                for member in &members {
                    let department = departments
                        .iter()
                        .find(|department| Some(&department.id) == member.department_id.as_ref())
                        .map(|department| department.name.clone())
                        .unwrap_or_default();
                    table.row(vec![
                        member.name.clone(),
                        roles_text(&member.roles),
                        site_name(&campaign, member.site_id.as_deref()),
                        department,
                        member.phone.clone().unwrap_or_default(),
                        member.email.clone().unwrap_or_default(),
                    ]);
                }
                table.render_or("No members yet. Add one with `holdfast member add <NAME>`.")
            })
        }
        MemberCommand::Roles { member, roles } => {
            let member = campaign.set_roles(&member, roles)?;
            output.show(&member, || {
                format!("{} now holds: {}.", member.name, roles_text(&member.roles))
            })
        }
        MemberCommand::Erase { member, yes } => {
            let found = campaign.resolve_member(&member)?;
            if !yes {
                bail!(
                    "erasing {} cannot be undone; run the command again with --yes to go ahead",
                    found.name
                );
            }
            let name = member_name(&campaign, &found.id);
            // The current record first; the history too where this device
            // may re-base it, which only a steward's device may do.
            let report = campaign.erase_member_and_history(&found.id)?;
            output.show(&report, || {
                let history = match &report.history_note {
                    None => format!(
                        "Their details are gone from the history of {} too; other devices \
                         take the new history when they next sync with this one.",
                        report.history_rebased.join(", ")
                    ),
                    Some(reason) => format!("Note: {reason}."),
                };
                let erasure = &report.erasure;
                use crate::output::count;
                format!(
                    "Erased {name}: removed from {}, {} and {}; {} of theirs revoked. Their \
                     check-ins stay, with no name attached. {history}",
                    count(erasure.committees_updated as i64, "committee", "committees"),
                    count(
                        erasure.commitments_removed as i64,
                        "choke-point commitment",
                        "choke-point commitments"
                    ),
                    count(
                        erasure.aid_identities_removed as i64,
                        "aid record",
                        "aid records"
                    ),
                    count(erasure.devices_revoked as i64, "device", "devices"),
                )
            })
        }
    }
}

pub fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
