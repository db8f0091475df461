//! Browsers at the hall, against the real server as the hub serves it: each
//! browser that opens the hub's link is a guest of its own, reads but
//! changes nothing, and acts only as the member of the invite it was paired
//! with, whatever it asks. A steward turns one away. Requests come from this
//! machine's non-loopback address, as another computer's would.

mod support;

use std::net::SocketAddr;
use std::path::Path;

use chrono::{Duration, Utc};
use holdfast_core::model::{ActionKind, AidCategory, Role, Urgency};
use holdfast_core::time;
use holdfast_store::use_cases::actions::NewAction;
use holdfast_store::use_cases::aid::NewRequest;
use holdfast_store::use_cases::hall_browsers::GUEST_LIMIT;
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::{Campaign, Vault};
use serde_json::{json, Value};

const NOTE: &str = "behind on rent since March";

struct Seeded {
    folder: tempfile::TempDir,
    key: String,
    ana: String,
    bo: String,
    cy: String,
    dee: String,
    action: String,
}

/// A hub's campaign: Dee the steward uses it, Ana and Bo are members, Cy
/// coordinates aid, and Ana has asked for aid with a note for the
/// coordinators.
fn seed() -> Seeded {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut campaign =
        Campaign::create(folder.path(), "Fair contract", "Local 7").expect("created");
    let mut add = |name: &str, roles: Vec<Role>| {
        campaign
            .add_member(NewMember {
                name: name.into(),
                roles,
                ..NewMember::default()
            })
            .expect("a member")
            .id
    };
    let ana = add("Ana Ferreira", vec![Role::Member]);
    let bo = add("Bo Lindqvist", vec![Role::Member]);
    let cy = add("Cy Adeyemi", vec![Role::Member, Role::AidCoordinator]);
    let dee = add("Dee Mensah", vec![Role::Member, Role::Steward]);
    campaign.set_device_member(&dee).expect("the hub is Dee's");
    campaign
        .register_this_device(&"ab".repeat(32), "the hall's computer")
        .expect("the hub lists itself");
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
        .expect("an action")
        .id;
    campaign
        .request_aid(NewRequest {
            member: ana.clone(),
            category: AidCategory::Rent,
            amount_cents: 30_000,
            urgency: Urgency::Urgent,
            note: NOTE.into(),
        })
        .expect("a request");
    let key = holdfast_http::hall_key(&campaign).expect("the hall key");
    Seeded {
        folder,
        key,
        ana,
        bo,
        cy,
        dee,
        action,
    }
}

/// Serves the campaign to the hall; returns the address other computers
/// use, or `None` (said on stderr) on a machine with only loopback.
fn serve_for_hall(folder: &Path) -> Option<(String, String)> {
    let vault = Vault::open(folder, None).expect("the vault opens");
    let listener = std::net::TcpListener::bind("0.0.0.0:0").expect("a free port");
    let address: SocketAddr = listener.local_addr().expect("the port");
    support::serve_in_background(listener, vault, true);
    let hall = holdfast_net::hub::local_addresses(address.port())
        .into_iter()
        .next();
    if hall.is_none() {
        eprintln!("no non-loopback address on this machine; the hall cannot be checked");
    }
    hall.map(|hall| (format!("127.0.0.1:{}", address.port()), hall))
}

/// One browser: an address to reach the hub at and the cookies it was given.
struct Browser {
    address: String,
    cookies: Vec<String>,
}

impl Browser {
    fn at(address: &str) -> Self {
        Browser {
            address: address.to_string(),
            cookies: Vec::new(),
        }
    }

