use serde_json::json;

use crate::helpers::{parts, spawn_system};

#[tokio::test]
async fn login_create_list_get_patch_delete_through_the_routes() {
    let system = spawn_system().await;
    let pair = system.signed_in("alice").await;
    let token = pair["access_token"].as_str().unwrap();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);

    let (status, todo) = parts(
        system
            .post_json("/todo", json!({"title": "buy milk"}), Some(token))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(todo["title"], "buy milk");
    assert_eq!(todo["completed"], false);
    let id = todo["id"].as_str().unwrap();

    let http = &system.http;
    let (status, page) = parts(
        http.get(system.url("/todos?page_size=10"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, page["todos"][0]["id"].as_str()), (200, Some(id)));
    assert_eq!(page["next_page_token"], "");

    let (status, got) = parts(
        http.get(system.url(&format!("/todos/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, &got), (200, &todo));

    let patched = http
        .patch(system.url(&format!("/todos/{id}")))
        .bearer_auth(token)
        .json(&json!({"completed": true}))
        .send()
        .await
        .unwrap();
    let (status, patched) = parts(patched).await;
    assert_eq!((status, patched["completed"].as_bool()), (200, Some(true)));

    let deleted = http
        .delete(system.url(&format!("/todos/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let (status, _) = parts(
        http.get(system.url(&format!("/todos/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn refresh_answers_201_on_both_paths_and_rotates() {
    let system = spawn_system().await;
    let pair = system.signed_in("alice").await;

    let (status, second) = parts(
        system
            .post_json(
                "/token/refresh",
                json!({"refresh_token": pair["refresh_token"]}),
                None,
            )
            .await,
    )
    .await;
    let (status_alias, _) = parts(
        system
            .post_json(
                "/refresh",
                json!({"refresh_token": second["refresh_token"]}),
                None,
            )
            .await,
    )
    .await;
    let (reused, _) = parts(
        system
            .post_json(
                "/token/refresh",
                json!({"refresh_token": pair["refresh_token"]}),
                None,
            )
            .await,
    )
    .await;

    assert_eq!((status, status_alias, reused), (201, 201, 401));
}

#[tokio::test]
async fn wrong_credentials_are_401_and_logout_ends_the_session() {
    let system = spawn_system().await;
    let pair = system.signed_in("alice").await;
    let token = pair["access_token"].as_str().unwrap();

    let wrong = system
        .post_json(
            "/login",
            json!({"username": "alice", "password": "nope"}),
            None,
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");

    let (status, body) = parts(system.post_json("/logout", json!({}), Some(token)).await).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (200, Some("Successfully logged out"))
    );
    let (status, _) = parts(
        system
            .post_json("/todo", json!({"title": "late"}), Some(token))
            .await,
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = parts(system.post_json("/logout", json!({}), Some(token)).await).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn healthz_is_200_with_both_services_up_and_503_without_one() {
    let mut system = spawn_system().await;

    let (up, body) = parts(
        system
            .http
            .get(system.url("/healthz"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((up, body["status"].as_str()), (200, Some("ok")));

    system.todo.stop().await.unwrap();
    let (down, body) = parts(
        system
            .http
            .get(system.url("/healthz"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((down, body["todo"].as_str()), (503, Some("down")));
}

#[tokio::test]
async fn the_request_id_is_kept_or_made_and_returned() {
    let system = spawn_system().await;

    let given = system
        .http
        .get(system.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    let made = system
        .http
        .get(system.url("/healthz"))
        .send()
        .await
        .unwrap();
    let insane = system
        .http
        .get(system.url("/healthz"))
        .header("x-request-id", "x".repeat(300))
        .send()
        .await
        .unwrap();

    assert_eq!(given.headers()["x-request-id"], "trace-me-123");
    let made = made.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(made).is_ok(), "{made}");
    let replaced = insane.headers()["x-request-id"].to_str().unwrap();
    assert!(
        uuid::Uuid::parse_str(replaced).is_ok(),
        "an oversized id is replaced"
    );
}

fn throttled(trusted_proxies: &str) -> crate::helpers::SystemOptions {
    crate::helpers::SystemOptions {
        throttle: auth_service::throttle::ThrottleSettings {
            max_failures_per_user: 3,
            max_failures_per_address: 5,
            window: std::time::Duration::from_secs(30),
        },
        trusted_proxies: trusted_proxies.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn too_many_failed_logins_are_429_with_retry_after() {
    let system = crate::helpers::spawn_system_with(throttled("")).await;
    system.add_user("alice").await;
    let wrong = json!({"username": "alice", "password": "wrong"});

    for _ in 0..3 {
        assert_eq!(
            system
                .post_json("/login", wrong.clone(), None)
                .await
                .status(),
            401
        );
    }
    let right = json!({"username": "alice", "password": crate::helpers::PASSWORD});
    let response = system.post_json("/login", right, None).await;

    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert!(response.json::<serde_json::Value>().await.unwrap()["error"].is_string());
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    for (trusted, separate_counts) in [("127.0.0.1", true), ("", false)] {
        let system = crate::helpers::spawn_system_with(throttled(trusted)).await;
        system.add_user("bob").await;
        let login_from = |address: &'static str, username: String| {
            system
                .http
                .post(system.url("/login"))
                .header("x-forwarded-for", address)
                .json(&json!({"username": username, "password": "wrong"}))
                .send()
        };

        for n in 0..5 {
            login_from("203.0.113.5", format!("u{n}")).await.unwrap();
        }
        let other = login_from("203.0.113.6", "u9".into())
            .await
            .unwrap()
            .status();

        let expected = if separate_counts { 401 } else { 429 };
        assert_eq!(other, expected, "trusted proxies: {trusted:?}");
    }
}

#[tokio::test]
async fn the_openapi_description_lists_every_route() {
    let system = spawn_system().await;

    let (status, spec) = parts(
        system
            .http
            .get(system.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(status, 200);
    assert!(spec["openapi"].as_str().unwrap().starts_with('3'));
    let expected = [
        ("/login", "post"),
        ("/logout", "post"),
        ("/token/refresh", "post"),
        ("/todo", "post"),
        ("/todos", "get"),
        ("/todos/{id}", "get"),
        ("/todos/{id}", "patch"),
        ("/todos/{id}", "delete"),
        ("/healthz", "get"),
    ];
    for (path, method) in expected {
        assert!(
            spec["paths"][path][method].is_object(),
            "{method} {path} is not described"
        );
    }
    assert!(spec["components"]["schemas"]["TodoBody"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}
