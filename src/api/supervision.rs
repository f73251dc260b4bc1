//! `SupervisionService`: risk classes and tiered supervision (分级分类监管)
//! for regulators; risk classes are regulator-internal, so only `regulator`
//! and `auditor` callers reach this service.

use tonic::{Request, Response, Status};

use super::error::ApiError;
use super::paging::{page_size, page_token};
use super::{Registry, deadline, require};
use crate::auth::Role;
use crate::domain::Violation;
use crate::domain::record::Date;
use crate::domain::rules::supervision::{Assessment, InspectionDraw, RiskClass};
use crate::domain::uscc::Uscc;
use crate::proto::convert::{WireReader, date_to_wire, timestamp_to_wire};
use crate::proto::pb::{self, supervision_service_server::SupervisionService};
use crate::services::scope::Asked;
use crate::services::supervision::DrawAsked;

const READERS: &[Role] = &[Role::Regulator, Role::Auditor];
/// Longest seed accepted, in bytes.
const MAX_SEED: usize = 64;

pub struct SupervisionApi {
    registry: Registry,
}

impl SupervisionApi {
    pub fn new(registry: Registry) -> SupervisionApi {
        SupervisionApi { registry }
    }

    /// The region and the inclusive date range a statistics request
    /// covers: all dates up to today when unset.
    fn stats_scope(
        &self,
        region: &str,
        from: Option<&crate::proto::google::r#type::Date>,
        until: Option<&crate::proto::google::r#type::Date>,
    ) -> Result<(String, Date, Date), ApiError> {
        let mut reader = WireReader::default();
        let region = reader.region_prefix("region_prefix", region);
        let from = reader.optional_date("from", from).unwrap_or(Date::MIN);
        let until = reader.optional_date("until", until).unwrap_or_else(|| self.registry.clock.today());
        if from > until {
            reader.violations.push(Violation::new("until", format!("{until} is before from")));
        }
        let region = reader.finish(region).map_err(ApiError::InvalidArgument)?;
        Ok((region, from, until))
    }
}

fn assessment_to_wire(uscc: &Uscc, a: &Assessment, on: Date, policy_version: &str) -> pb::RiskAssessment {
    pb::RiskAssessment {
        uscc: uscc.to_string(),
        risk_class: pb::RiskClass::from(a.class) as i32,
        score: a.score,
        contributions: a
            .contributions
            .iter()
            .map(|c| pb::RiskContribution { record_id: c.record_id.clone(), points: c.points, reason: c.reason.clone() })
            .collect(),
        evaluated_on: Some(date_to_wire(on)),
        policy_version: policy_version.to_string(),
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
        let asked = Asked { on, known_at, min_sequence: 0, deadline: deadline.at() };
        let assessed = self.registry.supervision.assessment(&caller, &asked, &uscc).await?;
        Ok(Response::new(pb::GetRiskAssessmentResponse {
            assessment: Some(assessment_to_wire(&uscc, &assessed.assessment, assessed.on, &assessed.policy_version)),
        }))
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
        let region = reader.region_prefix("region_prefix", &m.region_prefix);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        let size = page_size(&mut reader, m.page_size);
        let after = page_token::<Uscc>(&mut reader, &m.page_token);
        let (region, (size, after)) = reader.finish(region.zip(size.zip(after))).map_err(ApiError::InvalidArgument)?;
        let asked = Asked { on, known_at: None, min_sequence: 0, deadline: deadline.at() };
        let page = self.registry.supervision.by_risk_class(&caller, &asked, &region, class, after, size).await?;
        let next_page_token = match page.assessments.last() {
            Some((last, _)) if page.more => last.to_string(),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListEntitiesByRiskClassResponse {
            assessments: page
                .assessments
                .iter()
                .map(|(code, a)| assessment_to_wire(code, a, page.on, &page.policy_version))
                .collect(),
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
        let region = reader.region_prefix("region_prefix", &m.region_prefix);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref());
        if m.seed.len() > MAX_SEED {
            reader.violations.push(Violation::new("seed", format!("has {} bytes; at most {MAX_SEED}", m.seed.len())));
        }
        let tree_size = match self.registry.supervision.tree_size(m.tree_size) {
            Ok(size) => Some(size),
            Err(v) => {
                reader.violations.push(v);
                None
            }
        };
        reader.request_id("request_id", &m.request_id);
        let (region, tree_size) = reader.finish(region.zip(tree_size)).map_err(ApiError::InvalidArgument)?;
        let asked = Asked { on, known_at: None, min_sequence: 0, deadline: deadline.at() };
        let draw = DrawAsked { region, seed: m.seed, tree_size, request_id: m.request_id };
        let kept = self.registry.supervision.draw(&caller, &asked, draw).await?;
        Ok(Response::new(pb::DrawInspectionSampleResponse { sample: Some(draw_to_wire(&kept)) }))
    }

    async fn get_inspection_sample(
        &self,
        request: Request<pb::GetInspectionSampleRequest>,
    ) -> Result<Response<pb::GetInspectionSampleResponse>, Status> {
        require(&request, READERS)?;
        let id = request.into_inner().draw_id;
        let draw = self.registry.supervision.sample(&id).await?;
        Ok(Response::new(pb::GetInspectionSampleResponse { sample: Some(draw_to_wire(&draw)) }))
    }

    async fn get_spot_check_statistics(
        &self,
        request: Request<pb::GetSpotCheckStatisticsRequest>,
    ) -> Result<Response<pb::GetSpotCheckStatisticsResponse>, Status> {
        require(&request, READERS)?;
        let m = request.into_inner();
        let (region, from, until) = self.stats_scope(&m.region_prefix, m.from.as_ref(), m.until.as_ref())?;
        let tally = self.registry.supervision.spot_checks(&region, from, until);
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
        let region = reader.region_prefix("region_prefix", &m.region_prefix);
        let on = reader.optional_date("evaluated_on", m.evaluated_on.as_ref()).unwrap_or_else(|| self.registry.clock.today());
        let schemes = &self.registry.scopes.rules_on(Some(on)).grades;
        let scheme = schemes.scheme(&m.scheme);
        if scheme.is_none() {
            let known: Vec<&str> = schemes.schemes.iter().map(|s| s.code.as_str()).collect();
            reader
                .violations
                .push(Violation::new("scheme", format!("'{}' is not a grading scheme (one of {})", m.scheme, known.join(", "))));
        }
        let (region, scheme) = reader.finish(region.zip(scheme)).map_err(ApiError::InvalidArgument)?;
        let asked = Asked { on: Some(on), known_at: None, min_sequence: 0, deadline: deadline.at() };
        let tally = self.registry.supervision.grades(&caller, &asked, &region, &scheme.code).await?;
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
        let (region, from, until) = self.stats_scope(&m.region_prefix, m.from.as_ref(), m.until.as_ref())?;
        let tally = self.registry.supervision.penalties(&region, from, until);
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
