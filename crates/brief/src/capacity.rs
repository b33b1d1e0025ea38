//! Capacity indicators per State: an editable table (`data/capacity.csv`, or a file of the same
//! shape given by the user), each value with the source it was taken from.
//!
//! Columns: `state` (ISO 3166-1 alpha-3), `indicator` (a short name, e.g. `national-cert`),
//! `value` (as the source gives it), `year` (the year the value describes), `source` (where it
//! was read: a URL or a document symbol; required), `note` (optional). The project ships the
//! table without values: an indicator enters only with a source someone can open and check.

use std::collections::BTreeMap;
use std::path::Path;

/// The table shipped with the crate.
pub const EMBEDDED: &str = include_str!("../data/capacity.csv");

/// One sourced value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Indicator {
    /// The State's ISO 3166-1 alpha-3 code.
    pub state: String,
    /// What is measured.
    pub indicator: String,
    /// The value as the source states it.
    pub value: String,
    /// The year the value describes.
    pub year: Option<i32>,
    /// Where it comes from.
    pub source: String,
    /// Anything a reader should know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The loaded table and where it came from.
#[derive(Debug, Clone, Default)]
pub struct CapacityTable {
    /// Where the table was read (`embedded data/capacity.csv` or a path).
    pub origin: String,
    /// Indicators by State code.
    pub by_state: BTreeMap<String, Vec<Indicator>>,
}

/// A row that cannot be used, with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin} line {line}: {why}")]
pub struct CapacityError {
    /// The table's origin.
    pub origin: String,
    /// The line (1 is the header).
    pub line: u64,
    /// What is wrong.
    pub why: String,
}

impl CapacityTable {
    /// The table shipped with the crate.
    pub fn embedded() -> CapacityTable {
        CapacityTable::parse("embedded data/capacity.csv", EMBEDDED)
            .expect("the embedded capacity table is valid (tested)")
    }

    /// Reads a table from a file.
    pub fn read(path: &Path) -> Result<CapacityTable, CapacityError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CapacityError {
            origin: origin.clone(),
            line: 0,
            why: format!("cannot read: {e}"),
        })?;
        CapacityTable::parse(&origin, &text)
    }

    /// Parses a table; every row must name a State, an indicator, a value and a source.
    pub fn parse(origin: &str, text: &str) -> Result<CapacityTable, CapacityError> {
        let err = |line: u64, why: String| CapacityError {
            origin: origin.to_string(),
            line,
            why,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
        let expected = ["state", "indicator", "value", "year", "source", "note"];
        if headers.iter().collect::<Vec<_>>() != expected {
            return Err(err(1, format!("the header must be {}", expected.join(","))));
        }
        let mut by_state: BTreeMap<String, Vec<Indicator>> = BTreeMap::new();
        for rec in reader.records() {
            let rec =
                rec.map_err(|e| err(e.position().map_or(0, csv::Position::line), e.to_string()))?;
            let line = rec.position().map_or(0, csv::Position::line);
            let cell = |i: usize| rec.get(i).unwrap_or("").to_string();
            let state = cell(0);
            if state.len() != 3 || !state.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(err(
                    line,
                    format!("`{state}` is not an ISO 3166-1 alpha-3 code"),
                ));
            }
            for (i, name) in [(1, "indicator"), (2, "value"), (4, "source")] {
                if cell(i).is_empty() {
                    return Err(err(line, format!("{name} is empty; every value needs one")));
                }
            }
            let year = match cell(3).as_str() {
                "" => None,
                y => Some(
                    y.parse()
                        .map_err(|_| err(line, format!("year `{y}` is not a year")))?,
                ),
            };
            let note = Some(cell(5)).filter(|n| !n.is_empty());
            by_state.entry(state.clone()).or_default().push(Indicator {
                state,
                indicator: cell(1),
                value: cell(2),
                year,
                source: cell(4),
                note,
            });
        }
        Ok(CapacityTable {
            origin: origin.to_string(),
            by_state,
        })
    }

    /// How many values the table holds.
    pub fn len(&self) -> usize {
        self.by_state.values().map(Vec::len).sum()
    }

    /// Whether the table holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_rows_need_a_source() {
        let t = CapacityTable::embedded();
        assert_eq!(t.origin, "embedded data/capacity.csv");
        let ok = CapacityTable::parse(
            "t.csv",
            "state,indicator,value,year,source,note\nKEN,national-cert,yes,2023,https://example.org/ke-cert,\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok.by_state["KEN"][0].year, Some(2023));
        let e = CapacityTable::parse(
            "t.csv",
            "state,indicator,value,year,source,note\nKEN,national-cert,yes,2023,,\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.to_string().contains("t.csv line 2: source is empty"),
            "{e}"
        );
        let e = CapacityTable::parse("t.csv", "state,value\n").unwrap_err();
        assert!(e.to_string().contains("header"), "{e}");
    }
}
