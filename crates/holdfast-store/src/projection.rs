//! Query tables kept in step with the documents.
//!
//! A local edit upserts exactly the records it wrote; a sync message
//! re-projects the records its patches touched; a merge of a file re-projects
//! the whole document it touched.
//! Both paths run inside the transaction that writes the change, so the tables
//! never disagree with what is on disk. `tests::incremental_matches_full`
//! checks that the two paths produce the same rows.

use automerge::AutoCommit;
use holdfast_core::model::*;
use holdfast_core::{record, DocumentId, DocumentKind, Record};
use rusqlite::{params, Connection};
use serde::{de::DeserializeOwned, Serialize};

use crate::error::Result;

/// A record written by an edit, encoded for its projection.
pub struct Touched {
    pub collection: &'static str,
    pub id: String,
    pub json: String,
}

impl Touched {
    pub fn of<R: Record + Serialize>(value: &R) -> Result<Self> {
        Ok(Touched {
            collection: R::COLLECTION,
            id: value.id().to_string(),
            json: serde_json::to_string(value)?,
        })
    }
}

pub fn upsert(connection: &Connection, document: &DocumentId, touched: &Touched) -> Result<()> {
    if touched.collection == CheckIn::COLLECTION {
        let check_in: CheckIn = serde_json::from_str(&touched.json)?;
        return upsert_check_in(connection, document, &check_in);
    }
    connection
        .prepare_cached(
            "INSERT INTO records (collection, id, document_id, data) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (collection, id) DO UPDATE SET document_id = excluded.document_id, data = excluded.data",
        )?
        .execute(params![touched.collection, touched.id, document.as_str(), touched.json])?;
    Ok(())
}

pub fn remove(connection: &Connection, collection: &str, id: &str) -> Result<()> {
    connection.execute(
        "DELETE FROM records WHERE collection = ?1 AND id = ?2",
        params![collection, id],
    )?;
    Ok(())
}

fn upsert_check_in(
    connection: &Connection,
    document: &DocumentId,
    check_in: &CheckIn,
) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO checkins (id, document_id, action_id, shift_id, member_id, kind, at, recorded_by, device, voided)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET shift_id = excluded.shift_id, member_id = excluded.member_id,
                kind = excluded.kind, at = excluded.at, voided = excluded.voided",
        )?
        .execute(params![
            check_in.id,
            document.as_str(),
            check_in.action_id,
            check_in.shift_id,
            check_in.member_id,
            check_in.kind.as_str(),
            check_in.at,
            check_in.recorded_by,
            check_in.device,
            check_in.voided,
        ])?;
    Ok(())
}

/// Rebuilds every projected row of one document from the document itself.
pub fn reproject(connection: &Connection, id: &DocumentId, doc: &AutoCommit) -> Result<()> {
    connection.execute("DELETE FROM records WHERE document_id = ?1", [id.as_str()])?;
    connection.execute("DELETE FROM checkins WHERE document_id = ?1", [id.as_str()])?;
    match id.kind()? {
        DocumentKind::Campaign => {
            project_all::<Settings>(connection, id, doc)?;
            project_all::<Member>(connection, id, doc)?;
            project_all::<Site>(connection, id, doc)?;
            project_all::<Department>(connection, id, doc)?;
            project_all::<Committee>(connection, id, doc)?;
            project_all::<Meeting>(connection, id, doc)?;
            project_all::<ChokePoint>(connection, id, doc)?;
            project_all::<Commitment>(connection, id, doc)?;
            project_all::<Cadence>(connection, id, doc)?;
            project_all::<Skill>(connection, id, doc)?;
            project_all::<SkillSession>(connection, id, doc)?;
            project_all::<Attendance>(connection, id, doc)?;
            project_all::<Practice>(connection, id, doc)?;
            project_all::<PracticeEvent>(connection, id, doc)?;
            project_all::<Resolution>(connection, id, doc)?;
            project_all::<Device>(connection, id, doc)?;
            project_all::<BundleKey>(connection, id, doc)?;
        }
        DocumentKind::Action => {
            project_all::<Action>(connection, id, doc)?;
            project_all::<Shift>(connection, id, doc)?;
            project_all::<Signup>(connection, id, doc)?;
            for check_in in record::all::<CheckIn>(doc)? {
                upsert_check_in(connection, id, &check_in)?;
            }
            project_all::<Circle>(connection, id, doc)?;
            project_all::<RestCommitment>(connection, id, doc)?;
            project_all::<Resolution>(connection, id, doc)?;
        }
        DocumentKind::Aid => {
            project_all::<AidRequest>(connection, id, doc)?;
            project_all::<AidOffer>(connection, id, doc)?;
            project_all::<AidMatch>(connection, id, doc)?;
            project_all::<LedgerEntry>(connection, id, doc)?;
            project_all::<Resolution>(connection, id, doc)?;
        }
        DocumentKind::Arrivals => {
            for check_in in record::all::<CheckIn>(doc)? {
                upsert_check_in(connection, id, &check_in)?;
            }
            project_all::<Resolution>(connection, id, doc)?;
        }
        DocumentKind::AidPrivate => project_all::<AidIdentity>(connection, id, doc)?,
        DocumentKind::Personal => project_all::<Reflection>(connection, id, doc)?,
        DocumentKind::Decisions => {
            project_all::<Proposal>(connection, id, doc)?;
            project_all::<Vote>(connection, id, doc)?;
            project_all::<Resolution>(connection, id, doc)?;
        }
    }
    Ok(())
}

