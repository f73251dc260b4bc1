//! Credit-risk classes and tiered supervision (分级分类监管) as data:
//! `policy/supervision.toml`.
//!
//! A transparent score: each usable record adds the points the policy gives
//! it, the sum is clamped to the scale, and the class is the band the score
//! falls in. Each class sets how much of it is sampled for random inspection
//! (双随机), and the draw is reproducible from its seed. The score of one
//! entity is taken in `domain::assess`.

use std::collections::HashMap;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::record::{Date, ListType, RecordId, SeverityTier};
use crate::domain::uscc::Uscc;

/// SAMR enterprise credit-risk class (国市监信发〔2022〕6号); regulator-internal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum RiskClass {
    /// 风险低
    A,
    /// 风险一般
    B,
    /// 风险较高
    C,
    /// 风险高
    D,
}

/// One class: its score band and supervision intensity.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassBand {
    pub class: RiskClass,
    pub min_score: i32,
    pub max_score: i32,
    /// Share of the class sampled per year, in basis points.
    pub sampling_ratio_bp: u32,
    /// Planned inspections per entity per year, in hundredths.
    pub inspections_per_year_centi: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::domain) struct Points {
    pub(in crate::domain) penalty: HashMap<SeverityTier, i32>,
    pub(in crate::domain) penalty_lookback_months: u32,
    pub(in crate::domain) listing: HashMap<ListType, i32>,
    pub(in crate::domain) spot_check_fail: i32,
    pub(in crate::domain) spot_check_pass: i32,
    pub(in crate::domain) spot_check_lookback_months: u32,
    pub(in crate::domain) commendation: i32,
    /// Scheme code -> level -> points, for the grade in force.
    #[serde(default)]
    pub(in crate::domain) grade: HashMap<String, HashMap<String, i32>>,
}

/// How a grade in force weights an entity's chance of being drawn.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeSampling {
    pub scheme: String,
    pub levels: Vec<String>,
    /// Of the class's sampling ratio, in percent.
    pub ratio_percent: u32,
    pub legal_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    version: String,
    #[serde(default)]
    effective_from: Option<String>,
    legal_basis: String,
    max_score: i32,
    class: Vec<ClassBand>,
    points: Points,
    #[serde(default)]
    grade_sampling: Vec<GradeSampling>,
}

#[derive(Clone, Debug)]
pub struct SupervisionPolicy {
    pub version: String,
    /// First day this policy applies (`Date::MIN`: from the start).
    pub effective_from: Date,
    pub legal_basis: String,
    pub max_score: i32,
    /// One band per class, A to D, covering 0..=max_score without gaps.
    pub classes: Vec<ClassBand>,
    pub(in crate::domain) points: Points,
    pub grade_sampling: Vec<GradeSampling>,
}

/// One record's share of a score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub record_id: RecordId,
    pub points: i32,
    pub reason: String,
}

/// A random inspection draw (双随机抽查), as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InspectionDraw {
    pub id: String,
    /// Administrative-division prefix the population came from; empty: all.
    pub region_prefix: String,
    pub seed: Vec<u8>,
    pub evaluated_on: Date,
    pub policy_version: String,
    pub drawn_at: chrono::DateTime<chrono::Utc>,
    /// Subject of the regulator who drew it.
    pub drawn_by: String,
    /// The caller's idempotency key; empty when none was sent.
    pub request_id: String,
    /// Ledger size the population was taken from.
    pub tree_size: u64,
    pub sampled: Vec<Uscc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub class: RiskClass,
    pub score: i32,
    pub contributions: Vec<Contribution>,
    /// Of the class's sampling ratio, in percent, as the grade in force
    /// weights it (`grade_sampling`); 100 when no rule matches.
    pub sampling_percent: u32,
}

impl SupervisionPolicy {
    pub fn parse(text: &str) -> Result<SupervisionPolicy, String> {
        let mut file: PolicyFile = super::read_versioned(text)?;
        if file.legal_basis.trim().is_empty() {
            return Err("legal_basis must not be empty".into());
        }
        if file.max_score <= 0 {
            return Err(format!("max_score must be positive, got {}", file.max_score));
        }
        file.class.sort_by_key(|c| c.class);
        let expected = [RiskClass::A, RiskClass::B, RiskClass::C, RiskClass::D];
        if file.class.iter().map(|c| c.class).collect::<Vec<_>>() != expected {
            return Err("class: exactly one band each for A, B, C and D is required".into());
        }
        let mut next = 0;
        for band in &file.class {
            if band.min_score != next || band.max_score < band.min_score {
                return Err(format!(
                    "class {:?}: band {}..={} must start at {next} and not be empty (bands cover 0..={} in order)",
                    band.class, band.min_score, band.max_score, file.max_score
                ));
            }
            if band.sampling_ratio_bp > 10_000 {
                return Err(format!("class {:?}: sampling_ratio_bp exceeds 10000", band.class));
            }
            next = band.max_score + 1;
        }
        if next != file.max_score + 1 {
            return Err(format!("class D must end at max_score {}", file.max_score));
        }
        let p = &file.points;
        if p.penalty.len() != 4 {
            return Err("points.penalty must give points for minor, general, heavier and serious".into());
        }
        if p.listing.len() != super::lists::ALL_LISTS.len() {
            return Err("points.listing must give points for every list".into());
        }
        if p.penalty_lookback_months == 0 || p.spot_check_lookback_months == 0 {
            return Err("lookback months must be at least 1".into());
        }
        Ok(SupervisionPolicy {
            effective_from: super::effective_from(file.effective_from)?,
            version: file.version,
            legal_basis: file.legal_basis,
            max_score: file.max_score,
            classes: file.class,
            points: file.points,
            grade_sampling: file.grade_sampling,
        })
    }

