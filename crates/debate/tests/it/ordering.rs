//! One test per rule of the speaking order.

use threatscape_debate::draw::draw_order;
use threatscape_debate::{Group, Level, ListError, Placement, SpeakersList};

use crate::{briefer, list, ny, reference, request};

/// Inscribes each (code, level) a minute apart from 10:00 on 14 June 2024; returns the ids.
fn inscribe_all(l: &mut SpeakersList, who: &[(&str, Level)]) -> Vec<u32> {
    let r = reference();
    who.iter()
        .enumerate()
        .map(|(k, (code, level))| {
            let at = ny(&format!("2024-06-14T10:{k:02}"));
            l.inscribe(r, request(code, *level, true), "eSpeakers", at)
                .unwrap()
                .inscription
        })
        .collect()
}

fn codes(l: &SpeakersList) -> Vec<String> {
    l.order()
        .entries
        .iter()
        .map(|e| e.code.clone().unwrap_or_else(|| e.name.clone()))
        .collect()
}

const PR: Level = Level::PermanentRepresentative;

#[test]
fn briefers_speak_first_in_order_of_inscription() {
    let (_, mut l) = list();
    inscribe_all(&mut l, &[("DEU", PR), ("FRA", PR)]);
    let r = reference();
    l.inscribe(
        r,
        briefer("Ms. Second"),
        "Secretariat",
        ny("2024-06-14T11:00"),
    )
    .unwrap();
    l.inscribe(
        r,
        briefer("Mr. Third"),
        "Secretariat",
        ny("2024-06-14T11:01"),
    )
    .unwrap();
    let order = l.order();
    let names: Vec<_> = order.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Ms. Second", "Mr. Third", "France", "Germany"]);
    assert_eq!(order.entries[0].group, Group::Briefers);
    assert!(order.entries[0].reasons[0].starts_with("rule 39 briefer"));
}

#[test]
fn council_members_follow_the_recorded_draw() {
    let (m, mut l) = list();
    // Five members at the same level, none of them the presidency (KOR).
    inscribe_all(
        &mut l,
        &[
            ("USA", PR),
            ("CHN", PR),
            ("MLT", PR),
            ("JPN", PR),
            ("DZA", PR),
        ],
    );
    assert!(l.order().is_provisional());
    assert_eq!(
        codes(&l),
        ["USA", "CHN", "MLT", "JPN", "DZA"],
        "before the draw: order of inscription"
    );
    l.make_draw(20240620, "Secretariat", ny("2024-06-19T15:00"))
        .unwrap();
    let drawn = draw_order(&m.council, 20240620);
    let expected: Vec<String> = drawn
        .iter()
        .filter(|c| ["USA", "CHN", "MLT", "JPN", "DZA"].contains(&c.as_str()))
        .cloned()
        .collect();
    assert_eq!(codes(&l), expected);
    let order = l.order();
    assert_eq!(order.seed, Some(20240620));
    assert_eq!(order.draw, drawn);
    assert!(
        order.entries[0].reasons[0].contains("(seed 20240620)"),
        "{:?}",
        order.entries[0].reasons
    );
    // The draw is made once.
    let e = l
        .make_draw(1, "Secretariat", ny("2024-06-19T15:01"))
        .unwrap_err();
    assert!(matches!(e, ListError::AlreadyDrawn { seed: 20240620, .. }));
}

#[test]
fn higher_ranking_council_representatives_speak_first() {
    let (_, mut l) = list();
    inscribe_all(
        &mut l,
        &[
            ("USA", PR),
            ("CHN", PR),
            ("SVN", Level::Minister),
            ("ECU", Level::HeadOfStateOrGovernment),
        ],
    );
    l.make_draw(3, "Secretariat", ny("2024-06-19T15:00"))
        .unwrap();
    let c = codes(&l);
    assert_eq!(&c[..2], ["ECU", "SVN"]);
    let order = l.order();
    assert!(order.entries[1].reasons[1].starts_with("Minister: placed ahead"));
}

#[test]
fn the_presidency_speaks_last_among_members_even_at_minister_level() {
    let (_, mut l) = list();
    inscribe_all(
        &mut l,
        &[
            ("KOR", Level::Minister),
            ("USA", PR),
            ("GBR", PR),
            ("DEU", Level::Minister),
        ],
    );
    l.make_draw(11, "Secretariat", ny("2024-06-19T15:00"))
        .unwrap();
    let order = l.order();
    let members: Vec<_> = order
        .entries
        .iter()
        .filter(|e| e.group == Group::CouncilMembers)
        .collect();
    assert_eq!(members.last().unwrap().code.as_deref(), Some("KOR"));
    assert!(members.last().unwrap().reasons[1]
        .contains("speaks last among members, in its national capacity"));
    // Non-members come after all members, whatever their rank.
    assert_eq!(order.entries.last().unwrap().code.as_deref(), Some("DEU"));
}

