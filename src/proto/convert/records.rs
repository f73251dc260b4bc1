//! Record bodies and records, read from the wire (every field checked, a
//! stand-in where one cannot be read) and written to it.

use chrono::NaiveDate;

use super::{WireReader, date_to_wire, timestamp_from_wire, timestamp_to_wire};
use crate::domain::Violation;
use crate::domain::record as d;
use crate::proto::pb;

fn opt_id(id: &str) -> Option<String> {
    (!id.is_empty()).then(|| id.to_string())
}

/// Stands in for a value that could not be read, so that the rest of a body
/// can still be checked: the reader already holds a violation for that
/// field, so the body is never written, and the domain's checks drop what
/// they judged with it (`admission::check_readable`).
const UNREADABLE_DATE: NaiveDate = NaiveDate::MIN;

pub fn penalty_from_wire(r: &mut WireReader, prefix: &str, p: &pb::Penalty) -> Option<d::Penalty> {
    let f = |name: &str| format!("{prefix}{name}");
    let category = r.enumeration(&f("category"), p.category);
    let severity = r.enumeration(&f("severity"), p.severity);
    let sanctions =
        p.sanctions.iter().enumerate().filter_map(|(i, s)| r.enumeration(&f(&format!("sanctions[{i}]")), *s)).collect();
    let decided_on = r.date(&f("decided_on"), p.decided_on.as_ref());
    Some(d::Penalty {
        decision_number: p.decision_number.clone(),
        category: category.unwrap_or(d::Category::Other),
        severity: severity.unwrap_or(d::SeverityTier::Serious),
        legal_basis: p.legal_basis.clone(),
        fine_fen: p.fine_fen,
        sanctions,
        decided_on: decided_on.unwrap_or(UNREADABLE_DATE),
        violation: p.violation.clone(),
        party: party_from_wire(&p.party_name, &p.legal_representative),
    })
}

