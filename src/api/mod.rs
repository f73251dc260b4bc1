//! The gRPC API: authentication, request parsing, and conversion between the
//! wire types and the services underneath. Requests and responses stop
//! here; below, protobuf is only the format of what the registry signs
//! (records' canonical bytes, checkpoints, receipts, check-log entries).

mod audit;
mod eligibility;
pub mod error;
mod paging;
mod records;
pub mod requests;
mod supervision;

use std::sync::Arc;
use std::time::Duration;

use tonic::Request;
use tonic::service::Interceptor;

pub use audit::AuditApi;
pub use eligibility::EligibilityApi;
pub use records::RecordsApi;
pub use supervision::SupervisionApi;

use crate::auth::{Authenticator, Principal, Role};
use crate::clock::Clock;
use crate::services::audit::AuditReads;
use crate::services::authorities::Authorities;
use crate::services::checks::Checks;
use crate::services::profiles::Profiles;
use crate::services::scope::Scopes;
use crate::services::search::Search;
use crate::services::supervision::Supervision;
use crate::services::writes::Writes;
use error::ApiError;

/// What every service shares.
#[derive(Clone)]
pub struct Registry {
    pub clock: Clock,
    /// Enforcement writes, through the writer.
    pub writes: Writes,
    /// The authority directory.
    pub authorities: Authorities,
    /// How each read sees the ledger.
    pub scopes: Scopes,
    /// Checks: decide, attest, log.
    pub checks: Checks,
    /// Credit files as a caller may see them: profiles, record lists.
    pub profiles: Profiles,
    /// Checkpoints, proofs, histories, the export and the check log.
    pub audit: AuditReads,
    /// Risk classes, inspection draws, statistics.
    pub supervision: Supervision,
    /// Entities by name or code.
    pub search: Search,
}

/// Largest request or response message: 4 MiB, what every gRPC client
/// accepts by default.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// Longest a call may run: the client's deadline (`grpc-timeout`) when it
/// is sooner. A read waiting for `min_sequence` or `known_at` waits as long.
pub const CALL_LIMIT: Duration = Duration::from_secs(30);

/// When a call waiting on the writer, the store or other nodes stops
/// waiting, from the call's arrival: before the client's deadline
/// (`grpc-timeout`, at most `CALL_LIMIT` away) by a tenth of the call's
/// time, from 100 ms to half a second and at most half the call's time, so
/// that the caller reads why (`NOT_CAUGHT_UP`, `NOT_TAKEN_UP`,
/// `COMMIT_UNCONFIRMED`) rather than a bare `DEADLINE_EXCEEDED`.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(tokio::time::Instant);

impl Deadline {
    /// The instant it falls on.
    fn at(self) -> tokio::time::Instant {
        self.0
    }
}

/// The call's deadline, read from its `grpc-timeout` header.
fn deadline<T>(request: &Request<T>) -> Deadline {
    let timeout = request
        .metadata()
        .get("grpc-timeout")
        .and_then(|v| v.to_str().ok())
        .and_then(grpc_timeout)
        .map_or(CALL_LIMIT, |t| t.min(CALL_LIMIT));
    let margin = (timeout / 10).clamp(Duration::from_millis(100), Duration::from_millis(500)).min(timeout / 2);
    Deadline(tokio::time::Instant::now() + timeout - margin)
}

/// A `grpc-timeout` value: at most eight digits and a unit (gRPC over
/// HTTP/2: H, M, S, m, u, n).
fn grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// Authenticates every call and puts the `Principal` in the request.
#[derive(Clone)]
pub struct Authenticate {
    pub authenticator: Arc<Authenticator>,
    /// Whether a client certificate's subject organisation must be the
    /// token's organisation (mutual TLS with `tls.bind_organisation`).
    pub bind_organisation: bool,
}

impl Interceptor for Authenticate {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, tonic::Status> {
        let header = request.metadata().get("authorization").and_then(|v| v.to_str().ok());
        let principal = self.authenticator.authenticate(header).map_err(ApiError::from)?;
        if self.bind_organisation
            && let Some(certs) = request.peer_certs()
            && let Some(leaf) = certs.first()
        {
            let presented = crate::tls::organisation(leaf);
            if presented.is_none() || presented != principal.organisation {
                return Err(ApiError::PermissionDenied {
                    reason: "CERTIFICATE_ORGANISATION_MISMATCH",
                    message: format!(
                        "the client certificate's organisation ({}) is not the organisation of the token of '{}' ({}): \
                         a client uses its own organisation's tokens",
                        presented.as_deref().unwrap_or("none"),
                        principal.subject,
                        principal.organisation.as_deref().unwrap_or("none")
                    ),
                }
                .into());
            }
        }
        requests::record_caller(&principal.subject, principal.organisation.as_deref());
        request.extensions_mut().insert(principal);
        Ok(request)
    }
}

/// The caller, as authenticated by `Authenticate`.
fn principal<T>(request: &Request<T>) -> Result<Principal, ApiError> {
    request.extensions().get::<Principal>().cloned().ok_or(ApiError::Unauthenticated(crate::auth::AuthError::Missing))
}

/// Roles as a token's `roles` claim writes them (`auditor`, `regulator`).
fn role_names(roles: &[Role]) -> String {
    let names: Vec<String> = roles.iter().filter_map(|r| serde_json::to_value(r).ok()?.as_str().map(str::to_string)).collect();
    if names.is_empty() { "none".into() } else { names.join(", ") }
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
                "this call needs one of the roles {}; the token of '{}' has {}",
                role_names(roles),
                p.subject,
                role_names(&p.roles)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::grpc_timeout;
    use std::time::Duration;

    #[test]
    fn grpc_timeouts_are_read_in_every_unit() {
        assert_eq!(grpc_timeout("8S"), Some(Duration::from_secs(8)));
        assert_eq!(grpc_timeout("2M"), Some(Duration::from_secs(120)));
        assert_eq!(grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(grpc_timeout("99999999u"), Some(Duration::from_micros(99_999_999)));
        assert_eq!(grpc_timeout("5n"), Some(Duration::from_nanos(5)));
        for bad in ["", "S", "100", "123456789S", "+5S", "5s", "5 S"] {
            assert_eq!(grpc_timeout(bad), None, "{bad:?}");
        }
    }
}
