//! Request parts the routes take, with rejections in the gateway's JSON error shape.

use axum::body::Bytes;
use std::time::Duration;

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The most bytes a request body may have.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The longest a client may take to send a body once its headers are in.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A JSON body: `Content-Type: application/json` (or `+json`), at most 64 KiB, well formed,
/// every required field present.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        // A declared length over the limit is refused before a byte is read.
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES,
            });
        }

        let read = tokio::time::timeout(BODY_READ_TIMEOUT, Bytes::from_request(request, state));
        let bytes = read.await.map_err(|_| ApiError::BodyTimeout)?.map_err(
            |rejection: BytesRejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge {
                        limit: MAX_BODY_BYTES,
                    }
                } else {
                    ApiError::Unprocessable(rejection.body_text())
                }
            },
        )?;

        if bytes.is_empty() {
            return Err(ApiError::Unprocessable("request body is empty".into()));
        }
        if is_json != Some(true) {
            return Err(ApiError::UnsupportedMediaType);
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|err| ApiError::Unprocessable(format!("invalid JSON body: {err}")))
    }
}

/// A path's `{id}`, refused as 422 (after the token check).
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| PathId(id))
            .map_err(|rejection: PathRejection| ApiError::Unprocessable(rejection.body_text()))
    }
}

/// Query parameters, refused as 422.
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|rejection: QueryRejection| ApiError::Unprocessable(rejection.body_text()))
    }
}
