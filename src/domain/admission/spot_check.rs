//! A spot check (抽查) on its own: its report, product and outcome.

use super::fields::Checker;
use crate::domain::record::{SpotCheck, SpotCheckOutcome};

impl Checker<'_> {
    pub(super) fn spot_check(&mut self, s: &SpotCheck) {
        self.number("report_number", &s.report_number);
        self.text("product", &s.product, true);
        self.text("product_class", &s.product_class, false);
        self.text("batch", &s.batch, false);
        self.party("", &s.party, false);
        self.past_date("checked_on", s.checked_on);
        match (s.outcome, s.failed_items.is_empty()) {
            (SpotCheckOutcome::Fail, true) => {
                self.push("failed_items", "must name at least one failed item when the outcome is FAIL")
            }
            (SpotCheckOutcome::Pass, false) => self.push("failed_items", "must be empty when the outcome is PASS"),
            _ => {}
        }
        for (i, item) in s.failed_items.iter().enumerate() {
            self.text(&format!("failed_items[{i}]"), item, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::admission::fixture::*;
    use crate::domain::record::{Category, RecordBody, SpotCheck, SpotCheckOutcome};

    fn spot_check(outcome: SpotCheckOutcome, failed_items: &[&str]) -> RecordBody {
        RecordBody::SpotCheck(SpotCheck {
            report_number: "沪抽〔2026〕1号".into(),
            category: Category::ProductQuality,
            product: "电热水壶".into(),
            product_class: String::new(),
            batch: String::new(),
            outcome,
            checked_on: day(2026, 5, 1),
            failed_items: failed_items.iter().map(|s| s.to_string()).collect(),
            party: crate::domain::record::Party::default(),
        })
    }

    #[test]
    fn a_spot_check_names_its_failed_items_only_when_it_fails() {
        assert_eq!(fields(spot_check(SpotCheckOutcome::Pass, &[])), Vec::<String>::new());
        assert_eq!(fields(spot_check(SpotCheckOutcome::Fail, &["标志"])), Vec::<String>::new());
        assert_eq!(fields(spot_check(SpotCheckOutcome::Fail, &[])), ["failed_items"]);
        assert_eq!(fields(spot_check(SpotCheckOutcome::Pass, &["标志"])), ["failed_items"]);
        assert_eq!(fields(spot_check(SpotCheckOutcome::Fail, &["标志", " "])), ["failed_items[1]"]);
        let RecordBody::SpotCheck(mut s) = spot_check(SpotCheckOutcome::Pass, &[]) else { unreachable!() };
        s.report_number.clear();
        s.product.clear();
        assert_eq!(fields(RecordBody::SpotCheck(s)), ["report_number", "product"]);
    }
}
