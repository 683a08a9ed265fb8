//! Stopping: Ctrl-C or SIGTERM (as sent by `docker stop` and Kubernetes) starts a graceful
//! shutdown, which gets a bounded time to finish the requests in flight.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::watch;

/// A future that resolves when the server should stop accepting work.
pub type StopSignal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Resolves on the first Ctrl-C or SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received");
}

/// Runs the server that `serve` builds until it ends by itself or a signal arrives; after a
/// signal the server gets `grace` to finish its requests in flight, then the process goes on
/// regardless.
///
/// # Errors
/// The server's own error.
pub async fn serve_until_signal<F, Fut>(serve: F, grace: Duration) -> anyhow::Result<()>
where
    F: FnOnce(StopSignal) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let (stop, mut stopped) = watch::channel(false);
    let stop_signal: StopSignal = Box::pin(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    });
    let mut server = tokio::spawn(serve(stop_signal));

    tokio::select! {
        joined = &mut server => return joined.context("server task failed")?,
        () = signal() => {}
    }
    let _ = stop.send(true);
    match tokio::time::timeout(grace, server).await {
        Ok(joined) => joined.context("server task failed")?,
        Err(_) => {
            tracing::warn!(
                grace_s = grace.as_secs(),
                "requests still in flight after the grace period; exiting"
            );
            Ok(())
        }
    }
}
