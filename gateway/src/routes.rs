//! The HTTP routes and the router that holds them, with its request-id, tracing and
//! body-limit layers.

pub(crate) mod health;
pub(crate) mod session;
pub(crate) mod todos;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, Request};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use common::limit::InFlightLimitLayer;
use tower::ServiceBuilder;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use crate::request_id::{self, MakeUuid};
use crate::state::AppState;
use crate::upstream::{Upstream, grpc_request};

/// Every route of the gateway, ready to serve.
pub fn router(state: AppState, max_in_flight: usize) -> Router {
    let header = http::HeaderName::from_static(request_id::HEADER);
    let busy = || ApiError::Busy.into_response();
    Router::new()
        .route("/login", post(session::login))
        .route("/logout", post(session::logout))
        .route("/token/refresh", post(session::refresh))
        .route("/refresh", post(session::refresh))
        .route("/todo", post(todos::create))
        .route("/todos", get(todos::list).post(todos::create))
        .route(
            "/todos/{id}",
            get(todos::get).patch(todos::update).delete(todos::delete),
        )
        .route("/healthz", get(health::healthz))
        .route("/openapi.json", get(crate::openapi::openapi_json))
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            // Outermost first: every answer, a shed or refused one included, has an id and
            // is traced.
            ServiceBuilder::new()
                .map_request(request_id::drop_insane)
                .layer(SetRequestIdLayer::new(header.clone(), MakeUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(span_for)
                        .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
                )
                .layer(PropagateRequestIdLayer::new(header))
                .layer(axum::middleware::from_fn(refuse_large_headers))
                .layer(InFlightLimitLayer::new(max_in_flight, busy)),
        )
}

/// 431 for a request whose headers add up to more than the limit.
async fn refuse_large_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    let limit = common::limit::MAX_HEADER_BYTES as usize;
    if bytes > limit {
        return ApiError::HeadersTooLarge { limit }.into_response();
    }
    next.run(request).await
}

/// The span every log line of a request sits in.
fn span_for<B>(request: &Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get(request_id::HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "http",
        request_id = %id,
        http.method = %request.method(),
        http.route = %request.uri().path(),
    )
}

/// The request's bearer token, or 401 before anything else is looked at.
fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    common::bearer::bearer_token(headers).map_err(|reason| {
        tracing::info!(%reason, "request refused: no usable bearer token");
        ApiError::Unauthorized
    })
}

/// Gives `parsed` back, unless the token is bad: a bad token with a bad body is a 401, so
/// the body's problem is only told to a caller who is authenticated.
async fn authenticated<T>(
    upstream: &Upstream,
    headers: &HeaderMap,
    token: &str,
    parsed: Result<T, ApiError>,
) -> Result<T, ApiError> {
    let problem = match parsed {
        Ok(value) => return Ok(value),
        Err(problem) => problem,
    };
    let check = proto::auth::v1::VerifyRequest {
        access_token: token.to_owned(),
    };
    upstream
        .call(
            upstream
                .auth
                .clone()
                .verify(grpc_request(check, headers, None)),
        )
        .await?;
    Err(problem)
}
