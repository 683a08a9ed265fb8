//! What a run measured: a latency histogram, the request count and the errors by status.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// One worker's measurements; workers merge theirs at the end.
pub struct Recorder {
    latency_us: Histogram<u64>,
    errors: BTreeMap<String, u64>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    pub fn new() -> Self {
        // 1 µs to 60 s at 3 significant digits.
        let latency_us = Histogram::new_with_bounds(1, 60_000_000, 3)
            .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable_histogram()));
        Self {
            latency_us,
            errors: BTreeMap::new(),
        }
    }

    /// Records one request: its latency, and its status when it failed.
    pub fn record(&mut self, latency: Duration, failure: Option<String>) {
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let _ = self.latency_us.record(micros.min(60_000_000));
        if let Some(status) = failure {
            *self.errors.entry(status).or_default() += 1;
        }
    }

    pub fn merge(&mut self, other: &Recorder) {
        let _ = self.latency_us.add(&other.latency_us);
        for (status, count) in &other.errors {
            *self.errors.entry(status.clone()).or_default() += count;
        }
    }

    /// The summary of a run that lasted `elapsed`.
    pub fn summary(&self, scenario: &str, elapsed: Duration) -> Summary {
        let requests = self.latency_us.len();
        let ms = |quantile: f64| self.latency_us.value_at_quantile(quantile) as f64 / 1000.0;
        Summary {
            scenario: scenario.to_owned(),
            requests,
            seconds: elapsed.as_secs_f64(),
            requests_per_second: requests as f64 / elapsed.as_secs_f64().max(1e-9),
            p50_ms: ms(0.50),
            p90_ms: ms(0.90),
            p99_ms: ms(0.99),
            p999_ms: ms(0.999),
            max_ms: self.latency_us.max() as f64 / 1000.0,
            errors: self.errors.clone(),
        }
    }
}

fn unreachable_histogram() -> Histogram<u64> {
    // `Histogram::new(3)` only fails for more than 5 significant digits.
    #[allow(clippy::expect_used)]
    Histogram::new(2).expect("a histogram with 2 significant digits")
}

/// The figures of one run.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub requests: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// Failed requests by status (HTTP code or gRPC code name).
    pub errors: BTreeMap<String, u64>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{}: {} requests in {:.1} s = {:.0} req/s",
            self.scenario, self.requests, self.seconds, self.requests_per_second
        )?;
        writeln!(
            f,
            "  latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            self.p50_ms, self.p90_ms, self.p99_ms, self.p999_ms, self.max_ms
        )?;
        let failed: u64 = self.errors.values().sum();
        write!(f, "  errors: {failed}")?;
        for (status, count) in &self.errors {
            write!(f, "  [{status}: {count}]")?;
        }
        Ok(())
    }
}
