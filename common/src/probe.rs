//! Health probes for container health checks: `auth-service health`, `todo-service health`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// The address to probe a server that listens on `listen`: loopback for a wildcard address.
pub fn local(listen: SocketAddr) -> SocketAddr {
    let mut addr = listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    addr
}

/// Succeeds when the gRPC server at `addr` reports `service` as SERVING within `timeout`.
///
/// # Errors
/// When it cannot be reached, is too slow, or reports another status.
pub async fn grpc_serving(
    addr: SocketAddr,
    service: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    let check = async {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
            .connect()
            .await
            .with_context(|| format!("cannot connect to {addr}"))?;
        let request = HealthCheckRequest {
            service: service.to_owned(),
        };
        let reply = HealthClient::new(channel)
            .check(request)
            .await?
            .into_inner();
        if reply.status() != ServingStatus::Serving {
            bail!("{service} is {:?}", reply.status());
        }
        Ok(())
    };
    tokio::time::timeout(timeout, check)
        .await
        .with_context(|| format!("no health answer from {addr} within {timeout:?}"))?
}
