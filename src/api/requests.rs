//! One span per request (target `creditregistry::requests`): its method,
//! its request id, and, once the token is read, the caller's subject and
//! organisation; one event when it is answered, with the gRPC code and the
//! latency in microseconds. Headers are never logged, so neither is a token.
//!
//! Answers are logged by who is at fault: `OK` at DEBUG (an access log of
//! every call is `RUST_LOG=info,creditregistry::requests=debug`), the
//! caller's errors at INFO, the registry's (`INTERNAL`, `UNKNOWN`,
//! `DATA_LOSS`, `UNAVAILABLE`, `UNIMPLEMENTED`) at WARN.

use std::time::Duration;

use http::{HeaderMap, Request, Response};
use tonic::Code;
use tower_http::classify::{GrpcErrorsAsFailures, GrpcFailureClass, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::{Level, Span, field::Empty};

/// The request id header a caller may send; one is made when it does not.
const REQUEST_ID: &str = "x-request-id";

/// Most characters of a caller's request id that are kept.
const MAX_REQUEST_ID: usize = 128;

type MakeSpan = fn(&Request<tonic::body::Body>) -> Span;
type OnResponse = fn(&Response<tonic::body::Body>, Duration, &Span);
type OnEos = fn(Option<&HeaderMap>, Duration, &Span);
type OnFailure = fn(GrpcFailureClass, Duration, &Span);

/// The layer that makes each request's span and logs its answer.
pub type RequestLog = TraceLayer<SharedClassifier<GrpcErrorsAsFailures>, MakeSpan, (), OnResponse, (), OnEos, OnFailure>;

pub fn layer() -> RequestLog {
    TraceLayer::new_for_grpc()
        .make_span_with(span as MakeSpan)
        .on_request(())
        .on_response(answered_at_once as OnResponse)
        .on_body_chunk(())
        .on_eos(answered as OnEos)
        .on_failure(failed as OnFailure)
}

fn span(request: &Request<tonic::body::Body>) -> Span {
    let given = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|id| !id.trim().is_empty());
    let request_id = match given {
        Some(id) => id.chars().filter(|c| !c.is_control()).take(MAX_REQUEST_ID).collect(),
        None => uuid::Uuid::now_v7().to_string(),
    };
    tracing::info_span!(
        target: "creditregistry::requests",
        "request",
        method = %request.uri().path(),
        request_id = %request_id,
        subject = Empty,
        organisation = Empty,
    )
}

/// Records the caller in the current request's span.
pub fn record_caller(subject: &str, organisation: Option<&str>) {
    let span = Span::current();
    span.record("subject", subject);
    if let Some(organisation) = organisation {
        span.record("organisation", organisation);
    }
}

/// A status in the headers ("trailers-only"): the answer is whole.
fn answered_at_once(response: &Response<tonic::body::Body>, latency: Duration, span: &Span) {
    if let Some(code) = status(response.headers()) {
        log(code, latency, span);
    }
}

fn answered(trailers: Option<&HeaderMap>, latency: Duration, span: &Span) {
    log(trailers.and_then(status).unwrap_or(Code::Unknown), latency, span);
}

/// Only what is not a gRPC status (those are logged as answers).
fn failed(class: GrpcFailureClass, latency: Duration, span: &Span) {
    if let GrpcFailureClass::Error(error) = class {
        tracing::warn!(target: "creditregistry::requests", parent: span, %error, latency_us = latency.as_micros() as u64, "request failed");
    }
}

fn status(headers: &HeaderMap) -> Option<Code> {
    let code = headers.get("grpc-status")?.to_str().ok()?.parse::<i32>().ok()?;
    Some(Code::from_i32(code))
}

fn log(code: Code, latency: Duration, span: &Span) {
    let latency_us = latency.as_micros() as u64;
    let name = code_name(code);
    macro_rules! answer {
        ($level:expr) => {
            tracing::event!(target: "creditregistry::requests", parent: span, $level, code = name, latency_us, "answered")
        };
    }
    match code {
        Code::Ok => answer!(Level::DEBUG),
        Code::Internal | Code::Unknown | Code::DataLoss | Code::Unavailable | Code::Unimplemented => answer!(Level::WARN),
        _ => answer!(Level::INFO),
    }
}

/// The code as gRPC names it (`INVALID_ARGUMENT`).
fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}
