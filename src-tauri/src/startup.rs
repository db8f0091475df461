//! Opening the campaign and the window, starting sync in the background,
//! and tidying the campaign up when the app closes.
//!
//! The window shows the UI when a campaign opens. A campaign with a
//! passphrase opens locked unless HOLDFAST_PASSPHRASE gives it; the UI then
//! shows its lock screen. When there is no campaign, the window shows
//! `no-campaign.html`, which says where Holdfast looked and how to create
//! one, instead of a UI whose every screen fails.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use holdfast_demo::DemoSize;
use holdfast_net::SharedVault;
use holdfast_store::{Campaign, StoreError, Vault};
use tauri::{App, AppHandle, Manager, Url, WebviewUrl, WebviewWindowBuilder};

use crate::forward::Backend;
use crate::options::Options;

/// The window declared in tauri.conf.json (with `create: false`, so that it
/// opens only once the campaign is ready).
const MAIN_WINDOW: &str = "main";

/// Where a passphrase can be given to start with the campaign open, as for
/// the command line.
const PASSPHRASE_VARIABLE: &str = "HOLDFAST_PASSPHRASE";

/// The names the demo campaign is created with, the same as `holdfast demo`.
const DEMO_CAMPAIGN: &str = "A Fair Contract at Calloway";
const DEMO_LOCAL: &str = "Local 418";

/// Opens the campaign, registers what answers the window, and opens it.
pub fn open(app: &mut App, options: &Options) -> Result<(), Box<dyn Error>> {
    let data_dir = match &options.data_dir {
        Some(folder) => folder.clone(),
        None => app.path().app_data_dir()?,
    };
    let (backend, page) = match open_campaign(&data_dir, options.demo) {
        Ok(vault) => {
            if vault.is_locked() {
                eprintln!(
                    "holdfast: the campaign in {} is locked; the window asks for its passphrase",
                    data_dir.display()
                );
            }
            let vault = Arc::new(Mutex::new(vault));
            if !options.no_sync {
                start_sync(vault.clone(), ui_dir(app));
            }
            let router = holdfast_http::router(vault.clone(), ui_dir(app));
            (Backend::Open { router, vault }, "index.html".to_string())
        }
        Err(error) => {
            eprintln!("holdfast: {error}");
            let problem = match error {
                StoreError::NoCampaign(_) => None,
                other => Some(other.to_string()),
            };
            (
                Backend::Closed(error_text(&data_dir, problem.as_deref())),
                no_campaign_page(&data_dir, problem.as_deref())?,
            )
        }
    };
    app.manage(backend);

    let mut window = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN_WINDOW)
        .cloned()
        .ok_or("tauri.conf.json declares no window labelled `main`")?;
    window.url = WebviewUrl::App(page.into());
    WebviewWindowBuilder::from_config(app.handle(), &window)?.build()?;
    Ok(())
}

/// Runs sync in the background: on a desktop, the hub for the hall's
/// network as well as the loop that syncs with other hubs; on a phone, only
/// the loop. Failures are printed and never stop the app: a phone with no
/// network is the normal case. A locked campaign waits for its passphrase.
fn start_sync(campaign: SharedVault, ui_dir: PathBuf) {
    if cfg!(desktop) {
        serve_the_hall(campaign.clone(), ui_dir);
    }
    let options = holdfast_net::background::BackgroundOptions {
        hub_address: if cfg!(desktop) {
            Some(format!("0.0.0.0:{}", holdfast_net::DEFAULT_PORT))
        } else {
            None
        },
        ..Default::default()
    };
    tauri::async_runtime::spawn(async move {
        if let Err(error) = holdfast_net::background::run(campaign, options).await {
            eprintln!("holdfast: sync is off: {error}");
        }
    });
}

