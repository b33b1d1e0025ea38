//! The opening of the list against the 2024 UN Headquarters holiday calendar.

use threatscape_debate::calendar::{in_new_york, Calendar, Caveat, OpeningRule};
use threatscape_debate::jiff::civil::{date, Time};
use threatscape_debate::jiff::SignedDuration;
use threatscape_debate::reference::{Holiday, HolidayKind, Provenance, Verified};
use threatscape_debate::Opening;

use crate::reference;

fn opening(meeting: &str, rule: OpeningRule) -> Opening {
    let m = in_new_york(meeting.parse().unwrap()).unwrap();
    Calendar::of(reference()).list_opening(&m, rule).unwrap()
}

/// Checks the opening (RFC 9557) and the skipped days with their reasons.
fn check(meeting: &str, expected_at: &str, expected_skipped: &[(&str, &str)]) -> Opening {
    let o = opening(meeting, OpeningRule::default());
    assert_eq!(
        o.at.to_string(),
        expected_at,
        "opening of a meeting at {meeting}"
    );
    let skipped: Vec<(String, String)> = o
        .skipped
        .iter()
        .map(|s| (s.date.to_string(), s.reason.to_string()))
        .collect();
    let expected: Vec<(String, String)> = expected_skipped
        .iter()
        .map(|(d, r)| (d.to_string(), r.to_string()))
        .collect();
    assert_eq!(skipped, expected, "skipped days before {meeting}");
    o
}

const SAT: &str = "Saturday (weekend)";
const SUN: &str = "Sunday (weekend)";

#[test]
fn the_june_2024_cyber_open_debate() {
    // Thu 20 June: Wed 19 and Tue 18 count, Mon 17 is Eid al-Adha, Fri 14 is the third.
    let o = check(
        "2024-06-20T10:00",
        "2024-06-14T09:30:00-04:00[America/New_York]",
        &[
            (
                "2024-06-17",
                "Eid al-Adha (official UN Headquarters holiday)",
            ),
            ("2024-06-16", SUN),
            ("2024-06-15", SAT),
        ],
    );
    assert_eq!(
        o.counted,
        [date(2024, 6, 19), date(2024, 6, 18), date(2024, 6, 14)]
    );
    assert!(o.caveats.is_empty());
}

#[test]
fn good_friday_next_to_a_weekend() {
    check(
        "2024-04-02T10:00",
        "2024-03-27T09:30:00-04:00[America/New_York]",
        &[
            ("2024-03-31", SUN),
            ("2024-03-30", SAT),
            (
                "2024-03-29",
                "Good Friday (official UN Headquarters holiday)",
            ),
        ],
    );
}

#[test]
fn memorial_day_monday_next_to_a_weekend() {
    check(
        "2024-05-29T10:00",
        "2024-05-23T09:30:00-04:00[America/New_York]",
        &[
            (
                "2024-05-27",
                "Memorial Day (official UN Headquarters holiday)",
            ),
            ("2024-05-26", SUN),
            ("2024-05-25", SAT),
        ],
    );
}

#[test]
fn labour_day_then_a_weekend() {
    check(
        "2024-09-04T15:00",
        "2024-08-29T09:30:00-04:00[America/New_York]",
        &[
            (
                "2024-09-02",
                "Labour Day (official UN Headquarters holiday)",
            ),
            ("2024-09-01", SUN),
            ("2024-08-31", SAT),
        ],
    );
}

#[test]
fn a_monday_meeting_counts_back_over_the_weekend() {
    check(
        "2024-09-09T10:00",
        "2024-09-04T09:30:00-04:00[America/New_York]",
        &[("2024-09-08", SUN), ("2024-09-07", SAT)],
    );
}

#[test]
fn a_monday_meeting_after_independence_day() {
    check(
        "2024-07-08T10:00",
        "2024-07-02T09:30:00-04:00[America/New_York]",
        &[
            ("2024-07-07", SUN),
            ("2024-07-06", SAT),
            (
                "2024-07-04",
                "Independence Day (official UN Headquarters holiday)",
            ),
        ],
    );
}

#[test]
fn a_monday_meeting_after_thanksgiving_in_standard_time() {
    // The Friday after Thanksgiving is a working day at Headquarters.
    check(
        "2024-12-02T10:00",
        "2024-11-26T09:30:00-05:00[America/New_York]",
        &[
            ("2024-12-01", SUN),
            ("2024-11-30", SAT),
            (
                "2024-11-28",
                "Thanksgiving Day (official UN Headquarters holiday)",
            ),
        ],
    );
}

#[test]
fn christmas() {
    check(
        "2024-12-27T10:00",
        "2024-12-23T09:30:00-05:00[America/New_York]",
        &[(
            "2024-12-25",
            "Christmas Day (official UN Headquarters holiday)",
        )],
    );
}

