//! Finding the hub on the local network with mDNS and DNS-SD.
//!
//! The hub advertises a `_holdfast._tcp` service on the hall's network, and
//! phones browse for it, so nobody has to type an address. Each advertisement
//! carries two TXT entries:
//!
//! - `c=<campaign tag>`: an opaque, non-identifying hash that the caller
//!   computes. Outsiders on a guest network see only the hash, so they cannot
//!   tell which union is meeting, while a browser can ignore the hubs of other
//!   campaigns sharing the same network.
//! - `k=<device fingerprint>`: which device the hub is, so that a phone can
//!   check the hub's key once it connects, and so that a hub seen on several
//!   interfaces is reported once.
//!
//! Both sides are blocking: mdns-sd runs its own thread and hands events over
//! a channel, which this module reads with a timeout. Callers running inside
//! tokio should call these functions through `tokio::task::spawn_blocking`.

use std::collections::{BTreeMap, HashMap};
use std::net::{SocketAddr, SocketAddrV6};
use std::time::{Duration, Instant};

use mdns_sd::{
    IfKind, RecvTimeoutError, ResolvedService, ScopedIp, ServiceDaemon, ServiceEvent, ServiceInfo,
};

/// The DNS-SD service type that hubs advertise and phones browse for.
pub const SERVICE_TYPE: &str = "_holdfast._tcp.local.";

/// The TXT key that carries the campaign tag.
const CAMPAIGN_KEY: &str = "c";

/// The TXT key that carries the device fingerprint.
const FINGERPRINT_KEY: &str = "k";

/// The longest value a TXT entry can carry: an entry is at most 255 bytes,
/// and a one-letter key with its `=` takes two of them.
const TXT_VALUE_MAX_LENGTH: usize = 253;

/// The longest DNS label. Instance names and host names are single labels.
const DNS_LABEL_MAX_LENGTH: usize = 63;

/// How long to wait for the mDNS thread to confirm an unregistration or a
/// shutdown. The thread answers within milliseconds when it is healthy; the
/// limit only keeps a wedged thread from hanging the caller forever.
const DAEMON_REPLY_TIMEOUT: Duration = Duration::from_secs(2);

/// How long to keep the responder running after unregistering. mdns-sd sends
/// the goodbye packet at once and a copy 120 ms later in case the first is
/// lost on a busy wifi network, but shutting down clears that pending copy, so
/// the responder has to outlive it.
const GOODBYE_REPEAT_WAIT: Duration = Duration::from_millis(250);

/// Which network interfaces to advertise and browse on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interfaces {
    /// Every interface except loopback: the normal choice, since phones reach
    /// the hub over the hall's wifi or wired network, never over loopback.
    All,
    /// Only the IPv4 loopback interface. Tests use this so that they exercise
    /// real multicast without sending mDNS traffic onto the machine's network.
    LoopbackOnly,
}

/// What a hub announces about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvertiseOptions {
    /// The opaque hash of the campaign that this hub serves. It must be 1 to
    /// 253 printable ASCII characters without spaces.
    pub campaign_tag: String,
    /// The fingerprint of this device's key. It must be 1 to 253 ASCII
    /// letters, digits, `-` or `_`, since it also names the service instance
    /// and the host on the network.
    pub device_fingerprint: String,
    /// The TCP port on which the hub's sync listener accepts connections.
    pub port: u16,
    /// Which interfaces to advertise on.
    pub interfaces: Interfaces,
}

/// A running advertisement of the hub.
///
/// Dropping it withdraws the service with a DNS-SD goodbye, so that phones
/// which are watching forget the hub right away instead of when the record
/// expires, and then stops the mDNS thread. Dropping blocks for a fraction of
/// a second while the goodbye goes out, so async code should drop it inside
/// `spawn_blocking`.
pub struct Advertisement {
    daemon: Daemon,
    full_name: String,
}

impl Advertisement {
    /// The full DNS-SD name of the advertised service instance, for logs.
    pub fn full_name(&self) -> &str {
        &self.full_name
    }
}

impl std::fmt::Debug for Advertisement {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Advertisement")
            .field("full_name", &self.full_name)
            .finish_non_exhaustive()
    }
}

impl Drop for Advertisement {
    fn drop(&mut self) {
        // Errors are ignored on purpose: there is nobody to report them to
        // during a drop, and the shutdown that follows sends a goodbye for
        // any service that is still registered anyway.
        if let Ok(status) = self.daemon.inner.unregister(&self.full_name) {
            if status.recv_timeout(DAEMON_REPLY_TIMEOUT).is_ok() {
                std::thread::sleep(GOODBYE_REPEAT_WAIT);
            }
        }
        // `Daemon`'s own drop then shuts the thread down.
    }
}

