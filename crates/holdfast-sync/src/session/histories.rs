//! Documents whose two copies hold different histories: after an erasure
//! a steward's device re-bases the documents that held the member, and
//! every other device must take the new history before it syncs them
//! again. Automerge would otherwise bring the old history back.

use std::collections::BTreeSet;

use automerge::sync;
use holdfast_core::model::{Device, Role};
use holdfast_core::rebase::Epoch;
use holdfast_core::DocumentId;
use holdfast_store::{Campaign, Rebase};

use super::{Session, Side};
use crate::error::{Result, SyncError};

impl Session {
    /// Sends this device's history of a document to a peer that holds an
    /// older one, if this is a steward's device; otherwise the document
    /// stays apart until the peer meets one.
    pub(super) fn offer_rebase(
        &mut self,
        campaign: &mut Campaign,
        id: &DocumentId,
        reply: &mut Histories,
    ) -> Result<()> {
        if !campaign.is_steward_device()? {
            return Ok(());
        }
        if let Some(rebase) = campaign.rebase_for_peer(id)? {
            reply.rebases.push(rebase);
            self.report.rebases_sent += 1;
            self.apart.remove(id);
            // A fresh state: the peer installs the history before it reads
            // this flight's sync message for the document.
            self.active.insert(id.clone(), sync::State::new());
        }
        Ok(())
    }

    /// Epochs the hub's reply listed: documents the hub holds in another
    /// history than this device's.
    pub(super) fn take_epochs(
        &mut self,
        campaign: &mut Campaign,
        peer: &Device,
        epochs: Vec<(DocumentId, Epoch)>,
        reply: &mut Histories,
        stale: &mut BTreeSet<DocumentId>,
    ) -> Result<()> {
        for (id, their_epoch) in epochs {
            if self.side == Side::Responder {
                return Err(SyncError::Unexpected(
                    "a list of epochs from the connecting side",
                ));
            }
            if !campaign.may_share(&id, peer)? {
                continue;
            }
            // What this side sent of the document belongs to another
            // history than the peer's: drop it and settle the history first.
            self.active.remove(&id);
            self.apart.insert(id.clone());
            stale.insert(id.clone());
            if campaign.epoch(&id)? > their_epoch {
                self.offer_rebase(campaign, &id, reply)?;
            }
        }
        Ok(())
    }

    /// New histories the peer sent: installed only from a steward's device
    /// that may share the document with this one.
    pub(super) fn take_rebases(
        &mut self,
        campaign: &mut Campaign,
        peer: &Device,
        rebases: Vec<Rebase>,
        stale: &mut BTreeSet<DocumentId>,
    ) -> Result<()> {
        for rebase in rebases {
            let id = rebase.document.clone();
            if !campaign.may_share(&id, peer)? {
                return Err(SyncError::NotAllowed {
                    document: id.to_string(),
                });
            }
            if peer.role != Role::Steward || peer.is_revoked() {
                return Err(SyncError::RebaseRefused {
                    document: id.to_string(),
                });
            }
            campaign.install_rebase(rebase)?;
            self.report.rebases_received += 1;
            self.apart.remove(&id);
            stale.remove(&id);
            self.active.insert(id, sync::State::new());
        }
        Ok(())
    }
}

/// What a reply says about histories: epochs that differ, and new
/// histories for the peer.
#[derive(Default)]
pub(super) struct Histories {
    pub(super) epochs: Vec<(DocumentId, Epoch)>,
    pub(super) rebases: Vec<Rebase>,
}

impl Histories {
    pub(super) fn is_empty(&self) -> bool {
        self.epochs.is_empty() && self.rebases.is_empty()
    }
}
