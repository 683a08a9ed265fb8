//! Failed-login counters in process memory, for the embedded mode and tests.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use common::redis::StoreError;

use super::{Counter, LoginThrottle};

/// Counters in a map; an expired window is dropped when next looked at.
#[derive(Default)]
pub struct MemoryThrottle {
    counts: Mutex<HashMap<String, (u32, Instant)>>,
}

impl MemoryThrottle {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, (u32, Instant)>> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl LoginThrottle for MemoryThrottle {
    async fn blocked(&self, counters: &[Counter]) -> Result<Option<Duration>, StoreError> {
        let now = Instant::now();
        let mut counts = self.lock();
        counts.retain(|_, (_, ends)| *ends > now);
        Ok(counters
            .iter()
            .filter_map(|counter| {
                let (count, ends) = counts.get(&counter.name)?;
                (*count >= counter.limit).then(|| *ends - now)
            })
            .max())
    }

    async fn record_failure(
        &self,
        counters: &[Counter],
        window: Duration,
    ) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut counts = self.lock();
        for counter in counters {
            let entry = counts
                .entry(counter.name.clone())
                .or_insert((0, now + window));
            if entry.1 <= now {
                *entry = (0, now + window);
            }
            entry.0 += 1;
        }
        Ok(())
    }

    async fn reset(&self, counter: &Counter) -> Result<(), StoreError> {
        self.lock().remove(&counter.name);
        Ok(())
    }
}
