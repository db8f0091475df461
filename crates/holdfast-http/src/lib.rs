//! The HTTP face of a campaign: a JSON API under `/api/` for the web UI, and
//! the UI's static files from a folder.
//!
//! Handlers are thin: decode the request, call one [`Campaign`] method on a
//! blocking thread, encode the answer. Every failure becomes one JSON shape,
//! `{ "error": "..." }`, with a status that says whose fault it was.
//!
//! - [`router`] builds the whole service for a campaign, open or locked.
//! - [`serve`] binds it to an address and runs it until Ctrl-C.
//! - `error` holds the one error type; `extract` the request decoders that
//!   report their failures in that shape.
//! - `protection` adds the security headers and refuses foreign host names.
//! - `hall_access` asks other computers on the hall's network for the key
//!   in the hub's link.
//! - `routes/` has one file per part of the product; `routes/lock.rs` is
//!   the lock screen's, the only routes that answer while it is locked.

mod error;
mod extract;
mod hall_access;
mod protection;
mod routes;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use holdfast_net::SharedVault;
use holdfast_store::Campaign;
use tower_http::services::ServeDir;

pub use error::ApiError;
pub use routes::lock::WIPE_WORD;

/// Where the idle time before the UI locks itself can be changed (seconds).
pub const IDLE_LOCK_VARIABLE: &str = "HOLDFAST_IDLE_LOCK_SECONDS";
/// Five minutes without a touch or a key press, unless told otherwise.
pub const DEFAULT_IDLE_LOCK_SECONDS: u64 = 300;

/// The whole service: the API under `/api/` and the UI's files from `ui_dir`.
/// While the campaign is locked, the API answers 423 except for the lock
/// screen's routes.
pub fn router(vault: SharedVault, ui_dir: PathBuf) -> Router {
    let idle_lock_seconds = std::env::var(IDLE_LOCK_VARIABLE)
        .ok()
        .and_then(|value| value.trim().parse::<u64>().ok())
        .filter(|seconds| *seconds > 0)
        .unwrap_or(DEFAULT_IDLE_LOCK_SECONDS);
    let shared = state::Shared::new(vault, idle_lock_seconds);
    let api = routes::api(ui_dir.clone())
        .with_state(shared)
        .layer(protection::no_store());
    let files = ServeDir::new(ui_dir).append_index_html_on_directories(true);
    let files = Router::new()
        .fallback_service(files)
        .layer(protection::revalidate());
    protection::apply(Router::new().nest("/api", api).merge(files))
}

/// What goes over a socket is compressed for browsers that ask (every one
/// does): the screens' files and the answers are text, and a phone at the
/// hall shares the wifi with everyone else's. The desktop app's own window
/// reaches [`router`] in-process and is not compressed.
fn over_the_network(router: Router) -> Router {
    router.layer(tower_http::compression::CompressionLayer::new())
}

/// Serves the campaign on `address` until the process is interrupted.
/// Pass an address on 127.0.0.1 unless the local really means to open the
/// record to its network.
pub async fn serve(
    campaign: SharedVault,
    address: SocketAddr,
    ui_dir: PathBuf,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| ServeError::Bind { address, source })?;
    serve_on(listener, campaign, ui_dir).await
}

/// Serves on a listener the caller already bound, which lets a caller bind
/// port 0 and learn the port before serving.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    campaign: SharedVault,
    ui_dir: PathBuf,
) -> Result<(), ServeError> {
    axum::serve(listener, over_the_network(router(campaign, ui_dir)))
        .with_graceful_shutdown(async {
            // If the signal cannot be installed the server simply runs until
            // the process is killed, which is what a user expects anyway.
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(ServeError::Serve)
}

/// Serves the UI to other computers on the hall's network as well as this
/// one: requests from elsewhere must first open `link_for(address, key)`,
/// with the key [`hall_key`] keeps in the campaign. Until the campaign has
/// been unlocked once, other computers are turned away; locking, unlocking
/// and wiping are for this computer only. Runs until the task is dropped.
pub async fn serve_for_hall(
    listener: tokio::net::TcpListener,
    vault: SharedVault,
    ui_dir: PathBuf,
) -> Result<(), ServeError> {
    if let Ok(bound) = listener.local_addr() {
        HALL_PORT.store(bound.port(), std::sync::atomic::Ordering::Relaxed);
    }
    let key = hall_access::HallKey::new(vault.clone());
    let service = over_the_network(router(vault, ui_dir)).layer(axum::middleware::from_fn(
        move |request, next| hall_access::require_key(key.clone(), request, next),
    ));
    axum::serve(
        listener,
        service.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .map_err(ServeError::Serve)
}

/// The port this process serves the hall's web UI on, once
/// [`serve_for_hall`] has started (0 before): the desktop app's own window
/// reaches the router in-process, with no port of its own, and still needs
/// the hall's to show a new link. One process serves one hall.
static HALL_PORT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);

/// The port [`serve_for_hall`] listens on in this process, if it runs.
pub fn hall_port() -> Option<u16> {
    Some(HALL_PORT.load(std::sync::atomic::Ordering::Relaxed)).filter(|port| *port != 0)
}

/// The key other computers at the hall must show, made on first use and
/// kept on this device so that their bookmarks keep working.
pub fn hall_key(campaign: &Campaign) -> Result<String, holdfast_store::StoreError> {
    campaign.hall_key()
}

/// The link another computer at the hall opens once to use the UI.
pub fn link_for(address: &str, key: &str) -> String {
    format!("http://{address}{}?key={key}", hall_access::ENTER_PATH)
}

/// The hall's links for `key`: one for each of this computer's addresses on
/// the hall's network, with the UI on `port`.
pub fn hall_links(port: u16, key: &str) -> Vec<String> {
    holdfast_net::hub::local_addresses(port)
        .iter()
        .map(|address| link_for(address, key))
        .collect()
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("could not listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
}
