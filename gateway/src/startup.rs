//! Serves the router on a listener the caller bound, so tests and the embedded mode can use
//! port 0.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::routes::router;
use crate::state::AppState;

/// Serves HTTP until `shutdown` resolves, then lets requests in flight finish.
///
/// # Errors
/// When the server fails.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "gateway listening");
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("gateway server failed")?;
    tracing::info!("gateway stopped");
    Ok(())
}
