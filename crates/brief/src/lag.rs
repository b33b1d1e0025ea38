//! Attribution lag, measured on the data: how much of what will be attributed is attributed yet.
//!
//! States and companies often name the State or State-affiliated author of an operation months or
//! years after it. A recent period therefore holds fewer incidents by such actors than it will,
//! and a fall against an older baseline may be attributions still to come. Where the sources date
//! their attribution claims (EuRepoC does, for each claim), the lag is measured: each incident
//! with a dated claim naming a State or State-affiliated actor gives one lag, the claim's day less
//! the incident's ([`LagSample`]). The incident's date must be known to its month; a claim known
//! only to its year or month counts at the middle of it (most of EuRepoC's claims are dated to a
//! year). On the four trackers the 53 incidents whose claim is known to the day and the 366 with
//! middle dates give shares public within 100, 200 and 365 days within 0.03 of each other.
//!
//! The share of attributions public within `d` days of an operation, F(d), is read only from the
//! incidents old enough to have had `d` days: among the samples whose incident lies at least `d`
//! days before the data's last day, the share with a lag of at most `d` (the usual estimator for
//! reporting delays under right truncation). A period's completeness is the mean of
//! F(as_of - t) over its days t up to as_of: the share of the attributions its operations will
//! get that are public by as_of, if incidents are spread evenly over the period and lags have not
//! changed over the years. The trend tests count incidents by State and State-affiliated actors
//! against each period's days times its completeness ([`crate::trends`]).
//!
//! The estimate is left out (and the briefing says only that such falls may be attributions
//! still to come) when fewer than [`MIN_LAGS`] samples are old enough for the longest delay it
//! needs. It is biased upwards for long delays: an old incident attributed only after the data's
//! last day gives no sample at all, so F(d) counts only the attributions made by then.

use threatscape_model::{DatedAttribution, FuzzyDate};

use crate::period::{format_day, fuzzy_span, Day, Period};

/// The fewest samples old enough for the longest delay an estimate needs.
pub const MIN_LAGS: usize = 30;

/// An incident dated to within this many days is precise enough to measure a lag from.
const PRECISE_DAYS: i64 = 31;

/// One incident's attribution lag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LagSample {
    /// The incident's first day (on the analysis's date basis).
    pub occurred: Day,
    /// Days from it to the first dated claim naming a State or State-affiliated actor (0 when
    /// the claim is dated earlier, as when the incident is dated by a later report, or a claim
    /// known to its year falls in it before the incident).
    pub lag: i64,
}

impl LagSample {
    /// The lag of an incident dated `incident`, from its `attributions` of which `state_linked`
    /// says whether the source's actor category is a State or State-affiliated one; each date
    /// counts at the middle of the days it may stand for. `None` when no such claim is dated, or
    /// the incident's date is known only to its year.
    pub fn of<'a>(
        incident: &FuzzyDate,
        attributions: impl IntoIterator<Item = &'a DatedAttribution>,
        state_linked: impl Fn(&str) -> bool,
    ) -> Option<LagSample> {
        let middle = |d: &FuzzyDate| {
            let (a, b) = fuzzy_span(d);
            (a + (b - a) / 2, b - a)
        };
        let (occurred, width) = middle(incident);
        if width >= PRECISE_DAYS {
            return None;
        }
        let claimed = attributions
            .into_iter()
            .filter(|a| a.category.as_deref().is_some_and(&state_linked))
            .map(|a| middle(&a.date).0)
            .min()?;
        Some(LagSample {
            occurred,
            lag: (claimed - occurred).max(0),
        })
    }
}

/// What the trend analysis tells of the attribution lag it allowed for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AttributionLag {
    /// The samples the estimate rests on (incidents with a dated State or State-affiliated
    /// attribution).
    pub samples: usize,
    /// The fewest days within which half the attributions are public, when the data shows it.
    pub half_within_days: Option<i64>,
    /// The day the data runs to (`YYYY-MM-DD`).
    pub as_of: String,
    /// The estimated share of the current period's eventual attributions public by then.
    pub current: f64,
    /// The same for the baseline.
    pub baseline: f64,
}

impl AttributionLag {
    /// The estimate for `period` against `baseline` from `samples`, the data running to `as_of`;
    /// `None` when too few samples are old enough, or a period has no day up to `as_of`.
    pub fn estimate(
        samples: &[LagSample],
        as_of: Day,
        period: &Period,
        baseline: &[Period],
    ) -> Option<AttributionLag> {
        let mut by_day = samples.to_vec();
        by_day.sort_by_key(|s| s.occurred);
        let share = Shares {
            by_day: &by_day,
            as_of,
        };
        let earliest = baseline
            .iter()
            .map(|p| p.start)
            .chain([period.start])
            .min()?;
        // Every delay the periods need must rest on enough samples.
        if share.eligible(as_of - earliest) < MIN_LAGS {
            return None;
        }
        let current = share.completeness(std::slice::from_ref(period))?;
        let base = share.completeness(baseline)?;
        let half_within_days = (0..=as_of - by_day.first()?.occurred)
            .take_while(|&d| share.eligible(d) >= MIN_LAGS)
            .find(|&d| share.within(d).is_some_and(|f| f >= 0.5));
        Some(AttributionLag {
            samples: samples.len(),
            half_within_days,
            as_of: format_day(as_of),
            current,
            baseline: base,
        })
    }

    /// The current period's completeness relative to the baseline's: the factor by which an
    /// unchanged rate of such incidents would show fewer of them now.
    pub fn current_weight(&self) -> f64 {
        self.current / self.baseline
    }
}

