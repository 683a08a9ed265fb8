//! Who is calling: the bearer token checked with `AuthService.Verify` before any handler runs.
//!
//! The check sits in a tower layer ([`RequireAuth`]) around the generated server only, so
//! health and reflection stay public. It awaits a network call, which tonic's synchronous
//! interceptors cannot do. It fails closed: no answer from auth-service is never a pass.

mod layer;

use std::time::Duration;

use http::HeaderMap;
use proto::auth::v1::VerifyRequest;
use proto::auth::v1::auth_service_client::AuthServiceClient;
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use uuid::Uuid;

pub use self::layer::{RequireAuth, RequireAuthLayer};
use crate::error::AuthCheckError;

/// The verified caller, handed to handlers through request extensions.
#[derive(Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub username: String,
    /// E.164.
    pub phone: String,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .field("phone", &common::phone::mask(&self.phone))
            .finish_non_exhaustive()
    }
}

/// Checks tokens with auth-service over one shared, lazily connected channel.
#[derive(Clone)]
pub struct Verifier {
    client: AuthServiceClient<Channel>,
    deadline: Duration,
}

impl Verifier {
    /// A verifier for the auth-service at `url`; connects on first use and reconnects alone.
    ///
    /// # Errors
    /// When `url` is not a valid URI.
    pub fn new(url: &str, deadline: Duration) -> anyhow::Result<Self> {
        let endpoint = Endpoint::from_shared(url.to_owned())
            .map_err(|err| anyhow::anyhow!("AUTH_SERVICE_URL `{url}` is not valid: {err}"))?
            .connect_timeout(deadline)
            .tcp_nodelay(true);
        Ok(Self {
            client: AuthServiceClient::new(endpoint.connect_lazy()),
            deadline,
        })
    }

    /// The caller behind the request's bearer token.
    ///
    /// # Errors
    /// [`AuthCheckError`]: unauthenticated, auth-service unavailable, or too slow.
    pub async fn verify(&self, headers: &HeaderMap) -> Result<Caller, AuthCheckError> {
        let token = common::bearer::bearer_token(headers)?;
        let mut request = tonic::Request::new(VerifyRequest {
            access_token: token.to_owned(),
        });
        request.set_timeout(self.deadline);
        if let Some(id) = headers.get("x-request-id")
            && let Ok(value) = MetadataValue::try_from(id.as_bytes())
        {
            request.metadata_mut().insert("x-request-id", value);
        }

        let answer = tokio::time::timeout(self.deadline, self.client.clone().verify(request))
            .await
            .map_err(|_| AuthCheckError::DeadlineExceeded)?;
        let principal = match answer {
            Ok(response) => response.into_inner(),
            Err(status) => return Err(refusal(&status)),
        };
        let parse = |id: &str| {
            Uuid::parse_str(id).map_err(|_| AuthCheckError::Unavailable {
                reason: "auth-service returned a malformed principal".into(),
            })
        };
        Ok(Caller {
            user_id: parse(&principal.user_id)?,
            session_id: parse(&principal.session_id)?,
            username: principal.username,
            phone: principal.phone,
        })
    }
}

/// What a failed Verify means here: only `UNAUTHENTICATED` blames the caller.
fn refusal(status: &tonic::Status) -> AuthCheckError {
    match status.code() {
        Code::Unauthenticated => AuthCheckError::Unauthenticated {
            reason: "auth-service refused the token".into(),
        },
        // tonic's client cancels a call that outlives its `grpc-timeout`: our deadline.
        Code::DeadlineExceeded | Code::Cancelled => AuthCheckError::DeadlineExceeded,
        code => AuthCheckError::Unavailable {
            reason: format!("verify failed with {code:?}"),
        },
    }
}
