//! Compiles the v1 protobuf API with `protox` (pure Rust, no system protoc)
//! and keeps the descriptor set for gRPC server reflection.

use std::{env, path::PathBuf};

const PROTOS: &[&str] = &[
    "proto/creditregistry/v1/types.proto",
    "proto/creditregistry/v1/records.proto",
    "proto/creditregistry/v1/eligibility.proto",
    "proto/creditregistry/v1/supervision.proto",
    "proto/creditregistry/v1/audit.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(PROTOS, ["proto"])?;
    let out = PathBuf::from(env::var("OUT_DIR")?);
    std::fs::write(out.join("creditregistry_descriptor.bin"), prost::Message::encode_to_vec(&fds))?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .generate_default_stubs(true)
        .extern_path(".google.rpc", "::tonic_types::pb")
        .compile_fds(fds)?;
    Ok(())
}
