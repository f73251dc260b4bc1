//! A realistic population seeded straight through the store's append path:
//! valid codes over real county-level division prefixes, and per entity a
//! mix of penalties, spot checks, listings with removals, repairs and
//! commendations, dated over the last years, each naming its party as
//! registered then (one entity in five renamed, on a day of the last two
//! years, with a spot check under each name). Every record passes the
//! admission rules in force.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Utc};

use creditregistry::domain::admission::check_body;
use creditregistry::domain::record::*;
use creditregistry::domain::rules::Rules;
use creditregistry::domain::uscc::Uscc;
use creditregistry::ledger;
use creditregistry::ledger::merkle::{Frontier, nodes_in};
use creditregistry::store::{Appended, LedgerStore, NewNodes, Store};
pub use creditregistry_testkit::population::{code, mix, name, name_of, renamed};
use creditregistry_testkit::records::AUTHORITY;

/// Records appended per transaction.
const BATCH: usize = 20_000;

/// What was seeded.
pub struct Seeded {
    pub entities: usize,
    pub records: u64,
    /// An entity with `HISTORY` records, for as-of checks.
    pub hot: Uscc,
}

/// Records of the entity with a long history.
pub const HISTORY: usize = 100;

/// Appends `entities` entities' records (plus one entity with `HISTORY`
/// records) to an empty store, checking each against `rules`; with
/// `named` false, as records were written before party names were kept.
pub async fn seed(store: &Store, entities: usize, rules: &Rules, named: bool) -> Result<Seeded, String> {
    let today = Utc::now().date_naive();
    let mut frontier = Frontier::default();
    let mut pending: Vec<Record> = Vec::with_capacity(BATCH + 8);
    let mut records = 0u64;
    let hot = code(entities);
    for i in 0..=entities {
        let bodies = if i == entities { history(i, today) } else { bodies(i, today) };
        let uscc = code(i);
        let mut ids: Vec<String> = Vec::new();
        for body in bodies {
            let mut body = body(&ids);
            let problems = check_body(&body, today, rules);
            if !problems.is_empty() {
                return Err(format!("seed record for entity {i} is invalid: {problems:?}"));
            }
            if !named {
                unname(&mut body);
            }
            let record = Record {
                id: uuid::Uuid::now_v7().to_string(),
                sequence: frontier.size() + pending.len() as u64 + 1,
                recorded_at: Utc::now(),
                uscc,
                authority: AUTHORITY.into(),
                actor: "bench-seed".into(),
                request_id: String::new(),
                body,
            };
            ids.push(record.id.clone());
            pending.push(record);
        }
        if pending.len() >= BATCH || i == entities {
            records += pending.len() as u64;
            append(store, &mut frontier, std::mem::take(&mut pending)).await?;
        }
    }
    Ok(Seeded { entities: entities + 1, records, hot })
}

async fn append(store: &Store, frontier: &mut Frontier, batch: Vec<Record>) -> Result<(), String> {
    let appended: Vec<Appended> = batch
        .into_iter()
        .map(|record| {
            let bytes = ledger::encode(&record);
            let leaf_hash = ledger::leaf_hash(&bytes);
            Appended { record: Arc::new(record), bytes, leaf_hash }
        })
        .collect();
    let mut nodes = NewNodes { first: nodes_in(frontier.size()), hashes: Vec::new() };
    for entry in &appended {
        frontier.push(entry.leaf_hash, &mut nodes.hashes);
    }
    store.ledger().append(&appended, &nodes).await.map_err(|e| e.to_string())
}

/// A record body that may refer to the entity's earlier records by id.
type Body = Box<dyn Fn(&[String]) -> RecordBody>;

fn days_before(today: NaiveDate, days: u64) -> NaiveDate {
    today - chrono::Days::new(days)
}

/// `body` as written before party names were kept: no party.
fn unname(body: &mut RecordBody) {
    match body {
        RecordBody::Penalty(p) => p.party = Party::default(),
        RecordBody::SpotCheck(s) => s.party = Party::default(),
        RecordBody::Commendation(c) => c.party = Party::default(),
        RecordBody::Listing(l) => l.party = Party::default(),
        RecordBody::Grade(g) => g.party = Party::default(),
        _ => {}
    }
}

