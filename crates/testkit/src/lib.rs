//! Test support for the registry, kept out of the shipped library: the
//! API tests, the micro-benchmarks and `creditregistry-bench` start their
//! registries, sign their tokens and build their records here.
//!
//! - `pg_cluster`: a throwaway PostgreSQL cluster.
//! - `registry`: a registry on 127.0.0.1:0 with a fresh data directory,
//!   on SQLite or on a fresh PostgreSQL database, and its clients.
//! - `tokens`: the development key that signs a test registry's tokens,
//!   and the bearer interceptor that sends them.
//! - `records`: codes, dates and the requests of the record kinds.
//! - `population`: the codes of a population of any size.
//! - `tls`: certificate authorities and the certificates they issue.

pub mod pg_cluster;
pub mod population;
pub mod records;
pub mod registry;
pub mod tls;
pub mod tokens;
