//! Roster import and export as CSV.
//!
//! Columns: `name,phone,email,site,department,roles` (roles separated by `;`).
//! An import is all or nothing: every line is checked first, a bad line is
//! reported with its line number, and only a clean file is written, as one
//! Automerge change. A member already on the roster (same email, or same name
//! when there is no email) is updated rather than added twice.
//!
//! A spreadsheet treats a cell that starts with `=`, `+`, `-`, `@`, a tab or
//! a carriage return as a formula, and runs it when the file is opened. So an
//! export puts a `'` before such a cell, which spreadsheets read as "this is
//! text" and do not show; an import takes that `'` off again, so a member
//! named "+44 …" or "@home" comes back exactly as they went out.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

use holdfast_core::model::*;
use holdfast_core::DocumentId;
use serde::{Deserialize, Serialize};

use super::members::NewMember;
use crate::{Campaign, Result, StoreError};

#[derive(Debug, Deserialize, Serialize)]
struct RosterRow {
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    roles: String,
}

impl RosterRow {
    fn cells(&mut self) -> [&mut String; 6] {
        [
            &mut self.name,
            &mut self.phone,
            &mut self.email,
            &mut self.site,
            &mut self.department,
            &mut self.roles,
        ]
    }
}

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell needs (or, read back, carries) the text marker: it starts
/// like a formula, or it starts with the marker followed by such a start or
/// by another marker, so that the marker itself round-trips.
fn marked(cell: &str) -> bool {
    let mut characters = cell.chars();
    match characters.next() {
        Some(first) if FORMULA_STARTS.contains(&first) => true,
        Some('\'') => characters
            .next()
            .is_some_and(|second| second == '\'' || FORMULA_STARTS.contains(&second)),
        _ => false,
    }
}

/// A cell as written to a CSV file that spreadsheets will open.
fn spreadsheet_safe(cell: &mut String) {
    if marked(cell) {
        cell.insert(0, '\'');
    }
}

/// A cell read from a CSV file, with the marker an export added taken off.
fn from_spreadsheet(cell: &mut String) {
    if cell.starts_with('\'') && marked(&cell[1..]) {
        cell.remove(0);
    }
}

/// The most members one import may bring. The import is one Automerge
/// change in one transaction; Automerge's cost for it grows faster than the
/// line count (20,000 lines took 11 s here, 40,000 took 21 s, 80,000 took
/// 54 s), so a bigger file is refused at once, with what to do, instead of
/// leaving a steward waiting.
pub const ROSTER_IMPORT_LIMIT: usize = 50_000;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RosterImport {
    pub added: usize,
    pub updated: usize,
    pub sites_created: usize,
    pub departments_created: usize,
}

