//! The four things this service does (log in, verify, refresh, log out), on top of tokens,
//! passwords and the stores. Transport-free: `grpc.rs` calls in here.

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use tracing::Span;
use uuid::Uuid;

use crate::error::AuthError;
use crate::password::Passwords;
use crate::sessions::{
    NewSession, RevokeOutcome, Rotation, RotationOutcome, SessionKey, SessionOwner, SessionToken,
};
use crate::store::Stores;
use crate::throttle::{self, ThrottleSettings};
use crate::token::{Claims, IssuedToken, Subject, TokenKind, Tokens};
use crate::users::Username;

/// A fresh access and refresh token.
#[derive(Debug, Clone)]
pub struct IssuedPair {
    pub access: IssuedToken,
    pub refresh: IssuedToken,
    /// The access token's lifetime in seconds.
    pub expires_in: i64,
}

/// The verified owner of an access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub username: String,
    pub phone: String,
    pub expires_at: i64,
}

/// Logs in, verifies, refreshes and logs out.
pub struct Authenticator {
    tokens: Tokens,
    passwords: Passwords,
    stores: Stores,
    refresh_reuse_grace: Duration,
    throttle: ThrottleSettings,
}

impl Authenticator {
    pub fn new(
        tokens: Tokens,
        passwords: Passwords,
        stores: Stores,
        refresh_reuse_grace: Duration,
        throttle: ThrottleSettings,
    ) -> Self {
        Self {
            tokens,
            passwords,
            stores,
            refresh_reuse_grace,
            throttle,
        }
    }

    /// Checks the credentials and opens a session.
    ///
    /// # Errors
    /// `InvalidArgument` for an empty field, `Throttled` after too many failures for the
    /// name or the `client` address, `InvalidCredentials` for an unknown user or a wrong
    /// password alike (both cost one argon2 check), `Store` when Redis is down.
    pub async fn login(
        &self,
        username: &str,
        password: SecretString,
        client: Option<IpAddr>,
    ) -> Result<IssuedPair, AuthError> {
        if username.trim().is_empty() || password.expose_secret().is_empty() {
            return Err(AuthError::InvalidArgument(
                "username and password are required".into(),
            ));
        }
        let name = Username::parse(username).ok();
        let counters = throttle::counters(&self.throttle, name.as_ref(), client);
        if let Some(retry_after) = self.stores.throttle.blocked(&counters).await? {
            return Err(AuthError::Throttled { retry_after });
        }

        let user = match &name {
            Some(name) => self.stores.users.find(name).await?,
            None => None,
        };
        let hash = user.as_ref().map(|user| user.password_hash.clone());
        let matches = self.passwords.verify(password, hash).await?;
        let user = match user {
            Some(user) if matches => user,
            _ => {
                self.stores
                    .throttle
                    .record_failure(&counters, self.throttle.window)
                    .await?;
                return Err(AuthError::InvalidCredentials);
            }
        };
        if let Some(user_counter) = counters.iter().find(|c| c.name.starts_with("u:")) {
            self.stores.throttle.reset(user_counter).await?;
        }

        let now = unix_now();
        let key = SessionKey {
            user_id: user.id,
            session_id: Uuid::new_v4(),
        };
        let (access_jti, refresh_jti) = (Uuid::new_v4(), Uuid::new_v4());
        let pair = self.issue_pair(key, access_jti, refresh_jti, now)?;
        let session = NewSession {
            key,
            owner: SessionOwner {
                username: user.username.to_string(),
                phone: user.phone.clone(),
            },
            access_jti,
            refresh_jti,
            ttl: self.tokens.settings().refresh_ttl,
        };
        self.stores.sessions.create(&session).await?;

        record_session(key);
        tracing::info!("session opened");
        Ok(pair)
    }

    /// Checks an access token and its session; one store read.
    ///
    /// # Errors
    /// `InvalidToken` for any token problem, revoked or replaced ones included.
    pub async fn verify(&self, access_token: &str) -> Result<Principal, AuthError> {
        let claims = self.checked(TokenKind::Access, access_token)?;
        let key = session_key(&claims);
        record_session(key);

        let owner = self
            .stores
            .sessions
            .current_owner(key, claims.jti)
            .await?
            .ok_or_else(|| AuthError::invalid_token("session ended or token replaced"))?;
        Ok(Principal {
            user_id: key.user_id,
            session_id: key.session_id,
            username: owner.username,
            phone: owner.phone,
            expires_at: claims.exp,
        })
    }

