//! The gRPC API: authentication, request parsing, and conversion between the
//! wire types and the services underneath. Protobuf types stop here.

pub mod error;
mod records;
mod unimplemented;

use std::sync::Arc;
use std::time::Duration;

use tonic::Request;
use tonic::service::Interceptor;

pub use records::RecordsApi;
pub use unimplemented::{AuditApi, EligibilityApi, SupervisionApi};

use crate::auth::{Authenticator, Principal, Role};
use crate::clock::Clock;
use crate::domain::rules::lists::ListRules;
use crate::index::Index;
use crate::writer::Writer;
use error::ApiError;

/// What every service shares.
#[derive(Clone)]
pub struct Registry {
    pub writer: Writer,
    pub index: Arc<Index>,
    pub clock: Clock,
    pub lists: Arc<ListRules>,
}

/// How long a read waits for a write it names with `min_sequence`.
const READ_YOUR_WRITES_WAIT: Duration = Duration::from_secs(5);

impl Registry {
    /// Waits until the index holds `min_sequence` (0: no wait).
    async fn caught_up(&self, min_sequence: i64) -> Result<(), ApiError> {
        let wanted = u64::try_from(min_sequence).map_err(|_| {
            ApiError::InvalidArgument(vec![crate::domain::admission::Violation::new(
                "min_sequence",
                format!("must not be negative, got {min_sequence}"),
            )])
        })?;
        if wanted == 0 || self.index.wait_for(wanted, READ_YOUR_WRITES_WAIT).await {
            Ok(())
        } else {
            Err(ApiError::Unavailable {
                reason: "NOT_CAUGHT_UP",
                message: format!(
                    "ledger sequence {wanted} is not visible yet (this node holds up to {})",
                    self.index.head()
                ),
            })
        }
    }
}

/// Authenticates every call and puts the `Principal` in the request.
#[derive(Clone)]
pub struct Authenticate(pub Arc<Authenticator>);

impl Interceptor for Authenticate {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, tonic::Status> {
        let header = request.metadata().get("authorization").and_then(|v| v.to_str().ok());
        let principal = self.0.authenticate(header).map_err(ApiError::from)?;
        request.extensions_mut().insert(principal);
        Ok(request)
    }
}

/// The caller, as authenticated by `Authenticate`.
fn principal<T>(request: &Request<T>) -> Result<Principal, ApiError> {
    request
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or(ApiError::Unauthenticated(crate::auth::AuthError::Missing))
}

/// The caller, if it holds any of `roles`.
fn require<T>(request: &Request<T>, roles: &[Role]) -> Result<Principal, ApiError> {
    let p = principal(request)?;
    if roles.iter().any(|r| p.has(*r)) {
        Ok(p)
    } else {
        Err(ApiError::PermissionDenied {
            reason: "ROLE_REQUIRED",
            message: format!(
                "this call needs one of the roles {roles:?}; the token of '{}' has {:?}",
                p.subject, p.roles
            ),
        })
    }
}
