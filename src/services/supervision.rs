//! Tiered supervision (分级分类监管): risk assessments, entities by risk
//! class, inspection draws (双随机) and the statistics regulators read.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::error::{Missing, ServiceError};
use super::scope::{Asked, ReadScope, Scopes};
use crate::clock::Clock;
use crate::domain::Violation;
use crate::domain::record::{Category, Date, Record};
use crate::domain::rules::RuleBook;
use crate::domain::rules::supervision::{Assessment, InspectionDraw, RiskClass};
use crate::domain::statistics::{GradeTally, PenaltyTally, SpotCheckTally, count_grade, count_penalties, count_spot_checks};
use crate::domain::uscc::Uscc;
use crate::index::Index;
use crate::services::caller::Principal;
use crate::store::{DrawStore, Draws};

/// Length of a seed the registry chooses, in bytes.
const FRESH_SEED: usize = 32;

/// An assessment with the date it is for and the version of the policy
/// it was made under.
pub struct Assessed {
    pub assessment: Assessment,
    pub on: Date,
    pub policy_version: String,
}

/// A page of a region's entities by risk class, in code order.
pub struct RiskPage {
    pub assessments: Vec<(Uscc, Assessment)>,
    /// Whether more entities follow this page.
    pub more: bool,
    /// The evaluation date.
    pub on: Date,
    pub policy_version: String,
}

/// What an inspection draw asks for.
pub struct DrawAsked {
    /// Administrative-division prefix of the population; empty: all.
    pub region: String,
    /// Empty: the registry draws a fresh one.
    pub seed: Vec<u8>,
    /// The ledger size the population is taken from.
    pub tree_size: u64,
    /// Idempotency key; empty when none was sent.
    pub request_id: String,
}

/// Supervision over the index and the stored draws.
#[derive(Clone)]
pub struct Supervision {
    scopes: Scopes,
    index: Arc<Index>,
    rules: Arc<RuleBook>,
    clock: Clock,
    /// Where inspection draws are kept.
    draws: Draws,
}

impl Supervision {
    pub fn new(scopes: Scopes, index: Arc<Index>, rules: Arc<RuleBook>, clock: Clock, draws: Draws) -> Supervision {
        Supervision { scopes, index, rules, clock, draws }
    }

    /// `uscc`'s risk assessment. Errors: those of `Scopes::resolve`.
    pub async fn assessment(&self, caller: &Principal, asked: &Asked, uscc: &Uscc) -> Result<Assessed, ServiceError> {
        let scope = self.scopes.resolve(caller, asked).await?;
        let records = self.index.facts(uscc).unwrap_or_default();
        Ok(Assessed {
            assessment: self.assess(&records, &scope, u64::MAX),
            on: scope.on,
            policy_version: self.policy_version(&scope),
        })
    }

    /// The entities of `region` in `class` (any when `None`), in code order
    /// after `after`, at most `size`. Errors: those of `Scopes::resolve`.
    pub async fn by_risk_class(
        &self,
        caller: &Principal,
        asked: &Asked,
        region: &str,
        class: Option<RiskClass>,
        after: Option<Uscc>,
        size: usize,
    ) -> Result<RiskPage, ServiceError> {
        let scope = self.scopes.resolve(caller, asked).await?;
        let mut matching = self
            .classify(region, &scope, u64::MAX)
            .into_iter()
            .filter(|(code, a)| class.is_none_or(|c| a.class == c) && after.is_none_or(|t| code.as_str() > t.as_str()));
        let assessments = matching.by_ref().take(size).collect();
        let more = matching.next().is_some();
        Ok(RiskPage { assessments, more, on: scope.on, policy_version: self.policy_version(&scope) })
    }

    /// A requested ledger size for a draw (0: the head as this node holds
    /// it now), or why it is not one this registry has had.
    pub fn tree_size(&self, requested: i64) -> Result<u64, Violation> {
        let head = self.index.head();
        match requested {
            0 => Ok(head),
            n if n < 0 || n as u64 > head => {
                Err(Violation::new("tree_size", format!("{n} is not a ledger size this registry has had (1 to {head})")))
            }
            n => Ok(n as u64),
        }
    }

