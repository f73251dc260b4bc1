//! Every error the API returns, mapped to a gRPC status in one place, with
//! `google.rpc` details: `ErrorInfo` with a stable reason on every error,
//! `BadRequest` field violations for bad input, `ResourceInfo` for records.

use std::collections::HashMap;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::auth::AuthError;
use crate::domain::{Refusal, Violation};
use crate::services::error::{Missing, ServiceError};
use crate::store::{Fault, StoreError};
use crate::writer::WriteError;

/// `ErrorInfo.domain` of every error.
pub const ERROR_DOMAIN: &str = "creditregistry";

#[derive(Debug)]
pub enum ApiError {
    /// Bad input; each violation names its field (full path in the request).
    InvalidArgument(Vec<Violation>),
    Unauthenticated(AuthError),
    PermissionDenied {
        reason: &'static str,
        message: String,
    },
    NotFound {
        reason: &'static str,
        resource: &'static str,
        name: String,
        message: String,
    },
    AlreadyExists {
        reason: &'static str,
        existing_record_id: String,
        message: String,
    },
    FailedPrecondition {
        reason: &'static str,
        message: String,
    },
    /// Not yet allowed on the date the request names: FAILED_PRECONDITION
    /// with the first day it is allowed in `ErrorInfo.metadata.allowed_from`.
    NotYetAllowed {
        reason: &'static str,
        message: String,
        allowed_from: chrono::NaiveDate,
    },
    /// Retryable: the store or the writer cannot answer now.
    Unavailable {
        reason: &'static str,
        message: String,
    },
    /// Stored data is corrupt or inconsistent: retrying will not help.
    DataLoss {
        reason: &'static str,
        message: String,
    },
    /// A request over a size limit; the message names the limit.
    ResourceExhausted {
        reason: &'static str,
        message: String,
    },
}

impl ApiError {
    /// Bad input with field paths relative to `prefix` (e.g. "penalty.").
    pub fn invalid_under(prefix: &str, violations: Vec<Violation>) -> ApiError {
        ApiError::InvalidArgument(
            violations.into_iter().map(|v| Violation::new(format!("{prefix}{}", v.field), v.description)).collect(),
        )
    }

    /// Maps a writer error; `prefix` is where the record body sits in the request.
    pub fn from_write(e: WriteError, prefix: &str) -> ApiError {
        match e {
            WriteError::Invalid(v) => ApiError::invalid_under(prefix, v),
            WriteError::Refused(Refusal::Invalid(v)) => ApiError::invalid_under(prefix, v),
            WriteError::Refused(Refusal::TargetNotFound { field, record_id }) => ApiError::NotFound {
                reason: "RECORD_NOT_FOUND",
                resource: "creditregistry.v1.Record",
                message: format!("{prefix}{field}: no record {record_id}"),
                name: record_id,
            },
            WriteError::Refused(Refusal::UnknownAuthority { message, .. }) => {
                ApiError::PermissionDenied { reason: "AUTHORITY_NOT_IN_DIRECTORY", message }
            }
            WriteError::Refused(Refusal::OtherAuthority { field, record_id, authority }) => ApiError::PermissionDenied {
                reason: "OTHER_AUTHORITY",
                message: format!(
                    "{prefix}{field}: record {record_id} was decided by authority '{authority}'; only it may change the record (谁认定、谁修复)"
                ),
            },
            WriteError::Refused(Refusal::TargetClosed { reason, .. }) => {
                ApiError::FailedPrecondition { reason: "RECORD_CLOSED", message: reason }
            }
            WriteError::Refused(Refusal::Forbidden { reason, message }) => ApiError::FailedPrecondition { reason, message },
            WriteError::Refused(Refusal::NotYet { reason, message, allowed_from }) => {
                ApiError::NotYetAllowed { reason, message, allowed_from }
            }
            WriteError::Conflict { reason, message, existing } => {
                ApiError::AlreadyExists { reason, existing_record_id: existing, message }
            }
            WriteError::Store(e) => ApiError::from_store(&e),
            WriteError::NotTakenUp => ApiError::Unavailable { reason: "NOT_TAKEN_UP", message: e.to_string() },
            WriteError::Unconfirmed => ApiError::Unavailable { reason: "COMMIT_UNCONFIRMED", message: e.to_string() },
        }
    }

