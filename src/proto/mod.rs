//! The v1 wire format: generated protobuf types and their conversion to and
//! from the domain. The API speaks it, and so does the ledger, whose canonical
//! record bytes are the protobuf encoding of `creditregistry.v1.Record`.

#![allow(clippy::all, missing_docs)]

pub mod creditregistry {
    pub mod v1 {
        tonic::include_proto!("creditregistry.v1");
    }
}

pub mod google {
    pub mod r#type {
        tonic::include_proto!("google.r#type");
    }
}

pub mod convert;

pub use creditregistry::v1 as pb;

/// Descriptor set of the whole API, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/creditregistry_descriptor.bin"));
