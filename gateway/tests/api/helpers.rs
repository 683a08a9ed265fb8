use std::time::Duration;

use auth_service::password::Passwords;
use auth_service::store::Stores;
use auth_service::throttle::ThrottleSettings;
use auth_service::token::TokenSettings;
use gateway::client_addr::TrustedProxies;
use gateway::state::AppState;
use gateway::upstream::Upstream;
use jsonwebtoken::Algorithm;
use reqwest::{Client, Response};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery";

pub use testkit::Running;

/// auth-service, todo-service and the gateway in this process, on memory stores.
pub struct System {
    pub auth: Running,
    pub todo: Running,
    pub gateway: Running,
    pub http: Client,
    stores: Stores,
}

/// How to start the system under test.
#[derive(Default)]
pub struct SystemOptions {
    pub throttle: ThrottleSettings,
    pub trusted_proxies: String,
    pub limits: gateway::startup::HttpLimits,
}

pub async fn spawn_system() -> System {
    spawn_system_with(SystemOptions::default()).await
}

pub async fn spawn_system_with(options: SystemOptions) -> System {
    let stores = Stores::in_memory();
    let auth_config = auth_service::config::Config {
        listen_addr: "127.0.0.1:0".parse().unwrap(),
        access_secret: "gateway-tests-access-secret-0123456789".into(),
        refresh_secret: "gateway-tests-refresh-secret-0123456789".into(),
        tokens: TokenSettings {
            algorithm: Algorithm::HS256,
            issuer: "auth-service".into(),
            audience: "todo-app".into(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(3600),
        },
        refresh_reuse_grace: Duration::from_secs(10),
        throttle: options.throttle,
        password_hash_concurrency: 2,
        password_hash_wait: Duration::from_secs(10),
        max_in_flight: 1024,
        store: auth_service::config::StoreConfig::Memory,
    };
    let authenticator = auth_service::startup::build(&auth_config, stores.clone())
        .await
        .unwrap();
    let auth = Running::spawn(|listener, stop| {
        auth_service::startup::serve(listener, authenticator, stop)
    })
    .await
    .unwrap();
    let auth_addr = auth.addr;

    let todo_config = todo_service::config::Config {
        listen_addr: "127.0.0.1:0".parse().unwrap(),
        auth_service_url: format!("http://{auth_addr}"),
        auth_timeout: Duration::from_secs(1),
        max_in_flight: 1024,
        store: todo_service::config::StoreConfig::Memory,
        sms: None,
    };
    let app = todo_service::startup::build(&todo_config).await.unwrap();
    let todo = Running::spawn(|listener, stop| todo_service::startup::serve(listener, app, stop))
        .await
        .unwrap();
    let todo_addr = todo.addr;

    let upstream = Upstream::new(
        &format!("http://{auth_addr}"),
        &format!("http://{todo_addr}"),
        Duration::from_secs(2),
    )
    .unwrap();
    let proxies = TrustedProxies::parse(&options.trusted_proxies).unwrap();
    let state = AppState::new(upstream, proxies);
    let gateway = Running::spawn(|listener, stop| {
        gateway::startup::serve(listener, state, options.limits, stop)
    })
    .await
    .unwrap();
    System {
        auth,
        todo,
        gateway,
        http: Client::new(),
        stores,
    }
}

impl System {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.gateway.addr)
    }

    pub async fn add_user(&self, username: &str) {
        let passwords = Passwords::new(1, Duration::from_secs(10)).unwrap();
        auth_service::accounts::add_user(
            &self.stores,
            &passwords,
            username,
            "+44 7700 900123",
            PASSWORD.into(),
        )
        .await
        .unwrap();
    }

    pub async fn post_json(&self, path: &str, body: Value, token: Option<&str>) -> Response {
        let mut request = self.http.post(self.url(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// Adds `username`, logs in, returns the JSON token pair.
    pub async fn signed_in(&self, username: &str) -> Value {
        self.add_user(username).await;
        let response = self
            .post_json(
                "/login",
                json!({"username": username, "password": PASSWORD}),
                None,
            )
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

/// The status and JSON body of a response.
pub async fn parts(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json().await.expect("every answer is JSON");
    (status, body)
}
