//! Go-style durations for `--timeout` / `BUF_TIMEOUT` (`30s`, `2m`, `1h30m`, `1.5s`, `0`).

use std::time::Duration;

/// Parses a Go duration. `0` (in any unit) means no timeout and yields `None`.
pub fn parse_go_duration(text: &str) -> Result<Option<Duration>, String> {
    let invalid = || {
        format!(
            "invalid duration {text:?} (use Go syntax such as 30s, 2m or 1h30m; 0 means no timeout)"
        )
    };
    if text == "0" {
        return Ok(None);
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() || rest.starts_with('-') {
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
    } else {
        Duration::try_from_secs_f64(total)
            .map(Some)
            .map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for bad in ["", "10", "5x", "-1s", "s", "1.2.3s"] {
            assert!(parse_go_duration(bad).is_err(), "{bad}");
        }
    }
}
