//! Property tests: the calendar's opening and the ordering rules hold for any input.

use proptest::prelude::*;
use threatscape_debate::calendar::{in_new_york, OpeningRule};
use threatscape_debate::draw::draw_order;
use threatscape_debate::jiff::civil::{date, Date, Time};
use threatscape_debate::jiff::Span;
use threatscape_debate::{Calendar, Group, Level, SpeakersList};

use crate::{list, ny, reference, request};

/// Any day from 2024-01-08 to 2026-12-31 (the years with holiday data, a week in).
fn day() -> impl Strategy<Value = Date> {
    (0i64..1088).prop_map(|n| date(2024, 1, 8).checked_add(Span::new().days(n)).unwrap())
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::HeadOfStateOrGovernment),
        Just(Level::DeputyPrimeMinister),
        Just(Level::Minister),
        Just(Level::ViceMinister),
        Just(Level::PermanentRepresentative),
        Just(Level::Other),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_opening_is_n_working_days_before_and_every_other_day_is_explained(
        d in day(), n in 1u32..=12, hour in 8i8..=20
    ) {
        let cal = Calendar::of(reference());
        let meeting = in_new_york(d.at(hour, 0, 0, 0)).unwrap();
        let o = cal.list_opening(&meeting, OpeningRule { working_days: n, ..Default::default() }).unwrap();
        let opening_day = o.at.date();
        prop_assert!(cal.is_working_day(opening_day));
        prop_assert_eq!(o.at.time(), Time::constant(9, 30, 0, 0));
        prop_assert_eq!(o.at.time_zone().iana_name(), Some("America/New_York"));
        prop_assert!(o.at.timestamp() < meeting.timestamp());
        prop_assert_eq!(o.counted.len(), n as usize);
        prop_assert_eq!(o.counted.last().copied(), Some(opening_day));
        // Every day from the opening day up to the day before the meeting is counted or skipped,
        // exactly once, and skipped days are exactly the closed ones.
        let mut day = opening_day;
        let mut working = 0;
        while day < d {
            let counted = o.counted.contains(&day);
            let skipped = o.skipped.iter().find(|s| s.date == day);
            prop_assert!(counted != skipped.is_some(), "{} counted {} skipped {:?}", day, counted, skipped);
            prop_assert_eq!(skipped.map(|s| s.reason.clone()), cal.closure(day));
            working += usize::from(counted);
            day = day.tomorrow().unwrap();
        }
        prop_assert_eq!(working, n as usize);
    }

    #[test]
    fn a_later_meeting_never_opens_earlier_and_more_days_open_earlier(
        a in day(), b in day(), n in 1u32..=6
    ) {
        let cal = Calendar::of(reference());
        let at = |d: Date, n: u32| {
            let m = in_new_york(d.at(10, 0, 0, 0)).unwrap();
            cal.list_opening(&m, OpeningRule { working_days: n, ..Default::default() }).unwrap().at
        };
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(at(early, n) <= at(late, n));
        prop_assert!(at(a, n + 1) < at(a, n));
    }

    #[test]
    fn the_draw_is_a_permutation_fixed_by_its_seed(seed in any::<u64>()) {
        let council: Vec<String> = reference().council(2024).iter().map(|s| s.iso3.clone()).collect();
        let drawn = draw_order(&council, seed);
        let mut sorted = drawn.clone();
        sorted.sort();
        let mut expected = council.clone();
        expected.sort();
        prop_assert_eq!(sorted, expected);
        let mut reversed = council.clone();
        reversed.reverse();
        prop_assert_eq!(draw_order(&reversed, seed), drawn);
    }


    #[test]
    fn the_order_keeps_its_rules_for_any_inscriptions(
        members in proptest::sample::subsequence(
            vec!["CHN", "FRA", "RUS", "GBR", "USA", "ECU", "JPN", "MLT", "MOZ", "CHE", "DZA", "GUY", "KOR", "SLE", "SVN"], 0..=15),
        others in proptest::sample::subsequence(
            vec!["DEU", "EST", "ITA", "POL", "SGP", "BRA", "IND", "VAT", "PSE", "EU", "NGA", "MEX"], 0..=12),
        levels in proptest::collection::vec(level(), 27),
        shuffle in any::<u64>(),
        seed in proptest::option::of(any::<u64>()),
    ) {
        let (_, mut l) = list();
        let r = reference();
        let mut all: Vec<&str> = members.iter().chain(others.iter()).copied().collect();
        threatscape_debate::draw::shuffle(&mut all, shuffle);
        for (k, code) in all.iter().enumerate() {
            let at = ny("2024-06-14T10:00").checked_add(Span::new().seconds(k as i64)).unwrap();
            l.inscribe(r, request(code, levels[k], true), "eSpeakers", at).unwrap();
        }
        if let Some(seed) = seed {
            l.make_draw(seed, "Secretariat", ny("2024-06-19T12:00")).unwrap();
        }
        check_rules(&l);
        // The log alone reproduces the order.
        let again = SpeakersList::from_events(l.context().clone(), l.events().to_vec()).unwrap();
        prop_assert_eq!(again.order(), l.order());
    }
}

fn check_rules(l: &SpeakersList) {
    let order = l.order();
    let all = l.inscriptions();
    // Groups in order: briefers, members, others; positions 1..n.
    let groups: Vec<Group> = order.entries.iter().map(|e| e.group).collect();
    assert!(groups.windows(2).all(|w| w[0] <= w[1]), "{groups:?}");
    assert!(order
        .entries
        .iter()
        .enumerate()
        .all(|(k, e)| e.position == k + 1));
    let members: Vec<_> = order
        .entries
        .iter()
        .filter(|e| e.group == Group::CouncilMembers)
        .collect();
    // The presidency, if inscribed, is the last member.
    if let Some(k) = members
        .iter()
        .position(|e| e.code.as_deref() == Some("KOR"))
    {
        assert_eq!(k, members.len() - 1);
    }
    // Other members: protocol tier never goes down the list; within a tier, draw order.
    let rest: Vec<_> = members
        .iter()
        .filter(|e| e.code.as_deref() != Some("KOR"))
        .collect();
    for w in rest.windows(2) {
        let (a, b) = (w[0], w[1]);
        assert!(a.speaker.level.tier() <= b.speaker.level.tier());
        if a.speaker.level.tier() == b.speaker.level.tier() {
            let rank = |code: &str| order.draw.iter().position(|c| c == code);
            match (
                rank(a.code.as_deref().unwrap()),
                rank(b.code.as_deref().unwrap()),
            ) {
                (Some(x), Some(y)) => assert!(x < y),
                _ => assert!(
                    all[&a.inscription].complete_since <= all[&b.inscription].complete_since
                ),
            }
        }
    }
    // Others: tier never goes down; within a tier, time of inscription.
    let others: Vec<_> = order
        .entries
        .iter()
        .filter(|e| e.group == Group::OtherSpeakers)
        .collect();
    for w in others.windows(2) {
        let (a, b) = (w[0], w[1]);
        assert!(a.speaker.level.tier() <= b.speaker.level.tier());
        if a.speaker.level.tier() == b.speaker.level.tier() {
            assert!(all[&a.inscription].complete_since < all[&b.inscription].complete_since);
        }
    }
}
