//! The service's errors and their one mapping to gRPC status codes.

use common::bearer::BearerError;
use common::redis::StoreError;
use tonic::{Code, Status};

/// What a todo RPC can fail with once the caller is known.
#[derive(Debug, thiserror::Error)]
pub enum TodoError {
    /// A request field is malformed; the message says which.
    #[error("{0}")]
    InvalidArgument(String),
    /// No such todo for this caller (another user's todo included).
    #[error("todo not found")]
    NotFound,
    #[error("store unavailable")]
    Store(#[from] StoreError),
    #[error("internal error")]
    Unexpected(#[from] anyhow::Error),
}

/// Why the auth check let a call through to no handler. Fails closed: nothing here passes.
#[derive(Debug, thiserror::Error)]
pub enum AuthCheckError {
    /// No usable bearer credentials, or auth-service refused the token.
    #[error("invalid or expired token")]
    Unauthenticated { reason: String },
    /// auth-service could not be reached or failed.
    #[error("authentication service unavailable")]
    Unavailable { reason: String },
    /// auth-service did not answer within the deadline.
    #[error("authentication check timed out")]
    DeadlineExceeded,
}

impl From<BearerError> for AuthCheckError {
    fn from(err: BearerError) -> Self {
        Self::Unauthenticated {
            reason: err.to_string(),
        }
    }
}

impl TodoError {
    pub fn code(&self) -> Code {
        match self {
            Self::InvalidArgument(_) => Code::InvalidArgument,
            Self::NotFound => Code::NotFound,
            Self::Store(StoreError::Unavailable(_)) => Code::Unavailable,
            Self::Store(StoreError::Corrupt(_)) | Self::Unexpected(_) => Code::Internal,
        }
    }
}

impl AuthCheckError {
    pub fn code(&self) -> Code {
        match self {
            Self::Unauthenticated { .. } => Code::Unauthenticated,
            Self::Unavailable { .. } => Code::Unavailable,
            Self::DeadlineExceeded => Code::DeadlineExceeded,
        }
    }
}

impl From<TodoError> for Status {
    /// Logs the cause once, here; the caller gets a short message that leaks nothing.
    fn from(err: TodoError) -> Self {
        match &err {
            TodoError::InvalidArgument(message) => tracing::debug!(%message, "invalid argument"),
            TodoError::NotFound => tracing::debug!("todo not found"),
            TodoError::Store(StoreError::Unavailable(cause)) => {
                tracing::warn!(error = %cause, "store unavailable");
            }
            TodoError::Store(cause @ StoreError::Corrupt(_)) => {
                tracing::error!(error = %cause, "store returned unexpected data");
            }
            TodoError::Unexpected(cause) => tracing::error!(error = ?cause, "internal error"),
        }
        Status::new(err.code(), err.to_string())
    }
}

impl From<AuthCheckError> for Status {
    fn from(err: AuthCheckError) -> Self {
        match &err {
            AuthCheckError::Unauthenticated { reason } => {
                tracing::info!(%reason, "call refused: not authenticated");
            }
            AuthCheckError::Unavailable { reason } => {
                tracing::warn!(%reason, "call refused: auth-service unavailable");
            }
            AuthCheckError::DeadlineExceeded => {
                tracing::warn!("call refused: auth-service too slow");
            }
        }
        Status::new(err.code(), err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_maps_to_its_code_without_leaking_the_cause() {
        let cases: [(Status, Code); 8] = [
            (
                TodoError::InvalidArgument("title is empty".into()).into(),
                Code::InvalidArgument,
            ),
            (TodoError::NotFound.into(), Code::NotFound),
            (
                TodoError::Store(StoreError::Unavailable("10.1.1.1 refused".into())).into(),
                Code::Unavailable,
            ),
            (
                TodoError::Store(StoreError::Corrupt("WRONGTYPE".into())).into(),
                Code::Internal,
            ),
            (
                TodoError::Unexpected(anyhow::anyhow!("secret")).into(),
                Code::Internal,
            ),
            (
                AuthCheckError::from(BearerError::Missing).into(),
                Code::Unauthenticated,
            ),
            (
                AuthCheckError::Unavailable {
                    reason: "10.1.1.1 refused".into(),
                }
                .into(),
                Code::Unavailable,
            ),
            (
                AuthCheckError::DeadlineExceeded.into(),
                Code::DeadlineExceeded,
            ),
        ];
        for (status, code) in cases {
            assert_eq!(status.code(), code);
            for leak in ["10.1.1.1", "WRONGTYPE", "secret", "header"] {
                assert!(!status.message().contains(leak), "{status:?} leaks {leak}");
            }
        }
    }
}
