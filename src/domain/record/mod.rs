//! The record (event) types of the credit file (信用档案).
//!
//! A record is immutable once committed. A correction, removal or repair is a
//! new record that refers to the one it changes.

use chrono::{DateTime, NaiveDate, Utc};

use super::uscc::Uscc;

mod commendation;
mod grade;
mod listing;
mod names;
mod party;
mod penalty;
mod repair;
mod spot_check;

pub use commendation::{Commendation, CommendationKind};
pub use grade::{Grade, GradeChange, GradeChangeKind};
pub use listing::{AbnormalGround, ListType, Listing, Removal, RemovalReason};
pub use names::{WireName, rule_file_name, wire_names};
pub use party::Party;
pub use penalty::{Category, CorrectionChange, CorrectionGround, Penalty, PenaltyCorrection, Sanction, SeverityTier};
pub use repair::{RepairApplication, RepairDecision, RepairOutcome};
pub use spot_check::{SpotCheck, SpotCheckOutcome};

/// A calendar date in the registry's legal time zone (UTC+8).
pub type Date = NaiveDate;

/// Server-assigned identifier of a record.
pub type RecordId = String;

/// What a record says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordBody {
    Penalty(Penalty),
    PenaltyCorrection(PenaltyCorrection),
    SpotCheck(SpotCheck),
    Commendation(Commendation),
    Listing(Listing),
    Removal(Removal),
    RepairApplication(RepairApplication),
    RepairDecision(RepairDecision),
    Grade(Grade),
    GradeChange(GradeChange),
}

impl RecordBody {
    /// Stable name of the record kind, as stored beside the ledger entry.
    pub fn kind(&self) -> &'static str {
        match self {
            RecordBody::Penalty(_) => "penalty",
            RecordBody::PenaltyCorrection(_) => "penalty_correction",
            RecordBody::SpotCheck(_) => "spot_check",
            RecordBody::Commendation(_) => "commendation",
            RecordBody::Listing(_) => "listing",
            RecordBody::Removal(_) => "removal",
            RecordBody::RepairApplication(_) => "repair_application",
            RecordBody::RepairDecision(_) => "repair_decision",
            RecordBody::Grade(_) => "grade",
            RecordBody::GradeChange(_) => "grade_change",
        }
    }

    /// The decision number that must be unique per authority, for the kinds
    /// where it identifies the decision (penalties and listings).
    pub fn unique_decision_number(&self) -> Option<&str> {
        match self {
            RecordBody::Penalty(p) => Some(&p.decision_number),
            RecordBody::Listing(l) => Some(&l.decision_number),
            RecordBody::Grade(g) => Some(&g.decision_number),
            _ => None,
        }
    }

    /// The party the decision names, for the kinds that name one
    /// (penalties, spot checks, commendations, listings, grades). Its name
    /// is empty in records written before names were kept.
    pub fn party(&self) -> Option<&Party> {
        match self {
            RecordBody::Penalty(p) => Some(&p.party),
            RecordBody::SpotCheck(s) => Some(&s.party),
            RecordBody::Commendation(c) => Some(&c.party),
            RecordBody::Listing(l) => Some(&l.party),
            RecordBody::Grade(g) => Some(&g.party),
            _ => None,
        }
    }

    /// The earlier record this one changes, if any.
    pub fn target(&self) -> Option<&RecordId> {
        match self {
            RecordBody::PenaltyCorrection(c) => Some(&c.penalty_record_id),
            RecordBody::Removal(r) => Some(&r.listing_record_id),
            RecordBody::RepairApplication(a) => Some(&a.target_record_id),
            RecordBody::RepairDecision(d) => Some(&d.application_record_id),
            RecordBody::GradeChange(c) => Some(&c.grade_record_id),
            _ => None,
        }
    }

    /// The day the authority decided what the record says (UTC+8): a
    /// decision's date, a check's, an award's, a listing's start, a
    /// removal's, an application's, a grade's evaluation.
    pub fn decision_date(&self) -> Date {
        match self {
            RecordBody::Penalty(p) => p.decided_on,
            RecordBody::PenaltyCorrection(c) => c.decided_on,
            RecordBody::SpotCheck(s) => s.checked_on,
            RecordBody::Commendation(c) => c.awarded_on,
            RecordBody::Listing(l) => l.listed_on,
            RecordBody::Removal(r) => r.removed_on,
            RecordBody::RepairApplication(a) => a.applied_on,
            RecordBody::RepairDecision(d) => d.decided_on,
            RecordBody::Grade(g) => g.evaluated_on,
            RecordBody::GradeChange(c) => c.decided_on,
        }
    }
}