    /// Draws an inspection sample of a region's entities as of the asked
    /// ledger size, weighted by their risk class, and keeps it as drawn by
    /// `caller`; a repeated request id answers the draw kept first.
    /// Errors: those of `Scopes::resolve`; `NoRandomness` when no fresh
    /// seed can be had; `Store`.
    pub async fn draw(&self, caller: &Principal, asked: &Asked, draw: DrawAsked) -> Result<InspectionDraw, ServiceError> {
        let scope = self.scopes.resolve(caller, asked).await?;
        let seed = if draw.seed.is_empty() {
            let mut fresh = vec![0u8; FRESH_SEED];
            getrandom::fill(&mut fresh).map_err(|e| ServiceError::NoRandomness(format!("cannot draw a fresh seed: {e}")))?;
            fresh
        } else {
            draw.seed
        };
        let population: Vec<(Uscc, RiskClass, u32)> = self
            .classify(&draw.region, &scope, draw.tree_size)
            .into_iter()
            .map(|(code, a)| (code, a.class, a.sampling_percent))
            .collect();
        let policy = &scope.rules(&self.rules).supervision;
        let drawn = InspectionDraw {
            id: uuid::Uuid::now_v7().to_string(),
            sampled: policy.draw(&population, &seed),
            region_prefix: draw.region,
            seed,
            evaluated_on: scope.on,
            policy_version: policy.version.clone(),
            drawn_at: self.clock.now(),
            drawn_by: caller.subject.clone(),
            request_id: draw.request_id,
            tree_size: draw.tree_size,
        };
        Ok(self.draws.save_draw(&drawn).await?)
    }

    /// The inspection draw `id`. Errors: `NotFound` (`Missing::Draw`);
    /// `Store`.
    pub async fn sample(&self, id: &str) -> Result<InspectionDraw, ServiceError> {
        self.draws.draw(id).await?.ok_or_else(|| ServiceError::NotFound {
            what: Missing::Draw,
            name: id.to_string(),
            message: format!("no inspection draw {id}"),
        })
    }

    /// Spot checks (抽查) of a region's entities checked `from..=until`, by
    /// category and product class.
    pub fn spot_checks(&self, region: &str, from: Date, until: Date) -> BTreeMap<(Category, String), SpotCheckTally> {
        self.tally(region, |records, tally| count_spot_checks(records, from, until, tally))
    }

    /// Penalties of a region's entities decided `from..=until`, by category.
    pub fn penalties(&self, region: &str, from: Date, until: Date) -> BTreeMap<Category, PenaltyTally> {
        self.tally(region, |records, tally| count_penalties(records, from, until, tally))
    }

    /// A region's entities by their level in force under grading `scheme`.
    /// Errors: those of `Scopes::resolve`.
    pub async fn grades(
        &self,
        caller: &Principal,
        asked: &Asked,
        region: &str,
        scheme: &str,
    ) -> Result<GradeTally, ServiceError> {
        let scope = self.scopes.resolve(caller, asked).await?;
        Ok(self.tally(region, |records, tally| count_grade(&scope.fold(records, &self.rules), scheme, tally)))
    }

    /// Adds up `count` over every entity of `region`.
    fn tally<T: Default>(&self, region: &str, count: impl Fn(&[Arc<Record>], &mut T)) -> T {
        let mut tally = T::default();
        for (_, records) in self.index.entities_in_region(region) {
            count(&records, &mut tally);
        }
        tally
    }

    fn policy_version(&self, scope: &ReadScope) -> String {
        scope.rules(&self.rules).supervision.version.clone()
    }

    /// Assesses one entity from its records with sequence up to `tree_size`.
    fn assess(&self, records: &[Arc<Record>], scope: &ReadScope, tree_size: u64) -> Assessment {
        let known = records.partition_point(|r| r.sequence <= tree_size);
        let state = scope.fold(&records[..known], &self.rules);
        scope.rules(&self.rules).supervision.assess(&state, scope.on)
    }

    /// Every entity of a region with its assessment, in code order.
    fn classify(&self, region: &str, scope: &ReadScope, tree_size: u64) -> Vec<(Uscc, Assessment)> {
        self.index
            .entities_in_region(region)
            .into_iter()
            .filter(|(_, records)| records.first().is_some_and(|r| r.sequence <= tree_size))
            .map(|(code, records)| (code, self.assess(&records, scope, tree_size)))
            .collect()
    }
}
