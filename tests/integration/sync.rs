//! Sync between separate processes over real sockets on loopback: a hub
//! (`holdfast hub`) and phones (`holdfast pair`, `holdfast sync`), each with
//! its own data directory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::support::{field, id_of, Holdfast};

/// A running `holdfast hub`, stopped when dropped.
pub(crate) struct Hub {
    child: Child,
    pub(crate) address: String,
    /// What the hub printed before it started serving.
    banner: Vec<String>,
}

impl Hub {
    pub(crate) fn start(holdfast: &Holdfast, discovery: &str) -> Hub {
        Hub::start_on(holdfast, discovery, "0")
    }

    /// Starts the hub on a given port, as a hall PC does after a restart.
    fn start_on(holdfast: &Holdfast, discovery: &str, port: &str) -> Hub {
        Hub::start_with(holdfast, discovery, port, &[])
    }

    pub(crate) fn start_with(
        holdfast: &Holdfast,
        discovery: &str,
        port: &str,
        extra: &[&str],
    ) -> Hub {
        Hub::start_in(holdfast, &[], discovery, port, extra, None)
    }

    /// Starts the hub with extra environment variables, such as the
    /// passphrase of a locked campaign.
    pub(crate) fn start_in(
        holdfast: &Holdfast,
        environment: &[(&str, &str)],
        discovery: &str,
        port: &str,
        extra: &[&str],
        log: Option<&std::path::Path>,
    ) -> Hub {
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("the log file")),
            None => Stdio::null(),
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_holdfast"))
            .env_remove("HOLDFAST_PASSPHRASE")
            .envs(environment.iter().copied())
            .arg("--data-dir")
            .arg(holdfast.data_dir())
            .args([
                "hub",
                "--address",
                "127.0.0.1",
                "--port",
                port,
                "--discovery",
                discovery,
            ])
            .args(
                if extra.iter().any(|argument| argument.starts_with("--ui")) {
                    &[][..]
                } else {
                    &["--no-ui"][..]
                },
            )
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the hub starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped"));
        let mut line = String::new();
        lines
            .read_line(&mut line)
            .expect("the hub prints its address");
        let address = line
            .trim()
            .strip_prefix("Holdfast hub listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        let mut banner = Vec::new();
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap_or(0) == 0 || line.starts_with("Press Ctrl-C") {
                break;
            }
            banner.push(line.trim().to_string());
        }
        // Keep reading so the hub never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = lines.read_to_string(&mut rest);
        });
        Hub {
            child,
            address,
            banner,
        }
    }

    /// Bytes the hub process has written so far, to files and pipes alike
    /// (`wchar` in `/proc/<pid>/io`).
    pub(crate) fn written_bytes(&self) -> u64 {
        let io = std::fs::read_to_string(format!("/proc/{}/io", self.child.id())).unwrap();
        io.lines()
            .find_map(|line| line.strip_prefix("wchar:"))
            .and_then(|value| value.trim().parse().ok())
            .unwrap()
    }

    /// The hub process's resident memory, in KiB.
    pub(crate) fn resident_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn invite(hub: &Holdfast, address: &str, member: &str, role: &str) -> String {
    let issued = hub.json(&[
        "--as",
        "Rosa Steward",
        "invite",
        member,
        "--role",
        role,
        "--hub",
        address,
    ]);
    issued["link"].as_str().expect("a link").to_string()
}

pub(crate) fn paired_phone(hub: &Holdfast, address: &str, member: &str, role: &str) -> Holdfast {
    let phone = Holdfast::empty();
    let link = invite(hub, address, member, role);
    phone.ok(&["pair", &link]);
    phone
}

