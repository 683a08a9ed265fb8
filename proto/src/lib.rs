//! Generated gRPC code for `auth.v1` and `todo.v1`, and the encoded descriptor sets that the
//! services register with server reflection. No hand-written logic lives here.

pub mod auth {
    pub mod v1 {
        tonic::include_proto!("auth.v1");
    }
}

pub mod todo {
    pub mod v1 {
        tonic::include_proto!("todo.v1");
    }
}

/// The encoded `FileDescriptorSet` of `auth.v1`, for auth-service's reflection.
pub const AUTH_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/auth_descriptor.bin"));

/// The encoded `FileDescriptorSet` of `todo.v1`, for todo-service's reflection.
pub const TODO_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/todo_descriptor.bin"));
