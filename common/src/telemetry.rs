//! The tracing subscriber: `RUST_LOG` filters, `LOG_FORMAT=json` gives one JSON object a line.

use std::str::FromStr;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "text" | "pretty" | "plain" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("`{other}` is not a log format (text or json)")),
        }
    }
}

/// Installs the global subscriber, writing to `writer`; `RUST_LOG` wins over `default_filter`.
///
/// Does nothing when a subscriber is already installed (tests start many services).
pub fn init<W>(format: LogFormat, default_filter: &str, writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only when a person reads stderr, not in files or log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer);
    // An error only means a subscriber is already set, which is fine.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The span of one gRPC call, for `tonic`'s `Server::trace_fn`: it carries the caller's
/// `x-request-id`, so every log line of the call can be matched with the gateway's.
pub fn grpc_span<B>(request: &http::Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_printable_id(id))
        .unwrap_or("-");
    tracing::info_span!(
        "grpc",
        request_id = %request_id,
        grpc.method = %request.uri().path(),
    )
}

/// Whether a caller-supplied id is fit for a log line: 1 to 128 visible ASCII characters,
/// none that could fake a field or a line.
pub fn is_printable_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_reach_a_log_line() {
        assert!(is_printable_id("rid-0f3c.a:b/c_d"));
        for bad in [
            "",
            "a} user_id=admin",
            "x\u{1b}[31m",
            "a b",
            &"x".repeat(129),
        ] {
            assert!(!is_printable_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn log_format_parses_case_insensitively() {
        assert_eq!("JSON".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!("text".parse::<LogFormat>(), Ok(LogFormat::Text));
        assert!("xml".parse::<LogFormat>().is_err());
    }
}
