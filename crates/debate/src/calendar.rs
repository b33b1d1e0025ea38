//! Working days at UN Headquarters and the opening of the list of speakers.
//!
//! A working day is Monday to Friday except an official holiday (a closure). Floating holidays are
//! listed in the data but do not close Headquarters, so they are working days. Every date and time
//! here is in New York (`America/New_York`, from the time-zone database bundled with the program so
//! results do not depend on the machine).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};

use crate::reference::{Holiday, HolidayKind, Reference, Verified};

/// The zone of Headquarters.
pub const NEW_YORK: &str = "America/New_York";

/// The most working days the opening rule may count back (a year's worth).
pub const MAX_WORKING_DAYS: u32 = 260;

/// The time zone of Headquarters, from the bundled database.
pub fn new_york() -> TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        TimeZoneDatabase::bundled()
            .get(NEW_YORK)
            .expect("the bundled time-zone database has America/New_York")
    })
    .clone()
}

/// A New York wall-clock date and time as a zoned value.
///
/// A time that does not exist (the hour skipped when daylight saving time starts) is moved forward
/// and an ambiguous one (the hour repeated when it ends) takes the earlier offset, as Temporal's
/// "compatible" rule does; meetings and openings are never at those hours in practice.
pub fn in_new_york(dt: DateTime) -> Result<ZonedDateTime, CalendarError> {
    new_york()
        .to_ambiguous_zoned_datetime(dt)
        .compatible()
        .map_err(|e| CalendarError::OutOfRange(e.to_string()))
}

/// A timestamp shown in New York.
pub fn at_new_york(ts: Timestamp) -> ZonedDateTime {
    ts.to_zoned_datetime(new_york())
}

/// Why a day is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Reason {
    /// Saturday or Sunday.
    Weekend {
        /// "Saturday" or "Sunday".
        weekday: String,
    },
    /// An official holiday: Headquarters is closed.
    Holiday {
        /// Its name, e.g. "Eid al-Adha".
        name: String,
        /// How sure the date is (2025-2026 dates are estimates in the shipped data).
        verified: Verified,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Weekend { weekday } => write!(f, "{weekday} (weekend)"),
            Reason::Holiday {
                name,
                verified: Verified::Yes,
            } => {
                write!(f, "{name} (official UN Headquarters holiday)")
            }
            Reason::Holiday { name, verified } => write!(
                f,
                "{name} (official UN Headquarters holiday; date {verified}, to confirm)"
            ),
        }
    }
}

/// A day passed over when counting working days, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedDay {
    /// The day.
    pub date: Date,
    /// Weekend or holiday.
    pub reason: Reason,
}

/// Something the reader of an opening should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Caveat {
    /// The count went through a year with no holidays in the data: any holiday of it is unknown.
    YearNotCovered {
        /// The year.
        year: i16,
    },
    /// A holiday that moved the opening is not verified against the UN circular.
    UnverifiedHoliday {
        /// The day.
        date: Date,
        /// The holiday.
        name: String,
        /// Its flag.
        verified: Verified,
    },
    /// The meeting itself falls on a day Headquarters is closed.
    MeetingOnClosedDay {
        /// Why it is closed.
        reason: Reason,
    },
}

impl fmt::Display for Caveat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Caveat::YearNotCovered { year } => write!(
                f,
                "the holiday calendar has no holidays for {year}: only weekends were skipped in {year}; add its holidays to un-holidays.csv"
            ),
            Caveat::UnverifiedHoliday { date, name, verified } => write!(
                f,
                "{name} on {date} is {verified} in the holiday calendar: confirm it against the UN circular"
            ),
            Caveat::MeetingOnClosedDay { reason } => {
                write!(f, "the meeting day itself is not a working day: {reason}")
            }
        }
    }
}

/// When the list opens: `working_days` working days before the meeting day, at `time` in New York.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningRule {
    /// How many working days before the meeting day (3 by default).
    pub working_days: u32,
    /// The wall-clock time in New York (09:30 by default).
    pub time: Time,
}

impl Default for OpeningRule {
    fn default() -> Self {
        OpeningRule {
            working_days: 3,
            time: Time::constant(9, 30, 0, 0),
        }
    }
}

/// The opening of a list of speakers, with the reasoning behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    /// The meeting's start, in New York.
    pub meeting: ZonedDateTime,
    /// When the list opens, in New York.
    pub at: ZonedDateTime,
    /// The rule applied.
    pub rule: OpeningRule,
    /// The working days counted, nearest to the meeting first; the last is the opening day.
    pub counted: Vec<Date>,
    /// Every day between the opening day and the meeting day that was not counted, latest first.
    pub skipped: Vec<SkippedDay>,
    /// What to double-check.
    pub caveats: Vec<Caveat>,
}

impl Opening {
    /// Whether the list is open at `now`.
    pub fn is_open(&self, now: Timestamp) -> bool {
        now >= self.at.timestamp()
    }
}

/// A calendar question that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The rule asks for no working day, or too many.
    #[error("working days must be between 1 and {MAX_WORKING_DAYS}, not {0}")]
    WorkingDays(u32),
    /// A date out of the representable range.
    #[error("date out of range: {0}")]
    OutOfRange(String),
}

/// The working-day calendar of UN Headquarters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    closures: BTreeMap<Date, Holiday>,
    floating: BTreeMap<Date, Holiday>,
    covered_years: BTreeSet<i16>,
}

impl Calendar {
    /// The working-day calendar of Headquarters built from the reference data's holidays.
    pub fn of(reference: &Reference) -> Calendar {
        Calendar::new(reference.holidays.iter().cloned())
    }

