//! The Holdfast app: the web UI in `ui/` in a Tauri window, on this device's
//! campaign.
//!
//! The shell holds no logic. The window's every request reaches the same
//! axum handlers that serve the browser, through one command:
//!
//! - `options` reads where the campaign lives and whether to seed the demo.
//! - `startup` opens (or seeds) the campaign and opens the window on the UI,
//!   or on a page that explains how to create a campaign; when the app
//!   closes it lets the campaign tidy up.
//! - `forward` is the one command, `api`, which hands a request from the
//!   window to the HTTP API's router in-process and returns its answer.

mod forward;
mod options;
mod startup;

/// Starts the app. On the desktop `main` calls this; on Android and iOS the
/// platform's entry point does.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let options = options::Options::from_environment();
    let built = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![forward::api])
        .setup(move |app| startup::open(app, &options))
        .build(tauri::generate_context!());
    match built {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                startup::close(app);
            }
        }),
        Err(error) => {
            eprintln!("holdfast: the app could not start: {error}");
            std::process::exit(1);
        }
    }
}
