//! The outbox rules, checked against both forms.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::*;
use crate::test_support::{memory_stores, redis_stores};
use crate::todos::{Todo, TodoStore};

async fn queue(store: &dyn TodoStore, username: &str) -> Notification {
    let todo = Todo {
        id: Uuid::now_v7(),
        user_id: Uuid::new_v4(),
        title: "t".into(),
        completed: false,
        created_at: 0,
    };
    let notification = Notification {
        todo_id: todo.id,
        user_id: todo.user_id,
        username: username.into(),
        phone: "+447700900123".into(),
    };
    store.create(&todo, Some(&notification)).await.unwrap();
    notification
}

async fn an_entry_is_handed_out_once_and_gone_when_acked(
    store: &dyn TodoStore,
    outbox: &dyn Outbox,
) {
    let sent = queue(store, "a").await;

    let first = outbox.fetch("w1", 10).await.unwrap();
    let second = outbox.fetch("w2", 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].notification.as_ref(), Some(&sent));
    assert!(second.is_empty(), "a taken entry is not handed out again");
    assert_eq!(outbox.backlog().await.unwrap(), 1);

    outbox.ack(&first[0]).await.unwrap();
    assert_eq!(outbox.backlog().await.unwrap(), 0);
}

async fn a_dead_letter_keeps_the_notification_and_reason(
    store: &dyn TodoStore,
    outbox: &dyn Outbox,
) {
    let sent = queue(store, "b").await;
    let taken = outbox.fetch("w1", 10).await.unwrap();

    outbox
        .dead_letter(&taken[0], "400: bad number")
        .await
        .unwrap();

    let dead = outbox.dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].notification.as_ref(), Some(&sent));
    assert_eq!(dead[0].reason, "400: bad number");
    assert_eq!(outbox.backlog().await.unwrap(), 0);
}

#[tokio::test]
async fn the_memory_outbox_keeps_the_rules() {
    let (store, outbox) = memory_stores();
    an_entry_is_handed_out_once_and_gone_when_acked(store.as_ref(), outbox.as_ref()).await;
    a_dead_letter_keeps_the_notification_and_reason(store.as_ref(), outbox.as_ref()).await;
}

#[tokio::test]
async fn the_redis_outbox_keeps_the_rules() {
    let (_redis, store, outbox) = redis_stores().await;
    an_entry_is_handed_out_once_and_gone_when_acked(store.as_ref(), outbox.as_ref()).await;
    a_dead_letter_keeps_the_notification_and_reason(store.as_ref(), outbox.as_ref()).await;
}

#[tokio::test]
async fn an_entry_left_idle_by_a_stopped_worker_is_reclaimed_and_can_be_kept() {
    let (_redis, store, outbox) = redis_stores().await;
    let outbox: Arc<dyn Outbox> = outbox;
    let sent = queue(store.as_ref(), "c").await;
    let taken = outbox.fetch("crashed", 10).await.unwrap();
    assert_eq!(taken.len(), 1);

    let too_soon = outbox
        .reclaim("rescuer", Duration::from_secs(60), 10)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(60)).await;
    let reclaimed = outbox
        .reclaim("rescuer", Duration::from_millis(50), 10)
        .await
        .unwrap();

    assert!(too_soon.is_empty());
    assert_eq!(reclaimed.len(), 1);
    assert_eq!(reclaimed[0].notification.as_ref(), Some(&sent));
    assert!(outbox.keep("rescuer", &reclaimed[0]).await.unwrap());
    assert!(
        !outbox.keep("crashed", &taken[0]).await.unwrap(),
        "the old owner lost it"
    );
}
