//! Joint-punishment checks (联合惩戒核查): deciding each code, attesting the
//! answer with a signed receipt, and logging who asked about whom.
//!
//! Receipts and check-log entries are protobuf by definition: their bytes
//! are what is signed and chained (`creditregistry.v1.ReceiptBody`,
//! `creditregistry.v1.CheckLogEntry`). So a check's decisions are encoded
//! once, here, in the form they are attested, and a front end answers with
//! exactly what the receipt signs.

use std::sync::Arc;

use crate::audit::AuditTrail;
use crate::clock::Clock;
use crate::domain::party::names;
use crate::domain::rules::RuleBook;
use crate::domain::rules::measures::{Eligibility, MeasureDomain};
use crate::domain::uscc::Uscc;
use crate::index::Index;
use crate::priority::WritePriority;
use crate::proto::convert::{compact_decision, date_to_wire, decision_to_wire, name_match_to_wire, timestamp_to_wire};
use crate::proto::pb;
use crate::services::caller::Principal;
use crate::store::StoreError;

use super::error::ServiceError;
use super::scope::{Asked, ReadScope, Scopes};

/// Codes that weigh as much as one single check in a check's turn.
const CODES_PER_SHARE: usize = 64;
/// Room in an answer for the receipt's checkpoint and signature, in bytes.
const RECEIPT_OVERHEAD: usize = 16 * 1024;

/// Decides, attests and logs checks against the index.
#[derive(Clone)]
pub struct Checks {
    scopes: Scopes,
    index: Arc<Index>,
    rules: Arc<RuleBook>,
    audit: AuditTrail,
    clock: Clock,
    priority: WritePriority,
}

/// How a check was asked: one code, a list, or a consortium bid (联合体).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckKind {
    Single,
    Batch,
    Consortium,
}

/// One code's decision: its outcome in the domain's order, and the
/// decision as a receipt attests it.
pub struct Decided {
    pub eligibility: Eligibility,
    pub decision: pb::Decision,
}

/// A check as its caller asked it: who, as of when, in which domain, and
/// the names declared with its codes.
pub struct Asking<'a> {
    pub caller: &'a Principal,
    pub asked: &'a Asked,
    pub domain: MeasureDomain,
    /// One per requested code (empty where none was declared), or none at
    /// all.
    pub declared_names: &'a [String],
}

impl Asking<'_> {
    /// The name declared with the `i`th requested code; empty for none.
    fn declared(&self, i: usize) -> &str {
        self.declared_names.get(i).map_or("", String::as_str)
    }
}

/// What a receipt attests.
struct Attestation<'a> {
    kind: CheckKind,
    domain: MeasureDomain,
    /// The codes exactly as sent.
    pub requested_codes: &'a [String],
    /// Per requested code: its decision, or why it was refused.
    pub outcomes: &'a [Result<pb::Decision, String>],
    /// As `Asking::declared_names`.
    pub declared_names: &'a [String],
    /// A consortium's outcome: its worst member's (`Checks::consortium`).
    pub consortium: Option<Eligibility>,
}

impl Checks {
    pub fn new(
        scopes: Scopes,
        index: Arc<Index>,
        rules: Arc<RuleBook>,
        audit: AuditTrail,
        clock: Clock,
        priority: WritePriority,
    ) -> Checks {
        Checks { scopes, index, rules, audit, clock, priority }
    }

    /// One code (`requested` as sent), decided in its caller's scope,
    /// attested with a signed receipt and logged: the decision and the
    /// receipt.
    pub async fn check(
        &self,
        ask: Asking<'_>,
        uscc: &Uscc,
        requested: String,
    ) -> Result<(pb::Decision, pb::Receipt), ServiceError> {
        let scope = self.scopes.resolve(ask.caller, ask.asked).await?;
        let _turn = self.turn(1).await;
        let decision = self.decide(uscc, ask.domain, &scope, ask.declared(0)).decision;
        let outcomes = [Ok(decision)];
        let requested = [requested];
        let check = Attestation {
            kind: CheckKind::Single,
            domain: ask.domain,
            requested_codes: &requested,
            outcomes: &outcomes,
            declared_names: ask.declared_names,
            consortium: None,
        };
        let receipt = self.attest(ask.caller, check, &scope).await?;
        let [Ok(decision)] = outcomes else { unreachable!("a single check's one outcome is its decision") };
        Ok((decision, receipt))
    }

