//! The gateway under hostile input: oversized credentials and headers, lying lengths, slow
//! and idle clients, more requests than it works on at once.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{SystemOptions, parts, spawn_system, spawn_system_with};

#[tokio::test]
async fn an_oversized_token_is_401_and_harms_no_one_else() {
    let system = spawn_system().await;
    let token = system.signed_in("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let huge = "a".repeat(8 * 1024);

    let attacks = (0..10).map(|_| {
        system
            .http
            .get(system.url("/todos"))
            .bearer_auth(&huge)
            .send()
    });
    let legit = (0..10).map(|n| {
        system.post_json(
            "/todo",
            json!({"title": format!("legit {n}")}),
            Some(&token),
        )
    });
    let (attacks, legit) = tokio::join!(
        futures::future::join_all(attacks),
        futures::future::join_all(legit)
    );

    for response in attacks {
        assert_eq!(response.unwrap().status(), 401);
    }
    for response in legit {
        assert_eq!(response.status(), 201);
    }
}

#[tokio::test]
async fn headers_over_16_kib_are_431_with_a_json_body() {
    let system = spawn_system().await;

    let response = system
        .http
        .get(system.url("/healthz"))
        .header("x-padding", "p".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    let over_64_kib = system
        .http
        .get(system.url("/healthz"))
        .header("x-padding", "p".repeat(64 * 1024))
        .send()
        .await
        .unwrap();

    assert!(
        response.headers().contains_key("x-request-id"),
        "refusals carry an id too"
    );
    let (status, body) = parts(response).await;
    assert_eq!((status, body["error"].is_string()), (431, true));
    assert_eq!(
        over_64_kib.status(),
        431,
        "hyper's own bound, before any handler"
    );
    assert_eq!(
        system
            .http
            .get(system.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// Sends `head` on a new connection and returns the status line of the answer.
async fn raw(addr: std::net::SocketAddr, head: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0_u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut answer))
        .await
        .expect("an answer within 3 s")
        .unwrap();
    String::from_utf8_lossy(&answer[..read])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_huge_declared_length_is_refused_before_the_body_arrives() {
    let system = spawn_system().await;
    let token = system.signed_in("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let head = |auth: &str| {
        format!(
            "POST /todo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {auth}\r\n\
             Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{{"
        )
    };

    let started = Instant::now();
    let valid = raw(system.gateway.addr, &head(&token)).await;
    let forged = raw(system.gateway.addr, &head("forged")).await;

    assert!(valid.contains("413"), "{valid}");
    assert!(forged.contains("401"), "{forged}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_badly_encoded_path_is_401_for_strangers_and_a_json_422_for_users() {
    let system = spawn_system().await;
    let token = system.signed_in("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let stranger = system
        .http
        .get(system.url("/todos/%ff"))
        .send()
        .await
        .unwrap();
    let user = system
        .http
        .get(system.url("/todos/%ff"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(parts(stranger).await.0, 401);
    let (status, body) = parts(user).await;
    assert_eq!((status, body["error"].is_string()), (422, true));
}

#[tokio::test]
async fn idle_and_slow_clients_are_dropped_after_the_header_deadline() {
    let mut options = SystemOptions::default();
    options.limits.header_read_timeout = Duration::from_millis(500);
    let system = spawn_system_with(options).await;

    let mut idle = TcpStream::connect(system.gateway.addr).await.unwrap();
    let mut slow = TcpStream::connect(system.gateway.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();

    for (name, stream) in [("idle", &mut idle), ("slow", &mut slow)] {
        let mut buffer = [0_u8; 256];
        let read = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buffer))
            .await
            .unwrap_or_else(|_| panic!("the server left the {name} connection open"));
        // Closed (0 bytes) or a 408 before closing; never left open.
        if let Ok(count) = read {
            let text = String::from_utf8_lossy(&buffer[..count]);
            assert!(count == 0 || text.contains("408"), "{text}");
        }
    }
}

#[tokio::test]
async fn requests_beyond_the_in_flight_cap_get_503() {
    let mut options = SystemOptions::default();
    options.limits.max_in_flight = 1;
    let system = spawn_system_with(options).await;
    let token = system.signed_in("alice").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Holds the one slot: headers sent, the body never comes.
    let mut holder = TcpStream::connect(system.gateway.addr).await.unwrap();
    let head = format!(
        "POST /todo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{{"
    );
    holder.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (status, body) = parts(
        system
            .http
            .get(system.url("/healthz"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("server busy, try again"))
    );

    drop(holder);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        system
            .http
            .get(system.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_at_once() {
    let mut options = SystemOptions::default();
    options.limits.max_connections = 2;
    options.limits.header_read_timeout = Duration::from_secs(30);
    let system = spawn_system_with(options).await;
    let first = TcpStream::connect(system.gateway.addr).await.unwrap();
    let second = TcpStream::connect(system.gateway.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut third = TcpStream::connect(system.gateway.addr).await.unwrap();
    let mut buffer = [0_u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(2), third.read(&mut buffer))
        .await
        .expect("the extra connection is closed, not left waiting");

    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    drop((first, second));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let health = system
        .http
        .get(system.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "freed slots take new connections");
}
