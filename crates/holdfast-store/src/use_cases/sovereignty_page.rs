//! The sovereignty figures as one page a steward can hand round or post:
//! a single HTML file with its charts drawn in SVG, that loads nothing from
//! anywhere (its own Content-Security-Policy forbids it) and names no one.
//!
//! Its words are the web UI's own (`ui/i18n/*.json`, read when Holdfast is
//! built), so the page and the screen say the same thing in each language.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::NaiveDate;
use holdfast_core::rules::sovereignty::MonthGains;
use holdfast_core::time;

use crate::{Campaign, Result, StoreError};

/// The languages the page is written in, as the web UI's.
pub const LANGUAGES: [&str; 2] = ["en", "es"];
/// How many months the charts show, as on the screen.
const MONTHS_SHOWN: usize = 12;

/// One figure on the page: which of a month's counts, and what it is out of.
struct Metric {
    key: &'static str,
    of: Option<fn(&MonthGains) -> i64>,
    value: fn(&MonthGains) -> i64,
    money: bool,
}

const METRICS: [Metric; 6] = [
    Metric {
        key: "committees_meeting",
        of: Some(|month| month.committees_formed),
        value: |month| month.committees_meeting,
        money: false,
    },
    Metric {
        key: "members_trained",
        of: None,
        value: |month| month.members_trained,
        money: false,
    },
    Metric {
        key: "practices_kept",
        of: Some(|month| month.practices_started),
        value: |month| month.practices_kept,
        money: false,
    },
    Metric {
        key: "circles_held",
        of: None,
        value: |month| month.circles_held,
        money: false,
    },
    Metric {
        key: "decisions_made",
        of: None,
        value: |month| month.decisions_made,
        money: false,
    },
    Metric {
        key: "aid_given_cents",
        of: None,
        value: |month| month.aid_given_cents,
        money: true,
    },
];

/// The web UI's words in one language.
struct Words(HashMap<String, String>);

impl Words {
    fn of(language: &str) -> Result<Words> {
        let source = match language {
            "en" => include_str!("../../../../ui/i18n/en.json"),
            "es" => include_str!("../../../../ui/i18n/es.json"),
            other => {
                return Err(StoreError::rejected(format!(
                    "the page can be written in {}, not `{other}`",
                    LANGUAGES.join(" or ")
                )))
            }
        };
        // Plural forms are maps; the page needs only the plain texts.
        let all: HashMap<String, serde_json::Value> = serde_json::from_str(source)?;
        Ok(Words(
            all.into_iter()
                .filter_map(|(key, value)| Some((key, value.as_str()?.to_string())))
                .collect(),
        ))
    }

    /// A text with its `{name}` places filled in, HTML-escaped.
    fn say(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.0.get(key).cloned().unwrap_or_else(|| key.to_string());
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        escape(&text)
    }
}

impl Campaign {
    /// The sovereignty figures up to `until`, as one shareable HTML page in
    /// `language` (see [`LANGUAGES`]).
    pub fn sovereignty_page(&self, until: NaiveDate, language: &str) -> Result<String> {
        let words = Words::of(language)?;
        let settings = self.settings()?;
        let gains = self.sovereignty(until)?;
        Ok(render(&Page {
            words: &words,
            language,
            local: &settings.local_name,
            campaign: &settings.campaign_name,
            currency: &settings.currency,
            until,
            months: &gains[gains.len().saturating_sub(MONTHS_SHOWN)..],
        }))
    }
}

struct Page<'a> {
    words: &'a Words,
    language: &'a str,
    local: &'a str,
    campaign: &'a str,
    currency: &'a str,
    until: NaiveDate,
    months: &'a [MonthGains],
}

fn render(page: &Page<'_>) -> String {
    let words = page.words;
    let day = time::format_date(page.until);
    let until = format!(
        "{} {}",
        page.until.format("%-d"),
        month_name(page.words, &day, true)
    );
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"{language}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{local}: {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n\
         <h1>{title}</h1>\n<p class=\"who\">{local} · {campaign}</p>\n<p class=\"lead\">{explain}</p>\n\
         <p class=\"when\">{counted}</p>\n</header>\n<main>\n",
        language = page.language,
        local = escape(page.local),
        campaign = escape(page.campaign),
        title = words.say("sovereignty.title", &[]),
        explain = words.say("sovereignty.explain", &[]),
        counted = words.say("share.counted_until", &[("date", &until)]),
    );
    if page.months.is_empty() {
        let _ = writeln!(html, "<p>{}</p>", words.say("sovereignty.none", &[]));
    }
    if let Some(latest) = page.months.last() {
        for metric in &METRICS {
            section(&mut html, page, metric, latest);
        }
    }
    let _ = write!(
        html,
        "</main>\n<footer>\n<p>{}</p>\n</footer>\n</body>\n</html>\n",
        words.say("share.no_names", &[])
    );
    html
}

