//! The Traffic Light Protocol, version 2.0 (FIRST), as a totally ordered release level.

use std::fmt;
use std::str::FromStr;

/// A TLP 2.0 level, ordered from the most shareable to the most restricted.
///
/// `AmberStrict` sits above `Amber` because it narrows the audience to the recipient's own
/// organisation. TLP 1.0 `WHITE` maps to [`Tlp::Clear`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Tlp {
    /// TLP:CLEAR (1.0: WHITE): no restriction.
    #[serde(rename = "CLEAR")]
    Clear,
    /// TLP:GREEN: the recipient's community.
    #[serde(rename = "GREEN")]
    Green,
    /// TLP:AMBER: the recipient's organisation and its clients, need to know.
    #[serde(rename = "AMBER")]
    Amber,
    /// TLP:AMBER+STRICT: the recipient's organisation only.
    #[serde(rename = "AMBER+STRICT")]
    AmberStrict,
    /// TLP:RED: the named recipients only.
    #[serde(rename = "RED")]
    Red,
}

impl Tlp {
    /// Every level, from the least to the most restricted.
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The level's name without the `TLP:` prefix, as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "CLEAR",
            Tlp::Green => "GREEN",
            Tlp::Amber => "AMBER",
            Tlp::AmberStrict => "AMBER+STRICT",
            Tlp::Red => "RED",
        }
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TLP:{}", self.as_str())
    }
}

/// A word that is not a TLP level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a TLP level; use one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED (WHITE is read as CLEAR)")]
pub struct ParseTlpError(pub String);

impl FromStr for Tlp {
    type Err = ParseTlpError;

    /// Accepts `clear`, `TLP:CLEAR`, `amber+strict`, `amber-strict`, and TLP 1.0's `white`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim();
        let word = word
            .strip_prefix("TLP:")
            .or_else(|| word.strip_prefix("tlp:"))
            .unwrap_or(word);
        match word
            .to_ascii_uppercase()
            .replace(['-', '_', ' '], "+")
            .as_str()
        {
            "CLEAR" | "WHITE" => Ok(Tlp::Clear),
            "GREEN" => Ok(Tlp::Green),
            "AMBER" => Ok(Tlp::Amber),
            "AMBER+STRICT" => Ok(Tlp::AmberStrict),
            "RED" => Ok(Tlp::Red),
            _ => Err(ParseTlpError(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_spelling_and_orders_by_restriction() {
        assert_eq!("tlp:white".parse::<Tlp>(), Ok(Tlp::Clear));
        assert_eq!("TLP:AMBER+STRICT".parse::<Tlp>(), Ok(Tlp::AmberStrict));
        assert_eq!("amber-strict".parse::<Tlp>(), Ok(Tlp::AmberStrict));
        assert_eq!(" red ".parse::<Tlp>(), Ok(Tlp::Red));
        assert!("purple".parse::<Tlp>().is_err());
        assert!(
            Tlp::Clear < Tlp::Green && Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red
        );
        for t in Tlp::ALL {
            assert_eq!(t.as_str().parse::<Tlp>(), Ok(t));
        }
    }
}
