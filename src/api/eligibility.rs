//! `EligibilityService`: joint-punishment checks (联合惩戒) for procurement
//! and bidding platforms, served from the in-memory index. Every answer
//! comes with a signed receipt and is written to the check log.

use tonic::{Request, Response, Status};

use super::error::{ApiError, rpc_status};
use super::{ReadScope, Registry, principal, require};
use crate::auth::{Principal, Role};
use crate::domain::admission::Violation;
use crate::domain::rules::measures::{Eligibility, MeasureDomain};
use crate::domain::uscc::Uscc;
use crate::proto::convert::{
    WireReader, compact_decision, date_to_wire, decision_to_wire, measure_to_wire, timestamp_to_wire,
};
use crate::proto::pb::{self, eligibility_service_server::EligibilityService};

/// Most codes in one batch check.
const MAX_BATCH: usize = 1000;
/// Longest code accepted in a batch or consortium, in bytes: 18 characters
/// full-width (3 bytes each) with room for separators.
const MAX_CODE_BYTES: usize = 64;
/// Room in an answer for the receipt's checkpoint and signature.
const RECEIPT_OVERHEAD: usize = 16 * 1024;
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
    /// reader that already holds the request's codes, and resolves the scope.
    /// Any violation fails the call, every one of them named.
    async fn scope<T>(
        &self,
        caller: &Principal,
        mut reader: WireReader,
        codes: Option<T>,
        wire: CommonFields<'_>,
    ) -> Result<(T, MeasureDomain, ReadScope), ApiError> {
        let domain = reader.enumeration::<MeasureDomain>("domain", wire.domain);
        let on = reader.optional_date("evaluated_on", wire.evaluated_on);
        let known_at = reader.known_at(wire.known_at, self.registry.clock.now());
        let (codes, domain) = reader.finish(codes.zip(domain)).map_err(ApiError::InvalidArgument)?;
        let scope = self.registry.scope(caller, on, known_at, wire.min_sequence).await?;
        Ok((codes, domain, scope))
    }

    /// Signs the receipt of a check and queues its entry for the check log.
    async fn attest(&self, caller: &Principal, check: Attested<'_>, scope: &ReadScope) -> Result<pb::Receipt, ApiError> {
        let registry = &self.registry;
        let checkpoint = registry.audit.checkpoint_for(scope.tree).await;
        let issued_at = Some(timestamp_to_wire(registry.clock.now()));
        let receipt_id = uuid::Uuid::now_v7().to_string();
        let domain = pb::MeasureDomain::from(check.domain) as i32;
        let evaluated_on = Some(date_to_wire(scope.on));
        let known_at = scope.known_at.map(timestamp_to_wire);
        let kind = check.kind as i32;
        let organisation = caller.organisation.clone().unwrap_or_default();
        // One eligibility per requested code; a refused code has none.
        let mut decided = check.decisions.iter();
        let eligibilities = check
            .valid
            .iter()
            .map(|ok| if *ok { decided.next().map_or(0, |d| d.eligibility) } else { 0 })
            .collect();
        let codes = check.decisions.iter().map(|d| d.uscc.clone()).collect();
        let body = pb::ReceiptBody {
            receipt_id: receipt_id.clone(),
            issued_at,
            caller_subject: caller.subject.clone(),
            caller_organisation: organisation.clone(),
            requested_codes: check.requested_codes.to_vec(),
            domain,
            evaluated_on,
            decisions: check.decisions,
            consortium_eligibility: check.consortium.map_or(0, |e| e as i32),
            catalogue_version: scope.rules(&registry.rules).catalogue.version.clone(),
            checkpoint: Some(checkpoint.as_ref().clone()),
            known_at,
            kind,
            refused_codes: check.refusals,
        };
        let receipt = registry.audit.sign_receipt(&body).await.map_err(ApiError::from)?;
        let entry = pb::CheckLogEntry {
            sequence: 0,
            checked_at: issued_at,
            caller_subject: caller.subject.clone(),
            caller_organisation: organisation,
            codes: check.requested_codes.to_vec(),
            domain,
            evaluated_on,
            eligibilities,
            receipt_id,
            chain_hash: Vec::new(),
            kind,
            known_at,
            tree_size: scope.tree.size as i64,
        };
        registry.audit.log_check(entry, codes).await;
        Ok(receipt)
    }

    /// Decides for one valid code.
    fn decide(&self, uscc: &Uscc, domain: MeasureDomain, scope: &ReadScope) -> pb::Decision {
        self.decide_with_outcome(uscc, domain, scope).1
    }

    /// Decides for one valid code: the outcome as the domain orders it, and
    /// the decision as the caller gets it.
    fn decide_with_outcome(&self, uscc: &Uscc, domain: MeasureDomain, scope: &ReadScope) -> (Eligibility, pb::Decision) {
        let records = self.registry.records_of(uscc);
        let state = scope.fold(&records, &self.registry.rules);
        let rules = scope.rules(&self.registry.rules);
        let decision = rules.catalogue.decide(&state, domain, scope.on);
        // A measure's triggers are disclosed to the caller it is shown to, so
        // only an answer with none needs the whole disclosure worked out.
        let no_records = decision.measures.is_empty()
            && decision.incentives.is_empty()
            && scope.visible(&state, &self.registry.rules).is_empty();
        (decision.eligibility, decision_to_wire(uscc, &decision, &rules.publicity.version, no_records))
    }
}

