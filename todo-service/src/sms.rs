//! The Vonage Messages API client: one SMS per call, and what its answer means for retries.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::outbox::Notification;

/// The Messages API endpoint used when `VONAGE_API_URL` is not set.
pub const DEFAULT_API_URL: &str = "https://api.nexmo.com/v1/messages";

/// How to reach Vonage.
#[derive(Clone)]
pub struct VonageSettings {
    pub api_url: String,
    pub api_key: String,
    pub api_secret: SecretString,
    /// A number in digits or an alphanumeric sender id.
    pub from: String,
    /// The longest one request may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for VonageSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VonageSettings")
            .field("api_url", &self.api_url)
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Why an SMS was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// Worth another try: a timeout, a lost connection, 429 or 5xx.
    #[error("temporary failure: {reason}")]
    Retryable {
        reason: String,
        /// The wait Vonage asked for (429 `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// Another try would fail the same way: any other 4xx, or a number that is not E.164.
    #[error("rejected: {reason}")]
    Rejected { reason: String },
}

#[derive(Serialize)]
struct MessageBody<'a> {
    message_type: &'static str,
    channel: &'static str,
    to: &'a str,
    from: &'a str,
    text: String,
    client_ref: String,
}

#[derive(Deserialize)]
struct Accepted {
    message_uuid: String,
}

/// RFC 7807 problem details, as Vonage reports errors.
#[derive(Deserialize, Default)]
struct Problem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
}

/// Sends SMS through the Vonage Messages API.
#[derive(Clone)]
pub struct Vonage {
    http: reqwest::Client,
    settings: VonageSettings,
}

impl Vonage {
    /// # Errors
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn new(settings: VonageSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()?;
        Ok(Self { http, settings })
    }

    /// Sends the notification's SMS; returns Vonage's `message_uuid`.
    ///
    /// # Errors
    /// [`SmsError`], telling a retry from a give-up.
    pub async fn send_sms(&self, notification: &Notification) -> Result<String, SmsError> {
        let phone = common::phone::PhoneNumber::parse(&notification.phone).map_err(|_| {
            SmsError::Rejected {
                reason: "stored phone number is not E.164".into(),
            }
        })?;
        let body = MessageBody {
            message_type: "text",
            channel: "sms",
            to: phone.digits(),
            from: &self.settings.from,
            text: format!(
                "Dear {}, a todo was created from your account just now.",
                notification.username
            ),
            client_ref: notification.todo_id.to_string(),
        };

        let response = self
            .http
            .post(&self.settings.api_url)
            .basic_auth(
                &self.settings.api_key,
                Some(self.settings.api_secret.expose_secret()),
            )
            .json(&body)
            .send()
            .await
            .map_err(|err| SmsError::Retryable {
                reason: transport_reason(&err),
                retry_after: None,
            })?;

        let status = response.status();
        if status.is_success() {
            let accepted: Accepted = response.json().await.map_err(|_| SmsError::Retryable {
                reason: format!("{status} without a message_uuid"),
                retry_after: None,
            })?;
            return Ok(accepted.message_uuid);
        }
        let retry_after = retry_after(response.headers());
        let problem: Problem = response.json().await.unwrap_or_default();
        let reason = format!(
            "{status}: {} {}",
            common::phone::mask_numbers(&problem.title),
            common::phone::mask_numbers(&problem.detail)
        )
        .trim_end()
        .to_owned();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Err(SmsError::Retryable {
                reason,
                retry_after,
            })
        } else {
            Err(SmsError::Rejected { reason })
        }
    }
}

fn transport_reason(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "request timed out".into()
    } else if err.is_connect() {
        "cannot connect".into()
    } else {
        "request failed".into()
    }
}

/// `Retry-After` in seconds (the form Vonage sends); a date or garbage counts as absent.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests;
