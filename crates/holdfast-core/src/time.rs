//! Timestamps and dates as they are written into documents.
//!
//! Documents hold instants as RFC 3339 strings in UTC with second precision
//! (`2026-03-14T09:30:00Z`) and days as `YYYY-MM-DD`, so that any Automerge
//! reader can make sense of them and so that they sort as text.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::CoreError;

pub fn format_instant(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn now() -> String {
    format_instant(Utc::now())
}

pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, CoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|error| {
            CoreError::invalid(
                "time",
                format!("`{text}` is not an RFC 3339 time ({error})"),
            )
        })
}

pub fn parse_date(text: &str) -> Result<NaiveDate, CoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        CoreError::invalid(
            "date",
            format!("`{text}` is not a date of the form YYYY-MM-DD"),
        )
    })
}

pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The day (UTC) on which an instant falls, as text.
pub fn day_of(instant: &str) -> &str {
    instant.get(..10).unwrap_or(instant)
}
