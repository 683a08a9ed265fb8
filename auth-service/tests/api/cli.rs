//! The binary itself: `users` subcommands and `serve`, configured from the environment.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use proto::auth::v1::LoginRequest;
use proto::auth::v1::auth_service_client::AuthServiceClient;
use testkit::{RedisServer, free_port};

use crate::helpers::{ACCESS_SECRET, REFRESH_SECRET};

const BIN: &str = env!("CARGO_BIN_EXE_auth-service");

fn command(redis: &RedisServer) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("REDIS_URL", redis.url())
        .env("RUST_LOG", "info")
        .current_dir(std::env::temp_dir());
    command
}

fn run(mut command: Command, stdin: &str) -> Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("auth-service starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn users_are_added_listed_and_removed_from_the_command_line() {
    let redis = RedisServer::start().await.unwrap();

    let mut add = command(&redis);
    add.args(["users", "add", "carol", "--phone", "+44 7700 900123"]);
    let added = run(add, "s3cret-passw0rd\n");
    assert!(added.status.success(), "{added:?}");

    let mut list = command(&redis);
    list.args(["users", "list"]);
    let listed = stdout(&run(list, ""));
    assert!(listed.contains("carol"), "{listed}");
    assert!(
        listed.contains("0123") && !listed.contains("7700900"),
        "{listed}"
    );

    let mut again = command(&redis);
    again.args(["users", "add", "carol", "--phone", "+44 7700 900123"]);
    assert!(
        !run(again, "another-password\n").status.success(),
        "a taken name is refused"
    );

    let mut remove = command(&redis);
    remove.args(["users", "remove", "carol"]);
    assert!(run(remove, "").status.success());
    let mut list = command(&redis);
    list.args(["users", "list"]);
    assert!(!stdout(&run(list, "")).contains("carol"));
}

#[tokio::test]
async fn a_bad_phone_or_short_password_is_refused_with_a_reason() {
    let redis = RedisServer::start().await.unwrap();

    let mut bad_phone = command(&redis);
    bad_phone.args(["users", "add", "dave", "--phone", "07700 900123"]);
    let output = run(bad_phone, "long-enough-password\n");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("international"),
        "{output:?}"
    );

    let mut short = command(&redis);
    short.args(["users", "add", "dave", "--phone", "+447700900123"]);
    let output = run(short, "short\n");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("password"),
        "{output:?}"
    );
}

#[tokio::test]
async fn the_service_refuses_to_start_with_a_short_secret() {
    let redis = RedisServer::start().await.unwrap();
    let mut serve = command(&redis);
    serve
        .env("ACCESS_SECRET", "short")
        .env("REFRESH_SECRET", REFRESH_SECRET);

    let output = run(serve, "");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ACCESS_SECRET") && stderr.contains("32"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(REFRESH_SECRET),
        "a secret reached the output"
    );
}

#[tokio::test]
async fn the_bare_binary_serves_logins_from_its_environment() {
    let redis = RedisServer::start().await.unwrap();
    let mut add = command(&redis);
    add.args(["users", "add", "erin", "--phone", "+447700900123"]);
    assert!(run(add, "erin-password\n").status.success());

    let port = free_port().unwrap();
    let mut serve = command(&redis);
    serve
        .env("AUTH_LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("ACCESS_SECRET", ACCESS_SECRET)
        .env("REFRESH_SECRET", REFRESH_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut server = serve.spawn().unwrap();

    let mut client = None;
    for _ in 0..100 {
        if let Ok(connected) = AuthServiceClient::connect(format!("http://127.0.0.1:{port}")).await
        {
            client = Some(connected);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let request = LoginRequest {
        username: "erin".into(),
        password: "erin-password".into(),
    };
    let reply = client.expect("the binary listens").login(request).await;
    let signalled = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let exit = server.wait().unwrap();

    assert!(!reply.unwrap().into_inner().access_token.is_empty());
    assert!(
        signalled.success() && exit.success(),
        "SIGTERM ends it cleanly: {exit:?}"
    );
}
