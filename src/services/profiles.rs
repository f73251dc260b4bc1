//! Reading credit files (信用档案) as a caller may see them: an entity's
//! profile, its records a page at a time, one record by id. Each record
//! comes with its standing (`Entry`), worked out here so that a front end
//! only converts.

use std::sync::Arc;

use super::error::{Missing, ServiceError};
use super::files::CreditFiles;
use super::scope::{Asked, Scopes};
use crate::domain::party::{Names, names};
use crate::domain::record::{Date, Grade, Record, RecordBody};
use crate::domain::rules::grades::Scheme;
use crate::domain::rules::{RuleBook, Rules};
use crate::domain::state::{EntityState, RecordStatus, RecordView};
use crate::domain::uscc::Uscc;
use crate::services::caller::Principal;

/// Most records a profile carries; a record list pages through the rest.
const PROFILE_RECORDS: usize = 100;

/// A record with its standing on the evaluation date, as shown to a caller.
pub struct Entry {
    pub record: Arc<Record>,
    pub status: RecordStatus,
    /// Shown to the public and procurement callers.
    pub public: bool,
    /// Ids of the later records that changed it, oldest first: those the
    /// caller may see.
    pub changed_by: Vec<String>,
    /// When a listing in effect was due to escalate, if that day has come;
    /// only for callers who see everything.
    pub escalation_due_on: Option<Date>,
    /// The deciding authority's name on the record's decision date, as the
    /// authority directory has it; empty for an authority it does not list
    /// (records written before the directory existed).
    pub authority_name: String,
}

impl Entry {
    /// `view`, a record of `state`, as a caller who sees everything (or
    /// only what is public) is shown it under `rules`.
    pub fn of(view: &RecordView<'_>, state: &EntityState<'_>, rules: &Rules, sees_everything: bool) -> Entry {
        let escalation_due_on = match &view.record.body {
            RecordBody::Listing(l) if sees_everything && view.status == RecordStatus::InEffect => {
                rules.lists.rule(l.list_type).escalation_due_on(l).filter(|due| *due <= state.on)
            }
            _ => None,
        };
        Entry {
            record: view.record.clone(),
            status: view.status,
            public: view.public,
            changed_by: view
                .changed_by
                .iter()
                .filter(|r| sees_everything || state.find(&r.id).is_some_and(|c| c.public))
                .map(|r| r.id.clone())
                .collect(),
            escalation_due_on,
            authority_name: authority_name(view.record, rules),
        }
    }
}

/// The name of `record`'s authority on the record's decision date, as the
/// directory of `rules` has it; empty for an authority it does not list
/// (records written before the directory existed).
fn authority_name(record: &Record, rules: &Rules) -> String {
    rules.directory.get(&record.authority).map(|a| a.name_on(record.body.decision_date()).name).unwrap_or_default()
}

/// A listing in force on the evaluation date.
pub struct CurrentListing {
    pub record: Arc<Record>,
    /// As `Entry::authority_name`.
    pub authority_name: String,
}

/// The listings in force in `state`, each with its authority's name.
pub fn current_listings(state: &EntityState<'_>, rules: &Rules) -> Vec<CurrentListing> {
    state
        .listings_in_force()
        .map(|(record, _)| CurrentListing { record: record.clone(), authority_name: authority_name(record, rules) })
        .collect()
}

/// A grade in force, with the scheme it is read under.
pub struct GradeInForce {
    pub record: Arc<Record>,
    pub grade: Grade,
    /// The level in force (empty while not rated).
    pub level: String,
    /// The record whose cap lowered the level, if one did.
    pub capped_by: Option<Arc<Record>>,
    /// The scheme, as the edition in force on the grade's evaluation date
    /// has it.
    pub scheme: Scheme,
    pub schemes_version: String,
}

/// An entity's profile as the caller may see it.
pub struct Profile {
    /// The evaluation date.
    pub on: Date,
    /// Grades in force whose level the caller may see.
    pub grades_in_force: Vec<GradeInForce>,
    pub current_listings: Vec<CurrentListing>,
    /// The newest visible records, newest first, at most `PROFILE_RECORDS`.
    pub entries: Vec<Entry>,
    /// Visible records in all.
    pub total: usize,
    /// Sequence of the newest visible record; 0 when none is.
    pub latest_sequence: u64,
    /// The entity's names over time, from the visible records.
    pub names: Names,
}