/// What a receipt attests.
struct Attested<'a> {
    kind: pb::CheckKind,
    domain: MeasureDomain,
    /// The codes exactly as sent.
    requested_codes: &'a [String],
    /// Whether each requested code was valid (and so has a decision).
    valid: Vec<bool>,
    /// The decisions for the valid codes, in request order.
    decisions: Vec<pb::Decision>,
    /// The refused codes: index into `requested_codes`, and why.
    refusals: Vec<pb::CodeRefusal>,
    consortium: Option<pb::Eligibility>,
}

/// The fields every check request has.
struct CommonFields<'a> {
    domain: i32,
    evaluated_on: Option<&'a crate::proto::google::r#type::Date>,
    known_at: Option<&'a prost_types::Timestamp>,
    min_sequence: i64,
}

/// A code far longer than any code: it would be echoed in the answer, the
/// receipt and the check log, so it fails the call.
fn too_long(field: &str, code: &str) -> Option<Violation> {
    (code.len() > MAX_CODE_BYTES).then(|| {
        Violation::new(
            field,
            format!("is {} bytes; a code is 18 characters, at most {MAX_CODE_BYTES} bytes with spaces and separators", code.len()),
        )
    })
}

fn count_violation(field: &str, n: usize, range: std::ops::RangeInclusive<usize>) -> Option<Violation> {
    (!range.contains(&n)).then(|| {
        Violation::new(field, format!("has {n} codes; between {} and {} are accepted", range.start(), range.end()))
    })
}

#[tonic::async_trait]
impl EligibilityService for EligibilityApi {
    async fn check_eligibility(
        &self,
        request: Request<pb::CheckEligibilityRequest>,
    ) -> Result<Response<pb::CheckEligibilityResponse>, Status> {
        let caller = require(&request, CHECKERS)?;
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let uscc = reader.uscc("uscc", &m.uscc);
        let common = CommonFields {
            domain: m.domain,
            evaluated_on: m.evaluated_on.as_ref(),
            known_at: m.known_at.as_ref(),
            min_sequence: m.min_sequence,
        };
        let (uscc, domain, scope) = self.scope(&caller, reader, uscc, common).await?;
        let decision = self.decide(&uscc, domain, &scope);
        let requested = [m.uscc];
        let check = Attested {
            kind: pb::CheckKind::Single,
            domain,
            requested_codes: &requested,
            valid: vec![true],
            decisions: vec![decision.clone()],
            refusals: Vec::new(),
            consortium: None,
        };
        let receipt = self.attest(&caller, check, &scope).await?;
        Ok(Response::new(pb::CheckEligibilityResponse { decision: Some(decision), receipt: Some(receipt) }))
    }

