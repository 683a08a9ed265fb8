use std::io::Write;
use std::sync::{Arc, Mutex};

use common::telemetry::LogFormat;
use serde_json::json;

use crate::helpers::spawn_system;

/// Log output kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_request_id_reaches_the_log_lines_of_both_services() {
    let captured = Captured::default();
    let writer = captured.clone();
    common::telemetry::init(LogFormat::Json, "info", move || writer.clone());
    let system = spawn_system().await;
    system.add_user("alice").await;
    let request_id = format!("rid-{}", uuid::Uuid::new_v4().simple());

    let login = system
        .http
        .post(system.url("/login"))
        .header("x-request-id", &request_id)
        .json(&json!({"username": "alice", "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    let token = login.json::<serde_json::Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = system
        .http
        .post(system.url("/todo"))
        .header("x-request-id", &request_id)
        .bearer_auth(&token)
        .json(&json!({"title": "traced"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = output.lines().filter(|l| l.contains(&request_id)).collect();
    for message in ["session opened", "todo created"] {
        assert!(
            lines.iter().any(|line| line.contains(message)),
            "no `{message}` line with the request id in:\n{output}"
        );
    }
    assert!(!output.contains(&token), "a token reached the log");
    assert!(
        !output.contains(crate::helpers::PASSWORD),
        "a password reached the log"
    );
}
