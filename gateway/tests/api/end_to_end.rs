//! The tutorial's whole flow over HTTP against the real binaries: first the three services as
//! separate processes on their own redis-server, then the one-process `--embedded` mode; a
//! local fake stands in for Vonage.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};
use testkit::{ChildGuard, RedisServer, free_port};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCESS_SECRET: &str = "e2e-access-secret-0123456789abcdef";
const REFRESH_SECRET: &str = "e2e-refresh-secret-0123456789abcdef";

/// A binary of this workspace, built by `cargo test --workspace`.
fn binary(name: &str) -> PathBuf {
    let path = if name == "gateway" {
        PathBuf::from(env!("CARGO_BIN_EXE_gateway"))
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_gateway")).with_file_name(name)
    };
    assert!(
        path.exists(),
        "{} is not built: run the whole suite with `cargo test --workspace`",
        path.display()
    );
    path
}

fn spawn(name: &str, env: &[(&str, String)], args: &[&str]) -> ChildGuard {
    let mut command = Command::new(binary(name));
    command
        .args(args)
        .env_clear()
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    ChildGuard(command.spawn().expect("binary starts"))
}

async fn fake_vonage() -> MockServer {
    let vonage = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"message_uuid": "e2e"})))
        .mount(&vonage)
        .await;
    vonage
}

async fn wait_healthy(http: &Client, base: &str) {
    for _ in 0..200 {
        if let Ok(response) = http.get(format!("{base}/healthz")).send().await
            && response.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not become healthy within 10 s");
}

async fn post(http: &Client, url: String, body: Value, token: Option<&str>) -> (u16, Value) {
    let mut request = http.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Login, create, refresh, create again, old token refused, logout, refused after logout.
async fn the_tutorial_flow(base: &str, username: &str, password: &str, vonage: &MockServer) {
    let http = Client::new();
    wait_healthy(&http, base).await;
    let login = json!({"username": username, "password": password});

    let (status, pair) = post(&http, format!("{base}/login"), login, None).await;
    assert_eq!(status, 200, "{pair}");
    let access = pair["access_token"].as_str().unwrap();
    let (status, _) = post(
        &http,
        format!("{base}/todo"),
        json!({"title": "first"}),
        Some(access),
    )
    .await;
    assert_eq!(status, 201);

    let refresh = json!({"refresh_token": pair["refresh_token"]});
    let (status, new_pair) = post(&http, format!("{base}/token/refresh"), refresh, None).await;
    assert_eq!(status, 201);
    let new_access = new_pair["access_token"].as_str().unwrap();
    let (status, _) = post(
        &http,
        format!("{base}/todo"),
        json!({"title": "second"}),
        Some(new_access),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = post(
        &http,
        format!("{base}/todo"),
        json!({"title": "x"}),
        Some(access),
    )
    .await;
    assert_eq!(status, 401, "the replaced access token");

    let (status, _) = post(&http, format!("{base}/logout"), json!({}), Some(new_access)).await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &http,
        format!("{base}/todo"),
        json!({"title": "x"}),
        Some(new_access),
    )
    .await;
    assert_eq!(status, 401, "after logout");
    let refresh = json!({"refresh_token": new_pair["refresh_token"]});
    let (status, _) = post(&http, format!("{base}/token/refresh"), refresh, None).await;
    assert_eq!(status, 401, "the refresh token after logout");

    for _ in 0..100 {
        if vonage.received_requests().await.unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        vonage.received_requests().await.unwrap().len(),
        2,
        "one SMS per todo"
    );
}

fn vonage_env(vonage: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("VONAGE_API_KEY", "e2e-key".into()),
        ("VONAGE_API_SECRET", "e2e-secret".into()),
        ("VONAGE_API_URL", format!("{}/v1/messages", vonage.uri())),
        ("SMS_POLL_INTERVAL", "50ms".into()),
    ]
}

/// The environment of `gateway --embedded` on `http_port`, its services on free ports, SMS to
/// the fake Vonage.
fn embedded_env(http_port: u16, vonage: &MockServer) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("GATEWAY_LISTEN_ADDR", format!("127.0.0.1:{http_port}")),
        (
            "AUTH_LISTEN_ADDR",
            format!("127.0.0.1:{}", free_port().unwrap()),
        ),
        (
            "TODO_LISTEN_ADDR",
            format!("127.0.0.1:{}", free_port().unwrap()),
        ),
    ];
    env.extend(vonage_env(vonage));
    env
}

