//! Hand-made reports for tests.

use threatscape_model::{
    Actor, Contributor, ContributorType, DateSpan, FuzzyDate, Provenance, Reliability, Report, Tlp,
    Victim,
};

/// A report builder with sensible blanks.
pub struct R(pub Report);

/// A report of `format` with record id `id` and a title.
pub fn r(format: &str, id: &str, title: &str) -> R {
    R(Report {
        provenance: Provenance {
            format: format.to_string(),
            file: format!("{format}.csv"),
            locator: format!("line {id}"),
        },
        contributor: Contributor {
            name: format.to_uppercase(),
            type_: ContributorType::Academia,
            reliability: Reliability::B,
        },
        source_id: Some(id.to_string()),
        title: title.to_string(),
        description: None,
        urls: Vec::new(),
        occurred: None,
        disclosed: None,
        reported: None,
        victims: Vec::new(),
        actors: Vec::new(),
        attributions: Vec::new(),
        kinds: Vec::new(),
        tags: Vec::new(),
        tlp: Tlp::Clear,
        credibility: None,
        original: format!("{format},{id},{title}"),
    })
}

impl R {
    pub fn desc(mut self, d: &str) -> Self {
        self.0.description = Some(d.to_string());
        self
    }
    /// Occurred on an ISO date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    pub fn on(mut self, date: &str) -> Self {
        self.0.occurred = Some(DateSpan {
            start: FuzzyDate::parse_iso(date).expect("test date"),
            end: None,
        });
        self
    }
    /// Occurred from `start` to `end`.
    pub fn span(mut self, start: &str, end: &str) -> Self {
        self.0.occurred = Some(DateSpan {
            start: FuzzyDate::parse_iso(start).expect("test date"),
            end: Some(FuzzyDate::parse_iso(end).expect("test date")),
        });
        self
    }
    pub fn victim(mut self, name: Option<&str>, country: Option<&str>) -> Self {
        self.0.victims.push(Victim {
            name: name.map(str::to_string),
            country: country.map(str::to_string),
            ..Victim::default()
        });
        self
    }
    pub fn actor(mut self, name: &str, country: Option<&str>) -> Self {
        self.0.actors.push(Actor {
            name: name.to_string(),
            country: country.map(str::to_string),
            ..Actor::default()
        });
        self
    }
    pub fn state(mut self, name: &str, country: &str) -> Self {
        self.0.actors.push(Actor {
            name: name.to_string(),
            country: Some(country.to_string()),
            category: Some("State".to_string()),
            ..Actor::default()
        });
        self
    }
    pub fn kind(mut self, k: &str) -> Self {
        self.0.kinds.push(k.to_string());
        self
    }
    pub fn no_id(mut self) -> Self {
        self.0.source_id = None;
        self
    }
    pub fn done(self) -> Report {
        self.0
    }
}
