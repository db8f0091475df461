//! The real server on 127.0.0.1, a fresh campaign in a temporary folder, and
//! real HTTP requests: what the web UI does, checked from outside.

mod support;

use std::net::SocketAddr;

use chrono::{Duration, Utc};
use holdfast_core::model::{ActionKind, ChokeKind, Role};
use holdfast_core::{time, DocumentId};
use holdfast_store::use_cases::actions::{NewAction, NewShift};
use holdfast_store::use_cases::check_ins::CheckRequest;
use holdfast_store::use_cases::choke_points::NewChokePoint;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::use_cases::pairing::NewDevice;
use holdfast_store::Campaign;
use serde_json::{json, Value};

/// A running server and the ids of what was seeded into it.
struct Server {
    base: String,
    agent: ureq::Agent,
    action_id: String,
    shift_id: String,
    captain_id: String,
    member_id: String,
    other_id: String,
    // Kept so the folder outlives the server thread's use of it.
    _folder: tempfile::TempDir,
}

fn member(campaign: &mut Campaign, name: &str, roles: Vec<Role>) -> String {
    campaign
        .add_member(NewMember {
            name: name.into(),
            roles,
            ..NewMember::default()
        })
        .expect("a member")
        .id
}

fn choke_point(
    campaign: &mut Campaign,
    name: &str,
    hours: f64,
    routable: bool,
    depends_on: &[&str],
    needed: i64,
) {
    campaign
        .add_choke_point(NewChokePoint {
            name: name.into(),
            kind: ChokeKind::Process,
            site: None,
            hours_to_freeze: hours,
            routable,
            depends_on: depends_on.iter().map(|name| name.to_string()).collect(),
            people_needed: needed,
            contingency: format!("If {name} is moved, picket the new place."),
        })
        .expect("a choke point");
}

fn start() -> Server {
    start_with(|_, _, _| {})
}

/// Starts a server after `prepare` has had the seeded campaign, the action's
/// id and the temporary folder.
fn start_with(prepare: impl FnOnce(&mut Campaign, &str, &std::path::Path)) -> Server {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut campaign =
        Campaign::create(folder.path(), "Fair contract", "Local 7").expect("created");
    let member_id = member(&mut campaign, "Ana Ferreira", vec![Role::Member]);
    let other_id = member(&mut campaign, "Bo Lindqvist", vec![Role::Member]);
    let captain_id = member(
        &mut campaign,
        "Chidi Okafor",
        vec![Role::Member, Role::PicketCaptain],
    );
    let now = Utc::now();
    let action = campaign
        .create_action(NewAction {
            title: "Gate B picket".into(),
            kind: ActionKind::InformationalPicket,
            tactic: String::new(),
            site: None,
            starts_at: time::format_instant(now - Duration::hours(1)),
            ends_at: time::format_instant(now + Duration::hours(3)),
            choke_points: Vec::new(),
        })
        .expect("an action");
    let shift = campaign
        .add_shift(
            &action.id,
            NewShift {
                location: "Gate B".into(),
                starts_at: action.starts_at.clone(),
                ends_at: action.ends_at.clone(),
                capacity: 3,
                captain: Some(captain_id.clone()),
            },
        )
        .expect("a shift");
    campaign.sign_up(&shift.id, &member_id).expect("sign-up");
    campaign.sign_up(&shift.id, &other_id).expect("sign-up");
    campaign
        .set_device_member(&member_id)
        .expect("device member");

    choke_point(&mut campaign, "data centre", 72.0, false, &[], 20);
    choke_point(&mut campaign, "clearing", 6.0, false, &["data centre"], 8);
    choke_point(&mut campaign, "loading dock", 120.0, true, &["clearing"], 4);
    campaign
        .commit_to_choke_point("data centre", &member_id)
        .expect("commitment");
    campaign
        .commit_to_choke_point("data centre", &other_id)
        .expect("commitment");

    prepare(&mut campaign, &action.id, folder.path());

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address: SocketAddr = listener.local_addr().expect("the port");
    support::serve_in_background(listener, holdfast_store::Vault::from(campaign), false);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    Server {
        base: format!("http://{address}"),
        agent,
        action_id: action.id,
        shift_id: shift.id,
        captain_id,
        member_id,
        other_id,
        _folder: folder,
    }
}