    /// A list of codes (`requested` as sent), each judged on its own: a
    /// parsed code decided, one that did not parse answered with why. All
    /// attested with one receipt and logged once. Before anything is logged,
    /// the answer (each decision twice, in the results and the receipt) must
    /// fit in `max_answer_bytes`: no check is logged whose answer could not
    /// be sent (`ServiceError::AnswerTooLarge`).
    pub async fn check_batch(
        &self,
        ask: Asking<'_>,
        requested: &[String],
        codes: Vec<Result<Uscc, String>>,
        max_answer_bytes: usize,
    ) -> Result<(Vec<Result<pb::Decision, String>>, pb::Receipt), ServiceError> {
        let scope = self.scopes.resolve(ask.caller, ask.asked).await?;
        let _turn = self.turn(codes.len()).await;
        let outcomes: Vec<Result<pb::Decision, String>> = codes
            .into_iter()
            .enumerate()
            .map(|(i, parsed)| {
                parsed.map(|uscc| compact_decision(self.decide(&uscc, ask.domain, &scope, ask.declared(i)).decision))
            })
            .collect();
        let bytes: usize = outcomes
            .iter()
            .zip(requested)
            .map(|(o, code)| 3 * code.len() + o.as_ref().map_or(300, |d| 2 * prost::Message::encoded_len(d) + 64))
            .sum::<usize>()
            + ask.declared_names.iter().map(|n| 2 * n.len()).sum::<usize>();
        if bytes + RECEIPT_OVERHEAD > max_answer_bytes {
            return Err(ServiceError::AnswerTooLarge { codes: requested.len(), bytes, limit: max_answer_bytes });
        }
        let check = Attestation {
            kind: CheckKind::Batch,
            domain: ask.domain,
            requested_codes: requested,
            outcomes: &outcomes,
            declared_names: ask.declared_names,
            consortium: None,
        };
        let receipt = self.attest(ask.caller, check, &scope).await?;
        Ok((outcomes, receipt))
    }

    /// A consortium bid's members (`requested` as sent, `members` parsed
    /// and distinct), each decided, the group standing as its worst member;
    /// attested and logged as one check: the group's eligibility, each
    /// member's decision, and the receipt.
    pub async fn check_consortium(
        &self,
        ask: Asking<'_>,
        requested: &[String],
        members: &[Uscc],
    ) -> Result<(Eligibility, Vec<Decided>, pb::Receipt), ServiceError> {
        let scope = self.scopes.resolve(ask.caller, ask.asked).await?;
        let _turn = self.turn(members.len()).await;
        let decided: Vec<Decided> =
            members.iter().enumerate().map(|(i, u)| self.decide(u, ask.domain, &scope, ask.declared(i))).collect();
        let worst = Checks::consortium(&decided);
        let outcomes: Vec<Result<pb::Decision, String>> = decided.iter().map(|d| Ok(d.decision.clone())).collect();
        let check = Attestation {
            kind: CheckKind::Consortium,
            domain: ask.domain,
            requested_codes: requested,
            outcomes: &outcomes,
            declared_names: ask.declared_names,
            consortium: Some(worst),
        };
        let receipt = self.attest(ask.caller, check, &scope).await?;
        Ok((worst, decided, receipt))
    }

