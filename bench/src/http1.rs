//! A lean HTTP/1.1 keep-alive connection (hyper's client connection, no pool), so the load
//! generator spends little CPU of its own.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One connection to the gateway.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    authority: String,
}

/// An answer: status and body.
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

impl Connection {
    /// Opens a connection to `authority` (`host:port`).
    ///
    /// # Errors
    /// When the connection cannot be opened.
    pub async fn open(authority: &str) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self {
            sender,
            authority: authority.to_owned(),
        })
    }

    /// Sends a POST (or GET with no body) and reads the whole answer.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        json: Option<String>,
    ) -> anyhow::Result<Answer> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, &self.authority);
        if let Some(token) = token {
            request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if json.is_some() {
            request = request.header(http::header::CONTENT_TYPE, "application/json");
        }
        let body = Full::new(Bytes::from(json.unwrap_or_default()));
        self.sender.ready().await?;
        let response = self.sender.send_request(request.body(body)?).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Answer { status, body })
    }
}