impl Server {
    fn get(&self, path: &str) -> (u16, Value) {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.body_mut().read_json().expect("JSON"))
    }

    /// A POST; `Value::Null` sends no body, as the UI does for routes that
    /// read none (revoke, sync now). Sending a body such a route never
    /// reads lets the server close the kept-alive connection, which the
    /// next request would then find closed.
    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let request = self.agent.post(format!("{}{path}", self.base));
        let mut response = if body.is_null() {
            // The API takes only JSON for a change, as the UI sends it.
            request
                .header("Content-Type", "application/json")
                .send_empty()
        } else {
            request.send_json(&body)
        }
        .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.body_mut().read_json().expect("JSON"))
    }

    fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let mut response = self
            .agent
            .put(format!("{}{path}", self.base))
            .send_json(&body)
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.body_mut().read_json().expect("JSON"))
    }
}

#[test]
fn a_member_checks_in_and_then_out() {
    let server = start();
    let (status, today) = server.get("/api/today");
    assert_eq!(status, 200);
    assert_eq!(today["me"]["name"], "Ana Ferreira");
    assert_eq!(today["next_action"]["id"], server.action_id.as_str());
    assert_eq!(today["my_shift"]["location"], "Gate B");
    assert_eq!(today["checked_in"], false);

    let (status, check) = server.post(
        "/api/check-in",
        json!({ "action": server.action_id, "shift": server.shift_id }),
    );
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["kind"], "in");
    assert_eq!(check["member_id"], server.member_id.as_str());
    let (_, today) = server.get("/api/today");
    assert_eq!(today["checked_in"], true);
    assert_eq!(today["checked_in_at"], check["at"]);

    let (status, check) = server.post("/api/check-out", json!({ "action": server.action_id }));
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["kind"], "out");
    let (_, today) = server.get("/api/today");
    assert_eq!(today["checked_in"], false);
}

#[test]
fn a_second_check_in_is_refused_with_a_clear_message() {
    let server = start();
    let body = json!({ "action": server.action_id });
    assert_eq!(server.post("/api/check-in", body.clone()).0, 200);
    let (status, answer) = server.post("/api/check-in", body);
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"],
        "Ana Ferreira is already checked in at Gate B picket"
    );
}

#[test]
fn the_48_hour_report_lists_what_freezes_the_operation() {
    let server = start();
    let (status, report) = server.get("/api/choke-points/report");
    assert_eq!(status, 200);
    let rows = report.as_array().expect("a list");
    let summary: Vec<(&str, f64, &str, i64, i64, i64)> = rows
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap(),
                row["hours_to_freeze"].as_f64().unwrap(),
                row["frozen_through"].as_str().unwrap(),
                row["people_needed"].as_i64().unwrap(),
                row["people_committed"].as_i64().unwrap(),
                row["people_still_needed"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("clearing", 6.0, "clearing", 8, 0, 8),
            ("data centre", 6.0, "clearing", 20, 2, 18),
        ]
    );
    assert_eq!(rows[1]["also_stops"], json!(["clearing", "loading dock"]));
    assert_eq!(
        rows[0]["contingency"],
        "If clearing is moved, picket the new place."
    );
    // A shorter horizon leaves nothing that freezes within it.
    let (_, report) = server.get("/api/choke-points/report?hours=2");
    assert_eq!(report, json!([]));
}

