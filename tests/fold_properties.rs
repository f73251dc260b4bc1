//! Property tests of the state fold (`domain::state::fold`) and the in-memory
//! index, over random but plausible ledgers of one entity: penalties, listings,
//! and corrections, removals, repair applications and repair decisions that
//! refer to earlier records.
//!
//! - How the writer happened to batch commits into the index must not change
//!   the entity's records, their standing or any procurement decision.
//! - `known_at` must answer exactly as if the records committed after it did
//!   not exist, so an auditor's view of the past is reproducible.
//! - No measure may rest on a record that no longer counts, and nothing that
//!   no longer counts is shown publicly.

use std::sync::{Arc, LazyLock};

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone, Utc};
use creditregistry::domain::record::{
    AbnormalGround, Category, CorrectionChange, CorrectionGround, ListType, Listing, Penalty, PenaltyCorrection, Record,
    RecordBody, Removal, RemovalReason, RepairApplication, RepairDecision, RepairOutcome, Sanction, SeverityTier,
};
use creditregistry::domain::rules::lists::ALL_LISTS;
use creditregistry::domain::rules::measures::{ALL_DOMAINS, Eligibility, MeasureDomain};
use creditregistry::domain::rules::{Rules, term_end};
use creditregistry::domain::state::{EntityState, RecordStatus, fold};
use creditregistry::domain::uscc::Uscc;
use creditregistry::index::{Index, Indexed, TreeHead};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index as Pick, select, subsequence};

static RULES: LazyLock<Rules> = LazyLock::new(Rules::defaults);

const CATEGORIES: [Category; 14] = [
    Category::ProductQuality,
    Category::FoodSafety,
    Category::EngineeringQuality,
    Category::ServiceQuality,
    Category::Environment,
    Category::SpecialEquipment,
    Category::Certification,
    Category::Metrology,
    Category::Standards,
    Category::CounterfeitTrademark,
    Category::Other,
    Category::Drugs,
    Category::WorkSafety,
    Category::FireSafety,
];

const SEVERITIES: [SeverityTier; 4] = [SeverityTier::Minor, SeverityTier::General, SeverityTier::Heavier, SeverityTier::Serious];

const SANCTIONS: [Sanction; 11] = [
    Sanction::Warning,
    Sanction::PublicCriticism,
    Sanction::Confiscation,
    Sanction::LicenceSuspension,
    Sanction::QualificationDowngrade,
    Sanction::LicenceRevocation,
    Sanction::BusinessRestriction,
    Sanction::OrderedSuspension,
    Sanction::OrderedClosure,
    Sanction::PracticeBan,
    Sanction::CriminalPenalty,
];

const ABNORMAL_GROUNDS: [AbnormalGround; 4] = [
    AbnormalGround::AnnualReportNotFiled,
    AbnormalGround::InformationNotPublished,
    AbnormalGround::FalseInformation,
    AbnormalGround::UnreachableAtAddress,
];

const REMOVAL_REASONS: [RemovalReason; 4] =
    [RemovalReason::TermEnded, RemovalReason::Cured, RemovalReason::CreditRepair, RemovalReason::Revoked];

/// The fixed "today" the generated dates are relative to.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn uscc() -> Uscc {
    Uscc::complete("9131011500000001").unwrap()
}

/// Commit time of record `sequence`: one second apart, strictly increasing.
fn recorded_at(sequence: u64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap() + Duration::seconds(sequence as i64)
}

#[derive(Clone, Debug)]
struct PenaltySpec {
    category: Category,
    severity: SeverityTier,
    fine_fen: i64,
    sanctions: Vec<Sanction>,
    days_ago: u64,
}

#[derive(Clone, Debug)]
struct ListingSpec {
    list_type: ListType,
    abnormal_ground: AbnormalGround,
    days_ago: u64,
    term_months: u32,
    /// A red-list entry without a fixed term.
    open_ended: bool,
}

