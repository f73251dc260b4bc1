//! The services' one error type, in their own terms rather than gRPC's.

use std::sync::Arc;

use crate::domain::Violation;
use crate::store::StoreError;

/// Why a service gave no answer. The API maps each to one gRPC code
/// (`api::error`), the same whichever service it came from.
#[derive(Debug)]
pub enum ServiceError {
    /// Bad input; each violation names its field as the request does.
    Invalid(Vec<Violation>),
    /// `known_at` (the registry's past knowledge) asked by a caller who is
    /// not an auditor.
    KnownAtAuditorsOnly,
    /// This node does not hold yet what the read needs; the message says
    /// how far it is. Retrying may help.
    NotCaughtUp(String),
    /// What the request names does not exist (or is not shown to the
    /// caller, which is answered alike).
    NotFound { what: Missing, name: String, message: String },
    /// The store could not answer, or holds what cannot be read; shared
    /// with the writer when it is the ledger this node cannot read past.
    Store(Arc<StoreError>),
    /// No fresh random seed can be had from the system; the message says why.
    NoRandomness(String),
    /// The answer to `codes` codes would be about `bytes` bytes, over the
    /// `limit` a message may have: nothing was logged.
    AnswerTooLarge { codes: usize, bytes: usize, limit: usize },
    /// The name search could not answer; the message says why.
    SearchFailed(String),
}

/// What a `ServiceError::NotFound` looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    Record,
    Checkpoint,
    Draw,
    Authority,
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Store(Arc::new(e))
    }
}
