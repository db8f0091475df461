//! What every response carries and what every request must show.
//!
//! The record holds names, plans and who is short of rent money, so the UI
//! runs under a strict Content-Security-Policy (its own scripts and styles
//! only, nothing inline, nothing from elsewhere), API answers are never
//! cached, and requests that name a host other than this machine are refused.
//! The host rule stops DNS rebinding: a web page elsewhere cannot point its
//! own domain name at 127.0.0.1 and read the API through the visitor's browser.
//!
//! A page elsewhere can still *send* to the API without reading the answer:
//! a plain cross-site form post or `fetch` with `no-cors` needs no
//! permission. So every request that may change something must be JSON
//! (which a page elsewhere cannot send without the browser asking us
//! first, and we never say yes), and must not say it came from another
//! site (`Sec-Fetch-Site`, `Origin`).

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
    let mut router = router
        .layer(middleware::from_fn(refuse_cross_site))
        .layer(middleware::from_fn(refuse_foreign_hosts));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// The screens' own files may be kept by the browser, but it asks each
/// time whether they changed (a `304 Not Modified` costs a few bytes), so a
/// phone never runs the screens of an older Holdfast than the hub's.
pub fn revalidate() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    )
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

async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if is_cross_site(&request) {
        return ApiError::CrossSite.into_response();
    }
    next.run(request).await
}

/// Whether a request that may change something could have been made by a
/// page on another site.
fn is_cross_site(request: &Request) -> bool {
    use axum::http::Method;
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return false;
    }
    let headers = request.headers();
    let text = |name: HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    let json = text(header::CONTENT_TYPE).is_some_and(|value| {
        value
            .split(';')
            .next()
            .is_some_and(|kind| kind.trim() == "application/json")
    });
    let fetched_from_elsewhere = text(HeaderName::from_static("sec-fetch-site"))
        .is_some_and(|site| site != "same-origin" && site != "none");
    let origin_elsewhere = match (text(header::ORIGIN), text(header::HOST)) {
        (Some(origin), Some(host)) => {
            let without_scheme = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            without_scheme != Some(host.as_str())
        }
        (Some(_), None) => true,
        (None, _) => false,
    };
    !json || fetched_from_elsewhere || origin_elsewhere
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
    use super::{is_allowed_host, is_cross_site};
    use axum::body::Body;
    use axum::http::Request;

    fn post(headers: &[(&str, &str)]) -> Request<Body> {
        let mut request = Request::builder()
            .method("POST")
            .uri("/api/devices/x/revoke");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Body::empty()).unwrap()
    }

    #[test]
    fn a_change_from_another_site_is_refused() {
        const JSON: (&str, &str) = ("content-type", "application/json");
        const HOST: (&str, &str) = ("host", "192.168.1.20:8418");
        // What Holdfast's own screens send, in a browser and in the app.
        assert!(!is_cross_site(&post(&[JSON, HOST])));
        assert!(!is_cross_site(&post(&[
            ("content-type", "application/json; charset=utf-8"),
            HOST,
            ("origin", "http://192.168.1.20:8418"),
            ("sec-fetch-site", "same-origin"),
        ])));
        // What a page elsewhere can send without asking first.
        for headers in [
            &[HOST][..],
            &[("content-type", "text/plain"), HOST][..],
            &[("content-type", "application/x-www-form-urlencoded"), HOST][..],
            &[JSON, HOST, ("sec-fetch-site", "cross-site")][..],
            &[JSON, HOST, ("sec-fetch-site", "same-site")][..],
            &[JSON, HOST, ("origin", "http://evil.example")][..],
            &[JSON, HOST, ("origin", "null")][..],
        ] {
            assert!(is_cross_site(&post(headers)), "{headers:?}");
        }
        let read = Request::builder()
            .uri("/api/today")
            .body(Body::empty())
            .unwrap();
        assert!(!is_cross_site(&read));
    }

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