    /// The points of each grade level this policy scores, by scheme, in
    /// scheme and level order.
    pub fn grade_points(&self) -> Vec<(&str, &str, i32)> {
        let mut points: Vec<(&str, &str, i32)> = self
            .points
            .grade
            .iter()
            .flat_map(|(scheme, levels)| levels.iter().map(move |(l, p)| (scheme.as_str(), l.as_str(), *p)))
            .collect();
        points.sort_unstable();
        points
    }

    /// The band of a class.
    pub fn band(&self, class: RiskClass) -> &ClassBand {
        self.classes.iter().find(|b| b.class == class).expect("every class has a band")
    }

    /// Draws an inspection sample (双随机) from a population of classified
    /// entities, each with its sampling weight in percent (`Assessment::
    /// sampling_percent`): from each class and weight, `ceil(n × ratio ×
    /// weight)` entities (at most all), those whose SHA-256(seed ‖ code) is
    /// smallest. Anyone with the seed and the population gets the same
    /// sample. Returned in code order.
    pub fn draw(&self, population: &[(Uscc, RiskClass, u32)], seed: &[u8]) -> Vec<Uscc> {
        let mut sample = Vec::new();
        let mut weights: Vec<u32> = population.iter().map(|(_, _, w)| *w).collect();
        weights.sort_unstable();
        weights.dedup();
        for band in &self.classes {
            for weight in &weights {
                let mut members: Vec<([u8; 32], Uscc)> = population
                    .iter()
                    .filter(|(_, class, w)| *class == band.class && w == weight)
                    .map(|(code, _, _)| {
                        let mut h = Sha256::new();
                        h.update(seed);
                        h.update(code.as_bytes());
                        (h.finalize().into(), *code)
                    })
                    .collect();
                let take = (members.len() * band.sampling_ratio_bp as usize * *weight as usize).div_ceil(1_000_000);
                members.sort_unstable();
                sample.extend(members.into_iter().take(take).map(|(_, code)| code));
            }
        }
        sample.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        sample
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rules::DEFAULT_SUPERVISION;

    fn population(weight: u32) -> Vec<(Uscc, RiskClass, u32)> {
        (0..200u32)
            .map(|i| {
                let code = Uscc::complete(&format!("913101150000{i:04}")).unwrap();
                let class = [RiskClass::A, RiskClass::B, RiskClass::C, RiskClass::D][(i % 4) as usize];
                (code, class, weight)
            })
            .collect()
    }

    #[test]
    fn default_policy_parses_with_contiguous_bands() {
        let p = SupervisionPolicy::parse(DEFAULT_SUPERVISION).unwrap();
        assert_eq!(p.band(RiskClass::A).min_score, 0);
        assert_eq!(p.band(RiskClass::D).max_score, p.max_score);
    }

    #[test]
    fn bands_with_gaps_are_refused() {
        let broken = DEFAULT_SUPERVISION.replacen("min_score = 251", "min_score = 260", 1);
        assert!(SupervisionPolicy::parse(&broken).unwrap_err().contains("class B"));
    }

    #[test]
    fn draws_are_reproducible_from_the_seed_and_follow_the_ratios() {
        let p = SupervisionPolicy::parse(DEFAULT_SUPERVISION).unwrap();
        let pop = population(100);
        let first = p.draw(&pop, b"seed-1");
        assert_eq!(first, p.draw(&pop, b"seed-1"));
        assert_ne!(first, p.draw(&pop, b"seed-2"));
        for band in &p.classes {
            let n = pop.iter().filter(|(_, c, _)| *c == band.class).count();
            let drawn = first.iter().filter(|u| pop.iter().any(|(c, k, _)| c == *u && *k == band.class)).count();
            assert_eq!(drawn, (n * band.sampling_ratio_bp as usize).div_ceil(10_000), "{:?}", band.class);
        }
    }

    #[test]
    fn a_grade_weight_scales_each_class_ratio() {
        let p = SupervisionPolicy::parse(DEFAULT_SUPERVISION).unwrap();
        for weight in [0u32, 50, 100, 200] {
            let pop = population(weight);
            let drawn = p.draw(&pop, b"seed");
            for band in &p.classes {
                let n = pop.iter().filter(|(_, c, _)| *c == band.class).count();
                let got = drawn.iter().filter(|u| pop.iter().any(|(c, k, _)| c == *u && *k == band.class)).count();
                let want = (n * band.sampling_ratio_bp as usize * weight as usize).div_ceil(1_000_000).min(n);
                assert_eq!(got, want, "{:?} at {weight}%", band.class);
            }
        }
        assert!(p.draw(&population(0), b"seed").is_empty(), "a weight of 0 leaves the entities out");
    }
}
