use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

use super::*;

const ACCESS: &str = "access-secret-access-secret-access-secret";
const REFRESH: &str = "refresh-secret-refresh-secret-refresh-secret";
const NOW: i64 = 1_800_000_000;

fn settings() -> TokenSettings {
    TokenSettings {
        algorithm: Algorithm::HS256,
        issuer: "auth-service".into(),
        audience: "todo-app".into(),
        access_ttl: Duration::from_secs(900),
        refresh_ttl: Duration::from_secs(7 * 86_400),
    }
}

fn tokens() -> Tokens {
    Tokens::new(settings(), &ACCESS.into(), &REFRESH.into()).expect("valid token settings")
}

fn subject() -> Subject {
    Subject {
        user_id: Uuid::new_v4(),
        session_id: Uuid::new_v4(),
    }
}

fn forge(header: Header, claims: &serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .expect("test token signs")
}

fn valid_claims() -> serde_json::Value {
    json!({
        "iss": "auth-service", "aud": "todo-app",
        "sub": Uuid::new_v4(), "sid": Uuid::new_v4(), "jti": Uuid::new_v4(),
        "iat": NOW, "exp": NOW + 60,
    })
}

fn access_header(alg: Algorithm) -> Header {
    let mut header = Header::new(alg);
    header.typ = Some("at+jwt".into());
    header
}

#[test]
fn an_issued_access_token_verifies_with_its_claims() {
    let tokens = tokens();
    let subject = subject();
    let jti = Uuid::new_v4();

    let issued = tokens.issue(TokenKind::Access, subject, jti, NOW).unwrap();
    let claims = tokens
        .verify(TokenKind::Access, &issued.token, NOW)
        .unwrap();

    assert_eq!(issued.expires_at, NOW + 900);
    assert_eq!(claims.sub, subject.user_id);
    assert_eq!(claims.sid, subject.session_id);
    assert_eq!(claims.jti, jti);
    assert_eq!(
        (claims.iss.as_str(), claims.aud.as_str()),
        ("auth-service", "todo-app")
    );
}

#[test]
fn a_token_expires_at_its_exp_second_with_no_leeway() {
    let tokens = tokens();
    let issued = tokens
        .issue(TokenKind::Access, subject(), Uuid::new_v4(), NOW)
        .unwrap();

    assert!(
        tokens
            .verify(TokenKind::Access, &issued.token, NOW + 899)
            .is_ok()
    );
    assert_eq!(
        tokens.verify(TokenKind::Access, &issued.token, NOW + 900),
        Err(TokenRejection::Expired)
    );
    assert!(
        tokens
            .verify_ignoring_expiry(TokenKind::Access, &issued.token)
            .is_ok()
    );
}

#[test]
fn access_and_refresh_tokens_are_not_interchangeable() {
    let tokens = tokens();
    let access = tokens
        .issue(TokenKind::Access, subject(), Uuid::new_v4(), NOW)
        .unwrap();
    let refresh = tokens
        .issue(TokenKind::Refresh, subject(), Uuid::new_v4(), NOW)
        .unwrap();

    assert_eq!(
        tokens.verify(TokenKind::Refresh, &access.token, NOW),
        Err(TokenRejection::WrongType)
    );
    assert_eq!(
        tokens.verify(TokenKind::Access, &refresh.token, NOW),
        Err(TokenRejection::WrongType)
    );
    assert_eq!(Tokens::claimed_kind(&access.token), Some(TokenKind::Access));
    assert_eq!(
        Tokens::claimed_kind(&refresh.token),
        Some(TokenKind::Refresh)
    );
}

#[test]
fn a_refresh_typed_token_signed_with_the_access_key_is_refused() {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("rt+jwt".into());
    let token = forge(header, &valid_claims(), ACCESS);

    let rejection = tokens()
        .verify(TokenKind::Refresh, &token, NOW)
        .unwrap_err();
    assert!(
        matches!(rejection, TokenRejection::Invalid(_)),
        "{rejection:?}"
    );
}

#[test]
fn a_token_resigned_with_another_algorithm_is_refused() {
    let token = forge(access_header(Algorithm::HS512), &valid_claims(), ACCESS);

    let rejection = tokens().verify(TokenKind::Access, &token, NOW).unwrap_err();
    assert!(
        matches!(rejection, TokenRejection::Invalid(_)),
        "{rejection:?}"
    );
}

