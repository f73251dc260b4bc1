//! `SupervisionService`: risk classes and tiered supervision (分级分类监管)
//! for regulators; risk classes are regulator-internal, so only `regulator`
//! and `auditor` callers reach this service.

use std::collections::BTreeMap;

use tonic::{Request, Response, Status};

use super::error::ApiError;
use super::paging::{page_size, page_token};
use super::{Registry, deadline, require};
use crate::auth::Role;
use crate::domain::Violation;
use crate::domain::record::Date;
use crate::domain::rules::supervision::{Assessment, InspectionDraw, RiskClass};
use crate::domain::statistics::{GradeTally, count_grade, count_penalties, count_spot_checks};
use crate::domain::uscc::Uscc;
use crate::index::EntityRecords;
use crate::proto::convert::{WireReader, date_to_wire, timestamp_to_wire};
use crate::proto::pb::{self, supervision_service_server::SupervisionService};
use crate::services::ReadScope;

const READERS: &[Role] = &[Role::Regulator, Role::Auditor];
/// Longest seed accepted, in bytes.
const MAX_SEED: usize = 64;
/// Length of a seed the registry chooses.
const FRESH_SEED: usize = 32;

pub struct SupervisionApi {
    registry: Registry,
}

impl SupervisionApi {
    pub fn new(registry: Registry) -> SupervisionApi {
        SupervisionApi { registry }
    }

    /// Assesses one entity from its records with sequence up to `tree_size`.
    fn assess(&self, records: &[std::sync::Arc<crate::domain::record::Record>], scope: &ReadScope, tree_size: u64) -> Assessment {
        let known = records.partition_point(|r| r.sequence <= tree_size);
        let state = scope.fold(&records[..known], &self.registry.rules);
        scope.rules(&self.registry.rules).supervision.assess(&state, scope.on)
    }

    /// Every entity of a region with its assessment, in code order.
    fn classify(&self, region: &str, scope: &ReadScope, tree_size: u64) -> Vec<(Uscc, Assessment)> {
        self.registry
            .index
            .entities_in_region(region)
            .into_iter()
            .filter(|(_, records)| records.first().is_some_and(|r| r.sequence <= tree_size))
            .map(|(code, records)| (code, self.assess(&records, scope, tree_size)))
            .collect()
    }

    /// The records of the entities of a region, and the inclusive date
    /// range statistics cover: all dates up to today when unset.
    fn stats_scope(
        &self,
        region: &str,
        from: Option<&crate::proto::google::r#type::Date>,
        until: Option<&crate::proto::google::r#type::Date>,
    ) -> Result<StatsScope, ApiError> {
        let mut reader = WireReader::default();
        let region = region_prefix(&mut reader, "region_prefix", region);
        let from = reader.optional_date("from", from).unwrap_or(Date::MIN);
        let until = reader.optional_date("until", until).unwrap_or_else(|| self.registry.clock.today());
        if from > until {
            reader.violations.push(Violation::new("until", format!("{until} is before from")));
        }
        let region = reader.finish(region).map_err(ApiError::InvalidArgument)?;
        Ok(StatsScope { entities: self.registry.index.entities_in_region(&region), from, until })
    }

    fn assessment_to_wire(&self, uscc: &Uscc, a: &Assessment, scope: &ReadScope) -> pb::RiskAssessment {
        pb::RiskAssessment {
            uscc: uscc.to_string(),
            risk_class: pb::RiskClass::from(a.class) as i32,
            score: a.score,
            contributions: a
                .contributions
                .iter()
                .map(|c| pb::RiskContribution { record_id: c.record_id.clone(), points: c.points, reason: c.reason.clone() })
                .collect(),
            evaluated_on: Some(date_to_wire(scope.on)),
            policy_version: scope.rules(&self.registry.rules).supervision.version.clone(),
        }
    }
}

/// What a statistics request covers: the entities of its region, and the
/// first and last date.
struct StatsScope {
    entities: Vec<(Uscc, EntityRecords)>,
    from: Date,
    until: Date,
}