#[tokio::test]
async fn the_tutorial_flow_runs_on_three_separate_processes_and_redis() {
    let redis = RedisServer::start().await.unwrap();
    let vonage = fake_vonage().await;
    let (auth_port, todo_port, http_port) = (
        free_port().unwrap(),
        free_port().unwrap(),
        free_port().unwrap(),
    );
    let common = vec![
        ("REDIS_URL", redis.url()),
        ("AUTH_SERVICE_URL", format!("http://127.0.0.1:{auth_port}")),
        ("TODO_SERVICE_URL", format!("http://127.0.0.1:{todo_port}")),
    ];

    let mut add = Command::new(binary("auth-service"));
    add.args(["users", "add", "walker", "--phone", "+44 7700 900123"])
        .env_clear()
        .env("REDIS_URL", redis.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = add.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"walker-password\n").unwrap();
    assert!(child.wait().unwrap().success());

    let mut auth_env = common.clone();
    auth_env.extend([
        ("AUTH_LISTEN_ADDR", format!("127.0.0.1:{auth_port}")),
        ("ACCESS_SECRET", ACCESS_SECRET.into()),
        ("REFRESH_SECRET", REFRESH_SECRET.into()),
    ]);
    let mut todo_env = common.clone();
    todo_env.push(("TODO_LISTEN_ADDR", format!("127.0.0.1:{todo_port}")));
    todo_env.extend(vonage_env(&vonage));
    let mut gateway_env = common.clone();
    gateway_env.push(("GATEWAY_LISTEN_ADDR", format!("127.0.0.1:{http_port}")));
    let _processes = [
        spawn("auth-service", &auth_env, &[]),
        spawn("todo-service", &todo_env, &[]),
        spawn("gateway", &gateway_env, &[]),
    ];

    the_tutorial_flow(
        &format!("http://127.0.0.1:{http_port}"),
        "walker",
        "walker-password",
        &vonage,
    )
    .await;
}

#[tokio::test]
async fn the_tutorial_flow_runs_on_the_embedded_mode() {
    let vonage = fake_vonage().await;
    let http_port = free_port().unwrap();
    let env = embedded_env(http_port, &vonage);
    let mut embedded = spawn("gateway", &env, &["--embedded"]);

    the_tutorial_flow(
        &format!("http://127.0.0.1:{http_port}"),
        "username",
        "password",
        &vonage,
    )
    .await;

    // SIGTERM stops all three services and the process exits 0.
    let signalled = Command::new("kill")
        .args(["-TERM", &embedded.0.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let mut exit = None;
    for _ in 0..200 {
        if let Some(status) = embedded.0.try_wait().unwrap() {
            exit = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(exit.expect("exits within 10 s").success());
}

#[tokio::test]
async fn the_tutorial_flow_runs_on_a_redis_cluster() {
    let cluster = testkit::RedisCluster::start().await.unwrap();
    let vonage = fake_vonage().await;
    let http_port = free_port().unwrap();
    let mut env = embedded_env(http_port, &vonage);
    env.push(("REDIS_URL", cluster.url()));
    let _embedded = spawn("gateway", &env, &["--embedded"]);

    // Sessions, todos, the SMS outbox and its consumer group, all on three nodes.
    the_tutorial_flow(
        &format!("http://127.0.0.1:{http_port}"),
        "username",
        "password",
        &vonage,
    )
    .await;

    let listed = Command::new(binary("auth-service"))
        .args(["users", "list"])
        .env_clear()
        .env("REDIS_URL", cluster.url())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("username"),
        "{listed:?}"
    );
}