    /// Maps a store error by its class, in whichever layer it surfaced:
    /// corrupt or inconsistent stored data is DATA_LOSS, logged; a store
    /// that cannot be reached is UNAVAILABLE `STORE_UNREACHABLE`; anything
    /// else it reports (it cannot commit or answer in time) is UNAVAILABLE,
    /// which clients may retry. The message is in the registry's words;
    /// the driver's go to the log.
    pub fn from_store(e: &StoreError) -> ApiError {
        let message = e.public_message();
        match e.fault() {
            Fault::Corrupt => {
                tracing::error!(error = %e, "stored data is corrupt");
                ApiError::DataLoss { reason: "STORED_DATA_CORRUPT", message }
            }
            Fault::Stopped => ApiError::Unavailable { reason: "SHUTTING_DOWN", message },
            Fault::Unavailable => {
                tracing::warn!(error = %e, "the store could not answer");
                let reason = match e {
                    StoreError::Unreachable { .. } => "STORE_UNREACHABLE",
                    StoreError::Busy(_) => "STORE_BUSY",
                    _ => "STORE_UNAVAILABLE",
                };
                ApiError::Unavailable { reason, message }
            }
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(violations) => ApiError::InvalidArgument(violations),
            ServiceError::KnownAtAuditorsOnly => ApiError::PermissionDenied {
                reason: "KNOWN_AT_AUDITORS_ONLY",
                message: "known_at (the registry's past knowledge) is for auditor callers only".into(),
            },
            ServiceError::NotCaughtUp(message) => ApiError::Unavailable { reason: "NOT_CAUGHT_UP", message },
            ServiceError::NotFound { what, name, message } => {
                let (reason, resource) = match what {
                    Missing::Record => ("RECORD_NOT_FOUND", "creditregistry.v1.Record"),
                    Missing::Checkpoint => ("CHECKPOINT_NOT_FOUND", "creditregistry.v1.Checkpoint"),
                    Missing::Draw => ("DRAW_NOT_FOUND", "creditregistry.v1.InspectionSample"),
                    Missing::Authority => ("AUTHORITY_NOT_FOUND", "creditregistry.v1.Authority"),
                };
                ApiError::NotFound { reason, resource, name, message }
            }
            ServiceError::Store(e) => ApiError::from_store(&e),
            ServiceError::NoRandomness(message) => ApiError::Unavailable { reason: "NO_RANDOMNESS", message },
            ServiceError::AnswerTooLarge { codes, bytes, limit } => ApiError::ResourceExhausted {
                reason: "ANSWER_TOO_LARGE",
                message: format!(
                    "the answer for these {codes} codes would be about {bytes} bytes, over the {limit} a message may have: send fewer codes per call"
                ),
            },
            ServiceError::SearchFailed(message) => ApiError::Unavailable { reason: "SEARCH_UNAVAILABLE", message },
        }
    }
}

impl From<ServiceError> for Status {
    /// See `ApiError::from`.
    fn from(e: ServiceError) -> Status {
        ApiError::from(e).into()
    }
}

impl From<StoreError> for ApiError {
    /// See `ApiError::from_store`.
    fn from(e: StoreError) -> Self {
        ApiError::from_store(&e)
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        ApiError::Unauthenticated(e)
    }
}

/// How long a client should wait before retrying an UNAVAILABLE call.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Longest description carried in `grpc-message`, in UTF-8 bytes: it is
/// percent-encoded there, so a byte may take three.
const MESSAGE_BYTES: usize = 240;
/// Longest `grpc-message` of any error, in UTF-8 bytes.
const MESSAGE_LIMIT: usize = 640;
/// Descriptions up to this many bytes are repeated, not referred to.
const SHORT_DESCRIPTION: usize = 48;
/// Longest description carried in the details, in UTF-8 bytes.
const DESCRIPTION_BYTES: usize = 600;
/// Most bytes of field violations carried in the details. Trailers carry the
/// details base64-encoded (4/3) beside `grpc-message` (percent-encoded); this
/// keeps every error's trailers under the 8 KiB that gRPC lets clients cap
/// them at (PROTOCOL-HTTP2.md), whatever the input.
const VIOLATION_BYTES: usize = 4096;

/// `text` cut to at most `bytes` UTF-8 bytes at a character boundary, the
/// cut marked with an ellipsis (counted in `bytes`).
fn clip_bytes(text: &str, bytes: usize) -> String {
    if text.len() <= bytes {
        return text.to_string();
    }
    let room = bytes.saturating_sub('…'.len_utf8());
    let end = (0..=room).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
    format!("{}…", &text[..end])
}

/// The violations that fit in `VIOLATION_BYTES`, each description clipped,
/// and a description already given for an earlier field referred to rather
/// than repeated (50 consortium members with the same fault all fit); when
/// some do not fit, a last entry says how many were left out.
fn bounded_violations(violations: Vec<crate::domain::Violation>) -> Vec<tonic_types::FieldViolation> {
    let total = violations.len();
    let mut kept = Vec::new();
    let mut first_with: HashMap<String, String> = HashMap::new();
    let mut bytes = 0;
    for v in violations {
        // Short descriptions ("is required") cost less than a reference.
        let description = match first_with.get(&v.description).filter(|_| v.description.len() > SHORT_DESCRIPTION) {
            Some(field) => format!("as {field}"),
            None => {
                first_with.insert(v.description.clone(), v.field.clone());
                clip_bytes(&v.description, DESCRIPTION_BYTES)
            }
        };
        let size = v.field.len() + description.len() + 8;
        if bytes + size > VIOLATION_BYTES {
            break;
        }
        bytes += size;
        kept.push(tonic_types::FieldViolation::new(v.field, description));
    }
    if kept.len() < total {
        let left = total - kept.len();
        kept.push(tonic_types::FieldViolation::new("", format!("{left} more problems not listed; fix these and send again")));
    }
    kept
}

