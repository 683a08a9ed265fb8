//! Load shedding: a cap on the requests a service works on at once. A request over the cap
//! is answered at once with the caller's "busy" response (gRPC `UNAVAILABLE`, HTTP 503)
//! instead of waiting in an unbounded queue.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::{BoxFuture, FutureExt};
use tokio::sync::Semaphore;
use tower::{Layer, Service};

/// The largest gRPC message a service decodes (a login or a todo is far smaller).
pub const MAX_GRPC_MESSAGE_BYTES: usize = 64 * 1024;
/// The most header (gRPC: metadata) bytes a request may carry.
pub const MAX_HEADER_BYTES: u32 = 16 * 1024;

/// The in-flight cap of a tonic server: `UNAVAILABLE` past `max`.
pub fn grpc_in_flight_limit(
    max: usize,
) -> InFlightLimitLayer<fn() -> http::Response<tonic::body::Body>> {
    fn busy() -> http::Response<tonic::body::Body> {
        tonic::Status::unavailable("server busy, try again").into_http()
    }
    InFlightLimitLayer::new(max, busy)
}

/// Wraps services in [`InFlightLimit`].
#[derive(Clone)]
pub struct InFlightLimitLayer<F> {
    permits: Arc<Semaphore>,
    busy: F,
}

impl<F> InFlightLimitLayer<F> {
    /// At most `max` requests at once; `busy` makes the answer to any more.
    pub fn new(max: usize, busy: F) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max.max(1))),
            busy,
        }
    }
}

impl<S, F: Clone> Layer<S> for InFlightLimitLayer<F> {
    type Service = InFlightLimit<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        InFlightLimit {
            inner,
            permits: Arc::clone(&self.permits),
            busy: self.busy.clone(),
        }
    }
}

/// Sheds requests beyond the cap shared by every clone.
#[derive(Clone)]
pub struct InFlightLimit<S, F> {
    inner: S,
    permits: Arc<Semaphore>,
    busy: F,
}

impl<S, F, ReqBody, ResBody> Service<http::Request<ReqBody>> for InFlightLimit<S, F>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: Send + 'static,
    F: Fn() -> http::Response<ResBody>,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            tracing::warn!("request shed: too many in flight");
            let busy = (self.busy)();
            return futures_util::future::ready(Ok(busy)).boxed();
        };
        let response = self.inner.call(request);
        async move {
            let answer = response.await;
            drop(permit);
            answer
        }
        .boxed()
    }
}
