//! The app's one command: a request from the window, answered by the HTTP
//! API's router in this process.
//!
//! The UI sends what it would send to the server (a method, a path under
//! `/api/`, a JSON body) and gets what the server would answer, so the app
//! and the browser reach the very same handlers and no handler is written
//! twice. Nothing crosses a socket: `oneshot` calls the router directly.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use holdfast_net::SharedVault;
use serde::Serialize;
use serde_json::Value;
use tauri::ipc::Response;
use tower::ServiceExt;

/// The largest answer the window accepts. The biggest real answers (member
/// lists, calendars) are far smaller; the bound only stops a runaway one.
const ANSWER_LIMIT: usize = 64 * 1024 * 1024;

/// What the window's requests are answered by.
pub enum Backend {
    /// The campaign is there (open or locked) and the router answers. The
    /// campaign is kept too, so the app can tidy it up when it closes.
    Open { router: Router, vault: SharedVault },
    /// No campaign could be opened; every request is told why.
    Closed(String),
}

/// A refused request, as the UI's `ApiError` reads it: the server's own
/// `{ "error": ... }` text and the HTTP status it would have sent.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub status: u16,
}

impl Failure {
    fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Failure {
            error: error.into(),
            status: status.as_u16(),
        }
    }
}

/// `invoke('api', { method, path, body })` from ui/js/api.js.
#[tauri::command]
pub async fn api(
    backend: tauri::State<'_, Backend>,
    method: String,
    path: String,
    body: Option<Value>,
) -> Result<Response, Failure> {
    match backend.inner() {
        Backend::Open { router, .. } => forward(router.clone(), &method, &path, body)
            .await
            .map(Response::new),
        Backend::Closed(reason) => Err(Failure::new(StatusCode::SERVICE_UNAVAILABLE, reason)),
    }
}

/// Sends one request through `router` and returns the answer as JSON text:
/// a JSON answer as it came, any other answer (a calendar file) as a JSON
/// string.
pub async fn forward(
    router: Router,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<String, Failure> {
    // The router also serves the UI's files; through this command only the
    // API is reachable, so the window cannot use it to read files.
    if !path.starts_with("/api/") {
        return Err(Failure::new(
            StatusCode::NOT_FOUND,
            format!("there is no API at {path}"),
        ));
    }
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            format!("`{method}` is not an HTTP method"),
        )
    })?;
    let mut request = Request::builder().method(method).uri(path);
    let body = match body {
        Some(value) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    let request = request.body(body).map_err(|error| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            format!("the request to {path} was not understood: {error}"),
        )
    })?;

    let response = router
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let bytes = axum::body::to_bytes(response.into_body(), ANSWER_LIMIT)
        .await
        .map_err(|error| {
            Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the answer from {path} could not be read: {error}"),
            )
        })?;
    let text = String::from_utf8_lossy(&bytes);

    if !status.is_success() {
        let error = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|value| value.get("error")?.as_str().map(str::to_string))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("failed").to_string());
        return Err(Failure::new(status, error));
    }
    if text.is_empty() {
        Ok("null".to_string())
    } else if is_json {
        Ok(text.into_owned())
    } else {
        Ok(Value::String(text.into_owned()).to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex};

    use holdfast_store::{Campaign, Vault};
    use serde_json::json;

    use super::*;

    fn router(folder: &tempfile::TempDir) -> Router {
        let campaign = Campaign::create(&folder.path().join("campaign"), "Shell test", "Local 1")
            .expect("a fresh campaign");
        let ui_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui");
        holdfast_http::router(Arc::new(Mutex::new(Vault::from(campaign))), ui_dir)
    }

    #[tokio::test]
    async fn answers_as_the_server_would() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let router = router(&folder);

        let settings = forward(router.clone(), "GET", "/api/settings", None)
            .await
            .expect("the settings");
        let settings: Value = serde_json::from_str(&settings).expect("JSON");
        assert_eq!(settings["campaign_name"], "Shell test");

        let members = forward(router.clone(), "GET", "/api/members", None)
            .await
            .expect("the member list");
        assert_eq!(members, "[]");

        // A body that arrives is judged by the store (no such action), not
        // refused as unreadable by the router.
        let check_in = forward(
            router.clone(),
            "POST",
            "/api/check-in",
            Some(json!({ "action": "no-such-action" })),
        )
        .await
        .expect_err("no such action");
        assert!(!check_in.error.contains("not understood"), "{check_in:?}");

        let calendar = forward(router.clone(), "GET", "/api/calendar.ics", None)
            .await
            .expect("the calendar");
        let calendar: Value = serde_json::from_str(&calendar).expect("a JSON string");
        assert!(calendar
            .as_str()
            .is_some_and(|text| text.starts_with("BEGIN:VCALENDAR")));
    }

    #[tokio::test]
    async fn refusals_keep_the_servers_message_and_status() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let router = router(&folder);

        let missing = forward(router.clone(), "GET", "/api/no-such-thing", None).await;
        assert_eq!(missing.as_ref().map_err(|failure| failure.status), Err(404));
        assert!(missing.unwrap_err().error.contains("/api/no-such-thing"));

        let bad_body = forward(router.clone(), "POST", "/api/check-in", Some(json!(7))).await;
        assert_eq!(bad_body.map_err(|failure| failure.status), Err(400));

        for file in [
            "/index.html",
            "/api/../index.html",
            "/api/%2e%2e/index.html",
        ] {
            let answer = forward(router.clone(), "GET", file, None).await;
            assert_eq!(answer.map_err(|failure| failure.status), Err(404), "{file}");
        }

        let method = forward(router, "NOT A METHOD", "/api/settings", None).await;
        assert_eq!(method.map_err(|failure| failure.status), Err(400));
    }
}
