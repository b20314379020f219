//! Kubernetes resource quantities (`500m`, `1Gi`, `2.5e3`) read as float64,
//! as `resource.ParseQuantity` accepts them and `AsApproximateFloat64` reads
//! them. Kyverno's `divide` of two quantities works on these approximations.

/// Parses a quantity into its approximate value, or `None` when the text is
/// not a quantity.
pub(crate) fn parse(text: &str) -> Option<f64> {
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'-') => (-1.0, &text[1..]),
        Some(b'+') => (1.0, &text[1..]),
        _ => (1.0, text),
    };
    let number_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, suffix) = rest.split_at(number_len);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let multiplier = suffix_multiplier(suffix)?;
    Some(sign * value * multiplier)
}

fn suffix_multiplier(suffix: &str) -> Option<f64> {
    let binary = |power: i32| Some(1024f64.powi(power));
    let decimal = |exponent: i32| Some(10f64.powi(exponent));
    match suffix {
        "" => decimal(0),
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        _ => {
            // Decimal exponent: e or E followed by a signed integer.
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let exponent: i32 = exponent.parse().ok()?;
            decimal(exponent)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_suffixes_and_exponents() {
        assert_eq!(parse("1Gi"), Some(1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse("500m"), Some(0.5));
        assert_eq!(parse("2k"), Some(2000.0));
        assert_eq!(parse("1.5e3"), Some(1500.0));
        assert_eq!(parse("-3"), Some(-3.0));
        assert_eq!(parse("1h"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("Gi"), None);
    }
}
