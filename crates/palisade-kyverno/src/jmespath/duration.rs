//! Go's `time.Duration` text forms: `time.ParseDuration` (`1h30m`, `-1.5s`,
//! `300ms`) and `Duration.String` (`1h30m0s`, `1.5s`, `300ms`), which
//! Kyverno's arithmetic and time functions accept and return. A duration is
//! a signed count of nanoseconds.

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => NANOSECOND,
        "us" | "\u{b5}s" | "\u{3bc}s" => MICROSECOND,
        "ms" => MILLISECOND,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return None,
    })
}

/// Parses a duration as Go's `time.ParseDuration` does.
pub(crate) fn parse(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration \"{text}\"");
    let mut rest = text;
    let mut negative = false;
    if let Some(stripped) = rest.strip_prefix('-') {
        negative = true;
        rest = stripped;
    } else if let Some(stripped) = rest.strip_prefix('+') {
        rest = stripped;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let bytes = rest.as_bytes();
        if !(bytes.first() == Some(&b'.') || bytes.first().is_some_and(u8::is_ascii_digit)) {
            return Err(invalid());
        }
        let integer_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (integer_digits, after) = rest.split_at(integer_len);
        let mut whole: u64 = 0;
        for digit in integer_digits.bytes() {
            whole = whole
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit - b'0')))
                .filter(|v| *v <= LIMIT)
                .ok_or_else(invalid)?;
        }
        rest = after;
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut has_fraction_digits = false;
        if let Some(after_dot) = rest.strip_prefix('.') {
            let fraction_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            let (fraction_digits, after) = after_dot.split_at(fraction_len);
            has_fraction_digits = fraction_len > 0;
            let mut overflowed = false;
            for digit in fraction_digits.bytes() {
                if overflowed {
                    continue;
                }
                match fraction
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(digit - b'0')))
                    .filter(|v| *v <= LIMIT)
                {
                    Some(next) => {
                        fraction = next;
                        scale *= 10.0;
                    }
                    // Go keeps the digits read so far and ignores the rest.
                    None => overflowed = true,
                }
            }
            rest = after;
        }
        if integer_len == 0 && !has_fraction_digits {
            return Err(invalid());
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration \"{text}\""));
        }
        let (unit, after) = rest.split_at(unit_len);
        let unit_value = unit_nanos(unit)
            .ok_or_else(|| format!("time: unknown unit \"{unit}\" in duration \"{text}\""))?;
        rest = after;
        let mut value = whole
            .checked_mul(unit_value)
            .filter(|v| *v <= LIMIT)
            .ok_or_else(invalid)?;
        if fraction > 0 {
            value = value
                .checked_add((fraction as f64 * (unit_value as f64 / scale)) as u64)
                .filter(|v| *v <= LIMIT)
                .ok_or_else(invalid)?;
        }
        total = total
            .checked_add(value)
            .filter(|v| *v <= LIMIT)
            .ok_or_else(invalid)?;
    }
    if negative {
        // Go negates the unsigned total; 1<<63 becomes i64::MIN.
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Formats nanoseconds as Go's `Duration.String` does.
pub(crate) fn format(nanos: i64) -> String {
    let negative = nanos < 0;
    let magnitude = nanos.unsigned_abs();
    let mut text = if magnitude == 0 {
        return "0s".to_owned();
    } else if magnitude < SECOND {
        let (precision, unit) = if magnitude < MICROSECOND {
            (0, "ns")
        } else if magnitude < MILLISECOND {
            (3, "\u{b5}s")
        } else {
            (6, "ms")
        };
        let (whole, fraction) = split_fraction(magnitude, precision);
        format!("{whole}{fraction}{unit}")
    } else {
        let (seconds, fraction) = split_fraction(magnitude, 9);
        let minutes = seconds / 60;
        let hours = minutes / 60;
        let mut out = String::new();
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if minutes > 0 {
            out.push_str(&format!("{}m", minutes % 60));
        }
        out.push_str(&format!("{}{fraction}s", seconds % 60));
        out
    };
    if negative {
        text.insert(0, '-');
    }
    text
}

/// Splits `value` into `value / 10^precision` and the fractional digits
/// (".5", ".25", or "" when zero), trailing zeros dropped.
fn split_fraction(value: u64, precision: u32) -> (u64, String) {
    let divisor = 10u64.pow(precision);
    let whole = value / divisor;
    let remainder = value % divisor;
    if remainder == 0 {
        return (whole, String::new());
    }
    let digits = format!("{remainder:0width$}", width = precision as usize);
    (whole, format!(".{}", digits.trim_end_matches('0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse("1h30m"), Ok(90 * 60 * 1_000_000_000));
        assert_eq!(parse("-1.5s"), Ok(-1_500_000_000));
        assert_eq!(parse("300ms"), Ok(300_000_000));
        assert_eq!(parse("0"), Ok(0));
        assert!(parse("").is_err());
        assert!(parse("5").is_err());
        assert!(parse("5x").is_err());
        assert!(parse(".s").is_err());
        assert!(parse("9999999999999h").is_err());
    }

    #[test]
    fn formats_like_go_duration_string() {
        assert_eq!(format(0), "0s");
        assert_eq!(format(90 * 60 * 1_000_000_000), "1h30m0s");
        assert_eq!(format(1_500_000_000), "1.5s");
        assert_eq!(format(300_000_000), "300ms");
        assert_eq!(format(1_500), "1.5\u{b5}s");
        assert_eq!(format(-61_000_000_000), "-1m1s");
        assert_eq!(format(i64::MIN), "-2562047h47m16.854775808s");
    }
}
