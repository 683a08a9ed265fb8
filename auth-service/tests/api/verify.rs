use std::time::Duration;

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tonic::Code;

use crate::helpers::{ACCESS_SECRET, Options, assert_code, spawn_app, spawn_app_with};

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

/// The claims of a real token, for tampering with.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&b64().decode(payload).unwrap()).unwrap()
}

fn sign(alg: Algorithm, claims: &Value, secret: &str) -> String {
    let mut header = Header::new(alg);
    header.typ = Some("at+jwt".into());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn an_expired_access_token_is_refused() {
    let app = spawn_app_with(Options {
        access_ttl: Duration::from_secs(1),
        ..Options::default()
    })
    .await;
    let pair = app.signed_in("alice").await;
    assert!(app.verify(&pair.access_token).await.is_ok());

    tokio::time::sleep(Duration::from_millis(1100)).await;

    assert_code(app.verify(&pair.access_token).await, Code::Unauthenticated);
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token_and_back() {
    let app = spawn_app().await;
    let pair = app.signed_in("alice").await;

    assert_code(app.verify(&pair.refresh_token).await, Code::Unauthenticated);
    assert_code(app.refresh(&pair.access_token).await, Code::Unauthenticated);
}

#[tokio::test]
async fn tampered_and_forged_tokens_are_refused() {
    let app = spawn_app().await;
    let pair = app.signed_in("alice").await;
    let claims = claims_of(&pair.access_token);
    assert!(
        app.verify(&sign(Algorithm::HS256, &claims, ACCESS_SECRET))
            .await
            .is_ok(),
        "the re-signed original must pass, or the cases below prove nothing"
    );

    let resigned_hs512 = sign(Algorithm::HS512, &claims, ACCESS_SECRET);
    let alg_none = format!(
        "{}.{}.",
        b64().encode(r#"{"alg":"none","typ":"at+jwt"}"#),
        b64().encode(claims.to_string())
    );
    let flipped = {
        let mut bytes = pair.access_token.clone().into_bytes();
        let at = bytes.len() - 3;
        bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
        String::from_utf8(bytes).unwrap()
    };
    let mut no_exp = claims.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut foreign_aud = claims.clone();
    foreign_aud["aud"] = json!("another-app");
    let mut key_injection = claims.clone();
    key_injection["sid"] = json!("*}:user:{alice");

    let cases = [
        ("HS512 re-signed", resigned_hs512),
        ("alg none", alg_none),
        ("one flipped signature byte", flipped),
        (
            "exp missing",
            sign(Algorithm::HS256, &no_exp, ACCESS_SECRET),
        ),
        (
            "foreign aud",
            sign(Algorithm::HS256, &foreign_aud, ACCESS_SECRET),
        ),
        (
            "sid that is not a uuid",
            sign(Algorithm::HS256, &key_injection, ACCESS_SECRET),
        ),
        ("garbage", "not.a.jwt".to_owned()),
        ("empty", String::new()),
    ];
    for (case, token) in cases {
        let status = app.verify(&token).await.expect_err(case);
        assert_eq!(status.code(), Code::Unauthenticated, "{case}: {status:?}");
        assert_eq!(status.message(), "invalid or expired token", "{case}");
    }
}
