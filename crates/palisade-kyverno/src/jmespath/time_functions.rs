//! Kyverno's time functions (`pkg/engine/jmespath/time.go`): times are RFC 3339
//! text, durations are Go duration text, and `time_since`/`time_parse` also
//! take a Go reference layout (`2006-01-02T15:04:05Z07:00`); the common
//! layout elements are translated, others are an error.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Timelike, Utc};
use jmespath::{Rcvar, Runtime, Variable};

use super::duration;
use super::runtime::{Arg, Outcome, define, string, string_arg};

type Time = DateTime<FixedOffset>;

/// Seconds from 0001-01-01T00:00:00Z (Go's zero time, which `Truncate`
/// counts from) to the Unix epoch.
const ZERO_TIME_TO_UNIX: i128 = 62_135_596_800;

pub(super) fn register(runtime: &mut Runtime) {
    define(
        runtime,
        "time_since",
        vec![Arg::String, Arg::String, Arg::String],
        time_since,
    );
    define(runtime, "time_now", vec![], |_| {
        Ok(string(format_rfc3339(&chrono::Local::now().fixed_offset())))
    });
    define(runtime, "time_now_utc", vec![], |_| {
        Ok(string(format_rfc3339(&Utc::now().fixed_offset())))
    });
    define(
        runtime,
        "time_add",
        vec![Arg::String, Arg::String],
        |args| {
            let time = time_arg(args, 0, "time_add")?;
            let nanos = duration::parse(string_arg(args, 1, "time_add")?)?;
            let moved = time
                .checked_add_signed(chrono::Duration::nanoseconds(nanos))
                .ok_or("time out of range")?;
            Ok(string(format_rfc3339(&moved)))
        },
    );
    define(
        runtime,
        "time_parse",
        vec![Arg::String, Arg::String],
        time_parse,
    );
    define(runtime, "time_utc", vec![Arg::String], |args| {
        let time = time_arg(args, 0, "time_utc")?;
        Ok(string(format_rfc3339(
            &time.with_timezone(&Utc).fixed_offset(),
        )))
    });
    define(
        runtime,
        "time_diff",
        vec![Arg::String, Arg::String],
        |args| {
            let start = time_arg(args, 0, "time_diff")?;
            let end = time_arg(args, 1, "time_diff")?;
            Ok(string(duration::format(nanos_between(&start, &end))))
        },
    );
    define(
        runtime,
        "time_before",
        vec![Arg::String, Arg::String],
        |args| {
            Ok(Variable::Bool(
                time_arg(args, 0, "time_before")? < time_arg(args, 1, "time_before")?,
            ))
        },
    );
    define(
        runtime,
        "time_after",
        vec![Arg::String, Arg::String],
        |args| {
            Ok(Variable::Bool(
                time_arg(args, 0, "time_after")? > time_arg(args, 1, "time_after")?,
            ))
        },
    );
    define(
        runtime,
        "time_between",
        vec![Arg::String, Arg::String, Arg::String],
        |args| {
            let time = time_arg(args, 0, "time_between")?;
            let start = time_arg(args, 1, "time_between")?;
            let end = time_arg(args, 2, "time_between")?;
            Ok(Variable::Bool(time > start && time < end))
        },
    );
    define(
        runtime,
        "time_truncate",
        vec![Arg::String, Arg::String],
        time_truncate,
    );
    define(runtime, "time_to_cron", vec![Arg::String], |args| {
        let time = time_arg(args, 0, "time_to_cron")?;
        Ok(string(format!(
            "{} {} {} {} {}",
            time.minute(),
            time.hour(),
            time.day(),
            time.month(),
            time.weekday().num_days_from_sunday()
        )))
    });
}

/// Go's `time.RFC3339` form: seconds precision, `Z` for UTC.
fn format_rfc3339(time: &Time) -> String {
    let base = time.format("%Y-%m-%dT%H:%M:%S").to_string();
    if time.offset().local_minus_utc() == 0 {
        format!("{base}Z")
    } else {
        format!("{base}{}", time.format("%:z"))
    }
}

fn parse_rfc3339(text: &str) -> Result<Time, String> {
    DateTime::parse_from_rfc3339(text)
        .map_err(|error| format!("parsing time \"{text}\" as RFC3339: {error}"))
}

fn time_arg(args: &[Rcvar], index: usize, name: &str) -> Result<Time, String> {
    parse_rfc3339(string_arg(args, index, name)?)
}

/// `end - start` in nanoseconds, saturated like Go's `Time.Sub`.
fn nanos_between(start: &Time, end: &Time) -> i64 {
    end.signed_duration_since(*start)
        .num_nanoseconds()
        .unwrap_or_else(|| if end > start { i64::MAX } else { i64::MIN })
}

/// `time_since(layout, start, end)`: `end - start` as a Go duration; an empty
/// layout means RFC 3339 and an empty end means now.
fn time_since(args: &[Rcvar]) -> Outcome {
    let layout = string_arg(args, 0, "time_since")?;
    let parse = |text: &str| {
        if layout.is_empty() {
            parse_rfc3339(text)
        } else {
            parse_with_go_layout(layout, text)
        }
    };
    let start = parse(string_arg(args, 1, "time_since")?)?;
    let end_text = string_arg(args, 2, "time_since")?;
    let end = if end_text.is_empty() {
        Utc::now().fixed_offset()
    } else {
        parse(end_text)?
    };
    Ok(string(duration::format(nanos_between(&start, &end))))
}

