//! The authority directory (执法机关名录) as callers read it.

use std::sync::Arc;

use crate::domain::rules::RuleBook;
use crate::domain::rules::authorities::{Authority, AuthorityKind, Directory};

use super::error::{Missing, ServiceError};

/// Reads the directory the rules were loaded with.
#[derive(Clone)]
pub struct Authorities {
    rules: Arc<RuleBook>,
}

impl Authorities {
    pub fn new(rules: Arc<RuleBook>) -> Authorities {
        Authorities { rules }
    }

    fn directory(&self) -> &Directory {
        &self.rules.latest().directory
    }

    /// The directory (for its version and date) and its authorities by id:
    /// only those of `kind`, and of a region starting with `region_prefix`,
    /// when given.
    pub fn list(&self, kind: Option<AuthorityKind>, region_prefix: &str) -> (&Directory, Vec<&Authority>) {
        let directory = self.directory();
        let found =
            directory.iter().filter(|a| kind.is_none_or(|k| a.kind == k) && a.region.starts_with(region_prefix)).collect();
        (directory, found)
    }

    /// The directory (for its version and date) and the authority with
    /// this id; `ServiceError::NotFound` when it lists none.
    pub fn get(&self, id: &str) -> Result<(&Directory, &Authority), ServiceError> {
        let directory = self.directory();
        let authority = directory.get(id).ok_or_else(|| ServiceError::NotFound {
            what: Missing::Authority,
            name: id.to_string(),
            message: format!("the authority directory {} lists no authority '{id}'", directory.version),
        })?;
        Ok((directory, authority))
    }
}
