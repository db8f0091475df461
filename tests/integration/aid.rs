//! Mutual aid: the pool cannot be overdrawn, and what everyone sees has no names.

use crate::support::{field, id_of, Holdfast};

/// Rosa, a coordinator, records money coming into the rent pool.
fn rent_in(amount: &str) -> Vec<&str> {
    vec![
        "--as",
        "Rosa Coordinator",
        "aid",
        "contribute",
        "--category",
        "rent",
        "--amount",
        amount,
    ]
}

/// Ben asks the rent pool for `amount`, urgently.
fn ben_asks_for_rent(holdfast: &Holdfast, amount: &str) -> serde_json::Value {
    holdfast.json(&[
        "aid",
        "request",
        "--member",
        "Ben Okafor",
        "--category",
        "rent",
        "--amount",
        amount,
        "--urgency",
        "urgent",
        "--note",
        "Rent due Friday",
    ])
}

fn with_members() -> Holdfast {
    let holdfast = Holdfast::new();
    holdfast.member("Rosa Coordinator", &["--role", "coordinator"]);
    holdfast.member("Ben Okafor", &[]);
    holdfast.member("Cy Tran", &[]);
    holdfast
}

#[test]
fn a_payout_larger_than_the_pool_is_refused() {
    let holdfast = with_members();
    let rosa = ["--as", "Rosa Coordinator"];
    let contribute = [
        &rosa[..],
        &[
            "aid",
            "contribute",
            "--category",
            "rent",
            "--amount",
            "100.00",
            "--from",
            "Cy Tran",
        ],
    ]
    .concat();
    holdfast.ok(&contribute);
    let request = ben_asks_for_rent(&holdfast, "250");
    let request_id = id_of(&request);

    let too_much = [
        &rosa[..],
        &[
            "aid",
            "disburse",
            "--request",
            &request_id,
            "--amount",
            "250",
        ],
    ]
    .concat();
    let stderr = holdfast.refused(&too_much);
    assert!(
        stderr.contains("100.00") && stderr.contains("250.00"),
        "{stderr}"
    );

    let paid = [
        &rosa[..],
        &[
            "aid",
            "disburse",
            "--request",
            &request_id,
            "--amount",
            "80.50",
        ],
    ]
    .concat();
    let entry = holdfast.json(&paid);
    assert_eq!(entry["amount_cents"], 8050);
    assert_eq!(entry["category"], "rent");
    assert_eq!(holdfast.json(&["aid", "balances"])["rent"], 1950);
    assert!(holdfast.ok(&["aid", "balances"]).contains("19.50"));
    let requests = holdfast.json(&["aid", "requests"]);
    assert_eq!(requests[0]["status"], "fulfilled");

    // Only a coordinator (or steward) may pay out.
    let stderr = holdfast.refused(&[
        "--as",
        "Ben Okafor",
        "aid",
        "contribute",
        "--category",
        "rent",
        "--amount",
        "5",
    ]);
    assert!(stderr.contains("not an aid coordinator"), "{stderr}");
}

#[test]
fn totals_and_public_lists_carry_no_names() {
    let holdfast = with_members();
    holdfast.ok(&["use-member", "Rosa Coordinator"]);
    holdfast.ok(&[
        "aid",
        "contribute",
        "--category",
        "fund",
        "--amount",
        "500",
        "--from",
        "Cy Tran",
    ]);
    let request = holdfast.json(&[
        "aid",
        "request",
        "--member",
        "Ben Okafor",
        "--category",
        "fund",
        "--amount",
        "120.25",
    ]);
    holdfast.ok(&["aid", "match", &id_of(&request)]);
    holdfast.ok(&[
        "aid",
        "disburse",
        "--request",
        &id_of(&request),
        "--amount",
        "120.25",
    ]);
    holdfast.ok(&[
        "aid",
        "adjust",
        "--category",
        "fund",
        "--amount",
        "-10.00",
        "--note",
        "Bank fee",
    ]);

    let totals = holdfast.json(&["aid", "totals"]);
    assert_eq!(field(&totals, "category"), ["fund"]);
    assert_eq!(totals[0]["contributed_cents"], 49_000);
    assert_eq!(totals[0]["disbursed_cents"], 12_025);
    assert_eq!(totals[0]["disbursements"], 1);
    for public in [
        totals.to_string(),
        holdfast.json(&["aid", "requests"]).to_string(),
        holdfast.json(&["aid", "ledger"]).to_string(),
        holdfast.ok(&["aid", "totals"]),
        holdfast.ok(&["aid", "ledger"]),
        holdfast.ok(&["aid", "requests"]),
    ] {
        for name in ["Ben", "Okafor", "Cy Tran", "Rosa"] {
            assert!(!public.contains(name), "{name} appears in {public}");
        }
    }
    assert_eq!(holdfast.json(&["aid", "balances"])["fund"], 36_975);

    // The coordinator's view shows the names behind the pseudonyms.
    let view = holdfast.json(&["aid", "coordinator"]);
    assert_eq!(view[0]["member_name"], "Ben Okafor");
    assert_eq!(view[0]["request"]["pseudonym"], request["pseudonym"]);
    let stderr = holdfast.refused(&["--as", "Cy Tran", "aid", "coordinator"]);
    assert!(stderr.contains("not an aid coordinator"), "{stderr}");
}

