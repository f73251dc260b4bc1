//! The records tests write: codes, dates in the registry's time zone,
//! and the requests of the record kinds, filled in so that they pass the
//! admission rules unless a test changes them.

use chrono::{Datelike, FixedOffset, Utc};

use creditregistry::proto::google::r#type::Date;
use creditregistry::proto::pb;

/// The authority the enforcement tokens act for.
pub const AUTHORITY: &str = "SAMR-310115";
/// Another authority, of another city.
pub const OTHER_AUTHORITY: &str = "SAMR-340600";
/// Real codes that pass both checks.
pub const CODES: [&str; 6] = [
    "91110000600037341L",
    "121200004013590816",
    "91310115MA1K3BTP2B",
    "91340600MA2PBM9HXD",
    "92340602MA2PBMEM24",
    "91230100128025258G",
];

/// Today in UTC+8, the registry's legal time zone.
pub fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap()).date_naive()
}

/// `d` on the wire.
pub fn date(d: chrono::NaiveDate) -> Option<Date> {
    Some(Date { year: d.year(), month: d.month() as i32, day: d.day() as i32 })
}

/// The day `n` days before today (UTC+8).
pub fn days_ago(n: i64) -> chrono::NaiveDate {
    today() - chrono::Duration::days(n)
}

/// The party name the record builders write (当事人名称).
pub const PARTY_NAME: &str = "上海示例质量科技有限公司";

/// A general product-quality penalty on `PARTY_NAME`, decided 30 days ago,
/// with a confiscation and a fine of `fine_fen` fen.
pub fn penalty(decision_number: &str, fine_fen: i64) -> pb::Penalty {
    pb::Penalty {
        decision_number: decision_number.into(),
        category: pb::Category::ProductQuality as i32,
        severity: pb::SeverityTier::General as i32,
        legal_basis: "《产品质量法》第四十九条".into(),
        fine_fen,
        sanctions: vec![pb::Sanction::Confiscation as i32],
        decided_on: date(days_ago(30)),
        violation: "生产不符合保障人体健康的国家标准的产品".into(),
        party_name: PARTY_NAME.into(),
        legal_representative: "张三".into(),
    }
}

/// A request to record `penalty` on `uscc`; an empty `request_id` asks for
/// no idempotency.
pub fn penalty_request(request_id: &str, uscc: &str, penalty: pb::Penalty) -> pb::RecordPenaltyRequest {
    pb::RecordPenaltyRequest { request_id: request_id.into(), uscc: uscc.into(), penalty: Some(penalty) }
}

/// A listing of `list_type` from `listed_on`, ending on `planned_end`
/// (open-ended when `None`), on `PARTY_NAME`, with the grounds its list
/// requires.
pub fn listing(
    list_type: pb::ListType,
    decision_number: &str,
    listed_on: chrono::NaiveDate,
    planned_end: Option<chrono::NaiveDate>,
) -> pb::Listing {
    pb::Listing {
        list_type: list_type as i32,
        decision_number: decision_number.into(),
        grounds: "grounds".into(),
        abnormal_ground: if list_type == pb::ListType::AbnormalOperations {
            pb::AbnormalGround::AnnualReportNotFiled as i32
        } else {
            0
        },
        listed_on: date(listed_on),
        planned_end: planned_end.and_then(date),
        legal_basis: "basis".into(),
        penalty_record_id: String::new(),
        legal_representative: String::new(),
        party_name: PARTY_NAME.into(),
        article: if list_type == pb::ListType::BiddingDisqualification {
            "招标投标法第五十四条".into()
        } else {
            String::new()
        },
    }
}

/// An amendment (变更) of a penalty on reconsideration, decided on `on`.
pub fn amendment(
    penalty_record_id: &str,
    amended: pb::Penalty,
    on: chrono::NaiveDate,
    number: &str,
) -> pb::CorrectPenaltyRequest {
    pb::CorrectPenaltyRequest {
        request_id: String::new(),
        correction: Some(pb::PenaltyCorrection {
            penalty_record_id: penalty_record_id.into(),
            r#type: pb::CorrectionType::Amendment as i32,
            ground: pb::CorrectionGround::Reconsideration as i32,
            decision_number: number.into(),
            decided_on: date(on),
            amended_penalty: Some(amended),
            reason: "变更".into(),
        }),
    }
}

/// A revocation (撤销) of a penalty on reconsideration, decided `days` ago.
pub fn revocation(penalty_record_id: &str, decision_number: &str, days: i64) -> pb::CorrectPenaltyRequest {
    pb::CorrectPenaltyRequest {
        request_id: String::new(),
        correction: Some(pb::PenaltyCorrection {
            penalty_record_id: penalty_record_id.into(),
            r#type: pb::CorrectionType::Revocation as i32,
            ground: pb::CorrectionGround::Reconsideration as i32,
            decision_number: decision_number.into(),
            decided_on: date(days_ago(days)),
            amended_penalty: None,
            reason: "复议撤销".into(),
        }),
    }
}

/// CNY in fen.
pub const fn cny(yuan: i64) -> i64 {
    yuan * 100
}

/// A valid code of administrative division `region` (6 digits) numbered `n`.
pub fn code_in(region: &str, n: u32) -> String {
    creditregistry::domain::uscc::Uscc::complete(&format!("91{region}{n:08}")).unwrap().to_string()
}

/// The day `months` months before today (UTC+8).
pub fn months_ago(months: u32) -> chrono::NaiveDate {
    today().checked_sub_months(chrono::Months::new(months)).unwrap()
}

/// A removal of the listing `listing_record_id` for `reason` on `removed_on`.
pub fn removal(listing_record_id: &str, reason: pb::RemovalReason, removed_on: chrono::NaiveDate) -> pb::RemoveListingRequest {
    pb::RemoveListingRequest {
        request_id: String::new(),
        removal: Some(pb::Removal {
            listing_record_id: listing_record_id.into(),
            reason: reason as i32,
            removed_on: date(removed_on),
            decision_number: "移出〔2026〕1号".into(),
            explanation: "移出决定".into(),
        }),
    }
}
