//! Go's `time.Duration` text forms: `time.ParseDuration` (`1h30m`, `-1.5s`,
//! `300ms`) and `Duration.String` (`1h30m0s`, `1.5s`, `300ms`), which
//! Kyverno's arithmetic and time functions accept and return. A duration is
//! a signed count of nanoseconds.

/// Parses a duration as Go's `time.ParseDuration` does (the one parser, in
/// `palisade_core::go_duration`), with Go's error text.
pub(crate) fn parse(text: &str) -> Result<i64, String> {
    palisade_core::go_duration::parse(text)
        .ok_or_else(|| format!("time: invalid duration \"{text}\""))
}

const MICROSECOND: u64 = 1_000;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;

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
