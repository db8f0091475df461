//! What every response carries and what every request must show.
//!
//! The record holds names, plans and who is short of rent money, so the UI
//! runs under a strict Content-Security-Policy (its own scripts and styles
//! only, nothing inline, nothing from elsewhere), API answers are never
//! cached, and requests that name a host other than this machine are refused.
//! The last rule stops DNS rebinding: a web page elsewhere cannot point its
//! own domain name at 127.0.0.1 and read the API through the visitor's browser.

use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers and the host check to the whole service.
pub fn apply(router: Router) -> Router {
    let headers: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ),
    ];
    let mut router = router.layer(middleware::from_fn(refuse_foreign_hosts));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// API answers are personal data: no cache, in the browser or between.
pub fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

async fn refuse_foreign_hosts(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    match host {
        Some(host) if !is_allowed_host(&host) => ApiError::ForeignHost(host).into_response(),
        _ => next.run(request).await,
    }
}

/// `localhost` and literal addresses pass: a literal address cannot be
/// rebound, and it is how a phone on the hall's wifi reaches a hub. Any
/// other name is refused.
fn is_allowed_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // An IPv6 literal, with or without a port after the bracket.
        return rest
            .split_once(']')
            .is_some_and(|(address, _)| address.parse::<std::net::Ipv6Addr>().is_ok());
    } else {
        host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.parse::<u16>().is_ok() {
                name
            } else {
                host
            }
        })
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::is_allowed_host;

    #[test]
    fn only_this_machine_and_literal_addresses_pass() {
        for host in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:3000",
            "[::1]:8080",
            "[::1]",
            "192.168.1.20:8080",
        ] {
            assert!(is_allowed_host(host), "{host} should pass");
        }
        for host in [
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "[not-an-address]",
        ] {
            assert!(!is_allowed_host(host), "{host} should be refused");
        }
    }
}