    async fn batch_check_eligibility(
        &self,
        request: Request<pb::BatchCheckEligibilityRequest>,
    ) -> Result<Response<pb::BatchCheckEligibilityResponse>, Status> {
        let caller = require(&request, CHECKERS)?;
        let m = request.into_inner();
        let mut reader = WireReader::default();
        reader.violations.extend(count_violation("codes", m.codes.len(), 1..=MAX_BATCH));
        // Codes are echoed in the answer, its receipt and the check log: one
        // far longer than any code fails the call rather than its entry.
        reader.violations.extend(m.codes.iter().enumerate().filter_map(|(i, code)| too_long(&format!("codes[{i}]"), code)));
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
        };
        let (codes, domain, scope) = self.scope(&caller, reader, Some(codes), common).await?;
        let valid = codes.iter().map(Result::is_ok).collect();
        // A code repeated in the request is answered again and flagged.
        let mut first_at: std::collections::HashMap<Uscc, usize> = std::collections::HashMap::new();
        let repeats: Vec<Option<i32>> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| c.as_ref().ok().and_then(|u| first_at.get(u).map(|j| *j as i32).or_else(|| {
                first_at.insert(*u, i);
                None
            })))
            .collect();
        let outcomes: Vec<Result<pb::Decision, Violation>> = codes
            .into_iter()
            .map(|parsed| parsed.map(|uscc| compact_decision(self.decide(&uscc, domain, &scope))))
            .collect();
        // The answer carries each decision twice (results and receipt). It
        // must fit before the check is logged: no check is logged whose
        // answer could not be sent.
        let size: usize = outcomes
            .iter()
            .zip(&m.codes)
            .map(|(o, code)| 3 * code.len() + o.as_ref().map_or(300, |d| 2 * prost::Message::encoded_len(d) + 64))
            .sum();
        if size + RECEIPT_OVERHEAD > super::MAX_MESSAGE_BYTES {
            return Err(ApiError::ResourceExhausted {
                reason: "ANSWER_TOO_LARGE",
                message: format!(
                    "the answer for these {} codes would be about {size} bytes, over the {} a message may have: send fewer codes per call",
                    m.codes.len(),
                    super::MAX_MESSAGE_BYTES
                ),
            }
            .into());
        }
        let check = Attested {
            kind: pb::CheckKind::Batch,
            domain,
            requested_codes: &m.codes,
            valid,
            decisions: outcomes.iter().filter_map(|o| o.as_ref().ok().cloned()).collect(),
            refusals: outcomes
                .iter()
                .enumerate()
                .filter_map(|(i, o)| {
                    o.as_ref().err().map(|v| pb::CodeRefusal { index: i as i32, reason: v.description.clone() })
                })
                .collect(),
            consortium: None,
        };
        let receipt = self.attest(&caller, check, &scope).await?;
        let results = m
            .codes
            .into_iter()
            .zip(outcomes)
            .zip(repeats)
            .map(|((requested_code, outcome), repeats_index)| pb::BatchCheckEligibilityResult {
                requested_code,
                repeats_index,
                outcome: Some(match outcome {
                    Ok(decision) => pb::batch_check_eligibility_result::Outcome::Decision(decision),
                    Err(v) => pb::batch_check_eligibility_result::Outcome::Error(rpc_status(
                        ApiError::InvalidArgument(vec![v]),
                    )),
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
        let m = request.into_inner();
        let mut reader = WireReader::default();
        reader.violations.extend(count_violation("member_codes", m.member_codes.len(), CONSORTIUM_MEMBERS));
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
        };
        let (members, domain, scope) = self.scope(&caller, reader, complete, common).await?;
        let (outcomes, member_decisions): (Vec<Eligibility>, Vec<pb::Decision>) =
            members.iter().map(|u| self.decide_with_outcome(u, domain, &scope)).unzip();
        // The group stands as its worst member: any member's record counts
        // for the consortium (财库〔2016〕125号; 政府采购法第二十四条).
        let worst = outcomes.iter().copied().max().unwrap_or(Eligibility::Eligible);
        let barred_members = outcomes
            .iter()
            .zip(&member_decisions)
            .filter(|(outcome, _)| **outcome != Eligibility::Eligible)
            .map(|(_, d)| d.uscc.clone())
            .collect();
        let worst = pb::Eligibility::from(worst);
        let check = Attested {
            kind: pb::CheckKind::Consortium,
            domain,
            requested_codes: &m.member_codes,
            valid: vec![true; m.member_codes.len()],
            decisions: member_decisions.clone(),
            refusals: Vec::new(),
            consortium: Some(worst),
        };
        let receipt = self.attest(&caller, check, &scope).await?;
        Ok(Response::new(pb::CheckConsortiumResponse {
            eligibility: worst as i32,
            member_decisions,
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
        let catalogue = &self.registry.rules_on(on).catalogue;
        Ok(Response::new(pb::GetMeasureCatalogueResponse {
            version: catalogue.version.clone(),
            measures: catalogue.measures.iter().map(measure_to_wire).collect(),
        }))
    }
}
