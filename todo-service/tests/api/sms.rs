use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tonic::Code;
use wiremock::matchers::{basic_auth, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{
    AuthStack, TodoApp, VONAGE_KEY, VONAGE_SECRET, assert_code, auth_stack, sms_config, spawn_todo,
    wait_for_requests,
};

/// A todo-service on the stack's Redis that texts through `vonage`, with `attempts` tries.
async fn spawn_with_sms(stack: &AuthStack, vonage: &MockServer, attempts: u32) -> TodoApp {
    let mut config = stack.todo_config();
    config.sms = Some(sms_config(vonage, attempts));
    spawn_todo(config).await
}

fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(202).set_body_json(json!({"message_uuid": uuid::Uuid::new_v4()}))
}

fn client_ref(request: &wiremock::Request) -> String {
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    body["client_ref"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_new_todo_texts_its_owner_once_as_vonage_expects() {
    let stack = auth_stack().await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(basic_auth(VONAGE_KEY, VONAGE_SECRET))
        .respond_with(accepted())
        .mount(&vonage)
        .await;
    let app = spawn_with_sms(&stack, &vonage, 3).await;
    let token = stack.token_for("alice").await;

    let todo = app.create(&token, "call mum").await.unwrap();
    let received = wait_for_requests(&vonage, 1, Duration::from_secs(5)).await;

    assert_eq!(received.len(), 1);
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["to"], "447700900123");
    assert_eq!(body["client_ref"], todo.id);
    assert_eq!(
        body["text"],
        "Dear alice, a todo was created from your account just now."
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        vonage.received_requests().await.unwrap().len(),
        1,
        "sent once"
    );
    assert_eq!(app.outbox.backlog().await.unwrap(), 0, "acknowledged");
}

#[tokio::test]
async fn throttling_is_retried_after_the_wait_vonage_asks_for() {
    let stack = auth_stack().await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(2)
        .mount(&vonage)
        .await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&vonage)
        .await;
    let app = spawn_with_sms(&stack, &vonage, 5).await;
    let token = stack.token_for("alice").await;

    let started = Instant::now();
    app.create(&token, "patience").await.unwrap();
    let received = wait_for_requests(&vonage, 3, Duration::from_secs(10)).await;
    let waited = started.elapsed();

    assert_eq!(received.len(), 3);
    assert!(
        waited >= Duration::from_secs(2),
        "two Retry-After: 1 waits, got {waited:?}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(vonage.received_requests().await.unwrap().len(), 3);
    assert_eq!(app.outbox.backlog().await.unwrap(), 0);
    assert!(app.outbox.dead_letters().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_server_error_forever_is_dead_lettered_after_the_attempt_limit() {
    let stack = auth_stack().await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&vonage)
        .await;
    let app = spawn_with_sms(&stack, &vonage, 3).await;
    let token = stack.token_for("alice").await;

    let todo = app.create(&token, "doomed").await.unwrap();
    let dead = wait_for_dead_letters(&app, 1).await;

    assert_eq!(vonage.received_requests().await.unwrap().len(), 3);
    assert_eq!(
        dead[0].notification.as_ref().unwrap().todo_id.to_string(),
        todo.id
    );
    assert!(
        dead[0].reason.contains("after 3 attempts"),
        "{}",
        dead[0].reason
    );
    assert_eq!(app.outbox.backlog().await.unwrap(), 0);
}

#[tokio::test]
async fn a_client_error_is_dead_lettered_at_once_with_vonages_reason() {
    let stack = auth_stack().await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "title": "Bad Request", "detail": "The request body did not contain valid JSON"
        })))
        .mount(&vonage)
        .await;
    let app = spawn_with_sms(&stack, &vonage, 5).await;
    let token = stack.token_for("alice").await;

    app.create(&token, "rejected").await.unwrap();
    let dead = wait_for_dead_letters(&app, 1).await;

    assert_eq!(vonage.received_requests().await.unwrap().len(), 1);
    assert!(dead[0].reason.contains("400") && dead[0].reason.contains("Bad Request"));
}

