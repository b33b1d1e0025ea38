//! Periods (a month, a quarter, a year, or a from/to range of days), baselines to compare them
//! with, and how an incident's date, known to a year, a month or a day, falls in them.

use std::fmt;
use std::str::FromStr;

use threatscape_model::FuzzyDate;

use crate::BriefError;

/// A calendar day as a count of days since 1970-01-01.
pub type Day = i64;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm).
pub fn day_number(year: i32, month: u8, day: u8) -> Day {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub fn civil(day: Day) -> (i32, u8, u8) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_day(day: Day) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The first and last day a fuzzy date may stand for.
pub fn fuzzy_span(date: &FuzzyDate) -> (Day, Day) {
    match (date.month, date.day) {
        (Some(m), Some(d)) => {
            let n = day_number(date.year, m, d);
            (n, n)
        }
        (Some(m), None) => {
            let first = day_number(date.year, m, 1);
            let next = if m == 12 {
                day_number(date.year + 1, 1, 1)
            } else {
                day_number(date.year, m + 1, 1)
            };
            (first, next - 1)
        }
        _ => (
            day_number(date.year, 1, 1),
            day_number(date.year + 1, 1, 1) - 1,
        ),
    }
}

/// What a period is, which decides how it shifts to make a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
    /// Any run of days.
    Range,
}

/// A period of days, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Period {
    /// How it was given: `2023-06`, `2023-Q2`, `2023`, `2023-01-01..2023-03-31`.
    pub label: String,
    /// Its kind.
    pub kind: PeriodKind,
    /// The first day.
    pub start: Day,
    /// The last day.
    pub end: Day,
}

impl Period {
    /// A calendar month.
    pub fn month(year: i32, month: u8) -> Period {
        let (start, end) = fuzzy_span(&FuzzyDate::month(year, month.clamp(1, 12)).expect("1-12"));
        Period {
            label: format!("{year:04}-{month:02}"),
            kind: PeriodKind::Month,
            start,
            end,
        }
    }

    /// A calendar quarter (1-4).
    pub fn quarter(year: i32, quarter: u8) -> Period {
        let q = quarter.clamp(1, 4);
        let first = 3 * (q - 1) + 1;
        let start = day_number(year, first, 1);
        let end = fuzzy_span(&FuzzyDate::month(year, first + 2).expect("1-12")).1;
        Period {
            label: format!("{year:04}-Q{q}"),
            kind: PeriodKind::Quarter,
            start,
            end,
        }
    }

    /// A calendar year.
    pub fn year(year: i32) -> Period {
        let (start, end) = fuzzy_span(&FuzzyDate::year(year));
        Period {
            label: format!("{year:04}"),
            kind: PeriodKind::Year,
            start,
            end,
        }
    }

    /// Days from `start` to `end`, both included.
    pub fn range(start: Day, end: Day) -> Period {
        Period {
            label: format!("{}..{}", format_day(start), format_day(end)),
            kind: PeriodKind::Range,
            start,
            end,
        }
    }

    /// How many days it holds: the exposure rates are measured against.
    pub fn days(&self) -> f64 {
        (self.end - self.start + 1) as f64
    }

    /// Whether the day is inside.
    pub fn contains(&self, day: Day) -> bool {
        (self.start..=self.end).contains(&day)
    }

    /// The period `n` units earlier (units of its kind; a range moves by its own length).
    pub fn shifted_back(&self, n: i64) -> Period {
        let (y, m, _) = civil(self.start);
        match self.kind {
            PeriodKind::Month => {
                let idx = i64::from(y) * 12 + i64::from(m) - 1 - n;
                Period::month(idx.div_euclid(12) as i32, (idx.rem_euclid(12) + 1) as u8)
            }
            PeriodKind::Quarter => {
                let idx = i64::from(y) * 4 + i64::from((m - 1) / 3) - n;
                Period::quarter(idx.div_euclid(4) as i32, (idx.rem_euclid(4) + 1) as u8)
            }
            PeriodKind::Year => Period::year(y - n as i32),
            PeriodKind::Range => {
                let len = self.end - self.start + 1;
                Period::range(self.start - n * len, self.end - n * len)
            }
        }
    }

