//! `POST /login`, `POST /logout`, `POST /token/refresh` (and `/refresh`): sessions.

use axum::Json;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use proto::auth::v1::{LoginRequest, LogoutRequest, RefreshRequest, TokenPair};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::bearer;
use tonic::metadata::MetadataValue;

use crate::client_addr::TrustedProxies;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::ErrorBody;
use crate::upstream::{Upstream, grpc_request};

#[derive(Deserialize, ToSchema)]
#[serde(expecting = "a JSON object with a username and a password")]
pub struct LoginBody {
    username: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(expecting = "a JSON object with a refresh_token")]
pub struct RefreshBody {
    refresh_token: String,
}

/// A token pair as JSON, with the tutorial's field names.
#[derive(Serialize, ToSchema)]
pub struct TokenPairBody {
    access_token: String,
    refresh_token: String,
    token_type: String,
    expires_in: i64,
    access_expires_at: i64,
    refresh_expires_at: i64,
}

impl From<TokenPair> for TokenPairBody {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: pair.token_type,
            expires_in: pair.expires_in,
            access_expires_at: pair.access_expires_at,
            refresh_expires_at: pair.refresh_expires_at,
        }
    }
}

/// `POST /login`: 200 with a token pair.
#[utoipa::path(
    post, path = "/login", tag = "session", request_body = LoginBody,
    responses(
        (status = 200, description = "logged in", body = TokenPairBody),
        (status = 401, description = "wrong username or password", body = ErrorBody),
        (status = 422, description = "malformed body or missing field", body = ErrorBody),
        (status = 429, description = "too many failed logins; see Retry-After", body = ErrorBody),
        (status = 503, description = "a service is down", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(upstream): State<Upstream>,
    State(proxies): State<TrustedProxies>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Json<TokenPairBody>, ApiError> {
    let message = LoginRequest {
        username: body.username,
        password: body.password,
    };
    let mut request = grpc_request(message, &headers, None);
    // auth-service throttles failed logins per client address.
    let client = proxies.client(peer.ip(), &headers);
    if let Ok(value) = MetadataValue::try_from(client.to_string()) {
        request.metadata_mut().insert("x-client-addr", value);
    }
    let pair = upstream.call(upstream.auth.clone().login(request)).await?;
    Ok(Json(pair.into()))
}

/// `POST /logout`: ends the session of the bearer token.
#[utoipa::path(
    post, path = "/logout", tag = "session", security(("bearer" = [])),
    responses(
        (status = 200, description = "logged out"),
        (status = 401, description = "missing, replaced or revoked token", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn logout(
    State(upstream): State<Upstream>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let token = bearer(&headers)?;
    let request = LogoutRequest {
        token: token.to_owned(),
    };
    upstream
        .call(
            upstream
                .auth
                .clone()
                .logout(grpc_request(request, &headers, None)),
        )
        .await?;
    Ok(Json(json!({ "message": "Successfully logged out" })))
}

/// `POST /token/refresh` (also `POST /refresh`): 201 with a new pair; the old one stops
/// working.
#[utoipa::path(
    post, path = "/token/refresh", tag = "session", request_body = RefreshBody,
    responses(
        (status = 201, description = "a new token pair", body = TokenPairBody),
        (status = 401, description = "invalid, replaced or revoked refresh token", body = ErrorBody),
        (status = 422, description = "malformed body or missing field", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn refresh(
    State(upstream): State<Upstream>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RefreshBody>,
) -> Result<(StatusCode, Json<TokenPairBody>), ApiError> {
    let request = RefreshRequest {
        refresh_token: body.refresh_token,
    };
    let pair = upstream
        .call(
            upstream
                .auth
                .clone()
                .refresh(grpc_request(request, &headers, None)),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(pair.into())))
}