/// One step of a generated ledger. Steps that refer to an earlier record pick
/// it among the earlier records of the right kind.
#[derive(Clone, Debug)]
enum Step {
    Penalty(PenaltySpec),
    Listing(ListingSpec),
    /// `None` revokes the penalty; `Some` amends it.
    Correction {
        target: Pick,
        amendment: Option<PenaltySpec>,
        after_days: u64,
    },
    Removal {
        target: Pick,
        reason: RemovalReason,
        after_days: u64,
    },
    Application {
        target: Pick,
        after_days: u64,
    },
    Decision {
        target: Pick,
        granted: bool,
        after_days: u64,
    },
}

fn penalty_spec() -> impl Strategy<Value = PenaltySpec> {
    (select(&CATEGORIES[..]), select(&SEVERITIES[..]), 0i64..500_000_000, subsequence(&SANCTIONS[..], 0..=3), 0u64..=6 * 365)
        .prop_map(|(category, severity, fine_fen, sanctions, days_ago)| PenaltySpec {
            category,
            severity,
            fine_fen,
            sanctions,
            days_ago,
        })
}

fn listing_spec() -> impl Strategy<Value = ListingSpec> {
    (select(&ALL_LISTS[..]), select(&ABNORMAL_GROUNDS[..]), 0u64..5 * 365, 12u32..=36, any::<bool>()).prop_map(
        |(list_type, abnormal_ground, days_ago, term_months, open_ended)| ListingSpec {
            list_type,
            abnormal_ground,
            days_ago,
            term_months,
            open_ended,
        },
    )
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => penalty_spec().prop_map(Step::Penalty),
        3 => listing_spec().prop_map(Step::Listing),
        2 => (any::<Pick>(), proptest::option::weighted(0.6, penalty_spec()), 0u64..400)
            .prop_map(|(target, amendment, after_days)| Step::Correction { target, amendment, after_days }),
        2 => (any::<Pick>(), select(&REMOVAL_REASONS[..]), 0u64..1200)
            .prop_map(|(target, reason, after_days)| Step::Removal { target, reason, after_days }),
        2 => (any::<Pick>(), 0u64..800)
            .prop_map(|(target, after_days)| Step::Application { target, after_days }),
        2 => (any::<Pick>(), any::<bool>(), 0u64..120)
            .prop_map(|(target, granted, after_days)| Step::Decision { target, granted, after_days }),
    ]
}

/// A ledger of 1..30 records of one entity, in ledger order. Each step comes
/// with the penalty recorded instead when it has nothing earlier to refer to.
fn ledger() -> impl Strategy<Value = Vec<Arc<Record>>> {
    vec((step(), penalty_spec()), 1..30).prop_map(|steps| {
        let mut records: Vec<Arc<Record>> = Vec::with_capacity(steps.len());
        for (step, fallback) in steps {
            let sequence = records.len() as u64 + 1;
            let body = body_of(step, &records, sequence).unwrap_or_else(|| RecordBody::Penalty(penalty(&fallback, sequence)));
            records.push(Arc::new(Record {
                id: format!("r{sequence}"),
                sequence,
                recorded_at: recorded_at(sequence),
                uscc: uscc(),
                authority: "310115-amr".into(),
                actor: "officer-1".into(),
                request_id: String::new(),
                body,
            }));
        }
        records
    })
}

fn penalty(spec: &PenaltySpec, sequence: u64) -> Penalty {
    Penalty {
        decision_number: format!("P-{sequence}"),
        category: spec.category,
        severity: spec.severity,
        legal_basis: "《产品质量法》第四十九条".into(),
        fine_fen: spec.fine_fen,
        sanctions: spec.sanctions.clone(),
        decided_on: today() - Days::new(spec.days_ago),
        violation: "生产不符合标准的产品".into(),
        party: creditregistry::domain::record::Party::default(),
    }
}

