//! The gRPC face of the service: proto in, domain call, proto out. No rules live here.

use std::sync::Arc;

use proto::auth::v1::auth_service_server::AuthService;
use proto::auth::v1::{
    LoginRequest, LogoutRequest, LogoutResponse, Principal as PrincipalProto, RefreshRequest,
    TokenPair, VerifyRequest,
};
use secrecy::SecretString;
use tonic::{Request, Response, Status};

use crate::auth::{Authenticator, IssuedPair, Principal};

/// Serves `auth.v1.AuthService`.
#[derive(Clone)]
pub struct AuthRpc {
    auth: Arc<Authenticator>,
}

impl AuthRpc {
    pub fn new(auth: Arc<Authenticator>) -> Self {
        Self { auth }
    }
}

/// The end user's address: the gateway passes it as `x-client-addr`; a direct caller is its
/// own peer.
fn client_addr<T>(request: &Request<T>) -> Option<std::net::IpAddr> {
    request
        .metadata()
        .get("x-client-addr")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .or_else(|| request.remote_addr().map(|addr| addr.ip()))
}

fn peer<T>(request: &Request<T>) -> String {
    request
        .remote_addr()
        .map_or_else(|| "unknown".to_owned(), |addr| addr.to_string())
}

impl From<IssuedPair> for TokenPair {
    fn from(pair: IssuedPair) -> Self {
        Self {
            access_token: pair.access.token,
            refresh_token: pair.refresh.token,
            token_type: "Bearer".to_owned(),
            expires_in: pair.expires_in,
            access_expires_at: pair.access.expires_at,
            refresh_expires_at: pair.refresh.expires_at,
        }
    }
}

impl From<Principal> for PrincipalProto {
    fn from(principal: Principal) -> Self {
        Self {
            user_id: principal.user_id.to_string(),
            username: principal.username,
            phone: principal.phone,
            session_id: principal.session_id.to_string(),
            expires_at: principal.expires_at,
        }
    }
}

#[tonic::async_trait]
impl AuthService for AuthRpc {
    #[tracing::instrument(
        name = "Login",
        skip_all,
        fields(peer.addr = %peer(&request), user_id, session_id)
    )]
    async fn login(&self, request: Request<LoginRequest>) -> Result<Response<TokenPair>, Status> {
        let client = client_addr(&request);
        let LoginRequest { username, password } = request.into_inner();
        let pair = self
            .auth
            .login(&username, SecretString::from(password), client)
            .await?;
        Ok(Response::new(pair.into()))
    }

    #[tracing::instrument(
        name = "Verify",
        skip_all,
        fields(peer.addr = %peer(&request), user_id, session_id)
    )]
    async fn verify(
        &self,
        request: Request<VerifyRequest>,
    ) -> Result<Response<PrincipalProto>, Status> {
        let principal = self.auth.verify(&request.get_ref().access_token).await?;
        Ok(Response::new(principal.into()))
    }

    #[tracing::instrument(
        name = "Refresh",
        skip_all,
        fields(peer.addr = %peer(&request), user_id, session_id)
    )]
    async fn refresh(
        &self,
        request: Request<RefreshRequest>,
    ) -> Result<Response<TokenPair>, Status> {
        let pair = self.auth.refresh(&request.get_ref().refresh_token).await?;
        Ok(Response::new(pair.into()))
    }

    #[tracing::instrument(
        name = "Logout",
        skip_all,
        fields(peer.addr = %peer(&request), user_id, session_id)
    )]
    async fn logout(
        &self,
        request: Request<LogoutRequest>,
    ) -> Result<Response<LogoutResponse>, Status> {
        self.auth.logout(&request.get_ref().token).await?;
        Ok(Response::new(LogoutResponse {}))
    }
}
