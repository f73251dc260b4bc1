//! `EligibilityService`: joint-punishment checks (联合惩戒) for procurement
//! and bidding platforms. Requests are read and answered here; deciding,
//! the signed receipt and the check log are `services::checks`.

use tonic::{Request, Response, Status};

use super::error::{ApiError, rpc_status};
use super::{Deadline, Registry, deadline, principal, require};
use crate::auth::Role;
use crate::domain::Violation;
use crate::domain::party::name_problem;
use crate::domain::rules::measures::{Eligibility, MeasureDomain};
use crate::domain::uscc::Uscc;
use crate::proto::convert::{WireReader, measure_to_wire};
use crate::proto::pb::{self, eligibility_service_server::EligibilityService};
use crate::services::checks::Asking;
use crate::services::scope::Asked;

/// Most codes in one batch check.
const MAX_BATCH: usize = 1000;
/// Longest code accepted in a batch or consortium, in bytes: 18 characters
/// full-width (3 bytes each) with room for separators.
const MAX_CODE_BYTES: usize = 64;
/// Members of a consortium bid.
const CONSORTIUM_MEMBERS: std::ops::RangeInclusive<usize> = 2..=50;
const CHECKERS: &[Role] = &[Role::Procurement, Role::Auditor, Role::Regulator];

pub struct EligibilityApi {
    registry: Registry,
}

impl EligibilityApi {
    pub fn new(registry: Registry) -> EligibilityApi {
        EligibilityApi { registry }
    }

    /// Reads what every check shares (domain, date, known_at) into the
    /// reader that already holds the request's codes. Any violation fails
    /// the call, every one of them named.
    fn common<T>(
        &self,
        mut reader: WireReader,
        codes: Option<T>,
        wire: CommonFields<'_>,
    ) -> Result<(T, MeasureDomain, Asked), ApiError> {
        let domain = reader.enumeration::<MeasureDomain>("domain", wire.domain);
        let on = reader.optional_date("evaluated_on", wire.evaluated_on);
        let known_at = reader.known_at(wire.known_at, self.registry.clock.now());
        let (codes, domain) = reader.finish(codes.zip(domain)).map_err(ApiError::InvalidArgument)?;
        let asked = Asked { on, known_at, min_sequence: wire.min_sequence, deadline: wire.deadline.at() };
        Ok((codes, domain, asked))
    }
}

/// The fields every check request has.
struct CommonFields<'a> {
    domain: i32,
    evaluated_on: Option<&'a crate::proto::google::r#type::Date>,
    known_at: Option<&'a prost_types::Timestamp>,
    min_sequence: i64,
    deadline: Deadline,
}

/// A code far longer than any code: it would be echoed in the answer, the
/// receipt and the check log, so it fails the call.
fn too_long(field: &str, code: &str) -> Option<Violation> {
    (code.len() > MAX_CODE_BYTES).then(|| {
        Violation::new(
            field,
            format!(
                "is {} bytes; a code is 18 characters, at most {MAX_CODE_BYTES} bytes with spaces and separators",
                code.len()
            ),
        )
    })
}

/// Reads the names declared with a request's codes into `reader`: none, or
/// one per code (`codes` of them), each empty or a name
/// (`party::name_problem`).
fn declared_names(reader: &mut WireReader, field: &str, names: &[String], codes: usize) {
    if !names.is_empty() && names.len() != codes {
        reader.violations.push(Violation::new(
            field,
            format!("has {} names for {codes} codes: send one per code (empty for none), or none", names.len()),
        ));
    }
    for (i, name) in names.iter().enumerate() {
        if let Some(problem) = name_problem(name) {
            reader.violations.push(Violation::new(format!("{field}[{i}]"), problem));
        }
    }
}

fn count_violation(field: &str, n: usize, range: std::ops::RangeInclusive<usize>) -> Option<Violation> {
    (!range.contains(&n))
        .then(|| Violation::new(field, format!("has {n} codes; between {} and {} are accepted", range.start(), range.end())))
}

#[tonic::async_trait]
impl EligibilityService for EligibilityApi {
    async fn check_eligibility(
        &self,
        request: Request<pb::CheckEligibilityRequest>,
    ) -> Result<Response<pb::CheckEligibilityResponse>, Status> {
        let caller = require(&request, CHECKERS)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let uscc = reader.uscc("uscc", &m.uscc);
        if let Some(problem) = name_problem(&m.declared_name) {
            reader.violations.push(Violation::new("declared_name", problem));
        }
        let declared: Vec<String> = if m.declared_name.is_empty() { Vec::new() } else { vec![m.declared_name] };
        let common = CommonFields {
            domain: m.domain,
            evaluated_on: m.evaluated_on.as_ref(),
            known_at: m.known_at.as_ref(),
            min_sequence: m.min_sequence,
            deadline,
        };
        let (uscc, domain, asked) = self.common(reader, uscc, common)?;
        let ask = Asking { caller: &caller, asked: &asked, domain, declared_names: &declared };
        let (decision, receipt) = self.registry.checks.check(ask, &uscc, m.uscc).await.map_err(ApiError::from)?;
        Ok(Response::new(pb::CheckEligibilityResponse { decision: Some(decision), receipt: Some(receipt) }))
    }

