//! Kubernetes resource quantities (`k8s.io/apimachinery/pkg/api/resource`
//! `ParseQuantity` and `Cmp`), which Kyverno uses for `"<2Gi"` in patterns and
//! for the ordering and equality operators: `"2Gi" > "1024Mi"`, `"1500m" ==
//! "1.5"`.
//!
//! Written here rather than taken from a crate because Kyverno's outcome
//! depends on apimachinery's exact reading, quirks included: a bare sign or a
//! bare `.` reads as zero, `1.G` is accepted, the exponent suffix is read as a
//! Go `int32` after `ParseInt`, non-zero values are rounded away from zero to
//! a multiple of 10⁻⁹, and binary-suffixed values are capped at 2⁶³-1. The
//! value is kept exactly (a big integer times a power of ten) so comparisons
//! are exact whatever the size or precision of the text.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use std::cmp::Ordering;

/// Texts longer than this are not read as quantities: no real quantity comes
/// near it, and it bounds the big-integer work a hostile string can cause.
const MAX_TEXT_LEN: usize = 4096;

/// An exact quantity: `±mantissa × 10^exponent`, with no trailing zeros in the
/// mantissa (zero is mantissa 0, exponent 0, not negative).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    negative: bool,
    mantissa: BigUint,
    exponent: i64,
}

/// What a suffix multiplies the number by.
enum Suffix {
    Decimal(i64),
    Binary(u32),
}

fn suffix_of(text: &str) -> Option<Suffix> {
    Some(match text {
        "n" => Suffix::Decimal(-9),
        "u" => Suffix::Decimal(-6),
        "m" => Suffix::Decimal(-3),
        "" => Suffix::Decimal(0),
        "k" => Suffix::Decimal(3),
        "M" => Suffix::Decimal(6),
        "G" => Suffix::Decimal(9),
        "T" => Suffix::Decimal(12),
        "P" => Suffix::Decimal(15),
        "E" => Suffix::Decimal(18),
        "Ki" => Suffix::Binary(10),
        "Mi" => Suffix::Binary(20),
        "Gi" => Suffix::Binary(30),
        "Ti" => Suffix::Binary(40),
        "Pi" => Suffix::Binary(50),
        "Ei" => Suffix::Binary(60),
        _ => {
            let exponent = text.strip_prefix(['e', 'E'])?;
            if exponent.is_empty() {
                return None;
            }
            let parsed: i64 = exponent.parse().ok()?;
            // apimachinery keeps the exponent as int32(parsed).
            Suffix::Decimal(i64::from(parsed as i32))
        }
    })
}

/// The parts apimachinery's `parseQuantityString` splits a text into.
struct Parts<'a> {
    negative: bool,
    /// Integer digits without leading zeros ("" for none).
    whole: &'a str,
    /// Digits after the point.
    fraction: &'a str,
    suffix: &'a str,
}

fn split_parts(text: &str) -> Option<Parts<'_>> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut negative = false;
    match bytes.first() {
        Some(b'-') => {
            negative = true;
            pos = 1;
        }
        Some(b'+') => pos = 1,
        _ => {}
    }
    while bytes.get(pos) == Some(&b'0') {
        pos += 1;
    }
    let zero = Parts {
        negative,
        whole: "",
        fraction: "",
        suffix: "",
    };
    if pos >= bytes.len() {
        // Only a sign and zeros: apimachinery reads zero.
        return Some(zero);
    }
    let whole_start = pos;
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    let whole = &text[whole_start..pos];
    let mut fraction = "";
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        let fraction_start = pos;
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        fraction = &text[fraction_start..pos];
    }
    let suffix_start = pos;
    while bytes.get(pos).is_some_and(|b| b"eEinumkKMGTP".contains(b)) {
        pos += 1;
    }
    if matches!(bytes.get(pos), Some(b'-' | b'+')) {
        pos += 1;
    }
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    if pos < bytes.len() {
        return None;
    }
    Some(Parts {
        negative,
        whole,
        fraction,
        suffix: text.get(suffix_start..)?,
    })
}

fn decimal_digits(value: &BigUint) -> usize {
    if value.is_zero() {
        1
    } else {
        value.to_str_radix(10).len()
    }
}

fn pow10(exponent: usize) -> BigUint {
    num_traits::pow(BigUint::from(10u8), exponent)
}

impl Quantity {
    /// Reads a quantity as apimachinery's `ParseQuantity` does; `None` where it
    /// returns an error.
    pub fn parse(text: &str) -> Option<Quantity> {
        if text.is_empty() || text.len() > MAX_TEXT_LEN {
            return None;
        }
        let parts = split_parts(text)?;
        let suffix = suffix_of(parts.suffix)?;
        let digits = format!("{}{}", parts.whole, parts.fraction);
        let mut mantissa = if digits.is_empty() {
            BigUint::zero()
        } else {
            digits.parse::<BigUint>().ok()?
        };
        let fraction_len = i64::try_from(parts.fraction.len()).ok()?;
        let mut exponent = -fraction_len;
        let binary = matches!(suffix, Suffix::Binary(_));
        match suffix {
            Suffix::Decimal(power) => exponent += power,
            Suffix::Binary(power) => mantissa <<= power,
        }
        let mut quantity = Quantity::normalized(parts.negative, mantissa, exponent);
        quantity.round_up_to_nanos();
        if binary {
            quantity.cap_magnitude(&Quantity::from_u64(i64::MAX as u64));
        }
        Some(quantity)
    }

