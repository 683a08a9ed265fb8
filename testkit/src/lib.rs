//! Helpers for the services' tests: private `redis-server`s (a test may stop and start them
//! again) and clusters on free loopback ports, servers run as test tasks, child processes
//! killed with the test, and gRPC client helpers.

pub mod grpc;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A port on 127.0.0.1 that nothing listened on a moment ago.
///
/// # Errors
/// When the operating system hands out no port.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// A `redis-server` process of the test's own, killed when dropped.
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    persistent: bool,
    extra_args: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts `redis-server` on a free port and waits until it answers `PING`.
    ///
    /// # Errors
    /// When `redis-server` is not on the `PATH` or does not answer within 10 seconds; the
    /// message says what to install.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(false).await
    }

    /// As [`RedisServer::start`], with every write in an append-only file synced at once, so
    /// the data survives [`RedisServer::stop`] and [`RedisServer::restart`].
    ///
    /// # Errors
    /// As for [`RedisServer::start`].
    pub async fn start_persistent() -> anyhow::Result<Self> {
        Self::start_with(true).await
    }

    /// A cluster node: its bus port (data port + 10000) must be free and valid too.
    async fn start_cluster_node() -> anyhow::Result<Self> {
        let port = loop {
            let port = free_port()?;
            let bus_free = port
                .checked_add(10_000)
                .is_some_and(|bus| TcpListener::bind(("127.0.0.1", bus)).is_ok());
            if bus_free {
                break port;
            }
        };
        let mut server = Self::new(port, false, &["--cluster-enabled", "yes"])?;
        server.spawn().await?;
        Ok(server)
    }

    fn new(port: u16, persistent: bool, extra_args: &[&str]) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("testkit-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).context("cannot create the redis working folder")?;
        Ok(Self {
            port,
            dir,
            persistent,
            extra_args: extra_args.iter().map(|a| (*a).to_owned()).collect(),
            child: None,
        })
    }

    async fn start_with(persistent: bool) -> anyhow::Result<Self> {
        let mut server = Self::new(free_port()?, persistent, &[])?;
        server.spawn().await?;
        Ok(server)
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server, as a crash or an outage would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port; its data is empty unless it is persistent.
    ///
    /// # Errors
    /// As for [`RedisServer::start`].
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        self.spawn().await
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--protected-mode", "no"])
            .args(if self.persistent {
                ["--appendonly", "yes", "--appendfsync", "always"]
            } else {
                ["--appendonly", "no", "--appendfsync", "everysec"]
            })
            .args(&self.extra_args)
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context(
                "cannot start `redis-server`: these tests need Redis on the PATH \
                 (Debian: apt-get install redis-server)",
            )?;
        self.child = Some(child);

        for _ in 0..200 {
            if ping(self.port).await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.stop();
        bail!(
            "redis-server on port {} did not answer PING within 10 s",
            self.port
        )
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn ping(port: u16) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    if stream.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut reply = [0_u8; 7];
    stream.read_exact(&mut reply).await.is_ok() && &reply == b"+PONG\r\n"
}

/// A future that resolves when a server under test should stop.
pub type Stop = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// A server running as a task of the test, on 127.0.0.1 and a port of its own; stopped when
/// dropped or by [`Running::stop`].
pub struct Running {
    pub addr: std::net::SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Running {
    /// Binds 127.0.0.1:0 and runs the server that `serve` makes of the listener and a stop
    /// signal.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn spawn<F, Fut>(serve: F) -> anyhow::Result<Self>
    where
        F: FnOnce(tokio::net::TcpListener, Stop) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let stop: Stop = Box::pin(async move {
            let _ = stopped.await;
        });
        let task = tokio::spawn(serve(listener, stop));
        Ok(Self {
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// Stops the server gracefully and returns how it ended.
    ///
    /// # Errors
    /// The server's own error, or a panic of its task.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.task.take() {
            Some(task) => task.await.context("server task panicked")?,
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// A three-node Redis Cluster of the test's own (no replicas), killed when dropped.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts three cluster-mode `redis-server`s and joins them with `redis-cli --cluster
    /// create`, then waits until every slot is served.
    ///
    /// # Errors
    /// When `redis-server` or `redis-cli` is missing, or the cluster does not form in 20 s.
    pub async fn start() -> anyhow::Result<Self> {
        let mut nodes = Vec::with_capacity(3);
        for _ in 0..3 {
            nodes.push(RedisServer::start_cluster_node().await?);
        }
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let created = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context(
                "cannot run `redis-cli --cluster create` (Debian: apt-get install redis-tools)",
            )?;
        if !created.success() {
            bail!("redis-cli --cluster create failed: {created}");
        }
        let cluster = Self { nodes };
        for _ in 0..200 {
            if cluster.is_ok().await {
                return Ok(cluster);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the cluster did not reach state ok within 20 s")
    }

    /// `redis-cluster://127.0.0.1:<p1>?node=127.0.0.1:<p2>&node=127.0.0.1:<p3>`.
    pub fn url(&self) -> String {
        let ports: Vec<u16> = self.nodes.iter().map(|n| n.port).collect();
        format!(
            "redis-cluster://127.0.0.1:{}?node=127.0.0.1:{}&node=127.0.0.1:{}",
            ports[0], ports[1], ports[2]
        )
    }

    /// Every node reports the cluster ok (slots spread to all of them).
    async fn is_ok(&self) -> bool {
        for node in &self.nodes {
            let output = tokio::process::Command::new("redis-cli")
                .args(["-p", &node.port.to_string(), "cluster", "info"])
                .output()
                .await;
            let ok = output
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("cluster_state:ok"));
            if !ok {
                return false;
            }
        }
        true
    }
}

/// A private `redis-server` and a fred pool on it.
///
/// # Errors
/// As for [`RedisServer::start`], or when the pool cannot be built.
pub async fn redis_pool() -> anyhow::Result<(RedisServer, fred::prelude::Pool)> {
    let redis = RedisServer::start().await?;
    let settings = common::redis::RedisSettings {
        url: redis.url(),
        timeout: Duration::from_secs(2),
        pool_size: 2,
    };
    let pool = common::redis::connect(&settings).await?;
    Ok((redis, pool))
}

/// A child process (a binary under test), killed when the test ends.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
