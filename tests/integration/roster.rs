//! Roster import and export as CSV.

use crate::support::{field, Holdfast};

const GOOD: &str = "name,phone,email,site,department,roles
Ana Lopes,555-0101,ana@example.org,North Depot,Loading,steward;captain
Ben Okafor,555-0102,ben@example.org,North Depot,Loading,member
Cy Tran,,,South Depot,,member;facilitator
";

fn names(holdfast: &Holdfast) -> Vec<String> {
    field(&holdfast.json(&["member", "list"]), "name")
}

#[test]
fn a_good_roster_is_imported_with_its_sites_and_departments() {
    let holdfast = Holdfast::new();
    let file = holdfast.file("roster.csv");
    std::fs::write(&file, GOOD).unwrap();
    let summary = holdfast.json(&["roster", "import", file.to_str().unwrap()]);
    assert_eq!(summary["added"], 3);
    assert_eq!(summary["sites_created"], 2);
    assert_eq!(summary["departments_created"], 1);
    assert_eq!(names(&holdfast), ["Ana Lopes", "Ben Okafor", "Cy Tran"]);
    let members = holdfast.json(&["member", "list"]);
    assert_eq!(
        members[0]["roles"],
        serde_json::json!(["steward", "captain"])
    );
}

#[test]
fn a_roster_with_a_bad_line_is_refused_as_a_whole() {
    let holdfast = Holdfast::new();
    let good = holdfast.file("good.csv");
    std::fs::write(&good, GOOD).unwrap();
    holdfast.ok(&["roster", "import", good.to_str().unwrap()]);
    let before = names(&holdfast);

    let unknown_role = "name,phone,email,site,department,roles
Dara Byrne,,dara@example.org,North Depot,,member
Eli Stone,,eli@example.org,North Depot,,member
Fay Moss,,fay@example.org,North Depot,,boss
";
    let no_at_sign = "name,phone,email,site,department,roles
Dara Byrne,,dara@example.org,New Site,,member
Eli Stone,,eli@example.org,North Depot,,member
Fay Moss,,fay.example.org,North Depot,,member
";
    for (name, text) in [("role.csv", unknown_role), ("email.csv", no_at_sign)] {
        let bad = holdfast.file(name);
        std::fs::write(&bad, text).unwrap();
        let stderr = holdfast.refused(&["roster", "import", bad.to_str().unwrap()]);
        assert!(stderr.contains("line 4"), "{stderr}");
        assert_eq!(
            names(&holdfast),
            before,
            "nothing from {name} may be imported"
        );
    }
    let sites = field(&holdfast.json(&["site", "list"]), "name");
    assert!(!sites.contains(&"New Site".to_string()));
}

#[test]
fn exporting_and_importing_the_roster_again_adds_no_one() {
    let holdfast = Holdfast::new();
    let good = holdfast.file("good.csv");
    std::fs::write(&good, GOOD).unwrap();
    holdfast.ok(&["roster", "import", good.to_str().unwrap()]);
    let before = holdfast.json(&["member", "list"]);

    let exported = holdfast.file("exported.csv");
    let written = holdfast.json(&["roster", "export", exported.to_str().unwrap()]);
    assert_eq!(written["members"], 3);
    let on_stdout = holdfast.ok(&["roster", "export"]);
    assert_eq!(on_stdout, std::fs::read_to_string(&exported).unwrap());
    assert!(on_stdout.starts_with("name,phone,email,site,department,roles"));

    let summary = holdfast.json(&["roster", "import", exported.to_str().unwrap()]);
    assert_eq!(
        (summary["added"].as_i64(), summary["updated"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(summary["sites_created"], 0);
    assert_eq!(holdfast.json(&["member", "list"]), before);
}

#[test]
fn a_missing_roster_file_is_named() {
    let holdfast = Holdfast::new();
    let stderr = holdfast.refused(&["roster", "import", "no-such-file.csv"]);
    assert!(stderr.contains("no-such-file.csv"), "{stderr}");
}

#[test]
fn an_exported_roster_runs_no_formula_and_comes_back_unchanged() {
    let holdfast = Holdfast::new();
    let hostile = holdfast.file("hostile.csv");
    std::fs::write(
        &hostile,
        "name,phone,email,site,department,roles
\"=cmd|' /C calc'!A0\",+44 7700 900123,,,,member
\"=HYPERLINK(\"\"http://example.org\"\",\"\"pay\"\")\",,,,,member
@home,-1,,,,member
",
    )
    .unwrap();
    holdfast.ok(&["roster", "import", hostile.to_str().unwrap()]);
    let before = holdfast.json(&["member", "list"]);

    let exported = holdfast.ok(&["roster", "export"]);
    for line in exported.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a spreadsheet would run {cell:?} in {line:?}"
            );
        }
    }
    let file = holdfast.file("exported.csv");
    std::fs::write(&file, &exported).unwrap();
    holdfast.ok(&["roster", "import", file.to_str().unwrap()]);
    assert_eq!(holdfast.json(&["member", "list"]), before);
    let mut names = names(&holdfast);
    names.sort();
    assert_eq!(
        names,
        [
            "=HYPERLINK(\"http://example.org\",\"pay\")",
            "=cmd|' /C calc'!A0",
            "@home"
        ]
    );
}

#[test]
fn a_roster_too_big_for_one_import_is_refused_at_once_and_changes_nothing() {
    let holdfast = Holdfast::new();
    let file = holdfast.file("huge.csv");
    let mut text = String::from("name,phone\n");
    for index in 0..50_001 {
        text.push_str(&format!("Person {index},{index}\n"));
    }
    std::fs::write(&file, text).unwrap();
    let started = std::time::Instant::now();
    let stderr = holdfast.refused(&["roster", "import", file.to_str().unwrap()]);
    assert!(stderr.contains("more than 50000 members"), "{stderr}");
    assert!(stderr.contains("line 50002"), "{stderr}");
    eprintln!("refused in {:?}", started.elapsed());
    assert!(names(&holdfast).is_empty());
}

#[test]
fn a_roster_on_standard_output_under_json_is_json() {
    let holdfast = Holdfast::new();
    holdfast.member("Ana Okafor", &[]);
    let plain = holdfast.ok(&["roster", "export"]);
    assert!(plain.starts_with("name,"), "{plain}");
    let wrapped = holdfast.json(&["roster", "export"]);
    assert_eq!(wrapped["members"], 1);
    assert_eq!(wrapped["csv"].as_str(), Some(plain.as_str()));
}