fn listing(spec: &ListingSpec, sequence: u64) -> Listing {
    let listed_on = today() - Days::new(spec.days_ago);
    let planned_end = match spec.list_type {
        ListType::AbnormalOperations => None,
        ListType::RedList if spec.open_ended => None,
        _ => Some(term_end(listed_on, spec.term_months)),
    };
    Listing {
        list_type: spec.list_type,
        decision_number: format!("L-{sequence}"),
        grounds: "列入事由".into(),
        abnormal_ground: (spec.list_type == ListType::AbnormalOperations).then_some(spec.abnormal_ground),
        listed_on,
        planned_end,
        legal_basis: "《严重违法失信名单管理办法》".into(),
        penalty_record_id: None,
        party: creditregistry::domain::record::Party { name: "某某公司".into(), legal_representative: "张三".into() },
        article: String::new(),
    }
}

/// The item `choice` picks, or `None` when there is none to choose from.
fn pick<T>(choice: Pick, items: &[T]) -> Option<&T> {
    (!items.is_empty()).then(|| choice.get(items))
}

fn body_of(step: Step, earlier: &[Arc<Record>], sequence: u64) -> Option<RecordBody> {
    let penalties: Vec<(&Record, &Penalty)> = earlier
        .iter()
        .filter_map(|r| match &r.body {
            RecordBody::Penalty(p) => Some((r.as_ref(), p)),
            _ => None,
        })
        .collect();
    let listings: Vec<(&Record, &Listing)> = earlier
        .iter()
        .filter_map(|r| match &r.body {
            RecordBody::Listing(l) => Some((r.as_ref(), l)),
            _ => None,
        })
        .collect();
    let repairable: Vec<(&Record, NaiveDate)> = earlier
        .iter()
        .filter_map(|r| match &r.body {
            RecordBody::Penalty(p) => Some((r.as_ref(), p.decided_on)),
            RecordBody::Listing(l) => Some((r.as_ref(), l.listed_on)),
            _ => None,
        })
        .collect();
    let applications: Vec<(&Record, &RepairApplication)> = earlier
        .iter()
        .filter_map(|r| match &r.body {
            RecordBody::RepairApplication(a) => Some((r.as_ref(), a)),
            _ => None,
        })
        .collect();
    Some(match step {
        Step::Penalty(spec) => RecordBody::Penalty(penalty(&spec, sequence)),
        Step::Listing(spec) => RecordBody::Listing(listing(&spec, sequence)),
        Step::Correction { target, amendment, after_days } => {
            let (record, original) = pick(target, &penalties)?;
            let change = match amendment {
                None => CorrectionChange::Revocation,
                Some(spec) => CorrectionChange::Amendment(Penalty {
                    decision_number: original.decision_number.clone(),
                    decided_on: original.decided_on,
                    ..penalty(&spec, sequence)
                }),
            };
            RecordBody::PenaltyCorrection(PenaltyCorrection {
                penalty_record_id: record.id.clone(),
                change,
                ground: CorrectionGround::Reconsideration,
                decision_number: format!("C-{sequence}"),
                decided_on: original.decided_on + Days::new(after_days),
                reason: "复议决定".into(),
            })
        }
        Step::Removal { target, reason, after_days } => {
            let (record, listed) = pick(target, &listings)?;
            RecordBody::Removal(Removal {
                listing_record_id: record.id.clone(),
                reason,
                removed_on: listed.listed_on + Days::new(after_days),
                decision_number: format!("R-{sequence}"),
                explanation: "移出".into(),
            })
        }
        Step::Application { target, after_days } => {
            let (record, from) = pick(target, &repairable)?;
            RecordBody::RepairApplication(RepairApplication {
                target_record_id: record.id.clone(),
                applied_on: *from + Days::new(after_days),
                statement: "已整改".into(),
            })
        }
        Step::Decision { target, granted, after_days } => {
            let (record, application) = pick(target, &applications)?;
            RecordBody::RepairDecision(RepairDecision {
                application_record_id: record.id.clone(),
                outcome: if granted { RepairOutcome::Granted } else { RepairOutcome::Refused },
                decided_on: application.applied_on + Days::new(after_days),
                decision_number: format!("D-{sequence}"),
                reason: "审核".into(),
            })
        }
    })
}

