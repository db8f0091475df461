//! Serves a campaign and the web UI on this machine, so the UI can be tried
//! in a browser:
//!
//! ```text
//! cargo run -p holdfast-http --example serve -- <data-dir> [port] [--demo]
//! ```
//!
//! With `--demo` and no campaign in the folder yet, it first fills the folder
//! with the demo campaign. Port 0 picks a free port; the URL printed on the
//! first line says which.
//!
//! The UI folder is `ui/` at the top of the repository unless
//! `HOLDFAST_UI_DIR` names another.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use holdfast_store::{Campaign, Vault};

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("serve: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let mut demo = false;
    let mut positional = Vec::new();
    for argument in std::env::args().skip(1) {
        if argument == "--demo" {
            demo = true;
        } else {
            positional.push(argument);
        }
    }
    let mut positional = positional.into_iter();
    let data_dir = positional
        .next()
        .map(PathBuf::from)
        .ok_or("usage: serve <data-dir> [port] [--demo]")?;
    let port: u16 = match positional.next() {
        Some(text) => text
            .parse()
            .map_err(|_| format!("`{text}` is not a port number"))?,
        None => 8080,
    };
    if demo && !data_dir.join(holdfast_store::DATABASE_FILE).exists() {
        let mut campaign = Campaign::create(&data_dir, "Fair Contract Now", "Local 418")
            .map_err(|error| error.to_string())?;
        let today = chrono::Utc::now().date_naive();
        holdfast_demo::seed(&mut campaign, &holdfast_demo::DemoSize::demo(), today)
            .map_err(|error| error.to_string())?;
    }
    let ui_dir = std::env::var_os("HOLDFAST_UI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui"));
    let passphrase = std::env::var("HOLDFAST_PASSPHRASE").ok();
    let vault = Vault::open(&data_dir, passphrase.as_deref()).map_err(|error| error.to_string())?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|error| format!("could not listen on port {port}: {error}"))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    // The test harness reads this line to learn the port when it asks for port 0.
    println!("Holdfast is serving at http://{address}/");
    holdfast_http::serve_on(listener, Arc::new(Mutex::new(vault)), ui_dir)
        .await
        .map_err(|error| error.to_string())
}
