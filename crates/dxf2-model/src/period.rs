//! DHIS2 periods. (Being written: see the period helper task.)

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::ModelError;

/// A DHIS2 period type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodType {
    /// `Daily`.
    Daily,
    /// `Weekly` (Monday).
    Weekly,
}

/// A period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    period_type: PeriodType,
    start: NaiveDate,
}

impl Period {
    /// The type.
    pub fn period_type(&self) -> PeriodType {
        self.period_type
    }
    /// First day.
    pub fn start_date(&self) -> NaiveDate {
        self.start
    }
}

impl FromStr for Period {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Err(ModelError::InvalidPeriod {
            input: s.to_owned(),
            reason: "not yet".into(),
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}{}", self.period_type, self.start)
    }
}
