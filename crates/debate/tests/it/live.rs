//! Running the meeting: floor, timer, overrun, suspension across days, totals, replay.

use threatscape_debate::jiff::SignedDuration;
use threatscape_debate::live::{LiveChange, Phase};
use threatscape_debate::{Level, Live, LiveError, SpeakingOrder};

use crate::{briefer, list, ny, reference, request};

fn order() -> SpeakingOrder {
    let (_, mut l) = list();
    let r = reference();
    l.inscribe(
        r,
        briefer("Mr. António Guterres"),
        "Secretariat",
        ny("2024-06-13T10:00"),
    )
    .unwrap();
    for (k, code) in ["USA", "DEU", "EST"].iter().enumerate() {
        let at = ny(&format!("2024-06-14T10:0{k}"));
        l.inscribe(
            r,
            request(code, Level::PermanentRepresentative, true),
            "eSpeakers",
            at,
        )
        .unwrap();
    }
    l.order()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

#[test]
fn a_meeting_from_opening_to_closing() {
    let order = order();
    let mut live = Live::new(mins(3));
    assert_eq!(
        live.call_next(&order, ny("2024-06-20T09:59")),
        Err(LiveError::NotOpened)
    );
    live.open(ny("2024-06-20T10:00")).unwrap();

    // The briefer: 2 min 30 s, within the limit.
    let first = live
        .call_next(&order, ny("2024-06-20T10:05"))
        .unwrap()
        .unwrap();
    assert_eq!(first.name, "Mr. António Guterres");
    assert_eq!(
        live.next_up(&order).unwrap().name,
        "United States of America"
    );
    live.start(ny("2024-06-20T10:05:10")).unwrap();
    let c = live.countdown(ny("2024-06-20T10:06:10")).unwrap();
    assert_eq!(
        (c.elapsed, c.remaining, c.overrun),
        (mins(1), mins(2), false)
    );
    let rec = live.stop(ny("2024-06-20T10:07:40")).unwrap().clone();
    assert_eq!(rec.duration, SignedDuration::from_secs(150));
    assert_eq!(rec.overrun, SignedDuration::ZERO);

    // The United States: 3 min 45 s, 45 s over; the countdown shows the overrun.
    live.call_next(&order, ny("2024-06-20T10:08")).unwrap();
    live.start(ny("2024-06-20T10:08")).unwrap();
    let c = live.countdown(ny("2024-06-20T10:11:10")).unwrap();
    assert!(c.overrun);
    assert_eq!(c.remaining, SignedDuration::from_secs(-10));
    assert_eq!(
        live.suspend(ny("2024-06-20T10:11:30")),
        Err(LiveError::Speaking("United States of America".into()))
    );
    let rec = live.stop(ny("2024-06-20T10:11:45")).unwrap().clone();
    assert_eq!(rec.overrun, SignedDuration::from_secs(45));

    // Germany is called but absent: passed over when Estonia is called.
    live.call_next(&order, ny("2024-06-20T10:12")).unwrap();
    let estonia = live
        .call_next(&order, ny("2024-06-20T10:12:30"))
        .unwrap()
        .unwrap();
    assert_eq!(estonia.name, "Estonia");
    live.start(ny("2024-06-20T10:12:40")).unwrap();
    live.stop(ny("2024-06-20T10:14:40")).unwrap();
    assert_eq!(
        live.call_next(&order, ny("2024-06-20T10:15")).unwrap(),
        None,
        "only the absent speaker is left"
    );

    // Suspended at 13:00, resumed the next morning; Germany is called again by number.
    live.suspend(ny("2024-06-20T13:00")).unwrap();
    assert_eq!(live.phase(), Phase::Suspended);
    assert_eq!(
        live.start(ny("2024-06-20T13:01")),
        Err(LiveError::Suspended)
    );
    live.resume(ny("2024-06-21T10:00")).unwrap();
    let germany = order
        .entries
        .iter()
        .find(|e| e.name == "Germany")
        .unwrap()
        .inscription;
    live.call(&order, germany, ny("2024-06-21T10:01")).unwrap();
    live.start(ny("2024-06-21T10:01")).unwrap();
    live.stop(ny("2024-06-21T10:04")).unwrap();
    live.close(ny("2024-06-21T10:05")).unwrap();
    assert_eq!(
        live.call_next(&order, ny("2024-06-21T10:06")),
        Err(LiveError::Closed)
    );

    let t = live.totals(ny("2024-06-21T12:00"));
    assert_eq!(t.statements, 4);
    assert_eq!(
        t.speaking_time,
        SignedDuration::from_secs(150 + 225 + 120 + 180)
    );
    assert_eq!(t.overruns, 1);
    assert_eq!(t.overrun_time, SignedDuration::from_secs(45));
    assert_eq!(t.longest.unwrap().1, SignedDuration::from_secs(225));
    assert_eq!(t.sittings, 2);
    assert_eq!(t.sitting_time, mins(3 * 60 + 5));
    assert_eq!(t.suspended_time, mins(21 * 60));
    assert!(t.passed_over.is_empty(), "Germany was heard in the end");
    assert!(live.remaining(&order).is_empty());

    // The log rebuilds the same state.
    let replayed = Live::replay(mins(3), live.events().to_vec()).unwrap();
    assert_eq!(replayed, live);
    let json = serde_json::to_string(live.events()).unwrap();
    assert!(json.contains(r#""type":"call""#), "{json}");
}

#[test]
fn steps_out_of_turn_are_refused_and_change_nothing() {
    let order = order();
    let mut live = Live::new(mins(3));
    live.open(ny("2024-06-20T10:00")).unwrap();
    assert_eq!(
        live.open(ny("2024-06-20T10:00")),
        Err(LiveError::AlreadyOpened)
    );
    assert_eq!(
        live.start(ny("2024-06-20T10:01")),
        Err(LiveError::NobodyCalled)
    );
    assert_eq!(
        live.stop(ny("2024-06-20T10:01")).unwrap_err(),
        LiveError::NotSpeaking
    );
    assert_eq!(
        live.resume(ny("2024-06-20T10:01")),
        Err(LiveError::NotSuspended)
    );
    assert_eq!(
        live.call(&order, 999, ny("2024-06-20T10:01")),
        Err(LiveError::NotOnList(999))
    );
    live.call_next(&order, ny("2024-06-20T10:02")).unwrap();
    live.start(ny("2024-06-20T10:02")).unwrap();
    assert!(matches!(
        live.start(ny("2024-06-20T10:03")),
        Err(LiveError::Speaking(_))
    ));
    assert!(matches!(
        live.call_next(&order, ny("2024-06-20T10:03")),
        Err(LiveError::Speaking(_))
    ));
    assert!(matches!(
        live.stop(ny("2024-06-20T10:01")),
        Err(LiveError::OutOfOrder { .. })
    ));
    assert_eq!(live.events().len(), 3);
    assert!(Live::replay(
        mins(3),
        [threatscape_debate::live::LiveEvent {
            at: ny("2024-06-20T10:00"),
            change: LiveChange::Start
        }]
    )
    .is_err());
}

#[test]
fn a_suspension_while_called_passes_the_speaker_over() {
    let order = order();
    let mut live = Live::new(mins(3));
    live.open(ny("2024-06-20T10:00")).unwrap();
    let e = live
        .call_next(&order, ny("2024-06-20T10:01"))
        .unwrap()
        .unwrap();
    live.suspend(ny("2024-06-20T10:02")).unwrap();
    let t = live.totals(ny("2024-06-20T10:12"));
    assert_eq!(t.passed_over, [e.inscription]);
    assert_eq!(t.suspended_time, mins(10));
    assert_eq!(t.sitting_time, mins(2));
}
