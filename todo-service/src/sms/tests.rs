use serde_json::json;
use uuid::Uuid;
use wiremock::matchers::{basic_auth, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

fn settings(server: &MockServer) -> VonageSettings {
    VonageSettings {
        api_url: format!("{}/v1/messages", server.uri()),
        api_key: "key123".into(),
        api_secret: "secret456".into(),
        from: "TodoApp".into(),
        timeout: Duration::from_millis(500),
    }
}

fn notification() -> Notification {
    Notification {
        todo_id: Uuid::now_v7(),
        user_id: Uuid::new_v4(),
        username: "alice".into(),
        phone: "+447700900123".into(),
    }
}

#[tokio::test]
async fn the_request_has_the_body_headers_and_basic_auth_vonage_expects() {
    let server = MockServer::start().await;
    let notification = notification();
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(basic_auth("key123", "secret456"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "message_type": "text",
            "channel": "sms",
            "to": "447700900123",
            "from": "TodoApp",
            "text": "Dear alice, a todo was created from your account just now.",
            "client_ref": notification.todo_id.to_string(),
        })))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(json!({"message_uuid": "aaaaaaaa-bbbb"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let sent = Vonage::new(settings(&server))
        .unwrap()
        .send_sms(&notification)
        .await;

    assert_eq!(sent, Ok("aaaaaaaa-bbbb".to_owned()));
}

#[tokio::test]
async fn a_number_with_spaces_is_sent_as_digits_only() {
    let server = MockServer::start().await;
    Mock::given(body_json_field_to("447700900123"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"message_uuid": "u"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut spaced = notification();
    spaced.phone = "+44 7700 900123".into();

    assert!(
        Vonage::new(settings(&server))
            .unwrap()
            .send_sms(&spaced)
            .await
            .is_ok()
    );
}

fn body_json_field_to(to: &'static str) -> impl wiremock::Match {
    move |request: &wiremock::Request| {
        serde_json::from_slice::<serde_json::Value>(&request.body)
            .is_ok_and(|body| body["to"] == to)
    }
}

#[tokio::test]
async fn throttling_and_server_errors_are_retryable_with_the_asked_wait() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let vonage = Vonage::new(settings(&server)).unwrap();

    let throttled = vonage.send_sms(&notification()).await.unwrap_err();
    let unavailable = vonage.send_sms(&notification()).await.unwrap_err();

    assert!(matches!(
        throttled,
        SmsError::Retryable { retry_after: Some(wait), .. } if wait == Duration::from_secs(3)
    ));
    assert!(matches!(
        unavailable,
        SmsError::Retryable {
            retry_after: None,
            ..
        }
    ));
}

#[tokio::test]
async fn a_client_error_is_rejected_with_the_problem_title_and_a_masked_detail() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "type": "https://developer.vonage.com/api-errors/messages#1150",
            "title": "Invalid params",
            "detail": "The value of `to` 447700900123 is not valid",
        })))
        .mount(&server)
        .await;

    let err = Vonage::new(settings(&server))
        .unwrap()
        .send_sms(&notification())
        .await
        .unwrap_err();

    let SmsError::Rejected { reason } = err else {
        panic!("expected a rejection, got {err:?}");
    };
    assert!(
        reason.contains("422") && reason.contains("Invalid params"),
        "{reason}"
    );
    assert!(!reason.contains("447700900123"), "{reason}");
}

#[tokio::test]
async fn a_slow_answer_times_out_as_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;

    let err = Vonage::new(settings(&server))
        .unwrap()
        .send_sms(&notification())
        .await
        .unwrap_err();

    assert!(matches!(err, SmsError::Retryable { .. }), "{err:?}");
}
