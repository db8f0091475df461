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
//! The key only lets a browser in. Each browser that opens the link also
//! gets an identity of its own (a second cookie, `holdfast_browser`; see
//! `holdfast_store::use_cases::hall_browsers`): a guest that may read, until
//! it is paired with an invite a steward issued, and then the member and
//! role of that invite, and nothing more. Every request from it runs as
//! that browser ([`crate::state::VISITOR`]), so the store checks its edits
//! against its own authority, not the hub's.
//!
//! The key is kept in the campaign, so it is read once the campaign is
//! open; until then other computers are told the hub is locked. Locking,
//! unlocking, wiping and erasing a member are refused to other computers
//! even with the key: whoever holds the link must not be able to guess the
//! passphrase from across the hall, nor destroy the hub's copy or anyone's
//! record in it.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use holdfast_net::SharedVault;

use holdfast_store::use_cases::hall_browsers::HallBrowser;

use crate::error::ApiError;
use crate::state::VISITOR;

/// The paths that only this computer may post to: the lock screen's
/// (`routes/lock.rs`) and a member's erasure (`routes/people.rs`), which
/// cannot be undone. A `*` stands for one segment of the path, an id.
const THIS_COMPUTER_ONLY: [&str; 5] = [
    "/api/hall-link/new",
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
const BROWSER_COOKIE: &str = "holdfast_browser";
/// The one change a guest browser may ask for: to be paired.
pub const PAIR_PATH: &str = "/api/browser/pair";
/// Cookies outlive a closed tab: a phone paired at one meeting is still
/// paired at the next. A year, after which the link is opened again.
const COOKIE_ATTRIBUTES: &str = "Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000";

/// The key other computers must show and the browsers that showed it,
/// both read from the campaign for every request, so that a new key turns
/// the old links away at once.
#[derive(Clone)]
pub struct HallKey {
    vault: SharedVault,
}

/// What one request from the hall showed.
enum Shown {
    /// The campaign is locked: nothing can be checked.
    Locked,
    /// No key, or not the current one.
    WrongKey,
    /// The current key, and the browser it came from (with the token for
    /// its cookie when it is new here).
    Browser(HallBrowser, Option<String>),
}

impl HallKey {
    pub fn new(vault: SharedVault) -> Self {
        HallKey { vault }
    }

    /// Checks `offered` against the current key and finds the browser whose
    /// cookie holds `token`. With no token, or one this hub does not know,
    /// a browser `entering` through the link is admitted as a new guest;
    /// any other request is a passing guest, kept nowhere, so that a
    /// request that shows the key and no browser writes nothing.
    async fn check(
        &self,
        offered: Option<String>,
        token: Option<String>,
        user_agent: String,
        entering: bool,
    ) -> Result<Shown, ApiError> {
        let vault = self.vault.clone();
        tokio::task::spawn_blocking(move || {
            let mut vault = vault.lock().map_err(|_| ApiError::Poisoned)?;
            let Ok(campaign) = vault.campaign() else {
                return Ok(Shown::Locked);
            };
            let key = crate::hall_key(campaign)?;
            if !offered.is_some_and(|offered| {
                holdfast_core::signing::same_secret(offered.as_bytes(), key.as_bytes())
            }) {
                return Ok(Shown::WrongKey);
            }
            if let Some(token) = token {
                if let Some(browser) = campaign.hall_browser(&token)? {
                    return Ok(Shown::Browser(browser, None));
                }
            }
            if !entering {
                return Ok(Shown::Browser(
                    HallBrowser::passing_guest(&user_agent),
                    None,
                ));
            }
            let (browser, token) = campaign.admit_browser(&user_agent)?;
            Ok(Shown::Browser(browser, Some(token)))
        })
        .await
        .map_err(|error| ApiError::Interrupted(error.to_string()))?
    }
}

/// The value of one of our cookies in the request, if it shows it.
fn cookie(request: &Request, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(&prefix).map(str::to_string))
}

fn set_cookie(response: &mut Response, name: &str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(&format!("{name}={value}; {COOKIE_ATTRIBUTES}")) {
        response.headers_mut().append(header::SET_COOKIE, value);
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
    let entering = request.uri().path() == ENTER_PATH;
    let offered = if entering {
        request
            .uri()
            .query()
            .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("key=")))
            .map(str::to_string)
    } else {
        cookie(&request, COOKIE)
    };
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let shown = key
        .check(
            offered.clone(),
            cookie(&request, BROWSER_COOKIE),
            user_agent,
            entering,
        )
        .await;
    let (browser, new_token) = match shown {
        Ok(Shown::Browser(browser, token)) => (browser, token),
        Ok(Shown::Locked) => return locked(),
        Ok(Shown::WrongKey) => return refuse(),
        Err(error) => return error.into_response(),
    };
    let mut response = if entering {
        let mut response = (StatusCode::SEE_OTHER, "").into_response();
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
        set_cookie(
            &mut response,
            COOKIE,
            offered.as_deref().unwrap_or_default(),
        );
        response
    } else if browser.revoked_at.is_some() {
        return ApiError::BrowserTurnedAway.into_response();
    } else if browser.is_passing() && request.uri().path() == PAIR_PATH {
        ApiError::BrowserNotAdmitted.into_response()
    } else if !browser.is_paired()
        && request.method() != Method::GET
        && request.uri().path() != PAIR_PATH
    {
        ApiError::BrowserNotPaired.into_response()
    } else {
        VISITOR.scope(browser, next.run(request)).await
    };
    if let Some(token) = new_token {
        set_cookie(&mut response, BROWSER_COOKIE, &token);
    }
    response
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
