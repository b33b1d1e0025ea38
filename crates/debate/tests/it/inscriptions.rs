//! Inscriptions: the opening, the bases of participation, rule 37 letters, acknowledgements,
//! withdrawals and replacements, and the log.

use threatscape_debate::inscription::{Change, Missing, Status};
use threatscape_debate::{
    Basis, Delegation, Joint, Letter, Level, ListError, Request, SignatoryTitle, SpeakersList,
};

use crate::{briefer, list, ny, pr_letter, reference, request, speaker};

#[test]
fn an_inscription_before_the_opening_is_refused_with_the_opening_time() {
    let (_, mut l) = list();
    let e = l
        .inscribe(
            reference(),
            request("EST", Level::Minister, true),
            "eSpeakers",
            ny("2024-06-14T09:29:59"),
        )
        .unwrap_err();
    assert!(matches!(e, ListError::BeforeOpening { .. }));
    let message = e.to_string();
    assert!(
        message.starts_with(
            "the list of speakers opens on Friday 14 June 2024 at 09:30 EDT (New York)"
        ),
        "{message}"
    );
    assert!(
        message.contains("received on Friday 14 June 2024 at 09:29:59 EDT"),
        "{message}"
    );
    // The refusal is kept in the log, with the request.
    assert!(matches!(&l.events()[0].change, Change::Refused { reason, .. } if reason == &message));
    assert!(l.order().entries.is_empty());
    // At 09:30:00 exactly it is accepted.
    let ack = l
        .inscribe(
            reference(),
            request("EST", Level::Minister, true),
            "eSpeakers",
            ny("2024-06-14T09:30"),
        )
        .unwrap();
    assert_eq!(ack.status, Status::Complete);
    assert_eq!(ack.position, Some(1));
}

#[test]
fn a_rule_37_request_without_a_letter_is_incomplete_and_says_why() {
    let (_, mut l) = list();
    let ack = l
        .inscribe(
            reference(),
            request("DEU", Level::PermanentRepresentative, false),
            "eSpeakers",
            ny("2024-06-14T09:31"),
        )
        .unwrap();
    assert_eq!(
        ack.status,
        Status::Incomplete {
            missing: vec![Missing::Letter]
        }
    );
    assert_eq!(ack.position, None);
    let text = ack.to_string();
    assert!(
        text.contains("The request is incomplete and not yet on the list"),
        "{text}"
    );
    assert!(text.contains("signed by the Permanent Representative or the Chargé d'affaires a.i.: none is attached"), "{text}");
    let order = l.order();
    assert!(order.entries.is_empty());
    assert_eq!(order.pending[0].name, "Germany");
}

#[test]
fn a_letter_signed_by_a_deputy_leaves_the_request_incomplete() {
    let (_, mut l) = list();
    let mut r = request("DEU", Level::PermanentRepresentative, false);
    r.letter = Some(
        Letter::from_pdf(
            "deu.pdf",
            b"%PDF-1.4",
            "A. Deputy",
            SignatoryTitle::parse("Deputy Permanent Representative"),
        )
        .unwrap(),
    );
    let ack = l
        .inscribe(reference(), r, "eSpeakers", ny("2024-06-14T10:00"))
        .unwrap();
    let Status::Incomplete { missing } = &ack.status else {
        panic!("{ack:?}")
    };
    assert_eq!(
        missing,
        &[Missing::Signatory {
            title: "Deputy Permanent Representative".into()
        }]
    );
    assert!(missing[0]
        .to_string()
        .starts_with("the letter is signed by the Deputy Permanent Representative;"));
}

#[test]
fn attaching_a_proper_letter_completes_the_request_from_then() {
    let (_, mut l) = list();
    let r = reference();
    let id = l
        .inscribe(
            r,
            request("DEU", Level::PermanentRepresentative, false),
            "eSpeakers",
            ny("2024-06-14T09:31"),
        )
        .unwrap()
        .inscription;
    l.inscribe(
        r,
        request("FIN", Level::PermanentRepresentative, true),
        "eSpeakers",
        ny("2024-06-14T09:40"),
    )
    .unwrap();
    let letter = Letter::from_pdf(
        "deu.pdf",
        b"%PDF-1.7",
        "Antje Leendertse",
        SignatoryTitle::parse("Chargé d'affaires a.i."),
    )
    .unwrap();
    let ack = l
        .attach_letter(id, letter, "eSpeakers", ny("2024-06-14T11:00"))
        .unwrap();
    assert_eq!(ack.status, Status::Complete);
    // Finland's request was complete first, so Germany comes after it.
    assert_eq!(ack.position, Some(2));
    let i = &l.inscriptions()[&id];
    assert_eq!(i.received_at, ny("2024-06-14T09:31"));
    assert_eq!(i.complete_since, Some(ny("2024-06-14T11:00")));
}

