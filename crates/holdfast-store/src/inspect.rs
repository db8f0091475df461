//! Looking for text anywhere a device keeps it, as an erasure must be
//! checked: every change in every document's history (decoded, so that
//! Automerge's compressed columns are read too), every text and blob column
//! of every table (read through the database key), and every byte of every
//! file in the data folder.

use std::path::{Path, PathBuf};

use automerge::AutoCommit;
use rusqlite::types::ValueRef;

use crate::campaign::{open_connection, Campaign};
use crate::error::{Result, StoreError};

/// Where the device in `data_dir` still holds any of `needles`, one line per
/// place and needle; empty when it holds none of them.
pub fn traces(data_dir: &Path, passphrase: Option<&str>, needles: &[&str]) -> Result<Vec<String>> {
    let mut found = Vec::new();
    {
        let mut campaign = Campaign::open_with_passphrase(data_dir, passphrase)?;
        for id in campaign.documents()? {
            let bytes = campaign.document_bytes(&id)?;
            let mut doc = AutoCommit::load(&bytes).map_err(|source| StoreError::Automerge {
                what: id.to_string(),
                source: Box::new(source),
            })?;
            for change in doc.get_changes(&[]) {
                let text = format!("{:?}", change.decode());
                for needle in needles {
                    if text.contains(needle) {
                        found.push(format!("history of {id}: {needle}"));
                    }
                }
            }
        }
    }
    let connection = open_connection(data_dir, passphrase)?;
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?
        .query_map([], |row| row.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    for table in tables {
        let mut statement = connection.prepare(&format!("SELECT * FROM \"{table}\""))?;
        let columns = statement.column_count();
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            for column in 0..columns {
                let (ValueRef::Text(bytes) | ValueRef::Blob(bytes)) = row.get_ref(column)? else {
                    continue;
                };
                for needle in needles {
                    if contains(bytes, needle.as_bytes()) {
                        found.push(format!("table {table}: {needle}"));
                    }
                }
            }
        }
    }
    for path in files_under(data_dir)? {
        let bytes = std::fs::read(&path).map_err(|source| StoreError::DataDir {
            path: path.display().to_string(),
            source,
        })?;
        for needle in needles {
            if contains(&bytes, needle.as_bytes()) {
                found.push(format!("file {}: {needle}", path.display()));
            }
        }
    }
    Ok(found)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let failed = |source| StoreError::DataDir {
        path: dir.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(failed)? {
        let path = entry.map_err(failed)?.path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}