/// At the hall, the desktop also serves the UI to other computers' browsers,
/// which must first open the link printed here (and kept for the Sync
/// screen); this computer's own browser needs no link. The link's key is
/// kept in the campaign, so it is printed once the campaign is unlocked.
fn serve_the_hall(campaign: SharedVault, ui_dir: PathBuf) {
    const ADDRESS: &str = "0.0.0.0:8418";
    tauri::async_runtime::spawn(async move {
        let listener = match tokio::net::TcpListener::bind(ADDRESS).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!(
                    "holdfast: the hall's web UI is off: could not listen on {ADDRESS}: {error}"
                );
                return;
            }
        };
        let links = campaign.clone();
        tauri::async_runtime::spawn(async move {
            holdfast_net::until_unlocked(&links).await;
            let key = holdfast_net::lock(&links)
                .campaign()
                .and_then(|campaign| holdfast_http::hall_key(campaign));
            match key {
                Ok(key) => {
                    for link in holdfast_http::hall_links(8418, &key) {
                        eprintln!("holdfast: web UI for other computers at the hall: {link}");
                    }
                }
                Err(error) => eprintln!("holdfast: no link for the hall's web UI: {error}"),
            }
        });
        if let Err(error) = holdfast_http::serve_for_hall(listener, campaign, ui_dir).await {
            eprintln!("holdfast: the hall's web UI stopped: {error}");
        }
    });
}

/// The app ends the process without dropping what it manages, so the
/// housekeeping a campaign does when it closes (folding piled-up changes
/// into snapshots, checkpointing the write-ahead log) is asked for here.
/// Everything is already saved; a failure only postpones the tidying.
pub fn close(app: &AppHandle) {
    if let Some(backend) = app.try_state::<Backend>() {
        if let Backend::Open { vault, .. } = backend.inner() {
            // A locked or wiped campaign has nothing open to tidy.
            if let Ok(mut vault) = vault.lock() {
                if let Ok(campaign) = vault.campaign() {
                    if let Err(error) = campaign.maintain() {
                        eprintln!("holdfast: tidying the campaign up failed: {error}");
                    }
                }
            }
        }
    }
}

/// Opens the campaign in `data_dir`, first seeding the demo campaign into
/// an empty folder when asked to. A campaign with a passphrase opens locked
/// unless HOLDFAST_PASSPHRASE gives it.
fn open_campaign(data_dir: &Path, demo: bool) -> Result<Vault, StoreError> {
    if demo && !data_dir.join(holdfast_store::DATABASE_FILE).exists() {
        seed_demo(data_dir)?;
    }
    let passphrase = std::env::var(PASSPHRASE_VARIABLE)
        .ok()
        .filter(|value| !value.is_empty());
    Vault::open(data_dir, passphrase.as_deref())
}

/// What `holdfast demo` does: the example campaign, with this device linked
/// to a steward so that checking in works at once.
fn seed_demo(data_dir: &Path) -> Result<(), StoreError> {
    let mut campaign = Campaign::create(data_dir, DEMO_CAMPAIGN, DEMO_LOCAL)?;
    let today = chrono::Utc::now().date_naive();
    holdfast_demo::seed(&mut campaign, &DemoSize::demo(), today)?;
    holdfast_demo::act_as_a_steward(&mut campaign)?;
    Ok(())
}

/// Where the UI's files are on disk: the API lists the message catalogs for
/// the language picker, and the hall's browsers are served the files. An
/// installed app carries them among its resources (`bundle.resources`); a
/// build run from the repository without them reads ui/ itself.
fn ui_dir(app: &App) -> PathBuf {
    match app.path().resource_dir() {
        Ok(resources) if resources.join("ui").join("i18n").is_dir() => resources.join("ui"),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui"),
    }
}

/// The page's address carries the folder and, when the campaign exists but
/// could not be opened, the reason; the page shows both as text.
fn no_campaign_page(data_dir: &Path, problem: Option<&str>) -> Result<String, Box<dyn Error>> {
    let mut address = Url::parse("tauri://localhost/no-campaign.html")?;
    {
        let mut query = address.query_pairs_mut();
        query.append_pair("dir", &data_dir.display().to_string());
        if let Some(problem) = problem {
            query.append_pair("problem", problem);
        }
    }
    Ok(format!(
        "no-campaign.html?{}",
        address.query().unwrap_or_default()
    ))
}

/// What a request hears while no campaign is open.
fn error_text(data_dir: &Path, problem: Option<&str>) -> String {
    match problem {
        Some(problem) => format!(
            "the campaign in {} could not be opened: {problem}",
            data_dir.display()
        ),
        None => format!("there is no campaign in {}", data_dir.display()),
    }
}
