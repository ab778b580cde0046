//! Go-style durations for `--timeout` / `BUF_TIMEOUT` (`30s`, `2m`, `1h30m`, `1.5s`, `0`).

use std::time::Duration;

/// Parses a Go duration. `0` (in any unit) means no timeout and yields `None`.
pub fn parse_go_duration(text: &str) -> Result<Option<Duration>, String> {
    let invalid = || {
        format!(
            "invalid duration {text:?} (use Go syntax such as 30s, 2m or 1h30m; 0 means no timeout)"
        )
    };
    // Go reads a sign, then a bare `0` as zero: `+0` and `-0` are `0`.
    if matches!(text, "0" | "+0" | "-0") {
        return Ok(None);
    }
    // Go takes a leading sign; a negative timeout has no meaning, so only `-0…` (zero) passes.
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest.is_empty() || rest.starts_with(['+', '-']) {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        let number: f64 = rest[..number_len].parse().map_err(|_| invalid())?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(invalid()),
        };
        total += number * seconds_per_unit;
        rest = &rest[unit_len..];
    }
    if total == 0.0 {
        Ok(None)
    } else if negative {
        Err(invalid())
    } else {
        Duration::try_from_secs_f64(total)
            .map(Some)
            .map_err(|_| invalid())
    }
}

/// A duration as Go prints it (`3s`, `1m30s`, `1.5s`, `250ms`, `2h0m0s`), so that a message
/// names `--timeout 3s` the way it was given.
pub fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    // Trailing zeros of the fraction are dropped, as Go drops them.
    let fraction = |value: u128, unit: u128, suffix: &str| {
        let whole = value / unit;
        let rest = value % unit;
        if rest == 0 {
            return format!("{whole}{suffix}");
        }
        let digits = unit.to_string().len() - 1;
        let text = format!("{rest:0digits$}");
        format!("{whole}.{}{suffix}", text.trim_end_matches('0'))
    };
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return fraction(nanos, 1_000, "µs");
    }
    if nanos < 1_000_000_000 {
        return fraction(nanos, 1_000_000, "ms");
    }
    let total_secs = nanos / 1_000_000_000;
    let (hours, minutes) = (total_secs / 3600, total_secs / 60 % 60);
    let seconds = fraction(nanos % 60_000_000_000, 1_000_000_000, "s");
    match (hours, minutes) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_shown_as_go_shows_them() {
        for (text, secs) in [
            ("3s", 3.0),
            ("1m30s", 90.0),
            ("1.5s", 1.5),
            ("250ms", 0.25),
            ("2h0m0s", 7200.0),
            ("1h1m1s", 3661.0),
            ("2m0s", 120.0),
        ] {
            assert_eq!(go_duration(Duration::from_secs_f64(secs)), text);
            assert_eq!(
                parse_go_duration(text),
                Ok(Some(Duration::from_secs_f64(secs)))
            );
        }
    }

    #[test]
    fn go_durations() {
        let secs = |s: f64| Ok(Some(Duration::from_secs_f64(s)));
        assert_eq!(parse_go_duration("30s"), secs(30.0));
        assert_eq!(parse_go_duration("2m"), secs(120.0));
        assert_eq!(parse_go_duration("1h30m"), secs(5400.0));
        assert_eq!(parse_go_duration("1.5s"), secs(1.5));
        assert_eq!(parse_go_duration("300ms"), secs(0.3));
        assert_eq!(parse_go_duration("0"), Ok(None));
        assert_eq!(parse_go_duration("0s"), Ok(None));
        assert_eq!(parse_go_duration("+0"), Ok(None));
        assert_eq!(parse_go_duration("-0"), Ok(None));
        assert_eq!(parse_go_duration("+2s"), secs(2.0));
        assert_eq!(parse_go_duration("-0s"), Ok(None));
        assert_eq!(parse_go_duration("+0.0m"), Ok(None));
        for bad in [
            "", "+", "-", "10", "+10", "5x", "-1s", "--0s", "+-0s", "s", "1.2.3s",
        ] {
            assert!(parse_go_duration(bad).is_err(), "{bad}");
        }
    }
}
