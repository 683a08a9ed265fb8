use uuid::Uuid;

use super::*;
use crate::test_support::redis_stores;

fn user(name: &str) -> User {
    User {
        id: Uuid::new_v4(),
        username: Username::parse(name).unwrap(),
        phone: "+447700900123".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    }
}

async fn a_store_keeps_finds_lists_and_removes_users(store: &dyn UserStore) {
    let alice = user("alice");
    assert!(store.insert(&alice).await.unwrap(), "first insert adds");
    assert!(store.insert(&user("bob")).await.unwrap());

    let again = store.insert(&user("alice")).await.unwrap();
    let found = store
        .find(&alice.username)
        .await
        .unwrap()
        .expect("alice is stored");
    assert!(!again, "a taken name is refused");
    assert_eq!(found.id, alice.id, "the refused insert changed nothing");

    let names: Vec<String> = store
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username.to_string())
        .collect();
    assert_eq!(names, ["alice", "bob"]);

    let removed = store.remove(&alice.username).await.unwrap();
    assert_eq!(removed.map(|u| u.id), Some(alice.id));
    assert!(store.find(&alice.username).await.unwrap().is_none());
    assert!(store.remove(&alice.username).await.unwrap().is_none());
}

#[tokio::test]
async fn the_memory_store_keeps_finds_lists_and_removes_users() {
    let stores = crate::store::Stores::in_memory();
    a_store_keeps_finds_lists_and_removes_users(stores.users.as_ref()).await;
}

#[tokio::test]
async fn the_redis_store_keeps_finds_lists_and_removes_users() {
    let (_redis, stores) = redis_stores().await;
    a_store_keeps_finds_lists_and_removes_users(stores.users.as_ref()).await;
}

#[test]
fn usernames_are_lower_cased_and_checked() {
    assert_eq!(Username::parse(" Alice ").unwrap().as_str(), "alice");
    assert!(Username::parse("a.b_c-d@e").is_ok());
    for bad in [
        "",
        "   ",
        "with space",
        "{tag}",
        "a*",
        &"x".repeat(65),
        "ümlaut",
    ] {
        assert_eq!(Username::parse(bad), Err(InvalidUsername), "{bad:?}");
    }
}
