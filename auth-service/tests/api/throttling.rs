use std::time::{Duration, Instant};

use auth_service::throttle::ThrottleSettings;
use proto::auth::v1::{LoginRequest, VerifyRequest};
use tonic::Code;

use crate::helpers::{Options, PASSWORD, assert_code, spawn_app_on, spawn_app_with};

const WINDOW: Duration = Duration::from_secs(4);

fn throttled_options() -> Options {
    throttled_for(WINDOW)
}

/// Limits 10 per user and 50 per address, in windows of `window`.
fn throttled_for(window: Duration) -> Options {
    Options {
        throttle: ThrottleSettings {
            max_failures_per_user: 10,
            max_failures_per_address: 50,
            window,
        },
        ..Options::default()
    }
}

#[tokio::test]
async fn thirty_wrong_passwords_throttle_the_user_until_the_window_passes() {
    let app = spawn_app_with(throttled_options()).await;
    app.add_user("alice").await;

    let mut codes = Vec::new();
    for _ in 0..30 {
        codes.push(
            app.login("alice", "wrong password")
                .await
                .unwrap_err()
                .code(),
        );
    }
    let refused = app.login("alice", PASSWORD).await;

    assert!(
        codes[..10].iter().all(|c| *c == Code::Unauthenticated),
        "{codes:?}"
    );
    assert!(
        codes[10..].iter().all(|c| *c == Code::ResourceExhausted),
        "{codes:?}"
    );
    let status = assert_code(refused, Code::ResourceExhausted);
    let retry_after: u64 = status
        .metadata()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=4).contains(&retry_after), "{retry_after}");

    tokio::time::sleep(WINDOW + Duration::from_millis(200)).await;
    assert!(
        app.login("alice", PASSWORD).await.is_ok(),
        "the window passed"
    );
}

#[tokio::test]
async fn a_successful_login_clears_the_usernames_count() {
    let app = spawn_app_with(throttled_for(Duration::from_secs(120))).await;
    app.add_user("alice").await;

    for _ in 0..9 {
        assert_code(app.login("alice", "wrong").await, Code::Unauthenticated);
    }
    app.login("alice", PASSWORD).await.unwrap();
    for _ in 0..9 {
        assert_code(app.login("alice", "wrong").await, Code::Unauthenticated);
    }

    assert!(app.login("alice", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn the_limit_holds_across_two_replicas_on_one_redis() {
    let first = spawn_app_with(throttled_for(Duration::from_secs(120))).await;
    let url = first.redis.as_ref().map(testkit::RedisServer::url);
    let second = spawn_app_on(
        throttled_for(Duration::from_secs(120)),
        url,
        first.prefix.clone(),
    )
    .await;
    first.add_user("alice").await;

    for n in 0..10 {
        let replica = if n % 2 == 0 { &first } else { &second };
        assert_code(replica.login("alice", "wrong").await, Code::Unauthenticated);
    }

    assert_code(
        first.login("alice", PASSWORD).await,
        Code::ResourceExhausted,
    );
    assert_code(
        second.login("alice", PASSWORD).await,
        Code::ResourceExhausted,
    );
}

#[tokio::test]
async fn an_address_is_throttled_across_usernames() {
    // 50 sequential argon2 checks take seconds: a window long enough to hold them all.
    let app = spawn_app_with(throttled_for(Duration::from_secs(120))).await;
    app.add_user("victim").await;
    let login = |name: String| {
        let mut request = tonic::Request::new(LoginRequest {
            username: name,
            password: "guess".into(),
        });
        request
            .metadata_mut()
            .insert("x-client-addr", "203.0.113.9".parse().unwrap());
        let mut client = app.client.clone();
        async move { client.login(request).await }
    };

    for n in 0..50 {
        assert_code(login(format!("user{n}")).await, Code::Unauthenticated);
    }

    assert_code(login("victim".into()).await, Code::ResourceExhausted);
    assert!(
        app.login("victim", PASSWORD).await.is_ok(),
        "other addresses still log in"
    );
}

#[tokio::test]
async fn a_login_flood_does_not_stop_verify() {
    let app = spawn_app_with(Options::default()).await;
    let pair = app.signed_in("alice").await;

    let flood: Vec<_> = (0..40)
        .map(|n| {
            let mut client = app.client.clone();
            tokio::spawn(async move {
                let request = LoginRequest {
                    username: format!("nobody{n}"),
                    password: "x".into(),
                };
                client.login(request).await
            })
        })
        .collect();
    let started = Instant::now();
    let mut verified = 0;
    while started.elapsed() < Duration::from_millis(500) {
        let request = VerifyRequest {
            access_token: pair.access_token.clone(),
        };
        if app.client.clone().verify(request).await.is_ok() {
            verified += 1;
        }
    }
    for call in flood {
        let _ = call.await;
    }

    assert!(
        verified > 10,
        "only {verified} verifications answered during the flood"
    );
}
