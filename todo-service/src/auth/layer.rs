//! The tower layer that runs the auth check before the wrapped gRPC service.

use std::convert::Infallible;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tonic::body::Body;
use tonic::server::NamedService;
use tower::{Layer, Service};

use super::Verifier;

/// Wraps a service in [`RequireAuth`].
#[derive(Clone)]
pub struct RequireAuthLayer {
    verifier: Verifier,
}

impl RequireAuthLayer {
    pub fn new(verifier: Verifier) -> Self {
        Self { verifier }
    }
}

impl<S> Layer<S> for RequireAuthLayer {
    type Service = RequireAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireAuth {
            inner,
            verifier: self.verifier.clone(),
        }
    }
}

/// Answers `UNAUTHENTICATED`/`UNAVAILABLE`/`DEADLINE_EXCEEDED` itself unless the caller is
/// verified; then puts the [`super::Caller`] in the request's extensions and calls `inner`.
#[derive(Clone)]
pub struct RequireAuth<S> {
    inner: S,
    verifier: Verifier,
}

impl<S> Service<http::Request<Body>> for RequireAuth<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        // The clone may not be ready; keep the one that was polled ready for this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = self.verifier.clone();

        Box::pin(async move {
            match verifier.verify(request.headers()).await {
                Ok(caller) => {
                    request.extensions_mut().insert(caller);
                    inner.call(request).await
                }
                Err(refusal) => Ok(tonic::Status::from(refusal).into_http()),
            }
        })
    }
}

impl<S: NamedService> NamedService for RequireAuth<S> {
    const NAME: &'static str = S::NAME;
}
