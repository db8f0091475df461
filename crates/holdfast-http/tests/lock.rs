//! The lock screen's API against the real server: a campaign with a
//! passphrase that starts locked, answers 423 until it is unlocked, refuses a
//! wrong passphrase without changing anything, locks again, and wipes only
//! with the confirm word, and only for this computer. Erasing a member, which
//! cannot be undone either, is likewise for this computer only.

mod support;

use std::net::SocketAddr;
use std::path::Path;

use holdfast_core::model::Role;
use holdfast_store::at_rest::{self, Cost, KEY_FILE};
use holdfast_store::use_cases::members::NewMember;
use holdfast_store::{Campaign, Vault, DATABASE_FILE};
use serde_json::{json, Value};

const PASSPHRASE: &str = "solidarity forever";

/// Cheap enough for tests; the cost is kept in the key file.
const CHEAP: Cost = Cost {
    memory_kib: 64,
    passes: 1,
    lanes: 1,
};

/// A campaign with one member in a temporary folder, protected by
/// `PASSPHRASE` when asked, and closed.
fn campaign(protected: bool) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut campaign =
        Campaign::create(folder.path(), "Fair contract", "Local 7").expect("created");
    campaign
        .add_member(NewMember {
            name: "Ana Ferreira".into(),
            ..NewMember::default()
        })
        .expect("a member");
    drop(campaign);
    if protected {
        at_rest::change_passphrase(folder.path(), None, Some(PASSPHRASE), CHEAP)
            .expect("a passphrase");
    }
    folder
}

struct Server {
    base: String,
    agent: ureq::Agent,
}

/// Serves the vault in `folder` (opened with `passphrase`) on `address`,
/// as `holdfast serve` does, or as the hub serves the hall.
fn serve(folder: &Path, passphrase: Option<&str>, hall: bool) -> (Server, SocketAddr) {
    let vault = Vault::open(folder, passphrase).expect("the vault opens");
    let bind = if hall { "0.0.0.0:0" } else { "127.0.0.1:0" };
    let listener = std::net::TcpListener::bind(bind).expect("a free port");
    let address = listener.local_addr().expect("the port");
    support::serve_in_background(listener, vault, hall);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let server = Server {
        base: format!("http://127.0.0.1:{}", address.port()),
        agent,
    };
    (server, address)
}

fn answer(mut response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

impl Server {
    fn get(&self, path: &str) -> (u16, Value) {
        answer(
            self.agent
                .get(format!("{}{path}", self.base))
                .call()
                .unwrap_or_else(|error| panic!("GET {path}: {error:?}")),
        )
    }

    /// A POST; `Value::Null` sends no body at all.
    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let request = self.agent.post(format!("{}{path}", self.base));
        let response = if body.is_null() {
            request
                .header("Content-Type", "application/json")
                .send_empty()
        } else {
            request.send_json(&body)
        };
        answer(response.unwrap_or_else(|error| panic!("POST {path}: {error:?}")))
    }
}

/// Every file in the folder with its bytes.
fn files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .expect("the folder")
        .map(|entry| {
            let entry = entry.expect("an entry");
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).expect("the file"),
            )
        })
        .collect();
    files.sort();
    files
}

fn idle_lock_seconds() -> u64 {
    std::env::var(holdfast_http::IDLE_LOCK_VARIABLE)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(holdfast_http::DEFAULT_IDLE_LOCK_SECONDS)
}