#[test]
fn a_captain_checks_in_someone_else_and_sees_who_is_missing() {
    let server = start();
    let (status, _) = server.post(
        "/api/check-in",
        json!({
            "action": server.action_id,
            "shift": server.shift_id,
            "member": server.other_id,
            "recorded_by": server.captain_id,
        }),
    );
    assert_eq!(status, 200);
    let (status, roster) = server.get(&format!("/api/shifts/{}/roster", server.shift_id));
    assert_eq!(status, 200);
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|member| member["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&roster["here"]), ["Bo Lindqvist"]);
    assert_eq!(names(&roster["missing"]), ["Ana Ferreira"]);
    assert_eq!(roster["still_needed"], 2);
}

#[test]
fn filing_an_aid_request_shows_in_the_public_summary_without_a_name() {
    let server = start();
    let (status, request) = server.post(
        "/api/aid/requests",
        json!({
            "member": server.member_id,
            "category": "rent",
            "amount_cents": 45_000,
            "urgency": "urgent",
            "note": "Rent is due on the first",
        }),
    );
    assert_eq!(status, 200, "{request}");
    let (_, summary) = server.get("/api/aid/summary");
    assert_eq!(summary[0]["category"], "rent");
    assert_eq!(summary[0]["requested_cents"], 45_000);
    assert!(!summary.to_string().contains("Ana"));
    // The device's member is not a coordinator, so names stay hidden.
    let (status, answer) = server.get("/api/aid/coordinator");
    assert_eq!(status, 400);
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("not an aid coordinator"));
    let (status, answer) = server.post(
        "/api/aid/requests",
        json!({ "member": server.member_id, "category": "rent", "amount_cents": 0, "urgency": "low" }),
    );
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "the amount must be more than zero");
}

#[test]
fn every_answer_carries_the_security_headers() {
    let server = start();
    for path in ["/", "/api/today", "/api/no-such-thing"] {
        let response = server
            .agent
            .get(format!("{}{path}", server.base))
            .call()
            .expect("an answer");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert!(
            header("content-security-policy").starts_with("default-src 'self'"),
            "{path}"
        );
        assert!(!header("content-security-policy").contains("unsafe-inline"));
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    }
    let (status, answer) = server.get("/api/no-such-thing");
    assert_eq!(status, 404);
    assert_eq!(answer["error"], "there is no API at /api/no-such-thing");
}

#[test]
fn malformed_input_and_foreign_hosts_are_refused_in_json() {
    let server = start();
    let (status, answer) = server.post("/api/check-in", json!({ "who": "nobody" }));
    assert_eq!(status, 400);
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .starts_with("the request body was not understood"));
    let (status, answer) = server.post("/api/check-in", json!({ "action": "no such action" }));
    assert_eq!(status, 404);
    assert_eq!(
        answer["error"],
        "no action with id or name `no such action`"
    );

    let mut response = server
        .agent
        .get(format!("{}/api/today", server.base))
        .header("Host", "rebound.example:80")
        .call()
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 403);
    let answer: Value = response.body_mut().read_json().expect("JSON");
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("rebound.example"));
}

#[test]
fn the_calendar_downloads_as_icalendar() {
    let server = start();
    let response = server
        .agent
        .get(format!("{}/api/calendar.ics", server.base))
        .call()
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .starts_with("text/calendar"));
    let text = response.into_body().read_to_string().expect("text");
    assert!(text.contains("BEGIN:VCALENDAR"));
    assert!(text.contains("Gate B picket"));
}

