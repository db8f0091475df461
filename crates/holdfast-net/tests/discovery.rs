//! Discovery over real multicast on the loopback interface.
//!
//! Every hub here is advertised by its own mDNS responder and found by a
//! separate browser that knows nothing but the campaign tag, exactly as a
//! phone would find the hub at the union hall, only over loopback instead of
//! wifi. The tests in this file run in parallel and share the network with
//! each other, so each one uses its own campaign tag and its own fingerprints.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use holdfast_net::discovery::{
    advertise, browse, browse_until, AdvertiseOptions, Advertisement, DiscoveryError, FoundHub,
    Interfaces, SERVICE_TYPE,
};
use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent};

/// How long a test waits for something that should appear. A hub normally
/// shows up within two seconds (about one for name probing, plus the query
/// and answer), and the waits end as soon as it does, so the generous limit
/// only matters on a machine too busy to schedule the mDNS threads.
const APPEAR_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a test watches to be sure that something does not appear. Hubs
/// that are on the air answer a fresh browse within about a second, so five
/// seconds of silence is a clear answer.
const ABSENCE_WINDOW: Duration = Duration::from_secs(5);

/// A name that no other test, and no other run of these tests on the same
/// machine, uses: concurrent runs would otherwise see each other's hubs.
fn unique_name(purpose: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanoseconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .subsec_nanos();
    format!(
        "{purpose}-{}-{nanoseconds}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn advertise_on_loopback(campaign_tag: &str, device_fingerprint: &str, port: u16) -> Advertisement {
    require_loopback_multicast();
    advertise(&AdvertiseOptions {
        campaign_tag: campaign_tag.to_string(),
        device_fingerprint: device_fingerprint.to_string(),
        port,
        interfaces: Interfaces::LoopbackOnly,
    })
    .expect("advertising on loopback")
}

fn loopback_address(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// Fails with instructions when this machine cannot carry multicast over the
/// loopback interface at all, so that a broken environment is not mistaken
/// for broken discovery. On Linux, a sender bound to 127.0.0.1 sends its
/// multicast out of the loopback device, which is the path mDNS takes here.
fn require_loopback_multicast() {
    let group = Ipv4Addr::new(224, 0, 0, 251);
    let receiver = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).expect("binding the probe receiver");
    let joined = receiver.join_multicast_v4(&group, &Ipv4Addr::LOCALHOST);
    let sender = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding the probe sender");
    receiver
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("setting the probe timeout");
    let port = receiver
        .local_addr()
        .expect("probe receiver address")
        .port();
    let sent = sender.send_to(b"probe", (group, port));
    let mut buffer = [0u8; 16];
    let received = receiver.recv_from(&mut buffer);
    if joined.is_err() || sent.is_err() || received.is_err() {
        panic!(
            "multicast does not loop back over the loopback interface on this machine \
             (join: {joined:?}, send: {sent:?}, receive: {received:?}). \
             On Linux, run `ip link set lo multicast on` as root and try again."
        );
    }
}

#[test]
fn finds_every_hub_of_the_campaign_over_multicast() {
    let campaign = unique_name("campaign");
    let first_fingerprint = unique_name("hub-a");
    let second_fingerprint = unique_name("hub-b");
    let _first = advertise_on_loopback(&campaign, &first_fingerprint, 47_101);
    let _second = advertise_on_loopback(&campaign, &second_fingerprint, 47_102);

    let started = Instant::now();
    let found = browse_until(&campaign, 2, APPEAR_TIMEOUT, Interfaces::LoopbackOnly)
        .expect("browsing on loopback");
    eprintln!("found {} hubs in {:?}", found.len(), started.elapsed());

    // The fingerprints differ only after the "hub-" prefix, so sorting by
    // fingerprint puts "hub-a" first.
    let expected = vec![
        FoundHub {
            addresses: vec![loopback_address(47_101)],
            device_fingerprint: first_fingerprint,
        },
        FoundHub {
            addresses: vec![loopback_address(47_102)],
            device_fingerprint: second_fingerprint,
        },
    ];
    assert_eq!(
        found, expected,
        "both hubs, each once, reachable at the port it advertised"
    );
}

#[test]
fn ignores_hubs_of_another_campaign() {
    let ours = unique_name("ours");
    let theirs = unique_name("theirs");
    let our_fingerprint = unique_name("our-hub");
    let their_fingerprint = unique_name("their-hub");
    let _our_hub = advertise_on_loopback(&ours, &our_fingerprint, 47_201);
    let _their_hub = advertise_on_loopback(&theirs, &their_fingerprint, 47_202);

    // First make sure both hubs are on the air, so that the absence of the
    // other campaign's hub below means it was filtered out, not still probing.
    let their_hubs = browse_until(&theirs, 1, APPEAR_TIMEOUT, Interfaces::LoopbackOnly)
        .expect("browsing for the other campaign");
    assert_eq!(
        their_hubs.len(),
        1,
        "the other campaign's hub is on the air"
    );
    assert_eq!(their_hubs[0].device_fingerprint, their_fingerprint);
    let our_hubs = browse_until(&ours, 1, APPEAR_TIMEOUT, Interfaces::LoopbackOnly)
        .expect("browsing for our campaign");
    assert_eq!(our_hubs.len(), 1, "our hub is on the air");

    // A browse that runs to its timeout sees every answer, and must still
    // return only our hub.
    let found = browse(&ours, ABSENCE_WINDOW, Interfaces::LoopbackOnly).expect("browsing");
    assert_eq!(
        found,
        vec![FoundHub {
            addresses: vec![loopback_address(47_201)],
            device_fingerprint: our_fingerprint,
        }]
    );
}

#[test]
fn a_dropped_hub_is_not_found_by_a_fresh_browse() {
    let campaign = unique_name("campaign");
    let fingerprint = unique_name("leaving-hub");
    let advertisement = advertise_on_loopback(&campaign, &fingerprint, 47_301);
    let found = browse_until(&campaign, 1, APPEAR_TIMEOUT, Interfaces::LoopbackOnly)
        .expect("browsing while the hub is advertised");
    assert_eq!(found.len(), 1, "the hub is found while it is advertised");

    drop(advertisement);
    let found = browse(&campaign, ABSENCE_WINDOW, Interfaces::LoopbackOnly)
        .expect("browsing after the hub left");
    assert_eq!(
        found,
        Vec::new(),
        "nobody answers for a hub that has stopped"
    );
}

#[test]
fn dropping_a_hub_says_goodbye_to_browsers_already_watching() {
    require_loopback_multicast();
    // A raw mdns-sd browser stands in for a phone that was already watching
    // and so has the hub in its cache.
    let watcher = ServiceDaemon::new().expect("starting the watcher");
    watcher
        .disable_interface(IfKind::All)
        .and_then(|()| watcher.enable_interface(IfKind::LoopbackV4))
        .expect("limiting the watcher to loopback");
    let events = watcher.browse(SERVICE_TYPE).expect("watching for hubs");

    let campaign = unique_name("campaign");
    let fingerprint = unique_name("waving-hub");
    let advertisement = advertise_on_loopback(&campaign, &fingerprint, 47_401);
    let full_name = advertisement.full_name().to_lowercase();
    wait_for_event(&events, "the hub to be resolved", |event| {
        matches!(event, ServiceEvent::ServiceResolved(service)
            if service.fullname.to_lowercase() == full_name)
    });

    // Without a goodbye, the watcher would keep the hub until its records
    // expire, which takes minutes. A goodbye gives the records one second to
    // live, so anything under the absence window can only be the goodbye.
    let dropped = Instant::now();
    drop(advertisement);
    wait_for_event(&events, "the hub's goodbye", |event| {
        matches!(event, ServiceEvent::ServiceRemoved(_, removed)
            if removed.to_lowercase() == full_name)
    });
    let took = dropped.elapsed();
    eprintln!("the watcher forgot the hub {took:?} after it was dropped");
    assert!(
        took < ABSENCE_WINDOW,
        "the removal came from the goodbye, not from the records expiring"
    );

    if let Ok(status) = watcher.shutdown() {
        let _ = status.recv_timeout(Duration::from_secs(2));
    }
}

fn wait_for_event(
    events: &mdns_sd::Receiver<ServiceEvent>,
    what: &str,
    wanted: impl Fn(&ServiceEvent) -> bool,
) {
    let deadline = Instant::now() + APPEAR_TIMEOUT;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(remaining) {
            Ok(event) if wanted(&event) => return,
            Ok(_) => {}
            Err(error) => panic!("gave up waiting for {what}: {error}"),
        }
    }
}