/// An administrative-division prefix: up to six digits, possibly none.
fn region_prefix(reader: &mut WireReader, field: &str, value: &str) -> Option<String> {
    if value.len() <= 6 && value.bytes().all(|b| b.is_ascii_digit()) {
        Some(value.to_string())
    } else {
        reader.violations.push(Violation::new(
            field,
            format!("'{value}' is not an administrative-division prefix (up to 6 digits, e.g. \"3101\")"),
        ));
        None
    }
}

/// Pass rate in basis points, rounded; 0 when nothing was checked.
fn pass_rate_bp(passed: u64, checked: u64) -> i32 {
    (passed * 10_000 + checked / 2).checked_div(checked).map_or(0, |bp| bp as i32)
}

fn draw_to_wire(d: &InspectionDraw) -> pb::InspectionSample {
    pb::InspectionSample {
        draw_id: d.id.clone(),
        region_prefix: d.region_prefix.clone(),
        seed: d.seed.clone(),
        evaluated_on: Some(date_to_wire(d.evaluated_on)),
        policy_version: d.policy_version.clone(),
        drawn_at: Some(timestamp_to_wire(d.drawn_at)),
        drawn_by: d.drawn_by.clone(),
        tree_size: d.tree_size as i64,
        sampled_codes: d.sampled.iter().map(|c| c.to_string()).collect(),
    }
}

#[tonic::async_trait]
impl SupervisionService for SupervisionApi {
    async fn get_risk_assessment(
        &self,
        request: Request<pb::GetRiskAssessmentRequest>,
    ) -> Result<Response<pb::GetRiskAssessmentResponse>, Status> {
        let caller = require(&request, READERS)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let uscc = reader.uscc("uscc", &m.uscc);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        let known_at = reader.known_at(m.known_at.as_ref(), self.registry.clock.now());
        let uscc = reader.finish(uscc).map_err(ApiError::InvalidArgument)?;
        let scope = self.registry.scopes.resolve(&caller, on, known_at, 0, deadline.at()).await?;
        let records = self.registry.index.facts(&uscc).unwrap_or_default();
        let assessment = self.assess(&records, &scope, u64::MAX);
        Ok(Response::new(pb::GetRiskAssessmentResponse { assessment: Some(self.assessment_to_wire(&uscc, &assessment, &scope)) }))
    }

