//! SIGTERM to the real binary while calls are in flight: every call answered, every
//! acknowledged todo stored, every queued SMS still queued, exit code 0.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fred::prelude::HashesInterface;
use proto::todo::v1::CreateTodoRequest;
use proto::todo::v1::todo_service_client::TodoServiceClient;
use testkit::{RedisServer, free_port};
use todo_service::keys::Keys;
use todo_service::outbox::{Outbox, RedisOutbox};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::auth_check::spawn_slow_auth;
use crate::helpers::{authed, channel, redis_settings};

#[tokio::test]
async fn sigterm_during_fifty_creates_loses_nothing_and_exits_cleanly() {
    let redis = RedisServer::start().await.unwrap();
    let user_id = uuid::Uuid::new_v4();
    // Each auth check takes 400 ms, so the calls are in flight when the signal comes.
    let auth = spawn_slow_auth(Duration::from_millis(400), user_id).await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&vonage)
        .await;
    let port = free_port().unwrap();
    let mut service = Command::new(env!("CARGO_BIN_EXE_todo-service"))
        .env_clear()
        .env("TODO_LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("AUTH_SERVICE_URL", format!("http://{auth}"))
        .env("AUTH_TIMEOUT", "5s")
        .env("REDIS_URL", redis.url())
        .env("VONAGE_API_KEY", "k")
        .env("VONAGE_API_SECRET", "s")
        .env("VONAGE_API_URL", format!("{}/v1/messages", vonage.uri()))
        .env("SMS_BACKOFF_BASE", "30s")
        .env("SMS_POLL_INTERVAL", "20ms")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("todo-service starts");
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut ready = false;
    for _ in 0..100 {
        if common::probe::grpc_serving(addr, "", Duration::from_millis(200))
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "todo-service did not come up");

    // Act: 50 creates, then SIGTERM while they wait on the auth check.
    let client = TodoServiceClient::new(channel(addr).await.unwrap());
    let calls: Vec<_> = (0..50)
        .map(|n| {
            let mut client = client.clone();
            let request = authed(
                CreateTodoRequest {
                    title: format!("todo {n}"),
                },
                "token",
            );
            tokio::spawn(async move { client.create_todo(request).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let signalled = Command::new("kill")
        .args(["-TERM", &service.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let started = Instant::now();
    let mut acknowledged = 0;
    for call in calls {
        let answer = tokio::time::timeout(Duration::from_secs(10), call)
            .await
            .expect("every call is answered")
            .unwrap();
        if answer.is_ok() {
            acknowledged += 1;
        }
    }
    let status = loop {
        if let Some(status) = service.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no exit within 15 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // Assert: what was acknowledged is stored, and its SMS still waits in the outbox.
    assert!(status.success(), "exit status {status:?}");
    assert_eq!(acknowledged, 50, "calls in flight at SIGTERM are finished");
    let pool = common::redis::connect(&redis_settings(&redis))
        .await
        .unwrap();
    let keys = Keys::new("todo");
    let stored: i64 = pool.hlen(keys.todos(user_id)).await.unwrap();
    let outbox = RedisOutbox::new(pool, keys, Duration::from_millis(20));
    assert_eq!(stored, acknowledged);
    assert_eq!(
        outbox.backlog().await.unwrap(),
        50,
        "every queued SMS is still queued"
    );
}