#[test]
fn a_locked_campaign_answers_423_until_it_is_unlocked() {
    let folder = campaign(true);
    let (server, _) = serve(folder.path(), None, false);

    let (status, state) = server.get("/api/lock");
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["locked"], true);
    assert_eq!(state["protection"], "passphrase");
    assert_eq!(state["idle_lock_seconds"], idle_lock_seconds());

    for path in ["/api/today", "/api/members", "/api/settings", "/api/sync"] {
        let (status, body) = server.get(path);
        assert_refused(path, status, &body, 423, "locked");
    }
    let (status, body) = server.post("/api/check-in", json!({ "action": "a" }));
    assert_eq!(status, 423, "{body}");
    let (status, _) = server.post("/api/sync/now", Value::Null);
    assert_eq!(status, 423);
    // The catalogs the lock screen needs are still listed.
    let (status, _) = server.get("/api/languages");
    assert_eq!(status, 200);

    let (status, body) = server.post("/api/unlock", json!({ "passphrase": PASSPHRASE }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["locked"], false);
    let (status, members) = server.get("/api/members");
    assert_eq!(status, 200, "{members}");
    assert_eq!(members[0]["name"], "Ana Ferreira");
    assert_eq!(server.get("/api/lock").1["locked"], false);

    // Lock needs a JSON body, so another site's page cannot lock from afar.
    let (status, _) = server.post("/api/lock", Value::Null);
    assert_eq!(status, 400);
    assert_eq!(server.get("/api/lock").1["locked"], false);

    // Lock now, and the API closes again until the passphrase is given.
    let (status, body) = server.post("/api/lock", json!({}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["locked"], true);
    assert_eq!(server.get("/api/members").0, 423);
    assert_eq!(server.get("/api/lock").1["locked"], true);
    assert_eq!(
        server
            .post("/api/unlock", json!({ "passphrase": PASSPHRASE }))
            .0,
        200
    );
    assert_eq!(server.get("/api/members").0, 200);
}

#[test]
fn a_wrong_passphrase_is_401_and_changes_nothing() {
    let folder = campaign(true);
    let (server, _) = serve(folder.path(), None, false);
    let before = files(folder.path());

    let (status, body) = server.post("/api/unlock", json!({ "passphrase": "scab" }));
    assert_eq!(status, 401, "{body}");
    let message = body["error"].as_str().unwrap_or_default();
    assert!(message.contains("passphrase is wrong"), "{message}");
    assert_eq!(server.get("/api/lock").1["locked"], true);
    assert_eq!(server.get("/api/today").0, 423);
    assert_eq!(files(folder.path()), before, "no file changed");

    let (status, _) = server.post("/api/unlock", json!({}));
    assert_eq!(status, 400, "a missing passphrase is a bad request");
    assert_eq!(server.get("/api/lock").1["locked"], true);
}

#[test]
fn a_campaign_without_a_passphrase_cannot_be_locked() {
    let folder = campaign(false);
    let (server, _) = serve(folder.path(), None, false);
    let (status, state) = server.get("/api/lock");
    assert_eq!(status, 200);
    assert_eq!(state["locked"], false);
    assert_eq!(state["protection"], "this-device");

    let (status, body) = server.post("/api/lock", json!({}));
    assert_eq!(status, 400, "{body}");
    let message = body["error"].as_str().unwrap_or_default();
    assert!(message.contains("set a passphrase first"), "{message}");
    assert_eq!(server.get("/api/members").0, 200, "still open");
}

#[test]
fn wiping_needs_the_confirm_word_and_then_leaves_nothing() {
    let folder = campaign(true);
    let (server, _) = serve(folder.path(), None, false);
    let before = files(folder.path());

    for body in [
        json!({}),
        json!({ "confirm": "yes" }),
        json!({ "confirm": "" }),
    ] {
        let (status, answer) = server.post("/api/wipe", body.clone());
        assert_eq!(status, 400, "{body}: {answer}");
        let message = answer["error"].as_str().unwrap_or_default();
        assert!(message.contains(holdfast_http::WIPE_WORD), "{message}");
    }
    // A page on another site can send a form or plain text to this
    // computer, but not JSON without asking first: plain text is refused
    // before any route sees it.
    let (status, refusal) = answer(
        server
            .agent
            .post(format!("{}/api/wipe", server.base))
            .header("Content-Type", "text/plain")
            .send(r#"{"confirm":"WIPE"}"#)
            .expect("the server answers"),
    );
    assert_eq!(status, 403, "{refusal}");
    assert_eq!(files(folder.path()), before, "nothing was wiped");

    // From the lock screen, without the passphrase: that is the point.
    let (status, wiped) = server.post("/api/wipe", json!({ "confirm": "WIPE" }));
    assert_eq!(status, 200, "{wiped}");
    assert!(wiped["files_removed"].as_u64().unwrap_or(0) >= 2, "{wiped}");
    assert_eq!(wiped["folder"], folder.path().display().to_string());
    assert!(!folder.path().join(KEY_FILE).exists());
    assert!(!folder.path().join(DATABASE_FILE).exists());

    for path in ["/api/lock", "/api/today", "/api/members"] {
        let (status, body) = server.get(path);
        assert_refused(path, status, &body, 404, "no campaign");
    }
    assert_eq!(
        server
            .post("/api/unlock", json!({ "passphrase": PASSPHRASE }))
            .0,
        404
    );
    assert_eq!(
        server.post("/api/wipe", json!({ "confirm": "WIPE" })).0,
        404
    );
}

/// A request from another computer at the hall: the hub's own
/// non-loopback address, with the hall's cookie when given. Each on a
/// connection of its own, since a refused request's body is left unread.
fn hall_request(address: &str, method: &str, path: &str, cookie: Option<&str>) -> (u16, Value) {
    let body = json!({ "passphrase": PASSPHRASE, "confirm": "WIPE" });
    hall_request_with(address, method, path, cookie, &body)
}

/// As [`hall_request`], with the body a POST sends.
fn hall_request_with(
    address: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("http://{address}{path}");
    let response = if method == "GET" {
        let mut request = agent.get(&url);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.call()
    } else {
        let mut request = agent.post(&url);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send_json(body)
    };
    answer(response.expect("the server answers"))
}

/// That the answer for `path` has `status` and an error saying `says`.
fn assert_refused(path: &str, status: u16, body: &Value, expected: u16, says: &str) {
    assert_eq!(status, expected, "{path}: {body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(error.contains(says), "{path}: {body}");
}

/// The UI served to the hall as the hub does, and an address of this
/// machine that another computer would use. `None`, said on stderr, on a
/// machine whose only interface is loopback: there is no hall to check.
fn serve_for_hall(folder: &Path) -> Option<(Server, String)> {
    let (server, bound) = serve(folder, None, true);
    let hall = holdfast_net::hub::local_addresses(bound.port())
        .into_iter()
        .next();
    if hall.is_none() {
        eprintln!("no non-loopback address on this machine; the hall cannot be checked");
    }
    hall.map(|hall| (server, hall))
}

#[test]
fn computers_at_the_hall_may_not_lock_unlock_or_wipe() {
    let folder = campaign(true);
    // The hall's key is kept in the campaign; read it as the hub would.
    let key = {
        let campaign =
            Campaign::open_with_passphrase(folder.path(), Some(PASSPHRASE)).expect("opened");
        holdfast_http::hall_key(&campaign).expect("a key")
    };
    let cookie = format!("holdfast_hall_key={key}");
    let Some((server, hall)) = serve_for_hall(folder.path()) else {
        return;
    };

    // Started locked: the hall is told so, even with the key.
    let (status, body) = hall_request(&hall, "GET", "/api/today", Some(&cookie));
    assert_eq!(status, 423, "{body}");
    let before = files(folder.path());
    for path in ["/api/lock", "/api/unlock", "/api/wipe"] {
        let (status, body) = hall_request(&hall, "POST", path, Some(&cookie));
        assert_refused(path, status, &body, 403, "only on the computer");
    }
    assert_eq!(files(folder.path()), before, "nothing changed");
    assert_eq!(server.get("/api/lock").1["locked"], true);

    // This computer unlocks; the hall then works with its key, and only so.
    assert_eq!(
        server
            .post("/api/unlock", json!({ "passphrase": PASSPHRASE }))
            .0,
        200
    );
    let (status, body) = hall_request(&hall, "GET", "/api/members", Some(&cookie));
    assert_eq!(status, 200, "{body}");
    let (status, _) = hall_request(&hall, "GET", "/api/members", None);
    assert_eq!(status, 401);
    let (status, state) = hall_request(&hall, "GET", "/api/lock", Some(&cookie));
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["locked"], false);
    for path in ["/api/lock", "/api/wipe"] {
        let (status, body) = hall_request(&hall, "POST", path, Some(&cookie));
        assert_eq!(status, 403, "{path}: {body}");
    }
    assert_eq!(server.get("/api/lock").1["locked"], false);
    assert!(folder.path().join(KEY_FILE).exists());

    // This computer locks; the hall sees the lock too.
    assert_eq!(server.post("/api/lock", json!({})).0, 200);
    let (status, _) = hall_request(&hall, "GET", "/api/members", Some(&cookie));
    assert_eq!(status, 423);
}

#[test]
fn computers_at_the_hall_may_not_erase_a_member() {
    // No passphrase: the hub's campaign is open, and the device belongs to
    // a steward, who may erase Ana from this computer.
    let folder = campaign(false);
    let (key, ana) = {
        let mut campaign = Campaign::open(folder.path()).expect("opened");
        let steward = campaign
            .add_member(NewMember {
                name: "Dee Mensah".into(),
                roles: vec![Role::Member, Role::Steward],
                ..NewMember::default()
            })
            .expect("a steward");
        campaign
            .set_device_member(&steward.id)
            .expect("device member");
        let ana = campaign.resolve_member("Ana Ferreira").expect("Ana").id;
        (holdfast_http::hall_key(&campaign).expect("a key"), ana)
    };
    let cookie = format!("holdfast_hall_key={key}");
    let Some((server, hall)) = serve_for_hall(folder.path()) else {
        return;
    };

    let path = format!("/api/members/{ana}/erase");
    let confirm = json!({ "confirm": "Ana Ferreira" });
    let (status, members) = hall_request(&hall, "GET", "/api/members", Some(&cookie));
    assert_eq!(status, 200, "{members}");
    let before = files(folder.path());
    let (status, body) = hall_request_with(&hall, "POST", &path, Some(&cookie), &confirm);
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("only on the computer"),
        "{body}"
    );
    assert_eq!(files(folder.path()), before, "nothing changed");
    assert_eq!(server.get("/api/members").1, members);

    // The same request from this computer goes through.
    let (status, erased) = server.post(&path, confirm);
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["member_id"], ana.as_str());
    let (_, members) = server.get("/api/members");
    assert_eq!(members.as_array().map(Vec::len), Some(1), "{members}");
}