pub(crate) fn hub_campaign() -> Holdfast {
    let hub = Holdfast::new();
    hub.member(
        "Rosa Steward",
        &["--role", "steward", "--role", "coordinator"],
    );
    hub.member("Ana Okafor", &[]);
    hub.member("Ben Tran", &[]);
    hub.member("Cy Diaz", &[]);
    hub.member("Dee Walker", &["--role", "coordinator"]);
    hub.ok(&[
        "action",
        "add",
        "Gate picket",
        "--kind",
        "informational_picket",
        "--tactic",
        "picket",
        "--starts",
        "2026-03-02T07:00:00Z",
        "--ends",
        "2026-03-02T15:00:00Z",
    ]);
    hub.ok(&[
        "--as",
        "Rosa Steward",
        "aid",
        "contribute",
        "--category",
        "rent",
        "--amount",
        "100",
    ]);
    hub
}

pub(crate) fn check_in(device: &Holdfast, member: &str) {
    device.ok(&["--as", member, "checkin", "Gate picket", "--member", member]);
}

pub(crate) fn check_in_ids(device: &Holdfast) -> Vec<String> {
    let mut ids = field(&device.json(&["checks", "Gate picket"]), "id");
    ids.sort();
    ids
}

/// A member's id, as a device lists it.
pub(crate) fn member_id(device: &Holdfast, name: &str) -> String {
    device
        .json(&["member", "list"])
        .as_array()
        .unwrap()
        .iter()
        .find(|member| member["name"] == name)
        .unwrap_or_else(|| panic!("no member {name}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn ledger_ids(device: &Holdfast) -> Vec<String> {
    let mut ids = field(&device.json(&["aid", "ledger"]), "id");
    ids.sort();
    ids
}

pub(crate) fn sync(phone: &Holdfast) -> Value {
    phone.json(&["sync", "--discovery", "off"])
}

fn payout(device: &Holdfast, by: &str, amount: &str) {
    let request = device.json(&[
        "aid",
        "request",
        "--member",
        "Ben Tran",
        "--category",
        "rent",
        "--amount",
        amount,
        "--urgency",
        "urgent",
        "--note",
        "rent",
    ]);
    device.ok(&[
        "--as",
        by,
        "aid",
        "disburse",
        "--request",
        &id_of(&request),
        "--amount",
        amount,
    ]);
}

#[test]
fn a_hub_and_three_phones_converge_after_offline_edits_in_any_order() {
    let hub = hub_campaign();
    let running = Hub::start(&hub, "off");
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "member");
    let ben = paired_phone(&hub, &running.address, "Ben Tran", "captain");
    let dee = paired_phone(&hub, &running.address, "Dee Walker", "coordinator");
    let port = running.address.rsplit(':').next().unwrap().to_string();
    drop(running);

    // Everyone offline: check-ins on every device, and two payouts from the
    // same 100.00 pool on two devices that cannot see each other.
    check_in(&ana, "Ana Okafor");
    check_in(&ben, "Ben Tran");
    check_in(&dee, "Dee Walker");
    check_in(&hub, "Rosa Steward");
    payout(&dee, "Dee Walker", "80");
    payout(&hub, "Rosa Steward", "70");

    let running = Hub::start_on(&hub, "off", &port);
    // Reconnect in a mixed order, twice round, so every phone hears of
    // every other phone's edits through the hub.
    for phone in [&ben, &dee, &ana, &dee, &ben, &ana] {
        let report = sync(phone);
        assert!(report["round_trips"].as_u64().unwrap() <= 4, "{report}");
    }
    drop(running);

    let expected = check_in_ids(&hub);
    assert_eq!(expected.len(), 4);
    let expected_ledger = ledger_ids(&hub);
    assert_eq!(expected_ledger.len(), 3, "contribution and two payouts");
    for phone in [&ana, &ben, &dee] {
        assert_eq!(ledger_ids(phone), expected_ledger);
    }
    // The captain's phone holds every check-in; a member's phone holds its
    // own and no one else's.
    assert_eq!(check_in_ids(&ben), expected);
    for (phone, name) in [(&ana, "Ana Okafor"), (&dee, "Dee Walker")] {
        let own = check_in_ids(phone);
        assert_eq!(own.len(), 1, "{name}: {own:?}");
        assert!(expected.contains(&own[0]), "{name}: {own:?}");
        let checks = phone.json(&["checks", "Gate picket"]);
        assert_eq!(checks[0]["member_id"], member_id(&hub, name), "{checks}");
    }
    let attention = hub.ok(&["attention", "list"]);
    assert!(
        attention.to_lowercase().contains("overdrawn"),
        "{attention}"
    );
    let on_phone = ana.ok(&["attention", "list"]);
    assert!(on_phone.to_lowercase().contains("overdrawn"), "{on_phone}");

    // Who received aid stays with coordinators: Dee's phone has it, Ana's not.
    let documents = |device: &Holdfast| field(&device.json(&["documents"]), "document");
    assert!(documents(&dee).contains(&"aid-private".to_string()));
    assert!(!documents(&ana).contains(&"aid-private".to_string()));

    // Nothing of Ana's waits to leave her phone.
    assert_eq!(
        ana.json(&["sync-status"])["unsynced_local_changes"],
        0,
        "{}",
        ana.ok(&["sync-status"])
    );
}

#[test]
fn strangers_revoked_devices_and_garbage_are_refused_while_the_hub_serves_others() {
    let hub = hub_campaign();
    let running = Hub::start(&hub, "off");
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "captain");
    let ben = paired_phone(&hub, &running.address, "Ben Tran", "member");

    // A device of another campaign, never paired.
    let stranger = Holdfast::new();
    let stderr = stranger.refused(&["sync", "--peer", &running.address, "--discovery", "off"]);
    assert!(stderr.contains("not paired"), "{stderr}");

    // Garbage, an oversized frame and a frame cut short.
    for bytes in [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        vec![0xff, 0xff, 0xff, 0xff, 1, 2, 3],
        vec![0, 0, 0, 9, 1, b'H', b'F'],
    ] {
        let mut socket = TcpStream::connect(&running.address).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(40)))
            .unwrap();
        socket.write_all(&bytes).unwrap();
        let _ = socket.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = socket.read_to_end(&mut answer);
        assert!(answer.len() < 200, "the hub answered garbage with data");
    }

    // A revoked device is refused at its next connection, with a reason.
    let ben_id = ben
        .json(&["devices"])
        .as_array()
        .unwrap()
        .iter()
        .find(|device| device["label"].as_str().unwrap().starts_with("Ben"))
        .map(|device| device["id"].as_str().unwrap().to_string())
        .unwrap();
    hub.ok(&["--as", "Rosa Steward", "revoke", &ben_id]);
    check_in(&hub, "Rosa Steward");
    let stderr = ben.refused(&["sync", "--discovery", "off"]);
    assert!(stderr.contains("revoked"), "{stderr}");
    assert!(
        check_in_ids(&ben).is_empty(),
        "the revoked phone got new data"
    );

    // The hub kept serving: Ana still syncs and gets the new check-in.
    sync(&ana);
    assert_eq!(check_in_ids(&ana), check_in_ids(&hub));
    let events = hub.ok(&["sync-status"]);
    assert!(events.contains("refused"), "{events}");
}

