//! The same behaviour, checked against both stores.

use std::collections::HashSet;
use std::sync::Arc;

use uuid::Uuid;

use super::*;
use crate::outbox::Outbox;
use crate::test_support::{memory_stores, redis_stores};

fn todo(user_id: Uuid, title: &str) -> Todo {
    Todo {
        id: Uuid::now_v7(),
        user_id,
        title: title.to_owned(),
        completed: false,
        created_at: 1_800_000_000,
    }
}

fn notification(todo: &Todo) -> Notification {
    Notification {
        todo_id: todo.id,
        user_id: todo.user_id,
        username: "alice".into(),
        phone: "+447700900123".into(),
    }
}

async fn a_todo_is_stored_with_its_notification(store: &dyn TodoStore, outbox: &dyn Outbox) {
    let todo = todo(Uuid::new_v4(), "buy milk 🥛 牛奶");

    store
        .create(&todo, Some(&notification(&todo)))
        .await
        .unwrap();

    assert_eq!(
        store.get(todo.user_id, todo.id).await.unwrap(),
        Some(todo.clone())
    );
    let queued = outbox.fetch("test", 10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].notification, Some(notification(&todo)));
}

async fn another_users_todo_is_invisible(store: &dyn TodoStore) {
    let todo = todo(Uuid::new_v4(), "mine");
    store.create(&todo, None).await.unwrap();
    let stranger = Uuid::new_v4();
    let patch = TodoPatch {
        completed: Some(true),
        ..TodoPatch::default()
    };

    assert_eq!(store.get(stranger, todo.id).await.unwrap(), None);
    assert_eq!(store.update(stranger, todo.id, &patch).await.unwrap(), None);
    assert!(!store.delete(stranger, todo.id).await.unwrap());
    assert!(store.get(todo.user_id, todo.id).await.unwrap().is_some());
}

async fn updates_change_only_what_they_name(store: &dyn TodoStore) {
    let todo = todo(Uuid::new_v4(), "draft");
    store.create(&todo, None).await.unwrap();

    let done = TodoPatch {
        completed: Some(true),
        ..TodoPatch::default()
    };
    let renamed = TodoPatch {
        title: Some(TodoTitle::parse("final ✅ 完成").unwrap()),
        ..TodoPatch::default()
    };
    store.update(todo.user_id, todo.id, &done).await.unwrap();
    let updated = store
        .update(todo.user_id, todo.id, &renamed)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(updated.title, "final ✅ 完成");
    assert!(updated.completed);
    assert_eq!(updated.created_at, todo.created_at);
    assert_eq!(
        store.get(todo.user_id, todo.id).await.unwrap(),
        Some(updated)
    );
}

async fn pages_are_newest_first_without_gaps_or_duplicates(store: &dyn TodoStore) {
    let user = Uuid::new_v4();
    let mut created = Vec::new();
    for n in 0..7 {
        let todo = todo(user, &format!("todo {n}"));
        store.create(&todo, None).await.unwrap();
        created.push(todo.id);
    }

    let mut seen = Vec::new();
    let mut after = None;
    for _ in 0..3 {
        let page = store.list(user, after, 3).await.unwrap();
        seen.extend(page.todos.iter().map(|t| t.id));
        after = page.next_after;
    }

    created.reverse();
    assert_eq!(seen, created);
    assert_eq!(after, None, "the third page is the last");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);
}

async fn delete_removes_from_get_and_list(store: &dyn TodoStore) {
    let todo = todo(Uuid::new_v4(), "gone soon");
    store.create(&todo, None).await.unwrap();

    assert!(store.delete(todo.user_id, todo.id).await.unwrap());

    assert_eq!(store.get(todo.user_id, todo.id).await.unwrap(), None);
    assert!(
        store
            .list(todo.user_id, None, 10)
            .await
            .unwrap()
            .todos
            .is_empty()
    );
    assert!(!store.delete(todo.user_id, todo.id).await.unwrap());
}

async fn the_whole_suite(store: Arc<dyn TodoStore>, outbox: Arc<dyn Outbox>) {
    a_todo_is_stored_with_its_notification(store.as_ref(), outbox.as_ref()).await;
    another_users_todo_is_invisible(store.as_ref()).await;
    updates_change_only_what_they_name(store.as_ref()).await;
    pages_are_newest_first_without_gaps_or_duplicates(store.as_ref()).await;
    delete_removes_from_get_and_list(store.as_ref()).await;
}

#[tokio::test]
async fn the_memory_store_keeps_the_todo_rules() {
    let (store, outbox) = memory_stores();
    the_whole_suite(store, outbox).await;
}

#[tokio::test]
async fn the_redis_store_keeps_the_todo_rules() {
    let (_redis, store, outbox) = redis_stores().await;
    the_whole_suite(store, outbox).await;
}

#[test]
fn titles_are_trimmed_and_one_to_two_hundred_characters() {
    assert_eq!(TodoTitle::parse("  milk \n").unwrap().as_str(), "milk");
    assert!(TodoTitle::parse("x").is_ok());
    assert!(
        TodoTitle::parse(&"é".repeat(200)).is_ok(),
        "characters, not bytes"
    );
    assert_eq!(TodoTitle::parse(&"x".repeat(201)), Err(InvalidTitle));
    assert_eq!(TodoTitle::parse(""), Err(InvalidTitle));
    assert_eq!(TodoTitle::parse(" \t\n "), Err(InvalidTitle));
}

#[test]
fn titles_refuse_control_characters_overrides_and_invisible_only_text() {
    for bad in [
        "a\u{0}b",
        "a\u{7}\u{1b}[31mb",
        "a\nb",
        "a\u{202E}b",
        "\u{200B}\u{200B}",
        "\u{FEFF}",
    ] {
        assert_eq!(TodoTitle::parse(bad), Err(InvalidTitle), "{bad:?}");
    }
    let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} family";
    assert_eq!(
        TodoTitle::parse(family).unwrap().as_str(),
        family,
        "ZWJ inside emoji is fine"
    );
}

#[test]
fn page_tokens_round_trip_and_foreign_ones_are_refused() {
    let token = PageToken(Uuid::now_v7());
    assert_eq!(PageToken::decode(&token.encode()), Ok(token));
    for bad in ["", "v1.", "v1.!!!", "v2.AAAA", "hello"] {
        assert_eq!(PageToken::decode(bad), Err(InvalidPageToken), "{bad:?}");
    }
}
