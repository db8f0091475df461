//! Amounts of money as people type and read them ("25.50"), kept as whole
//! cents everywhere else so that sums never drift the way floating point does.

/// Reads an amount such as `25`, `25.5` or `-10.00` into cents. At most two
/// digits may follow the point; thousands separators are not accepted, since
/// `1,000` and `1.000` mean different things in different places.
pub fn parse_cents(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    let invalid = || format!("`{text}` is not an amount of money; write it like 25 or 25.50");
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (digits, ""),
    };
    let all_digits = |part: &str| part.chars().all(|character| character.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || digits.ends_with('.')
    {
        return Err(invalid());
    }
    if fraction.len() > 2 {
        return Err(format!(
            "`{text}` has more than two digits after the point; amounts are kept to the cent"
        ));
    }
    let too_large = || format!("`{text}` is too large an amount");
    let whole_cents = if whole.is_empty() {
        0
    } else {
        whole
            .parse::<i64>()
            .map_err(|_| too_large())?
            .checked_mul(100)
            .ok_or_else(too_large)?
    };
    let fraction_cents = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| invalid())? * 10,
        _ => fraction.parse::<i64>().map_err(|_| invalid())?,
    };
    let cents = whole_cents
        .checked_add(fraction_cents)
        .ok_or_else(too_large)?;
    Ok(if negative { -cents } else { cents })
}

/// Writes cents as an amount with two decimals: `12550` becomes `125.50`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let magnitude = cents.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// An amount with the campaign's currency after it: `125.50 USD`.
pub fn format_money(cents: i64, currency: &str) -> String {
    let amount = format_cents(cents);
    match currency.trim() {
        "" => amount,
        currency => format!("{amount} {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_and_decimal_amounts() {
        assert_eq!(parse_cents("25"), Ok(2500));
        assert_eq!(parse_cents("25.5"), Ok(2550));
        assert_eq!(parse_cents("25.50"), Ok(2550));
        assert_eq!(parse_cents("0.07"), Ok(7));
        assert_eq!(parse_cents(".75"), Ok(75));
        assert_eq!(parse_cents(" 125.00 "), Ok(12500));
        assert_eq!(parse_cents("+3"), Ok(300));
    }

    #[test]
    fn reads_negative_amounts_for_adjustments() {
        assert_eq!(parse_cents("-10.00"), Ok(-1000));
        assert_eq!(parse_cents("-0.5"), Ok(-50));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for text in [
            "", "-", ".", "abc", "1,000", "12.", "1.2.3", "12.345", "1e3", "--5", "5-",
        ] {
            assert!(parse_cents(text).is_err(), "{text:?} should be refused");
        }
        assert!(parse_cents("99999999999999999999").is_err());
        assert!(parse_cents("92233720368547758.08").is_err());
    }

    #[test]
    fn writes_two_decimals() {
        assert_eq!(format_cents(12500), "125.00");
        assert_eq!(format_cents(2550), "25.50");
        assert_eq!(format_cents(7), "0.07");
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(-1050), "-10.50");
        assert_eq!(format_cents(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn reading_what_was_written_gives_the_same_cents() {
        for cents in [0, 1, 99, 100, 2550, -1050, 123_456_789] {
            assert_eq!(parse_cents(&format_cents(cents)), Ok(cents));
        }
    }
}