#[test]
fn a_phone_finds_the_hub_over_mdns_when_its_address_changed() {
    let hub = hub_campaign();
    let running = Hub::start(&hub, "off");
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "member");
    drop(running);
    check_in(&ana, "Ana Okafor");
    // The hub comes back on another port; only mDNS can tell the phone.
    let running = Hub::start(&hub, "loopback");
    let report = ana.json(&["sync", "--discovery", "loopback"]);
    assert_eq!(report["address"].as_str().unwrap(), running.address);
    drop(running);
    assert_eq!(check_in_ids(&hub), check_in_ids(&ana));
}

#[test]
fn bundles_carry_changes_on_a_stick_and_refuse_tampering() {
    let hub = hub_campaign();
    let running = Hub::start(&hub, "off");
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "member");
    drop(running);
    check_in(&ana, "Ana Okafor");
    let file = ana.file("for-hub.holdfast");
    let file_text = file.to_str().unwrap();
    ana.ok(&["bundle", "export", file_text]);
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        !bytes.windows(4).any(|window| window == b"Gate"),
        "a bundle must be encrypted"
    );

    let first = hub.json(&["bundle", "import", file_text]);
    assert!(first["changed"].as_u64().unwrap() >= 1, "{first}");
    assert_eq!(check_in_ids(&hub), check_in_ids(&ana));
    let again = hub.json(&["bundle", "import", file_text]);
    assert_eq!(again["changed"], 0, "importing twice changes nothing");

    let mut tampered = bytes.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    let tampered_file = ana.file("tampered.holdfast");
    std::fs::write(&tampered_file, &tampered).unwrap();
    let stderr = hub.refused(&["bundle", "import", tampered_file.to_str().unwrap()]);
    assert!(stderr.contains("altered"), "{stderr}");

    let stranger = Holdfast::new();
    let stderr = stranger.refused(&["bundle", "import", file_text]);
    assert!(stderr.contains("another campaign"), "{stderr}");

    // After Ana's phone is revoked, bundles are sealed with a key it never
    // receives: what the hub writes next is unreadable to it.
    let ana_id = device_id(&hub, "Ana");
    hub.ok(&["--as", "Rosa Steward", "revoke", &ana_id]);
    check_in(&hub, "Rosa Steward");
    let after = hub.file("after-revocation.holdfast");
    hub.ok(&["bundle", "export", after.to_str().unwrap()]);
    let stderr = ana.refused(&["bundle", "import", after.to_str().unwrap()]);
    assert!(stderr.contains("never given"), "{stderr}");
    assert_eq!(
        check_in_ids(&ana).len(),
        1,
        "nothing after the revocation reached Ana"
    );
}

