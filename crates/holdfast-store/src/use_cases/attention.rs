//! The "needs attention" list and its resolutions.

use holdfast_core::model::*;
use holdfast_core::{time, DocumentId};
use serde::Serialize;

use crate::{Campaign, Result, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct AttentionRow {
    pub key: String,
    pub kind: String,
    pub document: String,
    pub summary: String,
}

impl Campaign {
    pub fn attention(&self) -> Result<Vec<AttentionRow>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT key, kind, document_id, summary FROM attention ORDER BY kind, key",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(AttentionRow {
                key: row.get(0)?,
                kind: row.get(1)?,
                document: row.get(2)?,
                summary: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Records a person's decision on an item; it leaves the list on every
    /// device once the resolution has synced.
    pub fn resolve_attention(&mut self, key: &str, by: &str, note: &str) -> Result<Resolution> {
        let item = self
            .attention()?
            .into_iter()
            .find(|item| item.key == key)
            .ok_or_else(|| StoreError::not_found("attention item", key))?;
        let member = self.resolve_member(by)?;
        let resolution = Resolution {
            id: item.key,
            resolved_by: member.id,
            resolved_at: time::now(),
            note: note.to_string(),
        };
        let document = DocumentId::parse(&item.document)?;
        self.write(&document, "resolve an attention item", |writer| {
            writer.check_attention();
            writer.put(&resolution)
        })?;
        Ok(resolution)
    }
}