#[test]
fn an_unsigned_alg_none_token_is_refused() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
    let claims = b64.encode(valid_claims().to_string());
    let token = format!("{header}.{claims}.");

    assert!(tokens().verify(TokenKind::Access, &token, NOW).is_err());
}

#[test]
fn one_flipped_signature_byte_is_refused() {
    let tokens = tokens();
    let issued = tokens
        .issue(TokenKind::Access, subject(), Uuid::new_v4(), NOW)
        .unwrap();
    let mut bytes = issued.token.into_bytes();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let token = String::from_utf8(bytes).unwrap();

    assert!(tokens.verify(TokenKind::Access, &token, NOW).is_err());
}

#[test]
fn a_token_without_exp_is_refused() {
    let mut claims = valid_claims();
    claims.as_object_mut().unwrap().remove("exp");
    let token = forge(access_header(Algorithm::HS256), &claims, ACCESS);

    assert!(
        tokens()
            .verify_ignoring_expiry(TokenKind::Access, &token)
            .is_err()
    );
}

#[test]
fn a_foreign_audience_or_issuer_is_refused() {
    for (claim, value) in [("aud", "someone-else"), ("iss", "evil-issuer")] {
        let mut claims = valid_claims();
        claims[claim] = json!(value);
        let token = forge(access_header(Algorithm::HS256), &claims, ACCESS);

        assert!(
            tokens().verify(TokenKind::Access, &token, NOW).is_err(),
            "{claim} = {value} was accepted"
        );
    }
}

#[test]
fn a_token_whose_ids_are_not_uuids_is_refused() {
    let mut claims = valid_claims();
    claims["sid"] = json!("*");
    let token = forge(access_header(Algorithm::HS256), &claims, ACCESS);

    assert!(tokens().verify(TokenKind::Access, &token, NOW).is_err());
}

#[test]
fn a_token_used_before_its_nbf_is_refused() {
    let mut claims = valid_claims();
    claims["nbf"] = json!(NOW + 30);
    let token = forge(access_header(Algorithm::HS256), &claims, ACCESS);

    assert_eq!(
        tokens().verify(TokenKind::Access, &token, NOW),
        Err(TokenRejection::NotYetValid)
    );
}

#[test]
fn short_shared_or_asymmetric_settings_are_refused() {
    let short = Tokens::new(settings(), &"too-short".into(), &REFRESH.into());
    assert!(matches!(
        short,
        Err(TokenConfigError::SecretTooShort("ACCESS_SECRET"))
    ));

    let same = Tokens::new(settings(), &ACCESS.into(), &ACCESS.into());
    assert!(matches!(same, Err(TokenConfigError::SameSecrets(..))));

    let mut rsa = settings();
    rsa.algorithm = Algorithm::RS256;
    let rsa = Tokens::new(rsa, &ACCESS.into(), &REFRESH.into());
    assert!(matches!(
        rsa,
        Err(TokenConfigError::UnsupportedAlgorithm(_))
    ));
}

// Fuzz targets (proptest: cargo-fuzz needs a nightly toolchain this project does not have).
proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_text_never_verifies(text in ".{0,400}") {
        let tokens = tokens();
        proptest::prop_assert!(tokens.verify(TokenKind::Access, &text, NOW).is_err());
        proptest::prop_assert!(tokens.verify_ignoring_expiry(TokenKind::Refresh, &text).is_err());
        let _ = Tokens::claimed_kind(&text);
    }

    #[test]
    fn a_changed_byte_never_verifies(position in 0_usize..10_000, replacement in proptest::char::range('!', '~')) {
        let tokens = tokens();
        let issued = tokens.issue(TokenKind::Access, subject(), Uuid::new_v4(), NOW).unwrap();
        let mut chars: Vec<char> = issued.token.chars().collect();
        // The last character may carry unused base64 bits, so it is left alone.
        let position = position % (chars.len() - 1);
        proptest::prop_assume!(chars[position] != replacement);
        chars[position] = replacement;
        let changed: String = chars.into_iter().collect();

        proptest::prop_assert!(tokens.verify(TokenKind::Access, &changed, NOW).is_err());
    }
}