/// The id of the paired device whose label starts with `label`.
pub(crate) fn device_id(device: &Holdfast, label: &str) -> String {
    device
        .json(&["devices"])
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["label"].as_str().unwrap().starts_with(label))
        .map(|entry| entry["id"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no device labelled {label}"))
}

#[test]
fn stalled_and_oversized_connections_do_not_starve_a_phone() {
    let hub = hub_campaign();
    let running = Hub::start_with(
        &hub,
        "off",
        "0",
        &["--max-connections", "100", "--handshake-timeout", "2"],
    );
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "member");
    check_in(&ana, "Ana Okafor");
    let before = running.resident_kib();

    // 150 connections that say nothing, 30 that start a hello and stall,
    // 20 that announce a frame far over the limit and stall.
    let mut stalled = Vec::new();
    for index in 0..200 {
        let mut socket = TcpStream::connect(&running.address).unwrap();
        match index {
            0..150 => {}
            150..180 => socket.write_all(&[0, 0, 0, 6, 1, b'H', b'F']).unwrap(),
            _ => socket.write_all(&[0x7f, 0xff, 0xff, 0xff, 3]).unwrap(),
        }
        stalled.push(socket);
    }
    let during = running.resident_kib();
    // With every place taken, the oldest still in its handshake gave way
    // to each newcomer, and was told why; and so does one for the phone,
    // well before the stalled ones run out of time.
    let report = sync(&ana);
    assert!(report["changes_sent"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(check_in_ids(&ana).len(), 1);
    std::thread::sleep(Duration::from_millis(300));
    let refused = stalled
        .iter_mut()
        .map(crate::crowd::told_busy)
        .filter(|busy| *busy)
        .count();
    let after = running.resident_kib();
    drop(stalled);
    eprintln!(
        "hub memory: {before} KiB before, {during} KiB with 200 stalled connections, {after} KiB after; {refused} of them told busy"
    );
    assert!(refused >= 80, "only {refused} stalled connections gave way");
    assert!(
        during < before + 64 * 1024,
        "stalled connections grew the hub by {} KiB",
        during - before
    );
    drop(running);
    assert_eq!(check_in_ids(&hub), check_in_ids(&ana));
}

/// One HTTP/1.1 GET over a plain socket; returns the status and the whole
/// answer.
fn http_get(address: &str, path: &str, cookie: Option<&str>) -> (u16, String) {
    let cookie = cookie
        .map(|cookie| format!("Cookie: {cookie}\r\n"))
        .unwrap_or_default();
    http_exchange(
        address,
        &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{cookie}Connection: close\r\n\r\n"),
    )
}

/// Sends `request` as it is and reads the answer to the end.
fn http_exchange(address: &str, request: &str) -> (u16, String) {
    let mut socket = TcpStream::connect(address).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    socket.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

#[test]
fn the_hub_serves_the_ui_to_the_hall_only_through_its_link() {
    let hub = hub_campaign();
    let running = Hub::start_with(
        &hub,
        "off",
        "0",
        &["--ui-address", "0.0.0.0", "--ui-port", "0"],
    );
    let local = running
        .banner
        .iter()
        .find_map(|line| line.strip_prefix("Web UI on this computer: http://"))
        .expect("the local address")
        .trim_end_matches('/')
        .to_string();
    let (status, _) = http_get(&local, "/api/today", None);
    assert_eq!(status, 200, "this computer needs no key");
    let Some(link) = running.banner.iter().find_map(|line| {
        line.split(": ")
            .nth(1)
            .filter(|rest| rest.contains("/enter?key="))
    }) else {
        // A machine with no network interface but loopback cannot check
        // the other side; say so rather than pass in silence.
        eprintln!(
            "no non-loopback address on this machine: {:?}",
            running.banner
        );
        return;
    };
    let link = link.strip_prefix("http://").unwrap();
    let (hall, enter) = link.split_once('/').unwrap();
    let (status, body) = http_get(hall, "/api/today", None);
    assert_eq!(status, 401, "{body}");
    let (status, _) = http_get(hall, "/enter?key=0000", None);
    assert_eq!(status, 401);
    let (status, answer) = http_get(hall, &format!("/{enter}"), None);
    assert_eq!(status, 303, "{answer}");
    let cookie = answer
        .lines()
        .find_map(|line| {
            line.strip_prefix("set-cookie: ")
                .or_else(|| line.strip_prefix("Set-Cookie: "))
        })
        .and_then(|value| value.split(';').next())
        .expect("a cookie")
        .to_string();
    let (status, body) = http_get(hall, "/api/today", Some(&cookie));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn serve_on_a_hall_address_keeps_the_halls_rules() {
    let holdfast = hub_campaign();
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .env_remove("HOLDFAST_PASSPHRASE")
        .arg("--data-dir")
        .arg(holdfast.data_dir())
        .args(["serve", "--address", "0.0.0.0", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped"));
    let mut banner = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).unwrap_or(0) == 0 || line.starts_with("Press Ctrl-C") {
            break;
        }
        banner.push(line.trim().to_string());
    }
    let link = banner
        .iter()
        .find_map(|line| {
            line.split(": ")
                .nth(1)
                .filter(|rest| rest.contains("/enter?key="))
        })
        .map(str::to_string);
    let outcome = std::panic::catch_unwind(|| {
        let Some(link) = link else {
            // Only a machine with no address but loopback may print none.
            let probe = std::net::UdpSocket::bind("0.0.0.0:0")
                .and_then(|socket| socket.connect("192.0.2.1:9").map(|()| socket))
                .and_then(|socket| socket.local_addr());
            assert!(
                probe.map_or(true, |address| address.ip().is_loopback()),
                "serve printed no link for other computers: {banner:?}"
            );
            eprintln!("no non-loopback address on this machine: {banner:?}");
            return;
        };
        let (hall, enter) = link
            .strip_prefix("http://")
            .and_then(|rest| rest.split_once('/'))
            .expect("an address and a path");
        let (status, body) = http_get(hall, "/api/members", None);
        assert_eq!(status, 401, "another computer needs the link: {body}");
        let (status, answer) = http_get(hall, &format!("/{enter}"), None);
        assert_eq!(status, 303, "{answer}");
        let cookies: Vec<String> = answer
            .lines()
            .filter_map(|line| line.strip_prefix("set-cookie: "))
            .filter_map(|value| value.split(';').next())
            .map(str::to_string)
            .collect();
        let cookie = cookies.join("; ");
        let (status, body) = http_get(hall, "/api/members", Some(&cookie));
        assert_eq!(status, 200, "{body}");
        let (status, body) = http_exchange(
            hall,
            &format!(
                "POST /api/wipe HTTP/1.1\r\nHost: {hall}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n{{\"confirm\": \"WIPE\"}}"
            ),
        );
        assert_eq!(status, 403, "wiping stays with this computer: {body}");
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    holdfast.ok(&["member", "list"]);
}

/// One HTTP/1.1 POST with a JSON body over a plain socket; returns the
/// status and the whole answer.
fn http_post(address: &str, path: &str, body: &str) -> (u16, String) {
    http_exchange(
        address,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

#[test]
fn a_locked_hub_turns_devices_away_and_keeps_running() {
    const PASSPHRASE: &str = "solidarity forever";
    let hub = hub_campaign();
    let running = Hub::start(&hub, "off");
    let ana = paired_phone(&hub, &running.address, "Ana Okafor", "member");
    drop(running);
    let set = hub.run_with(
        &[("HOLDFAST_NEW_PASSPHRASE", PASSPHRASE)],
        &["passphrase", "set"],
    );
    assert!(set.status.success(), "{set:?}");

    let mut running = Hub::start_in(
        &hub,
        &[("HOLDFAST_PASSPHRASE", PASSPHRASE)],
        "off",
        "0",
        &["--ui-port", "0"],
        None,
    );
    let ui = running
        .banner
        .iter()
        .find_map(|line| line.strip_prefix("Web UI on this computer: http://"))
        .expect("the web UI's address")
        .trim_end_matches('/')
        .to_string();
    let sync_args = ["sync", "--discovery", "off", "--peer", &running.address];
    ana.ok(&sync_args);

    // Locked from the hub's own computer: devices are told why, and the
    // hub keeps running.
    let (status, answer) = http_post(&ui, "/api/lock", "{}");
    assert_eq!(status, 200, "{answer}");
    let refusal = ana.refused(&sync_args);
    assert!(refusal.contains("the hub is locked"), "{refusal}");
    assert!(
        running.child.try_wait().unwrap().is_none(),
        "the hub runs on"
    );

    let (status, answer) = http_post(
        &ui,
        "/api/unlock",
        &format!("{{\"passphrase\": \"{PASSPHRASE}\"}}"),
    );
    assert_eq!(status, 200, "{answer}");
    ana.ok(&sync_args);
}

#[test]
fn an_invite_code_read_out_wrong_is_named_as_such() {
    let hub = hub_campaign();
    let running = Hub::start(&hub, "off");
    let link = invite(&hub, &running.address, "Ana Okafor", "member");
    // The last character of the code is part of its secret, not its tag.
    let (before, after) = link.split_once("&hub=").unwrap();
    let last = before.chars().last().unwrap();
    let wrong = if last == 'A' { 'B' } else { 'A' };
    let misread = format!("{}{wrong}&hub={after}", &before[..before.len() - 1]);
    let phone = Holdfast::empty();
    let stderr = phone.refused(&["pair", &misread]);
    assert!(
        stderr.contains("did not accept this invite code"),
        "{stderr}"
    );
    // The right code still works afterwards.
    phone.ok(&["pair", &link]);
}
