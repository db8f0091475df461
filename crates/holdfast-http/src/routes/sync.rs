//! Sync and devices: whom this device last synced with and what has not left
//! it yet, a sync on demand, the paired devices, invites for new ones, and
//! revocation.
//!
//! Issuing an invite and revoking a device are for stewards. The store
//! checks that; the member it checks is the one this device belongs to, as
//! for the aid coordinators' view, never a name sent in the request, which
//! anyone who can reach the API could fill in.

use std::time::Duration;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use holdfast_core::model::{Device, Member, Role};
use holdfast_net::background::{self, BackgroundOptions};
use holdfast_net::discovery::Interfaces;
use holdfast_store::{Campaign, StoreError, SyncStatus};
use holdfast_sync::{pairing, Identity};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Path};
use crate::state::Shared;

/// How long an invite stays valid unless the steward says otherwise: long
/// enough to pair at the next meeting, short enough that a lost screenshot
/// soon stops mattering.
const DEFAULT_INVITE_HOURS: i64 = 24;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/sync", get(status))
        .route("/sync/now", post(sync_now))
        .route("/devices", get(devices))
        .route("/devices/{device}/revoke", post(revoke))
        .route("/invites", post(invite))
}

/// The sync status with this device's key fingerprint, which people compare
/// by eye with what the other device shows.
#[derive(Serialize)]
struct Status {
    /// None only if the key pair could not be made when the campaign was
    /// opened.
    fingerprint: Option<String>,
    #[serde(flatten)]
    status: SyncStatus,
}

async fn status(State(shared): State<Shared>) -> ApiResult<Json<Status>> {
    shared
        .run_with(|campaign| -> ApiResult<Status> {
            // The key pair was made when the campaign was opened or
            // unlocked (`state::prepare`); reading the status writes nothing.
            let fingerprint = Identity::existing(campaign)?.map(|identity| identity.fingerprint());
            let status = campaign.sync_status()?;
            Ok(Status {
                fingerprint,
                status,
            })
        })
        .await
        .map(Json)
}

/// What one "Sync now" round did, in the words of `holdfast sync --json`.
#[derive(Serialize)]
struct Synced {
    /// The label of the device synced with, usually the hall's hub.
    peer: String,
    address: String,
    documents: usize,
    changes_received: usize,
    changes_sent: usize,
}

/// One sync round, as `holdfast sync` runs it: the hub that answered last
/// time, then whatever hub of this campaign mDNS finds on the network within
/// a few seconds. Its failure is an answer too: a phone on the picket line
/// has no hub in reach, and everything made on it stays saved here.
async fn sync_now(State(shared): State<Shared>) -> ApiResult<Json<Synced>> {
    let turn = shared.sync_turn().await;
    let (tag, fingerprint) = shared
        .run_with(|campaign| -> ApiResult<(String, String)> {
            let fingerprint = Identity::of(campaign)?.fingerprint();
            let tag = holdfast_sync::identity::discovery_tag(campaign)?;
            Ok((tag, fingerprint))
        })
        .await?;
    let options = BackgroundOptions {
        hub_address: None,
        discovery: Some(Interfaces::All),
        // One round only: the interval between rounds is never used.
        interval: Duration::ZERO,
        peers: Vec::new(),
    };
    // The round locks the campaign for each step on its own, so it is given
    // the shared campaign rather than run under the lock, and other requests
    // keep being answered while it waits on the network. It runs as a task
    // of its own so that a page closed halfway does not cut a sync short,
    // and it keeps the turn until it ends, not just until the page goes.
    let campaign = shared.vault();
    let round = tokio::spawn(async move {
        let outcome = background::sync_once(&campaign, &options, &tag, &fingerprint).await;
        drop(turn);
        outcome
    });
    let (address, report) = round
        .await
        .map_err(|error| ApiError::Interrupted(error.to_string()))??;
    Ok(Json(Synced {
        peer: report.peer_label,
        address,
        documents: report.documents,
        changes_received: report.changes_received,
        changes_sent: report.changes_sent,
    }))
}

/// A paired device with what the screen needs beside the record: the
/// member's name (none once the member is erased) and whether it is this
/// device, which cannot revoke itself.
#[derive(Serialize)]
struct DeviceRow {
    #[serde(flatten)]
    device: Device,
    member_name: Option<String>,
    this_device: bool,
}

fn device_row(campaign: &Campaign, device: Device) -> holdfast_store::Result<DeviceRow> {
    let member_name = match &device.member_id {
        Some(id) => campaign.find::<Member>(id)?.map(|member| member.name),
        None => None,
    };
    Ok(DeviceRow {
        this_device: device.id == campaign.device_id(),
        member_name,
        device,
    })
}

async fn devices(State(shared): State<Shared>) -> ApiResult<Json<Vec<DeviceRow>>> {
    shared
        .run_with(|campaign| -> ApiResult<Vec<DeviceRow>> {
            let mut rows = Vec::new();
            for device in campaign.devices()? {
                rows.push(device_row(campaign, device)?);
            }
            Ok(rows)
        })
        .await
        .map(Json)
}

/// The member this device belongs to, who is the one inviting or revoking.
fn acting_member(campaign: &Campaign) -> holdfast_store::Result<String> {
    campaign.device_member()?.ok_or_else(|| {
        StoreError::rejected("pick who you are on this device before inviting or revoking devices")
    })
}

#[derive(Deserialize)]
struct NewInvite {
    /// The member (id or name) the new device will belong to.
    member: String,
    #[serde(default = "member_role")]
    role: Role,
    hours: Option<i64>,
    /// Where the new device finds the hub (host:port), carried in the QR
    /// code. Without one, this computer's own addresses on the hub's port.
    #[serde(default)]
    hubs: Vec<String>,
}

fn member_role() -> Role {
    Role::Member
}

/// An invite as the steward's screen shows it. The code and the link carry
/// the invite's secret, so they are shown once, here, and never stored in a
/// form that can be read back.
#[derive(Serialize)]
struct Issued {
    code: String,
    link: String,
    qr_svg: String,
    expires_at: String,
    member: String,
    member_id: String,
    role: Role,
    label: String,
}

async fn invite(
    State(shared): State<Shared>,
    Body(body): Body<NewInvite>,
) -> ApiResult<Json<Issued>> {
    let hours = body.hours.unwrap_or(DEFAULT_INVITE_HOURS);
    let hubs = if body.hubs.is_empty() {
        holdfast_net::hub::local_addresses(holdfast_net::DEFAULT_PORT)
    } else {
        body.hubs
    };
    shared
        .run_with(move |campaign| -> ApiResult<Issued> {
            let by = acting_member(campaign)?;
            let (invite, record) =
                pairing::issue_invite(campaign, &by, &body.member, body.role, hours, hubs)?;
            let member = campaign.resolve_member(&record.member_id)?;
            Ok(Issued {
                code: invite.code.display(),
                link: invite.link(),
                qr_svg: invite.qr_svg()?,
                expires_at: record.expires_at,
                member: member.name,
                member_id: record.member_id,
                role: record.role,
                label: record.label,
            })
        })
        .await
        .map(Json)
}

async fn revoke(
    State(shared): State<Shared>,
    Path(device): Path<String>,
) -> ApiResult<Json<DeviceRow>> {
    shared
        .run_with(move |campaign| -> ApiResult<DeviceRow> {
            let by = acting_member(campaign)?;
            let revoked = campaign.revoke_device(&by, &device)?;
            Ok(device_row(campaign, revoked)?)
        })
        .await
        .map(Json)
}