    /// The same days one year earlier (a range keeps its month and day; 29 February becomes 28).
    pub fn year_ago(&self) -> Period {
        match self.kind {
            PeriodKind::Month => self.shifted_back(12),
            PeriodKind::Quarter => self.shifted_back(4),
            PeriodKind::Year => self.shifted_back(1),
            PeriodKind::Range => {
                let back = |d: Day| {
                    let (y, m, dd) = civil(d);
                    let dd = if m == 2 && dd == 29 { 28 } else { dd };
                    day_number(y - 1, m, dd)
                };
                Period::range(back(self.start), back(self.end))
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

impl FromStr for Period {
    type Err = BriefError;

    /// Accepts `2023`, `2023-Q2`, `2023-06`, and `2023-01-15..2023-03-31` (also `/` or ` to `).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| BriefError::Period {
            given: s.to_string(),
            why: why.to_string(),
        };
        let t = s.trim();
        for sep in ["..", "/", " to "] {
            if let Some((a, b)) = t.split_once(sep) {
                let from = FuzzyDate::parse_iso(a).ok_or_else(|| bad("the start is not a date"))?;
                let to = FuzzyDate::parse_iso(b).ok_or_else(|| bad("the end is not a date"))?;
                let (start, end) = (fuzzy_span(&from).0, fuzzy_span(&to).1);
                if end < start {
                    return Err(bad("the end comes before the start"));
                }
                return Ok(Period::range(start, end));
            }
        }
        if let Some((y, q)) = t
            .split_once(['-', ' '])
            .filter(|(_, q)| q.starts_with(['Q', 'q']))
        {
            let year: i32 = y.parse().map_err(|_| bad("the year is not a number"))?;
            let q: u8 = q[1..].parse().map_err(|_| bad("the quarter is not 1-4"))?;
            if !(1..=4).contains(&q) {
                return Err(bad("the quarter is not 1-4"));
            }
            return Ok(Period::quarter(year, q));
        }
        match FuzzyDate::parse_iso(t) {
            Some(d) if d.day.is_none() => Ok(match d.month {
                Some(m) => Period::month(d.year, m),
                None => Period::year(d.year),
            }),
            Some(d) => {
                let (a, b) = fuzzy_span(&d);
                Ok(Period::range(a, b))
            }
            None => Err(bad(
                "use a year (2023), a quarter (2023-Q2), a month (2023-06) or a range (2023-01-01..2023-03-31)",
            )),
        }
    }
}

/// What the current period is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "periods")]
pub enum Baseline {
    /// The period just before.
    Previous,
    /// The same period a year before (removes seasonality).
    YearAgo,
    /// The N periods just before, pooled.
    Trailing(u32),
}

impl Baseline {
    /// The baseline's periods for a current period, oldest first.
    pub fn periods(&self, current: &Period) -> Vec<Period> {
        match *self {
            Baseline::Previous => vec![current.shifted_back(1)],
            Baseline::YearAgo => vec![current.year_ago()],
            Baseline::Trailing(n) => (1..=i64::from(n.max(1)))
                .rev()
                .map(|k| current.shifted_back(k))
                .collect(),
        }
    }

    /// A short description: "the previous period", "the same period a year before", "the 4 previous periods".
    pub fn describe(&self) -> String {
        match self {
            Baseline::Previous => "the previous period".into(),
            Baseline::YearAgo => "the same period a year before".into(),
            Baseline::Trailing(n) => format!("the {n} previous periods, pooled"),
        }
    }
}

impl FromStr for Baseline {
    type Err = BriefError;

    /// Accepts `previous`, `year-ago`, `trailing:N`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "previous" | "prev" => Ok(Baseline::Previous),
            "year-ago" | "yearago" | "year_ago" => Ok(Baseline::YearAgo),
            _ => match t.strip_prefix("trailing:").map(str::parse::<u32>) {
                Some(Ok(n)) if n >= 1 => Ok(Baseline::Trailing(n)),
                _ => Err(BriefError::Baseline(s.to_string())),
            },
        }
    }
}

/// Where a date falls relative to a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Every day it may stand for is inside.
    Inside,
    /// It is too coarse to say (a year-only date against a quarter that lies within that year).
    Imprecise,
    /// It is outside.
    Outside,
}

/// Where a fuzzy date falls relative to a period.
pub fn place(date: &FuzzyDate, period: &Period) -> Placement {
    let (a, b) = fuzzy_span(date);
    if a >= period.start && b <= period.end {
        Placement::Inside
    } else if b < period.start || a > period.end {
        Placement::Outside
    } else {
        Placement::Imprecise
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number(1970, 1, 1), 0);
        assert_eq!(day_number(2000, 3, 1), 11_017);
        for d in [-1000, 0, 11_016, 19_358, 20_000] {
            let (y, m, dd) = civil(d);
            assert_eq!(day_number(y, m, dd), d);
        }
    }

    #[test]
    fn periods_parse_and_shift() {
        let q: Period = "2023-Q2".parse().unwrap();
        assert_eq!(format_day(q.start), "2023-04-01");
        assert_eq!(format_day(q.end), "2023-06-30");
        assert_eq!(q.days(), 91.0);
        assert_eq!(q.shifted_back(1).label, "2023-Q1");
        assert_eq!(q.shifted_back(2).label, "2022-Q4");
        assert_eq!(q.year_ago().label, "2022-Q2");
        let m: Period = "2023-01".parse().unwrap();
        assert_eq!(m.shifted_back(1).label, "2022-12");
        let y: Period = "2022".parse().unwrap();
        assert_eq!(y.days(), 365.0);
        let r: Period = "2023-01-10..2023-01-19".parse().unwrap();
        assert_eq!(r.days(), 10.0);
        assert_eq!(format_day(r.shifted_back(1).start), "2022-12-31");
        assert!("2023-Q5".parse::<Period>().is_err());
        assert!("soon".parse::<Period>().is_err());
        let t = Baseline::Trailing(4).periods(&q);
        assert_eq!(
            t.iter().map(|p| p.label.as_str()).collect::<Vec<_>>(),
            ["2022-Q2", "2022-Q3", "2022-Q4", "2023-Q1"]
        );
        assert_eq!(
            "trailing:4".parse::<Baseline>().unwrap(),
            Baseline::Trailing(4)
        );
        assert!("trailing:0".parse::<Baseline>().is_err());
    }

    #[test]
    fn dates_are_placed_at_their_precision() {
        let q: Period = "2023-Q2".parse().unwrap();
        let d = |s: &str| FuzzyDate::parse_iso(s).unwrap();
        assert_eq!(place(&d("2023-05"), &q), Placement::Inside);
        assert_eq!(place(&d("2023-04-01"), &q), Placement::Inside);
        assert_eq!(place(&d("2023"), &q), Placement::Imprecise);
        assert_eq!(place(&d("2023-07-01"), &q), Placement::Outside);
        assert_eq!(place(&d("2023"), &Period::year(2023)), Placement::Inside);
    }
}
