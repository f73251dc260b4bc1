//! A penalty (行政处罚) and its correction (变更、撤销): the penalty's own
//! fields, and a correction against the penalty it changes.

use super::fields::Checker;
use super::{Target, not_before};
use crate::domain::party::match_key;
use crate::domain::record::{CorrectionChange, Penalty, PenaltyCorrection, RecordBody, SeverityTier, WireName};
use crate::domain::rules::Rules;
use crate::domain::state::{RecordStatus, fold};
use crate::domain::{Refusal, Violation};

/// Largest fine accepted, in fen: CNY 100 billion; anything above is a typo.
const MAX_FINE_FEN: i64 = 10_000_000_000_000;

impl Checker<'_> {
    /// A penalty's fields, each named with `prefix` (`amended_penalty.` in a correction).
    pub(super) fn penalty(&mut self, prefix: &str, p: &Penalty) {
        let f = |name: &str| format!("{prefix}{name}");
        self.number(&f("decision_number"), &p.decision_number);
        self.text(&f("legal_basis"), &p.legal_basis, true);
        self.text(&f("violation"), &p.violation, false);
        // An amendment keeps the original's party (`correction_against`).
        self.party(prefix, &p.party, prefix.is_empty());
        if p.fine_fen < 0 {
            self.push(&f("fine_fen"), format!("must not be negative, got {}", p.fine_fen));
        } else if p.fine_fen > MAX_FINE_FEN {
            self.push(&f("fine_fen"), format!("{} fen exceeds the largest accepted fine of {MAX_FINE_FEN} fen", p.fine_fen));
        }
        for (i, s) in p.sanctions.iter().enumerate() {
            if p.sanctions[..i].contains(s) {
                self.push(&format!("{prefix}sanctions[{i}]"), format!("{} is listed twice", s.wire_name()));
            }
        }
        self.past_date(&f("decided_on"), p.decided_on);
        if p.severity == SeverityTier::Minor {
            let limits = &self.rules.publicity.minor_tier;
            for (i, s) in p.sanctions.iter().enumerate() {
                if limits.excluded_sanctions.contains(s) {
                    self.push(
                        &format!("{prefix}sanctions[{i}]"),
                        format!("{} is not a minor (轻微) penalty: record it as SEVERITY_TIER_GENERAL, SEVERITY_TIER_HEAVIER or SEVERITY_TIER_SERIOUS ({})", s.wire_name(), limits.legal_basis),
                    );
                }
            }
            if p.fine_fen >= limits.fine_below_fen {
                self.push(
                    &f("fine_fen"),
                    format!(
                        "{} fen is not a minor (轻微) penalty: a minor fine is below {} fen ({})",
                        p.fine_fen, limits.fine_below_fen, limits.legal_basis
                    ),
                );
            }
        }
    }

    pub(super) fn penalty_correction(&mut self, c: &PenaltyCorrection) {
        self.reference("penalty_record_id", &c.penalty_record_id);
        self.optional_number("decision_number", &c.decision_number);
        self.text("reason", &c.reason, false);
        self.past_date("decided_on", c.decided_on);
        if let CorrectionChange::Amendment(p) = &c.change {
            self.penalty("amended_penalty.", p);
        }
    }
}