    fn request(&mut self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let url = format!("http://{}{path}", self.address);
        let cookie = self.cookies.join("; ");
        let sending = match method {
            "GET" => None,
            "PUT" => Some(agent.put(&url)),
            _ => Some(agent.post(&url)),
        };
        let mut response = match (sending, body) {
            (None, _) => agent.get(&url).header("Cookie", &cookie).call(),
            (Some(request), Some(body)) => request.header("Cookie", &cookie).send_json(body),
            (Some(request), None) => request
                .header("Cookie", &cookie)
                .header("Content-Type", "application/json")
                .send_empty(),
        }
        .expect("the server answers");
        for value in response.headers().get_all("set-cookie") {
            let pair = value
                .to_str()
                .expect("a cookie")
                .split(';')
                .next()
                .expect("a pair")
                .to_string();
            let name = pair.split('=').next().unwrap_or_default().to_string();
            self.cookies
                .retain(|kept| !kept.starts_with(&format!("{name}=")));
            self.cookies.push(pair);
        }
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn get(&mut self, path: &str) -> (u16, Value) {
        self.request("GET", path, None)
    }

    fn post(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.request("POST", path, Some(&body))
    }

    /// Opens the hub's link, as a person does once.
    fn enter(&mut self, key: &str) {
        let (status, body) = self.get(&format!("/enter?key={key}"));
        assert_eq!(status, 303, "{body}");
    }
}

fn refused(answer: &(u16, Value), status: u16, says: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    let error = answer.1["error"].as_str().unwrap_or_default();
    assert!(error.contains(says), "{}", answer.1);
}

/// The hub's own computer issues an invite for `member` and returns its code.
fn invite(hub: &mut Browser, member: &str) -> String {
    let (status, issued) = hub.post(
        "/api/invites",
        json!({ "member": member, "hubs": ["192.0.2.1:8417"] }),
    );
    assert_eq!(status, 200, "{issued}");
    issued["code"].as_str().expect("a code").to_string()
}

/// The seeded hub served to the hall, the hub's own computer, and a browser
/// at the hall that has opened the link; `None` on a machine with only
/// loopback.
fn at_the_hall() -> Option<(Seeded, Browser, Browser)> {
    let seeded = seed();
    let (local, hall) = serve_for_hall(seeded.folder.path())?;
    let mut visitor = Browser::at(&hall);
    visitor.enter(&seeded.key);
    Some((seeded, Browser::at(&local), visitor))
}

/// Pairs `browser` with an invite the hub's computer issues for `member`.
fn pair(hub: &mut Browser, browser: &mut Browser, member: &str) {
    let code = invite(hub, member);
    let (status, paired) = browser.post("/api/browser/pair", json!({ "code": code }));
    assert_eq!(status, 200, "{paired}");
}

fn check_in(member: &str, action: &str) -> Value {
    json!({ "action": action, "member": member })
}

#[test]
fn a_guest_browser_reads_but_changes_nothing_and_is_nobody() {
    let Some((seeded, mut hub, mut guest)) = at_the_hall() else {
        return;
    };
    let (status, today) = guest.get("/api/today");
    assert_eq!(status, 200, "{today}");
    assert!(today["me"].is_null(), "a guest is nobody: {today}");
    assert_eq!(today["browser"]["member_id"], Value::Null, "{today}");

    // It cannot make itself the coordinator, nor act as anyone.
    refused(
        &guest.request("PUT", "/api/me", Some(&json!({ "member": seeded.cy }))),
        403,
        "not paired",
    );
    refused(
        &guest.post("/api/check-in", check_in(&seeded.ana, &seeded.action)),
        403,
        "not paired",
    );
    let (status, view) = guest.get("/api/aid/coordinator");
    assert_ne!(status, 200, "{view}");
    // Nor the list of other browsers, with their members: that is for stewards.
    refused(&guest.get("/api/browsers"), 403, "not paired");
    // The note was for the coordinators: the public list does not carry it.
    let (status, requests) = guest.get("/api/aid/requests");
    assert_eq!(status, 200, "{requests}");
    assert!(!requests.to_string().contains(NOTE), "{requests}");
    // The hub's own computer is still Dee's.
    let (_, hub_today) = hub.get("/api/today");
    assert_eq!(hub_today["me"]["id"], seeded.dee.as_str(), "{hub_today}");
}

#[test]
fn a_paired_browser_acts_only_as_its_own_member() {
    let Some((seeded, mut hub, mut ana)) = at_the_hall() else {
        return;
    };

    // A wrong code and another browser's: refused alike, saying nothing.
    let code = invite(&mut hub, &seeded.ana);
    refused(
        &ana.post(
            "/api/browser/pair",
            json!({ "code": "AAAA-BBBB-CCCC-DDDD" }),
        ),
        403,
        "no open invite",
    );
    let wrong_secret = format!("{}-0000-0000-0000", &code[..4]);
    refused(
        &ana.post("/api/browser/pair", json!({ "code": wrong_secret })),
        403,
        "no open invite",
    );
    let (status, paired) = ana.post("/api/browser/pair", json!({ "code": code }));
    assert_eq!(status, 200, "{paired}");
    assert_eq!(paired["member_id"], seeded.ana.as_str());
    assert_eq!(paired["label"], "Ana Ferreira's browser at the hall");

    // The code is used up: a second browser cannot take it.
    let mut other = Browser::at(&ana.address);
    other.enter(&seeded.key);
    refused(
        &other.post("/api/browser/pair", json!({ "code": code })),
        403,
        "no open invite",
    );

    let (_, today) = ana.get("/api/today");
    assert_eq!(today["me"]["id"], seeded.ana.as_str(), "{today}");
    let (status, saved) = ana.post("/api/check-in", check_in(&seeded.ana, &seeded.action));
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["recorded_by"], seeded.ana.as_str(), "{saved}");

