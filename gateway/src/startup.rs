//! Serves the router on a listener the caller bound (port 0 in tests), with the connection
//! limits a public HTTP server needs: a cap on open connections, a deadline for request
//! headers (idle and slow clients are dropped), and a bound on header bytes.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::routes::router;
use crate::state::AppState;

/// The largest request head hyper buffers; a bigger one gets hyper's own 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Connection-level limits.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Open connections at once; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// A client must send a request's headers within this time (also idle keep-alive).
    pub header_read_timeout: Duration,
    /// Requests worked on at once; more get 503.
    pub max_in_flight: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_connections: 16_384,
            header_read_timeout: Duration::from_secs(10),
            max_in_flight: 1024,
        }
    }
}

/// Serves HTTP/1.1 and HTTP/2 until `shutdown` resolves, then lets the requests in flight
/// finish.
///
/// # Errors
/// When the listener has no address.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "gateway listening");
    let app = router(state, limits.max_in_flight);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(common::limit::MAX_HEADER_BYTES)
        .keep_alive_interval(Duration::from_secs(30));
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, say: wait instead of spinning.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            tracing::warn!(%peer, "connection refused: too many open connections");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut request: http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let builder = builder.clone();
        let deadline = limits.header_read_timeout;
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // hyper's header deadline starts with the first byte; a client that sends none
            // is dropped here.
            let mut first = [0_u8; 1];
            if !matches!(
                tokio::time::timeout(deadline, stream.peek(&mut first)).await,
                Ok(Ok(1))
            ) {
                tracing::debug!(%peer, "connection closed: nothing sent");
                return;
            }
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            if let Err(err) = watcher.watch(connection).await {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }

    drop(listener);
    graceful.shutdown().await;
    tracing::info!("gateway stopped");
    Ok(())
}
