//! The gRPC clients of auth-service and todo-service: one shared, lazily connected channel
//! each, every call bounded by a timeout, credentials and request id passed on as metadata.

use std::future::Future;
use std::time::Duration;

use axum::http::HeaderMap;
use proto::auth::v1::auth_service_client::AuthServiceClient;
use proto::todo::v1::todo_service_client::TodoServiceClient;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_client::HealthClient;

use crate::error::ApiError;

/// Clients of the two services, cheap to clone (they share their channels).
#[derive(Clone)]
pub struct Upstream {
    pub auth: AuthServiceClient<Channel>,
    pub todos: TodoServiceClient<Channel>,
    pub auth_health: HealthClient<Channel>,
    pub todo_health: HealthClient<Channel>,
    pub timeout: Duration,
}

fn channel(name: &str, url: &str, timeout: Duration) -> anyhow::Result<Channel> {
    let endpoint = Endpoint::from_shared(url.to_owned())
        .map_err(|err| anyhow::anyhow!("{name} `{url}` is not a valid URL: {err}"))?
        .connect_timeout(timeout)
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30));
    Ok(endpoint.connect_lazy())
}

impl Upstream {
    /// Clients for the services at these URLs; they connect on first use.
    ///
    /// # Errors
    /// When a URL is invalid.
    pub fn new(auth_url: &str, todo_url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let auth = channel("AUTH_SERVICE_URL", auth_url, timeout)?;
        let todos = channel("TODO_SERVICE_URL", todo_url, timeout)?;
        Ok(Self {
            auth: AuthServiceClient::new(auth.clone()),
            todos: TodoServiceClient::new(todos.clone()),
            auth_health: HealthClient::new(auth),
            todo_health: HealthClient::new(todos),
            timeout,
        })
    }

    /// Runs one call within the timeout.
    ///
    /// # Errors
    /// The call's status as an [`ApiError`], or [`ApiError::UpstreamTimeout`].
    pub async fn call<T>(
        &self,
        call: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<T, ApiError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(response)) => Ok(response.into_inner()),
            Ok(Err(status)) => Err(ApiError::Upstream(status)),
            Err(_) => Err(ApiError::UpstreamTimeout),
        }
    }
}

/// A gRPC request carrying the caller's request id (and bearer token, when given).
pub fn grpc_request<T>(message: T, headers: &HeaderMap, token: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let metadata = request.metadata_mut();
    if let Some(id) = headers.get(crate::request_id::HEADER)
        && let Ok(value) = MetadataValue::try_from(id.as_bytes())
    {
        metadata.insert(crate::request_id::HEADER, value);
    }
    if let Some(token) = token
        && let Ok(mut value) = MetadataValue::try_from(format!("Bearer {token}"))
    {
        value.set_sensitive(true);
        metadata.insert("authorization", value);
    }
    request
}
