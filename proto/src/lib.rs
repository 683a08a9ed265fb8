//! Generated gRPC code for `auth.v1` and `todo.v1`, and the encoded descriptor set that both
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

/// The encoded `FileDescriptorSet` of every `.proto` file in this crate.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));
