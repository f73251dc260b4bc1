//! Quality-credit and blacklist registry.
//!
//! - `domain`: the records, rules and state fold (pure, no I/O).
//! - `ledger`: canonical record bytes, RFC 9162 tree and proofs, signatures.
//! - `audit`: checkpoints, receipts, the check log, store verification.
//! - `store`: SQL for SQLite and PostgreSQL behind one trait, one transaction per batch.
//! - `index`: every entity's records in memory.
//! - `search`: every entity's names in a search index (exact and fuzzy look-ups).
//! - `writer`: the single writer with group commit.
//! - `priority`: writes before checks (checks take turns while writes arrive).
//! - `services`: what the registry does, under the API: checks.
//! - `auth`: JWT -> `Principal`.
//! - `keys`: Ed25519 key pairs kept as PEM files.
//! - `api`: the gRPC services; `proto`: the wire types.
//! - `server`: assembles and runs it all; `tls`: TLS on its port.

pub mod api;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod domain;
pub mod index;
pub mod keys;
pub mod ledger;
pub mod priority;
pub mod proto;
pub mod search;
pub mod server;
pub mod services;
pub mod snapshot;
pub mod store;
pub mod tls;
pub mod writer;
