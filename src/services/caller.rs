//! Who is calling: the caller's roles, authority and organisation, as
//! its verified token says (`auth`), in the terms the services decide by.

use serde::{Deserialize, Serialize};

/// What a caller may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An enforcement bureau (执法机关), writing under its `authority`.
    Enforcement,
    /// A procurement or bidding platform: checks and public records.
    Procurement,
    /// An auditor: the whole history.
    Auditor,
    /// A regulator: risk classes, supervision, statistics.
    Regulator,
    /// An operator of the registry.
    Admin,
}

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub roles: Vec<Role>,
    /// The authority an enforcement caller acts for.
    pub authority: Option<String>,
    pub organisation: Option<String>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the caller reads the whole credit file, including repaired,
    /// expired and internal records. Only procurement platforms see just
    /// what is public.
    pub fn sees_everything(&self) -> bool {
        [Role::Enforcement, Role::Auditor, Role::Regulator, Role::Admin].iter().any(|r| self.has(*r))
    }
}
