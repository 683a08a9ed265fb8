use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::json;

use crate::helpers::{parts, spawn_system};

#[tokio::test]
async fn bad_bodies_are_json_errors_with_the_right_status() {
    let system = spawn_system().await;
    let token = system.signed_in("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = |body: &'static str, content_type: Option<&'static str>| {
        let mut request = system
            .http
            .post(system.url("/todo"))
            .bearer_auth(&token)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        request.send()
    };

    let cases = [
        (
            "malformed JSON",
            post("{\"title\": ", Some("application/json")).await,
            422,
        ),
        (
            "missing field",
            post("{\"name\": \"x\"}", Some("application/json")).await,
            422,
        ),
        (
            "wrong type",
            post("{\"title\": 5}", Some("application/json")).await,
            422,
        ),
        ("empty body", post("", Some("application/json")).await, 422),
        (
            "no content type",
            post("{\"title\": \"x\"}", None).await,
            415,
        ),
        (
            "form content type",
            post(
                "{\"title\": \"x\"}",
                Some("application/x-www-form-urlencoded"),
            )
            .await,
            415,
        ),
        (
            "text content type",
            post("{\"title\": \"x\"}", Some("text/plain")).await,
            415,
        ),
    ];
    for (case, response, expected) in cases {
        let response = response.unwrap();
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "application/json",
            "{case}"
        );
        let (status, body) = parts(response).await;
        assert_eq!(status, expected, "{case}: {body}");
        assert!(body["error"].is_string(), "{case}: {body}");
    }
    let (status, _) = parts(
        post(
            "{\"title\": \"x\"}",
            Some("application/json; charset=utf-8"),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "a charset parameter is fine");
}

#[tokio::test]
async fn a_body_over_64_kib_is_413_for_a_user_and_401_for_a_stranger() {
    let system = spawn_system().await;
    let token = system.signed_in("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let big = json!({"title": "x".repeat(70 * 1024)});

    let (status, _) = parts(system.post_json("/todo", big.clone(), Some(&token)).await).await;
    let (stranger, _) = parts(system.post_json("/todo", big.clone(), Some("forged")).await).await;
    let (login, _) = parts(system.post_json("/login", big, None).await).await;

    assert_eq!((status, stranger, login), (413, 401, 413));
}

#[tokio::test]
async fn authentication_is_decided_before_the_body_is_read() {
    let system = spawn_system().await;
    system.signed_in("alice").await;

    let anonymous = system
        .http
        .post(system.url("/todo"))
        .header(CONTENT_TYPE, "application/json")
        .body("{broken")
        .send()
        .await
        .unwrap();
    let forged = system
        .http
        .post(system.url("/todo"))
        .bearer_auth("not.a.token")
        .header(CONTENT_TYPE, "application/json")
        .body("{broken")
        .send()
        .await
        .unwrap();

    assert_eq!(parts(anonymous).await.0, 401);
    assert_eq!(parts(forged).await.0, 401);
}

#[tokio::test]
async fn the_bearer_scheme_is_free_in_case_and_spacing_and_nothing_else_passes() {
    let system = spawn_system().await;
    let token = system.signed_in("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let send = |values: Vec<String>| {
        let mut request = system
            .http
            .post(system.url("/todo"))
            .header(CONTENT_TYPE, "application/json")
            .body(r#"{"title":"x"}"#);
        for value in values {
            request = request.header(AUTHORIZATION, value);
        }
        request.send()
    };

    for accepted in [
        format!("bearer {token}"),
        format!("BEARER    {token}"),
        format!("Bearer {token}"),
    ] {
        assert_eq!(
            send(vec![accepted.clone()]).await.unwrap().status(),
            201,
            "{accepted:.12}"
        );
    }
    let refused = [
        vec!["Basic YWxpY2U6cGFzc3dvcmQ=".to_owned()],
        vec![format!("Bearer {token}"), format!("Bearer {token}")],
        vec![format!("Bearer {token} {token}")],
        vec!["Bearer".to_owned()],
        vec![],
    ];
    for values in refused {
        let response = send(values.clone()).await.unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(parts(response).await.0, 401, "{} header(s)", values.len());
    }
}

#[tokio::test]
async fn todo_service_stopped_is_503_not_500() {
    let mut system = spawn_system().await;
    let token = system.signed_in("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    system.todo.stop().await.unwrap();
    let (status, body) = parts(
        system
            .post_json("/todo", json!({"title": "x"}), Some(&token))
            .await,
    )
    .await;

    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "service temporarily unavailable");
}

#[tokio::test]
async fn auth_service_stopped_is_503_for_login() {
    let mut system = spawn_system().await;
    system.add_user("alice").await;

    system.auth.stop().await.unwrap();
    let (status, _) = parts(
        system
            .post_json(
                "/login",
                json!({"username": "alice", "password": "whatever1"}),
                None,
            )
            .await,
    )
    .await;

    assert_eq!(status, 503);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let system = spawn_system().await;

    let (missing, body) = parts(system.http.get(system.url("/nope")).send().await.unwrap()).await;
    let (wrong_method, _) =
        parts(system.http.get(system.url("/login")).send().await.unwrap()).await;
    let (bad_query, _) = parts(
        system
            .http
            .get(system.url("/todos?page_size=many"))
            .bearer_auth("x")
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!((missing, wrong_method, bad_query), (404, 405, 401));
    assert!(body["error"].is_string());
}
