//! JWTs: the claims we issue, and the checks a token must pass before any claim is trusted.
//!
//! Access and refresh tokens differ in their header `typ` and in their signing key, so one is
//! never accepted in the other's place. The algorithm comes from configuration, never from the
//! token. Time is a parameter (`now`, Unix seconds) so the checks are testable with a fixed
//! clock; expiry has zero leeway.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The fewest bytes an HMAC secret may have.
pub const MIN_SECRET_BYTES: usize = 32;

/// Which of the two tokens of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    /// The header `typ` that marks this kind.
    pub fn typ(self) -> &'static str {
        match self {
            Self::Access => "at+jwt",
            Self::Refresh => "rt+jwt",
        }
    }
}

/// The claims of both token kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: Uuid,
    /// The session id.
    pub sid: Uuid,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// Why a token was refused. Callers all get the same answer; this goes to the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    /// The reason is a fixed phrase: nothing of the token itself reaches a log.
    #[error("{0}")]
    Invalid(&'static str),
    #[error("wrong token type")]
    WrongType,
    #[error("token expired")]
    Expired,
    #[error("token not yet valid")]
    NotYetValid,
}

/// Settings that shape every token.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub algorithm: Algorithm,
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// A signed token and when it stops being valid.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: i64,
}

/// Whom a token is issued to.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

/// Errors in building the signer from configuration.
#[derive(Debug, thiserror::Error)]
pub enum TokenConfigError {
    #[error("{0} must be at least {MIN_SECRET_BYTES} bytes long")]
    SecretTooShort(&'static str),
    #[error("{0} must differ from {1}")]
    SameSecrets(&'static str, &'static str),
    #[error("unsupported JWT algorithm {0:?}: use HS256, HS384 or HS512")]
    UnsupportedAlgorithm(Algorithm),
    #[error("cannot build a key: {0}")]
    Key(#[from] jsonwebtoken::errors::Error),
}

struct KeyPair {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl KeyPair {
    fn from_secret(name: &'static str, secret: &SecretString) -> Result<Self, TokenConfigError> {
        let bytes = secret.expose_secret().as_bytes();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(TokenConfigError::SecretTooShort(name));
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(bytes)?,
            decoding: DecodingKey::from_secret(bytes)?,
        })
    }
}

/// Issues and verifies both kinds of token.
pub struct Tokens {
    settings: TokenSettings,
    access: KeyPair,
    refresh: KeyPair,
    validation: Validation,
}

impl Tokens {
    /// Builds the signer; refuses short or shared secrets and non-HMAC algorithms.
    ///
    /// # Errors
    /// [`TokenConfigError`] naming the setting at fault.
    pub fn new(
        settings: TokenSettings,
        access_secret: &SecretString,
        refresh_secret: &SecretString,
    ) -> Result<Self, TokenConfigError> {
        if !matches!(
            settings.algorithm,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(TokenConfigError::UnsupportedAlgorithm(settings.algorithm));
        }
        if access_secret.expose_secret() == refresh_secret.expose_secret() {
            return Err(TokenConfigError::SameSecrets(
                "REFRESH_SECRET",
                "ACCESS_SECRET",
            ));
        }
        let access = KeyPair::from_secret("ACCESS_SECRET", access_secret)?;
        let refresh = KeyPair::from_secret("REFRESH_SECRET", refresh_secret)?;

        let mut validation = Validation::new(settings.algorithm);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        // Time is checked by `check_time` against the caller's clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;

        Ok(Self {
            settings,
            access,
            refresh,
            validation,
        })
    }

    /// The settings the tokens are issued with.
    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    /// Signs a token of `kind` for `subject`, valid from `now` for the kind's lifetime.
    ///
    /// # Errors
    /// Only if signing fails, which HMAC keys do not.
    pub fn issue(
        &self,
        kind: TokenKind,
        subject: Subject,
        jti: Uuid,
        now: i64,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        let ttl = match kind {
            TokenKind::Access => self.settings.access_ttl,
            TokenKind::Refresh => self.settings.refresh_ttl,
        };
        let expires_at = now.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX));
        let claims = Claims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub: subject.user_id,
            sid: subject.session_id,
            jti,
            iat: now,
            exp: expires_at,
            nbf: None,
        };
        let mut header = Header::new(self.settings.algorithm);
        header.typ = Some(kind.typ().to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &self.keys(kind).encoding)?;
        Ok(IssuedToken { token, expires_at })
    }

    /// Checks signature, algorithm, type, issuer, audience and time; returns the claims.
    ///
    /// # Errors
    /// The [`TokenRejection`] that says why, for the log.
    pub fn verify(&self, kind: TokenKind, token: &str, now: i64) -> Result<Claims, TokenRejection> {
        let claims = self.verify_ignoring_expiry(kind, token)?;
        check_time(&claims, now)?;
        Ok(claims)
    }

    /// As [`Tokens::verify`] but lets an expired token through, for logout.
    ///
    /// # Errors
    /// The [`TokenRejection`] that says why.
    pub fn verify_ignoring_expiry(
        &self,
        kind: TokenKind,
        token: &str,
    ) -> Result<Claims, TokenRejection> {
        let invalid = |err: jsonwebtoken::errors::Error| TokenRejection::Invalid(describe(&err));
        let header = jsonwebtoken::decode_header(token).map_err(invalid)?;
        if header.typ.as_deref() != Some(kind.typ()) {
            return Err(TokenRejection::WrongType);
        }
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.keys(kind).decoding, &self.validation)
                .map_err(invalid)?;
        Ok(data.claims)
    }

    /// The kind a token says it is, read from its header before any check.
    pub fn claimed_kind(token: &str) -> Option<TokenKind> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        [TokenKind::Access, TokenKind::Refresh]
            .into_iter()
            .find(|kind| header.typ.as_deref() == Some(kind.typ()))
    }

    fn keys(&self, kind: TokenKind) -> &KeyPair {
        match kind {
            TokenKind::Access => &self.access,
            TokenKind::Refresh => &self.refresh,
        }
    }
}

/// A fixed phrase for a decoding error; the crate's own text can quote the token's header.
fn describe(err: &jsonwebtoken::errors::Error) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match err.kind() {
        ErrorKind::InvalidSignature => "bad signature",
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => "algorithm not allowed",
        ErrorKind::MissingRequiredClaim(_) => "a required claim is missing",
        ErrorKind::InvalidIssuer => "wrong issuer",
        ErrorKind::InvalidAudience => "wrong audience",
        _ => "malformed token",
    }
}

fn check_time(claims: &Claims, now: i64) -> Result<(), TokenRejection> {
    if now >= claims.exp {
        return Err(TokenRejection::Expired);
    }
    if claims.nbf.is_some_and(|nbf| now < nbf) {
        return Err(TokenRejection::NotYetValid);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