pub fn correction_from_wire(r: &mut WireReader, prefix: &str, c: &pb::PenaltyCorrection) -> Option<d::PenaltyCorrection> {
    let f = |name: &str| format!("{prefix}{name}");
    let ground = r.enumeration(&f("ground"), c.ground);
    let decided_on = r.date(&f("decided_on"), c.decided_on.as_ref());
    let change = match (pb::CorrectionType::try_from(c.r#type), &c.amended_penalty) {
        (Ok(pb::CorrectionType::Revocation), None) => Some(d::CorrectionChange::Revocation),
        (Ok(pb::CorrectionType::Revocation), Some(_)) => {
            r.fail(f("amended_penalty"), "must be unset for a revocation");
            None
        }
        (Ok(pb::CorrectionType::Amendment), Some(p)) => {
            penalty_from_wire(r, &f("amended_penalty."), p).map(d::CorrectionChange::Amendment)
        }
        (Ok(pb::CorrectionType::Amendment), None) => {
            r.fail(f("amended_penalty"), "is required for an amendment");
            None
        }
        (Ok(pb::CorrectionType::Unspecified), _) => {
            r.fail(f("type"), "is required");
            None
        }
        (Err(_), _) => {
            r.fail(f("type"), format!("{} is not a known value", c.r#type));
            None
        }
    };
    Some(d::PenaltyCorrection {
        penalty_record_id: c.penalty_record_id.clone(),
        change: change.unwrap_or(d::CorrectionChange::Revocation),
        ground: ground.unwrap_or(d::CorrectionGround::Reconsideration),
        decision_number: c.decision_number.clone(),
        decided_on: decided_on.unwrap_or(UNREADABLE_DATE),
        reason: c.reason.clone(),
    })
}

pub fn spot_check_from_wire(r: &mut WireReader, prefix: &str, s: &pb::SpotCheck) -> Option<d::SpotCheck> {
    let f = |name: &str| format!("{prefix}{name}");
    let category = r.enumeration(&f("category"), s.category);
    let outcome = r.enumeration(&f("outcome"), s.outcome);
    let checked_on = r.date(&f("checked_on"), s.checked_on.as_ref());
    Some(d::SpotCheck {
        report_number: s.report_number.clone(),
        category: category.unwrap_or(d::Category::Other),
        product: s.product.clone(),
        product_class: s.product_class.clone(),
        batch: s.batch.clone(),
        outcome: outcome.unwrap_or(d::SpotCheckOutcome::Pass),
        checked_on: checked_on.unwrap_or(UNREADABLE_DATE),
        failed_items: s.failed_items.clone(),
        party: party_from_wire(&s.party_name, &s.legal_representative),
    })
}

pub fn commendation_from_wire(r: &mut WireReader, prefix: &str, c: &pb::Commendation) -> Option<d::Commendation> {
    let f = |name: &str| format!("{prefix}{name}");
    let kind = r.enumeration(&f("kind"), c.kind);
    let awarded_on = r.date(&f("awarded_on"), c.awarded_on.as_ref());
    let valid_until = r.optional_date(&f("valid_until"), c.valid_until.as_ref());
    Some(d::Commendation {
        decision_number: c.decision_number.clone(),
        kind: kind.unwrap_or(d::CommendationKind::Other),
        title: c.title.clone(),
        awarded_on: awarded_on.unwrap_or(UNREADABLE_DATE),
        valid_until,
        party: party_from_wire(&c.party_name, &c.legal_representative),
    })
}

pub fn listing_from_wire(r: &mut WireReader, prefix: &str, l: &pb::Listing) -> Option<d::Listing> {
    let f = |name: &str| format!("{prefix}{name}");
    let list_type = r.enumeration(&f("list_type"), l.list_type);
    let abnormal_ground = r.optional_enumeration(&f("abnormal_ground"), l.abnormal_ground);
    let listed_on = r.date(&f("listed_on"), l.listed_on.as_ref());
    let planned_end = r.optional_date(&f("planned_end"), l.planned_end.as_ref());
    Some(d::Listing {
        list_type: list_type.unwrap_or(d::ListType::RedList),
        decision_number: l.decision_number.clone(),
        grounds: l.grounds.clone(),
        abnormal_ground,
        listed_on: listed_on.unwrap_or(UNREADABLE_DATE),
        planned_end,
        legal_basis: l.legal_basis.clone(),
        penalty_record_id: opt_id(&l.penalty_record_id),
        article: l.article.clone(),
        party: party_from_wire(&l.party_name, &l.legal_representative),
    })
}

pub fn removal_from_wire(r: &mut WireReader, prefix: &str, m: &pb::Removal) -> Option<d::Removal> {
    let f = |name: &str| format!("{prefix}{name}");
    let reason = r.enumeration(&f("reason"), m.reason);
    let removed_on = r.date(&f("removed_on"), m.removed_on.as_ref());
    Some(d::Removal {
        listing_record_id: m.listing_record_id.clone(),
        reason: reason.unwrap_or(d::RemovalReason::Revoked),
        removed_on: removed_on.unwrap_or(UNREADABLE_DATE),
        decision_number: m.decision_number.clone(),
        explanation: m.explanation.clone(),
    })
}

pub fn repair_application_from_wire(r: &mut WireReader, prefix: &str, a: &pb::RepairApplication) -> Option<d::RepairApplication> {
    let applied_on = r.date(&format!("{prefix}applied_on"), a.applied_on.as_ref());
    Some(d::RepairApplication {
        target_record_id: a.target_record_id.clone(),
        applied_on: applied_on.unwrap_or(UNREADABLE_DATE),
        statement: a.statement.clone(),
    })
}

pub fn repair_decision_from_wire(r: &mut WireReader, prefix: &str, x: &pb::RepairDecision) -> Option<d::RepairDecision> {
    let outcome = r.enumeration(&format!("{prefix}outcome"), x.outcome);
    let decided_on = r.date(&format!("{prefix}decided_on"), x.decided_on.as_ref());
    Some(d::RepairDecision {
        application_record_id: x.application_record_id.clone(),
        outcome: outcome.unwrap_or(d::RepairOutcome::Refused),
        decided_on: decided_on.unwrap_or(UNREADABLE_DATE),
        decision_number: x.decision_number.clone(),
        reason: x.reason.clone(),
    })
}

pub fn grade_from_wire(r: &mut WireReader, prefix: &str, g: &pb::Grade) -> Option<d::Grade> {
    let f = |name: &str| format!("{prefix}{name}");
    let evaluated_on = r.date(&f("evaluated_on"), g.evaluated_on.as_ref());
    let valid_until = r.date(&f("valid_until"), g.valid_until.as_ref());
    Some(d::Grade {
        scheme: g.scheme.clone(),
        level: g.level.clone(),
        not_rated: g.not_rated,
        rating_year: (g.rating_year != 0).then_some(g.rating_year),
        decision_number: g.decision_number.clone(),
        evaluated_on: evaluated_on.unwrap_or(UNREADABLE_DATE),
        valid_until: valid_until.unwrap_or(UNREADABLE_DATE),
        grounds: g.grounds.clone(),
        legal_basis: g.legal_basis.clone(),
        party: party_from_wire(&g.party_name, &g.legal_representative),
    })
}

fn party_from_wire(name: &str, legal_representative: &str) -> d::Party {
    d::Party { name: name.to_owned(), legal_representative: legal_representative.to_owned() }
}

pub fn grade_change_from_wire(r: &mut WireReader, prefix: &str, c: &pb::GradeChange) -> Option<d::GradeChange> {
    let f = |name: &str| format!("{prefix}{name}");
    let decided_on = r.date(&f("decided_on"), c.decided_on.as_ref());
    let change = match pb::GradeChangeType::try_from(c.r#type) {
        Ok(pb::GradeChangeType::Downgrade) => Some(d::GradeChangeKind::Downgrade { level: c.level.clone() }),
        Ok(pb::GradeChangeType::Correction) => Some(d::GradeChangeKind::Correction { level: c.level.clone() }),
        Ok(pb::GradeChangeType::Repair) => Some(d::GradeChangeKind::Repair { level: c.level.clone() }),
        Ok(pb::GradeChangeType::Revocation) if c.level.is_empty() => Some(d::GradeChangeKind::Revocation),
        Ok(pb::GradeChangeType::Revocation) => {
            r.fail(f("level"), "must be empty for a revocation");
            None
        }
        Ok(pb::GradeChangeType::Unspecified) => {
            r.fail(f("type"), "is required");
            None
        }
        Err(_) => {
            r.fail(f("type"), format!("{} is not a known value", c.r#type));
            None
        }
    };
    Some(d::GradeChange {
        grade_record_id: c.grade_record_id.clone(),
        change: change.unwrap_or(d::GradeChangeKind::Revocation),
        decided_on: decided_on.unwrap_or(UNREADABLE_DATE),
        decision_number: c.decision_number.clone(),
        reason: c.reason.clone(),
    })
}

pub fn penalty_to_wire(p: &d::Penalty) -> pb::Penalty {
    pb::Penalty {
        decision_number: p.decision_number.clone(),
        category: pb::Category::from(p.category) as i32,
        severity: pb::SeverityTier::from(p.severity) as i32,
        legal_basis: p.legal_basis.clone(),
        fine_fen: p.fine_fen,
        sanctions: p.sanctions.iter().map(|s| pb::Sanction::from(*s) as i32).collect(),
        decided_on: Some(date_to_wire(p.decided_on)),
        violation: p.violation.clone(),
        party_name: p.party.name.clone(),
        legal_representative: p.party.legal_representative.clone(),
    }
}

pub fn body_to_wire(body: &d::RecordBody) -> pb::record::Body {
    use pb::record::Body;
    match body {
        d::RecordBody::Penalty(p) => Body::Penalty(penalty_to_wire(p)),
        d::RecordBody::PenaltyCorrection(c) => {
            let (kind, amended) = match &c.change {
                d::CorrectionChange::Revocation => (pb::CorrectionType::Revocation, None),
                d::CorrectionChange::Amendment(p) => (pb::CorrectionType::Amendment, Some(penalty_to_wire(p))),
            };
            Body::PenaltyCorrection(pb::PenaltyCorrection {
                penalty_record_id: c.penalty_record_id.clone(),
                r#type: kind as i32,
                ground: pb::CorrectionGround::from(c.ground) as i32,
                decision_number: c.decision_number.clone(),
                decided_on: Some(date_to_wire(c.decided_on)),
                amended_penalty: amended,
                reason: c.reason.clone(),
            })
        }
        d::RecordBody::SpotCheck(s) => Body::SpotCheck(pb::SpotCheck {
            report_number: s.report_number.clone(),
            category: pb::Category::from(s.category) as i32,
            product: s.product.clone(),
            product_class: s.product_class.clone(),
            batch: s.batch.clone(),
            outcome: pb::SpotCheckOutcome::from(s.outcome) as i32,
            checked_on: Some(date_to_wire(s.checked_on)),
            failed_items: s.failed_items.clone(),
            party_name: s.party.name.clone(),
            legal_representative: s.party.legal_representative.clone(),
        }),
        d::RecordBody::Commendation(c) => Body::Commendation(pb::Commendation {
            decision_number: c.decision_number.clone(),
            kind: pb::CommendationKind::from(c.kind) as i32,
            title: c.title.clone(),
            awarded_on: Some(date_to_wire(c.awarded_on)),
            valid_until: c.valid_until.map(date_to_wire),
            party_name: c.party.name.clone(),
            legal_representative: c.party.legal_representative.clone(),
        }),
        d::RecordBody::Listing(l) => Body::Listing(pb::Listing {
            list_type: pb::ListType::from(l.list_type) as i32,
            decision_number: l.decision_number.clone(),
            grounds: l.grounds.clone(),
            abnormal_ground: l.abnormal_ground.map_or(0, |g| pb::AbnormalGround::from(g) as i32),
            listed_on: Some(date_to_wire(l.listed_on)),
            planned_end: l.planned_end.map(date_to_wire),
            legal_basis: l.legal_basis.clone(),
            penalty_record_id: l.penalty_record_id.clone().unwrap_or_default(),
            legal_representative: l.party.legal_representative.clone(),
            article: l.article.clone(),
            party_name: l.party.name.clone(),
        }),
        d::RecordBody::Removal(r) => Body::Removal(pb::Removal {
            listing_record_id: r.listing_record_id.clone(),
            reason: pb::RemovalReason::from(r.reason) as i32,
            removed_on: Some(date_to_wire(r.removed_on)),
            decision_number: r.decision_number.clone(),
            explanation: r.explanation.clone(),
        }),
        d::RecordBody::RepairApplication(a) => Body::RepairApplication(pb::RepairApplication {
            target_record_id: a.target_record_id.clone(),
            applied_on: Some(date_to_wire(a.applied_on)),
            statement: a.statement.clone(),
        }),
        d::RecordBody::RepairDecision(x) => Body::RepairDecision(pb::RepairDecision {
            application_record_id: x.application_record_id.clone(),
            outcome: pb::RepairOutcome::from(x.outcome) as i32,
            decided_on: Some(date_to_wire(x.decided_on)),
            decision_number: x.decision_number.clone(),
            reason: x.reason.clone(),
        }),
        d::RecordBody::Grade(g) => Body::Grade(pb::Grade {
            scheme: g.scheme.clone(),
            level: g.level.clone(),
            rating_year: g.rating_year.unwrap_or_default(),
            not_rated: g.not_rated,
            decision_number: g.decision_number.clone(),
            evaluated_on: Some(date_to_wire(g.evaluated_on)),
            valid_until: Some(date_to_wire(g.valid_until)),
            grounds: g.grounds.clone(),
            legal_basis: g.legal_basis.clone(),
            party_name: g.party.name.clone(),
            legal_representative: g.party.legal_representative.clone(),
        }),
        d::RecordBody::GradeChange(c) => {
            let (kind, level) = match &c.change {
                d::GradeChangeKind::Downgrade { level } => (pb::GradeChangeType::Downgrade, level.clone()),
                d::GradeChangeKind::Correction { level } => (pb::GradeChangeType::Correction, level.clone()),
                d::GradeChangeKind::Repair { level } => (pb::GradeChangeType::Repair, level.clone()),
                d::GradeChangeKind::Revocation => (pb::GradeChangeType::Revocation, String::new()),
            };
            Body::GradeChange(pb::GradeChange {
                grade_record_id: c.grade_record_id.clone(),
                r#type: kind as i32,
                level,
                decided_on: Some(date_to_wire(c.decided_on)),
                decision_number: c.decision_number.clone(),
                reason: c.reason.clone(),
            })
        }
    }
}

pub fn body_from_wire(r: &mut WireReader, body: &pb::record::Body) -> Option<d::RecordBody> {
    use pb::record::Body;
    Some(match body {
        Body::Penalty(p) => d::RecordBody::Penalty(penalty_from_wire(r, "penalty.", p)?),
        Body::PenaltyCorrection(c) => d::RecordBody::PenaltyCorrection(correction_from_wire(r, "penalty_correction.", c)?),
        Body::SpotCheck(s) => d::RecordBody::SpotCheck(spot_check_from_wire(r, "spot_check.", s)?),
        Body::Commendation(c) => d::RecordBody::Commendation(commendation_from_wire(r, "commendation.", c)?),
        Body::Listing(l) => d::RecordBody::Listing(listing_from_wire(r, "listing.", l)?),
        Body::Removal(m) => d::RecordBody::Removal(removal_from_wire(r, "removal.", m)?),
        Body::RepairApplication(a) => {
            d::RecordBody::RepairApplication(repair_application_from_wire(r, "repair_application.", a)?)
        }
        Body::RepairDecision(x) => d::RecordBody::RepairDecision(repair_decision_from_wire(r, "repair_decision.", x)?),
        Body::Grade(g) => d::RecordBody::Grade(grade_from_wire(r, "grade.", g)?),
        Body::GradeChange(c) => d::RecordBody::GradeChange(grade_change_from_wire(r, "grade_change.", c)?),
    })
}

pub fn record_to_wire(record: &d::Record) -> pb::Record {
    pb::Record {
        record_id: record.id.clone(),
        sequence: record.sequence as i64,
        recorded_at: Some(timestamp_to_wire(record.recorded_at)),
        uscc: record.uscc.to_string(),
        authority: record.authority.clone(),
        actor: record.actor.clone(),
        request_id: record.request_id.clone(),
        body: Some(body_to_wire(&record.body)),
    }
}

/// Reads a stored record back. Any violation means the stored bytes are not
/// a record this registry wrote.
pub fn record_from_wire(w: &pb::Record) -> Result<d::Record, Vec<Violation>> {
    let mut r = WireReader::default();
    let uscc = r.uscc("uscc", &w.uscc);
    let recorded_at = r.message("recorded_at", w.recorded_at.as_ref()).and_then(timestamp_from_wire);
    let body = r.message("body", w.body.as_ref()).and_then(|b| body_from_wire(&mut r, b));
    let sequence = u64::try_from(w.sequence).ok().filter(|s| *s > 0);
    if sequence.is_none() {
        r.fail("sequence".into(), format!("{} is not a ledger position", w.sequence));
    }
    let record = (|| {
        Some(d::Record {
            id: w.record_id.clone(),
            sequence: sequence?,
            recorded_at: recorded_at?,
            uscc: uscc?,
            authority: w.authority.clone(),
            actor: w.actor.clone(),
            request_id: w.request_id.clone(),
            body: body?,
        })
    })();
    r.finish(record)
}