/// One committed entry of the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: RecordId,
    /// Ledger position, from 1.
    pub sequence: u64,
    /// Transaction time: when the registry committed it.
    pub recorded_at: DateTime<Utc>,
    pub uscc: Uscc,
    /// The deciding authority (the writer's `authority` claim).
    pub authority: String,
    /// Subject of the token that wrote it.
    pub actor: String,
    /// The writer's idempotency key; empty when none was sent.
    pub request_id: String,
    pub body: RecordBody,
}

impl Record {
    /// The record as decisions read it (裁决所需事实): every field that a
    /// rule, a measure, a risk class or a statistic reads — ids, dates,
    /// amounts in fen, severity, sanctions, list terms, decision and report
    /// numbers, grade levels — with the free texts left empty: legal basis,
    /// violation, grounds, reasons, statements, explanations, product and
    /// batch names, failed items, the party's legal representative, and
    /// the writer's actor and request id. The party's name stays: checks
    /// compare declared names with it and search indexes it. The in-memory index holds records in
    /// this form; profiles and histories read them whole from the store.
    pub fn facts(&self) -> Record {
        let party = |p: &Party| Party { name: p.name.clone(), legal_representative: String::new() };
        let penalty =
            |p: &Penalty| Penalty { legal_basis: String::new(), violation: String::new(), party: party(&p.party), ..p.clone() };
        let body = match &self.body {
            RecordBody::Penalty(p) => RecordBody::Penalty(penalty(p)),
            RecordBody::PenaltyCorrection(c) => RecordBody::PenaltyCorrection(PenaltyCorrection {
                change: match &c.change {
                    CorrectionChange::Revocation => CorrectionChange::Revocation,
                    CorrectionChange::Amendment(p) => CorrectionChange::Amendment(penalty(p)),
                },
                reason: String::new(),
                ..c.clone()
            }),
            RecordBody::SpotCheck(s) => RecordBody::SpotCheck(SpotCheck {
                product: String::new(),
                batch: String::new(),
                failed_items: Vec::new(),
                party: party(&s.party),
                ..s.clone()
            }),
            RecordBody::Commendation(c) => RecordBody::Commendation(Commendation { party: party(&c.party), ..c.clone() }),
            RecordBody::Listing(l) => RecordBody::Listing(Listing {
                grounds: String::new(),
                legal_basis: String::new(),
                party: party(&l.party),
                ..l.clone()
            }),
            RecordBody::Removal(r) => RecordBody::Removal(Removal { explanation: String::new(), ..r.clone() }),
            RecordBody::RepairApplication(a) => {
                RecordBody::RepairApplication(RepairApplication { statement: String::new(), ..a.clone() })
            }
            RecordBody::RepairDecision(d) => RecordBody::RepairDecision(RepairDecision { reason: String::new(), ..d.clone() }),
            RecordBody::Grade(g) => RecordBody::Grade(Grade {
                grounds: String::new(),
                legal_basis: String::new(),
                party: party(&g.party),
                ..g.clone()
            }),
            RecordBody::GradeChange(c) => RecordBody::GradeChange(GradeChange { reason: String::new(), ..c.clone() }),
        };
        Record { actor: String::new(), request_id: String::new(), body, ..self.clone() }
    }
}
