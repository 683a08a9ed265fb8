//! Server reflection for a service: its own descriptor set plus the health service's, served
//! in both protocol versions (grpcurl 1.8 speaks only v1alpha).

use tonic_reflection::server::{Builder, Error, v1, v1alpha};

fn builder(descriptor_set: &'static [u8]) -> Builder<'static> {
    Builder::configure()
        .register_encoded_file_descriptor_set(descriptor_set)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
}

/// The v1 and v1alpha reflection services for `descriptor_set`.
///
/// # Errors
/// When the descriptor set cannot be decoded.
pub fn services(
    descriptor_set: &'static [u8],
) -> Result<
    (
        v1::ServerReflectionServer<impl v1::ServerReflection>,
        v1alpha::ServerReflectionServer<impl v1alpha::ServerReflection>,
    ),
    Error,
> {
    Ok((
        builder(descriptor_set).build_v1()?,
        builder(descriptor_set).build_v1alpha()?,
    ))
}
