//! Builds the service from its [`Config`] and serves it on a listener the caller bound, so
//! tests and the embedded mode can use port 0.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use proto::auth::v1::auth_service_server::AuthServiceServer;
use tokio::net::TcpListener;

use crate::auth::Authenticator;
use crate::config::{Config, StoreConfig};
use crate::grpc::AuthRpc;
use crate::password::Passwords;
use crate::store::Stores;
use crate::token::Tokens;

/// Connects the store named by the configuration.
///
/// # Errors
/// When the Redis URL is invalid.
pub async fn connect_stores(store: &StoreConfig) -> anyhow::Result<Stores> {
    match store {
        StoreConfig::Memory => {
            tracing::warn!("in-memory store: users and sessions are lost on exit");
            Ok(Stores::in_memory())
        }
        StoreConfig::Redis {
            settings,
            key_prefix,
        } => {
            let pool = common::redis::connect(settings).await?;
            Ok(Stores::redis(pool, key_prefix))
        }
    }
}

/// The service, built and ready to serve.
pub struct App {
    pub auth: Arc<Authenticator>,
    max_in_flight: usize,
}

/// Builds the domain service: signer, hasher and stores.
///
/// # Errors
/// On a bad secret or algorithm, or an invalid store URL.
pub async fn build(config: &Config, stores: Stores) -> anyhow::Result<App> {
    let tokens = Tokens::new(
        config.tokens.clone(),
        &config.access_secret,
        &config.refresh_secret,
    )
    .context("invalid token settings")?;
    let passwords = Passwords::new(config.password_hash_concurrency, config.password_hash_wait)?;
    let auth = Authenticator::new(
        tokens,
        passwords,
        stores,
        config.refresh_reuse_grace,
        config.throttle.clone(),
    );
    Ok(App {
        auth: Arc::new(auth),
        max_in_flight: config.max_in_flight,
    })
}

/// Serves `AuthService`, health and reflection (v1 and v1alpha) until `shutdown` resolves.
///
/// # Errors
/// When the server fails.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let (health, router) = common::grpc::router(app.max_in_flight, proto::AUTH_DESCRIPTOR_SET)?;
    health.set_serving::<AuthServiceServer<AuthRpc>>().await;
    let auth = AuthServiceServer::new(AuthRpc::new(app.auth))
        .max_decoding_message_size(common::limit::MAX_GRPC_MESSAGE_BYTES);

    let addr = listener.local_addr()?;
    tracing::info!(%addr, "auth-service listening");
    common::grpc::serve(router.add_service(auth), listener, shutdown)
        .await
        .context("auth-service server failed")?;
    tracing::info!("auth-service stopped");
    Ok(())
}
