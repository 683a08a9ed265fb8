use std::time::{Duration, Instant};

use tonic::Code;

use crate::helpers::{PASSWORD, assert_code, spawn_app};

/// Long enough for the 500 ms Redis timeout and a retry, short enough to prove nothing hangs.
const BOUND: Duration = Duration::from_secs(5);

#[tokio::test]
async fn redis_down_gives_unavailable_in_bounded_time_and_service_resumes() {
    let mut app = spawn_app().await;
    let pair = app.signed_in("alice").await;

    app.redis.as_mut().unwrap().stop();
    for call in ["verify", "login", "refresh"] {
        let started = Instant::now();
        let result = match call {
            "verify" => app.verify(&pair.access_token).await.map(|_| ()),
            "login" => app.login("alice", PASSWORD).await.map(|_| ()),
            _ => app.refresh(&pair.refresh_token).await.map(|_| ()),
        };
        let status = assert_code(result, Code::Unavailable);
        assert!(
            started.elapsed() < BOUND,
            "{call} took {:?}",
            started.elapsed()
        );
        assert!(
            !status.message().contains("127.0.0.1"),
            "{status:?} leaks the address"
        );
    }

    // The restarted Redis is empty: the user has to be added again.
    app.redis.as_mut().unwrap().restart().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match app.stores.users.list().await {
            Ok(_) => break,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(err) => panic!("the service did not reconnect: {err}"),
        }
    }
    let pair = app.signed_in("alice").await;
    assert!(app.verify(&pair.access_token).await.is_ok());
}
