//! The world map: Natural Earth's 1:110m country outlines (via the npm `world-atlas` package,
//! converted by `scripts/brief-build-map.py`; see `data/README.md`), already projected, keyed
//! by the project's country codes.
//!
//! world-atlas names countries by their ISO 3166-1 numeric code and an English short name; the
//! project's own country table (`threatscape_sources::countries`) turns the name into an alpha-3
//! code, so the map and the trackers agree on what a country is. world-atlas abbreviates a few
//! names ("Dem. Rep. Congo"); those are spelled out here before the lookup.

use std::sync::OnceLock;

/// The converted geometry.
const DATA: &str = include_str!("../data/world-110m.tsv");

/// world-atlas's abbreviated names, spelled out as the country table knows them.
const SPELLED_OUT: [(&str, &str); 14] = [
    ("Dem. Rep. Congo", "Democratic Republic of the Congo"),
    ("Central African Rep.", "Central African Republic"),
    ("S. Sudan", "South Sudan"),
    ("Bosnia and Herz.", "Bosnia and Herzegovina"),
    ("Dominican Rep.", "Dominican Republic"),
    ("Eq. Guinea", "Equatorial Guinea"),
    ("Solomon Is.", "Solomon Islands"),
    ("eSwatini", "Eswatini"),
    ("W. Sahara", "Western Sahara"),
    ("Falkland Is.", "Falkland Islands"),
    ("Fr. S. Antarctic Lands", "French Southern Territories"),
    ("N. Cyprus", "Northern Cyprus"),
    ("Macedonia", "North Macedonia"),
    ("Czechia", "Czech Republic"),
];

/// One country's outline.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The project's code when the country table knows the name (None: drawn, never shaded).
    pub code: Option<&'static str>,
    /// The name world-atlas gives.
    pub name: &'static str,
    /// SVG path data in the map's coordinates.
    pub path: &'static str,
}

/// The map: its size and shapes.
#[derive(Debug)]
pub struct WorldMap {
    /// The width of the coordinate box.
    pub width: f64,
    /// The height.
    pub height: f64,
    /// The countries.
    pub shapes: Vec<Shape>,
    /// Where the geometry comes from, for a caption.
    pub provenance: &'static str,
}

/// The map, parsed once.
pub fn world() -> &'static WorldMap {
    static MAP: OnceLock<WorldMap> = OnceLock::new();
    MAP.get_or_init(|| parse(DATA).expect("data/world-110m.tsv is valid (tested)"))
}

fn parse(data: &'static str) -> Result<WorldMap, String> {
    let mut lines = data.lines();
    let header = lines.next().ok_or("world-110m.tsv is empty")?;
    let provenance = header.trim_start_matches("# ");
    let view = header
        .split("viewBox 0 0 ")
        .nth(1)
        .ok_or("world-110m.tsv line 1: no viewBox")?;
    let mut dims = view
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .filter(|s| !s.is_empty());
    let mut next = || -> Result<f64, String> {
        dims.next().and_then(|s| s.parse().ok()).ok_or_else(|| {
            "world-110m.tsv line 1: the viewBox needs a width and height".to_string()
        })
    };
    let (width, height) = (next()?, next()?);
    if lines.next() != Some("numeric\tname\tpath") {
        return Err("world-110m.tsv line 2: expected the header numeric, name, path".into());
    }
    let mut shapes = Vec::new();
    for (n, line) in lines.enumerate() {
        let mut cells = line.splitn(3, '\t');
        let (Some(_numeric), Some(name), Some(path)) = (cells.next(), cells.next(), cells.next())
        else {
            return Err(format!("world-110m.tsv line {}: needs three cells", n + 3));
        };
        let spelled = SPELLED_OUT
            .iter()
            .find(|(short, _)| *short == name)
            .map_or(name, |(_, long)| long);
        shapes.push(Shape {
            code: threatscape_sources::countries::to_alpha3(spelled),
            name,
            path,
        });
    }
    Ok(WorldMap {
        width,
        height,
        shapes,
        provenance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_state_drawn_at_this_scale_has_its_code() {
        let map = world();
        assert_eq!(map.shapes.len(), 176);
        assert!(map.provenance.contains("world-atlas 2.0.2"));
        let unmapped: Vec<&str> = map
            .shapes
            .iter()
            .filter(|s| s.code.is_none())
            .map(|s| s.name)
            .collect();
        eprintln!("drawn without a code: {unmapped:?}");
        for code in [
            "UKR", "RUS", "USA", "COD", "CAF", "SSD", "BIH", "SWZ", "CIV", "PRK", "KOR",
        ] {
            assert!(
                map.shapes.iter().any(|s| s.code == Some(code)),
                "{code} is not on the map"
            );
        }
        for s in &map.shapes {
            assert!(!s.path.is_empty(), "{} has no outline", s.name);
        }
        assert!(unmapped.len() <= 6, "{unmapped:?}");
    }
}
