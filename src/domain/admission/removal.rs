//! A removal from a list (移出), and when a listing may end.

use super::Target;
use super::fields::Checker;
use crate::domain::Refusal;
use crate::domain::record::{Date, Listing, RecordBody, Removal, RemovalReason, WireName, wire_names};
use crate::domain::rules::lists::ListRules;
use crate::domain::rules::term_end;

impl Checker<'_> {
    pub(super) fn removal(&mut self, r: &Removal) {
        self.reference("listing_record_id", &r.listing_record_id);
        // Revoking a listing decision (撤销列入决定) is a correction that
        // voids it from the start: it names the revoking decision and why.
        if r.reason == RemovalReason::Revoked {
            self.number("decision_number", &r.decision_number);
            self.text("explanation", &r.explanation, true);
        } else {
            self.optional_number("decision_number", &r.decision_number);
            self.text("explanation", &r.explanation, false);
        }
        self.past_date("removed_on", r.removed_on);
    }
}

/// A removal ends a listing of its own authority not yet removed, as the
/// list allows (`removal_allowed`).
pub(super) fn against(r: &Removal, target: &Target<'_>, authority: &str, lists: &ListRules) -> Result<(), Refusal> {
    let RecordBody::Listing(listing) = &target.record.body else {
        return Err(target.not_a("listing"));
    };
    target.same_authority(authority)?;
    if let Some(earlier) = target
        .entity_records
        .iter()
        .find(|e| matches!(&e.body, RecordBody::Removal(x) if x.listing_record_id == target.record.id))
    {
        return Err(Refusal::TargetClosed {
            record_id: target.record.id.clone(),
            reason: format!("listing {} was already removed by record {}", target.record.id, earlier.id),
        });
    }
    removal_allowed(r, listing, lists)
}

/// Whether a removal may end a listing: every path that ends a listing early
/// passes here. The list must allow the reason; TERM_ENDED applies only from
/// the day after the planned end; CREDIT_REPAIR is never a removal of its
/// own, only the effect of a granted `DecideRepair` after the list's
/// minimum period (SAMR Order 44 arts. 16-20). `Err` cites the rule broken,
/// and names the first day the removal is allowed if it is only too early.
fn removal_allowed(r: &Removal, listing: &Listing, lists: &ListRules) -> Result<(), Refusal> {
    let forbidden = |message: String| Refusal::Forbidden { reason: "REMOVAL_NOT_ALLOWED", message };
    let rule = lists.rule(listing.list_type);
    if r.reason == RemovalReason::CreditRepair {
        return Err(forbidden(format!(
            "a listing on the {} ends for credit repair only by a granted repair decision (RequestRepair, then DecideRepair), {}; not by RemoveListing ({})",
            rule.name_zh,
            match rule.repair_after_months {
                Some(m) => format!("which may be sought {m} months after listing"),
                None => "which this list does not allow".into(),
            },
            lists.version
        )));
    }
    if !rule.removal_reasons.contains(&r.reason) {
        return Err(forbidden(format!(
            "{} is not a way to leave the {} (allowed: {}; {}; {})",
            r.reason.wire_name(),
            rule.name_zh,
            wire_names(&rule.removal_reasons),
            rule.legal_basis,
            lists.version
        )));
    }
    // The first day the removal may take effect, and why: never before the
    // listing, and for some reasons only after a period.
    let day_after = |d: Date| d.succ_opt().unwrap_or(d);
    let mut first = (listing.listed_on, format!("the listing is from {}", listing.listed_on));
    if r.reason == RemovalReason::Cured
        && let Some(months) = rule.cured_after_months
    {
        let from = day_after(term_end(listing.listed_on, months));
        if from > first.0 {
            first = (
                from,
                format!("an entry on the {} ends on cure only after {months} months ({})", rule.name_zh, rule.legal_basis),
            );
        }
    }
    if r.reason == RemovalReason::TermEnded {
        let Some(end) = listing.planned_end else {
            return Err(forbidden(format!("{} needs a listing with a planned end; this one has none", r.reason.wire_name())));
        };
        if day_after(end) > first.0 {
            first = (day_after(end), format!("the planned term ends on {end}"));
        }
    }
    let (allowed_from, why) = first;
    if r.removed_on < allowed_from {
        return Err(Refusal::NotYet {
            reason: "REMOVAL_NOT_ALLOWED",
            message: format!(
                "removed_on {} is too early for {}: {why}; allowed from {allowed_from}",
                r.removed_on,
                r.reason.wire_name()
            ),
            allowed_from,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::domain::Refusal;
    use crate::domain::admission::fixture::*;
    use crate::domain::record::{RecordBody, RemovalReason};

    #[test]
    fn a_revocation_of_a_listing_names_its_decision_and_why() {
        assert_eq!(fields(RecordBody::Removal(removal(1, RemovalReason::TermEnded, day(2026, 5, 1)))), Vec::<String>::new());
        assert_eq!(
            fields(RecordBody::Removal(removal(1, RemovalReason::Revoked, day(2026, 5, 1)))),
            ["decision_number", "explanation"]
        );
        let mut r = removal(1, RemovalReason::TermEnded, day(2026, 6, 2));
        r.listing_record_id.clear();
        assert_eq!(fields(RecordBody::Removal(r)), ["listing_record_id", "removed_on"]);
    }

    /// SAMR Order 44 arts. 16-20: a listing ends by its term, its cure where
    /// the list allows one, or its revocation; credit repair is a decision.
    #[test]
    fn a_listing_ends_only_as_its_list_allows_and_not_before_its_term() {
        // 36 months from 2022-01-01 end on 2025-01-01.
        let listed = record(1, RecordBody::Listing(listing(day(2022, 1, 1))));
        let records = [listed.clone()];
        let remove = |reason, on| against(&RecordBody::Removal(removal(1, reason, on)), &listed, &records);
        assert_eq!(remove(RemovalReason::TermEnded, day(2025, 1, 2)), Ok(()));
        assert_eq!(not_yet(remove(RemovalReason::TermEnded, day(2025, 1, 1))), ("REMOVAL_NOT_ALLOWED", day(2025, 1, 2)));
        assert_eq!(remove(RemovalReason::Revoked, day(2023, 1, 1)), Ok(()));
        assert_eq!(forbidden(remove(RemovalReason::Cured, day(2025, 1, 2))), "REMOVAL_NOT_ALLOWED");
        assert_eq!(forbidden(remove(RemovalReason::CreditRepair, day(2025, 1, 2))), "REMOVAL_NOT_ALLOWED");
        let removed = record(2, RecordBody::Removal(removal(1, RemovalReason::Revoked, day(2023, 1, 1))));
        let again = against(
            &RecordBody::Removal(removal(1, RemovalReason::TermEnded, day(2025, 1, 2))),
            &listed,
            &[listed.clone(), removed],
        );
        assert!(matches!(again, Err(Refusal::TargetClosed { .. })));
    }
}