    // Everything the hub's steward could do, Ana's browser cannot.
    refused(
        &ana.post("/api/check-in", check_in(&seeded.bo, &seeded.action)),
        403,
        "refused",
    );
    refused(
        &ana.post(
            "/api/check-out",
            json!({ "action": seeded.action, "member": seeded.ana, "recorded_by": seeded.dee }),
        ),
        403,
        "only for the member it was paired for",
    );
    refused(
        &ana.request("PUT", "/api/me", Some(&json!({ "member": seeded.cy }))),
        403,
        "paired for",
    );
    let (status, view) = ana.get("/api/aid/coordinator");
    assert_ne!(status, 200, "{view}");
    let (status, _) = ana.post("/api/invites", json!({ "member": seeded.bo }));
    assert_eq!(status, 403);
    let (_, devices) = hub.get("/api/devices");
    let hub_device = devices[0]["id"]
        .as_str()
        .expect("the hub's device")
        .to_string();
    let (status, _) = ana.request("POST", &format!("/api/devices/{hub_device}/revoke"), None);
    assert_eq!(status, 403);
    let (_, devices_after) = hub.get("/api/devices");
    assert_eq!(devices, devices_after, "nothing was revoked");
    refused(
        &ana.post(
            "/api/aid/requests",
            json!({ "member": seeded.bo, "category": "rent", "amount_cents": 100, "urgency": "soon" }),
        ),
        403,
        "refused",
    );

    // The hub's own computer is still Dee's.
    let (_, hub_today) = hub.get("/api/today");
    assert_eq!(hub_today["me"]["id"], seeded.dee.as_str());
    assert!(hub_today["browser"].is_null());
}

#[test]
fn only_a_coordinators_browser_sees_who_asked_and_a_steward_turns_one_away() {
    let Some((seeded, mut hub, mut cy)) = at_the_hall() else {
        return;
    };
    pair(&mut hub, &mut cy, &seeded.cy);
    let (status, view) = cy.get("/api/aid/coordinator");
    assert_eq!(status, 200, "{view}");
    assert_eq!(view[0]["member_name"], "Ana Ferreira", "{view}");
    assert_eq!(view[0]["request"]["note"], NOTE, "{view}");

    let (status, browsers) = hub.get("/api/browsers");
    assert_eq!(status, 200, "{browsers}");
    let id = browsers
        .as_array()
        .expect("a list")
        .iter()
        .find(|browser| browser["member_id"] == seeded.cy.as_str())
        .expect("Cy's browser")["id"]
        .as_str()
        .expect("an id")
        .to_string();
    // Cy's browser cannot list browsers or turn them away: that is a steward's.
    assert_eq!(cy.get("/api/browsers").0, 403);
    let (status, _) = cy.request("POST", &format!("/api/browsers/{id}/revoke"), None);
    assert_eq!(status, 403);
    let (status, revoked) = hub.request("POST", &format!("/api/browsers/{id}/revoke"), None);
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    refused(
        &cy.get("/api/aid/coordinator"),
        403,
        "turned this browser away",
    );
    // Opening the link again does not make a turned-away browser new.
    cy.enter(&seeded.key);
    refused(&cy.get("/api/today"), 403, "turned this browser away");
}

