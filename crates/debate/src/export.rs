//! The list of speakers for others to read: as the Journal of the United Nations prints it, as CSV
//! and as JSON.

use std::fmt::Write;

use jiff::{SignedDuration, ZonedDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::new_york;
use crate::meeting::Meeting;
use crate::order::{Group, SpeakingOrder};

fn minutes_in_words(d: SignedDuration) -> String {
    const WORDS: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    let secs = d.as_secs();
    if secs % 60 == 0 {
        let m = secs / 60;
        match usize::try_from(m).ok().and_then(|m| WORDS.get(m)) {
            Some(w) if m == 1 => format!("{w} minute"),
            Some(w) => format!("{w} minutes"),
            None => format!("{m} minutes"),
        }
    } else {
        format!("{} minutes {} seconds", secs / 60, secs % 60)
    }
}

fn joint_suffix(e: &crate::order::Entry) -> String {
    match &e.joint {
        None => String::new(),
        Some(j) => match (&j.group, j.on_behalf_of.is_empty()) {
            (Some(g), _) => format!(" (on behalf of {g})"),
            (None, false) => format!(" (also on behalf of {})", j.on_behalf_of.join(", ")),
            (None, true) => " (joint statement)".to_string(),
        },
    }
}

/// The list as the Journal prints it: the meeting's heading, the time limit, then the speakers in
/// three parts, with the level of representation shown for high-level speakers. `as_at` is the
/// moment the list is printed (shown in New York).
pub fn journal(meeting: &Meeting, order: &SpeakingOrder, as_at: &ZonedDateTime) -> String {
    let mut out = String::new();
    let start = meeting.start.with_time_zone(new_york());
    let _ = writeln!(out, "Security Council");
    let _ = writeln!(out, "{} ({})", meeting.format, meeting.id);
    let _ = writeln!(out, "{}", meeting.agenda_title);
    if let Some(s) = &meeting.subtitle {
        let _ = writeln!(out, "{s}");
    }
    let _ = writeln!(
        out,
        "{}, Security Council Chamber",
        start.strftime("%A, %-d %B %Y, %H:%M")
    );
    if let Some(c) = &meeting.concept_note {
        let _ = writeln!(out, "Concept note: {c}");
    }
    let _ = writeln!(out, "Presidency: {}", meeting.presidency.name);
    let _ = writeln!(out);
    let status = if order.is_provisional() {
        ", provisional: the draw has not been made"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "List of speakers (as at {}{status})",
        as_at
            .with_time_zone(new_york())
            .strftime("%A, %-d %B %Y, %H:%M %Z")
    );
    let _ = writeln!(
        out,
        "Statements are limited to {}; longer texts are circulated in writing.",
        minutes_in_words(meeting.time_limit)
    );
    let width = order.entries.len().to_string().len();
    let mut group = None;
    for e in &order.entries {
        if group != Some(e.group) {
            let _ = writeln!(out);
            let _ = writeln!(out, "{}", e.group.heading());
            group = Some(e.group);
        }
        let who = match e.group {
            Group::Briefers => format!("{}, {}", e.speaker.name, e.speaker.title),
            _ if e.speaker.level.is_high_level() => {
                format!(
                    "{} [{}]",
                    e.name,
                    if e.speaker.title.is_empty() {
                        e.speaker.level.label()
                    } else {
                        &e.speaker.title
                    }
                )
            }
            _ => e.name.clone(),
        };
        let _ = writeln!(out, "{:>width$}. {who}{}", e.position, joint_suffix(e));
    }
    if order.entries.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "No speakers inscribed.");
    }
    out
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 12] = [
    "position",
    "group",
    "delegation",
    "code",
    "basis",
    "speaker",
    "title",
    "level",
    "joint",
    "inscribed_at",
    "inscription",
    "reasons",
];

/// The list as CSV (one row per speaker; `reasons` joined with " | ").
pub fn csv(order: &SpeakingOrder) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_COLUMNS);
    for e in &order.entries {
        let joint = e
            .joint
            .as_ref()
            .map(|j| {
                let mut parts = Vec::new();
                if let Some(g) = &j.group {
                    parts.push(g.clone());
                }
                parts.extend(j.on_behalf_of.iter().cloned());
                parts.join("; ")
            })
            .unwrap_or_default();
        let _ = w.write_record([
            e.position.to_string(),
            e.group.as_str().to_string(),
            e.name.clone(),
            e.code.clone().unwrap_or_default(),
            e.basis.label().to_string(),
            e.speaker.name.clone(),
            e.speaker.title.clone(),
            e.speaker.level.label().to_string(),
            joint,
            e.inscribed_at.to_string(),
            e.inscription.to_string(),
            e.reasons.join(" | "),
        ]);
    }
    String::from_utf8(w.into_inner().expect("writing to memory cannot fail"))
        .expect("csv writes UTF-8")
}

/// The list with its meeting, as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListDocument {
    /// When the document was made.
    pub as_at: ZonedDateTime,
    /// The meeting.
    pub meeting: Meeting,
    /// The speaking order, with pending and withdrawn requests.
    pub order: SpeakingOrder,
}

/// The list with its meeting as pretty JSON.
pub fn json(meeting: &Meeting, order: &SpeakingOrder, as_at: &ZonedDateTime) -> String {
    let doc = ListDocument {
        as_at: as_at.with_time_zone(new_york()),
        meeting: meeting.clone(),
        order: order.clone(),
    };
    serde_json::to_string_pretty(&doc).expect("the list serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_read_as_the_journal_writes_them() {
        assert_eq!(
            minutes_in_words(SignedDuration::from_mins(3)),
            "three minutes"
        );
        assert_eq!(minutes_in_words(SignedDuration::from_mins(1)), "one minute");
        assert_eq!(
            minutes_in_words(SignedDuration::from_mins(15)),
            "15 minutes"
        );
        assert_eq!(
            minutes_in_words(SignedDuration::from_secs(150)),
            "2 minutes 30 seconds"
        );
    }
}
