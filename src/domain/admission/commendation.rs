//! A commendation (表彰) on its own: its decision, title and validity.

use super::fields::Checker;
use crate::domain::record::Commendation;

impl Checker<'_> {
    pub(super) fn commendation(&mut self, c: &Commendation) {
        self.number("decision_number", &c.decision_number);
        self.text("title", &c.title, true);
        self.party("", &c.party, false);
        self.past_date("awarded_on", c.awarded_on);
        if let Some(until) = c.valid_until
            && until < c.awarded_on
        {
            self.push("valid_until", format!("{until} is before awarded_on {}", c.awarded_on));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::admission::fixture::*;
    use crate::domain::record::{Commendation, CommendationKind, RecordBody};

    #[test]
    fn a_commendation_is_valid_no_earlier_than_it_is_awarded() {
        let commendation = |title: &str, valid_until| {
            RecordBody::Commendation(Commendation {
                decision_number: "沪府〔2026〕1号".into(),
                kind: CommendationKind::GovernmentQualityAward,
                title: title.into(),
                awarded_on: day(2026, 5, 1),
                valid_until,
                party: crate::domain::record::Party::default(),
            })
        };
        assert_eq!(fields(commendation("质量奖", None)), Vec::<String>::new());
        assert_eq!(fields(commendation("质量奖", Some(day(2026, 5, 1)))), Vec::<String>::new());
        assert_eq!(fields(commendation("质量奖", Some(day(2026, 4, 30)))), ["valid_until"]);
        assert_eq!(fields(commendation("", None)), ["title"]);
    }
}