#[test]
fn the_calendar_says_where_and_reminds_before_each_action() {
    let server = start_with(|campaign, _, _| {
        let site = campaign
            .add_site("North Depot", Some("12 Quay Road".into()))
            .expect("a site");
        let tomorrow = Utc::now() + Duration::days(1);
        campaign
            .create_action(NewAction {
                title: "Depot picket".into(),
                kind: ActionKind::InformationalPicket,
                tactic: String::new(),
                site: Some(site.id),
                starts_at: time::format_instant(tomorrow),
                ends_at: time::format_instant(tomorrow + Duration::hours(4)),
                choke_points: Vec::new(),
            })
            .expect("an action");
    });
    let text = server
        .agent
        .get(format!("{}/api/calendar.ics", server.base))
        .call()
        .expect("an answer")
        .into_body()
        .read_to_string()
        .expect("text");
    let unfolded = text.replace("\r\n ", "");
    let depot = unfolded
        .split("BEGIN:VEVENT")
        .find(|event| event.contains("SUMMARY:Depot picket"))
        .expect("the depot picket");
    assert!(
        depot.contains("LOCATION:North Depot\\, 12 Quay Road"),
        "{depot}"
    );
    assert_eq!(depot.matches("BEGIN:VALARM").count(), 2, "{depot}");
    assert!(depot.contains("TRIGGER;RELATED=START:-PT86400S"), "{depot}");
    assert!(depot.contains("TRIGGER;RELATED=START:-PT3600S"), "{depot}");
    assert!(depot.contains("ACTION:DISPLAY"), "{depot}");
}

#[test]
fn a_clash_from_two_offline_devices_is_listed_and_settled() {
    let server = start_with(|campaign, action_id, folder| {
        // A second device joins, takes a copy of the action, and both check
        // the same member in while apart. Merging its edits back makes the
        // clash that a person has to settle.
        let dana = member(campaign, "Dana Kowalski", vec![Role::Member]);
        let campaign_bytes = campaign
            .export_document(&DocumentId::campaign())
            .expect("campaign bytes");
        let action_bytes = campaign
            .export_document(&DocumentId::action(action_id))
            .expect("action bytes");
        let mut other =
            Campaign::join(&folder.join("other-device"), &campaign_bytes).expect("joined");
        other.import_document(&action_bytes).expect("imported");
        let request = CheckRequest {
            action: action_id.to_string(),
            member: Some(dana.clone()),
            ..CheckRequest::default()
        };
        campaign.check_in(request.clone()).expect("checked in here");
        other.check_in(request).expect("checked in there");
        let merged = other
            .export_document(&DocumentId::arrivals(&dana))
            .expect("merged bytes");
        campaign.import_document(&merged).expect("merged");
    });
    let (_, today) = server.get("/api/today");
    assert_eq!(today["attention"], 1);
    let (status, items) = server.get("/api/attention");
    assert_eq!(status, 200);
    assert_eq!(items[0]["kind"], "duplicate_check_in");
    let key = items[0]["key"].as_str().expect("a key").to_string();

    let (status, resolution) = server.post(
        "/api/attention/resolve",
        json!({ "key": key, "by": server.captain_id, "note": "Same person, two phones." }),
    );
    assert_eq!(status, 200, "{resolution}");
    assert_eq!(resolution["resolved_by"], server.captain_id.as_str());
    assert_eq!(server.get("/api/attention").1, json!([]));
    let (status, answer) = server.post(
        "/api/attention/resolve",
        json!({ "key": key, "by": server.captain_id }),
    );
    assert_eq!(status, 404, "{answer}");
}

/// The id of the phone that `pair_a_phone` pairs.
const PHONE_ID: &str = "5f0c7d2e-8a41-4b6e-9d3a-2c1f0e9b7a64";

/// Makes this device a steward's hub and pairs a phone for Bo through an
/// invite, the way the hub does when a new device redeems one. Returns the
/// steward's id.
fn pair_a_phone(campaign: &mut Campaign) -> String {
    let steward = member(campaign, "Dee Mensah", vec![Role::Member, Role::Steward]);
    campaign.set_device_member(&steward).expect("device member");
    let (_, record) = holdfast_sync::pairing::issue_invite(
        campaign,
        &steward,
        "Bo Lindqvist",
        Role::Member,
        24,
        Vec::new(),
    )
    .expect("an invite");
    let grant = campaign.invite_grant(&record.tag).expect("a valid invite");
    campaign
        .redeem_invite(
            &grant,
            NewDevice {
                device_id: PHONE_ID,
                public_key: &"ab".repeat(32),
                signing_key: &"cd".repeat(32),
            },
        )
        .expect("the phone is paired");
    steward
}

