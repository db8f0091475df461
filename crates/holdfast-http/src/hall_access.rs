//! Who may use the web UI when it is served beyond this computer.
//!
//! On the hall's network anyone can type the hub's address into a browser,
//! and the API has no log-in of its own. So a browser on another computer
//! must first open the link the hub prints, which carries a long random key;
//! the key is then kept in a cookie that only this server reads
//! (`HttpOnly`, `SameSite=Strict`). Requests from this computer itself, and
//! from the desktop app's own window (which reaches the router in-process,
//! with no network address at all), need no key.
//!
//! The key is kept in the campaign, so it is read once the campaign is
//! open; until then other computers are told the hub is locked. Locking,
//! unlocking, wiping and erasing a member are refused to other computers
//! even with the key: whoever holds the link must not be able to guess the
//! passphrase from across the hall, nor destroy the hub's copy or anyone's
//! record in it.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::extract::{ConnectInfo, Request};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use holdfast_net::SharedVault;

use crate::error::ApiError;

/// The paths that only this computer may post to: the lock screen's
/// (`routes/lock.rs`) and a member's erasure (`routes/people.rs`), which
/// cannot be undone. A `*` stands for one segment of the path, an id.
const THIS_COMPUTER_ONLY: [&str; 4] = [
    "/api/lock",
    "/api/unlock",
    "/api/wipe",
    "/api/members/*/erase",
];

/// Whether `path` is one of [`THIS_COMPUTER_ONLY`].
fn this_computer_only(path: &str) -> bool {
    THIS_COMPUTER_ONLY.iter().any(|pattern| {
        let mut wanted = pattern.split('/');
        let mut given = path.split('/');
        loop {
            match (wanted.next(), given.next()) {
                (None, None) => return true,
                (Some("*"), Some(_)) => {}
                (Some(expected), Some(segment)) if expected == segment => {}
                _ => return false,
            }
        }
    })
}

/// The path that trades the key in the link for a cookie.
pub const ENTER_PATH: &str = "/enter";
const COOKIE: &str = "holdfast_hall_key";

/// The key other computers must show, read from the campaign the first
/// time it is open.
#[derive(Clone)]
pub struct HallKey {
    vault: SharedVault,
    known: Arc<OnceLock<String>>,
}

impl HallKey {
    pub fn new(vault: SharedVault) -> Self {
        HallKey {
            vault,
            known: Arc::new(OnceLock::new()),
        }
    }

    /// The key, or none while the campaign has never been open.
    async fn current(&self) -> Option<String> {
        if let Some(key) = self.known.get() {
            return Some(key.clone());
        }
        let vault = self.vault.clone();
        let key = tokio::task::spawn_blocking(move || {
            let mut vault = vault.lock().ok()?;
            crate::hall_key(vault.campaign().ok()?).ok()
        })
        .await
        .ok()
        .flatten()?;
        Some(self.known.get_or_init(|| key).clone())
    }
}

pub async fn require_key(key: HallKey, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address);
    // No address means the request did not come over a socket: the app's
    // own window. A loopback address is this computer.
    if peer.is_none_or(|address| address.ip().is_loopback()) {
        return next.run(request).await;
    }
    if request.method() != Method::GET && this_computer_only(request.uri().path()) {
        return ApiError::ThisComputerOnly.into_response();
    }
    let Some(key) = key.current().await else {
        return locked();
    };
    if request.uri().path() == ENTER_PATH {
        let offered = request
            .uri()
            .query()
            .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("key=")))
            .unwrap_or_default();
        if same(offered, &key) {
            let cookie = format!("{COOKIE}={key}; Path=/; HttpOnly; SameSite=Strict");
            let mut response = (StatusCode::SEE_OTHER, "").into_response();
            let headers = response.headers_mut();
            headers.insert(header::LOCATION, HeaderValue::from_static("/"));
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.insert(header::SET_COOKIE, value);
            }
            return response;
        }
        return refuse();
    }
    let shown = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| {
            pair.trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(str::to_string)
        })
        .any(|offered| same(&offered, &key));
    if shown {
        next.run(request).await
    } else {
        refuse()
    }
}

fn refuse() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This Holdfast hub only opens for computers that were given its link. \
         Ask the steward at the hub for it.\n",
    )
        .into_response()
}

fn locked() -> Response {
    (
        StatusCode::LOCKED,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This Holdfast hub is locked. Ask the steward at the hub to unlock it, \
         then open the link again.\n",
    )
        .into_response()
}

/// Compares without stopping at the first difference, so the time taken
/// says nothing about how much of a guess was right.
fn same(offered: &str, expected: &str) -> bool {
    let (offered, expected) = (offered.as_bytes(), expected.as_bytes());
    if offered.len() != expected.len() {
        return false;
    }
    offered
        .iter()
        .zip(expected)
        .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::this_computer_only;

    #[test]
    fn the_paths_only_this_computer_may_post_to() {
        for path in [
            "/api/lock",
            "/api/unlock",
            "/api/wipe",
            "/api/members/4b1c9e0a/erase",
            "/api/members/Ana%20Ferreira/erase",
            "/api/members//erase",
        ] {
            assert!(this_computer_only(path), "{path}");
        }
        for path in [
            "/api/members",
            "/api/members/erase",
            "/api/members/a/b/erase",
            "/api/members/a/erase/more",
            "/api/lock/more",
            "/api/check-in",
        ] {
            assert!(!this_computer_only(path), "{path}");
        }
    }
}
