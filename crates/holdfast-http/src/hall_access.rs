//! Who may use the web UI when it is served beyond this computer.
//!
//! On the hall's network anyone can type the hub's address into a browser,
//! and the API has no log-in of its own. So a browser on another computer
//! must first open the link the hub prints, which carries a long random key;
//! the key is then kept in a cookie that only this server reads
//! (`HttpOnly`, `SameSite=Strict`). Requests from this computer itself, and
//! from the desktop app's own window (which reaches the router in-process,
//! with no network address at all), need no key.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The path that trades the key in the link for a cookie.
pub const ENTER_PATH: &str = "/enter";
const COOKIE: &str = "holdfast_hall_key";

/// The key other computers must show.
#[derive(Clone)]
pub struct HallKey(pub String);

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
    if request.uri().path() == ENTER_PATH {
        let offered = request
            .uri()
            .query()
            .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("key=")))
            .unwrap_or_default();
        if same(offered, &key.0) {
            let cookie = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict", key.0);
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
        .any(|offered| same(&offered, &key.0));
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
