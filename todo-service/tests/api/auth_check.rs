use std::time::{Duration, Instant};

use proto::auth::v1::auth_service_server::{AuthService, AuthServiceServer};
use proto::auth::v1::{
    LoginRequest, LogoutRequest, LogoutResponse, Principal, RefreshRequest, TokenPair,
    VerifyRequest,
};
use proto::todo::v1::CreateTodoRequest;
use testkit::RedisServer;
use tonic::{Code, Request, Response, Status};

use crate::helpers::{assert_code, auth_stack, auth_stack_with, authed, spawn_todo};

fn create(title: &str) -> Request<CreateTodoRequest> {
    Request::new(CreateTodoRequest {
        title: title.into(),
    })
}

#[tokio::test]
async fn calls_without_one_bearer_token_are_unauthenticated() {
    let stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;
    let mut client = app.client.clone();

    let mut basic = create("x");
    basic
        .metadata_mut()
        .insert("authorization", "Basic YWxpY2U6cHc=".parse().unwrap());
    let mut doubled = authed(CreateTodoRequest { title: "x".into() }, &token);
    doubled
        .metadata_mut()
        .append("authorization", format!("Bearer {token}").parse().unwrap());
    let mut garbage = create("x");
    garbage
        .metadata_mut()
        .insert("authorization", "Bearer not-a-token".parse().unwrap());
    let mut lower = create("x");
    lower.metadata_mut().insert(
        "authorization",
        format!("bearer   {token}").parse().unwrap(),
    );

    assert_code(client.create_todo(create("x")).await, Code::Unauthenticated);
    assert_code(client.create_todo(basic).await, Code::Unauthenticated);
    assert_code(client.create_todo(doubled).await, Code::Unauthenticated);
    assert_code(client.create_todo(garbage).await, Code::Unauthenticated);
    assert!(
        client.create_todo(lower).await.is_ok(),
        "scheme case and spaces are free"
    );
    assert_eq!(app.list(&token, 10, "").await.unwrap().todos.len(), 1);
}

#[tokio::test]
async fn a_revoked_token_is_unauthenticated() {
    use proto::auth::v1::auth_service_client::AuthServiceClient;
    let stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;
    assert!(app.create(&token, "before logout").await.is_ok());

    let mut auth = AuthServiceClient::connect(stack.auth_url()).await.unwrap();
    auth.logout(LogoutRequest {
        token: token.clone(),
    })
    .await
    .unwrap();

    assert_code(
        app.create(&token, "after logout").await,
        Code::Unauthenticated,
    );
}

#[tokio::test]
async fn an_expired_token_is_unauthenticated() {
    let redis = RedisServer::start().await.unwrap();
    let stack = auth_stack_with(Duration::from_secs(1), redis).await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;

    tokio::time::sleep(Duration::from_millis(1100)).await;

    assert_code(app.create(&token, "too late").await, Code::Unauthenticated);
}

#[tokio::test]
async fn health_and_reflection_need_no_token() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;
    let stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let channel = crate::helpers::channel(app.running.addr).await.unwrap();
    let mut health = HealthClient::new(channel);

    for service in ["", "todo.v1.TodoService"] {
        let request = HealthCheckRequest {
            service: service.into(),
        };
        assert!(health.check(request).await.is_ok(), "{service:?}");
    }
    let listed = testkit::grpc::services_v1alpha(app.running.addr).await;
    let listed = listed.expect("reflection answers without a token");
    assert!(
        listed.contains(&"todo.v1.TodoService".to_owned()),
        "{listed:?}"
    );
    assert!(!listed.iter().any(|s| s.starts_with("auth.")), "{listed:?}");
}

#[tokio::test]
async fn auth_service_down_fails_closed_in_bounded_time() {
    let mut stack = auth_stack().await;
    let app = spawn_todo(stack.todo_config()).await;
    let token = stack.token_for("alice").await;
    assert!(app.create(&token, "while auth is up").await.is_ok());

    stack.auth.stop().await.unwrap();
    let started = Instant::now();
    let refused = app.create(&token, "while auth is down").await;

    let status = refused.expect_err("never a pass");
    assert!(
        matches!(status.code(), Code::Unavailable | Code::DeadlineExceeded),
        "{status:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// An auth-service that takes `delay` to answer Verify, always for user `user_id`.
pub struct SlowAuth {
    pub delay: Duration,
    pub user_id: uuid::Uuid,
}

#[tonic::async_trait]
impl AuthService for SlowAuth {
    async fn login(&self, _: Request<LoginRequest>) -> Result<Response<TokenPair>, Status> {
        Err(Status::unimplemented("fake"))
    }
    async fn verify(&self, _: Request<VerifyRequest>) -> Result<Response<Principal>, Status> {
        tokio::time::sleep(self.delay).await;
        Ok(Response::new(Principal {
            user_id: self.user_id.to_string(),
            session_id: uuid::Uuid::new_v4().to_string(),
            username: "slow".into(),
            phone: "+447700900123".into(),
            expires_at: 0,
        }))
    }
    async fn refresh(&self, _: Request<RefreshRequest>) -> Result<Response<TokenPair>, Status> {
        Err(Status::unimplemented("fake"))
    }
    async fn logout(&self, _: Request<LogoutRequest>) -> Result<Response<LogoutResponse>, Status> {
        Err(Status::unimplemented("fake"))
    }
}

#[tokio::test]
async fn an_auth_service_slower_than_the_deadline_is_deadline_exceeded() {
    let stack = auth_stack().await;
    let slow_addr = spawn_slow_auth(Duration::from_secs(2), uuid::Uuid::new_v4()).await;
    let mut config = stack.todo_config();
    config.auth_service_url = format!("http://{slow_addr}");
    let app = spawn_todo(config).await;

    let started = Instant::now();
    let refused = app.create("any-token", "slow").await;

    assert_code(refused, Code::DeadlineExceeded);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

/// Starts a [`SlowAuth`] on a free port and returns its address.
pub async fn spawn_slow_auth(delay: Duration, user_id: uuid::Uuid) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(AuthServiceServer::new(SlowAuth { delay, user_id }))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    addr
}
