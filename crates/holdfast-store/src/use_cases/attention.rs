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

/// Attention items for refused changes have keys starting with this.
const REFUSED: &str = "refused:";
/// And walk-ins waiting for a steward, this.
const WALK_IN: &str = "walk-in:";

impl Campaign {
    /// What needs a person: what merges left inconsistent, and on a
    /// steward's device, every change another device sent that was refused
    /// at the door (who wrote it and why).
    pub fn attention(&self) -> Result<Vec<AttentionRow>> {
        let mut items = self.merge_attention()?;
        if self.devices()?.is_empty() || self.is_steward_device()? {
            items.extend(self.walk_ins()?.into_iter().map(|row| AttentionRow {
                key: format!("{WALK_IN}{}", row.person.id),
                kind: "walk_in".into(),
                document: DocumentId::campaign().to_string(),
                summary: format!(
                    "{} walked in at {}{}: add them as a member, or merge them into one already listed.",
                    row.person.name,
                    row.action_title,
                    row.recorded_by
                        .map(|captain| format!(", checked in by {captain}"))
                        .unwrap_or_default()
                ),
            }));
            items.extend(
                self.refused_changes()?
                    .into_iter()
                    .map(|refused| AttentionRow {
                        key: format!("{REFUSED}{}", refused.hash),
                        kind: "refused_change".into(),
                        document: refused.document,
                        summary: format!(
                            "A change from {} was refused: {}.",
                            refused.author, refused.reason
                        ),
                    }),
            );
        }
        Ok(items)
    }

    fn merge_attention(&self) -> Result<Vec<AttentionRow>> {
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
    /// A refused change is settled on this device alone: it was never
    /// applied, so there is nothing to write; the item is dismissed here.
    pub fn resolve_attention(&mut self, key: &str, by: &str, note: &str) -> Result<Resolution> {
        if key.starts_with(WALK_IN) {
            return Err(StoreError::rejected(
                "a walk-in is settled by adding them as a member or merging them into one",
            ));
        }
        if let Some(hash) = key.strip_prefix(REFUSED) {
            // Settled here alone, with no change for the policy to check:
            // a steward's call.
            let member = self.require_steward(by)?;
            let bytes = holdfast_core::signing::from_hex(hash)
                .ok_or_else(|| StoreError::not_found("attention item", key))?;
            let removed = self
                .connection
                .execute("DELETE FROM refused_changes WHERE hash = ?1", [bytes])?;
            if removed == 0 {
                return Err(StoreError::not_found("attention item", key));
            }
            return Ok(Resolution {
                id: key.to_string(),
                resolved_by: member.id,
                resolved_at: time::now(),
                note: note.to_string(),
            });
        }
        let item = self
            .attention()?
            .into_iter()
            .find(|item| item.key == key)
            .ok_or_else(|| StoreError::not_found("attention item", key))?;
        let member = self.acting_member(by)?;
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
