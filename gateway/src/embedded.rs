//! The embedded mode: auth-service, todo-service and the gateway in one process, talking gRPC
//! over loopback, so one command runs the whole system.

use std::net::SocketAddr;

use anyhow::Context;
use auth_service::accounts::{self, AccountError};
use auth_service::password::Passwords;
use rand::Rng;
use todo_service::config::{Config as TodoConfig, StoreConfig as TodoStore};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{EmbeddedArgs, GatewayArgs};
use crate::upstream::Upstream;

const DEMO_USER: &str = "username";
const DEMO_PASSWORD: &str = "password";

/// Runs the three services until `shutdown` resolves.
///
/// # Errors
/// When a service cannot start.
pub async fn run(
    gateway: &GatewayArgs,
    args: &EmbeddedArgs,
    limits: crate::startup::HttpLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let wait = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    };
    let (auth_addr, auth) = start_auth(args, wait()).await?;
    let (todo_addr, todo) = start_todo(args, auth_addr, wait()).await?;

    let listener = TcpListener::bind(gateway.gateway_listen_addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on GATEWAY_LISTEN_ADDR {}",
                gateway.gateway_listen_addr
            )
        })?;
    let http_addr = listener.local_addr()?;
    let upstream = Upstream::new(
        &format!("http://{auth_addr}"),
        &format!("http://{todo_addr}"),
        gateway.upstream_timeout,
    )?;
    println!(
        "\nThe whole system is up: gateway http://{http_addr}, auth-service {auth_addr}, \
         todo-service {todo_addr}.\nLog in as the demo user:\n  curl -s -X POST \
         http://{http_addr}/login -H 'Content-Type: application/json' \
         -d '{{\"username\":\"{DEMO_USER}\",\"password\":\"{DEMO_PASSWORD}\"}}'\n"
    );

    let state = crate::state::AppState::new(upstream, gateway.trusted_proxies.clone());
    let served = crate::startup::serve(listener, state, limits, async move {
        shutdown.await;
        let _ = stop.send(true);
    })
    .await;
    // The gateway has stopped; let the two services finish too.
    let _ = tokio::join!(todo, auth);
    served
}

async fn start_auth(
    args: &EmbeddedArgs,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let mut serve_args = args.auth.clone();
    if serve_args.access_secret.is_none() || serve_args.refresh_secret.is_none() {
        tracing::warn!("embedded mode: random token secrets; tokens die with this process");
        serve_args.access_secret = Some(random_secret());
        serve_args.refresh_secret = Some(random_secret());
    }
    let mut config = auth_service::config::Config::from_args(&serve_args)?;
    if args.auth.store.redis.url().is_none() {
        config.store = auth_service::config::StoreConfig::Memory;
    }

    let stores = auth_service::startup::connect_stores(&config.store).await?;
    let passwords = Passwords::new(1, std::time::Duration::from_secs(30))?;
    match accounts::add_user(
        &stores,
        &passwords,
        DEMO_USER,
        &args.demo_phone,
        DEMO_PASSWORD.into(),
    )
    .await
    {
        Ok(_) | Err(AccountError::Taken(_)) => tracing::warn!(
            username = DEMO_USER,
            "embedded mode: the demo user exists with the tutorial's well-known password"
        ),
        Err(err) => return Err(err).context("cannot create the demo user"),
    }

    let auth = auth_service::startup::build(&config, stores).await?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("cannot listen on AUTH_LISTEN_ADDR {}", config.listen_addr))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(err) = auth_service::startup::serve(listener, auth, shutdown).await {
            tracing::error!(error = ?err, "auth-service failed");
        }
    });
    Ok((addr, task))
}

async fn start_todo(
    args: &EmbeddedArgs,
    auth_addr: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let redis = &args.auth.store.redis;
    let store = match redis.url() {
        Some(url) => TodoStore::Redis {
            settings: redis.settings(url),
            key_prefix: args.todo_key_prefix.clone(),
        },
        None => TodoStore::Memory,
    };
    let config = TodoConfig {
        listen_addr: args.todo_listen_addr,
        auth_service_url: format!("http://{auth_addr}"),
        auth_timeout: std::time::Duration::from_secs(1),
        max_in_flight: args.auth.server.max_in_flight,
        store,
        sms: args.sms.sms_config(),
    };
    let app = todo_service::startup::build(&config).await?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("cannot listen on TODO_LISTEN_ADDR {}", config.listen_addr))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(err) = todo_service::startup::serve(listener, app, shutdown).await {
            tracing::error!(error = ?err, "todo-service failed");
        }
    });
    Ok((addr, task))
}

/// 48 random bytes as URL-safe text (64 characters).
fn random_secret() -> String {
    let bytes: [u8; 48] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