#[tokio::test]
async fn a_slow_vonage_does_not_slow_create_todo() {
    let stack = auth_stack().await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted().set_delay(Duration::from_secs(5)))
        .mount(&vonage)
        .await;
    let app = spawn_with_sms(&stack, &vonage, 1).await;
    let token = stack.token_for("alice").await;

    let started = Instant::now();
    app.create(&token, "first").await.unwrap();
    wait_for_requests(&vonage, 1, Duration::from_secs(2)).await;
    app.create(&token, "second, while vonage is busy")
        .await
        .unwrap();

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_message_queued_by_a_stopped_service_is_delivered_by_the_next_one() {
    let stack = auth_stack().await;
    let closed_port = testkit::free_port().unwrap();
    let down = MockServer::builder()
        .listener(std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .start()
        .await;
    let mut unreachable = sms_config(&down, 50);
    unreachable.vonage.api_url = format!("http://127.0.0.1:{closed_port}/v1/messages");
    drop(down);
    let mut first_config = stack.todo_config();
    first_config.sms = Some(unreachable);
    let mut first = spawn_todo(first_config).await;
    let token = stack.token_for("alice").await;
    let todo = first.create(&token, "survives a restart").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    first.running.stop().await.unwrap();
    assert_eq!(
        first.outbox.backlog().await.unwrap(),
        1,
        "still queued after the stop"
    );

    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&vonage)
        .await;
    let mut second_config = stack.todo_config();
    second_config.sms = Some(sms_config(&vonage, 3));
    let second = spawn_todo(second_config).await;

    let received = wait_for_requests(&vonage, 1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1);
    assert_eq!(client_ref(&received[0]), todo.id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(second.outbox.backlog().await.unwrap(), 0);
}

#[tokio::test]
async fn two_services_on_one_outbox_send_each_message_once() {
    let stack = auth_stack().await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted().set_delay(Duration::from_millis(30)))
        .mount(&vonage)
        .await;
    let mut apps = Vec::new();
    for _ in 0..2 {
        let mut config = stack.todo_config();
        config.sms = Some(sms_config(&vonage, 3));
        apps.push(spawn_todo(config).await);
    }
    let token = stack.token_for("alice").await;

    let mut ids = HashSet::new();
    for n in 0..20 {
        ids.insert(
            apps[n % 2]
                .create(&token, &format!("todo {n}"))
                .await
                .unwrap()
                .id,
        );
    }
    wait_for_requests(&vonage, 20, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let received = vonage.received_requests().await.unwrap();
    let refs: HashSet<String> = received.iter().map(client_ref).collect();
    assert_eq!(received.len(), 20, "no message twice");
    assert_eq!(refs, ids);
}

#[tokio::test]
async fn without_credentials_no_request_is_made_and_nothing_is_queued() {
    let stack = auth_stack().await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&vonage)
        .await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;

    app.create(&token, "quiet").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert!(vonage.received_requests().await.unwrap().is_empty());
    assert_eq!(app.outbox.backlog().await.unwrap(), 0);
}

#[tokio::test]
async fn the_in_memory_outbox_delivers_too() {
    let stack = auth_stack().await;
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(accepted())
        .mount(&vonage)
        .await;
    let mut config = stack.todo_config();
    config.store = todo_service::config::StoreConfig::Memory;
    config.sms = Some(sms_config(&vonage, 3));
    let app = spawn_todo(config).await;
    let token = stack.token_for("alice").await;

    let todo = app.create(&token, "in memory").await.unwrap();

    let received = wait_for_requests(&vonage, 1, Duration::from_secs(5)).await;
    assert_eq!(client_ref(&received[0]), todo.id);
    assert_code(app.create("bad", "x").await, Code::Unauthenticated);
}

async fn wait_for_dead_letters(
    app: &crate::helpers::TodoApp,
    count: usize,
) -> Vec<todo_service::outbox::DeadLetter> {
    for _ in 0..200 {
        let dead = app.outbox.dead_letters().await.unwrap();
        if dead.len() >= count {
            return dead;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no dead letter within 5 s");
}