/// The day entity `i` renamed, if it did: within the last two years.
fn renamed_on(i: usize, today: NaiveDate) -> NaiveDate {
    days_before(today, mix(i, 12) % 730)
}

/// The party entity `i`'s decision of `on` names: its first name before its
/// rename, if it renamed, its current name after.
fn party(i: usize, on: NaiveDate, today: NaiveDate) -> Party {
    let name = if renamed(i) && on < renamed_on(i, today) { name_of(i, 0) } else { name(i) };
    Party { name, legal_representative: String::new() }
}

fn penalty(i: usize, n: usize, decided_on: NaiveDate, severity: SeverityTier, fine_fen: i64, today: NaiveDate) -> Penalty {
    Penalty {
        decision_number: format!("沪市监处〔{}〕{i}-{n}号", decided_on.year()),
        category: [Category::ProductQuality, Category::FoodSafety, Category::Certification, Category::Metrology]
            [(mix(i, n as u64) % 4) as usize],
        severity,
        legal_basis: "《产品质量法》第四十九条".into(),
        fine_fen,
        sanctions: if severity == SeverityTier::Minor { vec![] } else { vec![Sanction::Confiscation] },
        decided_on,
        violation: "生产、销售不符合保障人体健康和人身、财产安全的国家标准的产品".into(),
        party: party(i, decided_on, today),
    }
}

