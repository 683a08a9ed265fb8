use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::test_support::redis_pool;

fn settings() -> ThrottleSettings {
    ThrottleSettings {
        max_failures_per_user: 3,
        max_failures_per_address: 5,
        window: Duration::from_millis(400),
    }
}

async fn limits_block_until_the_window_ends(throttle: Arc<dyn LoginThrottle>) {
    let settings = settings();
    let alice = Username::parse("alice").unwrap();
    let address: IpAddr = "203.0.113.7".parse().unwrap();
    let both = counters(&settings, Some(&alice), Some(address));

    for _ in 0..3 {
        assert_eq!(throttle.blocked(&both).await.unwrap(), None);
        throttle
            .record_failure(&both, settings.window)
            .await
            .unwrap();
    }
    let wait = throttle
        .blocked(&both)
        .await
        .unwrap()
        .expect("blocked after 3 failures");
    assert!(wait <= settings.window && wait > Duration::ZERO, "{wait:?}");

    let bob = Username::parse("bob").unwrap();
    let elsewhere: IpAddr = "198.51.100.1".parse().unwrap();
    let other = counters(&settings, Some(&bob), Some(elsewhere));
    assert_eq!(
        throttle.blocked(&other).await.unwrap(),
        None,
        "others are not blocked"
    );

    tokio::time::sleep(settings.window + Duration::from_millis(50)).await;
    assert_eq!(
        throttle.blocked(&both).await.unwrap(),
        None,
        "the window passed"
    );
}

async fn reset_clears_a_counter(throttle: Arc<dyn LoginThrottle>) {
    let settings = settings();
    let carol = Username::parse("carol").unwrap();
    let user = counters(&settings, Some(&carol), None);
    for _ in 0..3 {
        throttle
            .record_failure(&user, settings.window)
            .await
            .unwrap();
    }
    throttle.reset(&user[0]).await.unwrap();
    assert_eq!(throttle.blocked(&user).await.unwrap(), None);
}

#[tokio::test]
async fn the_memory_throttle_keeps_the_rules() {
    limits_block_until_the_window_ends(Arc::new(MemoryThrottle::default())).await;
    reset_clears_a_counter(Arc::new(MemoryThrottle::default())).await;
}

#[tokio::test]
async fn the_redis_throttle_keeps_the_rules() {
    let (_redis, pool) = redis_pool().await.expect("a private redis-server starts");
    let throttle: Arc<dyn LoginThrottle> = Arc::new(RedisThrottle::new(pool, "t"));
    limits_block_until_the_window_ends(Arc::clone(&throttle)).await;
    reset_clears_a_counter(throttle).await;
}
