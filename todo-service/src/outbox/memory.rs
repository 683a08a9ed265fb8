//! The outbox in process memory (embedded mode): a queue, the entries being worked on, and
//! the dead letters, under one mutex.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use common::redis::StoreError;
use tokio::sync::Notify;

use super::{DeadLetter, Delivery, Notification, Outbox};

#[derive(Default)]
struct State {
    next_id: u64,
    ready: VecDeque<(u64, Notification)>,
    taken: BTreeMap<u64, Notification>,
    dead: Vec<DeadLetter>,
}

/// An in-process outbox; its content is lost on exit.
#[derive(Default)]
pub struct MemoryOutbox {
    state: Mutex<State>,
    queued: Notify,
}

impl MemoryOutbox {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a notification (called by the memory todo store under its own lock).
    pub fn push(&self, notification: Notification) {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.ready.push_back((id, notification));
        drop(state);
        self.queued.notify_one();
    }

    fn id_of(delivery: &Delivery) -> Option<u64> {
        delivery.id.parse().ok()
    }
}

#[async_trait]
impl Outbox for MemoryOutbox {
    async fn fetch(&self, _consumer: &str, max: usize) -> Result<Vec<Delivery>, StoreError> {
        let mut state = self.lock();
        let count = max.min(state.ready.len());
        let batch: Vec<(u64, Notification)> = state.ready.drain(..count).collect();
        let mut deliveries = Vec::with_capacity(batch.len());
        for (id, notification) in batch {
            state.taken.insert(id, notification.clone());
            deliveries.push(Delivery {
                id: id.to_string(),
                shard: 0,
                notification: Some(notification),
            });
        }
        Ok(deliveries)
    }

    async fn reclaim(
        &self,
        _consumer: &str,
        _min_idle: Duration,
        _max: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        // One process holds every worker: none can crash and leave the others running.
        Ok(Vec::new())
    }

    async fn keep(&self, _consumer: &str, delivery: &Delivery) -> Result<bool, StoreError> {
        Ok(Self::id_of(delivery).is_some_and(|id| self.lock().taken.contains_key(&id)))
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), StoreError> {
        if let Some(id) = Self::id_of(delivery) {
            self.lock().taken.remove(&id);
        }
        Ok(())
    }

    async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> Result<(), StoreError> {
        let mut state = self.lock();
        if let Some(id) = Self::id_of(delivery) {
            state.taken.remove(&id);
        }
        state.dead.push(DeadLetter {
            notification: delivery.notification.clone(),
            reason: reason.to_owned(),
        });
        Ok(())
    }

    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(self.lock().dead.clone())
    }

    async fn backlog(&self) -> Result<usize, StoreError> {
        let state = self.lock();
        Ok(state.ready.len() + state.taken.len())
    }

    async fn wait_for_work(&self, max_wait: Duration) {
        let _ = tokio::time::timeout(max_wait, self.queued.notified()).await;
    }
}
