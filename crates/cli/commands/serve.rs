//! `holdfast serve`: the web UI and its API over HTTP, for a browser on this
//! computer (or, with `--address`, on the hall's network).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Context as _, Result};
use clap::Args;

use super::Context;

#[derive(Args)]
pub struct Serve {
    /// The address to listen on. The default answers only this computer.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    address: IpAddr,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8418)]
    port: u16,
    /// The folder holding the web UI (index.html); found beside the program
    /// or in the source tree when left out.
    #[arg(long, env = "HOLDFAST_UI_DIR", value_name = "DIR")]
    ui_dir: Option<PathBuf>,
}

pub fn run(context: &Context, serve: Serve) -> Result<()> {
    let vault = context.open_vault()?;
    let locked = vault.is_locked();
    let ui_dir = match serve.ui_dir {
        Some(dir) => dir,
        None => find_ui_dir().ok_or_else(|| {
            anyhow!("could not find the web UI folder; name it with --ui-dir or HOLDFAST_UI_DIR")
        })?,
    };
    if !ui_dir.join("index.html").exists() {
        return Err(anyhow!("{} has no index.html", ui_dir.display()));
    }
    let runtime = tokio::runtime::Runtime::new().context("could not start the server's runtime")?;
    runtime.block_on(async move {
        let address = SocketAddr::new(serve.address, serve.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("could not listen on {address}"))?;
        let bound = listener.local_addr()?;
        println!("Holdfast is serving the campaign at http://{bound}/");
        if locked {
            println!("{LOCKED_NOTE}");
        }
        let vault = Arc::new(Mutex::new(vault));
        if bound.ip().is_loopback() {
            println!("Press Ctrl-C to stop.");
            return holdfast_http::serve_on(listener, vault, ui_dir)
                .await
                .map_err(|error| anyhow!("the server stopped: {error}"));
        }
        // Beyond this computer the same rules apply as at the hub: other
        // computers need the link, each browser is a guest until paired,
        // and locking, wiping and erasing stay with this computer.
        let link = {
            let mut vault = vault.lock().map_err(|_| anyhow!("the campaign is unavailable"))?;
            match vault.campaign() {
                Ok(campaign) => Some(holdfast_http::hall_key(campaign)?),
                Err(_) => None,
            }
        };
        match link {
            Some(key) => {
                for link in holdfast_http::hall_links(bound.port(), &key) {
                    println!("For other computers (keep this link among stewards): {link}");
                }
            }
            None => println!(
                "Other computers need the link this command prints once the campaign is unlocked and served again."
            ),
        }
        println!("Press Ctrl-C to stop.");
        holdfast_http::serve_for_hall(listener, vault, ui_dir)
            .await
            .map_err(|error| anyhow!("the server stopped: {error}"))
    })
}

/// What `serve` and `hub` print when the campaign starts locked.
pub const LOCKED_NOTE: &str = "The campaign is locked with a passphrase: open the web UI on this computer and give the passphrase to unlock it (or start with HOLDFAST_PASSPHRASE set).";

/// The UI is where HOLDFAST_UI_DIR says, or ships as `ui/` beside the program
/// in a release, or lives at the top of the source tree during development.
pub fn find_ui_dir() -> Option<PathBuf> {
    let named = std::env::var_os("HOLDFAST_UI_DIR").map(PathBuf::from);
    let beside_program = std::env::current_exe()
        .ok()
        .and_then(|program| program.parent().map(|folder| folder.join("ui")));
    let source_tree = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui");
    [named, beside_program, Some(source_tree)]
        .into_iter()
        .flatten()
        .find(|dir| dir.join("index.html").exists())
}