/// F(d) over samples sorted by day.
struct Shares<'a> {
    by_day: &'a [LagSample],
    as_of: Day,
}

impl Shares<'_> {
    /// The samples old enough to have had `delay` days.
    fn eligible(&self, delay: i64) -> usize {
        self.by_day
            .partition_point(|s| s.occurred <= self.as_of - delay)
    }

    /// The share of attributions public within `delay` days of an operation.
    fn within(&self, delay: i64) -> Option<f64> {
        let old = &self.by_day[..self.eligible(delay)];
        (!old.is_empty())
            .then(|| old.iter().filter(|s| s.lag <= delay).count() as f64 / old.len() as f64)
    }

    /// The mean of F(as_of - t) over the days t of `periods` up to `as_of`.
    fn completeness(&self, periods: &[Period]) -> Option<f64> {
        let (mut sum, mut days) = (0.0, 0u64);
        for p in periods {
            for t in p.start..=p.end.min(self.as_of) {
                sum += self.within(self.as_of - t)?;
                days += 1;
            }
        }
        (days > 0).then(|| sum / days as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::day_number;

    fn sample(occurred: Day, lag: i64) -> LagSample {
        LagSample { occurred, lag }
    }

    fn year(y: i32) -> Period {
        Period::year(y)
    }

    #[test]
    fn a_lag_is_read_from_the_first_dated_state_claim() {
        let date = |y, m, d| FuzzyDate {
            year: y,
            month: Some(m),
            day: d,
        };
        let claim = |c: &str, d| DatedAttribution {
            category: Some(c.to_string()),
            date: d,
        };
        let claims = [
            claim("Non-state-group", date(2020, 2, Some(1))),
            claim("State", date(2021, 1, Some(1))),
            claim("State", date(2020, 7, Some(1))),
        ];
        let state = |c: &str| c == "State";
        let s = LagSample::of(&date(2020, 1, Some(1)), &claims, state).unwrap();
        assert_eq!(s.occurred, day_number(2020, 1, 1));
        assert_eq!(s.lag, day_number(2020, 7, 1) - day_number(2020, 1, 1));
        // A claim dated before the incident's date counts as at once.
        let early = [claim("State", date(2019, 12, Some(1)))];
        assert_eq!(
            LagSample::of(&date(2020, 1, Some(1)), &early, state)
                .unwrap()
                .lag,
            0
        );
        // An incident known only to its year, or no State claim, gives no lag.
        let year_only = FuzzyDate {
            year: 2020,
            month: None,
            day: None,
        };
        assert!(LagSample::of(&year_only, &claims, state).is_none());
        assert!(LagSample::of(&date(2020, 1, Some(1)), &claims[..1], state).is_none());
        // A claim dated to its month or year counts at the middle of it, as does an incident
        // dated to its month.
        let monthly = [claim("State", date(2020, 3, None))];
        let s = LagSample::of(&date(2020, 1, Some(1)), &monthly, state).unwrap();
        assert_eq!(s.lag, day_number(2020, 3, 16) - day_number(2020, 1, 1));
        let yearly = [claim(
            "State",
            FuzzyDate {
                year: 2021,
                month: None,
                day: None,
            },
        )];
        let s = LagSample::of(&date(2020, 1, None), &yearly, state).unwrap();
        assert_eq!(s.occurred, day_number(2020, 1, 16));
        assert_eq!(s.lag, day_number(2021, 7, 2) - day_number(2020, 1, 16));
    }

    #[test]
    fn completeness_counts_only_what_old_enough_incidents_show() {
        // Every operation is attributed exactly a year after it: a period that ended more than a
        // year before the data's last day is complete, one that ends on it has had none yet.
        let as_of = day_number(2023, 12, 31);
        let samples: Vec<LagSample> = (0..2000)
            .map(|i| sample(day_number(2015, 1, 1) + i * 2, 365))
            .collect();
        let lag = AttributionLag::estimate(&samples, as_of, &year(2023), &[year(2021)]).unwrap();
        assert_eq!(lag.baseline, 1.0);
        // 2023: only 2023-01-01 (as_of - 364) is less than 365 days old... none is 365 old.
        assert_eq!(lag.current, 0.0);
        assert_eq!(lag.half_within_days, Some(365));
        assert_eq!(lag.samples, 2000);
        // Half of 2022 is within a year of as_of on 2023-06-30.
        let mid = day_number(2023, 6, 30);
        let l = AttributionLag::estimate(&samples, mid, &year(2022), &[year(2020)]).unwrap();
        let expected = (day_number(2022, 6, 30) - day_number(2022, 1, 1) + 1) as f64 / 365.0;
        assert!((l.current - expected).abs() < 1e-9, "{}", l.current);
        assert!((l.current_weight() - expected).abs() < 1e-9);
    }

    #[test]
    fn too_few_old_samples_give_no_estimate() {
        let as_of = day_number(2023, 12, 31);
        // Plenty of recent samples, 29 old enough for the 2021 baseline.
        let mut samples: Vec<LagSample> = (0..29)
            .map(|i| sample(day_number(2020, 1, 1) + i, 10))
            .collect();
        samples.extend((0..500).map(|i| sample(day_number(2023, 1, 1) + i % 300, 10)));
        assert!(AttributionLag::estimate(&samples, as_of, &year(2023), &[year(2021)]).is_none());
        samples.push(sample(day_number(2020, 6, 1), 10));
        assert!(AttributionLag::estimate(&samples, as_of, &year(2023), &[year(2021)]).is_some());
        // A period wholly after the data's last day has no completeness.
        assert!(AttributionLag::estimate(&samples, as_of, &year(2024), &[year(2021)]).is_none());
    }
}
