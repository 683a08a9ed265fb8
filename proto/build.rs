//! Compiles the `.proto` files with protox (pure Rust, no system `protoc`) and writes the
//! descriptor sets that server reflection serves.

use std::path::PathBuf;

use prost::Message;

const PROTOS: &[&str] = &["auth/v1/auth.proto", "todo/v1/todo.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    // One descriptor set per package, so each service's reflection lists only what it serves.
    for (proto, file) in PROTOS
        .iter()
        .zip(["auth_descriptor.bin", "todo_descriptor.bin"])
    {
        let descriptors = protox::compile([proto], ["."])?;
        std::fs::write(out_dir.join(file), descriptors.encode_to_vec())?;
    }

    let descriptors = protox::compile(PROTOS, ["."])?;

    tonic_prost_build::configure().compile_fds(descriptors)?;
    Ok(())
}
