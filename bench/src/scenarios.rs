//! The scenarios. Each worker owns its connection and its session, records into its own
//! [`Recorder`], and stops at the deadline or when the shared request budget is spent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use proto::auth::v1::auth_service_client::AuthServiceClient;
use proto::auth::v1::{LoginRequest, VerifyRequest};
use rand::Rng;
use serde_json::{Value, json};
use tonic::transport::{Channel, Endpoint};

use crate::http1::Connection;
use crate::report::Recorder;

/// How long to warm up and to measure, and the most requests to send.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub warmup: Duration,
    pub duration: Duration,
    pub max_requests: u64,
}

impl Limits {
    /// The budget of a run that starts now (after its set-up: logins do not count).
    pub fn start(&self) -> Budget {
        let now = Instant::now();
        Budget {
            record_from: now + self.warmup,
            deadline: now + self.warmup + self.duration,
            remaining: Arc::new(AtomicU64::new(self.max_requests)),
        }
    }
}

/// When to stop and what to record.
#[derive(Clone)]
pub struct Budget {
    /// Requests before this instant are warm-up: sent, not recorded.
    pub record_from: Instant,
    pub deadline: Instant,
    /// Requests left, shared by every worker.
    pub remaining: Arc<AtomicU64>,
}

impl Budget {
    fn take(&self) -> bool {
        Instant::now() < self.deadline
            && self
                .remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
    }

    fn record(&self, recorder: &mut Recorder, started: Instant, failure: Option<String>) {
        if started >= self.record_from {
            recorder.record(started.elapsed(), failure);
        }
    }
}

/// The user every session logs in as.
#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Credentials {
    fn json(&self) -> String {
        json!({"username": self.username, "password": self.password}).to_string()
    }
}

/// `AuthService.Verify` from `callers` tasks over `channels` channels, with tokens from
/// `sessions` sessions.
///
/// # Errors
/// When the sessions cannot be opened.
pub async fn verify(
    auth_url: &str,
    credentials: &Credentials,
    callers: usize,
    channels: usize,
    sessions: usize,
    limits: Limits,
) -> anyhow::Result<(Recorder, Budget)> {
    let mut clients = Vec::with_capacity(channels.max(1));
    for _ in 0..channels.max(1) {
        let channel: Channel = Endpoint::from_shared(auth_url.to_owned())?
            .tcp_nodelay(true)
            .connect()
            .await
            .with_context(|| format!("cannot reach auth-service at {auth_url}"))?;
        clients.push(AuthServiceClient::new(channel));
    }
    let mut tokens = Vec::with_capacity(sessions.max(1));
    for _ in 0..sessions.max(1) {
        let request = LoginRequest {
            username: credentials.username.clone(),
            password: credentials.password.clone(),
        };
        let pair = clients[0]
            .login(request)
            .await
            .context("login for a session failed")?;
        tokens.push(pair.into_inner().access_token);
    }
    let tokens = Arc::new(tokens);

    // Spawned all at once (collected), then measured from here on.
    let budget = limits.start();
    let workers: Vec<_> = (0..callers.max(1))
        .map(|caller| {
            let mut client = clients[caller % clients.len()].clone();
            let tokens = Arc::clone(&tokens);
            let budget = budget.clone();
            tokio::spawn(async move {
                let mut recorder = Recorder::new();
                let mut next = caller;
                while budget.take() {
                    next = (next + 7) % tokens.len();
                    let request = VerifyRequest {
                        access_token: tokens[next].clone(),
                    };
                    let started = Instant::now();
                    let failure = client
                        .verify(request)
                        .await
                        .err()
                        .map(|status| format!("{:?}", status.code()));
                    budget.record(&mut recorder, started, failure);
                }
                recorder
            })
        })
        .collect();
    Ok((gather(workers.into_iter()).await?, budget))
}

/// What an HTTP scenario's worker does each turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpScenario {
    Todo,
    Login,
    Refresh,
    /// 90 % todo, 8 % refresh, 2 % login.
    Mixed,
}

