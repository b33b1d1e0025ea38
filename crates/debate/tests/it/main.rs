//! Integration tests of the debate module: one binary, one module per area.

mod calendar;
mod exports;
mod inscriptions;
mod linking;
mod live;
mod ordering;
mod properties;
mod reference_data;

use threatscape_debate::calendar::in_new_york;
use threatscape_debate::jiff::civil::DateTime;
use threatscape_debate::jiff::Timestamp;
use threatscape_debate::{
    Calendar, Delegation, Format, Letter, Level, Meeting, MeetingSpec, Person, Reference, Request,
    SignatoryTitle, Speaker, SpeakersList,
};

/// The shipped reference data, parsed once.
pub fn reference() -> &'static Reference {
    static R: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
    R.get_or_init(Reference::embedded)
}

/// A New York wall-clock time ("2024-06-14T09:30") as a timestamp.
pub fn ny(s: &str) -> Timestamp {
    let dt: DateTime = s.parse().expect("a civil date-time");
    in_new_york(dt).expect("in range").timestamp()
}

/// The June 2024 open debate on cyber threats (Republic of Korea presiding).
pub fn meeting() -> Meeting {
    Meeting::new(
        reference(),
        MeetingSpec {
            id: "S/PV.9662".into(),
            start: "2024-06-20T10:00".parse().unwrap(),
            agenda_item: "mips".into(),
            subtitle: Some("Addressing evolving threats in cyberspace".into()),
            format: Format::OpenDebate,
            chair: Some(Person {
                name: "Mr. Cho Tae-yul".into(),
                title: "Minister for Foreign Affairs of the Republic of Korea".into(),
            }),
            briefers: vec![Person {
                name: "Mr. António Guterres".into(),
                title: "Secretary-General".into(),
            }],
            time_limit: None,
            concept_note: Some("S/2024/446".into()),
            opening_rule: None,
        },
    )
    .expect("a valid meeting")
}

/// An empty list for [`meeting`] (opens Friday 14 June 2024 at 09:30).
pub fn list() -> (Meeting, SpeakersList) {
    let m = meeting();
    let opening = m.opening(&Calendar::of(reference())).unwrap();
    let list = SpeakersList::new(&m, &opening);
    (m, list)
}

/// A speaker at a level.
pub fn speaker(name: &str, level: Level) -> Speaker {
    let title = match level {
        Level::Minister => "Minister for Foreign Affairs",
        Level::PermanentRepresentative => "Permanent Representative",
        _ => "",
    };
    Speaker {
        name: name.into(),
        title: title.into(),
        level,
    }
}

/// A letter signed by the Permanent Representative.
pub fn pr_letter(code: &str) -> Letter {
    Letter::from_pdf(
        &format!("{code}-rule37.pdf"),
        format!("%PDF-1.7 letter of {code}").as_bytes(),
        "Ambassador",
        SignatoryTitle::PermanentRepresentative,
    )
    .unwrap()
}

/// A State's request at a level, with a PR letter when `letter`.
pub fn request(code: &str, level: Level, letter: bool) -> Request {
    Request {
        delegation: Delegation::Entity { code: code.into() },
        speaker: speaker(&format!("Speaker of {code}"), level),
        letter: letter.then(|| pr_letter(code)),
        joint: None,
    }
}

/// A rule 39 briefer's request.
pub fn briefer(name: &str) -> Request {
    Request {
        delegation: Delegation::Briefer {
            name: name.into(),
            affiliation: None,
        },
        speaker: Speaker {
            name: name.into(),
            title: "Briefer".into(),
            level: Level::Other,
        },
        letter: None,
        joint: None,
    }
}
