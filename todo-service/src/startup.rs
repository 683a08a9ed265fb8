//! Builds the service from its [`Config`] and serves it on a listener the caller bound, so
//! tests and the embedded mode can use port 0. The SMS worker runs beside the server and
//! stops with it.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use proto::todo::v1::todo_service_server::TodoServiceServer;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::actions::Todos;
use crate::auth::{RequireAuthLayer, Verifier};
use crate::config::{Config, StoreConfig};
use crate::delivery::SmsWorker;
use crate::grpc::TodoRpc;
use crate::keys::Keys;
use crate::outbox::{MemoryOutbox, Outbox, RedisOutbox};
use crate::sms::Vonage;
use crate::todos::{MemoryTodos, RedisTodos, TodoStore};

/// The service, built and ready to serve.
pub struct App {
    pub todos: Arc<Todos>,
    pub outbox: Arc<dyn Outbox>,
    verifier: Verifier,
    worker: Option<SmsWorker>,
    max_in_flight: usize,
}

/// Connects the store, the auth-service client and, with credentials, the SMS worker.
///
/// # Errors
/// On an invalid URL or an HTTP client that cannot be built.
pub async fn build(config: &Config) -> anyhow::Result<App> {
    let (store, outbox): (Arc<dyn TodoStore>, Arc<dyn Outbox>) = match &config.store {
        StoreConfig::Memory => {
            tracing::warn!("in-memory store: todos and queued sms are lost on exit");
            let outbox = Arc::new(MemoryOutbox::default());
            (Arc::new(MemoryTodos::new(Arc::clone(&outbox))), outbox)
        }
        StoreConfig::Redis {
            settings,
            key_prefix,
        } => {
            let pool = common::redis::connect(settings).await?;
            let keys = Keys::new(key_prefix);
            let poll = config
                .sms
                .as_ref()
                .map_or(std::time::Duration::from_millis(250), |s| {
                    s.worker.poll_interval
                });
            (
                Arc::new(RedisTodos::new(pool.clone(), keys.clone())),
                Arc::new(RedisOutbox::new(pool, keys, poll)),
            )
        }
    };

    let worker = match &config.sms {
        Some(sms) => {
            let vonage = Vonage::new(sms.vonage.clone())?;
            tracing::info!(endpoint = %sms.vonage.api_url, "sms on: a todo queues a text to its owner");
            Some(SmsWorker::new(
                Arc::clone(&outbox),
                vonage,
                sms.worker.clone(),
            ))
        }
        None => {
            tracing::info!("sms off: VONAGE_API_KEY and VONAGE_API_SECRET are not set");
            None
        }
    };

    Ok(App {
        todos: Arc::new(Todos::new(store, worker.is_some())),
        outbox,
        verifier: Verifier::new(&config.auth_service_url, config.auth_timeout)?,
        worker,
        max_in_flight: config.max_in_flight,
    })
}

/// Serves `TodoService` behind the auth check, plus health and reflection, until `shutdown`
/// resolves; then stops the SMS worker after its current attempts.
///
/// # Errors
/// When the server fails.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let stop_worker = CancellationToken::new();
    let worker = app
        .worker
        .map(|worker| tokio::spawn(worker.run(stop_worker.clone())));

    let (health, router) = common::grpc::router(app.max_in_flight, proto::TODO_DESCRIPTOR_SET)?;
    health.set_serving::<TodoServiceServer<TodoRpc>>().await;
    let todos = tower::ServiceBuilder::new()
        .layer(RequireAuthLayer::new(app.verifier))
        .service(
            TodoServiceServer::new(TodoRpc::new(app.todos))
                .max_decoding_message_size(common::limit::MAX_GRPC_MESSAGE_BYTES),
        );

    let addr = listener.local_addr()?;
    tracing::info!(%addr, "todo-service listening");
    let served = common::grpc::serve(router.add_service(todos), listener, shutdown)
        .await
        .context("todo-service server failed");

    stop_worker.cancel();
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    tracing::info!("todo-service stopped");
    served
}
