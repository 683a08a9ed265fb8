//! Durations as operators write them: `15m`, `7d`, `3s`, `250ms`, or a bare number of seconds.

use std::time::Duration;

/// Parses `15m`, `7d`, `1h 30m`, `250ms` or a bare number of seconds.
///
/// # Errors
/// A message naming what was wrong, for clap to show next to the variable's name.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    humantime::parse_duration(text)
        .map_err(|err| format!("`{text}` is not a duration like 15m, 7d or 30 ({err})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_numbers_are_seconds() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn units_are_understood() {
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
    }

    #[test]
    fn garbage_is_refused_with_the_value_named() {
        let err = parse_duration("soon").expect_err("`soon` is not a duration");
        assert!(err.contains("soon"), "{err}");
        assert!(parse_duration("-5").is_err());
    }
}