fn info(details: &mut ErrorDetails, reason: &str, metadata: HashMap<String, String>) {
    details.set_error_info(reason, ERROR_DOMAIN, metadata);
}

impl From<ApiError> for Status {
    fn from(e: ApiError) -> Status {
        let mut details = ErrorDetails::new();
        let (code, message) = match e {
            ApiError::InvalidArgument(violations) => {
                info(&mut details, "INVALID_ARGUMENT", HashMap::new());
                let message = match violations.first() {
                    None => "invalid request".to_string(),
                    Some(first) => {
                        let more = match violations.len() - 1 {
                            0 => String::new(),
                            n => format!(" (and {n} more in the BadRequest details)"),
                        };
                        let first_problem = clip_bytes(&first.description, MESSAGE_BYTES);
                        if first.field.is_empty() {
                            format!("{first_problem}{more}")
                        } else {
                            format!("{}: {first_problem}{more}", first.field)
                        }
                    }
                };
                details.set_bad_request(bounded_violations(violations));
                (Code::InvalidArgument, message)
            }
            ApiError::Unauthenticated(e) => {
                info(&mut details, e.reason(), HashMap::new());
                (Code::Unauthenticated, e.to_string())
            }
            ApiError::PermissionDenied { reason, message } => {
                info(&mut details, reason, HashMap::new());
                (Code::PermissionDenied, message)
            }
            ApiError::NotFound { reason, resource, name, message } => {
                info(&mut details, reason, HashMap::new());
                details.set_resource_info(resource, name, "", "no such resource");
                (Code::NotFound, message)
            }
            ApiError::AlreadyExists { reason, existing_record_id, message } => {
                info(&mut details, reason, HashMap::from([("existing_record_id".to_string(), existing_record_id.clone())]));
                details.set_resource_info("creditregistry.v1.Record", existing_record_id, "", "the record this request repeats");
                (Code::AlreadyExists, message)
            }
            ApiError::FailedPrecondition { reason, message } => {
                info(&mut details, reason, HashMap::new());
                (Code::FailedPrecondition, message)
            }
            ApiError::NotYetAllowed { reason, message, allowed_from } => {
                let day = allowed_from.format("%Y-%m-%d").to_string();
                info(&mut details, reason, HashMap::from([("allowed_from".to_string(), day)]));
                (Code::FailedPrecondition, message)
            }
            ApiError::Unavailable { reason, message } => {
                info(&mut details, reason, HashMap::new());
                details.set_retry_info(Some(RETRY_AFTER));
                (Code::Unavailable, message)
            }
            ApiError::DataLoss { reason, message } => {
                info(&mut details, reason, HashMap::new());
                (Code::DataLoss, message)
            }
            ApiError::ResourceExhausted { reason, message } => {
                info(&mut details, reason, HashMap::new());
                (Code::ResourceExhausted, message)
            }
        };
        // Whatever an error quotes of the input, its message stays one short
        // line: trailers stay small and readable.
        let message = clip_bytes(&message.replace(['\n', '\r'], " "), MESSAGE_LIMIT);
        Status::with_error_details(code, message, details)
    }
}

/// The errors tonic answers itself, before any handler runs, given the
/// registry's codes and details like every other error: a request message
/// over the decoding limit (tonic: OUT_OF_RANGE) is RESOURCE_EXHAUSTED naming
/// the limit; one that is not a valid protobuf encoding (tonic: INTERNAL) is
/// INVALID_ARGUMENT, since the fault is the caller's and INTERNAL would
/// claim it is the registry's. Applied to every response.
pub fn answer_codec_errors<B: Default>(
    response: tonic::codegen::http::Response<B>,
    limit_bytes: usize,
) -> tonic::codegen::http::Response<B> {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
    let message = header("grpc-message").map(|m| m.replace("%20", " ")).unwrap_or_default();
    let error = match header("grpc-status") {
        Some("11") if message.contains("decoded message length too large") => ApiError::ResourceExhausted {
            reason: "REQUEST_TOO_LARGE",
            message: format!("the request message is larger than the {limit_bytes} bytes (4 MiB) a message may have"),
        },
        Some("13") if message.contains("failed to decode Protobuf message") => {
            ApiError::InvalidArgument(vec![crate::domain::Violation::new(
                "",
                "the request is not a valid protobuf encoding of this method's request message",
            )])
        }
        _ => return response,
    };
    Status::from(error).into_http()
}

/// The `google.rpc.Status` of an error, for answers that carry one error per
/// entry (batch checks) rather than failing the call.
pub fn rpc_status(e: ApiError) -> tonic_types::pb::Status {
    let status = Status::from(e);
    prost::Message::decode(status.details()).unwrap_or_else(|_| tonic_types::pb::Status {
        code: status.code() as i32,
        message: status.message().to_string(),
        details: Vec::new(),
    })
}
