//! The services under the API: what the registry does, in domain terms,
//! whichever front end asks (the gRPC API; later the watchlist and the
//! public site).
//!
//! - `authorities`: the authority directory as callers read it.
//! - `caller`: who is calling (`Principal`, `Role`), as its token says.
//! - `error`: why a service gave no answer (`ServiceError`).
//! - `checks`: joint-punishment checks (联合惩戒核查) — decide, attest with a
//!   signed receipt, log.
//! - `files`: credit files (信用档案) — an entity's whole records, from the
//!   store through a bounded cache.
//! - `profiles`: credit files as a caller may see them — a profile, a page
//!   of records, one record — each record with its standing.
//! - `audit`: audit reads — checkpoints, proofs, an entity's history, the
//!   ledger's export, the check log, verification, the registry's keys.
//! - `scope`: how a read sees the ledger, resolved for its caller.
//! - `search`: name search (企业名称查询) as a caller may see it, over the
//!   name index that follows the in-memory index.
//! - `writes`: enforcement writes, judged and written through the writer.
//! - `supervision`: tiered supervision (分级分类监管) — risk assessments,
//!   inspection draws, statistics.

pub mod audit;
pub mod authorities;
pub mod caller;
pub mod checks;
pub mod error;
pub mod files;
pub mod profiles;
pub mod scope;
pub mod search;
pub mod supervision;
pub mod writes;
