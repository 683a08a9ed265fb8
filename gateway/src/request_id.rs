//! Request ids: taken from `x-request-id` when the caller sends a sane one, made otherwise,
//! returned in the response, put on every log line of the request, passed on to gRPC.

use axum::http::{HeaderValue, Request};
use common::telemetry::is_printable_id;
use tower_http::request_id::{MakeRequestId, RequestId};

/// The header (and gRPC metadata key) that carries the id.
pub const HEADER: &str = "x-request-id";

/// Makes a UUIDv4 id for a request that came without a usable one.
#[derive(Clone, Copy, Default)]
pub struct MakeUuid;

impl MakeRequestId for MakeUuid {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let id = uuid::Uuid::new_v4().to_string();
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// Whether a caller's id is fit to log and pass on (see [`is_printable_id`]).
pub fn is_sane(value: &HeaderValue) -> bool {
    value.to_str().is_ok_and(is_printable_id)
}

/// Drops an unusable caller id, so [`MakeUuid`] replaces it.
pub fn drop_insane<B>(mut request: Request<B>) -> Request<B> {
    if request
        .headers()
        .get(HEADER)
        .is_some_and(|value| !is_sane(value))
    {
        request.headers_mut().remove(HEADER);
    }
    request
}