/// Whether a code reads like `TTTT-SSSS-SSSS-SSSS` in invite characters.
fn is_invite_code(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 4
        && groups.iter().all(|group| {
            group.len() == 4
                && group
                    .chars()
                    .all(|character| character.is_ascii_digit() || character.is_ascii_uppercase())
        })
}

/// The one device in a list that matches; both devices of these tests are
/// paired within the same second, so their order is not theirs to rely on.
fn device_with(devices: &Value, wanted: impl Fn(&Value) -> bool) -> &Value {
    let mut found = devices
        .as_array()
        .expect("a list")
        .iter()
        .filter(|row| wanted(row));
    let one = found.next().expect("a matching device");
    assert!(found.next().is_none(), "{devices}");
    one
}

#[test]
fn the_sync_status_shows_peers_refusals_and_this_devices_fingerprint() {
    let server = start_with(|campaign, _, _| {
        pair_a_phone(campaign);
        campaign
            .record_sync(&"ab".repeat(32), PHONE_ID, "192.168.1.31:50112", 4, 9)
            .expect("a sync");
        campaign
            .record_sync_event(
                "192.168.1.77:50200",
                "the device with key 0a1b-2c3d-4e5f-6a7b is not paired with this campaign",
            )
            .expect("an event");
    });
    let (status, sync) = server.get("/api/sync");
    assert_eq!(status, 200, "{sync}");
    let fingerprint = sync["fingerprint"].as_str().expect("a fingerprint");
    assert_eq!(fingerprint.len(), 19, "{fingerprint}");
    assert!(fingerprint
        .split('-')
        .all(|group| group.len() == 4 && group.chars().all(|c| c.is_ascii_hexdigit())));
    // Asking twice does not make a new key.
    assert_eq!(server.get("/api/sync").1["fingerprint"], fingerprint);

    let peer = &sync["peers"][0];
    assert_eq!(peer["label"], "Bo Lindqvist's device");
    assert_eq!(peer["device_id"], PHONE_ID);
    assert_eq!(peer["address"], "192.168.1.31:50112");
    assert_eq!(peer["changes_sent"], 4);
    assert_eq!(peer["changes_received"], 9);
    assert!(peer["last_synced_at"].is_string());
    // Everything seeded here was made on this device and never left it.
    assert!(sync["unsynced_local_changes"].as_i64().expect("a count") > 0);
    let event = &sync["recent_events"][0];
    assert_eq!(event["peer"], "192.168.1.77:50200");
    assert!(event["event"]
        .as_str()
        .unwrap()
        .contains("is not paired with this campaign"));
}