#[test]
fn rejects_options_that_cannot_be_advertised() {
    let valid = AdvertiseOptions {
        campaign_tag: "tag".to_string(),
        device_fingerprint: "fingerprint".to_string(),
        port: 47_501,
        interfaces: Interfaces::LoopbackOnly,
    };
    let with = |change: fn(&mut AdvertiseOptions)| {
        let mut options = valid.clone();
        change(&mut options);
        advertise(&options).expect_err("invalid options are refused")
    };

    assert!(matches!(
        with(|options| options.campaign_tag.clear()),
        DiscoveryError::InvalidCampaignTag
    ));
    assert!(matches!(
        with(|options| options.campaign_tag = "two words".to_string()),
        DiscoveryError::InvalidCampaignTag
    ));
    assert!(matches!(
        with(|options| options.device_fingerprint = "has.dot".to_string()),
        DiscoveryError::InvalidDeviceFingerprint
    ));
    assert!(matches!(
        with(|options| options.device_fingerprint = "x".repeat(254)),
        DiscoveryError::InvalidDeviceFingerprint
    ));
    assert!(matches!(
        with(|options| options.port = 0),
        DiscoveryError::InvalidPort
    ));
    assert!(matches!(
        browse("", ABSENCE_WINDOW, Interfaces::LoopbackOnly),
        Err(DiscoveryError::InvalidCampaignTag)
    ));
}
