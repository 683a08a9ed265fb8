//! What every gRPC server here shares: request-id spans, the metadata size limit, the
//! in-flight cap, health, and reflection in both protocol versions (grpcurl 1.8 speaks only
//! v1alpha), served on a listener the caller bound.

use std::future::Future;

use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::transport::Server;
use tonic::transport::server::{Router, TcpIncoming};
use tonic_health::server::HealthReporter;
use tonic_reflection::server::Builder;
use tower::layer::util::{Identity, Stack};

use crate::limit::{InFlightLimitLayer, MAX_HEADER_BYTES, grpc_in_flight_limit};

/// The layers of every server: the in-flight cap.
pub type ServerLayers = Stack<InFlightLimitLayer<fn() -> http::Response<Body>>, Identity>;

fn reflection(descriptor_set: &'static [u8]) -> Builder<'static> {
    Builder::configure()
        .register_encoded_file_descriptor_set(descriptor_set)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
}

/// A server with health and reflection (for `descriptor_set`) already added; the caller adds
/// its own service and marks it serving with the returned reporter.
///
/// # Errors
/// When the descriptor set cannot be decoded.
pub fn router(
    max_in_flight: usize,
    descriptor_set: &'static [u8],
) -> Result<(HealthReporter, Router<ServerLayers>), tonic_reflection::server::Error> {
    let (health, health_service) = tonic_health::server::health_reporter();
    let router = Server::builder()
        .trace_fn(crate::telemetry::grpc_span)
        .http2_max_header_list_size(MAX_HEADER_BYTES)
        .layer(grpc_in_flight_limit(max_in_flight))
        .add_service(health_service)
        .add_service(reflection(descriptor_set).build_v1()?)
        .add_service(reflection(descriptor_set).build_v1alpha()?);
    Ok((health, router))
}

/// Serves `router` on `listener` (no Nagle delay) until `shutdown` resolves.
///
/// # Errors
/// When the server fails.
pub async fn serve(
    router: Router<ServerLayers>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), tonic::transport::Error> {
    router
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await
}