#[test]
fn non_members_in_order_of_inscription_with_higher_ranks_moved_ahead() {
    let (_, mut l) = list();
    inscribe_all(
        &mut l,
        &[
            ("DEU", PR),
            ("EST", Level::Other),
            ("PSE", PR),
            ("ITA", Level::ViceMinister),
            ("EU", Level::Other),
            ("POL", Level::Minister),
            ("SGP", Level::DeputyPrimeMinister),
        ],
    );
    assert_eq!(codes(&l), ["SGP", "POL", "ITA", "DEU", "EST", "PSE", "EU"]);
    let order = l.order();
    assert!(order.entries[0].reasons[1].contains("moved ahead of lower-ranking speakers"));
    assert!(order.entries[3].reasons[0]
        .starts_with("rule 37: in order of inscription (14 Jun 2024 10:00:00 EDT)"));
}

#[test]
fn the_secretariat_moves_a_speaker_with_a_recorded_reason() {
    let (_, mut l) = list();
    let ids = inscribe_all(
        &mut l,
        &[("DEU", PR), ("EST", PR), ("EU", Level::Other), ("FIN", PR)],
    );
    let (eu, deu, fin) = (ids[2], ids[0], ids[3]);
    assert_eq!(
        l.move_speaker(
            eu,
            Placement::Before(deu),
            "",
            "Secretariat",
            ny("2024-06-19T10:00")
        ),
        Err(ListError::NoReason)
    );
    assert_eq!(
        l.move_speaker(
            eu,
            Placement::Before(eu),
            "x",
            "Secretariat",
            ny("2024-06-19T10:00")
        ),
        Err(ListError::MoveToSelf(eu))
    );
    l.move_speaker(
        eu,
        Placement::Before(deu),
        "placed by the presidency among the first speakers",
        "Secretariat (A. Officer)",
        ny("2024-06-19T10:00"),
    )
    .unwrap();
    assert_eq!(codes(&l), ["EU", "DEU", "EST", "FIN"]);
    let order = l.order();
    let why = order.entries[0].reasons.last().unwrap();
    assert!(
        why.starts_with("moved before Germany by Secretariat (A. Officer) on 19 Jun 2024 10:00 EDT: placed by the presidency"),
        "{why}"
    );
    // A move stays anchored when later inscriptions arrive or the anchor withdraws.
    l.move_speaker(
        deu,
        Placement::After(fin),
        "exchange of places",
        "Secretariat",
        ny("2024-06-19T10:05"),
    )
    .unwrap();
    l.withdraw(fin, "withdrawn", "eSpeakers", ny("2024-06-19T11:00"))
        .unwrap();
    assert_eq!(codes(&l), ["EU", "EST", "DEU"]);
}

#[test]
fn incomplete_requests_cannot_be_moved() {
    let (_, mut l) = list();
    let r = reference();
    let a = l
        .inscribe(r, request("DEU", PR, false), "x", ny("2024-06-14T10:00"))
        .unwrap()
        .inscription;
    let b = l
        .inscribe(r, request("EST", PR, true), "x", ny("2024-06-14T10:01"))
        .unwrap()
        .inscription;
    assert_eq!(
        l.move_speaker(a, Placement::Before(b), "r", "x", ny("2024-06-14T10:02")),
        Err(ListError::Incomplete(a))
    );
    assert_eq!(
        l.move_speaker(b, Placement::After(a), "r", "x", ny("2024-06-14T10:02")),
        Err(ListError::Incomplete(a))
    );
}

#[test]
fn a_replacement_at_a_higher_level_moves_the_speaker_ahead() {
    let (_, mut l) = list();
    let ids = inscribe_all(&mut l, &[("DEU", PR), ("EST", PR)]);
    l.replace_speaker(
        ids[1],
        crate::speaker("Minister", Level::Minister),
        "the Minister will attend",
        "x",
        ny("2024-06-18T09:00"),
    )
    .unwrap();
    assert_eq!(codes(&l), ["EST", "DEU"]);
}

#[test]
fn the_whole_list_in_three_parts() {
    let (_, mut l) = list();
    let r = reference();
    l.inscribe(
        r,
        briefer("Mr. António Guterres"),
        "Secretariat",
        ny("2024-06-13T10:00"),
    )
    .unwrap();
    inscribe_all(
        &mut l,
        &[
            ("DEU", PR),
            ("KOR", Level::Minister),
            ("USA", PR),
            ("EST", Level::Minister),
            ("FRA", PR),
        ],
    );
    l.make_draw(5, "Secretariat", ny("2024-06-19T15:00"))
        .unwrap();
    let order = l.order();
    let groups: Vec<Group> = order.entries.iter().map(|e| e.group).collect();
    let mut sorted = groups.clone();
    sorted.sort();
    assert_eq!(groups, sorted, "briefers, then members, then others");
    let positions: Vec<usize> = order.entries.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=6).collect::<Vec<_>>());
}