/// `time_parse(layout, text)`: a numeric layout means Unix seconds.
fn time_parse(args: &[Rcvar]) -> Outcome {
    let layout = string_arg(args, 0, "time_parse")?;
    let text = string_arg(args, 1, "time_parse")?;
    if layout.parse::<i64>().is_ok() {
        let seconds: i64 = text
            .parse()
            .map_err(|_| format!("strconv.ParseInt: parsing \"{text}\": invalid syntax"))?;
        let time = DateTime::from_timestamp(seconds, 0).ok_or("time out of range")?;
        return Ok(string(format_rfc3339(&time.fixed_offset())));
    }
    Ok(string(format_rfc3339(&parse_with_go_layout(layout, text)?)))
}

/// `time_truncate(time, duration)`: rounds down to a multiple of the duration
/// counted from Go's zero time; a non-positive duration leaves it unchanged.
fn time_truncate(args: &[Rcvar]) -> Outcome {
    let time = time_arg(args, 0, "time_truncate")?;
    let step = duration::parse(string_arg(args, 1, "time_truncate")?)?;
    if step <= 0 {
        return Ok(string(format_rfc3339(&time)));
    }
    let since_zero = (i128::from(time.timestamp()) + ZERO_TIME_TO_UNIX) * 1_000_000_000
        + i128::from(time.timestamp_subsec_nanos());
    let excess = since_zero % i128::from(step);
    let excess = i64::try_from(excess).map_err(|_| "time out of range")?;
    let truncated = time
        .checked_sub_signed(chrono::Duration::nanoseconds(excess))
        .ok_or("time out of range")?;
    Ok(string(format_rfc3339(&truncated)))
}

/// Parses `text` with a Go reference layout.
fn parse_with_go_layout(layout: &str, text: &str) -> Result<Time, String> {
    let format = translate_layout(layout)?;
    let failed =
        |error: chrono::ParseError| format!("parsing time \"{text}\" as \"{layout}\": {error}");
    match DateTime::parse_from_str(text, &format) {
        Ok(time) => Ok(time),
        Err(zoned_error) => match NaiveDateTime::parse_from_str(text, &format) {
            Ok(naive) => Ok(naive.and_utc().fixed_offset()),
            Err(_) => NaiveDate::parse_from_str(text, &format)
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .map(|naive| naive.and_utc().fixed_offset())
                .ok_or_else(|| failed(zoned_error)),
        },
    }
}

/// Translates a Go layout into a chrono format, element by element.
fn translate_layout(layout: &str) -> Result<String, String> {
    // Longest elements first, as Go's layout scanner prefers them.
    const ELEMENTS: [(&str, &str); 27] = [
        ("January", "%B"),
        ("Monday", "%A"),
        ("Z07:00", "%:z"),
        ("-07:00", "%:z"),
        ("Z0700", "%z"),
        ("-0700", "%z"),
        (".000000000", "%.9f"),
        (".999999999", "%.f"),
        (".000000", "%.6f"),
        (".999999", "%.f"),
        (".000", "%.3f"),
        (".999", "%.f"),
        ("2006", "%Y"),
        ("Jan", "%b"),
        ("Mon", "%a"),
        ("MST", "%Z"),
        ("-07", "%#z"),
        ("_2", "%e"),
        ("01", "%m"),
        ("02", "%d"),
        ("03", "%I"),
        ("04", "%M"),
        ("05", "%S"),
        ("06", "%y"),
        ("15", "%H"),
        ("PM", "%p"),
        ("pm", "%P"),
    ];
    let mut out = String::new();
    let mut rest = layout;
    'scan: while let Some(c) = rest.chars().next() {
        for (go, chrono_element) in ELEMENTS {
            if let Some(after) = rest.strip_prefix(go) {
                if go == "MST" {
                    return Err(format!(
                        "time layout \"{layout}\": zone abbreviations are not supported"
                    ));
                }
                out.push_str(chrono_element);
                rest = after;
                continue 'scan;
            }
        }
        match c {
            '1' => out.push_str("%-m"),
            '2' => out.push_str("%-d"),
            '3' => out.push_str("%-I"),
            '4' => out.push_str("%-M"),
            '5' => out.push_str("%-S"),
            '%' => out.push_str("%%"),
            other => out.push(other),
        }
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip_keeps_offset() {
        let time = parse_rfc3339("2024-03-01T10:20:30+02:00").unwrap_or_default();
        assert_eq!(format_rfc3339(&time), "2024-03-01T10:20:30+02:00");
        let utc = parse_rfc3339("2024-03-01T10:20:30.5Z").unwrap_or_default();
        assert_eq!(format_rfc3339(&utc), "2024-03-01T10:20:30Z");
    }

    #[test]
    fn go_layouts_are_translated() {
        let time = parse_with_go_layout("2006-01-02", "2024-03-01").map(|t| format_rfc3339(&t));
        assert_eq!(time.as_deref(), Ok("2024-03-01T00:00:00Z"));
        let time = parse_with_go_layout(
            "Jan 2, 2006 at 3:04pm (-0700)",
            "Mar 1, 2024 at 4:05pm (+0100)",
        )
        .map(|t| format_rfc3339(&t));
        assert_eq!(time.as_deref(), Ok("2024-03-01T16:05:00+01:00"));
    }
}