    async fn batch_check_eligibility(
        &self,
        request: Request<pb::BatchCheckEligibilityRequest>,
    ) -> Result<Response<pb::BatchCheckEligibilityResponse>, Status> {
        let caller = require(&request, CHECKERS)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        reader.violations.extend(count_violation("codes", m.codes.len(), 1..=MAX_BATCH));
        // Codes are echoed in the answer, its receipt and the check log: one
        // far longer than any code fails the call rather than its entry.
        reader.violations.extend(m.codes.iter().enumerate().filter_map(|(i, code)| too_long(&format!("codes[{i}]"), code)));
        declared_names(&mut reader, "declared_names", &m.declared_names, m.codes.len());
        // Each code is judged on its own: a malformed one fails only its entry.
        let codes: Vec<Result<Uscc, Violation>> = m
            .codes
            .iter()
            .enumerate()
            .map(|(i, code)| Uscc::parse(code).map_err(|e| Violation::new(format!("codes[{i}]"), e.to_string())))
            .collect();
        let common = CommonFields {
            domain: m.domain,
            evaluated_on: m.evaluated_on.as_ref(),
            known_at: m.known_at.as_ref(),
            min_sequence: m.min_sequence,
            deadline,
        };
        let (codes, domain, asked) = self.common(reader, Some(codes), common)?;
        // A code repeated in the request is answered again and flagged.
        let mut first_at: std::collections::HashMap<Uscc, usize> = std::collections::HashMap::new();
        let repeats: Vec<Option<i32>> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.as_ref().ok().and_then(|u| {
                    first_at.get(u).map(|j| *j as i32).or_else(|| {
                        first_at.insert(*u, i);
                        None
                    })
                })
            })
            .collect();
        let ask = Asking { caller: &caller, asked: &asked, domain, declared_names: &m.declared_names };
        let codes = codes.into_iter().map(|parsed| parsed.map_err(|v| v.description)).collect();
        let (outcomes, receipt) =
            self.registry.checks.check_batch(ask, &m.codes, codes, super::MAX_MESSAGE_BYTES).await.map_err(ApiError::from)?;
        let results = m
            .codes
            .into_iter()
            .zip(outcomes)
            .zip(repeats)
            .enumerate()
            .map(|(i, ((requested_code, outcome), repeats_index))| pb::BatchCheckEligibilityResult {
                requested_code,
                repeats_index,
                outcome: Some(match outcome {
                    Ok(decision) => pb::batch_check_eligibility_result::Outcome::Decision(decision),
                    Err(why) => pb::batch_check_eligibility_result::Outcome::Error(rpc_status(ApiError::InvalidArgument(vec![
                        Violation::new(format!("codes[{i}]"), why),
                    ]))),
                }),
            })
            .collect();
        Ok(Response::new(pb::BatchCheckEligibilityResponse { results, receipt: Some(receipt) }))
    }

    async fn check_consortium(
        &self,
        request: Request<pb::CheckConsortiumRequest>,
    ) -> Result<Response<pb::CheckConsortiumResponse>, Status> {
        let caller = require(&request, CHECKERS)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        reader.violations.extend(count_violation("member_codes", m.member_codes.len(), CONSORTIUM_MEMBERS));
        declared_names(&mut reader, "member_declared_names", &m.member_declared_names, m.member_codes.len());
        let mut members: Vec<Uscc> = Vec::with_capacity(m.member_codes.len());
        for (i, code) in m.member_codes.iter().enumerate() {
            let field = format!("member_codes[{i}]");
            if let Some(v) = too_long(&field, code) {
                reader.violations.push(v);
                continue;
            }
            if let Some(uscc) = reader.uscc(&field, code) {
                match members.iter().position(|u| *u == uscc) {
                    Some(j) => reader.violations.push(Violation::new(field, format!("repeats member_codes[{j}] ({uscc})"))),
                    None => members.push(uscc),
                }
            }
        }
        let complete = (members.len() == m.member_codes.len()).then_some(members);
        let common = CommonFields {
            domain: m.domain,
            evaluated_on: m.evaluated_on.as_ref(),
            known_at: m.known_at.as_ref(),
            min_sequence: m.min_sequence,
            deadline,
        };
        let (members, domain, asked) = self.common(reader, complete, common)?;
        let ask = Asking { caller: &caller, asked: &asked, domain, declared_names: &m.member_declared_names };
        let (worst, decided, receipt) =
            self.registry.checks.check_consortium(ask, &m.member_codes, &members).await.map_err(ApiError::from)?;
        let barred_members =
            decided.iter().filter(|d| d.eligibility != Eligibility::Eligible).map(|d| d.decision.uscc.clone()).collect();
        Ok(Response::new(pb::CheckConsortiumResponse {
            eligibility: pb::Eligibility::from(worst) as i32,
            member_decisions: decided.into_iter().map(|d| d.decision).collect(),
            barred_members,
            receipt: Some(receipt),
        }))
    }

    async fn get_measure_catalogue(
        &self,
        request: Request<pb::GetMeasureCatalogueRequest>,
    ) -> Result<Response<pb::GetMeasureCatalogueResponse>, Status> {
        principal(&request)?;
        let mut reader = WireReader::default();
        let on = reader.optional_date("evaluated_on", request.get_ref().evaluated_on.as_ref());
        reader.finish(Some(())).map_err(ApiError::InvalidArgument)?;
        let catalogue = &self.registry.scopes.rules_on(on).catalogue;
        Ok(Response::new(pb::GetMeasureCatalogueResponse {
            version: catalogue.version.clone(),
            measures: catalogue.measures.iter().map(measure_to_wire).collect(),
        }))
    }
}
