//! Reports: one contributor's account of something that happened, as the source adapters read it.
//!
//! A report keeps the source's own words (incident types, sector labels, actor categories) verbatim
//! in its fields; mapping them onto the project's vocabularies is the assessment stage's job, where
//! each mapping is stored with its rationale. What adapters do normalise is structure: dates with
//! their precision, countries as ISO 3166 alpha-3 codes where the name is recognised, URLs, TLP.

use std::fmt;

use crate::{ContributorType, Tlp};

/// How reliable a source is, on the Admiralty scale (A: completely reliable .. F: cannot be judged).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Reliability {
    /// Completely reliable.
    A,
    /// Usually reliable.
    B,
    /// Fairly reliable.
    C,
    /// Not usually reliable.
    D,
    /// Unreliable.
    E,
    /// Reliability cannot be judged.
    F,
}

/// Who sent a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contributor {
    /// The organisation's name, e.g. "EuRepoC" or "CERT-UA".
    pub name: String,
    /// Its kind; corroboration counts independent kinds.
    #[serde(rename = "type")]
    pub type_: ContributorType,
    /// How far its reporting is trusted.
    pub reliability: Reliability,
}

/// A calendar date known to a year, a month or a day.
///
/// Trackers often know only the month or the year of an incident; reconciliation compares dates at
/// the coarser of two precisions instead of inventing a day.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct FuzzyDate {
    /// The year.
    pub year: i32,
    /// The month (1-12), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    /// The day (1-31), when the month is known and the day too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
}

/// How precisely a [`FuzzyDate`] is known.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    /// Only the year.
    Year,
    /// Year and month.
    Month,
    /// Year, month and day.
    Day,
}

impl FuzzyDate {
    /// A date known to the day. Returns None for an impossible date.
    pub fn day(year: i32, month: u8, day: u8) -> Option<Self> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(
            FuzzyDate {
                year,
                month: Some(month),
                day: Some(day),
            },
        )
    }

    /// A date known to the month. Returns None for a month outside 1-12.
    pub fn month(year: i32, month: u8) -> Option<Self> {
        (1..=12).contains(&month).then_some(FuzzyDate {
            year,
            month: Some(month),
            day: None,
        })
    }

    /// A date known to the year.
    pub fn year(year: i32) -> Self {
        FuzzyDate {
            year,
            month: None,
            day: None,
        }
    }

    /// How precisely the date is known.
    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => DatePrecision::Day,
            (Some(_), None) => DatePrecision::Month,
            _ => DatePrecision::Year,
        }
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (an ISO 8601 timestamp is cut to its date).
    pub fn parse_iso(text: &str) -> Option<Self> {
        let text = text.trim();
        let date = text.split(['T', ' ']).next()?;
        let mut parts = date.split('-');
        let year: i32 = parts.next()?.parse().ok()?;
        if !(1900..=2100).contains(&year) {
            return None;
        }
        let month = match parts.next() {
            None => return Some(Self::year(year)),
            Some(m) => m.parse::<u8>().ok()?,
        };
        let day = match parts.next() {
            None => return Self::month(year, month),
            Some(d) => d.parse::<u8>().ok()?,
        };
        if parts.next().is_some() {
            return None;
        }
        Self::day(year, month, day)
    }
}

impl fmt::Display for FuzzyDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// When something happened: a start and, for campaigns and long intrusions, an end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DateSpan {
    /// When it started (or the one date known).
    pub start: FuzzyDate,
    /// When it ended, when known and different from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<FuzzyDate>,
}

/// Who or what was hit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Victim {
    /// The organisation or group, as the source names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ISO 3166-1 alpha-3 code when the source's country is recognised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The country exactly as the source wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_as_given: Option<String>,
    /// The source's sector or category labels, verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<String>,
}

/// A named actor said to be behind an incident (the perpetrator side).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    /// The name used by the source (a group, a State, a persona).
    pub name: String,
    /// Other names the source gives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// ISO alpha-3 of the State it is associated with, when recognised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The source's category label (e.g. "State", "Non-state-group", "Hacktivist(s)"), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// Who made an attribution claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttributorKind {
    /// A government (political or legal attribution).
    State,
    /// An international organisation (EU, NATO, UN body).
    InternationalOrganisation,
    /// A security company.
    Company,
    /// Academic or independent researchers.
    Researcher,
    /// The media.
    Media,
    /// The perpetrators themselves.
    SelfClaim,
    /// The victim.
    Victim,
    /// Not stated.
    Unknown,
}