#[test]
fn letters_are_for_rule_37_requests_only_and_must_be_well_formed() {
    let (_, mut l) = list();
    let r = reference();
    let id = l
        .inscribe(
            r,
            request("FRA", Level::PermanentRepresentative, false),
            "x",
            ny("2024-06-14T10:00"),
        )
        .unwrap()
        .inscription;
    assert_eq!(
        l.attach_letter(id, pr_letter("FRA"), "x", ny("2024-06-14T10:01")),
        Err(ListError::NoLetterNeeded(id))
    );
    let mut bad = request("DEU", Level::PermanentRepresentative, true);
    bad.letter.as_mut().unwrap().sha256 = "not-a-digest".into();
    let e = l.inscribe(r, bad, "x", ny("2024-06-14T10:02")).unwrap_err();
    assert!(e.to_string().contains("64 lowercase hex digits"), "{e}");
}

#[test]
fn the_basis_follows_council_membership_of_the_meeting_year() {
    let (_, mut l) = list();
    let r = reference();
    let t = ny("2024-06-14T10:00");
    let basis = |l: &mut SpeakersList, req: Request| {
        let id = l.inscribe(r, req, "x", t).unwrap().inscription;
        l.inscriptions()[&id].basis
    };
    // Japan sat on the Council in 2024 (not in 2025); Germany did not.
    assert_eq!(
        basis(
            &mut l,
            request("JPN", Level::PermanentRepresentative, false)
        ),
        Basis::CouncilMember
    );
    assert_eq!(
        basis(&mut l, request("DEU", Level::PermanentRepresentative, true)),
        Basis::Rule37
    );
    assert_eq!(
        basis(&mut l, request("VAT", Level::Other, false)),
        Basis::ObserverState
    );
    assert_eq!(
        basis(&mut l, request("PSE", Level::Other, false)),
        Basis::ObserverState
    );
    assert_eq!(
        basis(&mut l, request("eu", Level::Other, false)),
        Basis::Rule39Organisation
    );
    let au = Request {
        delegation: Delegation::Organisation {
            name: "African Union".into(),
        },
        speaker: speaker("Observer of the AU", Level::Other),
        letter: None,
        joint: None,
    };
    assert_eq!(basis(&mut l, au), Basis::Rule39Organisation);
    assert_eq!(basis(&mut l, briefer("Ms. Expert")), Basis::Rule39Briefer);
    // Observer States and organisations need no letter.
    assert!(l.order().pending.is_empty());
}

#[test]
fn briefers_may_be_inscribed_before_the_opening() {
    let (_, mut l) = list();
    let ack = l
        .inscribe(
            reference(),
            briefer("Mr. António Guterres"),
            "Secretariat",
            ny("2024-06-10T12:00"),
        )
        .unwrap();
    assert_eq!(ack.position, Some(1));
}

#[test]
fn unknown_and_duplicate_delegations_are_refused() {
    let (_, mut l) = list();
    let r = reference();
    let e = l
        .inscribe(
            r,
            request("XYZ", Level::Other, false),
            "x",
            ny("2024-06-14T10:00"),
        )
        .unwrap_err();
    assert_eq!(e, ListError::UnknownDelegation("XYZ".into()));
    let first = l
        .inscribe(
            r,
            request("EST", Level::Minister, true),
            "x",
            ny("2024-06-14T10:00"),
        )
        .unwrap()
        .inscription;
    let e = l
        .inscribe(
            r,
            request("est", Level::PermanentRepresentative, true),
            "x",
            ny("2024-06-14T10:01"),
        )
        .unwrap_err();
    assert_eq!(
        e,
        ListError::AlreadyInscribed {
            inscription: first,
            name: "Estonia".into()
        }
    );
    // After a withdrawal the delegation may ask again, taking a new place.
    l.withdraw(
        first,
        "the Minister cannot travel",
        "eSpeakers",
        ny("2024-06-15T10:00"),
    )
    .unwrap();
    let again = l
        .inscribe(
            r,
            request("EST", Level::PermanentRepresentative, true),
            "x",
            ny("2024-06-15T10:05"),
        )
        .unwrap();
    assert_eq!(again.status, Status::Complete);
    let refusals = l
        .events()
        .iter()
        .filter(|e| matches!(e.change, Change::Refused { .. }))
        .count();
    assert_eq!(refusals, 2);
}

#[test]
fn withdrawal_removes_the_speaker_and_keeps_the_record() {
    let (_, mut l) = list();
    let r = reference();
    let a = l
        .inscribe(
            r,
            request("EST", Level::PermanentRepresentative, true),
            "x",
            ny("2024-06-14T10:00"),
        )
        .unwrap()
        .inscription;
    let b = l
        .inscribe(
            r,
            request("LVA", Level::PermanentRepresentative, true),
            "x",
            ny("2024-06-14T10:01"),
        )
        .unwrap()
        .inscription;
    assert_eq!(
        l.withdraw(a, " ", "x", ny("2024-06-14T11:00")),
        Err(ListError::NoReason)
    );
    l.withdraw(a, "no longer wishes to speak", "x", ny("2024-06-14T11:00"))
        .unwrap();
    let order = l.order();
    assert_eq!(order.entries.len(), 1);
    assert_eq!(order.entries[0].inscription, b);
    assert_eq!(order.entries[0].position, 1);
    assert_eq!(order.withdrawn[0].reason, "no longer wishes to speak");
    assert_eq!(
        l.withdraw(a, "again", "x", ny("2024-06-14T11:01")),
        Err(ListError::Withdrawn(a))
    );
}