/// A hub found on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundHub {
    /// Every address at which the hub said it can be reached, IPv4 first.
    pub addresses: Vec<SocketAddr>,
    /// The fingerprint that the hub announced. It is only a claim until the
    /// connection's handshake proves that the hub holds the matching key.
    pub device_fingerprint: String,
}

/// Why advertising or browsing failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The campaign tag cannot be carried in a TXT record as it is.
    #[error("the campaign tag must be 1 to {TXT_VALUE_MAX_LENGTH} printable ASCII characters without spaces")]
    InvalidCampaignTag,
    /// The device fingerprint cannot name a service instance as it is.
    #[error("the device fingerprint must be 1 to {TXT_VALUE_MAX_LENGTH} characters, each an ASCII letter, a digit, '-' or '_'")]
    InvalidDeviceFingerprint,
    /// Port 0 means "any port" to the operating system, so phones could not
    /// connect to it.
    #[error("the hub's port must not be 0")]
    InvalidPort,
    /// The mDNS thread could not be started.
    #[error("could not start the mDNS responder: {0}")]
    Start(#[source] mdns_sd::Error),
    /// The mDNS thread refused a request.
    #[error("the mDNS responder could not {action}: {source}")]
    Request {
        /// What was being asked of the mDNS thread, such as "register the hub".
        action: &'static str,
        /// The error from mdns-sd.
        #[source]
        source: mdns_sd::Error,
    },
    /// The mDNS thread stopped while a browse was still waiting for answers.
    #[error("the mDNS responder stopped while browsing for hubs")]
    Stopped,
}

/// Advertises this device as a hub of the campaign until the returned
/// [`Advertisement`] is dropped.
///
/// The hub is announced once its name has been probed for conflicts, which
/// takes about a second; until then browsers will not see it.
pub fn advertise(options: &AdvertiseOptions) -> Result<Advertisement, DiscoveryError> {
    check_campaign_tag(&options.campaign_tag)?;
    check_device_fingerprint(&options.device_fingerprint)?;
    if options.port == 0 {
        return Err(DiscoveryError::InvalidPort);
    }

    // The fingerprint names both the instance and the host. The instance name
    // has to be unique per device, and choosing the host name ourselves keeps
    // the computer's own name, which often names its owner, off the network.
    let label = dns_label(&options.device_fingerprint);
    let host_name = format!("{}.local.", label.replace('_', "-"));
    let properties = [
        (CAMPAIGN_KEY, options.campaign_tag.as_str()),
        (FINGERPRINT_KEY, options.device_fingerprint.as_str()),
    ];
    // No addresses are given: mdns-sd fills in those of the chosen interfaces
    // and keeps them current when the hall's router hands out new ones.
    let service = ServiceInfo::new(
        SERVICE_TYPE,
        label,
        &host_name,
        "",
        options.port,
        &properties[..],
    )
    .map_err(|source| DiscoveryError::Request {
        action: "describe the hub",
        source,
    })?
    .enable_addr_auto();
    let full_name = service.get_fullname().to_string();

    let daemon = Daemon::start(options.interfaces)?;
    daemon
        .inner
        .register(service)
        .map_err(|source| DiscoveryError::Request {
            action: "register the hub",
            source,
        })?;
    Ok(Advertisement { daemon, full_name })
}

/// Browses for the whole of `timeout` and returns every hub of this campaign
/// that was found, one entry per device fingerprint, sorted by fingerprint.
///
/// Hubs of other campaigns are ignored, as are hubs that withdrew their
/// advertisement before the time was up.
pub fn browse(
    campaign_tag: &str,
    timeout: Duration,
    interfaces: Interfaces,
) -> Result<Vec<FoundHub>, DiscoveryError> {
    collect_hubs(campaign_tag, None, timeout, interfaces)
}

/// Like [`browse`], but returns as soon as `want` hubs of this campaign have
/// been found, so that a phone looking for its one hub does not wait out the
/// whole timeout. It returns fewer than `want` hubs only if the timeout ran
/// out first.
pub fn browse_until(
    campaign_tag: &str,
    want: usize,
    timeout: Duration,
    interfaces: Interfaces,
) -> Result<Vec<FoundHub>, DiscoveryError> {
    collect_hubs(campaign_tag, Some(want), timeout, interfaces)
}

