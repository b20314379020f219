//! Expiry dates of suppressions. A suppression with an expiry date suppresses
//! up to and including that day and stops the day after, so a temporary
//! exception cannot quietly become a permanent one. "Today" is always a
//! parameter: nothing here reads the clock, so every decision is testable.

use jiff::civil::Date;

/// Reads an expiry date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(format!("expiry date {text:?} is not written YYYY-MM-DD"));
    }
    text.parse::<Date>()
        .map_err(|e| format!("expiry date {text:?} is not a calendar date: {e}"))
}

/// True when a suppression that expires on `expires` no longer applies `today`.
pub fn is_expired(expires: Option<Date>, today: Date) -> bool {
    expires.is_some_and(|day| today > day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        parse_date(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_expiry_day_still_suppresses_and_the_next_does_not() {
        let expires = Some(date("2027-01-31"));
        assert!(!is_expired(expires, date("2027-01-30")));
        assert!(!is_expired(expires, date("2027-01-31")));
        assert!(is_expired(expires, date("2027-02-01")));
        assert!(!is_expired(None, date("2999-12-31")));
    }

    #[test]
    fn malformed_and_impossible_dates_are_errors() {
        for bad in [
            "2027-1-31",
            "31/01/2027",
            "2027-02-30",
            "2027-13-01",
            "",
            "tomorrow",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?}");
        }
        assert_eq!(date(" 2024-02-29 ").to_string(), "2024-02-29");
    }
}
