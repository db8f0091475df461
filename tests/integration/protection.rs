//! Protecting the campaign on a device: the database is encrypted, a
//! passphrase locks its key, a wrong one changes nothing, and a wipe makes
//! the data unreadable at once.

use std::path::Path;

use crate::support::Holdfast;

const PASSPHRASE: &str = "an injury to one is an injury to all";

/// A hundred names no other text in the program contains.
fn unusual_names() -> Vec<String> {
    (0..100)
        .map(|index| format!("Zqwx{index:03}vy Plorth{:03}k", 999 - index))
        .collect()
}

/// Every file under `folder`, with its bytes.
fn every_file(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(every_file(&path));
        } else {
            files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    files
}

fn hits(files: &[(String, Vec<u8>)], names: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, bytes) in files {
        for name in names {
            // Each half on its own, too: a name split across fields or
            // pages still gives itself away by its parts.
            for needle in std::iter::once(name.as_str()).chain(name.split(' ')) {
                if bytes
                    .windows(needle.len())
                    .any(|window| window == needle.as_bytes())
                {
                    found.push(format!("{needle} in {path}"));
                }
            }
        }
    }
    found
}

#[test]
fn a_locked_campaign_leaves_no_readable_name_on_disk() {
    let holdfast = Holdfast::new();
    let names = unusual_names();
    let roster = holdfast.file("roster.csv");
    let mut text = String::from("name,phone,email,site,department,roles\n");
    for name in &names {
        text.push_str(&format!("{name},555-0100,,Gate Street,,member\n"));
    }
    std::fs::write(&roster, text).unwrap();
    holdfast.ok(&["roster", "import", roster.to_str().unwrap()]);
    // The roster file is the user's own; what is left is Holdfast's.
    std::fs::remove_file(&roster).unwrap();
    holdfast.ok(&[
        "action",
        "add",
        "Gate picket",
        "--kind",
        "informational_picket",
        "--starts",
        "2026-03-02T07:00:00Z",
        "--ends",
        "2026-03-02T15:00:00Z",
    ]);
    for name in names.iter().take(20) {
        holdfast.ok(&["checkin", "Gate picket", "--member", name]);
    }
    holdfast.ok(&["hub", "--help"]);
    let bundle = holdfast.file("campaign.holdfast");
    holdfast.ok(&["devices"]);
    holdfast.run(&["sync", "--discovery", "off"]);
    holdfast.ok(&["bundle", "export", bundle.to_str().unwrap()]);

    let output = holdfast.run_with(
        &[("HOLDFAST_NEW_PASSPHRASE", PASSPHRASE)],
        &["passphrase", "set"],
    );
    assert!(output.status.success(), "{output:?}");

    let files = every_file(&holdfast.root());
    assert!(
        files.len() >= 3,
        "{:?}",
        files.iter().map(|(path, _)| path).collect::<Vec<_>>()
    );
    let found = hits(&files, &names);
    assert!(
        found.is_empty(),
        "{} readable on disk, such as {:?}",
        found.len(),
        &found[..found.len().min(5)]
    );

    // Locked: without the passphrase, or with a wrong one, nothing opens
    // and nothing changes.
    let before = every_file(&holdfast.root());
    let refused = holdfast.run(&["member", "list"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("locked with a passphrase"));
    let wrong = holdfast.run_with(&[("HOLDFAST_PASSPHRASE", "scab")], &["member", "list"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("passphrase is wrong"));
    assert_eq!(
        every_file(&holdfast.root()),
        before,
        "a refused open changed a file"
    );

    let right = holdfast.run_with(
        &[("HOLDFAST_PASSPHRASE", PASSPHRASE)],
        &["--json", "member", "list"],
    );
    assert!(right.status.success());
    let listed = String::from_utf8_lossy(&right.stdout);
    assert!(names.iter().all(|name| listed.contains(name.as_str())));
}

#[test]
fn a_wipe_makes_the_campaign_unreadable_at_once() {
    let holdfast = Holdfast::new();
    holdfast.member("Zqwx Wipe-test", &[]);
    let refused = holdfast.refused(&["wipe"]);
    assert!(refused.contains("--yes"), "{refused}");
    let wiped = holdfast.json(&["wipe", "--yes"]);
    assert!(
        wiped["seconds_until_unreadable"].as_f64().unwrap() < 1.0,
        "{wiped}"
    );
    let files = every_file(&holdfast.root());
    assert!(hits(&files, &["Zqwx Wipe-test".to_string()]).is_empty());
    let stderr = holdfast.refused(&["member", "list"]);
    assert!(stderr.contains("no campaign"), "{stderr}");
}

/// The permission bits of a file or folder.
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn no_other_account_on_the_computer_may_read_the_data_folder() {
    use std::os::unix::fs::PermissionsExt;
    let holdfast = Holdfast::new();
    holdfast.member("Ana Okafor", &[]);
    let folder = holdfast.data_dir();
    // The write-ahead log is folded in and removed when the last
    // connection closes, so only these two are there between commands.
    let files = ["holdfast.key", "holdfast.sqlite3"];
    let modes = |folder: &Path| -> Vec<u32> {
        std::iter::once(mode_of(folder))
            .chain(files.iter().map(|name| mode_of(&folder.join(name))))
            .collect()
    };
    assert_eq!(modes(&folder), [0o700, 0o600, 0o600]);

    // A folder that was left open (copied in, or made by an older
    // version) is closed again at the next open.
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(&folder, open.clone()).unwrap();
    for name in files {
        std::fs::set_permissions(folder.join(name), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    holdfast.ok(&["member", "list"]);
    assert_eq!(modes(&folder), [0o700, 0o600, 0o600]);
}

#[test]
fn a_wipe_leaves_no_export_or_half_written_key_in_the_folder() {
    let holdfast = Holdfast::new();
    holdfast.member("Zqwx Export-test", &[]);
    let folder = holdfast.data_dir();
    let export = folder.join("campaign.automerge");
    holdfast.ok(&["export", export.to_str().unwrap()]);
    let partial = folder.join("holdfast.key.partial");
    std::fs::copy(folder.join("holdfast.key"), &partial).unwrap();
    let elsewhere = holdfast.file("kept-elsewhere.automerge");
    holdfast.ok(&["export", elsewhere.to_str().unwrap()]);

    holdfast.json(&["wipe", "--yes"]);
    assert!(
        !export.exists(),
        "an export in the data folder survived the wipe"
    );
    assert!(
        !partial.exists(),
        "a half-written key file survived the wipe"
    );
    let left: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left in the folder: {left:?}");
    // What the user put elsewhere is theirs.
    assert!(elsewhere.exists());
}

#[test]
fn a_key_file_copied_before_the_passphrase_was_set_opens_nothing() {
    let holdfast = Holdfast::new();
    holdfast.member("Zqwx Rekey-test", &[]);
    let folder = holdfast.data_dir();
    let key = folder.join("holdfast.key");
    let kept = holdfast.file("holdfast.key.before");
    std::fs::copy(&key, &kept).unwrap();

    let set = holdfast.run_with(
        &[("HOLDFAST_NEW_PASSPHRASE", PASSPHRASE)],
        &["passphrase", "set"],
    );
    assert!(set.status.success(), "{set:?}");
    let with_passphrase = holdfast.file("holdfast.key.after");
    std::fs::copy(&key, &with_passphrase).unwrap();

    // Someone who copied the folder before the passphrase puts the old key
    // file back: it must open nothing.
    std::fs::copy(&kept, &key).unwrap();
    let refused = holdfast.run(&["member", "list"]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    assert!(!String::from_utf8_lossy(&refused.stdout).contains("Zqwx"));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("does not open this database"), "{said}");

    // The key file the passphrase sealed still opens everything.
    std::fs::copy(&with_passphrase, &key).unwrap();
    let listed = holdfast.ok_with(&[("HOLDFAST_PASSPHRASE", PASSPHRASE)], &["member", "list"]);
    assert!(listed.contains("Zqwx Rekey-test"), "{listed}");

    // Removing the passphrase gives the database a new key again: the
    // passphrase-sealed key file opens nothing afterwards.
    let removed = holdfast.run_with(
        &[("HOLDFAST_PASSPHRASE", PASSPHRASE)],
        &["passphrase", "remove"],
    );
    assert!(removed.status.success(), "{removed:?}");
    let after_removal = holdfast.ok(&["member", "list"]);
    assert!(after_removal.contains("Zqwx Rekey-test"));
    std::fs::copy(&with_passphrase, &key).unwrap();
    let refused = holdfast.run_with(&[("HOLDFAST_PASSPHRASE", PASSPHRASE)], &["member", "list"]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let left: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("rekey") || name.contains("next"))
        .collect();
    assert!(left.is_empty(), "left in the folder: {left:?}");
}

#[test]
fn the_passphrase_is_not_changed_under_a_running_hub() {
    let holdfast = Holdfast::new();
    holdfast.member("Zqwx Hub-open", &[]);
    let hub = crate::sync::Hub::start(&holdfast, "off");
    let refused = holdfast.run_with(
        &[("HOLDFAST_NEW_PASSPHRASE", PASSPHRASE)],
        &["passphrase", "set"],
    );
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("open in another Holdfast"), "{said}");
    // Nothing changed: the campaign opens without a passphrase, beside the
    // hub, as before.
    let listed = holdfast.ok(&["member", "list"]);
    assert!(listed.contains("Zqwx Hub-open"), "{listed}");
    drop(hub);
    let set = holdfast.run_with(
        &[("HOLDFAST_NEW_PASSPHRASE", PASSPHRASE)],
        &["passphrase", "set"],
    );
    assert!(set.status.success(), "{set:?}");
}
