//! 10,000 idle connections against the embedded binary. A test binary of its own: its
//! connections use up ephemeral ports, which other tests pick for their listeners, and cargo
//! runs test binaries one after another.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Client;
use testkit::{ChildGuard, free_port};

#[tokio::test]
async fn ten_thousand_idle_connections_do_not_lock_out_a_real_client() {
    let http_port = free_port().unwrap();
    let _gateway = ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_gateway"))
            .arg("--embedded")
            .env_clear()
            .env("GATEWAY_LISTEN_ADDR", format!("127.0.0.1:{http_port}"))
            .env(
                "AUTH_LISTEN_ADDR",
                format!("127.0.0.1:{}", free_port().unwrap()),
            )
            .env(
                "TODO_LISTEN_ADDR",
                format!("127.0.0.1:{}", free_port().unwrap()),
            )
            .env("HEADER_READ_TIMEOUT", "60s")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let health = format!("http://127.0.0.1:{http_port}/healthz");
    let mut up = false;
    for _ in 0..200 {
        if Client::new()
            .get(&health)
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the embedded system did not come up");

    // Bounded: 10,000 connections on loopback that send nothing, opened 200 at a time.
    let mut idle = Vec::with_capacity(10_000);
    for _ in 0..50 {
        let batch = (0..200).map(|_| tokio::net::TcpStream::connect(("127.0.0.1", http_port)));
        for stream in futures::future::join_all(batch).await {
            idle.push(stream.expect("an idle connection opens"));
        }
    }

    let started = Instant::now();
    let response = Client::new()
        .get(&health)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("the gateway still answers");
    assert_eq!(response.status(), 200);
    assert_eq!(idle.len(), 10_000);
    assert!(started.elapsed() < Duration::from_secs(10));
}