fn collect_hubs(
    campaign_tag: &str,
    want: Option<usize>,
    timeout: Duration,
    interfaces: Interfaces,
) -> Result<Vec<FoundHub>, DiscoveryError> {
    check_campaign_tag(campaign_tag)?;
    let deadline = Instant::now() + timeout;
    let daemon = Daemon::start(interfaces)?;
    let events = daemon
        .inner
        .browse(SERVICE_TYPE)
        .map_err(|source| DiscoveryError::Request {
            action: "browse for hubs",
            source,
        })?;

    // Keyed by instance name rather than by fingerprint, so that a goodbye,
    // which names only the instance, removes exactly what it announced.
    let mut instances: HashMap<String, FoundHub> = HashMap::new();
    loop {
        if want.is_some_and(|want| count_devices(&instances) >= want) {
            break;
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            break;
        }
        match events.recv_timeout(remaining) {
            Ok(ServiceEvent::ServiceResolved(service)) => {
                match hub_of_campaign(&service, campaign_tag) {
                    Some(hub) => instances.insert(service.fullname.clone(), hub),
                    // A hub can be re-announced with another campaign tag;
                    // then it no longer belongs in this campaign's list.
                    None => instances.remove(&service.fullname),
                };
            }
            Ok(ServiceEvent::ServiceRemoved(_, full_name)) => {
                instances.remove(&full_name);
            }
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return Err(DiscoveryError::Stopped),
        }
    }
    Ok(merge_by_fingerprint(instances.into_values()))
}

/// Turns a resolved service into a hub if it belongs to the campaign.
fn hub_of_campaign(service: &ResolvedService, campaign_tag: &str) -> Option<FoundHub> {
    if service.get_property_val_str(CAMPAIGN_KEY) != Some(campaign_tag) {
        return None;
    }
    let device_fingerprint = service.get_property_val_str(FINGERPRINT_KEY)?;
    if device_fingerprint.is_empty() {
        return None;
    }
    let addresses = service
        .addresses
        .iter()
        .map(|address| socket_address(address, service.port))
        .collect();
    Some(FoundHub {
        addresses,
        device_fingerprint: device_fingerprint.to_string(),
    })
}

/// Builds a connectable address. A link-local IPv6 address is ambiguous on a
/// machine with several interfaces, so it keeps the index of the interface on
/// which it was heard.
fn socket_address(address: &ScopedIp, port: u16) -> SocketAddr {
    match address {
        ScopedIp::V6(scoped) if scoped.addr().is_unicast_link_local() => SocketAddr::V6(
            SocketAddrV6::new(*scoped.addr(), port, 0, scoped.scope_id().index),
        ),
        other => SocketAddr::new(other.to_ip_addr(), port),
    }
}

fn count_devices(instances: &HashMap<String, FoundHub>) -> usize {
    let mut fingerprints: Vec<&str> = instances
        .values()
        .map(|hub| hub.device_fingerprint.as_str())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    fingerprints.len()
}

/// Folds the instances of one device into a single hub. One device can show
/// up under several instance names, for example after mdns-sd renamed it to
/// settle a name conflict, and its addresses are then the union of them all.
fn merge_by_fingerprint(hubs: impl IntoIterator<Item = FoundHub>) -> Vec<FoundHub> {
    let mut by_fingerprint: BTreeMap<String, Vec<SocketAddr>> = BTreeMap::new();
    for hub in hubs {
        by_fingerprint
            .entry(hub.device_fingerprint)
            .or_default()
            .extend(hub.addresses);
    }
    by_fingerprint
        .into_iter()
        .map(|(device_fingerprint, mut addresses)| {
            // `SocketAddr` orders IPv4 before IPv6, and IPv4 is what a phone
            // on the hall's wifi is most likely to reach.
            addresses.sort_unstable();
            addresses.dedup();
            FoundHub {
                addresses,
                device_fingerprint,
            }
        })
        .collect()
}

fn check_campaign_tag(campaign_tag: &str) -> Result<(), DiscoveryError> {
    let fits = !campaign_tag.is_empty() && campaign_tag.len() <= TXT_VALUE_MAX_LENGTH;
    if fits && campaign_tag.bytes().all(|byte| byte.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(DiscoveryError::InvalidCampaignTag)
    }
}