/// A random evaluation date from six years before `today()` to three after.
fn evaluation_date() -> impl Strategy<Value = NaiveDate> {
    (-2200i64..1100).prop_map(|days| today() + Duration::days(days))
}

/// Fixed evaluation dates around the generated ones, plus `extra`.
fn evaluation_dates(extra: NaiveDate) -> [NaiveDate; 5] {
    [today(), today() - Days::new(400), today() - Days::new(3 * 365), today() + Days::new(200), extra]
}

/// A record's standing as plain data: id, status, public, ids that changed it.
type ViewSummary = (String, RecordStatus, bool, Vec<String>);

fn views(state: &EntityState<'_>) -> Vec<ViewSummary> {
    state
        .records
        .iter()
        .map(|v| (v.record.id.clone(), v.status, v.public, v.changed_by.iter().map(|r| r.id.clone()).collect()))
        .collect()
}

/// A measure as plain data: code, trigger ids, first and last day.
type MeasureSummary = (String, Vec<String>, NaiveDate, Option<NaiveDate>);

/// The government procurement decision as plain data.
fn procurement(state: &EntityState<'_>, on: NaiveDate) -> (Eligibility, bool, Vec<MeasureSummary>) {
    let decision = RULES.catalogue.decide(state, MeasureDomain::GovernmentProcurement, on);
    let measures = decision.measures.iter().map(|m| (m.measure.code.clone(), m.triggers.clone(), m.from, m.until)).collect();
    (decision.eligibility, decision.no_records, measures)
}

/// The positions where a ledger of `len` records is split into consecutive
/// batches, from 0 to `len`; repeated positions give empty batches.
fn split_points(cuts: &[Pick], len: usize) -> Vec<usize> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c.index(len + 1)).collect();
    points.extend([0, len]);
    points.sort_unstable();
    points
}