fn section(html: &mut String, page: &Page<'_>, metric: &Metric, latest: &MonthGains) {
    let words = page.words;
    let show = |value: i64| {
        if metric.money {
            money(value, page.currency, page.language)
        } else {
            value.to_string()
        }
    };
    let value = (metric.value)(latest);
    let headline = match metric.of {
        Some(of) => words.say(
            "sovereignty.of",
            &[("value", &show(value)), ("total", &of(latest).to_string())],
        ),
        None => escape(&show(value)),
    };
    let name = words.say(&format!("sovereignty.{}", metric.key), &[]);
    let _ = write!(
        html,
        "<section>\n<h2>{name}</h2>\n<p class=\"figure\">{headline}</p>\n<p class=\"hint\">{}</p>\n",
        words.say(&format!("sovereignty.{}_explain", metric.key), &[]),
    );
    let points: Vec<(String, i64, String)> = page
        .months
        .iter()
        .map(|month| {
            let value = (metric.value)(month);
            (month_name(words, &month.month, false), value, show(value))
        })
        .collect();
    chart(html, &points, &name);
    let _ = write!(
        html,
        "<table>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{name}</th></tr></thead>\n<tbody>\n",
        words.say("sovereignty.month", &[]),
    );
    for month in page.months {
        let _ = writeln!(
            html,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            month_name(words, &month.month, true),
            escape(&show((metric.value)(month))),
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

/// A bar per month, drawn to scale from zero, the month under each bar and
/// the figure over the last one.
fn chart(html: &mut String, points: &[(String, i64, String)], name: &str) {
    const WIDTH: f64 = 360.0;
    const HEIGHT: f64 = 140.0;
    const BOTTOM: f64 = 20.0;
    const TOP: f64 = 18.0;
    let highest = points
        .iter()
        .map(|(_, value, _)| *value)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = WIDTH / points.len().max(1) as f64;
    let bar = (slot * 0.7).min(36.0);
    let _ = writeln!(
        html,
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{name}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (index, (label, value, text)) in points.iter().enumerate() {
        let height = (*value).max(0) as f64 / highest * (HEIGHT - BOTTOM - TOP);
        let x = index as f64 * slot + (slot - bar) / 2.0;
        let y = HEIGHT - BOTTOM - height;
        let centre = x + bar / 2.0;
        let _ = writeln!(
            html,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{height:.1}\" rx=\"2\"><title>{}: {}</title></rect>\
             <text x=\"{centre:.1}\" y=\"{:.1}\" class=\"month\">{}</text>",
            escape(label),
            escape(text),
            HEIGHT - 6.0,
            escape(label),
        );
        if index + 1 == points.len() {
            let _ = writeln!(
                html,
                "<text x=\"{centre:.1}\" y=\"{:.1}\" class=\"value\">{}</text>",
                y - 5.0,
                escape(text)
            );
        }
    }
    html.push_str("</svg>\n");
}

/// `2026-11` (or a date in it) as the UI's short month name, with the year
/// when `with_year`.
fn month_name(words: &Words, month: &str, with_year: bool) -> String {
    let number: usize = month.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
    let names = words
        .0
        .get("share.months")
        .map(String::as_str)
        .unwrap_or("");
    let name = names
        .split(',')
        .nth(number.wrapping_sub(1))
        .unwrap_or(month)
        .trim()
        .to_string();
    if with_year {
        format!("{name} {}", month.get(..4).unwrap_or(""))
    } else {
        name
    }
}

/// An amount in cents with its currency, grouped the way the language
/// writes numbers.
fn money(cents: i64, currency: &str, language: &str) -> String {
    let (thousands, decimal) = if language == "es" {
        ('.', ',')
    } else {
        (',', '.')
    };
    let whole = (cents / 100).unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(thousands);
        }
        grouped.push(digit);
    }
    let sign = if cents < 0 { "-" } else { "" };
    let number = format!(
        "{sign}{grouped}{decimal}{:02}",
        (cents % 100).unsigned_abs()
    );
    let symbol = match currency {
        "USD" | "CAD" | "AUD" | "MXN" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        _ => None,
    };
    match (symbol, language) {
        (Some(symbol), "es") => format!("{number} {symbol}"),
        (Some(symbol), _) => format!("{symbol}{number}"),
        (None, _) => format!("{number} {currency}"),
    }
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

const STYLE: &str = "\
body{font:16px/1.5 system-ui,sans-serif;color:#1d2320;background:#fff;max-width:60rem;margin:0 auto;padding:1.5rem}\
h1{font-size:1.8rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:0}\
.who{font-weight:600;margin:0}.lead{max-width:40rem}.when,.hint,footer{color:#4a524e}\
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1.5rem}\
section{border:1px solid #c9d1cc;border-radius:8px;padding:1rem;break-inside:avoid}\
.figure{font-size:1.6rem;font-weight:700;margin:.25rem 0}.hint{font-size:.9rem;margin:0 0 .5rem}\
svg{width:100%;height:auto}rect{fill:#2f6b4f}text{font-size:11px;text-anchor:middle;fill:#1d2320}\
.value{font-weight:700}table{border-collapse:collapse;width:100%;font-size:.9rem;margin-top:.5rem}\
th,td{text-align:left;padding:.15rem .4rem;border-bottom:1px solid #e3e8e5}tbody th{white-space:nowrap}td{text-align:right}\
footer{margin-top:2rem;font-size:.9rem}\
@media print{body{padding:0}section{border-color:#888}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_as_each_language_writes_them() {
        assert_eq!(money(123_456_789, "USD", "en"), "$1,234,567.89");
        assert_eq!(money(123_456_789, "EUR", "es"), "1.234.567,89 €");
        assert_eq!(money(-5, "CHF", "en"), "-0.05 CHF");
        assert_eq!(money(100_000, "USD", "en"), "$1,000.00");
    }

    #[test]
    fn months_are_named_in_the_language() {
        let english = Words::of("en").unwrap();
        let spanish = Words::of("es").unwrap();
        assert_eq!(month_name(&english, "2026-11", true), "Nov 2026");
        assert_eq!(month_name(&spanish, "2026-01-31", false), "ene");
        assert!(Words::of("fr").is_err());
    }

    #[test]
    fn text_cannot_break_out_of_the_page() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}
