//! One file per part of the product. Each adds methods to [`crate::Campaign`]:
//! edits check their invariants against the projections and then go through
//! `Campaign::write`; reads come from the projections.

pub mod actions;
pub mod aid;
pub mod aid_summary;
pub mod attention;
pub mod cadence;
pub mod check_ins;
pub mod choke_points;
pub mod circles;
pub mod decisions;
pub mod device;
pub mod exchange;
pub mod hall_browsers;
pub mod members;
pub mod pairing;
pub mod reports;
pub mod roster;
pub mod skills;
pub mod sovereignty_page;
pub mod structure;
pub mod walk_ins;

/// Finds a record by exact id, or else by a case-insensitive name, and
/// refuses a name that matches more than one record.
pub(crate) fn resolve<'a, T>(
    records: &'a [T],
    kind: &'static str,
    wanted: &str,
    id: impl Fn(&T) -> &str,
    name: impl Fn(&T) -> &str,
) -> crate::Result<&'a T> {
    if let Some(found) = records.iter().find(|record| id(record) == wanted) {
        return Ok(found);
    }
    let matches: Vec<&T> = records
        .iter()
        .filter(|record| name(record).eq_ignore_ascii_case(wanted.trim()))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(crate::StoreError::not_found(kind, wanted)),
        _ => Err(crate::StoreError::rejected(format!(
            "{} {kind}s are called `{wanted}`; use the id instead",
            matches.len()
        ))),
    }
}

/// `bytes` random bytes, in hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buffer = vec![0_u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    buffer.iter().map(|byte| format!("{byte:02x}")).collect()
}
