//! Who sends reporting to the observatory.

use std::fmt;
use std::str::FromStr;

/// The kind of organisation a contributor is; corroboration counts independent kinds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ContributorType {
    /// A UN entity (Secretariat department, agency, fund or programme).
    UnSystem,
    /// A Member State or observer State (its CERT, ministry or mission).
    MemberState,
    /// A company: security vendor, operator, insurer.
    PrivateSector,
    /// A non-governmental organisation.
    CivilSociety,
    /// A university or research institute, including incident trackers run by them.
    Academia,
    /// A news organisation.
    Media,
}

impl ContributorType {
    /// Every type, in the order used in tables.
    pub const ALL: [ContributorType; 6] = [
        ContributorType::UnSystem,
        ContributorType::MemberState,
        ContributorType::PrivateSector,
        ContributorType::CivilSociety,
        ContributorType::Academia,
        ContributorType::Media,
    ];

    /// The kebab-case name used on the command line and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            ContributorType::UnSystem => "un-system",
            ContributorType::MemberState => "member-state",
            ContributorType::PrivateSector => "private-sector",
            ContributorType::CivilSociety => "civil-society",
            ContributorType::Academia => "academia",
            ContributorType::Media => "media",
        }
    }
}

impl fmt::Display for ContributorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not a contributor type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a contributor type; use one of un-system, member-state, private-sector, civil-society, academia, media")]
pub struct ParseContributorTypeError(pub String);

impl FromStr for ContributorType {
    type Err = ParseContributorTypeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        ContributorType::ALL
            .into_iter()
            .find(|t| t.as_str() == norm)
            .ok_or_else(|| ParseContributorTypeError(s.to_string()))
    }
}
