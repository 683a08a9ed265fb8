//! Token issue and verify, the work on every login, refresh and auth check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use auth_service::token::{Subject, TokenKind, TokenSettings, Tokens};
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::Algorithm;
use uuid::Uuid;

fn tokens() -> Tokens {
    let settings = TokenSettings {
        algorithm: Algorithm::HS256,
        issuer: "auth-service".into(),
        audience: "todo-app".into(),
        access_ttl: Duration::from_secs(900),
        refresh_ttl: Duration::from_secs(7 * 86_400),
    };
    Tokens::new(
        settings,
        &"bench-access-secret-0123456789abcdef".into(),
        &"bench-refresh-secret-0123456789abcdef".into(),
    )
    .unwrap()
}

fn token_benches(c: &mut Criterion) {
    let tokens = tokens();
    let subject = Subject {
        user_id: Uuid::new_v4(),
        session_id: Uuid::new_v4(),
    };
    let now = 1_800_000_000;
    let token = tokens
        .issue(TokenKind::Access, subject, Uuid::new_v4(), now)
        .unwrap()
        .token;

    c.bench_function("issue access token", |b| {
        b.iter(|| tokens.issue(TokenKind::Access, black_box(subject), Uuid::new_v4(), now))
    });
    c.bench_function("verify access token", |b| {
        b.iter(|| tokens.verify(TokenKind::Access, black_box(&token), now))
    });
    c.bench_function("refuse a tampered token", |b| {
        let tampered = format!("{}x", &token[..token.len() - 1]);
        b.iter(|| tokens.verify(TokenKind::Access, black_box(&tampered), now))
    });
}

criterion_group!(benches, token_benches);
criterion_main!(benches);
