//! The API server's `?timeout=` query parameter: a Go `time.Duration` string
//! (`10s`, `1m30s`, `500ms`, `1.5s`), read with core's Go-duration parser and
//! then bounded to what a request may wait for.

use std::time::Duration;

/// Parses a Go duration; `None` for anything Go's `time.ParseDuration` would refuse,
/// for negative values and for values beyond a day (no request waits that long).
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    const DAY_NANOS: i64 = 86_400 * 1_000_000_000;
    let nanos = palisade_core::go_duration::parse(text)?;
    let nanos = u64::try_from(nanos).ok().filter(|_| nanos <= DAY_NANOS)?;
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_api_server_sends_and_go_accepts() {
        assert_eq!(parse_go_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("0"), Some(Duration::ZERO));
    }

    #[test]
    fn refuses_what_go_refuses() {
        for bad in ["", "10", "s", "-1s", "1x", "1.s.", "ten seconds", "99999h"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }
}