/// A claim that an actor is responsible; several may coexist and contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attribution {
    /// The actor claimed to be responsible.
    pub actor: Actor,
    /// Who makes the claim, as the source names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_by: Option<String>,
    /// What kind of claimant that is.
    pub attributor_kind: AttributorKind,
    /// The stated basis (technical forensics, self-claim, intelligence...), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// When the claim was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<FuzzyDate>,
    /// Confidence 0-100, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
    /// The source's statement of State responsibility (MISP's 10-step spectrum or the source's words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_responsibility: Option<String>,
}

/// An attribution claim reduced to what measuring attribution lag needs: what the source calls
/// the actor, and when the claim was made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatedAttribution {
    /// The source's category for the actor ([`Actor::category`]), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// When the claim was made.
    pub date: FuzzyDate,
}

/// Where a report came from: the adapter, the file and the record within it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    /// The adapter's format name: `stix`, `misp`, `eurepoc`, `cfr`, `cissm`, `dcid`, `veris`, `native`.
    pub format: String,
    /// The file the record was read from.
    pub file: String,
    /// Where in the file: `line 12` for CSV, a JSON pointer for JSON.
    pub locator: String,
}

/// One contributor's account of an incident.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// Where it came from.
    pub provenance: Provenance,
    /// Who sent it.
    pub contributor: Contributor,
    /// The record's own identifier in its source (EuRepoC ID, CISSM dnx_id, STIX id, MISP uuid), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// A short title.
    pub title: String,
    /// The account, in the source's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// References given by the source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// When the incident happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred: Option<DateSpan>,
    /// When it became public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosed: Option<FuzzyDate>,
    /// When this report was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<FuzzyDate>,
    /// Who was hit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub victims: Vec<Victim>,
    /// Who is said to be behind it (as the source names the initiator).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<Actor>,
    /// Attribution claims reported by the source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributions: Vec<Attribution>,
    /// The source's incident-type labels, verbatim (e.g. "Ransomware", "Espionage", "Exploitive").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// Other tags from the source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The release level.
    pub tlp: Tlp,
    /// Credibility of the information on the Admiralty scale, 1 (confirmed) to 6 (cannot be judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credibility: Option<u8>,
    /// The original record, verbatim (a CSV line with its header, a JSON object).
    pub original: String,
}

impl Report {
    /// A stable key for this account: `format:source_id` when the source numbers its records,
    /// otherwise `format:sha256:<digest of the original record>`. Re-reading the same record gives
    /// the same key, so analysts' decisions and stored versions attach to it.
    pub fn key(&self) -> String {
        match &self.source_id {
            Some(id) => format!("{}:{}", self.provenance.format, id.trim()),
            None => format!(
                "{}:sha256:{}",
                self.provenance.format,
                sha256_hex(self.original.as_bytes())
            ),
        }
    }

    /// The attribution claims whose date the source gives.
    pub fn dated_attributions(&self) -> Vec<DatedAttribution> {
        self.attributions
            .iter()
            .filter_map(|a| {
                Some(DatedAttribution {
                    category: a.actor.category.clone(),
                    date: a.date?,
                })
            })
            .collect()
    }
}

/// The SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_dates_keep_their_precision() {
        assert_eq!(
            FuzzyDate::parse_iso("2017-06-27").unwrap().precision(),
            DatePrecision::Day
        );
        assert_eq!(
            FuzzyDate::parse_iso("2017-06").unwrap().to_string(),
            "2017-06"
        );
        assert_eq!(
            FuzzyDate::parse_iso("2017").unwrap().precision(),
            DatePrecision::Year
        );
        assert_eq!(
            FuzzyDate::parse_iso("2017-06-27T10:00:00Z").unwrap(),
            FuzzyDate::day(2017, 6, 27).unwrap()
        );
        assert!(FuzzyDate::parse_iso("2017-02-30").is_none());
        assert!(FuzzyDate::parse_iso("2016-02-29").is_some());
        assert!(FuzzyDate::parse_iso("garbage").is_none());
        assert!(FuzzyDate::year(2016) < FuzzyDate::month(2016, 1).unwrap());
    }
}
