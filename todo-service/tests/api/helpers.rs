use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_service::config::{Config as AuthConfig, StoreConfig as AuthStore};
use auth_service::password::Passwords;
use auth_service::store::Stores;
use auth_service::token::TokenSettings;
use common::redis::RedisSettings;
use jsonwebtoken::Algorithm;
use proto::auth::v1::LoginRequest;
use proto::auth::v1::auth_service_client::AuthServiceClient;
use proto::todo::v1::todo_service_client::TodoServiceClient;
use proto::todo::v1::{CreateTodoRequest, ListTodosRequest, ListTodosResponse, Todo};
use testkit::RedisServer;
use todo_service::config::{Config, SmsConfig, StoreConfig};
use todo_service::delivery::{RetryPolicy, WorkerSettings};
use todo_service::outbox::Outbox;
use todo_service::sms::VonageSettings;
use tonic::Status;
use tonic::transport::Channel;
use wiremock::MockServer;

pub const PASSWORD: &str = "correct horse battery";
pub const VONAGE_KEY: &str = "vonage-key";
pub const VONAGE_SECRET: &str = "vonage-secret";

pub use testkit::Running;

pub fn redis_settings(redis: &RedisServer) -> RedisSettings {
    RedisSettings {
        url: redis.url(),
        timeout: Duration::from_millis(500),
        pool_size: 2,
    }
}

/// A private Redis and an auth-service on it, with users to log in as.
pub struct AuthStack {
    pub redis: RedisServer,
    pub auth: Running,
    stores: Stores,
}

pub async fn auth_stack() -> AuthStack {
    let redis = RedisServer::start().await.unwrap();
    auth_stack_with(Duration::from_secs(900), redis).await
}

pub async fn auth_stack_with(access_ttl: Duration, redis: RedisServer) -> AuthStack {
    let config = AuthConfig {
        listen_addr: "127.0.0.1:0".parse().unwrap(),
        access_secret: "todo-tests-access-secret-0123456789".into(),
        refresh_secret: "todo-tests-refresh-secret-0123456789".into(),
        tokens: TokenSettings {
            algorithm: Algorithm::HS256,
            issuer: "auth-service".into(),
            audience: "todo-app".into(),
            access_ttl,
            refresh_ttl: Duration::from_secs(3600),
        },
        refresh_reuse_grace: Duration::from_secs(10),
        throttle: auth_service::throttle::ThrottleSettings::default(),
        password_hash_concurrency: 2,
        password_hash_wait: Duration::from_secs(10),
        max_in_flight: 1024,
        store: AuthStore::Redis {
            settings: redis_settings(&redis),
            key_prefix: "auth".into(),
        },
    };
    let stores = auth_service::startup::connect_stores(&config.store)
        .await
        .unwrap();
    let authenticator = auth_service::startup::build(&config, stores.clone())
        .await
        .unwrap();
    let auth = Running::spawn(|listener, stop| {
        auth_service::startup::serve(listener, authenticator, stop)
    })
    .await
    .unwrap();
    AuthStack {
        redis,
        auth,
        stores,
    }
}

impl AuthStack {
    pub fn auth_url(&self) -> String {
        format!("http://{}", self.auth.addr)
    }

    /// Adds `username` and returns an access token of theirs.
    pub async fn token_for(&self, username: &str) -> String {
        let passwords = Passwords::new(1, Duration::from_secs(10)).unwrap();
        let _ = auth_service::accounts::add_user(
            &self.stores,
            &passwords,
            username,
            "+44 7700 900123",
            PASSWORD.into(),
        )
        .await;
        let mut client = AuthServiceClient::connect(self.auth_url()).await.unwrap();
        let request = LoginRequest {
            username: username.into(),
            password: PASSWORD.into(),
        };
        client
            .login(request)
            .await
            .unwrap()
            .into_inner()
            .access_token
    }

    /// Settings for a todo-service on this stack's Redis, SMS off.
    pub fn todo_config(&self) -> Config {
        self.todo_config_on(&self.redis)
    }

    /// Settings for a todo-service on `redis`, SMS off.
    pub fn todo_config_on(&self, redis: &RedisServer) -> Config {
        Config {
            listen_addr: "127.0.0.1:0".parse().unwrap(),
            auth_service_url: self.auth_url(),
            auth_timeout: Duration::from_millis(500),
            max_in_flight: 1024,
            store: StoreConfig::Redis {
                settings: redis_settings(redis),
                key_prefix: "todo".into(),
            },
            sms: None,
        }
    }
}

/// SMS settings that point at `vonage`, with quick retries.
pub fn sms_config(vonage: &MockServer, max_attempts: u32) -> SmsConfig {
    SmsConfig {
        vonage: VonageSettings {
            api_url: format!("{}/v1/messages", vonage.uri()),
            api_key: VONAGE_KEY.into(),
            api_secret: VONAGE_SECRET.into(),
            from: "TodoApp".into(),
            timeout: Duration::from_secs(2),
        },
        worker: WorkerSettings {
            consumer: format!("test-{}", uuid::Uuid::new_v4().simple()),
            concurrency: 4,
            retry: RetryPolicy {
                max_attempts,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(100),
            },
            reclaim_idle: Duration::from_millis(600),
            poll_interval: Duration::from_millis(20),
        },
    }
}

/// A running todo-service with a client and a view of its outbox.
pub struct TodoApp {
    pub running: Running,
    pub client: TodoServiceClient<Channel>,
    pub outbox: Arc<dyn Outbox>,
}

pub async fn spawn_todo(config: Config) -> TodoApp {
    let app = todo_service::startup::build(&config).await.unwrap();
    let outbox = Arc::clone(&app.outbox);
    let running =
        Running::spawn(|listener, stop| todo_service::startup::serve(listener, app, stop))
            .await
            .unwrap();
    let client = TodoServiceClient::new(channel(running.addr).await.unwrap());
    TodoApp {
        running,
        client,
        outbox,
    }
}

/// `message` with `authorization: Bearer <token>`.
pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let value = format!("Bearer {token}").parse().unwrap();
    request.metadata_mut().insert("authorization", value);
    request
}

impl TodoApp {
    pub async fn create(&self, token: &str, title: &str) -> Result<Todo, Status> {
        let request = authed(
            CreateTodoRequest {
                title: title.into(),
            },
            token,
        );
        self.client
            .clone()
            .create_todo(request)
            .await
            .map(|r| r.into_inner())
    }

    pub async fn list(
        &self,
        token: &str,
        page_size: i32,
        page_token: &str,
    ) -> Result<ListTodosResponse, Status> {
        let request = authed(
            ListTodosRequest {
                page_size,
                page_token: page_token.into(),
            },
            token,
        );
        self.client
            .clone()
            .list_todos(request)
            .await
            .map(|r| r.into_inner())
    }
}

/// Waits until `vonage` has received `count` requests, for at most `limit`.
pub async fn wait_for_requests(
    vonage: &MockServer,
    count: usize,
    limit: Duration,
) -> Vec<wiremock::Request> {
    let deadline = Instant::now() + limit;
    loop {
        let received = vonage.received_requests().await.unwrap_or_default();
        if received.len() >= count || Instant::now() >= deadline {
            return received;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub use testkit::grpc::{assert_code, channel};
