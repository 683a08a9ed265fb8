//! The gateway's error type and its one mapping to HTTP: status code and `{"error": "..."}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tonic::Code;

/// Everything a route can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing, malformed, expired or revoked credentials.
    #[error("invalid or missing bearer token")]
    Unauthorized,
    /// The body, query or path is not what the route takes.
    #[error("{0}")]
    Unprocessable(String),
    #[error("expected a JSON body (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("request headers larger than {limit} bytes")]
    HeadersTooLarge { limit: usize },
    #[error("request body not received in time")]
    BodyTimeout,
    /// Too many requests in flight: shed.
    #[error("server busy, try again")]
    Busy,
    #[error("no such route")]
    RouteNotFound,
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    /// What a downstream gRPC service answered.
    #[error("{}", .0.message())]
    Upstream(tonic::Status),
    /// A downstream service took longer than the gateway waits.
    #[error("upstream timed out")]
    UpstreamTimeout,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Upstream(status) => http_status(status.code()),
        }
    }

    /// The message for the caller: downstream text only on 4xx, never on 5xx.
    fn public_message(&self) -> String {
        match self {
            Self::Upstream(status) => match http_status(status.code()) {
                StatusCode::SERVICE_UNAVAILABLE => "service temporarily unavailable".into(),
                StatusCode::GATEWAY_TIMEOUT => "upstream timed out".into(),
                code if code.is_server_error() => "internal error".into(),
                _ => status.message().to_owned(),
            },
            other => other.to_string(),
        }
    }
}

/// The contract's gRPC-to-HTTP table.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::InvalidArgument => StatusCode::UNPROCESSABLE_ENTITY,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists => StatusCode::CONFLICT,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<tonic::Status> for ApiError {
    fn from(status: tonic::Status) -> Self {
        Self::Upstream(status)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Upstream(upstream) if status.is_server_error() => tracing::warn!(
                code = ?upstream.code(), message = ?upstream.message(), "upstream failed"
            ),
            Self::UpstreamTimeout => tracing::warn!("upstream timed out"),
            // Debug formatting escapes what a client wrote (serde quotes its input).
            other => {
                tracing::debug!(error = ?other.to_string(), status = status.as_u16(), "request refused")
            }
        }

        let mut response =
            (status, Json(json!({ "error": self.public_message() }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Self::Upstream(upstream) = &self
            && let Some(wait) = upstream.metadata().get("retry-after")
            && let Ok(value) = HeaderValue::from_bytes(wait.as_bytes())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_codes_map_to_the_contracts_http_statuses() {
        let table = [
            (Code::InvalidArgument, 422),
            (Code::Unauthenticated, 401),
            (Code::PermissionDenied, 403),
            (Code::NotFound, 404),
            (Code::ResourceExhausted, 429),
            (Code::Unavailable, 503),
            (Code::DeadlineExceeded, 504),
            (Code::Internal, 500),
            (Code::Unknown, 500),
        ];
        for (code, http) in table {
            assert_eq!(http_status(code).as_u16(), http, "{code:?}");
        }
    }

    #[test]
    fn a_5xx_never_forwards_the_downstream_message() {
        for code in [Code::Unavailable, Code::Internal, Code::DeadlineExceeded] {
            let err = ApiError::Upstream(tonic::Status::new(code, "redis at 10.0.0.7 refused"));
            assert!(!err.public_message().contains("10.0.0.7"), "{code:?}");
        }
        let not_found = ApiError::Upstream(tonic::Status::not_found("todo not found"));
        assert_eq!(not_found.public_message(), "todo not found");
    }
}
