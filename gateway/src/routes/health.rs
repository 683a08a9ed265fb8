//! `GET /healthz`: 200 when both services report SERVING, else 503.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::upstream::Upstream;

const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

async fn serving(mut client: HealthClient<Channel>, service: &str) -> bool {
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    matches!(
        tokio::time::timeout(CHECK_TIMEOUT, client.check(request)).await,
        Ok(Ok(reply)) if reply.get_ref().status() == ServingStatus::Serving
    )
}

/// Asks both services' health endpoints at once.
#[utoipa::path(
    get, path = "/healthz", tag = "health",
    responses(
        (status = 200, description = "both services answer"),
        (status = 503, description = "a service does not answer"),
    )
)]
pub async fn healthz(State(upstream): State<Upstream>) -> (StatusCode, Json<Value>) {
    let (auth, todo) = tokio::join!(
        serving(upstream.auth_health.clone(), "auth.v1.AuthService"),
        serving(upstream.todo_health.clone(), "todo.v1.TodoService"),
    );
    let word = |up: bool| if up { "up" } else { "down" };
    let status = if auth && todo {
        StatusCode::OK
    } else {
        tracing::warn!(auth = word(auth), todo = word(todo), "health check failed");
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ok" } else { "degraded" },
        "auth": word(auth),
        "todo": word(todo),
    });
    (status, Json(body))
}
