//! The service's error type and its one mapping to gRPC status codes.

use tonic::{Code, Status};

use crate::password::PasswordError;
use crate::store::StoreError;

/// Everything an RPC of this service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A request field is missing or malformed; the message says which.
    #[error("{0}")]
    InvalidArgument(String),
    /// Wrong password or unknown user: one answer for both.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// Any token problem; `reason` goes to the log, never to the caller.
    #[error("invalid or expired token")]
    InvalidToken { reason: String },
    /// Too many failed logins for this name or address; try again after `retry_after`.
    #[error("too many failed logins, try again later")]
    Throttled { retry_after: std::time::Duration },
    /// Too much work queued (password hashing).
    #[error("service busy, try again")]
    Busy,
    #[error("store unavailable")]
    Store(#[from] StoreError),
    #[error("internal error")]
    Unexpected(#[from] anyhow::Error),
}

impl AuthError {
    pub fn invalid_token(reason: impl ToString) -> Self {
        Self::InvalidToken {
            reason: reason.to_string(),
        }
    }

    /// The gRPC code for this error.
    pub fn code(&self) -> Code {
        match self {
            Self::InvalidArgument(_) => Code::InvalidArgument,
            Self::InvalidCredentials | Self::InvalidToken { .. } => Code::Unauthenticated,
            Self::Throttled { .. } => Code::ResourceExhausted,
            Self::Busy | Self::Store(StoreError::Unavailable(_)) => Code::Unavailable,
            Self::Store(StoreError::Corrupt(_)) | Self::Unexpected(_) => Code::Internal,
        }
    }
}

impl From<PasswordError> for AuthError {
    fn from(err: PasswordError) -> Self {
        match err {
            PasswordError::Busy => Self::Busy,
            PasswordError::Unexpected(err) => Self::Unexpected(err),
        }
    }
}

impl From<AuthError> for Status {
    /// Logs the cause once, here, and answers with a short message that leaks nothing.
    fn from(err: AuthError) -> Self {
        match &err {
            AuthError::InvalidToken { reason } => {
                tracing::info!(reason = %reason, "token refused");
            }
            AuthError::InvalidCredentials => tracing::info!("login refused"),
            AuthError::InvalidArgument(message) => tracing::debug!(%message, "invalid argument"),
            AuthError::Busy => tracing::warn!("request shed: password hashing saturated"),
            AuthError::Throttled { retry_after } => {
                tracing::warn!(retry_after_s = retry_after.as_secs(), "login throttled");
            }
            AuthError::Store(StoreError::Unavailable(cause)) => {
                tracing::warn!(error = %cause, "store unavailable");
            }
            AuthError::Store(cause @ StoreError::Corrupt(_)) => {
                tracing::error!(error = %cause, "store returned unexpected data");
            }
            AuthError::Unexpected(cause) => tracing::error!(error = ?cause, "internal error"),
        }
        let mut status = Status::new(err.code(), err.to_string());
        if let AuthError::Throttled { retry_after } = &err {
            // Whole seconds, rounded up, as HTTP's Retry-After takes them.
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            if let Ok(value) = seconds.max(1).to_string().parse() {
                status.metadata_mut().insert("retry-after", value);
            }
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_maps_to_its_grpc_code_with_a_safe_message() {
        let cases = [
            (
                AuthError::InvalidArgument("username is required".into()),
                Code::InvalidArgument,
            ),
            (AuthError::InvalidCredentials, Code::Unauthenticated),
            (
                AuthError::invalid_token("signature mismatch"),
                Code::Unauthenticated,
            ),
            (AuthError::Busy, Code::Unavailable),
            (
                AuthError::Throttled {
                    retry_after: std::time::Duration::from_millis(1500),
                },
                Code::ResourceExhausted,
            ),
            (
                StoreError::Unavailable("connection refused 10.0.0.1".into()).into(),
                Code::Unavailable,
            ),
            (
                StoreError::Corrupt("WRONGTYPE".into()).into(),
                Code::Internal,
            ),
            (anyhow::anyhow!("secret detail").into(), Code::Internal),
        ];
        for (err, code) in cases {
            let status = Status::from(err);
            assert_eq!(status.code(), code);
            for leak in ["signature", "10.0.0.1", "WRONGTYPE", "secret"] {
                assert!(!status.message().contains(leak), "{status:?} leaks {leak}");
            }
        }
    }

    #[test]
    fn every_token_problem_reads_the_same_to_the_caller() {
        let expired = Status::from(AuthError::invalid_token("expired"));
        let revoked = Status::from(AuthError::invalid_token("session revoked"));
        assert_eq!(expired.message(), revoked.message());
    }
}