#[test]
fn a_steward_invites_a_device_and_gets_a_code_and_a_qr_code() {
    let server = start_with(|campaign, _, _| {
        pair_a_phone(campaign);
    });
    let (status, devices) = server.get("/api/devices");
    assert_eq!(status, 200, "{devices}");
    assert_eq!(devices.as_array().map(Vec::len), Some(2), "{devices}");
    let hub = device_with(&devices, |row| row["this_device"] == true);
    assert_eq!(hub["role"], "steward");
    assert_eq!(hub["member_name"], "Dee Mensah");
    let phone = device_with(&devices, |row| row["id"] == PHONE_ID);
    assert_eq!(phone["this_device"], false);
    assert_eq!(phone["role"], "member");
    assert_eq!(phone["label"], "Bo Lindqvist's device");
    assert_eq!(phone["member_name"], "Bo Lindqvist");
    assert_eq!(phone["revoked_at"], Value::Null);

    let (status, issued) = server.post(
        "/api/invites",
        json!({ "member": server.member_id, "role": "captain", "hours": 6 }),
    );
    assert_eq!(status, 200, "{issued}");
    let code = issued["code"].as_str().expect("a code");
    assert!(is_invite_code(code), "{code}");
    let link = issued["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("holdfast://pair?code={code}&")),
        "{link}"
    );
    assert!(
        link.contains("&key="),
        "the link pins the hub's key: {link}"
    );
    assert!(issued["qr_svg"].as_str().unwrap().contains("<svg"));
    assert_eq!(issued["member"], "Ana Ferreira");
    assert_eq!(issued["member_id"], server.member_id.as_str());
    assert_eq!(issued["role"], "captain");
    assert_eq!(issued["label"], "Ana Ferreira's device");
    let expires = time::parse_instant(issued["expires_at"].as_str().unwrap()).expect("an instant");
    let hours = (expires - Utc::now()).num_minutes();
    assert!((5 * 60..=6 * 60).contains(&hours), "{hours} minutes");

    // Without hours and role the invite is a member's for a day.
    let (status, issued) = server.post("/api/invites", json!({ "member": "Bo Lindqvist" }));
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["role"], "member");
    assert_ne!(issued["code"], code);

    let (status, answer) = server.post(
        "/api/invites",
        json!({ "member": server.member_id, "hours": 0 }),
    );
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"],
        "an invite must expire within 1 hour and 14 days"
    );
    let (status, answer) = server.post(
        "/api/invites",
        json!({ "member": server.member_id, "role": "boss" }),
    );
    assert_eq!(status, 400);
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .starts_with("the request body was not understood"));
    let (status, answer) = server.post("/api/invites", json!({ "member": "Nobody Here" }));
    assert_eq!(status, 404);
    assert_eq!(answer["error"], "no member with id or name `Nobody Here`");
}

#[test]
fn only_a_stewards_device_invites_or_revokes() {
    // The device belongs to Ana, who is a member and nothing more.
    let server = start();
    let (status, answer) = server.post(
        "/api/invites",
        json!({ "member": server.other_id, "role": "member", "hours": 24 }),
    );
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"],
        "Ana Ferreira is not a steward; only stewards pair and revoke devices"
    );
    let (status, answer) = server.post(&format!("/api/devices/{PHONE_ID}/revoke"), Value::Null);
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"],
        "Ana Ferreira is not a steward; only stewards pair and revoke devices"
    );
    // The device list still answers: who holds the record is no secret
    // among the devices that hold it.
    let (status, devices) = server.get("/api/devices");
    assert_eq!(status, 200);
    assert_eq!(devices.as_array().map(Vec::len), Some(1));
}

#[test]
fn a_steward_revokes_a_lost_phone_once() {
    let mut steward = String::new();
    let server = start_with(|campaign, _, _| {
        steward = pair_a_phone(campaign);
    });
    let path = format!("/api/devices/{PHONE_ID}/revoke");
    let (status, revoked) = server.post(&path, Value::Null);
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(revoked["id"], PHONE_ID);
    assert_eq!(revoked["member_name"], "Bo Lindqvist");
    assert!(revoked["revoked_at"].is_string());
    let (_, devices) = server.get("/api/devices");
    let phone = device_with(&devices, |row| row["id"] == PHONE_ID);
    assert_eq!(phone["revoked_at"], revoked["revoked_at"]);

    let (status, answer) = server.post(&path, Value::Null);
    assert_eq!(status, 400);
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .starts_with("Bo Lindqvist's device was already revoked on "));
    let hub = device_with(&devices, |row| row["this_device"] == true);
    let this_device = hub["id"].as_str().unwrap().to_string();
    let (status, answer) = server.post(&format!("/api/devices/{this_device}/revoke"), Value::Null);
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "a device cannot revoke itself");
    let (status, answer) = server.post("/api/devices/no-such-device/revoke", Value::Null);
    assert_eq!(status, 404);
    assert_eq!(
        answer["error"],
        "no device with id or name `no-such-device`"
    );

    // Whoever the device belongs to is who acts: once it is Ana's, the
    // steward's rights go with the steward.
    assert_eq!(
        server
            .put("/api/me", json!({ "member": server.member_id }))
            .0,
        200
    );
    let (status, answer) = server.post("/api/invites", json!({ "member": steward }));
    assert_eq!(status, 400);
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("is not a steward"));
}