    async fn list_entities_by_risk_class(
        &self,
        request: Request<pb::ListEntitiesByRiskClassRequest>,
    ) -> Result<Response<pb::ListEntitiesByRiskClassResponse>, Status> {
        let caller = require(&request, READERS)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let class = reader.optional_enumeration::<RiskClass>("risk_class", m.risk_class);
        let region = region_prefix(&mut reader, "region_prefix", &m.region_prefix);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        let size = page_size(&mut reader, m.page_size);
        let after = page_token::<Uscc>(&mut reader, &m.page_token);
        let (region, (size, after)) = reader.finish(region.zip(size.zip(after))).map_err(ApiError::InvalidArgument)?;
        let scope = self.registry.scopes.resolve(&caller, on, None, 0, deadline.at()).await?;
        let mut matching = self
            .classify(&region, &scope, u64::MAX)
            .into_iter()
            .filter(|(code, a)| class.is_none_or(|c| a.class == c) && after.is_none_or(|t| code.as_str() > t.as_str()));
        let page: Vec<(Uscc, Assessment)> = matching.by_ref().take(size).collect();
        let next_page_token = match (matching.next(), page.last()) {
            (Some(_), Some((last, _))) => last.to_string(),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListEntitiesByRiskClassResponse {
            assessments: page.iter().map(|(code, a)| self.assessment_to_wire(code, a, &scope)).collect(),
            next_page_token,
        }))
    }

    async fn get_supervision_policy(
        &self,
        request: Request<pb::GetSupervisionPolicyRequest>,
    ) -> Result<Response<pb::GetSupervisionPolicyResponse>, Status> {
        require(&request, READERS)?;
        let mut reader = WireReader::default();
        let on = reader.optional_date("evaluated_on", request.get_ref().evaluated_on.as_ref());
        reader.finish(Some(())).map_err(ApiError::InvalidArgument)?;
        let policy = &self.registry.scopes.rules_on(on).supervision;
        Ok(Response::new(pb::GetSupervisionPolicyResponse {
            version: policy.version.clone(),
            tiers: policy
                .classes
                .iter()
                .map(|b| pb::SupervisionTier {
                    risk_class: pb::RiskClass::from(b.class) as i32,
                    sampling_ratio_bp: b.sampling_ratio_bp as i32,
                    inspections_per_year_centi: b.inspections_per_year_centi as i32,
                    min_score: b.min_score,
                    max_score: b.max_score,
                })
                .collect(),
            grade_points: policy
                .grade_points()
                .into_iter()
                .map(|(scheme, level, points)| pb::GradePoints { scheme: scheme.into(), level: level.into(), points })
                .collect(),
            grade_sampling: policy
                .grade_sampling
                .iter()
                .map(|g| pb::GradeSampling {
                    scheme: g.scheme.clone(),
                    levels: g.levels.clone(),
                    ratio_percent: g.ratio_percent as i32,
                    legal_basis: g.legal_basis.clone(),
                })
                .collect(),
        }))
    }

    async fn draw_inspection_sample(
        &self,
        request: Request<pb::DrawInspectionSampleRequest>,
    ) -> Result<Response<pb::DrawInspectionSampleResponse>, Status> {
        let caller = require(&request, &[Role::Regulator])?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let region = region_prefix(&mut reader, "region_prefix", &m.region_prefix);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        if m.seed.len() > MAX_SEED {
            reader.violations.push(Violation::new("seed", format!("has {} bytes; at most {MAX_SEED}", m.seed.len())));
        }
        let head = self.registry.index.head();
        let tree_size = match m.tree_size {
            0 => Some(head),
            n if n < 0 || n as u64 > head => {
                reader
                    .violations
                    .push(Violation::new("tree_size", format!("{n} is not a ledger size this registry has had (1 to {head})")));
                None
            }
            n => Some(n as u64),
        };
        reader.request_id("request_id", &m.request_id);
        let (region, tree_size) = reader.finish(region.zip(tree_size)).map_err(ApiError::InvalidArgument)?;
        let scope = self.registry.scopes.resolve(&caller, on, None, 0, deadline.at()).await?;
        let seed = if m.seed.is_empty() {
            let mut fresh = vec![0u8; FRESH_SEED];
            getrandom::fill(&mut fresh).map_err(|e| ApiError::Unavailable {
                reason: "NO_RANDOMNESS",
                message: format!("cannot draw a fresh seed: {e}"),
            })?;
            fresh
        } else {
            m.seed
        };
        let population: Vec<(Uscc, RiskClass, u32)> =
            self.classify(&region, &scope, tree_size).into_iter().map(|(code, a)| (code, a.class, a.sampling_percent)).collect();
        let draw = InspectionDraw {
            id: uuid::Uuid::now_v7().to_string(),
            sampled: scope.rules(&self.registry.rules).supervision.draw(&population, &seed),
            region_prefix: region,
            seed,
            evaluated_on: scope.on,
            policy_version: scope.rules(&self.registry.rules).supervision.version.clone(),
            drawn_at: self.registry.clock.now(),
            drawn_by: caller.subject,
            request_id: m.request_id,
            tree_size,
        };
        let kept = self.registry.store.save_draw(&draw).await.map_err(ApiError::from)?;
        Ok(Response::new(pb::DrawInspectionSampleResponse { sample: Some(draw_to_wire(&kept)) }))
    }

    async fn get_inspection_sample(
        &self,
        request: Request<pb::GetInspectionSampleRequest>,
    ) -> Result<Response<pb::GetInspectionSampleResponse>, Status> {
        require(&request, READERS)?;
        let id = request.into_inner().draw_id;
        let draw = self.registry.store.draw(&id).await.map_err(ApiError::from)?.ok_or_else(|| ApiError::NotFound {
            reason: "DRAW_NOT_FOUND",
            resource: "creditregistry.v1.InspectionSample",
            message: format!("no inspection draw {id}"),
            name: id.clone(),
        })?;
        Ok(Response::new(pb::GetInspectionSampleResponse { sample: Some(draw_to_wire(&draw)) }))
    }

    async fn get_spot_check_statistics(
        &self,
        request: Request<pb::GetSpotCheckStatisticsRequest>,
    ) -> Result<Response<pb::GetSpotCheckStatisticsResponse>, Status> {
        require(&request, READERS)?;
        let m = request.into_inner();
        let scope = self.stats_scope(&m.region_prefix, m.from.as_ref(), m.until.as_ref())?;
        let mut tally = BTreeMap::new();
        for (_, records) in &scope.entities {
            count_spot_checks(records, scope.from, scope.until, &mut tally);
        }
        let (checked, passed) = tally.values().fold((0, 0), |(c, p), t| (c + t.checked, p + t.passed));
        Ok(Response::new(pb::GetSpotCheckStatisticsResponse {
            rows: tally
                .into_iter()
                .map(|((category, product_class), t)| pb::SpotCheckStatistic {
                    category: pb::Category::from(category).as_str_name().to_string(),
                    product_class,
                    checked: t.checked as i64,
                    passed: t.passed as i64,
                    pass_rate_bp: pass_rate_bp(t.passed, t.checked),
                })
                .collect(),
            total: Some(pb::SpotCheckStatistic {
                category: String::new(),
                product_class: String::new(),
                checked: checked as i64,
                passed: passed as i64,
                pass_rate_bp: pass_rate_bp(passed, checked),
            }),
        }))
    }

    async fn get_grade_statistics(
        &self,
        request: Request<pb::GetGradeStatisticsRequest>,
    ) -> Result<Response<pb::GetGradeStatisticsResponse>, Status> {
        let caller = require(&request, READERS)?;
        let deadline = deadline(&request);
        let m = request.into_inner();
        let mut reader = WireReader::default();
        let region = region_prefix(&mut reader, "region_prefix", &m.region_prefix);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref()).unwrap_or_else(|| self.registry.clock.today());
        let schemes = &self.registry.rules.on(on).grades;
        let scheme = schemes.scheme(&m.scheme);
        if scheme.is_none() {
            let known: Vec<&str> = schemes.schemes.iter().map(|s| s.code.as_str()).collect();
            reader
                .violations
                .push(Violation::new("scheme", format!("'{}' is not a grading scheme (one of {})", m.scheme, known.join(", "))));
        }
        let (region, scheme) = reader.finish(region.zip(scheme)).map_err(ApiError::InvalidArgument)?;
        let scope = self.registry.scopes.resolve(&caller, Some(on), None, 0, deadline.at()).await?;
        let mut tally = GradeTally::default();
        for (_, records) in self.registry.index.entities_in_region(&region) {
            let state = scope.fold(&records, &self.registry.rules);
            count_grade(&state, &scheme.code, &mut tally);
        }
        Ok(Response::new(pb::GetGradeStatisticsResponse {
            rows: scheme
                .level
                .iter()
                .map(|l| pb::GradeStatistic {
                    level: l.level.clone(),
                    meaning_zh: l.meaning_zh.clone(),
                    entities: tally.levels.get(&l.level).copied().unwrap_or(0) as i64,
                })
                .collect(),
            evaluated_on: Some(date_to_wire(on)),
            schemes_version: schemes.version.clone(),
            not_rated: tally.not_rated as i64,
        }))
    }

    async fn get_penalty_statistics(
        &self,
        request: Request<pb::GetPenaltyStatisticsRequest>,
    ) -> Result<Response<pb::GetPenaltyStatisticsResponse>, Status> {
        require(&request, READERS)?;
        let m = request.into_inner();
        let scope = self.stats_scope(&m.region_prefix, m.from.as_ref(), m.until.as_ref())?;
        let mut tally = BTreeMap::new();
        for (_, records) in &scope.entities {
            count_penalties(records, scope.from, scope.until, &mut tally);
        }
        Ok(Response::new(pb::GetPenaltyStatisticsResponse {
            rows: tally
                .into_iter()
                .map(|(category, t)| pb::PenaltyStatistic {
                    category: pb::Category::from(category).as_str_name().to_string(),
                    penalties: t.penalties as i64,
                    fines_fen: t.fines_fen,
                    revoked: t.revoked as i64,
                })
                .collect(),
        }))
    }
}
