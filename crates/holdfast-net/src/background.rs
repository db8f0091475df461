//! Sync that runs by itself: the hub in the background of the desktop app,
//! and the loop that syncs whenever a hub or peer is reachable.
//!
//! A phone at the picket line has no network for hours; the loop simply
//! fails quietly until the hall's wifi (or a hotspot with a hub on it)
//! appears, then syncs, and keeps the address that worked for next time.
//!
//! A campaign that starts locked waits for its passphrase before anything
//! here starts; while it is locked again later, the loop skips its rounds.

use std::time::Duration;

use holdfast_sync::{Identity, Report};

use crate::discovery::{self, AdvertiseOptions, Interfaces};
use crate::{client, hub, lock, until_unlocked, NetError, SharedVault};

/// Where the address of the last hub that answered is kept (locally).
pub const LAST_HUB: &str = "last_hub_address";

/// What runs in the background.
#[derive(Debug, Clone)]
pub struct BackgroundOptions {
    /// Run a hub on this address (the desktop at the hall), or none (a phone).
    pub hub_address: Option<String>,
    /// mDNS to announce the hub and find others; none to skip discovery.
    pub discovery: Option<Interfaces>,
    /// How long to wait between sync attempts.
    pub interval: Duration,
    /// Addresses to try besides the remembered one and discovered ones.
    pub peers: Vec<String>,
}

impl Default for BackgroundOptions {
    fn default() -> Self {
        BackgroundOptions {
            hub_address: None,
            discovery: Some(Interfaces::All),
            interval: Duration::from_secs(30),
            peers: Vec::new(),
        }
    }
}

/// Runs the hub (if asked) and the sync loop until the task is dropped.
pub async fn run(campaign: SharedVault, options: BackgroundOptions) -> Result<(), NetError> {
    until_unlocked(&campaign).await;
    let (identity, tag) = {
        let mut vault = lock(&campaign);
        let campaign = vault.campaign()?;
        let identity = Identity::of(campaign)?;
        let tag = holdfast_sync::identity::discovery_tag(campaign)?;
        (identity, tag)
    };
    let mut _advertisement = None;
    if let Some(address) = &options.hub_address {
        match hub::bind(address).await {
            Ok(listener) => {
                let port = listener.local_addr().map(|bound| bound.port()).unwrap_or(0);
                if let Some(interfaces) = options.discovery {
                    let advertise = AdvertiseOptions {
                        campaign_tag: tag.clone(),
                        device_fingerprint: identity.fingerprint(),
                        port,
                        interfaces,
                    };
                    match tokio::task::spawn_blocking(move || discovery::advertise(&advertise))
                        .await
                    {
                        Ok(Ok(advertisement)) => _advertisement = Some(advertisement),
                        Ok(Err(error)) => eprintln!("holdfast: the hub is not announced: {error}"),
                        Err(_) => eprintln!("holdfast: the hub is not announced"),
                    }
                }
                eprintln!("holdfast: sync hub listening on {address}");
                let campaign = campaign.clone();
                let identity = identity.clone();
                tokio::spawn(async move {
                    let options = hub::HubOptions::default();
                    if let Err(error) = hub::serve(campaign, identity, listener, options).await {
                        eprintln!("holdfast: the sync hub stopped: {error}");
                    }
                });
            }
            // Another hub on this computer (or a port in use) should not
            // stop the app: it still syncs as a client.
            Err(error) => eprintln!("holdfast: no sync hub on this device: {error}"),
        }
    }
    let own_fingerprint = identity.fingerprint();
    loop {
        if !lock(&campaign).is_locked() {
            let _ = sync_once(&campaign, &options, &tag, &own_fingerprint).await;
        }
        tokio::time::sleep(options.interval).await;
    }
}

/// One round: the remembered hub, the given peers, then whatever mDNS
/// finds. Stops at the first that syncs, and remembers it.
pub async fn sync_once(
    campaign: &SharedVault,
    options: &BackgroundOptions,
    tag: &str,
    own_fingerprint: &str,
) -> Result<(String, Report), NetError> {
    let mut candidates = Vec::new();
    if let Some(last) = lock(campaign).campaign()?.local_value(LAST_HUB)? {
        candidates.push(last);
    }
    for peer in &options.peers {
        if !candidates.contains(peer) {
            candidates.push(peer.clone());
        }
    }
    let mut last_error = NetError::NoHub;
    for address in &candidates {
        match client::sync_with(campaign.clone(), address).await {
            Ok(report) => {
                lock(campaign)
                    .campaign()?
                    .set_local_value(LAST_HUB, address)?;
                return Ok((address.clone(), report));
            }
            Err(error) => last_error = error,
        }
    }
    if let Some(interfaces) = options.discovery {
        let tag = tag.to_string();
        let found = tokio::task::spawn_blocking(move || {
            discovery::browse_until(&tag, 1, Duration::from_secs(3), interfaces)
        })
        .await
        .map_err(|_| NetError::TaskFailed)??;
        for hub in found {
            if hub.device_fingerprint == own_fingerprint {
                continue;
            }
            for address in hub.addresses {
                let address = address.to_string();
                match client::sync_with(campaign.clone(), &address).await {
                    Ok(report) => {
                        lock(campaign)
                            .campaign()?
                            .set_local_value(LAST_HUB, &address)?;
                        return Ok((address, report));
                    }
                    Err(error) => last_error = error,
                }
            }
        }
    }
    Err(last_error)
}