/// A page of an entity's visible records, in ledger order.
pub struct RecordPage {
    pub entries: Vec<Entry>,
    /// Visible records in all.
    pub total: usize,
}

/// Credit-file reads over the credit-file reader.
#[derive(Clone)]
pub struct Profiles {
    scopes: Scopes,
    files: CreditFiles,
    rules: Arc<RuleBook>,
}

impl Profiles {
    pub fn new(scopes: Scopes, files: CreditFiles, rules: Arc<RuleBook>) -> Profiles {
        Profiles { scopes, files, rules }
    }

    /// `uscc`'s profile as `caller` may see it. Errors: those of
    /// `Scopes::resolve`; `Store` when its records cannot be read.
    pub async fn profile(&self, caller: &Principal, asked: &Asked, uscc: &Uscc) -> Result<Profile, ServiceError> {
        let scope = self.scopes.resolve(caller, asked).await?;
        let records = self.files.records(uscc, scope.tree.size).await?;
        let state = scope.fold(&records, &self.rules);
        let visible = scope.visible(&state, &self.rules);
        let rules = scope.rules(&self.rules);
        let grades_in_force = state
            .grades_in_force()
            .filter_map(|(record, standing)| {
                // Read with the edition in force on the grade's evaluation date.
                let grades = rules.grades_for(standing.grade.evaluated_on);
                let scheme = grades.scheme(&standing.grade.scheme)?;
                (scope.sees_everything || scheme.publishes(&standing.level)).then(|| GradeInForce {
                    record: record.clone(),
                    grade: standing.grade.clone(),
                    level: standing.level,
                    capped_by: standing.capped_by.cloned(),
                    scheme: scheme.clone(),
                    schemes_version: grades.version.clone(),
                })
            })
            .collect();
        Ok(Profile {
            on: scope.on,
            grades_in_force,
            current_listings: current_listings(&state, rules),
            entries: visible
                .iter()
                .rev()
                .take(PROFILE_RECORDS)
                .map(|v| Entry::of(v, &state, rules, scope.sees_everything))
                .collect(),
            total: visible.len(),
            latest_sequence: visible.last().map_or(0, |v| v.record.sequence),
            names: names(visible.iter().map(|v| v.record.as_ref())),
        })
    }

    /// `uscc`'s records that `caller` may see, from the `start`th (from 0),
    /// at most `size`. Errors: those of `Scopes::resolve`; `Store` when its
    /// records cannot be read.
    pub async fn records(
        &self,
        caller: &Principal,
        asked: &Asked,
        uscc: &Uscc,
        start: usize,
        size: usize,
    ) -> Result<RecordPage, ServiceError> {
        let scope = self.scopes.resolve(caller, asked).await?;
        let records = self.files.records(uscc, scope.tree.size).await?;
        let state = scope.fold(&records, &self.rules);
        let visible = scope.visible(&state, &self.rules);
        let end = (start + size).min(visible.len());
        let rules = scope.rules(&self.rules);
        Ok(RecordPage {
            entries: visible
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .map(|v| Entry::of(v, &state, rules, scope.sees_everything))
                .collect(),
            total: visible.len(),
        })
    }

    /// The record `record_id`, if `caller` may see it. Errors: those of
    /// `Scopes::resolve`; `NotFound` (`Missing::Record`) alike when it does
    /// not exist and when the caller may not see it, so that its existence
    /// does not leak; `Store` when it cannot be read.
    pub async fn record(&self, caller: &Principal, asked: &Asked, record_id: &str) -> Result<Entry, ServiceError> {
        let scope = self.scopes.resolve(caller, asked).await?;
        let not_found = || ServiceError::NotFound {
            what: Missing::Record,
            name: record_id.to_string(),
            message: format!("no record {record_id}"),
        };
        let uscc = self.files.locate(record_id).await?.ok_or_else(not_found)?.uscc;
        let records = self.files.records(&uscc, scope.tree.size).await?;
        let state = scope.fold(&records, &self.rules);
        let view = scope.visible(&state, &self.rules).into_iter().find(|v| v.record.id == record_id).ok_or_else(not_found)?;
        Ok(Entry::of(view, &state, scope.rules(&self.rules), scope.sees_everything))
    }
}
