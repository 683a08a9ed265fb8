use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use proto::todo::v1::{DeleteTodoRequest, GetTodoRequest, UpdateTodoRequest};
use testkit::RedisServer;
use tonic::Code;

use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{assert_code, auth_stack, authed, sms_config, spawn_todo, wait_for_requests};

#[tokio::test]
async fn a_user_creates_gets_updates_and_deletes_a_todo() {
    let stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;

    let todo = app
        .create(&token, "  buy milk  ")
        .await
        .expect("create works");
    let mut client = app.client.clone();
    let got = client
        .get_todo(authed(
            GetTodoRequest {
                id: todo.id.clone(),
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner();
    let update = UpdateTodoRequest {
        id: todo.id.clone(),
        title: None,
        completed: Some(true),
    };
    let updated = client
        .update_todo(authed(update, &token))
        .await
        .unwrap()
        .into_inner();
    client
        .delete_todo(authed(
            DeleteTodoRequest {
                id: todo.id.clone(),
            },
            &token,
        ))
        .await
        .unwrap();

    assert_eq!(todo.title, "buy milk");
    assert!(!todo.completed);
    assert_eq!(got, todo);
    assert!(updated.completed && updated.title == "buy milk");
    let gone = client
        .get_todo(authed(GetTodoRequest { id: todo.id }, &token))
        .await;
    assert_code(gone, Code::NotFound);
}

#[tokio::test]
async fn another_users_todo_reads_exactly_like_a_missing_one() {
    let stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let alice = stack.token_for("alice").await;
    let bob = stack.token_for("bob").await;
    let todo = app.create(&bob, "bob's secret").await.unwrap();
    let mut client = app.client.clone();

    let read = client
        .get_todo(authed(
            GetTodoRequest {
                id: todo.id.clone(),
            },
            &alice,
        ))
        .await;
    let deleted = client
        .delete_todo(authed(
            DeleteTodoRequest {
                id: todo.id.clone(),
            },
            &alice,
        ))
        .await;
    let missing = client
        .get_todo(authed(
            GetTodoRequest {
                id: uuid::Uuid::now_v7().to_string(),
            },
            &alice,
        ))
        .await;

    let read = assert_code(read, Code::NotFound);
    assert_code(deleted, Code::NotFound);
    assert_eq!(
        read.message(),
        assert_code(missing, Code::NotFound).message()
    );
    assert!(
        client
            .get_todo(authed(GetTodoRequest { id: todo.id }, &bob))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn fifty_concurrent_creates_by_two_users_land_under_the_right_user() {
    let stack = auth_stack().await;
    let app = Arc::new(spawn_todo(stack.todo_config()).await);
    let tokens = [stack.token_for("alice").await, stack.token_for("bob").await];

    let calls = (0..50).map(|n| {
        let app = Arc::clone(&app);
        let token = tokens[n % 2].clone();
        tokio::spawn(async move { app.create(&token, &format!("todo {n}")).await })
    });
    let created: Vec<_> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|joined| joined.unwrap().expect("every create works"))
        .collect();

    for (index, token) in tokens.iter().enumerate() {
        let listed = app.list(token, 100, "").await.unwrap().todos;
        let expected: HashSet<String> = created
            .iter()
            .filter(|t| t.title.split(' ').nth(1).unwrap().parse::<usize>().unwrap() % 2 == index)
            .map(|t| t.id.clone())
            .collect();
        assert_eq!(listed.len(), 25);
        assert_eq!(
            listed.iter().map(|t| t.id.clone()).collect::<HashSet<_>>(),
            expected
        );
        let owner = &listed[0].user_id;
        assert!(listed.iter().all(|t| &t.user_id == owner));
    }
}

#[tokio::test]
async fn three_pages_cover_every_todo_once_newest_first() {
    let stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(app.create(&token, &format!("todo {n}")).await.unwrap().id);
    }

    let first = app.list(&token, 3, "").await.unwrap();
    let second = app.list(&token, 3, &first.next_page_token).await.unwrap();
    let third = app.list(&token, 3, &second.next_page_token).await.unwrap();

    let seen: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|page| page.todos.iter().map(|t| t.id.clone()))
        .collect();
    created.reverse();
    assert_eq!(seen, created);
    assert_eq!(
        (first.todos.len(), second.todos.len(), third.todos.len()),
        (3, 3, 1)
    );
    assert!(third.next_page_token.is_empty());
    assert_code(
        app.list(&token, 3, "not-a-token").await,
        Code::InvalidArgument,
    );
    assert_code(app.list(&token, -1, "").await, Code::InvalidArgument);
}

#[tokio::test]
async fn titles_must_be_one_to_two_hundred_characters_after_trimming() {
    let stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;

    assert!(app.create(&token, "x").await.is_ok());
    assert!(app.create(&token, &"x".repeat(200)).await.is_ok());
    assert_code(app.create(&token, "").await, Code::InvalidArgument);
    assert_code(
        app.create(&token, &"x".repeat(201)).await,
        Code::InvalidArgument,
    );
    assert_code(app.create(&token, " \t\n ").await, Code::InvalidArgument);
    assert_eq!(app.list(&token, 100, "").await.unwrap().todos.len(), 2);
}

#[tokio::test]
async fn unicode_titles_are_stored_and_returned_exactly() {
    let stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;
    let titles = [
        "🎉🚀 party",
        "买牛奶",
        "日本語のタスク",
        "👨‍👩‍👧‍👦 family",
        "ñandú café",
    ];

    for title in titles {
        let created = app.create(&token, title).await.unwrap();
        let update = UpdateTodoRequest {
            id: created.id.clone(),
            title: None,
            completed: Some(true),
        };
        let updated = app
            .client
            .clone()
            .update_todo(authed(update, &token))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(created.title, title);
        assert_eq!(updated.title, title, "an update keeps the title's bytes");
    }
    let listed: Vec<String> = app
        .list(&token, 10, "")
        .await
        .unwrap()
        .todos
        .into_iter()
        .map(|t| t.title)
        .collect();
    let mut expected = titles.map(str::to_owned).to_vec();
    expected.reverse();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn redis_down_gives_unavailable_and_writes_neither_todo_nor_sms() {
    let stack = auth_stack().await;
    let mut todo_redis = RedisServer::start_persistent().await.unwrap();
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"message_uuid": "m"})))
        .mount(&vonage)
        .await;
    let mut config = stack.todo_config_on(&todo_redis);
    config.sms = Some(sms_config(&vonage, 3));
    let app = spawn_todo(config).await;
    let token = stack.token_for("alice").await;
    app.create(&token, "before the outage").await.unwrap();
    wait_for_requests(&vonage, 1, Duration::from_secs(5)).await;
    while app.outbox.backlog().await.unwrap() > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    todo_redis.stop();
    let started = Instant::now();
    let failed = app.create(&token, "during the outage").await;
    let elapsed = started.elapsed();
    todo_redis.restart().await.unwrap();

    assert_code(failed, Code::Unavailable);
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    let mut titles = Vec::new();
    for _ in 0..50 {
        if let Ok(page) = app.list(&token, 10, "").await {
            titles = page.todos.into_iter().map(|t| t.title).collect();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(titles, ["before the outage"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.outbox.backlog().await.unwrap(), 0);
    assert_eq!(
        wait_for_requests(&vonage, 2, Duration::from_millis(300))
            .await
            .len(),
        1
    );
}
