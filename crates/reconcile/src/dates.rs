//! Dates as intervals of days, compared at the coarser of two precisions.
//!
//! A report's date is turned into one or more *anchors*: the start of the occurrence, its end (when
//! it is a real end, not before the start) and the disclosure date, each widened to the whole month
//! or year when that is all that is known. Two reports are as close as their closest pair of
//! anchors: trackers disagree on which date they record (first activity, discovery, publication),
//! so a report's start may meet another's end or disclosure.

use threatscape_model::{DatePrecision, FuzzyDate, Report};

/// The longest occurrence span whose inside counts as "the same time" (five years).
const MAX_SPAN_DAYS: i32 = 5 * 366;

/// A span of days (inclusive) and how precisely the date behind it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Anchor {
    pub(crate) lo: i32,
    pub(crate) hi: i32,
    pub(crate) precision: DatePrecision,
    pub(crate) date: FuzzyDate,
    /// For the anchor covering a whole campaign: its end (`date` is its start).
    pub(crate) span_end: Option<FuzzyDate>,
}

/// How two reports' dates compare at their closest anchors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateMatch {
    /// Days between the two anchors' intervals (0 when they overlap).
    pub(crate) gap: i32,
    /// The coarser precision of the two anchors.
    pub(crate) precision: DatePrecision,
    pub(crate) a: FuzzyDate,
    pub(crate) b: FuzzyDate,
    /// The span one side's date fell within, when that is how they met.
    pub(crate) within: Option<(FuzzyDate, FuzzyDate)>,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe as u32 * 365 + yoe as u32 / 4 - yoe as u32 / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn last_day(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Lowers the precision of dates that trackers write as placeholders: the 1st of January stands
/// for "some time that year" and the 1st of another month for "some time that month" in several
/// datasets (EuRepoC, DCID). A real incident on the 1st then still matches, at month precision.
pub(crate) fn unplaceholder(date: FuzzyDate, placeholders: bool) -> FuzzyDate {
    if !placeholders || date.day != Some(1) {
        return date;
    }
    match date.month {
        Some(1) => FuzzyDate::year(date.year),
        Some(m) => FuzzyDate::month(date.year, m).unwrap_or(date),
        None => date,
    }
}

/// The interval of days a date covers.
pub(crate) fn anchor(date: FuzzyDate) -> Anchor {
    let (lo, hi) = match (date.month, date.day) {
        (Some(m), Some(d)) => {
            let x = days_from_civil(date.year, m.into(), d.into());
            (x, x)
        }
        (Some(m), None) => (
            days_from_civil(date.year, m.into(), 1),
            days_from_civil(date.year, m.into(), last_day(date.year, m).into()),
        ),
        _ => (
            days_from_civil(date.year, 1, 1),
            days_from_civil(date.year, 12, 31),
        ),
    };
    Anchor {
        lo,
        hi,
        precision: date.precision(),
        date,
        span_end: None,
    }
}

/// A report's anchors: occurrence start, a genuine end, disclosure; the report date only when
/// nothing else is known.
pub(crate) fn anchors(report: &Report, placeholders: bool) -> Vec<Anchor> {
    let mut out = Vec::new();
    if let Some(span) = &report.occurred {
        let start = anchor(unplaceholder(span.start, placeholders));
        out.push(start);
        if let Some(end) = span.end {
            let end = anchor(unplaceholder(end, placeholders));
            if end.hi > start.hi {
                out.push(end);
            }
        }
    }
    // A campaign of up to five years also covers the days between its start and end, at the
    // coarsest precision: a disclosure inside it is compatible, but says little.
    if let (Some(first), Some(last)) = (out.first().copied(), out.get(1).copied()) {
        if last.hi - first.lo <= MAX_SPAN_DAYS {
            out.push(Anchor {
                lo: first.lo,
                hi: last.hi,
                precision: DatePrecision::Year,
                date: first.date,
                span_end: Some(last.date),
            });
        }
    }
    if let Some(d) = report.disclosed {
        out.push(anchor(unplaceholder(d, placeholders)));
    }
    if out.is_empty() {
        if let Some(d) = report.reported {
            out.push(anchor(unplaceholder(d, placeholders)));
        }
    }
    out.sort_by_key(|a| (a.lo, a.hi));
    out.dedup_by_key(|a| (a.lo, a.hi));
    out
}

/// The closest pair of anchors; ties go to the finer precision. None when either side is undated.
pub(crate) fn compare(a: &[Anchor], b: &[Anchor]) -> Option<DateMatch> {
    let mut best: Option<DateMatch> = None;
    for x in a {
        for y in b {
            let gap = (y.lo - x.hi).max(x.lo - y.hi).max(0);
            let precision = x.precision.min(y.precision);
            let better = match &best {
                None => true,
                Some(m) => gap < m.gap || (gap == m.gap && precision > m.precision),
            };
            if better {
                let within = match (x.span_end, y.span_end) {
                    (Some(end), _) => Some((x.date, end)),
                    (_, Some(end)) => Some((y.date, end)),
                    _ => None,
                };
                best = Some(DateMatch {
                    gap,
                    precision,
                    a: x.date,
                    b: y.date,
                    within,
                });
            }
        }
    }
    best
}

impl DateMatch {
    /// A score in [-1, 1] (1 within three days, -1 beyond four months): closer dates and finer precision score more; a year-only match scores
    /// little because a year holds many incidents.
    pub(crate) fn score(&self) -> f64 {
        let g = self.gap;
        match self.precision {
            DatePrecision::Day => match g {
                0..=3 => 1.0,
                4..=10 => 0.8,
                11..=31 => 0.5,
                32..=62 => 0.25,
                63..=120 => -0.3,
                _ => -1.0,
            },
            DatePrecision::Month => match g {
                0 => 0.55,
                1..=31 => 0.3,
                32..=62 => 0.1,
                63..=120 => -0.3,
                _ => -1.0,
            },
            DatePrecision::Year => match g {
                0 => 0.2,
                1..=120 => -0.2,
                _ => -1.0,
            },
        }
    }

    /// The evidence line, e.g. "same day 2017-06-27" or "5 days apart (2017-06-27, 2017-07-02)".
    pub(crate) fn describe(&self) -> String {
        if let Some((start, end)) = self.within {
            return if self.gap == 0 {
                format!("within the campaign {start}..{end}")
            } else {
                format!("{} days from the campaign {start}..{end}", self.gap)
            };
        }
        if self.gap == 0 {
            let coarser = if self.a.precision() <= self.b.precision() {
                self.a
            } else {
                self.b
            };
            let what = match self.precision {
                DatePrecision::Day => "same day",
                DatePrecision::Month => "same month",
                DatePrecision::Year => "same year",
            };
            if self.a == self.b {
                format!("{what} {coarser}")
            } else {
                format!("{what} {coarser} ({} ~ {})", self.a, self.b)
            }
        } else {
            format!("{} days apart ({}, {})", self.gap, self.a, self.b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> FuzzyDate {
        FuzzyDate::parse_iso(s).unwrap()
    }

    #[test]
    fn civil_days_are_consecutive() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
        assert_eq!(
            days_from_civil(2017, 7, 1) - days_from_civil(2017, 6, 27),
            4
        );
    }

    #[test]
    fn coarser_precision_wins_and_scores_lower() {
        let year = [anchor(d("2017"))];
        let day = [anchor(d("2017-06-27"))];
        let m = compare(&year, &day).unwrap();
        assert_eq!((m.gap, m.precision), (0, DatePrecision::Year));
        let same_day = compare(&day, &day).unwrap();
        assert!(same_day.score() > m.score());
        assert_eq!(same_day.describe(), "same day 2017-06-27");
        let other_year = [anchor(d("2015"))];
        assert!(compare(&other_year, &day).unwrap().gap > 500);
    }

    #[test]
    fn placeholders_become_coarser() {
        assert_eq!(unplaceholder(d("2017-01-01"), true), d("2017"));
        assert_eq!(unplaceholder(d("2017-06-01"), true), d("2017-06"));
        assert_eq!(unplaceholder(d("2017-06-01"), false), d("2017-06-01"));
        assert_eq!(unplaceholder(d("2017-06-27"), true), d("2017-06-27"));
    }
}
