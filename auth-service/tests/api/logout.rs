use std::time::Duration;

use tonic::Code;

use crate::helpers::{Options, assert_code, spawn_app, spawn_app_with};

#[tokio::test]
async fn after_logout_both_tokens_fail_at_once() {
    let app = spawn_app().await;
    let pair = app.signed_in("alice").await;

    app.logout(&pair.access_token).await.expect("logout works");

    assert_code(app.verify(&pair.access_token).await, Code::Unauthenticated);
    assert_code(
        app.refresh(&pair.refresh_token).await,
        Code::Unauthenticated,
    );
}

#[tokio::test]
async fn logging_out_twice_is_unauthenticated_the_second_time() {
    let app = spawn_app().await;
    let pair = app.signed_in("alice").await;

    app.logout(&pair.access_token).await.unwrap();

    assert_code(app.logout(&pair.access_token).await, Code::Unauthenticated);
    assert_code(app.logout(&pair.refresh_token).await, Code::Unauthenticated);
}

#[tokio::test]
async fn a_refresh_token_logs_out_too_and_other_sessions_stay() {
    let app = spawn_app().await;
    let first = app.signed_in("alice").await;
    let second = app.login("alice", crate::helpers::PASSWORD).await.unwrap();

    app.logout(&first.refresh_token).await.unwrap();

    assert_code(app.verify(&first.access_token).await, Code::Unauthenticated);
    assert!(app.verify(&second.access_token).await.is_ok());
}

#[tokio::test]
async fn an_expired_access_token_still_logs_out() {
    let app = spawn_app_with(Options {
        access_ttl: Duration::from_secs(1),
        ..Options::default()
    })
    .await;
    let pair = app.signed_in("alice").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    app.logout(&pair.access_token)
        .await
        .expect("expired token logs out");

    assert_code(
        app.refresh(&pair.refresh_token).await,
        Code::Unauthenticated,
    );
}

#[tokio::test]
async fn a_forged_token_does_not_log_anyone_out() {
    let app = spawn_app().await;
    let pair = app.signed_in("alice").await;
    let forged = format!("{}x", pair.access_token);

    assert_code(app.logout(&forged).await, Code::Unauthenticated);
    assert_code(app.logout("garbage").await, Code::Unauthenticated);
    assert!(app.verify(&pair.access_token).await.is_ok());
}

#[tokio::test]
async fn a_token_replaced_by_a_refresh_cannot_log_out_the_new_pair() {
    let app = spawn_app().await;
    let old = app.signed_in("alice").await;
    let new = app.refresh(&old.refresh_token).await.unwrap();

    assert_code(app.logout(&old.access_token).await, Code::Unauthenticated);

    assert!(
        app.verify(&new.access_token).await.is_ok(),
        "the new pair lives on"
    );
    app.logout(&new.access_token)
        .await
        .expect("the current token logs out");
}
