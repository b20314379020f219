//! CronJob schedules as the API server validates them: `robfig/cron/v3`'s
//! `ParseStandard` (five fields, or a descriptor such as `@hourly` or `@every
//! 1h30m`), and no `TZ=`/`CRON_TZ=` in the text (the `timeZone` field replaced
//! it; new objects with it are refused).
//!
//! Written by hand because the accepted language is robfig's, quirks
//! included (`*-5` is read as `*`, empty list items are dropped, `5/15` means
//! `5-max/15`, day-of-week stops at 6); the Rust cron crates read a different
//! one (seconds fields, `L`, `#`, day 7).

/// One field's bounds and its names (lower case).
struct Bounds {
    what: &'static str,
    min: u64,
    max: u64,
    /// Names of the values from `min` on (month names from 1, day names from 0).
    names: &'static [&'static str],
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: [Bounds; 5] = [
    Bounds {
        what: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Bounds {
        what: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Bounds {
        what: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Bounds {
        what: "month",
        min: 1,
        max: 12,
        names: &MONTHS,
    },
    Bounds {
        what: "day of week",
        min: 0,
        max: 6,
        names: &DAYS,
    },
];

const DESCRIPTORS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// `Ok` when the API server accepts `schedule`; else why not.
pub(crate) fn validate(schedule: &str) -> Result<(), String> {
    if schedule.contains("TZ") {
        return Err(
            "TZ or CRON_TZ cannot be used in the schedule; use the timeZone field".to_owned(),
        );
    }
    if schedule.is_empty() {
        return Err("the schedule is empty".to_owned());
    }
    if schedule.starts_with('@') {
        if DESCRIPTORS.contains(&schedule) {
            return Ok(());
        }
        if let Some(duration) = schedule.strip_prefix("@every ") {
            return palisade_core::go_duration::parse(duration)
                .map(|_| ())
                .ok_or_else(|| format!("{duration:?} is not a duration"));
        }
        return Err(format!("unrecognized descriptor {schedule:?}"));
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}", fields.len()));
    }
    for (field, bounds) in fields.iter().zip(&FIELDS) {
        for range in field.split(',').filter(|r| !r.is_empty()) {
            check_range(range, bounds).map_err(|e| format!("{} {range:?}: {e}", bounds.what))?;
        }
    }
    Ok(())
}

fn check_range(expr: &str, bounds: &Bounds) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let (start, mut end) = if matches!(low_and_high[0], "*" | "?") {
        (bounds.min, bounds.max)
    } else {
        let start = int_or_name(low_and_high[0], bounds)?;
        match low_and_high.len() {
            1 => (start, start),
            2 => (start, int_or_name(low_and_high[1], bounds)?),
            _ => return Err("too many hyphens".to_owned()),
        }
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = non_negative(range_and_step[1])?;
            if low_and_high.len() == 1 {
                end = bounds.max;
            }
            step
        }
        _ => return Err("too many slashes".to_owned()),
    };
    if start < bounds.min {
        return Err(format!("{start} is below the minimum {}", bounds.min));
    }
    if end > bounds.max {
        return Err(format!("{end} is above the maximum {}", bounds.max));
    }
    if start > end {
        return Err(format!("the range starts at {start}, after its end {end}"));
    }
    if step == 0 {
        return Err("the step must be positive".to_owned());
    }
    Ok(())
}

fn int_or_name(text: &str, bounds: &Bounds) -> Result<u64, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = bounds.names.iter().position(|n| *n == lower) {
        return Ok(bounds.min + i as u64);
    }
    non_negative(text)
}

/// Go's `strconv.Atoi` (an optional sign, decimal digits, within int64) and
/// no negative numbers.
fn non_negative(text: &str) -> Result<u64, String> {
    let n: i64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    u64::try_from(n).map_err(|_| format!("negative number {n}"))
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepted_like_robfig_parse_standard() {
        for ok in [
            "*/5 * * * *",
            "0 0 * * 0",
            "15 3 1-15/2 JAN-mar mon,fri",
            "5/15 * * * *",
            "*-5 * * * *",
            "0 0 1,,15 * *",
            "0 0 ? * ?",
            "+5 * * * *",
            "@hourly",
            "@every 1h30m",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refused_like_the_api_server() {
        for (bad, why) in [
            ("", "empty"),
            ("* * * *", "expected exactly 5 fields, found 4"),
            ("0 0 0 0 0 0", "found 6"),
            ("60 * * * *", "minute \"60\": 60 is above the maximum 59"),
            ("0 0 * * 7", "day of week \"7\": 7 is above the maximum 6"),
            ("0 0 0 * *", "day of month \"0\": 0 is below the minimum 1"),
            ("0 0 * 13 *", "13 is above"),
            ("5-1 * * * *", "after its end"),
            ("*/0 * * * *", "step must be positive"),
            ("1-2-3 * * * *", "too many hyphens"),
            ("1/2/3 * * * *", "too many slashes"),
            ("0 0 * * L", "not a number"),
            ("@fortnightly", "unrecognized descriptor"),
            ("@every soon", "not a duration"),
            ("CRON_TZ=UTC 0 0 * * *", "timeZone"),
        ] {
            let error = validate(bad).expect_err(bad);
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn names_map_to_their_numbers() {
        // dec = 12 (within 1-12), sat = 6 (within 0-6): both ranges are fine;
        // jan-dec reversed is not.
        assert_eq!(validate("0 0 * nov-dec fri-sat"), Ok(()));
        assert!(validate("0 0 * dec-jan *").is_err());
        assert!(validate("0 0 * * sat-sun").is_err());
    }
}