    /// A calendar from holiday rows (official ones close Headquarters; floating ones do not).
    pub fn new(holidays: impl IntoIterator<Item = Holiday>) -> Calendar {
        let mut c = Calendar::default();
        for h in holidays {
            c.covered_years.insert(h.date.year());
            match h.kind {
                HolidayKind::Official => c.closures.insert(h.date, h),
                HolidayKind::Floating => c.floating.insert(h.date, h),
            };
        }
        c
    }

    /// The years for which the calendar lists holidays.
    pub fn covered_years(&self) -> &BTreeSet<i16> {
        &self.covered_years
    }

    /// The official holidays (closures), by date.
    pub fn closures(&self) -> impl Iterator<Item = &Holiday> {
        self.closures.values()
    }

    /// `None` for a working day, or why Headquarters is closed. A weekend holiday is a weekend.
    pub fn closure(&self, date: Date) -> Option<Reason> {
        match date.weekday() {
            Weekday::Saturday => Some(Reason::Weekend {
                weekday: "Saturday".into(),
            }),
            Weekday::Sunday => Some(Reason::Weekend {
                weekday: "Sunday".into(),
            }),
            _ => self.closures.get(&date).map(|h| Reason::Holiday {
                name: h.name.clone(),
                verified: h.provenance.verified,
            }),
        }
    }

    /// Whether `date` is a working day at Headquarters.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.closure(date).is_none()
    }

    /// The opening of the list of speakers for a meeting starting at `meeting` (any zone; it is
    /// read in New York): `rule.working_days` working days before the meeting day, at `rule.time`.
    pub fn list_opening(
        &self,
        meeting: &ZonedDateTime,
        rule: OpeningRule,
    ) -> Result<Opening, CalendarError> {
        if !(1..=MAX_WORKING_DAYS).contains(&rule.working_days) {
            return Err(CalendarError::WorkingDays(rule.working_days));
        }
        let meeting = meeting.with_time_zone(new_york());
        let mut caveats = Vec::new();
        let mut uncovered = BTreeSet::new();
        let meeting_day = meeting.date();
        if let Some(reason) = self.closure(meeting_day) {
            caveats.push(Caveat::MeetingOnClosedDay { reason });
        }
        let mut counted = Vec::new();
        let mut skipped = Vec::new();
        let mut day = meeting_day;
        while counted.len() < rule.working_days as usize {
            day = day
                .yesterday()
                .map_err(|e| CalendarError::OutOfRange(e.to_string()))?;
            if !self.covered_years.contains(&day.year()) {
                uncovered.insert(day.year());
            }
            match self.closure(day) {
                None => counted.push(day),
                Some(reason) => {
                    if let Reason::Holiday { name, verified } = &reason {
                        if *verified != Verified::Yes {
                            caveats.push(Caveat::UnverifiedHoliday {
                                date: day,
                                name: name.clone(),
                                verified: *verified,
                            });
                        }
                    }
                    skipped.push(SkippedDay { date: day, reason });
                }
            }
        }
        caveats.extend(
            uncovered
                .into_iter()
                .map(|year| Caveat::YearNotCovered { year }),
        );
        let at = in_new_york(day.to_datetime(rule.time))?;
        Ok(Opening {
            meeting,
            at,
            rule,
            counted,
            skipped,
            caveats,
        })
    }

    /// The working days from `from` to `to`, both included.
    pub fn working_days_between(&self, from: Date, to: Date) -> Vec<Date> {
        from.series(jiff::Span::new().days(1))
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> Calendar {
        Calendar::of(&Reference::embedded())
    }

    fn opening(y: i16, m: i8, d: i8) -> Opening {
        let meeting = in_new_york(date(y, m, d).at(10, 0, 0, 0)).unwrap();
        cal()
            .list_opening(&meeting, OpeningRule::default())
            .unwrap()
    }

    #[test]
    fn june_2024_open_debate_opens_before_eid() {
        // 20 June 2024 (Thu): Wed 19, Tue 18 count; Mon 17 is Eid al-Adha; Sun, Sat; Fri 14 counts.
        let o = opening(2024, 6, 20);
        assert_eq!(
            o.at.to_string(),
            "2024-06-14T09:30:00-04:00[America/New_York]"
        );
        let skipped: Vec<_> = o
            .skipped
            .iter()
            .map(|s| (s.date.to_string(), s.reason.to_string()))
            .collect();
        assert_eq!(
            skipped,
            [
                (
                    "2024-06-17".into(),
                    "Eid al-Adha (official UN Headquarters holiday)".into()
                ),
                ("2024-06-16".into(), "Sunday (weekend)".into()),
                ("2024-06-15".into(), "Saturday (weekend)".into()),
            ]
        );
        assert!(o.caveats.is_empty());
    }

    #[test]
    fn zero_working_days_is_refused() {
        let meeting = in_new_york(date(2024, 6, 20).at(10, 0, 0, 0)).unwrap();
        let rule = OpeningRule {
            working_days: 0,
            ..Default::default()
        };
        assert_eq!(
            cal().list_opening(&meeting, rule),
            Err(CalendarError::WorkingDays(0))
        );
    }

    #[test]
    fn a_meeting_in_another_zone_is_read_in_new_york() {
        // 01:00 UTC on 18 June is 21:00 on 17 June in New York.
        let meeting: ZonedDateTime = "2024-06-18T01:00:00+00:00[UTC]".parse().unwrap();
        let o = cal()
            .list_opening(&meeting, OpeningRule::default())
            .unwrap();
        assert_eq!(o.meeting.date(), date(2024, 6, 17));
        assert!(matches!(o.caveats[0], Caveat::MeetingOnClosedDay { .. }));
    }
}
