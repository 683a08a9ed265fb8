//! The same behaviour, checked against both stores.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::*;
use crate::store::Stores;
use crate::test_support::redis_stores;

const TTL: Duration = Duration::from_secs(60);

fn owner() -> SessionOwner {
    SessionOwner {
        username: "alice".into(),
        phone: "+447700900123".into(),
    }
}

async fn open(store: &dyn SessionStore) -> NewSession {
    let session = NewSession {
        key: SessionKey {
            user_id: Uuid::new_v4(),
            session_id: Uuid::new_v4(),
        },
        owner: owner(),
        access_jti: Uuid::new_v4(),
        refresh_jti: Uuid::new_v4(),
        ttl: TTL,
    };
    store.create(&session).await.expect("session opens");
    session
}

fn rotation(presented: Uuid, now_ms: i64, grace: Duration) -> Rotation {
    Rotation {
        presented_jti: presented,
        new_access_jti: Uuid::new_v4(),
        new_refresh_jti: Uuid::new_v4(),
        now_ms,
        grace,
        ttl: TTL,
    }
}

async fn the_current_access_token_finds_its_owner(store: &dyn SessionStore) {
    let session = open(store).await;

    let found = store
        .current_owner(session.key, session.access_jti)
        .await
        .unwrap();
    let other = store
        .current_owner(session.key, Uuid::new_v4())
        .await
        .unwrap();

    assert_eq!(found, Some(owner()));
    assert_eq!(other, None, "a jti that is not current finds nothing");
}

async fn rotation_replaces_both_tokens(store: &dyn SessionStore) {
    let session = open(store).await;
    let turn = rotation(session.refresh_jti, 1_000, Duration::from_secs(10));

    let outcome = store.rotate(session.key, &turn).await.unwrap();

    assert_eq!(outcome, RotationOutcome::Rotated(owner()));
    assert!(
        store
            .current_owner(session.key, session.access_jti)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .current_owner(session.key, turn.new_access_jti)
            .await
            .unwrap()
            .is_some()
    );
}

async fn reuse_within_grace_is_refused_without_revoking(store: &dyn SessionStore) {
    let session = open(store).await;
    let turn = rotation(session.refresh_jti, 1_000, Duration::from_secs(10));
    store.rotate(session.key, &turn).await.unwrap();

    let again = rotation(session.refresh_jti, 5_000, Duration::from_secs(10));
    let outcome = store.rotate(session.key, &again).await.unwrap();

    assert_eq!(outcome, RotationOutcome::RecentlyReplaced);
    assert!(
        store
            .current_owner(session.key, turn.new_access_jti)
            .await
            .unwrap()
            .is_some()
    );
}

async fn reuse_after_grace_revokes_the_session(store: &dyn SessionStore) {
    let session = open(store).await;
    let turn = rotation(session.refresh_jti, 1_000, Duration::from_secs(10));
    store.rotate(session.key, &turn).await.unwrap();

    let late = rotation(session.refresh_jti, 11_000, Duration::from_secs(10));
    let outcome = store.rotate(session.key, &late).await.unwrap();

    assert_eq!(outcome, RotationOutcome::Reused);
    assert!(
        store
            .current_owner(session.key, turn.new_access_jti)
            .await
            .unwrap()
            .is_none()
    );
    let next = rotation(turn.new_refresh_jti, 12_000, Duration::ZERO);
    assert_eq!(
        store.rotate(session.key, &next).await.unwrap(),
        RotationOutcome::Missing
    );
}

async fn concurrent_rotations_with_one_token_have_one_winner(store: Arc<dyn SessionStore>) {
    let session = open(store.as_ref()).await;

    let attempts = (0..20).map(|_| {
        let store = Arc::clone(&store);
        let turn = rotation(session.refresh_jti, 1_000, Duration::from_secs(10));
        tokio::spawn(async move { store.rotate(session.key, &turn).await })
    });
    let outcomes = futures::future::join_all(attempts).await;

    let rotated = outcomes
        .into_iter()
        .map(|joined| joined.expect("task runs").expect("store answers"))
        .filter(|outcome| matches!(outcome, RotationOutcome::Rotated(_)))
        .count();
    assert_eq!(rotated, 1);
}

async fn revoking_ends_one_or_all_sessions(store: &dyn SessionStore) {
    let session = open(store).await;
    let access = SessionToken::Access(session.access_jti);
    let stale = SessionToken::Refresh(Uuid::new_v4());
    let outcome = store.revoke(session.key, stale).await.unwrap();
    assert_eq!(
        outcome,
        RevokeOutcome::Replaced,
        "a token not current revokes nothing"
    );
    let outcome = store.revoke(session.key, access).await.unwrap();
    assert_eq!(outcome, RevokeOutcome::Revoked);
    let outcome = store.revoke(session.key, access).await.unwrap();
    assert_eq!(
        outcome,
        RevokeOutcome::Missing,
        "second revoke finds nothing"
    );
    let owner = store.current_owner(session.key, session.access_jti).await;
    assert!(owner.unwrap().is_none());

    let user_id = Uuid::new_v4();
    for _ in 0..3 {
        let mut session = open(store).await;
        session.key.user_id = user_id;
        store.create(&session).await.unwrap();
    }
    assert_eq!(store.revoke_all(user_id).await.unwrap(), 3);
    assert_eq!(store.revoke_all(user_id).await.unwrap(), 0);
}

async fn the_whole_suite(store: Arc<dyn SessionStore>) {
    the_current_access_token_finds_its_owner(store.as_ref()).await;
    rotation_replaces_both_tokens(store.as_ref()).await;
    reuse_within_grace_is_refused_without_revoking(store.as_ref()).await;
    reuse_after_grace_revokes_the_session(store.as_ref()).await;
    concurrent_rotations_with_one_token_have_one_winner(Arc::clone(&store)).await;
    revoking_ends_one_or_all_sessions(store.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_store_keeps_the_session_rules() {
    the_whole_suite(Stores::in_memory().sessions).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_redis_store_keeps_the_session_rules() {
    let (_redis, stores) = redis_stores().await;
    the_whole_suite(stores.sessions).await;
}

#[tokio::test]
async fn an_expired_memory_session_is_gone() {
    let store = Stores::in_memory().sessions;
    let mut session = open(store.as_ref()).await;
    session.ttl = Duration::from_millis(20);
    store.create(&session).await.unwrap();

    tokio::time::sleep(Duration::from_millis(40)).await;

    assert!(
        store
            .current_owner(session.key, session.access_jti)
            .await
            .unwrap()
            .is_none()
    );
    let access = SessionToken::Access(session.access_jti);
    let outcome = store.revoke(session.key, access).await.unwrap();
    assert_eq!(outcome, RevokeOutcome::Missing);
}
