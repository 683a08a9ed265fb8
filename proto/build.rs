//! Compiles the `.proto` files with protox (pure Rust, no system `protoc`) and writes the
//! descriptor set that server reflection serves.

use std::path::PathBuf;

use prost::Message;

const PROTOS: &[&str] = &["auth/v1/auth.proto", "todo/v1/todo.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }

    let descriptors = protox::compile(PROTOS, ["."])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("descriptor.bin"), descriptors.encode_to_vec())?;

    tonic_prost_build::configure().compile_fds(descriptors)?;
    Ok(())
}
