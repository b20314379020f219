//! Go's `time.ParseDuration`, exactly: an optional sign, then one or more
//! `<number><unit>` parts (`1h30m`, `1.5s`, `-250ms`, `.5us`), units `ns`,
//! `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`; `0` alone needs no unit. The result is
//! a signed count of nanoseconds that must fit Go's `int64`.
//!
//! One parser serves every Go-duration text Palisade reads: the webhook's
//! `?timeout=` parameter and Kyverno's duration comparisons. Written by hand
//! because the format is Go's own and tiny; crates for "human" durations
//! accept other spellings, and their rounding differs from Go's.

/// Nanoseconds per unit, as Go's `unitMap`.
fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Parses a Go duration into nanoseconds; `None` wherever Go returns an error
/// (empty text, a missing or unknown unit, no digits, overflow of `int64`).
pub fn parse(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    // Go accumulates the magnitude in a uint64 and allows exactly 1<<63 for
    // the most negative duration.
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let first = rest.as_bytes()[0];
        if !(first == b'.' || first.is_ascii_digit()) {
            return None;
        }
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_digits, after_int) = rest.split_at(int_len);
        let whole = leading_int(int_digits)?;
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut after_number = after_int;
        let mut has_fraction_digits = false;
        if let Some(after_dot) = after_int.strip_prefix('.') {
            let frac_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            let (frac_digits, tail) = after_dot.split_at(frac_len);
            (fraction, scale) = leading_fraction(frac_digits);
            has_fraction_digits = frac_len > 0;
            after_number = tail;
        }
        if int_len == 0 && !has_fraction_digits {
            return None;
        }
        let unit_len = after_number
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(after_number.len());
        if unit_len == 0 {
            return None;
        }
        let (unit_text, tail) = after_number.split_at(unit_len);
        let unit = unit_nanos(unit_text)?;
        if whole > LIMIT / unit {
            return None;
        }
        let mut part = whole * unit;
        if fraction > 0 {
            // Go uses float64 here too, to stay nanosecond-exact for fractions
            // of hours; the truncating conversion is Go's.
            part = part.checked_add((fraction as f64 * (unit as f64 / scale)) as u64)?;
            if part > LIMIT {
                return None;
            }
        }
        total = total.checked_add(part)?;
        if total > LIMIT {
            return None;
        }
        rest = tail;
    }
    if negative {
        // total <= 1<<63, so the negation fits (1<<63 becomes i64::MIN).
        Some((total as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(total).ok()
    }
}

/// Go's `leadingInt`: the digits as a `u64`, refusing values past `1<<63`.
fn leading_int(digits: &str) -> Option<u64> {
    let mut value: u64 = 0;
    for digit in digits.bytes() {
        if value > (1 << 63) / 10 {
            return None;
        }
        value = value * 10 + u64::from(digit - b'0');
        if value > 1 << 63 {
            return None;
        }
    }
    Some(value)
}

/// Go's `leadingFraction`: digits after the point, with the scale they stand
/// for; digits past what a `u64` can hold are dropped, as Go drops them.
fn leading_fraction(digits: &str) -> (u64, f64) {
    let mut value: u64 = 0;
    let mut scale = 1.0;
    let mut overflowed = false;
    for digit in digits.bytes() {
        if overflowed {
            continue;
        }
        if value > (i64::MAX as u64) / 10 {
            overflowed = true;
            continue;
        }
        let next = value * 10 + u64::from(digit - b'0');
        if next > 1 << 63 {
            overflowed = true;
            continue;
        }
        value = next;
        scale *= 10.0;
    }
    (value, scale)
}

#[cfg(test)]
mod tests {
    use super::parse;

    const SECOND: i64 = 1_000_000_000;

    #[test]
    fn reads_every_unit_and_combination() {
        assert_eq!(parse("10s"), Some(10 * SECOND));
        assert_eq!(parse("1m30s"), Some(90 * SECOND));
        assert_eq!(parse("1h"), Some(3600 * SECOND));
        assert_eq!(parse("250ms"), Some(250_000_000));
        assert_eq!(parse("3us"), Some(3_000));
        assert_eq!(parse("3µs"), Some(3_000));
        assert_eq!(parse("3μs"), Some(3_000));
        assert_eq!(parse("7ns"), Some(7));
        assert_eq!(parse("4380h"), Some(4380 * 3600 * SECOND));
    }

    #[test]
    fn fractions_signs_and_zero_follow_go() {
        assert_eq!(parse("1.5s"), Some(1_500_000_000));
        assert_eq!(parse(".5s"), Some(500_000_000));
        // Go accepts a trailing point: "1." has digits before it.
        assert_eq!(parse("1.s"), Some(SECOND));
        assert_eq!(parse("-1.5h"), Some(-5400 * SECOND));
        assert_eq!(parse("+2m"), Some(120 * SECOND));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("-0"), Some(0));
        assert_eq!(parse("0s"), Some(0));
    }

    #[test]
    fn refuses_what_go_refuses() {
        for bad in [
            "",
            "+",
            "-",
            "10",
            "s",
            ".s",
            "1x",
            "1.s.",
            "1 s",
            "ten seconds",
            "1h30",
            "0.0",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn int64_bounds_are_go_bounds() {
        assert_eq!(parse("2562047h47m16.854775807s"), Some(i64::MAX));
        assert_eq!(parse("-2562047h47m16.854775808s"), Some(i64::MIN));
        assert_eq!(parse("2562047h47m16.854775808s"), None);
        assert_eq!(parse("9999999999999999999999h"), None);
    }
}