/// Runs `scenario` over `connections` keep-alive connections to the gateway at `authority`.
///
/// # Errors
/// When no worker can log in.
pub async fn http(
    authority: &str,
    credentials: &Credentials,
    scenario: HttpScenario,
    connections: usize,
    limits: Limits,
) -> anyhow::Result<(Recorder, Budget)> {
    let mut ready = Vec::with_capacity(connections.max(1));
    for _ in 0..connections.max(1) {
        ready.push(Worker::start(authority, credentials.clone()).await?);
    }
    let budget = limits.start();
    let mut workers = Vec::with_capacity(ready.len());
    for mut worker in ready {
        let budget = budget.clone();
        workers.push(tokio::spawn(async move {
            let mut recorder = Recorder::new();
            while budget.take() {
                let turn = match scenario {
                    HttpScenario::Mixed => pick_mixed(),
                    other => other,
                };
                let started = Instant::now();
                let failure = worker.turn(turn).await;
                budget.record(&mut recorder, started, failure);
            }
            recorder
        }));
    }
    Ok((gather(workers.into_iter()).await?, budget))
}

fn pick_mixed() -> HttpScenario {
    match rand::rng().random_range(0..100) {
        0..90 => HttpScenario::Todo,
        90..98 => HttpScenario::Refresh,
        _ => HttpScenario::Login,
    }
}

/// One connection and the session it holds.
struct Worker {
    authority: String,
    connection: Connection,
    credentials: Credentials,
    access: String,
    refresh: String,
}

impl Worker {
    async fn start(authority: &str, credentials: Credentials) -> anyhow::Result<Self> {
        let connection = Connection::open(authority)
            .await
            .with_context(|| format!("cannot reach the gateway at {authority}"))?;
        let mut worker = Self {
            authority: authority.to_owned(),
            connection,
            credentials,
            access: String::new(),
            refresh: String::new(),
        };
        if worker.login().await.is_some() {
            bail!("the load generator's user cannot log in (check --username/--password)");
        }
        Ok(worker)
    }

    /// One request of `scenario`; the failure's status, if any.
    async fn turn(&mut self, scenario: HttpScenario) -> Option<String> {
        let failure = match scenario {
            HttpScenario::Todo => self.create_todo().await,
            HttpScenario::Login | HttpScenario::Mixed => self.login().await,
            HttpScenario::Refresh => self.refresh().await,
        };
        if failure.as_deref() == Some("connection") {
            // A broken connection is replaced, so one failure does not end the worker.
            if let Ok(connection) = Connection::open(&self.authority).await {
                self.connection = connection;
            }
        }
        failure
    }

    async fn create_todo(&mut self) -> Option<String> {
        let body = r#"{"title":"load test"}"#.to_owned();
        let token = self.access.clone();
        self.expect("POST", "/todo", Some(&token), Some(body), 201)
            .await
            .err()
    }

    async fn login(&mut self) -> Option<String> {
        let body = self.credentials.json();
        match self.expect("POST", "/login", None, Some(body), 200).await {
            Ok(pair) => {
                self.keep(&pair);
                None
            }
            Err(failure) => Some(failure),
        }
    }

    async fn refresh(&mut self) -> Option<String> {
        let body = json!({"refresh_token": self.refresh}).to_string();
        match self
            .expect("POST", "/token/refresh", None, Some(body), 201)
            .await
        {
            Ok(pair) => {
                self.keep(&pair);
                None
            }
            Err(failure) => {
                // A lost session is opened again (not recorded), so later turns can go on.
                let _ = Box::pin(self.login()).await;
                Some(failure)
            }
        }
    }

    fn keep(&mut self, pair: &Value) {
        if let (Some(access), Some(refresh)) = (
            pair["access_token"].as_str(),
            pair["refresh_token"].as_str(),
        ) {
            self.access = access.to_owned();
            self.refresh = refresh.to_owned();
        }
    }

    async fn expect(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        status: u16,
    ) -> Result<Value, String> {
        let answer = self
            .connection
            .send(method, path, token, body)
            .await
            .map_err(|_| "connection".to_owned())?;
        if answer.status != status {
            return Err(answer.status.to_string());
        }
        Ok(serde_json::from_slice(&answer.body).unwrap_or(Value::Null))
    }
}

async fn gather(
    workers: impl Iterator<Item = tokio::task::JoinHandle<Recorder>>,
) -> anyhow::Result<Recorder> {
    let mut total = Recorder::new();
    for worker in workers {
        total.merge(&worker.await.context("a worker failed")?);
    }
    Ok(total)
}

/// The default wait between starting workers and recording.
pub const DEFAULT_WARMUP: Duration = Duration::from_secs(1);