    fn from_u64(value: u64) -> Quantity {
        Quantity::normalized(false, BigUint::from(value), 0)
    }

    fn normalized(negative: bool, mut mantissa: BigUint, mut exponent: i64) -> Quantity {
        if mantissa.is_zero() {
            return Quantity {
                negative: false,
                mantissa,
                exponent: 0,
            };
        }
        let ten = BigUint::from(10u8);
        while (&mantissa % &ten).is_zero() {
            mantissa /= &ten;
            exponent += 1;
        }
        Quantity {
            negative,
            mantissa,
            exponent,
        }
    }

    /// apimachinery rounds non-zero amounts away from zero to nano precision
    /// ("if you want some resources, you should get some").
    fn round_up_to_nanos(&mut self) {
        const NANO: i64 = -9;
        if self.mantissa.is_zero() || self.exponent >= NANO {
            return;
        }
        let shift = NANO - self.exponent;
        let digits = decimal_digits(&self.mantissa);
        let nanos = match usize::try_from(shift) {
            Ok(shift) if shift < digits => {
                let divisor = pow10(shift);
                let quotient = &self.mantissa / &divisor;
                if (&quotient * &divisor) == self.mantissa {
                    quotient
                } else {
                    quotient + BigUint::one()
                }
            }
            // The amount is below one nano: it becomes one nano.
            _ => BigUint::one(),
        };
        *self = Quantity::normalized(self.negative, nanos, NANO);
    }

    fn cap_magnitude(&mut self, limit: &Quantity) {
        if self.magnitude_cmp(limit) == Ordering::Greater {
            *self = Quantity {
                negative: self.negative,
                ..limit.clone()
            };
        }
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa.is_zero()
    }

    /// The nearest float64, as apimachinery's `AsApproximateFloat64` gives it
    /// (what Kyverno's arithmetic functions compute with).
    pub fn approximate_f64(&self) -> f64 {
        let sign = if self.negative { "-" } else { "" };
        format!("{sign}{}e{}", self.mantissa, self.exponent)
            .parse()
            .unwrap_or(0.0)
    }

    /// Compares absolute values.
    fn magnitude_cmp(&self, other: &Quantity) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        // Position of the leading digit decides unless it is the same.
        let lead = |q: &Quantity| q.exponent + decimal_digits(&q.mantissa) as i64;
        match lead(self).cmp(&lead(other)) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        // Same leading position: the exponents differ by at most the digit
        // counts, so aligning them is cheap.
        let (mut left, mut right) = (self.mantissa.clone(), other.mantissa.clone());
        let gap = (self.exponent - other.exponent).unsigned_abs() as usize;
        if self.exponent > other.exponent {
            left *= pow10(gap);
        } else {
            right *= pow10(gap);
        }
        left.cmp(&right)
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        let sign = |q: &Quantity| {
            if q.is_zero() {
                0
            } else if q.negative {
                -1
            } else {
                1
            }
        };
        match sign(self).cmp(&sign(other)) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        let magnitude = self.magnitude_cmp(other);
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;
    use std::cmp::Ordering;

    fn q(text: &str) -> Quantity {
        match Quantity::parse(text) {
            Some(quantity) => quantity,
            None => panic!("{text:?} should parse"),
        }
    }

    #[test]
    fn binary_and_decimal_suffixes_compare_exactly() {
        assert!(q("2Gi") > q("1024Mi"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1500m"), q("1.5"));
        assert_eq!(q("1k"), q("1e3"));
        assert_eq!(q("1E"), q("1e18"));
        assert!(q("100m") < q("1"));
        assert!(q("-1") < q("0"));
        assert!(q("-2Gi") < q("-1Gi"));
        assert_eq!(q("0.5Ki"), q("512"));
        assert_eq!(q("12e-3"), q("12m"));
    }

    #[test]
    fn apimachinery_quirks_are_kept() {
        // A bare sign, a bare point and "1." read as numbers.
        assert!(q("-").is_zero());
        assert!(q(".").is_zero());
        assert_eq!(q("1.G"), q("1G"));
        assert_eq!(q("000"), q("0"));
        // A suffix with no digits reads as zero of that unit.
        assert!(q("Gi").is_zero());
        assert!(q("m").is_zero());
        // Amounts below a nano round up to one nano.
        assert_eq!(q("0.1n"), q("1n"));
        assert_eq!(q("1.0000000001"), q("1.000000001"));
        // Binary amounts are capped at 2^63-1.
        assert_eq!(q("16Ei"), q("9223372036854775807"));
        assert_eq!(q("1e30").cmp(&q("1e29")), Ordering::Greater);
    }

    #[test]
    fn refuses_what_apimachinery_refuses() {
        for bad in [
            "", "1 Gi", "1ki", "1K", "i", "1e", "1e+", "1.2.3", "abc", "1Mi3", "--1",
        ] {
            assert_eq!(Quantity::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn huge_exponents_stay_cheap_and_exact() {
        assert!(q("1e2000000000") > q("9e1999999999"));
        assert!(q("1e-2000000000") > q("0"));
        assert_eq!(q("1e-2000000000"), q("1n"));
    }
}