#[test]
fn a_replacement_keeps_the_place_and_the_history() {
    let (_, mut l) = list();
    let r = reference();
    let a = l
        .inscribe(
            r,
            request("EST", Level::PermanentRepresentative, true),
            "x",
            ny("2024-06-14T10:00"),
        )
        .unwrap()
        .inscription;
    l.inscribe(
        r,
        request("LVA", Level::PermanentRepresentative, true),
        "x",
        ny("2024-06-14T10:01"),
    )
    .unwrap();
    let ack = l
        .replace_speaker(
            a,
            speaker("Deputy", Level::Other),
            "the Ambassador is travelling",
            "x",
            ny("2024-06-18T10:00"),
        )
        .unwrap();
    assert_eq!(ack.position, Some(1));
    let i = &l.inscriptions()[&a];
    assert_eq!(i.speaker.name, "Deputy");
    assert_eq!(i.replacements[0].previous.name, "Speaker of EST");
    assert_eq!(i.replacements[0].reason, "the Ambassador is travelling");
}

#[test]
fn acknowledgements_give_time_and_position() {
    let (_, mut l) = list();
    let r = reference();
    let ack = l
        .inscribe(
            r,
            request("EST", Level::PermanentRepresentative, true),
            "x",
            ny("2024-06-14T09:30:02"),
        )
        .unwrap();
    assert_eq!(
        ack.received_at.to_string(),
        "2024-06-14T09:30:02-04:00[America/New_York]"
    );
    assert_eq!(
        ack.to_string(),
        "Request no. 1 from Estonia received on Friday 14 June 2024 at 09:30:02 EDT. \
         Current position on the list of speakers: 1 (provisional until the draw)."
    );
    let v = serde_json::to_value(&ack).unwrap();
    assert_eq!(v["status"], "complete");
    assert_eq!(v["position"], 1);
}

#[test]
fn the_log_only_moves_forward() {
    let (_, mut l) = list();
    let r = reference();
    l.inscribe(
        r,
        request("EST", Level::PermanentRepresentative, true),
        "x",
        ny("2024-06-14T10:00"),
    )
    .unwrap();
    let e = l
        .inscribe(
            r,
            request("LVA", Level::PermanentRepresentative, true),
            "x",
            ny("2024-06-14T09:59"),
        )
        .unwrap_err();
    assert!(matches!(e, ListError::OutOfOrder { .. }));
    assert_eq!(l.events().len(), 1, "an out-of-order request is not logged");
}

#[test]
fn joint_statements_are_kept() {
    let (_, mut l) = list();
    let mut req = request("DNK", Level::Minister, true);
    req.joint = Some(Joint {
        group: Some("the Nordic countries".into()),
        on_behalf_of: vec!["FIN".into(), "ISL".into(), "NOR".into(), "SWE".into()],
    });
    let id = l
        .inscribe(reference(), req, "x", ny("2024-06-14T10:00"))
        .unwrap()
        .inscription;
    let e = l.order().entry(id).cloned().unwrap();
    assert_eq!(e.joint.unwrap().on_behalf_of.len(), 4);
}

#[test]
fn the_log_replays_and_round_trips_through_json() {
    let (_, mut l) = list();
    let r = reference();
    let a = l
        .inscribe(
            r,
            request("DEU", Level::PermanentRepresentative, false),
            "x",
            ny("2024-06-14T10:00"),
        )
        .unwrap()
        .inscription;
    l.inscribe(
        r,
        request("FRA", Level::Minister, false),
        "x",
        ny("2024-06-14T10:01"),
    )
    .unwrap();
    l.attach_letter(a, pr_letter("DEU"), "x", ny("2024-06-14T10:02"))
        .unwrap();
    l.make_draw(7, "Secretariat", ny("2024-06-19T12:00"))
        .unwrap();
    let json = serde_json::to_string(&l).unwrap();
    let back: SpeakersList = serde_json::from_str(&json).unwrap();
    assert_eq!(back, l);
    let replayed = SpeakersList::from_events(l.context().clone(), l.events().to_vec()).unwrap();
    assert_eq!(replayed.order(), l.order());
    // A log with a gap, or events that do not apply, is refused with the event's number.
    let mut tampered = l.events().to_vec();
    tampered.remove(1);
    let e = SpeakersList::from_events(l.context().clone(), tampered).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("event no. 3: expected event no. 2"),
        "{e}"
    );
    let mut twice = l.events().to_vec();
    let mut draw = twice.last().unwrap().clone();
    draw.seq += 1;
    twice.push(draw);
    let e = SpeakersList::from_events(l.context().clone(), twice).unwrap_err();
    assert!(e.to_string().contains("the draw was already made"), "{e}");
}