/// Re-projects only the records that a merge touched, each named by its
/// collection and id (as the merge's patches name them). Returns false when
/// a collection is not one this build knows, and the caller re-projects the
/// whole document instead. A touched record that no longer reads as its
/// type fails here, which refuses the merge.
pub fn reproject_records(
    connection: &Connection,
    document: &DocumentId,
    doc: &AutoCommit,
    touched: &std::collections::BTreeSet<(String, String)>,
) -> Result<bool> {
    for (collection, record_id) in touched {
        if !refresh(connection, document, doc, collection, record_id)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn refresh(
    connection: &Connection,
    document: &DocumentId,
    doc: &AutoCommit,
    collection: &str,
    record_id: &str,
) -> Result<bool> {
    macro_rules! refresh_one_of {
        ($($type:ty),+ $(,)?) => {
            $(
                if collection == <$type>::COLLECTION {
                    match record::get::<$type>(doc, record_id)? {
                        Some(value) => upsert(connection, document, &Touched::of(&value)?)?,
                        None => remove(connection, collection, record_id)?,
                    }
                    return Ok(true);
                }
            )+
        };
    }
    if collection == CheckIn::COLLECTION {
        match record::get::<CheckIn>(doc, record_id)? {
            Some(check_in) => upsert_check_in(connection, document, &check_in)?,
            None => {
                connection.execute("DELETE FROM checkins WHERE id = ?1", [record_id])?;
            }
        }
        return Ok(true);
    }
    refresh_one_of!(
        Settings,
        Member,
        Site,
        Department,
        Committee,
        Meeting,
        ChokePoint,
        Commitment,
        Cadence,
        Skill,
        SkillSession,
        Attendance,
        Practice,
        PracticeEvent,
        Resolution,
        Device,
        BundleKey,
        Action,
        Shift,
        Signup,
        Circle,
        RestCommitment,
        AidRequest,
        AidOffer,
        AidMatch,
        LedgerEntry,
        AidIdentity,
        Reflection,
        Proposal,
        Vote,
    );
    Ok(false)
}

fn project_all<R: Record + Serialize>(
    connection: &Connection,
    id: &DocumentId,
    doc: &AutoCommit,
) -> Result<()> {
    for value in record::all::<R>(doc)? {
        upsert(connection, id, &Touched::of(&value)?)?;
    }
    Ok(())
}

/// Reads a whole collection from its projection.
pub fn read_all<R: Record + DeserializeOwned>(connection: &Connection) -> Result<Vec<R>> {
    let mut statement =
        connection.prepare_cached("SELECT data FROM records WHERE collection = ?1 ORDER BY id")?;
    let rows = statement.query_map([R::COLLECTION], |row| row.get::<_, String>(0))?;
    let mut values = Vec::new();
    for row in rows {
        values.push(serde_json::from_str(&row?)?);
    }
    Ok(values)
}

/// Reads the records of one collection that belong to one document.
pub fn read_in_document<R: Record + DeserializeOwned>(
    connection: &Connection,
    document: &DocumentId,
) -> Result<Vec<R>> {
    let mut statement = connection.prepare_cached(
        "SELECT data FROM records WHERE collection = ?1 AND document_id = ?2 ORDER BY id",
    )?;
    let rows = statement.query_map(params![R::COLLECTION, document.as_str()], |row| {
        row.get::<_, String>(0)
    })?;
    let mut values = Vec::new();
    for row in rows {
        values.push(serde_json::from_str(&row?)?);
    }
    Ok(values)
}

/// Reads one record from its projection.
pub fn read_one<R: Record + DeserializeOwned>(
    connection: &Connection,
    id: &str,
) -> Result<Option<R>> {
    let mut statement =
        connection.prepare_cached("SELECT data FROM records WHERE collection = ?1 AND id = ?2")?;
    let mut rows = statement.query(params![R::COLLECTION, id])?;
    match rows.next()? {
        Some(row) => Ok(Some(serde_json::from_str(&row.get::<_, String>(0)?)?)),
        None => Ok(None),
    }
}

/// Check-ins, from their typed table; all of them, or one action's.
pub fn read_check_ins(connection: &Connection, action_id: Option<&str>) -> Result<Vec<CheckIn>> {
    // Two statements rather than `?1 IS NULL OR action_id = ?1`: SQLite plans
    // that form as a scan of the whole table, which made every sign-up and
    // every shift roster read all check-ins of the campaign instead of using
    // the `checkins_by_action` index. The second keeps the one parameter so
    // both statements bind alike.
    let mut statement = match action_id {
        Some(_) => connection.prepare_cached(&format!(
            "{CHECK_IN_COLUMNS} WHERE action_id = ?1 ORDER BY at, id"
        ))?,
        None => connection.prepare_cached(&format!(
            "{CHECK_IN_COLUMNS} WHERE ?1 IS NULL ORDER BY at, id"
        ))?,
    };
    collect_check_ins(&mut statement, rusqlite::params![action_id])
}

/// The check-ins one document holds, oldest first. A member's arrivals are
/// read through the index on member; an action's document (which held
/// check-ins before arrivals did) through the one on action.
pub fn read_check_ins_in_document(
    connection: &Connection,
    document: &DocumentId,
) -> Result<Vec<CheckIn>> {
    let (mut statement, key) = match (document.arrivals_member(), document.action_id()) {
        (Some(member), _) => (
            connection.prepare_cached(&format!(
                "{CHECK_IN_COLUMNS} WHERE member_id = ?1 AND document_id = ?2 ORDER BY at, id"
            ))?,
            member,
        ),
        (None, Some(action)) => (
            connection.prepare_cached(&format!(
                "{CHECK_IN_COLUMNS} WHERE action_id = ?1 AND document_id = ?2 ORDER BY at, id"
            ))?,
            action,
        ),
        (None, None) => return Ok(Vec::new()),
    };
    collect_check_ins(&mut statement, rusqlite::params![key, document.as_str()])
}

const CHECK_IN_COLUMNS: &str =
    "SELECT id, action_id, shift_id, member_id, kind, at, recorded_by, device, voided FROM checkins";

fn collect_check_ins(
    statement: &mut rusqlite::CachedStatement<'_>,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<CheckIn>> {
    let rows = statement.query_map(params, |row| {
        Ok((
            CheckIn {
                id: row.get(0)?,
                action_id: row.get(1)?,
                shift_id: row.get(2)?,
                member_id: row.get(3)?,
                kind: CheckKind::In,
                at: row.get(5)?,
                recorded_by: row.get(6)?,
                device: row.get(7)?,
                voided: row.get(8)?,
            },
            row.get::<_, String>(4)?,
        ))
    })?;
    let mut check_ins = Vec::new();
    for row in rows {
        let (mut check_in, kind) = row?;
        check_in.kind = kind.parse()?;
        check_ins.push(check_in);
    }
    Ok(check_ins)
}