/// The names in GET /api/members, in its order.
fn member_names(server: &Server) -> Vec<String> {
    let (status, members) = server.get("/api/members");
    assert_eq!(status, 200, "{members}");
    members
        .as_array()
        .expect("a list")
        .iter()
        .map(|member| member["name"].as_str().expect("a name").to_string())
        .collect()
}

#[test]
fn a_steward_erases_a_member_from_the_record_and_its_history() {
    let server = start_with(|campaign, _, _| {
        pair_a_phone(campaign);
    });
    assert!(member_names(&server).contains(&"Bo Lindqvist".to_string()));

    // The name is typed by hand: spaces around it and another case do.
    let (status, erased) = server.post(
        &format!("/api/members/{}/erase", server.other_id),
        json!({ "confirm": "  bo lindqvist " }),
    );
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["member_id"], server.other_id.as_str());
    assert_eq!(erased["commitments_removed"], 1);
    assert_eq!(erased["committees_updated"], 0);
    assert_eq!(erased["aid_identities_removed"], 0);
    assert_eq!(erased["devices_revoked"], 1, "Bo's phone");
    let rebased = erased["history_rebased"].as_array().expect("a list");
    assert!(rebased.contains(&json!("campaign")), "{erased}");
    assert!(erased.get("history_note").is_none(), "{erased}");

    assert!(!member_names(&server).contains(&"Bo Lindqvist".to_string()));
    // The phone is revoked, and its label no longer carries the name.
    let (_, devices) = server.get("/api/devices");
    let phone = device_with(&devices, |row| row["id"] == PHONE_ID);
    assert!(phone["revoked_at"].is_string(), "{phone}");
    assert_eq!(phone["member_name"], Value::Null);
    assert!(!phone["label"].as_str().unwrap().contains("Bo"), "{phone}");
    // Ana's commitment stays; Bo's went.
    let (_, report) = server.get("/api/choke-points/report");
    let data_centre = report
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["name"] == "data centre")
        .expect("the data centre");
    assert_eq!(data_centre["people_committed"], 1);

    // Gone means gone: a second erasure finds nobody.
    let (status, answer) = server.post(
        &format!("/api/members/{}/erase", server.other_id),
        json!({ "confirm": "Bo Lindqvist" }),
    );
    assert_eq!(status, 404, "{answer}");
}

#[test]
fn erasing_needs_the_members_full_name_and_changes_nothing_without_it() {
    let mut steward = String::new();
    let server = start_with(|campaign, _, _| {
        steward = pair_a_phone(campaign);
    });
    let path = format!("/api/members/{}/erase", server.other_id);
    let members_before = server.get("/api/members").1;
    let devices_before = server.get("/api/devices").1;
    let sync_before = server.get("/api/sync").1;
    for typed in ["Bo", "Bo Lindqvist!", "", "Ana Ferreira"] {
        let (status, answer) = server.post(&path, json!({ "confirm": typed }));
        assert_eq!(status, 400, "{typed:?}: {answer}");
        assert_eq!(
            answer["error"],
            "type the member's full name, Bo Lindqvist, to confirm the erasure"
        );
    }
    let (status, answer) = server.post(&path, json!({}));
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .starts_with("the request body was not understood"));
    // The steward this device belongs to is not erased from it.
    let (status, answer) = server.post(
        &format!("/api/members/{steward}/erase"),
        json!({ "confirm": "Dee Mensah" }),
    );
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .starts_with("Dee Mensah uses this device"));
    let (status, answer) = server.post(
        "/api/members/no-such-member/erase",
        json!({ "confirm": "no-such-member" }),
    );
    assert_eq!(status, 404, "{answer}");

    assert_eq!(server.get("/api/members").1, members_before);
    assert_eq!(server.get("/api/devices").1, devices_before);
    assert_eq!(server.get("/api/sync").1, sync_before, "no change was made");
}