    /// Trades a current refresh token for a new pair; the old pair stops working.
    ///
    /// # Errors
    /// `InvalidToken` as for [`Authenticator::verify`]; a token already traded in is refused
    /// and, once the grace period has passed, revokes its whole session.
    pub async fn refresh(&self, refresh_token: &str) -> Result<IssuedPair, AuthError> {
        let claims = self.checked(TokenKind::Refresh, refresh_token)?;
        let key = session_key(&claims);
        record_session(key);

        let now = unix_now();
        let (access_jti, refresh_jti) = (Uuid::new_v4(), Uuid::new_v4());
        let pair = self.issue_pair(key, access_jti, refresh_jti, now)?;
        let rotation = Rotation {
            presented_jti: claims.jti,
            new_access_jti: access_jti,
            new_refresh_jti: refresh_jti,
            now_ms: unix_now_ms(),
            grace: self.refresh_reuse_grace,
            ttl: self.tokens.settings().refresh_ttl,
        };
        match self.stores.sessions.rotate(key, &rotation).await? {
            RotationOutcome::Rotated(_) => {
                tracing::info!("tokens rotated");
                Ok(pair)
            }
            RotationOutcome::RecentlyReplaced => Err(AuthError::invalid_token(
                "refresh token replaced moments ago (within grace)",
            )),
            RotationOutcome::Reused => {
                tracing::warn!("refresh token reused: session revoked");
                Err(AuthError::invalid_token("refresh token reused"))
            }
            RotationOutcome::Missing => Err(AuthError::invalid_token("session ended")),
        }
    }

    /// Ends the session of its current access token (expired or not) or refresh token.
    ///
    /// # Errors
    /// `InvalidToken` for a forged or replaced token, or a session that already ended.
    pub async fn logout(&self, token: &str) -> Result<(), AuthError> {
        let kind = Tokens::claimed_kind(token)
            .ok_or_else(|| AuthError::invalid_token("no known token type"))?;
        let claims = self
            .tokens
            .verify_ignoring_expiry(kind, token)
            .map_err(AuthError::invalid_token)?;
        let key = session_key(&claims);
        record_session(key);

        let token = match kind {
            TokenKind::Access => SessionToken::Access(claims.jti),
            TokenKind::Refresh => SessionToken::Refresh(claims.jti),
        };
        match self.stores.sessions.revoke(key, token).await? {
            RevokeOutcome::Revoked => {
                tracing::info!("session revoked by logout");
                Ok(())
            }
            RevokeOutcome::Replaced => Err(AuthError::invalid_token("token replaced by a refresh")),
            RevokeOutcome::Missing => Err(AuthError::invalid_token("session already ended")),
        }
    }

    fn checked(&self, kind: TokenKind, token: &str) -> Result<Claims, AuthError> {
        if token.is_empty() {
            return Err(AuthError::invalid_token("no token"));
        }
        self.tokens
            .verify(kind, token, unix_now())
            .map_err(AuthError::invalid_token)
    }

    fn issue_pair(
        &self,
        key: SessionKey,
        access_jti: Uuid,
        refresh_jti: Uuid,
        now: i64,
    ) -> Result<IssuedPair, AuthError> {
        let subject = Subject {
            user_id: key.user_id,
            session_id: key.session_id,
        };
        let sign = |kind, jti| {
            self.tokens
                .issue(kind, subject, jti, now)
                .map_err(|err| AuthError::Unexpected(anyhow::anyhow!("signing failed: {err}")))
        };
        let access = sign(TokenKind::Access, access_jti)?;
        let refresh = sign(TokenKind::Refresh, refresh_jti)?;
        Ok(IssuedPair {
            expires_in: access.expires_at - now,
            access,
            refresh,
        })
    }
}

fn session_key(claims: &Claims) -> SessionKey {
    SessionKey {
        user_id: claims.sub,
        session_id: claims.sid,
    }
}

/// Adds the ids to the RPC's span, so every later line of the call carries them.
fn record_session(key: SessionKey) {
    let span = Span::current();
    span.record("user_id", tracing::field::display(key.user_id));
    span.record("session_id", tracing::field::display(key.session_id));
}

fn unix_now() -> i64 {
    unix_now_ms() / 1000
}

fn unix_now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