    /// Waits for this check's turn while writes are arriving
    /// (`WritePriority`); hold it until the check is answered. `codes`: how
    /// many codes the check decides.
    async fn turn(&self, codes: usize) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.priority.check_turn(codes.div_ceil(CODES_PER_SHARE).min(u32::MAX as usize) as u32).await
    }

    /// Decides for one valid code against the scope's tree head, date and
    /// `known_at`, and compares `declared` (empty: none) with the names on
    /// the records the caller may see.
    fn decide(&self, uscc: &Uscc, domain: MeasureDomain, scope: &ReadScope, declared: &str) -> Decided {
        let records = self.index.facts(uscc).unwrap_or_default();
        let state = scope.fold(&records, &self.rules);
        let rules = scope.rules(&self.rules);
        let decision = rules.catalogue.decide(&state, domain, scope.on);
        // A measure's triggers are disclosed to the caller it is shown to, so
        // only an answer with none, or a declared name to compare, needs the
        // whole disclosure worked out; then it is worked out once.
        let nothing_in_force = decision.measures.is_empty() && decision.incentives.is_empty();
        let visible = (nothing_in_force || !declared.is_empty()).then(|| scope.visible(&state, &self.rules));
        let no_records = nothing_in_force && visible.as_ref().is_some_and(Vec::is_empty);
        let mut wire = decision_to_wire(uscc, &decision, &rules.publicity.version, no_records);
        if let Some(visible) = visible.filter(|_| !declared.is_empty()) {
            wire.name_match = Some(name_match_to_wire(declared, &names(visible.iter().map(|v| v.record.as_ref()))));
        }
        Decided { eligibility: decision.eligibility, decision: wire }
    }

    /// A consortium stands as its worst member: any member's record counts
    /// for the group (财库〔2016〕125号; 政府采购法第二十四条). Eligible when
    /// there are no members.
    pub fn consortium(members: &[Decided]) -> Eligibility {
        members.iter().map(|m| m.eligibility).max().unwrap_or(Eligibility::Eligible)
    }

    /// Signs the check's receipt (batched with others answered at the same
    /// time) and queues its check-log entry, waiting if the log is behind.
    /// Errors: the signer has stopped (the registry is shutting down).
    async fn attest(&self, caller: &Principal, check: Attestation<'_>, scope: &ReadScope) -> Result<pb::Receipt, StoreError> {
        let checkpoint = self.audit.checkpoint_for(scope.tree);
        let issued_at = Some(timestamp_to_wire(self.clock.now()));
        let receipt_id = uuid::Uuid::now_v7().to_string();
        let domain = pb::MeasureDomain::from(check.domain) as i32;
        let evaluated_on = Some(date_to_wire(scope.on));
        let known_at = scope.known_at.map(timestamp_to_wire);
        let kind = match check.kind {
            CheckKind::Single => pb::CheckKind::Single,
            CheckKind::Batch => pb::CheckKind::Batch,
            CheckKind::Consortium => pb::CheckKind::Consortium,
        } as i32;
        let organisation = caller.organisation.clone().unwrap_or_default();
        let decisions: Vec<pb::Decision> = check.outcomes.iter().filter_map(|o| o.as_ref().ok().cloned()).collect();
        // One eligibility per requested code; a refused code has none.
        let eligibilities = check.outcomes.iter().map(|o| o.as_ref().map_or(0, |d| d.eligibility)).collect();
        let name_matches = if check.declared_names.is_empty() {
            Vec::new()
        } else {
            let result = |o: &Result<pb::Decision, String>| o.as_ref().ok()?.name_match.as_ref().map(|m| m.result);
            check.outcomes.iter().map(|o| result(o).unwrap_or(0)).collect()
        };
        let codes = decisions.iter().map(|d| d.uscc.clone()).collect();
        let refused_codes = check
            .outcomes
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.as_ref().err().map(|reason| pb::CodeRefusal { index: i as i32, reason: reason.clone() }))
            .collect();
        let body = pb::ReceiptBody {
            receipt_id: receipt_id.clone(),
            issued_at,
            caller_subject: caller.subject.clone(),
            caller_organisation: organisation.clone(),
            requested_codes: check.requested_codes.to_vec(),
            domain,
            evaluated_on,
            decisions,
            consortium_eligibility: check.consortium.map_or(0, |e| pb::Eligibility::from(e) as i32),
            catalogue_version: scope.rules(&self.rules).catalogue.version.clone(),
            checkpoint: Some(checkpoint.as_ref().clone()),
            known_at,
            kind,
            refused_codes,
            declared_names: check.declared_names.to_vec(),
        };
        let receipt = self.audit.sign_receipt(&body).await?;
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
            declared_names: check.declared_names.to_vec(),
            name_matches,
        };
        self.audit.log_check(entry, codes).await;
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(eligibility: Eligibility) -> Decided {
        Decided { eligibility, decision: pb::Decision::default() }
    }

    #[test]
    fn a_consortium_stands_as_its_worst_member_in_the_domains_order() {
        use Eligibility::*;
        // Whatever the wire numbers, barred is worse than restricted.
        assert_eq!(Checks::consortium(&[member(Restricted), member(Ineligible), member(Eligible)]), Ineligible);
        assert_eq!(Checks::consortium(&[member(Ineligible), member(Restricted)]), Ineligible);
        assert_eq!(Checks::consortium(&[member(Eligible), member(Restricted)]), Restricted);
        assert_eq!(Checks::consortium(&[member(Eligible), member(Eligible)]), Eligible);
        assert_eq!(Checks::consortium(&[]), Eligible);
    }
}
