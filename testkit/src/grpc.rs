//! gRPC client helpers for black-box tests.

use std::net::SocketAddr;

use tokio_stream::StreamExt as _;
use tonic::Status;
use tonic::transport::Channel;

/// A connected channel to `addr`.
///
/// # Errors
/// When nothing answers at `addr`.
pub async fn channel(addr: SocketAddr) -> anyhow::Result<Channel> {
    Ok(Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?)
}

/// Asserts the call failed with `code`, and returns the status.
///
/// # Panics
/// When the call succeeded or failed with another code.
#[track_caller]
pub fn assert_code<T: std::fmt::Debug>(result: Result<T, Status>, code: tonic::Code) -> Status {
    match result {
        Err(status) if status.code() == code => status,
        other => panic!("expected {code:?}, got {other:?}"),
    }
}

/// The two reflection versions have the same shape in different generated modules.
macro_rules! list_services {
    ($name:ident, $version:ident) => {
        /// The services that `addr` lists through this version of server reflection.
        ///
        /// # Errors
        /// When the call fails or the answer is not a service list.
        pub async fn $name(addr: SocketAddr) -> anyhow::Result<Vec<String>> {
            use tonic_reflection::pb::$version::ServerReflectionRequest;
            use tonic_reflection::pb::$version::server_reflection_client::ServerReflectionClient;
            use tonic_reflection::pb::$version::server_reflection_request::MessageRequest;
            use tonic_reflection::pb::$version::server_reflection_response::MessageResponse;

            let mut client = ServerReflectionClient::new(channel(addr).await?);
            let request = ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            };
            let mut replies = client
                .server_reflection_info(tokio_stream::iter([request]))
                .await?
                .into_inner();
            match replies
                .next()
                .await
                .transpose()?
                .and_then(|r| r.message_response)
            {
                Some(MessageResponse::ListServicesResponse(list)) => {
                    Ok(list.service.into_iter().map(|s| s.name).collect())
                }
                other => anyhow::bail!("unexpected reflection reply {other:?}"),
            }
        }
    };
}

list_services!(services_v1, v1);
list_services!(services_v1alpha, v1alpha);