impl Campaign {
    pub fn import_roster(&mut self, input: impl Read) -> Result<RosterImport> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(input);
        let headers = reader.headers()?.clone();
        if !headers.iter().any(|header| header == "name") {
            return Err(StoreError::RosterLine {
                line: 1,
                reason: "the header has no `name` column".into(),
            });
        }
        let mut sites: Vec<Site> = self.all()?;
        let mut departments: Vec<Department> = self.all()?;
        let existing: Vec<Member> = self.all()?;
        // Who is on the roster already, found by email (the same email is
        // the same person) or, for someone without one, by name; and the
        // ids this file has named so far. Looked up, not searched, so an
        // import takes time in proportion to its lines.
        let mut by_email: HashMap<String, &Member> = HashMap::new();
        let mut by_name: HashMap<String, &Member> = HashMap::new();
        let mut by_name_without_email: HashMap<String, &Member> = HashMap::new();
        for known in &existing {
            if let Some(email) = &known.email {
                by_email.entry(email.to_lowercase()).or_insert(known);
            } else {
                by_name_without_email
                    .entry(known.name.to_lowercase())
                    .or_insert(known);
            }
            by_name.entry(known.name.to_lowercase()).or_insert(known);
        }
        let mut named: HashSet<String> = HashSet::new();
        let mut new_sites = Vec::new();
        let mut new_departments = Vec::new();
        let mut members = Vec::new();
        let mut summary = RosterImport::default();
        for record in reader.records() {
            let record = record.map_err(|error| StoreError::RosterLine {
                line: error.position().map_or(0, |position| position.line()),
                reason: error.to_string(),
            })?;
            // The line where the row starts, which a quoted field spanning
            // lines would make differ from a simple count of rows.
            let line = record.position().map_or(0, |position| position.line());
            if members.len() == ROSTER_IMPORT_LIMIT {
                return Err(StoreError::RosterLine {
                    line,
                    reason: format!(
                        "the file has more than {ROSTER_IMPORT_LIMIT} members, more than one import takes; split it into files of at most {ROSTER_IMPORT_LIMIT} lines and import each"
                    ),
                });
            }
            let mut row: RosterRow =
                record
                    .deserialize(Some(&headers))
                    .map_err(|error| StoreError::RosterLine {
                        line,
                        reason: error.to_string(),
                    })?;
            for cell in row.cells() {
                from_spreadsheet(cell);
            }
            let at_line = |error: StoreError| StoreError::RosterLine {
                line,
                reason: error.to_string(),
            };
            // Sites and departments named in the roster are created as needed.
            if !row.site.is_empty()
                && !sites
                    .iter()
                    .any(|site| site.name.eq_ignore_ascii_case(&row.site) || site.id == row.site)
            {
                let site = Site::new(&row.site);
                sites.push(site.clone());
                new_sites.push(site);
            }
            if !row.department.is_empty() {
                let site_id = sites
                    .iter()
                    .find(|site| site.name.eq_ignore_ascii_case(&row.site) || site.id == row.site)
                    .map(|site| site.id.clone());
                let known = departments.iter().any(|department| {
                    department.name.eq_ignore_ascii_case(&row.department)
                        && (site_id.is_none()
                            || site_id.as_deref() == Some(department.site_id.as_str()))
                });
                if !known {
                    let Some(site_id) = site_id else {
                        return Err(at_line(StoreError::rejected("a department needs a site")));
                    };
                    let department = Department {
                        id: holdfast_core::model::new_id(),
                        site_id,
                        name: row.department.clone(),
                    };
                    departments.push(department.clone());
                    new_departments.push(department);
                }
            }
            let roles = row
                .roles
                .split(';')
                .map(str::trim)
                .filter(|role| !role.is_empty())
                .map(|role| role.parse::<Role>().map_err(|error| at_line(error.into())))
                .collect::<Result<Vec<_>>>()?;
            let new = NewMember {
                name: row.name.clone(),
                phone: Some(row.phone.clone()),
                email: Some(row.email.clone()).filter(|email| !email.is_empty()),
                site: Some(row.site.clone()).filter(|site| !site.is_empty()),
                department: Some(row.department.clone())
                    .filter(|department| !department.is_empty()),
                roles,
                joined_on: None,
            };
            let mut member = self
                .prepare_member(&new, &sites, &departments)
                .map_err(at_line)?;
            let name = member.name.to_lowercase();
            let same = match &member.email {
                Some(email) => by_email
                    .get(&email.to_lowercase())
                    .or_else(|| by_name_without_email.get(&name)),
                None => by_name.get(&name),
            };
            if let Some(same) = same {
                member.id = same.id.clone();
                member.joined_on = same.joined_on.clone();
                member.teaches = same.teaches.clone();
                summary.updated += 1;
            } else {
                summary.added += 1;
            }
            if !named.insert(member.id.clone()) {
                return Err(at_line(StoreError::rejected(format!(
                    "`{}` appears twice in the file",
                    member.name
                ))));
            }
            members.push(member);
        }
        summary.sites_created = new_sites.len();
        summary.departments_created = new_departments.len();
        self.write(&DocumentId::campaign(), "import a roster", |writer| {
            for site in &new_sites {
                writer.put(site)?;
            }
            for department in &new_departments {
                writer.put(department)?;
            }
            for member in &members {
                writer.put(member)?;
            }
            Ok(())
        })?;
        Ok(summary)
    }

    pub fn export_roster(&self, output: impl Write) -> Result<usize> {
        let sites: Vec<Site> = self.all()?;
        let departments: Vec<Department> = self.all()?;
        let name_of = |id: &Option<String>, names: &[(String, String)]| {
            id.as_ref()
                .and_then(|id| {
                    names
                        .iter()
                        .find(|(known, _)| known == id)
                        .map(|(_, name)| name.clone())
                })
                .unwrap_or_default()
        };
        let site_names: Vec<(String, String)> =
            sites.into_iter().map(|site| (site.id, site.name)).collect();
        let department_names: Vec<(String, String)> = departments
            .into_iter()
            .map(|department| (department.id, department.name))
            .collect();
        let mut writer = csv::Writer::from_writer(output);
        let members = self.members()?;
        for member in &members {
            let mut row = RosterRow {
                name: member.name.clone(),
                phone: member.phone.clone().unwrap_or_default(),
                email: member.email.clone().unwrap_or_default(),
                site: name_of(&member.site_id, &site_names),
                department: name_of(&member.department_id, &department_names),
                roles: member
                    .roles
                    .iter()
                    .map(|role| role.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            };
            for cell in row.cells() {
                spreadsheet_safe(cell);
            }
            writer.serialize(row)?;
        }
        writer.flush().map_err(|source| StoreError::DataDir {
            path: "roster output".into(),
            source,
        })?;
        Ok(members.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_every_cell_round_trips() {
        let cases = [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+44 7700 900123", "'+44 7700 900123"),
            ("-5", "'-5"),
            ("@home", "'@home"),
            ("\tTab", "'\tTab"),
            ("'=already marked", "''=already marked"),
            ("''", "'''"),
            ("O'Brien", "O'Brien"),
            ("'quoted'", "'quoted'"),
            ("Ana Okafor", "Ana Okafor"),
            ("", ""),
        ];
        for (cell, written) in cases {
            let mut exported = cell.to_string();
            spreadsheet_safe(&mut exported);
            assert_eq!(exported, written, "exporting {cell:?}");
            let mut imported = exported.clone();
            from_spreadsheet(&mut imported);
            assert_eq!(imported, cell, "importing {exported:?}");
        }
    }
}
