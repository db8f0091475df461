//! Printing for people or for programs.
//!
//! With `--json` a command prints exactly one JSON value on standard output,
//! so scripts can read it without scraping text. Without it, the command
//! prints short sentences and aligned tables.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output { json }
    }

    /// Whether answers go out as JSON.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints `value` as JSON, or else the text `human` makes. The text is
    /// only built when a person will read it.
    pub fn show<T: Serialize + ?Sized>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> Result<()> {
        if self.json {
            print_text(&serde_json::to_string_pretty(value)?)
        } else {
            print_text(&human())
        }
    }
}

/// Writes text and a final newline to standard output. A reader that goes
/// away early (`holdfast member list | head`) is not an error worth a word.
pub fn print_text(text: &str) -> Result<()> {
    let text = text.trim_end();
    if text.is_empty() {
        return Ok(());
    }
    write_raw(format!("{text}\n").as_bytes())
}

/// Writes bytes to standard output exactly as they are (a CSV or iCalendar
/// file has its own line endings), with the same care for a closed pipe.
pub fn write_raw(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// A table of text with its columns lined up.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|header| header.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text with no final newline, or `empty` when it has no
    /// rows, so that a person sees a sentence instead of a lonely header.
    pub fn render_or(&self, empty: &str) -> String {
        if self.is_empty() {
            return empty.to_string();
        }
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|header| width(header)).collect();
        for row in &self.rows {
            for (index, cell) in row.iter().enumerate().take(columns) {
                widths[index] = widths[index].max(width(cell));
            }
        }
        let mut text = String::new();
        let mut line = |cells: &[String]| {
            let mut out = String::new();
            for (index, cell) in cells.iter().enumerate().take(columns) {
                if index + 1 == columns {
                    out.push_str(cell);
                } else {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(widths[index] - width(cell) + 2));
                }
            }
            text.push_str(out.trim_end());
            text.push('\n');
        };
        line(&self.headers);
        let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
        line(&rule);
        for row in &self.rows {
            line(row);
        }
        text.truncate(text.trim_end().len());
        text
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

/// "1 member", "3 members".
pub fn count(number: impl Into<i64>, singular: &str, plural: &str) -> String {
    let number = number.into();
    if number == 1 {
        format!("1 {singular}")
    } else {
        format!("{number} {plural}")
    }
}

/// Hours to one decimal place, as people read them on a sheet.
pub fn hours(value: f64) -> String {
    // An empty floating-point sum is negative zero, which would print as "-0.0".
    let value = if value == 0.0 { 0.0 } else { value };
    format!("{value:.1}")
}

/// An instant as stored (RFC 3339, UTC) shown as `2026-03-14 09:30 UTC`.
pub fn when(instant: &str) -> String {
    match holdfast_core::time::parse_instant(instant) {
        Ok(parsed) => parsed.format("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => instant.to_string(),
    }
}

/// A yes or no cell.
pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let mut table = Table::new(&["Name", "Hours"]);
        table.row(vec!["Ana".into(), "4.0".into()]);
        table.row(vec!["Bartholomew".into(), "12.5".into()]);
        let text = table.render_or("nothing");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Name         Hours");
        assert_eq!(lines[2], "Ana          4.0");
        assert_eq!(lines[3], "Bartholomew  12.5");
    }

    #[test]
    fn an_empty_table_is_a_sentence() {
        assert_eq!(
            Table::new(&["Name"]).render_or("No one yet."),
            "No one yet."
        );
    }

    #[test]
    fn instants_read_plainly() {
        assert_eq!(when("2026-03-14T09:30:00Z"), "2026-03-14 09:30 UTC");
        assert_eq!(count(1, "member", "members"), "1 member");
        assert_eq!(count(0, "member", "members"), "0 members");
        assert_eq!(hours(-0.0), "0.0");
        assert_eq!(hours(4.5), "4.5");
    }
}