#[test]
fn amounts_must_be_money() {
    let holdfast = with_members();
    for amount in ["12.345", "ten", "1,000"] {
        let stderr = holdfast.fails_with(
            2,
            &[
                "aid",
                "request",
                "--member",
                "Ben Okafor",
                "--category",
                "rent",
                "--amount",
                amount,
            ],
        );
        assert!(stderr.contains(amount), "{stderr}");
    }
    let stderr = holdfast.refused(&[
        "aid",
        "request",
        "--member",
        "Ben Okafor",
        "--category",
        "rent",
        "--amount",
        "0",
    ]);
    assert!(stderr.contains("more than zero"), "{stderr}");
    assert!(holdfast
        .json(&["aid", "requests"])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn offers_are_suggested_for_a_request_of_the_same_kind() {
    let holdfast = with_members();
    holdfast.ok(&[
        "aid",
        "offer",
        "--member",
        "Cy Tran",
        "--category",
        "rides",
        "--amount",
        "3",
    ]);
    holdfast.ok(&[
        "aid",
        "offer",
        "--member",
        "Cy Tran",
        "--category",
        "pantry",
        "--amount",
        "40",
    ]);
    let request = holdfast.json(&[
        "aid",
        "request",
        "--member",
        "Ben Okafor",
        "--category",
        "rides",
        "--amount",
        "2",
    ]);
    let suggestions = holdfast.json(&["aid", "suggest", &id_of(&request)]);
    assert_eq!(field(&suggestions, "category"), ["rides"]);
    let offer = id_of(&suggestions[0]);
    let matched = holdfast.json(&[
        "--as",
        "Rosa Coordinator",
        "aid",
        "match",
        &id_of(&request),
        "--offer",
        &offer,
    ]);
    assert_eq!(matched["offer_id"], offer.as_str());
    assert!(holdfast
        .json(&["aid", "suggest", &id_of(&request)])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn offers_are_listed_newest_first() {
    let holdfast = with_members();
    for amount in ["1", "2", "3"] {
        holdfast.ok(&[
            "aid",
            "offer",
            "--member",
            "Cy Tran",
            "--category",
            "rides",
            "--amount",
            amount,
        ]);
        // Offers keep their time to the second.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let offers = holdfast.json(&["aid", "offers"]);
    assert_eq!(field(&offers, "amount_cents"), ["300", "200", "100"]);
}

#[test]
fn an_amount_too_large_to_keep_is_refused_and_sums_never_wrap() {
    let holdfast = with_members();
    let contribute = |amount: &str| holdfast.run(&rent_in(amount));
    let refused = contribute("92233720368547758.07");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("too large"), "{stderr}");
    assert!(contribute("1000000000.00").status.success());
    assert!(contribute("1000000000.00").status.success());
    assert!(!contribute("1000000000.01").status.success());
    assert_eq!(
        holdfast.json(&["aid", "balances"])["rent"],
        200_000_000_000_i64
    );
}

/// Amounts people read carry the local's currency, and a match from a pool
/// names that pool, not "the fund" for a rent request.
#[test]
fn amounts_name_their_currency_and_a_match_names_its_pool() {
    let holdfast = with_members();
    let contributed = holdfast.ok(&[&rent_in("100")[..], &["--from", "Cy Tran"]].concat());
    assert!(contributed.contains("100.00 USD"), "{contributed}");
    let request = ben_asks_for_rent(&holdfast, "40");
    let listed = holdfast.ok(&["aid", "requests"]);
    assert!(listed.contains("40.00 USD"), "{listed}");
    let matched = holdfast.ok(&["--as", "Rosa Coordinator", "aid", "match", &id_of(&request)]);
    assert!(matched.contains("rent pool"), "{matched}");
    assert!(!matched.contains("the fund"), "{matched}");
}
