//! The SMS worker: takes queued notifications, sends them through Vonage with retries, and
//! acknowledges each only once Vonage has accepted it. At least once: a crash between
//! Vonage's 202 and the acknowledgement, or a Redis outage at that moment, sends it again.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::outbox::{Delivery, Outbox};
use crate::sms::{SmsError, Vonage};

/// When to try again and when to give up.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each one.
    pub base_delay: Duration,
    /// The longest wait between two attempts (a longer `Retry-After` still wins).
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`: exponential, with jitter in [50 %, 100 %].
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(2_u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_delay);
        exponential.mul_f64(rand::rng().random_range(0.5..=1.0))
    }
}

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// This worker's name in the consumer group (unique per process).
    pub consumer: String,
    /// Messages in flight at once.
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// Entries idle this long in another worker's hands are taken over.
    pub reclaim_idle: Duration,
    /// The longest an idle worker waits before looking for work again.
    pub poll_interval: Duration,
}

/// Sends queued SMS until cancelled.
pub struct SmsWorker {
    outbox: Arc<dyn Outbox>,
    vonage: Vonage,
    settings: WorkerSettings,
}

impl SmsWorker {
    pub fn new(outbox: Arc<dyn Outbox>, vonage: Vonage, settings: WorkerSettings) -> Self {
        Self {
            outbox,
            vonage,
            settings,
        }
    }

    /// Runs until `stop` is cancelled, then lets each send in flight finish its current
    /// attempt; entries waiting for a retry stay queued for the next worker.
    pub async fn run(self, stop: CancellationToken) {
        let this = Arc::new(self);
        let mut in_flight = JoinSet::new();
        let mut last_reclaim = tokio::time::Instant::now();
        tracing::info!(consumer = %this.settings.consumer, "sms worker started");

        while !stop.is_cancelled() {
            while in_flight.try_join_next().is_some() {}
            let free = this.settings.concurrency.saturating_sub(in_flight.len());
            if free == 0 {
                tokio::select! {
                    _ = in_flight.join_next() => {}
                    () = stop.cancelled() => break,
                }
                continue;
            }

            let mut batch = Vec::new();
            if last_reclaim.elapsed() >= this.settings.reclaim_idle / 3 {
                last_reclaim = tokio::time::Instant::now();
                batch.extend(this.take(true, free).await);
            }
            if batch.len() < free {
                batch.extend(this.take(false, free - batch.len()).await);
            }

            if batch.is_empty() {
                tokio::select! {
                    () = this.outbox.wait_for_work(this.settings.poll_interval) => {}
                    () = stop.cancelled() => break,
                }
                continue;
            }
            for delivery in batch {
                let worker = Arc::clone(&this);
                let stop = stop.clone();
                in_flight.spawn(async move { worker.deliver(delivery, stop).await });
            }
        }

        while in_flight.join_next().await.is_some() {}
        tracing::info!("sms worker stopped");
    }

    async fn take(&self, reclaim: bool, max: usize) -> Vec<Delivery> {
        let consumer = &self.settings.consumer;
        let taken = if reclaim {
            self.outbox
                .reclaim(consumer, self.settings.reclaim_idle, max)
                .await
        } else {
            self.outbox.fetch(consumer, max).await
        };
        match taken {
            Ok(deliveries) => {
                if reclaim && !deliveries.is_empty() {
                    tracing::warn!(
                        count = deliveries.len(),
                        "took over sms left by a stopped worker"
                    );
                }
                deliveries
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the sms outbox");
                tokio::time::sleep(self.settings.poll_interval).await;
                Vec::new()
            }
        }
    }

    /// Sends one SMS with retries; acknowledges, dead-letters, or leaves it for another worker.
    #[tracing::instrument(name = "sms", skip_all, fields(entry = %delivery.id, todo_id, phone))]
    async fn deliver(&self, delivery: Delivery, stop: CancellationToken) {
        let Some(notification) = delivery.notification.clone() else {
            self.give_up(&delivery, "malformed outbox entry").await;
            return;
        };
        let span = tracing::Span::current();
        span.record("todo_id", tracing::field::display(notification.todo_id));
        span.record("phone", common::phone::mask(&notification.phone));

        let max = self.settings.retry.max_attempts.max(1);
        for attempt in 1..=max {
            let failure = match self.vonage.send_sms(&notification).await {
                Ok(message_uuid) => {
                    match self.outbox.ack(&delivery).await {
                        Ok(()) => tracing::info!(%message_uuid, attempt, "sms accepted by vonage"),
                        Err(err) => tracing::error!(
                            error = %err, %message_uuid,
                            "sms sent but not acknowledged: it may be sent again"
                        ),
                    }
                    return;
                }
                Err(SmsError::Rejected { reason }) => {
                    self.give_up(&delivery, &reason).await;
                    return;
                }
                Err(SmsError::Retryable {
                    reason,
                    retry_after,
                }) => (reason, retry_after),
            };

            let (reason, retry_after) = failure;
            if attempt == max {
                self.give_up(
                    &delivery,
                    &format!("gave up after {max} attempts: {reason}"),
                )
                .await;
                return;
            }
            let wait = retry_after.unwrap_or_else(|| self.settings.retry.backoff(attempt));
            tracing::warn!(
                attempt,
                ?reason,
                wait_ms = wait.as_millis() as u64,
                "sms failed, will retry"
            );
            if !self.wait_holding(&delivery, wait, &stop).await {
                return;
            }
        }
    }

    /// Sleeps `wait` while keeping the entry claimed; `false` when the worker should let go
    /// (stopping, or another worker took it over).
    async fn wait_holding(
        &self,
        delivery: &Delivery,
        wait: Duration,
        stop: &CancellationToken,
    ) -> bool {
        let step = (self.settings.reclaim_idle / 3).max(Duration::from_millis(10));
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return true;
            }
            tokio::select! {
                () = tokio::time::sleep((deadline - now).min(step)) => {}
                () = stop.cancelled() => {
                    tracing::info!("stopping: retry left queued for another worker");
                    return false;
                }
            }
            match self.outbox.keep(&self.settings.consumer, delivery).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!("another worker took this sms over");
                    return false;
                }
                Err(err) => tracing::warn!(error = %err, "cannot renew the sms claim"),
            }
        }
    }

    async fn give_up(&self, delivery: &Delivery, reason: &str) {
        match self.outbox.dead_letter(delivery, reason).await {
            Ok(()) => tracing::warn!(?reason, "sms dead-lettered"),
            Err(err) => tracing::error!(
                error = %err, ?reason,
                "cannot dead-letter the sms: it stays queued and will be tried again"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            let third = policy.backoff(3);
            let tenth = policy.backoff(10);
            assert!((50..=100).contains(&first.as_millis()), "{first:?}");
            assert!((200..=400).contains(&third.as_millis()), "{third:?}");
            assert!((500..=1000).contains(&tenth.as_millis()), "{tenth:?}");
        }
    }
}