#[test]
fn only_a_steward_erases_a_member() {
    // The device belongs to Ana, who is a member and nothing more.
    let server = start();
    let members_before = server.get("/api/members").1;
    let (status, answer) = server.post(
        &format!("/api/members/{}/erase", server.other_id),
        json!({ "confirm": "Bo Lindqvist" }),
    );
    assert_eq!(status, 403, "{answer}");
    assert_eq!(
        answer["error"],
        "Ana Ferreira is not a steward; only a steward can erase a member"
    );
    assert_eq!(server.get("/api/members").1, members_before);
}

#[test]
fn sync_now_with_no_hub_in_reach_says_so_and_changes_nothing() {
    // The hub this device synced with last time has gone: its port is
    // closed, as when the hall's computer is off or the phone is out of
    // its wifi's reach. mDNS finds no hub of this fresh campaign either.
    let gone = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("the port");
    let server = start_with(|campaign, _, _| {
        campaign
            .set_local_value(holdfast_net::background::LAST_HUB, &gone.to_string())
            .expect("a remembered hub");
    });
    let (_, checked_in) = server.post("/api/check-in", json!({ "action": server.action_id }));
    assert_eq!(checked_in["kind"], "in", "{checked_in}");
    let (_, sync_before) = server.get("/api/sync");
    let (_, devices_before) = server.get("/api/devices");
    let (_, today_before) = server.get("/api/today");

    let (status, answer) = server.post("/api/sync/now", Value::Null);
    assert_eq!(status, 503, "{answer}");
    let error = answer["error"].as_str().expect("an error message");
    assert!(error.starts_with("no hub reachable: "), "{error}");
    assert!(error.len() > "no hub reachable: ".len(), "{error}");
    assert_eq!(answer.as_object().map(|fields| fields.len()), Some(1));

    // Nothing was exchanged, so nothing changed: the check-in is still
    // here and still waiting to leave this device, and no sync or refusal
    // was recorded.
    assert_eq!(server.get("/api/sync").1, sync_before);
    assert!(
        sync_before["unsynced_local_changes"]
            .as_i64()
            .expect("a count")
            > 0
    );
    assert_eq!(server.get("/api/devices").1, devices_before);
    let (_, today) = server.get("/api/today");
    assert_eq!(today, today_before);
    assert_eq!(today["checked_in"], true);
    assert_eq!(today["checked_in_at"], checked_in["at"]);

    // Asking again gives the same answer, rather than a stuck turn.
    let (status, answer) = server.post("/api/sync/now", Value::Null);
    assert_eq!(status, 503, "{answer}");
}

#[test]
fn the_sovereignty_page_saves_as_one_file_that_names_no_one() {
    let server = start();
    let response = server
        .agent
        .get(format!("{}/api/sovereignty/page?lang=es", server.base))
        .call()
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(header("content-type").starts_with("text/html"));
    assert!(
        header("content-disposition").starts_with("attachment; filename=\"what-we-run-"),
        "{}",
        header("content-disposition")
    );
    let page = response.into_body().read_to_string().expect("text");
    assert!(page.contains("<html lang=\"es\">"));
    assert!(page.contains("Lo que gestionamos nosotros"), "{page}");
    assert!(page.contains("Local 7"));
    for name in member_names(&server) {
        // Whole words of the name; "Bo" is inside too many other words.
        for part in name.split(' ').filter(|part| part.len() > 3) {
            assert!(!page.contains(part), "the page names {name}");
        }
    }
    assert!(page.contains("default-src 'none'"));

    let refused = server
        .agent
        .get(format!("{}/api/sovereignty/page?lang=xx", server.base))
        .call();
    assert_eq!(refused.expect("an answer").status().as_u16(), 400);
}
