//! Reads tauri.conf.json (a link to the project's one configuration at the
//! top level) and the capabilities, and declares the app's one command so a
//! capability can grant it by name.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(&["api"]));
    tauri_build::try_build(attributes)
        .expect("the Tauri configuration or capabilities are invalid");
}
