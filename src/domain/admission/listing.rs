//! A listing (列入名录、名单) on its own, who may post it, and a listing
//! against the penalty it rests on.

use super::Target;
use super::fields::Checker;
use crate::domain::record::{Date, ListType, Listing, RecordBody};
use crate::domain::rules::Rules;
use crate::domain::state::{RecordStatus, fold};
use crate::domain::uscc::Uscc;
use crate::domain::{Refusal, Violation};

impl Checker<'_> {
    pub(super) fn listing(&mut self, l: &Listing) {
        self.number("decision_number", &l.decision_number);
        self.text("grounds", &l.grounds, true);
        self.text("legal_basis", &l.legal_basis, true);
        self.party("", &l.party, true);
        self.past_date("listed_on", l.listed_on);
        if let Some(id) = &l.penalty_record_id {
            self.reference("penalty_record_id", id);
        }
        match (l.list_type == ListType::AbnormalOperations, l.abnormal_ground.is_some()) {
            (true, false) => self.push("abnormal_ground", "is required for the abnormal-operations list (经营异常名录)"),
            (false, true) => self.push("abnormal_ground", "applies only to the abnormal-operations list"),
            _ => {}
        }
        let rule = self.rules.lists.rule(l.list_type);
        // A listing on a penalty whose sanction may extend it is checked
        // against its maximum once the penalty is known (check_against).
        let may_extend = l.penalty_record_id.is_some() && !rule.extended_by_sanctions.is_empty();
        if let Some(problem) = rule.term_violation(l.listed_on, l.planned_end, &l.article, may_extend) {
            self.push(problem.field, problem.description);
        }
        if rule.article.is_empty() && !l.article.is_empty() {
            self.push("article", format!("must be empty: the term of the {} does not depend on an article", rule.name_zh));
        }
        self.optional_number("article", &l.article);
    }
}

/// Only the authorities a list names may post to it.
pub(super) fn may_post(l: &Listing, authority: &str, rules: &Rules) -> Result<(), Refusal> {
    let lists = &rules.lists;
    let rule = lists.rule(l.list_type);
    if rule.may_post(rules.authority_kind(authority)) {
        return Ok(());
    }
    Err(Refusal::Forbidden {
        reason: "LIST_NOT_FOR_AUTHORITY",
        message: format!(
            "authority '{authority}' may not post the {}: only authorities of kind {} do ({}; {})",
            rule.name_zh,
            super::kind_names(&rule.authority_kinds),
            rule.legal_basis,
            lists.version
        ),
    })
}

/// A listing that names a penalty rests on a standing penalty of the same
/// entity, and its term is judged knowing whether that penalty extends it.
pub(super) fn against(l: &Listing, target: &Target<'_>, uscc: &Uscc, rules: &Rules, today: Date) -> Result<(), Refusal> {
    let record = target.record;
    match &record.body {
        RecordBody::Penalty(p) if record.uscc == *uscc => {
            let state = fold(target.entity_records, None, today, rules);
            if state.find(&record.id).is_some_and(|v| v.status == RecordStatus::Revoked) {
                return Err(Refusal::TargetClosed {
                    record_id: record.id.clone(),
                    reason: format!("penalty {} was revoked; no listing can rest on it (SAMR Order 44 art. 19)", record.id),
                });
            }
            let rule = rules.lists.rule(l.list_type);
            let extended = p.sanctions.iter().any(|s| rule.extended_by_sanctions.contains(s));
            match rule.term_violation(l.listed_on, l.planned_end, &l.article, extended) {
                Some(problem) => Err(Refusal::Invalid(vec![Violation::new(problem.field, problem.description)])),
                None => Ok(()),
            }
        }
        RecordBody::Penalty(_) => {
            Err(target.invalid(format!("penalty {} is about entity {}, not {uscc}", target.id, record.uscc)))
        }
        _ => Err(target.not_a("penalty")),
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::Refusal;
    use crate::domain::admission::fixture::*;
    use crate::domain::record::{AbnormalGround, ListType, RecordBody};
    use crate::domain::rules::term_end;

    #[test]
    fn a_listing_passes_and_each_bad_field_is_named() {
        let on = day(2026, 5, 1);
        assert_eq!(fields(RecordBody::Listing(listing(on))), Vec::<String>::new());
        let bad = |change: fn(&mut crate::domain::record::Listing)| {
            let mut l = listing(day(2026, 5, 1));
            change(&mut l);
            fields(RecordBody::Listing(l))
        };
        assert_eq!(bad(|l| l.grounds.clear()), ["grounds"]);
        assert_eq!(bad(|l| l.abnormal_ground = Some(AbnormalGround::UnreachableAtAddress)), ["abnormal_ground"]);
        assert_eq!(bad(|l| l.planned_end = Some(term_end(l.listed_on, 61))), ["planned_end"]);
        assert_eq!(bad(|l| l.planned_end = None), ["planned_end"]);
        assert_eq!(bad(|l| l.article = "第一条".into()), ["article"]);
        assert_eq!(bad(|l| l.penalty_record_id = Some("12".into())), ["penalty_record_id"]);
        assert_eq!(
            bad(|l| {
                l.list_type = ListType::AbnormalOperations;
                l.planned_end = None;
            }),
            ["abnormal_ground"]
        );
    }

    #[test]
    fn a_listing_rests_on_a_standing_penalty_of_its_own_entity() {
        let penalty = record(1, RecordBody::Penalty(penalty(day(2026, 4, 1))));
        let mut l = listing(day(2026, 5, 1));
        l.penalty_record_id = Some(id(1));
        let body = RecordBody::Listing(l);
        assert_eq!(against(&body, &penalty, std::slice::from_ref(&penalty)), Ok(()));
        let mut elsewhere = (*penalty).clone();
        elsewhere.uscc = crate::domain::uscc::Uscc::parse("91110000600037341L").expect("a valid code");
        let elsewhere = std::sync::Arc::new(elsewhere);
        assert_eq!(invalid(against(&body, &elsewhere, &[])), ["penalty_record_id"]);
        let grade = record(1, RecordBody::Grade(grade("A", day(2026, 1, 5))));
        assert_eq!(invalid(against(&body, &grade, std::slice::from_ref(&grade))), ["penalty_record_id"]);
        assert!(matches!(
            crate::domain::admission::check_against(
                &body,
                &uscc(),
                AUTHORITY,
                None,
                &crate::domain::rules::Rules::defaults(),
                today()
            ),
            Err(Refusal::TargetNotFound { .. })
        ));
    }
}
