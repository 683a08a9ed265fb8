use std::net::SocketAddr;
use std::time::Duration;

use auth_service::config::{Config, StoreConfig};
use auth_service::password::Passwords;
use auth_service::store::Stores;
use auth_service::throttle::ThrottleSettings;
use auth_service::token::TokenSettings;
use auth_service::{accounts, startup};
use common::redis::RedisSettings;
use fred::prelude::Pool;
use jsonwebtoken::Algorithm;
use proto::auth::v1::auth_service_client::AuthServiceClient;
use proto::auth::v1::{
    LoginRequest, LogoutRequest, Principal, RefreshRequest, TokenPair, VerifyRequest,
};
use testkit::RedisServer;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tonic::Status;
use tonic::transport::Channel;

pub const ACCESS_SECRET: &str = "test-access-secret-0123456789abcdef";
pub const REFRESH_SECRET: &str = "test-refresh-secret-0123456789abcdef";
pub const PASSWORD: &str = "correct horse battery";
pub const REFRESH_TTL: Duration = Duration::from_secs(3600);

/// How to start the service under test.
pub struct Options {
    pub access_ttl: Duration,
    pub grace: Duration,
    pub redis: bool,
    pub throttle: ThrottleSettings,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(900),
            grace: Duration::from_secs(10),
            redis: true,
            throttle: ThrottleSettings::default(),
        }
    }
}

/// A running auth-service with a client connected to it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: AuthServiceClient<Channel>,
    pub stores: Stores,
    pub redis: Option<RedisServer>,
    pub pool: Option<Pool>,
    pub prefix: String,
    _shutdown: oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let redis = if options.redis {
        Some(
            RedisServer::start()
                .await
                .expect("a private redis-server starts"),
        )
    } else {
        None
    };
    let url = redis.as_ref().map(RedisServer::url);
    let mut app = spawn_app_on(options, url, prefix).await;
    app.redis = redis;
    app
}

/// A replica: another auth-service on the same Redis (`redis_url`) and key prefix.
pub async fn spawn_app_on(options: Options, redis_url: Option<String>, prefix: String) -> TestApp {
    let store = match redis_url {
        Some(url) => StoreConfig::Redis {
            settings: RedisSettings {
                url,
                timeout: Duration::from_millis(500),
                pool_size: 2,
            },
            key_prefix: prefix.clone(),
        },
        None => StoreConfig::Memory,
    };
    let config = Config {
        listen_addr: "127.0.0.1:0".parse().unwrap(),
        access_secret: ACCESS_SECRET.into(),
        refresh_secret: REFRESH_SECRET.into(),
        tokens: TokenSettings {
            algorithm: Algorithm::HS256,
            issuer: "auth-service".into(),
            audience: "todo-app".into(),
            access_ttl: options.access_ttl,
            refresh_ttl: REFRESH_TTL,
        },
        refresh_reuse_grace: options.grace,
        throttle: options.throttle,
        password_hash_concurrency: 2,
        password_hash_wait: Duration::from_secs(10),
        max_in_flight: 1024,
        store,
    };

    let stores = startup::connect_stores(&config.store).await.unwrap();
    let pool = match &config.store {
        StoreConfig::Redis { settings, .. } => {
            Some(common::redis::connect(settings).await.unwrap())
        }
        StoreConfig::Memory => None,
    };
    let auth = startup::build(&config, stores.clone()).await.unwrap();
    let listener = TcpListener::bind(config.listen_addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (shutdown, stop) = oneshot::channel::<()>();
    tokio::spawn(startup::serve(listener, auth, async {
        let _ = stop.await;
    }));

    let client = AuthServiceClient::connect(format!("http://{addr}"))
        .await
        .expect("client connects");
    TestApp {
        addr,
        client,
        stores,
        redis: None,
        pool,
        prefix,
        _shutdown: shutdown,
    }
}

impl TestApp {
    /// Adds a user with [`PASSWORD`] straight into the store.
    pub async fn add_user(&self, username: &str) {
        let passwords = Passwords::new(1, Duration::from_secs(10)).unwrap();
        accounts::add_user(
            &self.stores,
            &passwords,
            username,
            "+44 7700 900123",
            PASSWORD.into(),
        )
        .await
        .expect("user is added");
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<TokenPair, Status> {
        let request = LoginRequest {
            username: username.into(),
            password: password.into(),
        };
        self.client
            .clone()
            .login(request)
            .await
            .map(|r| r.into_inner())
    }

    /// Adds `username` and logs in.
    pub async fn signed_in(&self, username: &str) -> TokenPair {
        self.add_user(username).await;
        self.login(username, PASSWORD).await.expect("login works")
    }

    pub async fn verify(&self, access_token: &str) -> Result<Principal, Status> {
        let request = VerifyRequest {
            access_token: access_token.into(),
        };
        self.client
            .clone()
            .verify(request)
            .await
            .map(|r| r.into_inner())
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, Status> {
        let request = RefreshRequest {
            refresh_token: refresh_token.into(),
        };
        self.client
            .clone()
            .refresh(request)
            .await
            .map(|r| r.into_inner())
    }

    pub async fn logout(&self, token: &str) -> Result<(), Status> {
        let request = LogoutRequest {
            token: token.into(),
        };
        self.client.clone().logout(request).await.map(|_| ())
    }
}

pub use testkit::grpc::{assert_code, channel};
