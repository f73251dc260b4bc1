//! The wire reader: required fields, enum values, and dates and instants in
//! the ranges protobuf and the registry accept, each problem a `Violation`
//! naming its field; and dates and instants written back.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::FromWireEnum;
use crate::domain::Violation;
use crate::domain::uscc::Uscc;
use crate::proto::google::r#type::Date as WireDate;

pub fn date_to_wire(date: NaiveDate) -> WireDate {
    WireDate { year: date.year(), month: date.month() as i32, day: date.day() as i32 }
}

pub fn timestamp_to_wire(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: t.timestamp(), nanos: t.timestamp_subsec_nanos() as i32 }
}

/// A wire instant in protobuf's own range (google/protobuf/timestamp.proto):
/// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, nanos in
/// 0..=999_999_999 (chrono alone would take years 0 and 10000 and a leap
/// second's nanos, which protobuf's JSON mapping cannot render).
pub fn timestamp_from_wire(w: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    const MIN_SECONDS: i64 = -62_135_596_800;
    const MAX_SECONDS: i64 = 253_402_300_799;
    let nanos = u32::try_from(w.nanos).ok().filter(|n| *n <= 999_999_999)?;
    (MIN_SECONDS..=MAX_SECONDS).contains(&w.seconds).then(|| DateTime::from_timestamp(w.seconds, nanos)).flatten()
}

/// Reads wire values, collecting a violation for each field that is wrong.
#[derive(Default)]
pub struct WireReader {
    pub violations: Vec<Violation>,
}

impl WireReader {
    pub(super) fn fail(&mut self, field: String, description: impl Into<String>) {
        self.violations.push(Violation::new(field, description));
    }

    /// A required enum: unset and unknown values are violations.
    pub fn enumeration<T: FromWireEnum>(&mut self, field: &str, value: i32) -> Option<T> {
        let parsed = T::from_wire(value);
        if parsed.is_none() {
            let description = if value == 0 { "is required".to_string() } else { format!("{value} is not a known value") };
            self.fail(field.into(), description);
        }
        parsed
    }

    /// An optional enum: unset is `None`, unknown values are violations.
    pub fn optional_enumeration<T: FromWireEnum>(&mut self, field: &str, value: i32) -> Option<T> {
        if value == 0 { None } else { self.enumeration(field, value) }
    }

    pub fn date(&mut self, field: &str, value: Option<&WireDate>) -> Option<NaiveDate> {
        match value {
            None => {
                self.fail(field.into(), "is required");
                None
            }
            Some(w) => self.date_value(field, w),
        }
    }

    pub fn optional_date(&mut self, field: &str, value: Option<&WireDate>) -> Option<NaiveDate> {
        value.and_then(|w| self.date_value(field, w))
    }

    fn date_value(&mut self, field: &str, w: &WireDate) -> Option<NaiveDate> {
        let parsed = u32::try_from(w.month)
            .ok()
            .zip(u32::try_from(w.day).ok())
            .and_then(|(m, d)| NaiveDate::from_ymd_opt(w.year, m, d))
            .filter(|_| (1..=9999).contains(&w.year));
        if parsed.is_none() {
            self.fail(field.into(), format!("{:04}-{:02}-{:02} is not a valid calendar date", w.year, w.month, w.day));
        }
        parsed
    }

    /// An optional instant: unset is `None`, one outside protobuf's range a
    /// violation. Every `Timestamp` of every request is read here.
    pub fn optional_timestamp(&mut self, field: &str, value: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
        let w = value?;
        let parsed = timestamp_from_wire(w);
        if parsed.is_none() {
            self.fail(
                field.into(),
                format!(
                    "{} s {} ns is not a valid timestamp: it must lie in 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z with nanos in 0..=999999999",
                    w.seconds, w.nanos
                ),
            );
        }
        parsed
    }

    /// `known_at`: an optional instant that must be before `now`, since
    /// what the registry knows at a later instant is not yet fixed.
    pub fn known_at(&mut self, value: Option<&prost_types::Timestamp>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let instant = self.optional_timestamp("known_at", value)?;
        if instant >= now {
            self.fail(
                "known_at".into(),
                format!(
                    "{} is not in the past (the registry's time is {}): what the registry knows at a future instant is not yet fixed",
                    instant.to_rfc3339(),
                    now.to_rfc3339()
                ),
            );
        }
        Some(instant)
    }

    /// A caller's idempotency key: empty, or up to 128 printable ASCII
    /// characters without spaces.
    pub fn request_id(&mut self, field: &str, value: &str) {
        const MAX_LEN: usize = 128;
        if value.len() > MAX_LEN || !value.chars().all(|c| c.is_ascii_graphic()) {
            self.fail(field.into(), format!("must be at most {MAX_LEN} printable ASCII characters without spaces"));
        }
    }

    /// A required message.
    pub fn message<'m, T>(&mut self, field: &str, value: Option<&'m T>) -> Option<&'m T> {
        if value.is_none() {
            self.fail(field.into(), "is required");
        }
        value
    }

    /// An administrative-division prefix (GB/T 2260): up to six digits,
    /// possibly none.
    pub fn region_prefix(&mut self, field: &str, value: &str) -> Option<String> {
        if value.len() <= 6 && value.bytes().all(|b| b.is_ascii_digit()) {
            return Some(value.to_string());
        }
        self.fail(field.into(), format!("'{value}' is not an administrative-division prefix (up to 6 digits, e.g. \"3101\")"));
        None
    }

    pub fn uscc(&mut self, field: &str, value: &str) -> Option<Uscc> {
        match Uscc::parse(value) {
            Ok(u) => Some(u),
            Err(e) => {
                self.fail(field.into(), e.to_string());
                None
            }
        }
    }

    /// Finishes reading: the value, or every violation found.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<Violation>> {
        match value {
            Some(v) if self.violations.is_empty() => Ok(v),
            _ => Err(self.violations),
        }
    }
}