#[test]
fn a_page_on_another_site_cannot_make_changes() {
    let seeded = seed();
    let Some((local, _)) = serve_for_hall(seeded.folder.path()) else {
        return;
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let (_, devices) = Browser::at(&local).get("/api/devices");
    let device = devices[0]["id"]
        .as_str()
        .expect("the hub's device")
        .to_string();
    let url = format!("http://{local}/api/devices/{device}/revoke");
    // A plain cross-site form post, and a JSON post that says where it came from.
    let form = agent
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("a=b")
        .expect("an answer");
    assert_eq!(form.status().as_u16(), 403);
    let foreign = agent
        .post(&url)
        .header("Origin", "http://organizing-tips.example")
        .header("Sec-Fetch-Site", "cross-site")
        .send_json(json!({}))
        .expect("an answer");
    assert_eq!(foreign.status().as_u16(), 403);
    let (_, after) = Browser::at(&local).get("/api/devices");
    assert_eq!(devices, after, "nothing was revoked");
}

#[test]
fn a_new_hall_link_turns_the_old_one_away_and_keeps_browsers_paired() {
    let Some((seeded, mut hub, mut ana)) = at_the_hall() else {
        return;
    };
    pair(&mut hub, &mut ana, &seeded.ana);

    // Only this computer makes a new link.
    refused(
        &ana.post("/api/hall-link/new", json!({})),
        403,
        "only on the computer",
    );
    let (status, made) = hub.post("/api/hall-link/new", json!({}));
    assert_eq!(status, 200, "{made}");
    let link = made["links"][0].as_str().expect("a link").to_string();
    let new_key = link.split("key=").nth(1).expect("a key").to_string();
    assert_ne!(new_key, seeded.key);

    // The old link and the old cookie are turned away, this computer is not.
    assert_eq!(ana.get("/api/today").0, 401);
    let (status, _) = Browser::at(&ana.address).get(&format!("/enter?key={}", seeded.key));
    assert_eq!(status, 401);
    assert_eq!(hub.get("/api/today").0, 200);
    // The new link lets Ana's browser back in, still hers.
    ana.enter(&new_key);
    let (status, today) = ana.get("/api/today");
    assert_eq!(status, 200, "{today}");
    assert_eq!(today["me"]["id"], seeded.ana.as_str(), "{today}");
}

#[test]
fn private_reflections_on_the_hubs_computer_stay_its_own() {
    let Some((seeded, mut hub, mut guest)) = at_the_hall() else {
        return;
    };
    const PRIVATE: &str = "I was frightened on the line today";
    let (status, written) = hub.post(
        "/api/reflections",
        json!({ "action": seeded.action, "round": "rose", "text": PRIVATE }),
    );
    assert_eq!(status, 200, "{written}");
    let (_, own) = hub.get("/api/reflections");
    assert!(own.to_string().contains(PRIVATE), "{own}");

    // Neither a guest nor a paired browser reads the hub's own reflections.
    let (status, seen) = guest.get("/api/reflections");
    assert_eq!(status, 200, "{seen}");
    assert!(!seen.to_string().contains(PRIVATE), "{seen}");
    let mut ana = Browser::at(&guest.address);
    ana.enter(&seeded.key);
    pair(&mut hub, &mut ana, &seeded.ana);
    let (status, seen) = ana.get("/api/reflections");
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen, json!([]), "{seen}");

    // A browser's would not be private on the hall's computer: refused,
    // saying where to write them.
    refused(
        &ana.post(
            "/api/reflections",
            json!({ "action": seeded.action, "round": "thorn", "text": "mine" }),
        ),
        403,
        "your own phone",
    );
    let (_, own) = hub.get("/api/reflections");
    assert!(!own.to_string().contains("mine"), "{own}");
}

/// How many browsers the hub lists, as its own computer sees them.
fn browsers_listed(hub: &mut Browser) -> usize {
    let (status, listed) = hub.get("/api/browsers");
    assert_eq!(status, 200, "{listed}");
    listed.as_array().expect("a list").len()
}

#[test]
fn requests_that_show_only_the_key_write_nothing_and_guests_are_capped() {
    let Some((seeded, mut hub, guest)) = at_the_hall() else {
        return;
    };
    assert_eq!(browsers_listed(&mut hub), 1);

    // A script that keeps the key cookie and drops the browser's reads as
    // a guest, as often as it likes, and adds no browser to the hub's disk.
    let key_cookie = guest
        .cookies
        .iter()
        .find(|cookie| cookie.starts_with("holdfast_hall_key="))
        .expect("the key cookie")
        .clone();
    for _ in 0..50 {
        let mut script = Browser::at(&guest.address);
        script.cookies.push(key_cookie.clone());
        let (status, today) = script.get("/api/today");
        assert_eq!(status, 200, "{today}");
        assert!(today["me"].is_null(), "{today}");
    }
    assert_eq!(browsers_listed(&mut hub), 1);
    // Such a browser cannot be paired: it is told to open the link again.
    let mut script = Browser::at(&guest.address);
    script.cookies.push(key_cookie);
    let code = invite(&mut hub, &seeded.bo);
    refused(
        &script.post("/api/browser/pair", json!({ "code": code })),
        403,
        "open the hub's link again",
    );

    // Opening the link over and over keeps at most the newest guests; a
    // paired browser is never let go, and the newest guest can still pair.
    let mut ana = Browser::at(&guest.address);
    ana.enter(&seeded.key);
    pair(&mut hub, &mut ana, &seeded.ana);
    for _ in 0..GUEST_LIMIT {
        Browser::at(&guest.address).enter(&seeded.key);
    }
    let mut newest = Browser::at(&guest.address);
    newest.enter(&seeded.key);
    assert_eq!(browsers_listed(&mut hub), GUEST_LIMIT + 1);
    let (_, today) = ana.get("/api/today");
    assert_eq!(today["me"]["id"], seeded.ana.as_str(), "{today}");
    pair(&mut hub, &mut newest, &seeded.bo);
    // The first guest was let go: it still reads, as a passing guest.
    let mut first = guest;
    let (status, today) = first.get("/api/today");
    assert_eq!(status, 200, "{today}");
    assert!(today["browser"]["member_id"].is_null(), "{today}");
}
