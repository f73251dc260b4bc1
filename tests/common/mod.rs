//! The API tests' own helpers beside the test kit (`creditregistry_testkit`,
//! re-exported here): calls that expect an answer, the error details a
//! refusal carries, and changes to the database behind the registry's back.

// Each test binary uses some of these.
#![allow(dead_code, unused_imports)]

use tonic::{Code, Status};
use tonic_types::StatusExt;

pub use creditregistry_testkit::on_both_backends;
pub use creditregistry_testkit::records::*;
pub use creditregistry_testkit::registry::*;
pub use creditregistry_testkit::tokens::Bearer;

use creditregistry::proto::pb;

/// The profile of an entity as `client`'s caller sees it today.
pub async fn profile(client: &mut RecordsClient, uscc: &str) -> pb::GetProfileResponse {
    client.get_profile(pb::GetProfileRequest { uscc: uscc.into(), ..Default::default() }).await.expect("profile").into_inner()
}

/// The BadRequest field violations of a status, as (field, description).
pub fn violations(status: &Status) -> Vec<(String, String)> {
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| (v.field.clone(), v.description.clone())).collect())
        .unwrap_or_default()
}

/// The ErrorInfo reason of a status.
pub fn reason(status: &Status) -> String {
    status.get_error_details().error_info().map(|i| i.reason.clone()).unwrap_or_default()
}

/// Asserts a status's code and that one field violation names `field` and
/// contains `text`.
#[track_caller]
pub fn assert_violation(status: &Status, field: &str, text: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let v = violations(status);
    assert!(
        v.iter().any(|(f, d)| f == field && d.contains(text)),
        "expected a violation of {field} containing {text:?}, got {v:?}"
    );
    assert_eq!(reason(status), "INVALID_ARGUMENT");
}

/// Asserts a "not yet allowed on this date" refusal: FAILED_PRECONDITION
/// with `expected_reason` and the first day it is allowed in the
/// ErrorInfo metadata `allowed_from`.
#[track_caller]
pub fn assert_not_yet(status: &Status, expected_reason: &str, allowed_from: chrono::NaiveDate) {
    assert_eq!((status.code(), reason(status).as_str()), (Code::FailedPrecondition, expected_reason), "{status:?}");
    let metadata = status.get_error_details().error_info().map(|i| i.metadata.clone()).unwrap_or_default();
    assert_eq!(metadata.get("allowed_from"), Some(&allowed_from.to_string()), "{status:?}");
    assert!(status.message().contains(&format!("allowed from {allowed_from}")), "{}", status.message());
}

pub async fn record_penalty(w: &mut RecordsClient, uscc: &str, p: pb::Penalty) -> pb::Record {
    w.record_penalty(penalty_request("", uscc, p)).await.unwrap().into_inner().record.unwrap()
}

pub async fn try_listing(w: &mut RecordsClient, uscc: &str, l: pb::Listing) -> Result<pb::Record, Status> {
    w.record_listing(pb::RecordListingRequest { request_id: String::new(), uscc: uscc.into(), listing: Some(l) })
        .await
        .map(|r| r.into_inner().record.unwrap())
}

pub async fn record_listing(w: &mut RecordsClient, uscc: &str, l: pb::Listing) -> pb::Record {
    try_listing(w, uscc, l).await.unwrap()
}

pub async fn decide(c: &mut EligibilityClient, request: pb::CheckEligibilityRequest) -> pb::Decision {
    c.check_eligibility(request).await.unwrap().into_inner().decision.unwrap()
}

pub fn eligibility(d: &pb::Decision) -> pb::Eligibility {
    pb::Eligibility::try_from(d.eligibility).unwrap()
}

/// Which part of the store SQL is run on: on SQLite two files, on
/// PostgreSQL one database.
#[derive(Clone, Copy)]
pub enum Part {
    Ledger,
    Audit,
}

/// Changes the database behind the registry's back, as someone with
/// access to it could: triggers and foreign keys do not stop them (on
/// PostgreSQL a superuser's `session_replication_role = replica`; the
/// `DROP TRIGGER` statements SQLite needs are not run there).
pub async fn tamper(reg: &TestRegistry, part: Part, sql: &[&str]) {
    use sqlx::Connection;
    let url = reg.config.database_url();
    match backend() {
        Backend::Sqlite => {
            let url = match part {
                Part::Ledger => url,
                Part::Audit => creditregistry::store::audit_url(&url),
            };
            let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut db).await.unwrap();
            for statement in sql {
                sqlx::query(statement).execute(&mut db).await.unwrap();
            }
            db.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query("SET session_replication_role = replica").execute(&mut db).await.unwrap();
            for statement in sql.iter().filter(|s| !s.starts_with("DROP TRIGGER")) {
                sqlx::query(statement).execute(&mut db).await.unwrap();
            }
            db.close().await.unwrap();
        }
    }
}