#[test]
fn daylight_saving_time_starts_between_opening_and_meeting() {
    // Clocks went forward on Sunday 10 March 2024: the opening is in EST, the meeting in EDT.
    let o = check(
        "2024-03-11T10:00",
        "2024-03-06T09:30:00-05:00[America/New_York]",
        &[("2024-03-10", SUN), ("2024-03-09", SAT)],
    );
    assert_eq!(
        o.meeting.to_string(),
        "2024-03-11T10:00:00-04:00[America/New_York]"
    );
    // 5 days and half an hour on the wall clock, less the hour lost.
    let elapsed = o.meeting.timestamp().duration_since(o.at.timestamp());
    assert_eq!(elapsed, SignedDuration::from_mins(5 * 24 * 60 + 30 - 60));
}

#[test]
fn daylight_saving_time_ends_between_opening_and_meeting() {
    // Clocks went back on Sunday 3 November 2024.
    let o = check(
        "2024-11-05T10:00",
        "2024-10-31T09:30:00-04:00[America/New_York]",
        &[("2024-11-03", SUN), ("2024-11-02", SAT)],
    );
    let elapsed = o.meeting.timestamp().duration_since(o.at.timestamp());
    // 5 days and half an hour on the wall clock, plus the hour repeated.
    assert_eq!(elapsed, SignedDuration::from_mins(5 * 24 * 60 + 30 + 60));
}

#[test]
fn new_year_reaches_into_a_year_without_holiday_data() {
    let o = check(
        "2024-01-04T10:00",
        "2023-12-29T09:30:00-05:00[America/New_York]",
        &[
            (
                "2024-01-01",
                "New Year's Day (official UN Headquarters holiday)",
            ),
            ("2023-12-31", SUN),
            ("2023-12-30", SAT),
        ],
    );
    assert_eq!(o.caveats, [Caveat::YearNotCovered { year: 2023 }]);
    assert!(o.caveats[0]
        .to_string()
        .contains("add its holidays to un-holidays.csv"));
}

#[test]
fn an_estimated_holiday_is_flagged() {
    let o = check(
        "2025-04-01T10:00",
        "2025-03-26T09:30:00-04:00[America/New_York]",
        &[
            (
                "2025-03-31",
                "Eid al-Fitr (official UN Headquarters holiday; date uncertain, to confirm)",
            ),
            ("2025-03-30", SUN),
            ("2025-03-29", SAT),
        ],
    );
    assert!(matches!(
        &o.caveats[..],
        [Caveat::UnverifiedHoliday {
            verified: Verified::Uncertain,
            ..
        }]
    ));
}

#[test]
fn other_counts_and_times() {
    let rule = OpeningRule {
        working_days: 1,
        time: Time::constant(10, 0, 0, 0),
    };
    let o = opening("2024-06-24T10:00", rule);
    assert_eq!(
        o.at.to_string(),
        "2024-06-21T10:00:00-04:00[America/New_York]"
    );
    let rule = OpeningRule {
        working_days: 5,
        ..Default::default()
    };
    let o = opening("2024-06-20T10:00", rule);
    assert_eq!(o.at.date(), date(2024, 6, 12));
}

#[test]
fn a_meeting_on_a_holiday_is_computed_and_flagged() {
    let o = opening("2024-06-17T10:00", OpeningRule::default());
    assert_eq!(o.at.date(), date(2024, 6, 12));
    assert!(matches!(o.caveats[0], Caveat::MeetingOnClosedDay { .. }));
}

fn holiday(d: (i16, i8, i8), name: &str, kind: HolidayKind) -> Holiday {
    Holiday {
        date: date(d.0, d.1, d.2),
        name: name.into(),
        kind,
        note: None,
        provenance: Provenance {
            verified: Verified::Yes,
            verified_note: None,
            source: "test".into(),
            location: "test:1".into(),
        },
    }
}

#[test]
fn floating_holidays_are_working_days() {
    let cal = Calendar::new([
        holiday((2024, 6, 19), "A floating holiday", HolidayKind::Floating),
        holiday((2024, 6, 17), "Eid al-Adha", HolidayKind::Official),
    ]);
    assert!(cal.is_working_day(date(2024, 6, 19)));
    assert!(!cal.is_working_day(date(2024, 6, 17)));
    let m = in_new_york("2024-06-20T10:00".parse().unwrap()).unwrap();
    let o = cal.list_opening(&m, OpeningRule::default()).unwrap();
    assert_eq!(o.at.date(), date(2024, 6, 14));
    assert!(o.skipped.iter().all(|s| s.date != date(2024, 6, 19)));
}

#[test]
fn working_days_between_dates() {
    let cal = Calendar::of(reference());
    let days = cal.working_days_between(date(2024, 6, 14), date(2024, 6, 20));
    assert_eq!(
        days,
        [
            date(2024, 6, 14),
            date(2024, 6, 18),
            date(2024, 6, 19),
            date(2024, 6, 20)
        ]
    );
}

#[test]
fn the_opening_serialises_with_zone_and_reasons() {
    let o = opening("2024-06-20T10:00", OpeningRule::default());
    let v = serde_json::to_value(&o).unwrap();
    assert_eq!(v["at"], "2024-06-14T09:30:00-04:00[America/New_York]");
    assert_eq!(v["skipped"][0]["reason"]["kind"], "holiday");
    assert_eq!(v["skipped"][0]["reason"]["verified"], "yes");
    let back: Opening = serde_json::from_value(v).unwrap();
    assert_eq!(back, o);
}
