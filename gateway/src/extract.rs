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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request as HttpRequest;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Probe {
        title: String,
        completed: Option<bool>,
    }

    fn request(content_type: Option<&str>, body: Vec<u8>) -> Request {
        let mut builder = HttpRequest::post("/todo");
        if let Some(content_type) = content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        builder.body(Body::from(body)).expect("request builds")
    }

    // Fuzz target (proptest: cargo-fuzz needs a nightly toolchain this project does not have).
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        #[test]
        fn any_body_is_accepted_or_refused_with_a_4xx(
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
            content_type in proptest::option::of("(application/json|text/plain|application/x-www-form-urlencoded)(; charset=utf-8)?"),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
            let parsed = runtime.block_on(JsonBody::<Probe>::from_request(
                request(content_type.as_deref(), body),
                &(),
            ));
            if let Err(err) = parsed {
                proptest::prop_assert!(err.status().is_client_error(), "{err:?}");
            }
        }

        #[test]
        fn any_json_value_is_accepted_or_refused_with_a_4xx(text in "\\{(\"title\": ?(\"[^\"]{0,20}\"|[0-9]+|null|true))?(, ?\"completed\": ?(true|1|\"x\"))?\\}") {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
            let parsed = runtime.block_on(JsonBody::<Probe>::from_request(
                request(Some("application/json"), text.into_bytes()),
                &(),
            ));
            if let Err(err) = parsed {
                proptest::prop_assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
            }
        }
    }
}