/// An ordinary entity's records: the mix below, by `i`.
fn bodies(i: usize, today: NaiveDate) -> Vec<Body> {
    let roll = mix(i, 1) % 100;
    let ago = |salt: u64, span: u64| days_before(today, 1 + mix(i, salt) % span);
    let fine = 10_000 + (mix(i, 3) % 50) as i64 * 10_000;
    let mut out: Vec<Body> = Vec::new();
    match roll {
        0..45 => {
            let p = penalty(i, 0, ago(2, 1095), SeverityTier::General, fine, today);
            out.push(Box::new(move |_| RecordBody::Penalty(p.clone())));
        }
        45..55 => {
            let p = penalty(i, 0, ago(2, 1460), SeverityTier::Minor, 5_000, today);
            let q = penalty(i, 1, ago(4, 700), SeverityTier::Heavier, fine * 4, today);
            out.push(Box::new(move |_| RecordBody::Penalty(p.clone())));
            out.push(Box::new(move |_| RecordBody::Penalty(q.clone())));
        }
        55..75 => {
            let outcome = if mix(i, 5).is_multiple_of(4) { SpotCheckOutcome::Fail } else { SpotCheckOutcome::Pass };
            let checked_on = ago(7, 900);
            let s = SpotCheck {
                report_number: format!("SC-{i}"),
                category: Category::ProductQuality,
                product: "电线电缆".into(),
                product_class: "电线电缆".into(),
                batch: format!("B{}", mix(i, 6) % 10_000),
                outcome,
                checked_on,
                failed_items: if outcome == SpotCheckOutcome::Fail { vec!["导体电阻".into()] } else { vec![] },
                party: party(i, checked_on, today),
            };
            out.push(Box::new(move |_| RecordBody::SpotCheck(s.clone())));
        }
        75..83 => {
            let listed_on = ago(8, 700);
            out.push(Box::new(move |_| {
                RecordBody::Listing(Listing {
                    list_type: ListType::AbnormalOperations,
                    decision_number: format!("沪市监异〔{}〕{i}号", listed_on.year()),
                    grounds: "未按规定报送年度报告".into(),
                    abnormal_ground: Some(AbnormalGround::AnnualReportNotFiled),
                    listed_on,
                    planned_end: None,
                    legal_basis: "《市场监督管理严重违法失信名单管理办法》".into(),
                    penalty_record_id: None,
                    party: party(i, listed_on, today),
                    article: String::new(),
                })
            }));
            if roll.is_multiple_of(2) {
                let removed_on = today.min(listed_on + chrono::Days::new(30));
                out.push(Box::new(move |ids| {
                    RecordBody::Removal(Removal {
                        listing_record_id: ids[0].clone(),
                        reason: RemovalReason::Cured,
                        removed_on,
                        decision_number: format!("沪市监移〔{}〕{i}号", removed_on.year()),
                        explanation: "已补报年度报告".into(),
                    })
                }));
            }
        }
        83..86 => {
            let decided_on = ago(9, 600);
            let mut p = penalty(i, 0, decided_on, SeverityTier::Serious, 3_000_000, today);
            p.sanctions = vec![Sanction::Confiscation, Sanction::LicenceRevocation];
            out.push(Box::new(move |_| RecordBody::Penalty(p.clone())));
            let listed_on = today.min(decided_on + chrono::Days::new(10));
            out.push(Box::new(move |ids| {
                RecordBody::Listing(Listing {
                    list_type: ListType::SeriousIllegalDishonest,
                    decision_number: format!("沪市监严〔{}〕{i}号", listed_on.year()),
                    grounds: "受到较重行政处罚".into(),
                    abnormal_ground: None,
                    listed_on,
                    planned_end: Some(listed_on.checked_add_months(chrono::Months::new(36)).expect("a date")),
                    legal_basis: "《市场监督管理严重违法失信名单管理办法》第二条".into(),
                    penalty_record_id: Some(ids[0].clone()),
                    party: Party { legal_representative: "张三".into(), ..party(i, listed_on, today) },
                    article: String::new(),
                })
            }));
        }
        86..92 => {
            let decided_on = ago(10, 700) - chrono::Days::new(400);
            let p = penalty(i, 0, decided_on, SeverityTier::General, fine, today);
            out.push(Box::new(move |_| RecordBody::Penalty(p.clone())));
            let applied_on = decided_on + chrono::Days::new(380);
            out.push(Box::new(move |ids| {
                RecordBody::RepairApplication(RepairApplication {
                    target_record_id: ids[0].clone(),
                    applied_on,
                    statement: "已整改并履行处罚".into(),
                })
            }));
            let granted_on = today.min(applied_on + chrono::Days::new(15));
            out.push(Box::new(move |ids| {
                RecordBody::RepairDecision(RepairDecision {
                    application_record_id: ids[1].clone(),
                    outcome: RepairOutcome::Granted,
                    decided_on: granted_on,
                    decision_number: format!("沪市监修〔{}〕{i}号", granted_on.year()),
                    reason: "符合信用修复条件".into(),
                })
            }));
        }
        _ => {
            let awarded_on = ago(11, 1000);
            out.push(Box::new(move |_| {
                RecordBody::Commendation(Commendation {
                    decision_number: format!("沪质奖〔{}〕{i}号", awarded_on.year()),
                    kind: CommendationKind::GovernmentQualityAward,
                    title: "上海市质量金奖".into(),
                    awarded_on,
                    valid_until: None,
                    party: party(i, awarded_on, today),
                })
            }));
        }
    }
    if renamed(i) {
        // A company that renamed has a record under each name: the old one
        // before the rename, the new one on its day.
        let renamed_on = renamed_on(i, today);
        for (n, on) in [(1, renamed_on - chrono::Days::new(30)), (2, renamed_on)] {
            let s = SpotCheck {
                report_number: format!("SC-{i}-{n}"),
                category: Category::ProductQuality,
                product: "电线电缆".into(),
                product_class: "电线电缆".into(),
                batch: format!("R{n}"),
                outcome: SpotCheckOutcome::Pass,
                checked_on: on,
                failed_items: vec![],
                party: party(i, on, today),
            };
            out.push(Box::new(move |_| RecordBody::SpotCheck(s.clone())));
        }
    }
    out
}

/// The long-history entity: `HISTORY` minor penalties over four years.
fn history(i: usize, today: NaiveDate) -> Vec<Body> {
    (0..HISTORY)
        .map(|n| {
            let on = days_before(today, 1 + (n as u64 * 14) % 1400);
            let p = Penalty { party: party(i, on, today), ..penalty(usize::MAX / 2, n, on, SeverityTier::Minor, 5_000, today) };
            Box::new(move |_: &[String]| RecordBody::Penalty(p.clone())) as Body
        })
        .collect()
}