/// A correction changes a standing penalty of its own authority, keeps its
/// decision number and date, and is decided no earlier than the penalty.
pub(super) fn correction_against(
    c: &PenaltyCorrection,
    target: &Target<'_>,
    authority: &str,
    rules: &Rules,
    today: crate::domain::record::Date,
) -> Result<(), Refusal> {
    let RecordBody::Penalty(original) = &target.record.body else {
        return Err(target.not_a("penalty"));
    };
    target.same_authority(authority)?;
    let state = fold(target.entity_records, None, today, rules);
    if let Some(view) = state.find(&target.record.id)
        && view.status == RecordStatus::Revoked
    {
        return Err(Refusal::TargetClosed {
            record_id: target.record.id.clone(),
            reason: format!(
                "penalty {} was revoked by record {}; a revoked penalty cannot be changed again",
                target.record.id,
                view.changed_by.last().map(|r| r.id.as_str()).unwrap_or_default()
            ),
        });
    }
    let mut problems = Vec::new();
    if let CorrectionChange::Amendment(amended) = &c.change {
        if amended.decision_number != original.decision_number {
            problems.push(Violation::new(
                "amended_penalty.decision_number",
                format!("is '{}', must be the original decision number '{}'", amended.decision_number, original.decision_number),
            ));
        }
        // The penalty keeps its decision date (lookbacks run from
        // it); the amendment takes effect from the correction's date.
        // An amendment does not rename: a name, where it gives one, is the
        // original's (compared as names are, `party::match_key`).
        if !amended.party.name.is_empty()
            && !original.party.name.is_empty()
            && match_key(&amended.party.name) != match_key(&original.party.name)
        {
            problems.push(Violation::new(
                "amended_penalty.party_name",
                format!(
                    "is '{}', must be the original penalty's party '{}' or empty: an amendment keeps the party",
                    amended.party.name, original.party.name
                ),
            ));
        }
        if amended.decided_on != original.decided_on {
            problems.push(Violation::new(
                "amended_penalty.decided_on",
                format!(
                    "is {}, must be the original decision date {}; the amendment takes effect from the correction's decided_on",
                    amended.decided_on, original.decided_on
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    not_before("CORRECTION_NOT_ALLOWED", c.decided_on, &format!("penalty {}", target.record.id), original.decided_on)
}

#[cfg(test)]
mod tests {
    use crate::domain::Refusal;
    use crate::domain::admission::fixture::*;
    use crate::domain::record::{CorrectionChange, CorrectionGround, PenaltyCorrection, RecordBody, Sanction, SeverityTier};

    fn correction(change: CorrectionChange, decided_on: crate::domain::record::Date) -> RecordBody {
        RecordBody::PenaltyCorrection(PenaltyCorrection {
            penalty_record_id: id(1),
            change,
            ground: CorrectionGround::SelfCorrection,
            decision_number: String::new(),
            decided_on,
            reason: String::new(),
        })
    }

    #[test]
    fn a_penalty_passes_and_each_bad_field_is_named() {
        let on = day(2026, 5, 1);
        assert_eq!(fields(RecordBody::Penalty(penalty(on))), Vec::<String>::new());
        let bad = |change: fn(&mut crate::domain::record::Penalty)| {
            let mut p = penalty(on);
            change(&mut p);
            fields(RecordBody::Penalty(p))
        };
        assert_eq!(bad(|p| p.decision_number = " ".into()), ["decision_number"]);
        assert_eq!(bad(|p| p.legal_basis.clear()), ["legal_basis"]);
        assert_eq!(bad(|p| p.fine_fen = -1), ["fine_fen"]);
        assert_eq!(bad(|p| p.fine_fen = 10_000_000_000_001), ["fine_fen"]);
        assert_eq!(bad(|p| p.sanctions.push(Sanction::Warning)), ["sanctions[2]"]);
        assert_eq!(bad(|p| p.decided_on = day(2026, 6, 2)), ["decided_on"]);
        assert_eq!(bad(|p| p.decided_on = day(1989, 12, 31)), ["decided_on"]);
        assert_eq!(bad(|p| p.party.name.clear()), ["party_name"]);
        assert_eq!(bad(|p| p.party.name = " ".into()), ["party_name"]);
        assert_eq!(bad(|p| p.party.name = "某".repeat(201)), ["party_name"]);
        assert_eq!(bad(|p| p.party.name = "某\n公司".into()), ["party_name"]);
        assert_eq!(bad(|p| p.party.legal_representative = "张".repeat(201)), ["legal_representative"]);
        assert_eq!(bad(|p| p.party.name = "某".repeat(200)), Vec::<String>::new());
    }

    /// 行政处罚法 art. 33: a minor penalty has neither a heavy sanction nor a large fine.
    #[test]
    fn a_minor_penalty_is_refused_a_heavy_sanction_or_fine() {
        let mut p = penalty(day(2026, 5, 1));
        p.severity = SeverityTier::Minor;
        p.sanctions = vec![Sanction::Warning];
        assert_eq!(fields(RecordBody::Penalty(p.clone())), Vec::<String>::new());
        p.sanctions = vec![Sanction::Warning, Sanction::LicenceRevocation];
        p.fine_fen = 200_000_000;
        assert_eq!(fields(RecordBody::Penalty(p)), ["sanctions[1]", "fine_fen"]);
    }

    #[test]
    fn a_correction_names_its_amended_fields_under_amended_penalty() {
        let mut amended = penalty(day(2026, 5, 1));
        amended.fine_fen = -5;
        assert_eq!(fields(correction(CorrectionChange::Amendment(amended), day(2026, 5, 20))), ["amended_penalty.fine_fen"]);
        let mut bad_target = correction(CorrectionChange::Revocation, day(2026, 5, 20));
        if let RecordBody::PenaltyCorrection(c) = &mut bad_target {
            c.penalty_record_id = "P-1".into();
        }
        assert_eq!(fields(bad_target), ["penalty_record_id"]);
    }

    #[test]
    fn a_correction_keeps_the_penalty_number_and_date_and_is_not_decided_before_it() {
        let original = record(1, RecordBody::Penalty(penalty(day(2026, 5, 1))));
        let records = [original.clone()];
        let revoke = correction(CorrectionChange::Revocation, day(2026, 5, 20));
        assert_eq!(against(&revoke, &original, &records), Ok(()));
        let mut amended = penalty(day(2026, 4, 30));
        amended.decision_number = "other".into();
        amended.party.name = "另一家公司".into();
        let amend = correction(CorrectionChange::Amendment(amended), day(2026, 5, 20));
        assert_eq!(
            invalid(against(&amend, &original, &records)),
            ["amended_penalty.decision_number", "amended_penalty.party_name", "amended_penalty.decided_on"]
        );
        // The original's name, written another way, or none, is the same party.
        for name in ["上海示例质量科技有限公司 ", ""] {
            let mut same = penalty(day(2026, 5, 1));
            same.party.name = name.into();
            let amend = correction(CorrectionChange::Amendment(same), day(2026, 5, 20));
            assert_eq!(against(&amend, &original, &records), Ok(()));
        }
        let early = correction(CorrectionChange::Revocation, day(2026, 4, 1));
        assert_eq!(not_yet(against(&early, &original, &records)), ("CORRECTION_NOT_ALLOWED", day(2026, 5, 1)));
        assert!(matches!(against_by("example:sh-pudong-amr", &revoke, &original, &records), Err(Refusal::OtherAuthority { .. })));
        let listing = record(1, RecordBody::Listing(listing(day(2026, 5, 1))));
        assert_eq!(invalid(against(&revoke, &listing, std::slice::from_ref(&listing))), ["penalty_record_id"]);
    }
}