fn check_device_fingerprint(device_fingerprint: &str) -> Result<(), DiscoveryError> {
    let fits = !device_fingerprint.is_empty() && device_fingerprint.len() <= TXT_VALUE_MAX_LENGTH;
    let allowed = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
    if fits && device_fingerprint.bytes().all(allowed) {
        Ok(())
    } else {
        Err(DiscoveryError::InvalidDeviceFingerprint)
    }
}

/// The part of a fingerprint that fits in one DNS label. The full fingerprint
/// still travels in the TXT record; the label only has to be unique, and 63
/// characters of a key fingerprint are unique with overwhelming probability.
/// If two labels did collide, mdns-sd's conflict probing would rename one.
fn dns_label(device_fingerprint: &str) -> &str {
    // The fingerprint was checked to be ASCII, so every index is a character
    // boundary.
    &device_fingerprint[..device_fingerprint.len().min(DNS_LABEL_MAX_LENGTH)]
}

/// A mDNS thread limited to the chosen interfaces, shut down when dropped.
struct Daemon {
    inner: ServiceDaemon,
}

impl Daemon {
    fn start(interfaces: Interfaces) -> Result<Self, DiscoveryError> {
        let daemon = Daemon {
            inner: ServiceDaemon::new().map_err(DiscoveryError::Start)?,
        };
        // mdns-sd starts out on every interface, loopback included, and later
        // selections override earlier ones. The thread handles commands in
        // order, so these take effect before any registration or query.
        let selection = match interfaces {
            Interfaces::All => daemon
                .inner
                .disable_interface(vec![IfKind::LoopbackV4, IfKind::LoopbackV6]),
            Interfaces::LoopbackOnly => daemon
                .inner
                .disable_interface(IfKind::All)
                .and_then(|()| daemon.inner.enable_interface(IfKind::LoopbackV4)),
        };
        selection.map_err(|source| DiscoveryError::Request {
            action: "choose the network interfaces",
            source,
        })?;
        Ok(daemon)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Waiting for the confirmation means the sockets are closed by the
        // time the caller moves on, so a browse started right afterwards
        // cannot be answered by this responder. Errors mean the thread has
        // already stopped, which is the goal anyway.
        if let Ok(status) = self.inner.shutdown() {
            let _ = status.recv_timeout(DAEMON_REPLY_TIMEOUT);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(device_fingerprint: &str, addresses: &[&str]) -> FoundHub {
        FoundHub {
            addresses: addresses
                .iter()
                .map(|address| address.parse().expect("test address"))
                .collect(),
            device_fingerprint: device_fingerprint.to_string(),
        }
    }

    #[test]
    fn instances_of_one_device_merge_into_one_hub() {
        let merged = merge_by_fingerprint([
            hub("bbbb", &["[fd00::2]:7000", "192.0.2.2:7000"]),
            hub("aaaa", &["192.0.2.9:7000"]),
            hub("bbbb", &["192.0.2.2:7000", "10.0.0.2:7000"]),
        ]);
        assert_eq!(
            merged,
            vec![
                hub("aaaa", &["192.0.2.9:7000"]),
                hub(
                    "bbbb",
                    &["10.0.0.2:7000", "192.0.2.2:7000", "[fd00::2]:7000"]
                ),
            ]
        );
    }

    #[test]
    fn campaign_tags_must_fit_a_txt_record() {
        assert!(check_campaign_tag("dGFn+/=").is_ok());
        assert!(check_campaign_tag("").is_err());
        assert!(check_campaign_tag("has space").is_err());
        assert!(check_campaign_tag("é").is_err());
        assert!(check_campaign_tag(&"a".repeat(TXT_VALUE_MAX_LENGTH)).is_ok());
        assert!(check_campaign_tag(&"a".repeat(TXT_VALUE_MAX_LENGTH + 1)).is_err());
        assert_eq!(
            DiscoveryError::InvalidCampaignTag.to_string(),
            "the campaign tag must be 1 to 253 printable ASCII characters without spaces"
        );
    }

    #[test]
    fn fingerprints_must_make_a_dns_label() {
        assert!(check_device_fingerprint("0f3A-b_9").is_ok());
        assert!(check_device_fingerprint("").is_err());
        assert!(check_device_fingerprint("a.b").is_err());
        assert!(check_device_fingerprint("a b").is_err());
        let long = "f".repeat(64);
        assert!(check_device_fingerprint(&long).is_ok());
        assert_eq!(dns_label(&long).len(), DNS_LABEL_MAX_LENGTH);
        assert_eq!(dns_label("short"), "short");
    }
}
