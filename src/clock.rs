//! Time as the registry sees it: UTC instants, and dates in the legal time
//! zone (UTC+8 by default), which decide what "today" and "in the future" mean.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

#[derive(Clone, Copy, Debug)]
pub struct Clock {
    offset: FixedOffset,
}

impl Clock {
    pub fn new(offset: FixedOffset) -> Clock {
        Clock { offset }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Today's date in the legal time zone.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.offset).date_naive()
    }
}