proptest! {
    // Failures are not persisted: a regression file would be written beside
    // this test; the failing case is printed instead.
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn batch_split_changes_neither_the_index_nor_the_answers(
        records in ledger(),
        cuts in vec(any::<Pick>(), 0..6),
        extra in evaluation_date(),
    ) {
        let head_after = |batch: &[Arc<Record>]| TreeHead {
            size: batch.last().map_or(0, |r| r.sequence),
            ..TreeHead::default()
        };
        // The index holds the facts' canonical bytes: what it gives back
        // must equal the facts that went in.
        let bytes: Vec<Vec<u8>> = records.iter().map(|r| creditregistry::ledger::encode(&r.facts())).collect();
        let facts: Vec<Arc<Record>> = records.iter().map(|r| Arc::new(r.facts())).collect();
        let indexed = |from: usize, to: usize| {
            (from..to)
                .map(|i| Indexed { uscc: records[i].uscc, sequence: records[i].sequence, bytes: &bytes[i] })
                .collect::<Vec<_>>()
        };
        let whole = Index::default();
        whole.apply(indexed(0, records.len()), head_after(&records));
        let split = Index::default();
        for batch in split_points(&cuts, records.len()).windows(2) {
            let part = &records[batch[0]..batch[1]];
            if !part.is_empty() {
                split.apply(indexed(batch[0], batch[1]), head_after(part));
            }
        }
        let all_at_once = whole.facts(&uscc()).expect("entity indexed");
        let in_batches = split.facts(&uscc()).expect("entity indexed");
        prop_assert_eq!(all_at_once.as_slice(), facts.as_slice());
        prop_assert_eq!(in_batches.as_slice(), facts.as_slice());
        prop_assert_eq!(split.head(), whole.head());
        for on in evaluation_dates(extra) {
            let a = fold(&all_at_once, None, on, &RULES);
            let b = fold(&in_batches, None, on, &RULES);
            prop_assert_eq!(views(&a), views(&b), "on {}", on);
            prop_assert_eq!(procurement(&a, on), procurement(&b, on), "on {}", on);
        }
    }

    #[test]
    fn facts_decide_as_the_whole_records_do(
        records in ledger(),
        extra in evaluation_date(),
    ) {
        let facts: Vec<Arc<Record>> = records.iter().map(|r| Arc::new(r.facts())).collect();
        prop_assert!(facts.iter().zip(&records).all(|(f, r)| f.id == r.id && f.sequence == r.sequence));
        for on in evaluation_dates(extra) {
            let whole = fold(&records, None, on, &RULES);
            let read = fold(&facts, None, on, &RULES);
            prop_assert_eq!(views(&whole), views(&read), "on {}", on);
            for domain in ALL_DOMAINS {
                let a = RULES.catalogue.decide(&whole, domain, on);
                let b = RULES.catalogue.decide(&read, domain, on);
                prop_assert_eq!(format!("{a:?}"), format!("{b:?}"), "{:?} on {}", domain, on);
            }
            prop_assert_eq!(RULES.supervision.assess(&whole, on), RULES.supervision.assess(&read, on), "on {}", on);
            prop_assert_eq!(
                RULES.catalogue.disclosed(&whole).iter().map(|v| v.record.id.as_str()).collect::<Vec<_>>(),
                RULES.catalogue.disclosed(&read).iter().map(|v| v.record.id.as_str()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn known_at_answers_as_if_later_records_did_not_exist(
        records in ledger(),
        cut in any::<Pick>(),
        between_commits in any::<bool>(),
        extra in evaluation_date(),
    ) {
        let k = cut.index(records.len()) + 1;
        let mut known_at = records[k - 1].recorded_at;
        if between_commits {
            known_at += Duration::milliseconds(500);
        }
        let earlier = &records[..k];
        for on in evaluation_dates(extra) {
            let then = fold(&records, Some(known_at), on, &RULES);
            let only_earlier = fold(earlier, None, on, &RULES);
            prop_assert_eq!(views(&then), views(&only_earlier), "k {} on {}", k, on);
            prop_assert_eq!(procurement(&then, on), procurement(&only_earlier, on), "k {} on {}", k, on);
        }
    }

    #[test]
    fn measures_rest_only_on_records_that_count(
        records in ledger(),
        extra in evaluation_date(),
    ) {
        for on in evaluation_dates(extra) {
            let state = fold(&records, None, on, &RULES);
            for v in &state.records {
                let counts = matches!(v.status, RecordStatus::InEffect | RecordStatus::Amended);
                prop_assert!(
                    !v.public || counts,
                    "{} is public with status {:?} on {}", v.record.id, v.status, on
                );
            }
            // What a procurement caller may read of this entity.
            let disclosed: Vec<&str> =
                RULES.catalogue.disclosed(&state).iter().map(|v| v.record.id.as_str()).collect();
            for domain in ALL_DOMAINS {
                let decision = RULES.catalogue.decide(&state, domain, on);
                prop_assert_eq!(decision.eligibility == Eligibility::Eligible, decision.measures.is_empty());
                for m in &decision.measures {
                    for id in &m.triggers {
                        let view = state.find(id);
                        prop_assert!(view.is_some(), "{} triggers {} but is unknown", id, m.measure.code);
                        let status = view.map(|v| v.status);
                        // Publication is not use: a penalty past its publicity
                        // still counts within a measure's own window; a
                        // repaired one only where the measure says so.
                        let usable = matches!(
                            status,
                            Some(RecordStatus::InEffect | RecordStatus::Amended | RecordStatus::PublicityEnded)
                        ) || (status == Some(RecordStatus::Repaired) && !m.measure.lifted_by_repair);
                        prop_assert!(usable, "{} triggers {} on {} with status {:?}", id, m.measure.code, on, status);
                        // No measure shown to a caller rests on a record that
                        // caller cannot read.
                        prop_assert!(
                            disclosed.contains(&id.as_str()),
                            "{} triggers {} on {} but a procurement caller cannot read it", id, m.measure.code, on
                        );
                    }
                }
            }
        }
    }
}
