use std::sync::Arc;
use std::time::Duration;

use fred::prelude::KeysInterface;
use futures::TryStreamExt;
use tonic::Code;

use crate::helpers::{Options, REFRESH_TTL, assert_code, spawn_app, spawn_app_with};

#[tokio::test]
async fn refresh_rotates_and_the_old_pair_stops_working() {
    let app = spawn_app().await;
    let old = app.signed_in("alice").await;

    let new = app
        .refresh(&old.refresh_token)
        .await
        .expect("refresh works");

    assert_ne!(new.access_token, old.access_token);
    assert!(app.verify(&new.access_token).await.is_ok());
    assert_code(app.verify(&old.access_token).await, Code::Unauthenticated);
    assert_code(app.refresh(&old.refresh_token).await, Code::Unauthenticated);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_after_the_grace_revokes_the_new_pair() {
    let app = spawn_app_with(Options {
        grace: Duration::ZERO,
        ..Options::default()
    })
    .await;
    let old = app.signed_in("alice").await;
    let new = app.refresh(&old.refresh_token).await.unwrap();

    assert_code(app.refresh(&old.refresh_token).await, Code::Unauthenticated);

    assert_code(app.verify(&new.access_token).await, Code::Unauthenticated);
    assert_code(app.refresh(&new.refresh_token).await, Code::Unauthenticated);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_within_the_grace_is_refused_without_revoking() {
    let app = spawn_app().await;
    let old = app.signed_in("alice").await;
    let new = app.refresh(&old.refresh_token).await.unwrap();

    assert_code(app.refresh(&old.refresh_token).await, Code::Unauthenticated);

    assert!(app.verify(&new.access_token).await.is_ok());
    assert!(app.refresh(&new.refresh_token).await.is_ok());
}

#[tokio::test]
async fn twenty_concurrent_refreshes_with_one_token_give_one_success() {
    let app = Arc::new(spawn_app().await);
    let pair = app.signed_in("alice").await;

    let calls = (0..20).map(|_| {
        let app = Arc::clone(&app);
        let token = pair.refresh_token.clone();
        tokio::spawn(async move { app.refresh(&token).await })
    });
    let results = futures::future::join_all(calls).await;

    let (won, lost): (Vec<_>, Vec<_>) = results
        .into_iter()
        .map(|joined| joined.expect("task runs"))
        .partition(Result::is_ok);
    assert_eq!(won.len(), 1);
    assert!(
        lost.iter()
            .all(|r| r.as_ref().unwrap_err().code() == Code::Unauthenticated)
    );
}

#[tokio::test]
async fn every_session_key_expires_within_the_refresh_lifetime() {
    let app = spawn_app().await;
    let pair = app.signed_in("alice").await;
    app.refresh(&pair.refresh_token).await.unwrap();
    app.signed_in("bob").await;
    let pool = app.pool.as_ref().unwrap();

    let keys: Vec<String> = pool
        .next()
        .scan_buffered(format!("{}:*", app.prefix), None, None)
        .map_ok(|key| key.as_str().unwrap().to_owned())
        .try_collect()
        .await
        .unwrap();
    let session_keys: Vec<&String> = keys.iter().filter(|k| !k.contains(":user:")).collect();

    assert_eq!(
        session_keys.len(),
        4,
        "two sessions and two indexes: {keys:?}"
    );
    for key in session_keys {
        let ttl_ms: i64 = pool.pttl(key).await.unwrap();
        assert!(
            ttl_ms > 0 && ttl_ms <= REFRESH_TTL.as_millis() as i64,
            "{key} has PTTL {ttl_ms}"
        );
    }
}
