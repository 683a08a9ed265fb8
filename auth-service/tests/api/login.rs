use tonic::Code;

use crate::helpers::{Options, PASSWORD, assert_code, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_user_logs_in_and_the_access_token_verifies_as_that_user() {
    let app = spawn_app().await;
    app.add_user("alice").await;

    let pair = app.login("alice", PASSWORD).await.expect("login works");
    let principal = app.verify(&pair.access_token).await.expect("verify works");

    assert_eq!(pair.token_type, "Bearer");
    assert_eq!(pair.expires_in, 900);
    assert!(pair.refresh_expires_at > pair.access_expires_at);
    assert_eq!(principal.username, "alice");
    assert_eq!(principal.phone, "+447700900123");
    assert_eq!(principal.expires_at, pair.access_expires_at);
    assert!(uuid::Uuid::parse_str(&principal.user_id).is_ok());
    assert!(uuid::Uuid::parse_str(&principal.session_id).is_ok());
}

#[tokio::test]
async fn the_in_memory_store_serves_the_same_flow() {
    let app = spawn_app_with(Options {
        redis: false,
        ..Options::default()
    })
    .await;

    let pair = app.signed_in("bob").await;

    assert_eq!(
        app.verify(&pair.access_token).await.unwrap().username,
        "bob"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.add_user("alice").await;

    let wrong_password = assert_code(
        app.login("alice", "not the password").await,
        Code::Unauthenticated,
    );
    let unknown_user = assert_code(app.login("mallory", PASSWORD).await, Code::Unauthenticated);
    let odd_name = assert_code(
        app.login("{bad name}", PASSWORD).await,
        Code::Unauthenticated,
    );

    assert_eq!(wrong_password.message(), unknown_user.message());
    assert_eq!(wrong_password.message(), odd_name.message());
}

#[tokio::test]
async fn usernames_are_matched_without_regard_to_case() {
    let app = spawn_app().await;
    app.add_user("alice").await;

    assert!(app.login("Alice", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn an_empty_field_is_an_invalid_argument() {
    let app = spawn_app().await;

    assert_code(app.login("", PASSWORD).await, Code::InvalidArgument);
    assert_code(app.login("alice", "").await, Code::InvalidArgument);
}
