//! What the API tests share: the real server, on a thread of its own, for a
//! listener the test bound.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use holdfast_store::Vault;

/// Serves `vault` on `listener` until the test process ends: to this
/// computer only, as `holdfast serve` does, or to the hall as the hub does.
pub fn serve_in_background(listener: TcpListener, vault: Vault, hall: bool) {
    let ui_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    listener.set_nonblocking(true).expect("non-blocking");
    let vault = Arc::new(Mutex::new(vault));
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            if hall {
                holdfast_http::serve_for_hall(listener, vault, ui_dir).await
            } else {
                holdfast_http::serve_on(listener, vault, ui_dir).await
            }
            .expect("the server runs");
        });
    });
}
