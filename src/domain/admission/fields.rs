//! The checks every kind shares: numbers, free text, dates and references,
//! each problem noted against its field.

use super::is_record_id;
use crate::domain::Violation;
use crate::domain::party::name_problem;
use crate::domain::record::{Date, Party};
use crate::domain::rules::Rules;

/// Longest free-text identifier (decision numbers, report numbers).
const MAX_NUMBER_LEN: usize = 128;
/// Longest free text.
const MAX_TEXT_LEN: usize = 4000;

/// Collects the problems of one body, judged on `today` by `rules`.
pub(super) struct Checker<'r> {
    pub(super) today: Date,
    pub(super) rules: &'r Rules,
    pub(super) out: Vec<Violation>,
}

impl Checker<'_> {
    pub(super) fn push(&mut self, field: &str, description: impl Into<String>) {
        self.out.push(Violation::new(field, description));
    }

    /// A date that has happened, and not before the earliest date the
    /// registry accepts (`policy.earliest_date`).
    pub(super) fn past_date(&mut self, field: &str, date: Date) {
        if date > self.today {
            self.push(field, format!("{date} is in the future (today is {} UTC+8)", self.today));
        } else if date < self.rules.earliest_date {
            self.push(
                field,
                format!(
                    "{date} is before {}, the earliest date this registry accepts (policy.earliest_date)",
                    self.rules.earliest_date
                ),
            );
        }
    }

    pub(super) fn number(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.push(field, "is required");
        } else {
            self.optional_number(field, value);
        }
    }

    pub(super) fn optional_number(&mut self, field: &str, value: &str) {
        if value.chars().count() > MAX_NUMBER_LEN {
            self.push(field, format!("is longer than {MAX_NUMBER_LEN} characters"));
        } else if value != value.trim() {
            self.push(field, "must not start or end with white space");
        }
    }

    /// A record id: required, and a UUID as the registry issues them; a
    /// malformed one is refused here rather than looked up.
    pub(super) fn reference(&mut self, field: &str, id: &str) {
        if id.trim().is_empty() {
            self.push(field, "is required");
        } else if !is_record_id(id) {
            self.push(
                field,
                format!(
                    "'{}' is not a record id (a UUID such as 01a2059c-5236-73df-b2e5-44c888f9a4ba)",
                    id.chars().take(64).collect::<String>()
                ),
            );
        }
    }

    /// The party a decision names: its name, required where `required`
    /// (new penalties and listings), and its legal representative,
    /// optional, each within `party::name_problem`'s bounds and named with
    /// `prefix`.
    pub(super) fn party(&mut self, prefix: &str, party: &Party, required: bool) {
        let name = format!("{prefix}party_name");
        if required && party.name.trim().is_empty() {
            self.push(&name, "is required: the party's name as the decision writes it (当事人名称)");
        } else {
            self.name(&name, &party.name);
        }
        self.name(&format!("{prefix}legal_representative"), &party.legal_representative);
    }

    fn name(&mut self, field: &str, value: &str) {
        if let Some(problem) = name_problem(value) {
            self.push(field, problem);
        }
    }

    pub(super) fn text(&mut self, field: &str, value: &str, required: bool) {
        if required && value.trim().is_empty() {
            self.push(field, "is required");
        } else if value.chars().count() > MAX_TEXT_LEN {
            self.push(field, format!("is longer than {MAX_TEXT_LEN} characters"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::admission::fixture::{day, id, today};

    fn problems(check: impl FnOnce(&mut Checker<'_>)) -> Vec<String> {
        let rules = Rules::defaults();
        let mut v = Checker { today: today(), rules: &rules, out: Vec::new() };
        check(&mut v);
        v.out.into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn each_shared_check_names_its_field() {
        assert_eq!(problems(|v| v.number("n", "沪1号")), Vec::<String>::new());
        assert_eq!(problems(|v| v.number("n", "")), ["n"]);
        assert_eq!(problems(|v| v.optional_number("n", "")), Vec::<String>::new());
        assert_eq!(problems(|v| v.optional_number("n", " 1")), ["n"]);
        assert_eq!(problems(|v| v.optional_number("n", &"1".repeat(MAX_NUMBER_LEN + 1))), ["n"]);
        assert_eq!(problems(|v| v.text("t", "", false)), Vec::<String>::new());
        assert_eq!(problems(|v| v.text("t", " ", true)), ["t"]);
        assert_eq!(problems(|v| v.text("t", &"字".repeat(MAX_TEXT_LEN + 1), false)), ["t"]);
        assert_eq!(problems(|v| v.past_date("d", today())), Vec::<String>::new());
        assert_eq!(problems(|v| v.past_date("d", day(2026, 6, 2))), ["d"]);
        assert_eq!(problems(|v| v.past_date("d", day(1989, 12, 31))), ["d"]);
        assert_eq!(problems(|v| v.reference("r", &id(1))), Vec::<String>::new());
        assert_eq!(problems(|v| v.reference("r", "")), ["r"]);
        assert_eq!(problems(|v| v.reference("r", "0000000000007000800000000001")), ["r"]);
    }
}
