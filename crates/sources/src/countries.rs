//! Country names as the trackers write them -> ISO 3166-1 alpha-3 codes.
//!
//! The table is the project's own copy of the facts, shipped as `data/countries.csv` (columns
//! `alpha3, alpha2, name, aliases, source`; aliases separated by `|`): the 193 Member States and
//! the two observer States from `shared/reference/member-states.csv` (names and alpha-3 codes),
//! their ISO 3166-1 alpha-2 codes, the other names trackers use for them ("US", "Russia",
//! "Korea, Republic of", "N Korea", "Iran (Islamic Republic of)"...), and the non-member
//! territories incident trackers name (Taiwan, Kosovo with the user-assigned `XKX`, Hong Kong,
//! Macao, Puerto Rico...). Edit the CSV to add a name; it is read once, on first use.
//!
//! Matching ignores case, accents, punctuation and a leading or trailing "the": "Côte d'Ivoire",
//! "COTE D'IVOIRE" and "Cote dIvoire" are one key. Codes (`US`, `USA`) match only when written
//! in capitals, so an ordinary word such as "in" or "no" is never read as a country code.
//! Regions ("Europe (region)"), organisations and "Unknown" are not countries and return None.

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/countries.csv");

/// One row of the table.
#[derive(Debug)]
struct Country {
    alpha3: String,
    alpha2: String,
    name: String,
}

#[derive(Debug)]
struct Table {
    countries: Vec<Country>,
    by_key: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(DATA).expect("data/countries.csv is valid (checked by its tests)"))
}

fn parse(data: &str) -> Result<Table, String> {
    let mut reader = csv::Reader::from_reader(data.as_bytes());
    let mut countries = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut by_code = HashMap::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("countries.csv: {e}"))?;
        let line = i + 2;
        let (alpha3, alpha2, name, aliases) = (
            rec.get(0).unwrap_or("").trim(),
            rec.get(1).unwrap_or("").trim(),
            rec.get(2).unwrap_or("").trim(),
            rec.get(3).unwrap_or(""),
        );
        if alpha3.len() != 3 || alpha2.len() != 2 || name.is_empty() {
            return Err(format!(
                "countries.csv line {line}: needs alpha3, alpha2 and name"
            ));
        }
        let idx = countries.len();
        for code in [alpha3, alpha2] {
            if by_code.insert(code.to_string(), idx).is_some() {
                return Err(format!("countries.csv line {line}: code {code} repeated"));
            }
        }
        for n in std::iter::once(name).chain(aliases.split('|')) {
            let key = normalise(n);
            if key.is_empty() {
                continue;
            }
            if let Some(&other) = by_key.get(&key) {
                if other != idx {
                    return Err(format!(
                        "countries.csv line {line}: `{n}` already names {}",
                        countries
                            .get(other)
                            .map(|c: &Country| c.alpha3.as_str())
                            .unwrap_or("?")
                    ));
                }
            }
            by_key.insert(key, idx);
        }
        countries.push(Country {
            alpha3: alpha3.to_string(),
            alpha2: alpha2.to_string(),
            name: name.to_string(),
        });
    }
    Ok(Table {
        countries,
        by_key,
        by_code,
    })
}

/// The matching key of a name: lower case, accents folded to ASCII, apostrophes dropped, other
/// punctuation as spaces, a leading or trailing "the" removed.
fn normalise(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '\'' | '’' | '‘' | '`' | 'ʻ' => {}
            c if c.is_alphanumeric() => {
                for l in c.to_lowercase() {
                    s.push_str(fold(l));
                }
            }
            _ => s.push(' '),
        }
    }
    let mut words: Vec<&str> = s.split_whitespace().collect();
    if words.first() == Some(&"the") {
        words.remove(0);
    }
    if words.len() > 1 && words.last() == Some(&"the") {
        words.pop();
    }
    words.join(" ")
}

/// A lower-case letter without its accent (the Latin letters country names use).
fn fold(c: char) -> &'static str {
    const PLAIN: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        c => match PLAIN.find(c) {
            Some(i) => &PLAIN[i..i + 1],
            // Other scripts are kept out of the key; no name in the table needs them.
            None => "",
        },
    }
}

fn lookup(name: &str) -> Option<&'static Country> {
    let t = table();
    let trimmed = name.trim();
    let is_code =
        (2..=3).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_uppercase());
    let idx = if is_code {
        t.by_code.get(trimmed).copied()
    } else {
        None
    }
    .or_else(|| t.by_key.get(&normalise(trimmed)).copied())?;
    t.countries.get(idx)
}

/// The ISO 3166-1 alpha-3 code of a country named as the trackers name it (a name, an alias, or
/// an alpha-2 / alpha-3 code in capitals), or None when it is not recognised.
pub fn to_alpha3(name: &str) -> Option<&'static str> {
    lookup(name).map(|c| c.alpha3.as_str())
}

/// The ISO 3166-1 alpha-2 code for a recognised country name or code.
pub fn to_alpha2(name: &str) -> Option<&'static str> {
    lookup(name).map(|c| c.alpha2.as_str())
}

/// The table's name for an alpha-3 code (the UN short name for Member States).
pub fn name_of(alpha3: &str) -> Option<&'static str> {
    let t = table();
    t.by_code
        .get(alpha3)
        .and_then(|&i| t.countries.get(i))
        .filter(|c| c.alpha3 == alpha3)
        .map(|c| c.name.as_str())
}

/// Splits a cell that lists several countries with commas ("United States, Israel") while
/// keeping names that contain a comma whole ("Korea, Republic of", "Palestine, State of").
/// Parts are trimmed; the cell comes back as one part when it has no comma.
pub fn split_country_list(cell: &str) -> Vec<String> {
    let parts: Vec<&str> = cell.split(',').map(str::trim).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        // Prefer the longest run of parts that names one country ("Congo, the Democratic
        // Republic of the" has three).
        let mut taken = 1;
        for n in (2..=3.min(parts.len() - i)).rev() {
            if to_alpha3(&parts[i..i + n].join(", ")).is_some() {
                taken = n;
                break;
            }
        }
        let joined = parts[i..i + taken].join(", ");
        if !joined.is_empty() {
            out.push(joined);
        }
        i += taken;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_is_valid() {
        let t = parse(DATA).unwrap();
        assert!(t.countries.len() >= 195 + 20, "{}", t.countries.len());
        assert_eq!(t.countries.iter().filter(|c| c.alpha3 == "PSE").count(), 1);
    }

    #[test]
    fn tracker_names_are_recognised() {
        for (name, code) in [
            ("US", "USA"),
            ("United States", "USA"),
            ("United States of America", "USA"),
            ("U.S.", "USA"),
            ("us", "USA"),
            ("Russia", "RUS"),
            ("Russian Federation", "RUS"),
            ("Russia ", "RUS"),
            ("UK", "GBR"),
            ("United Kingdom", "GBR"),
            ("Iran", "IRN"),
            ("Iran, Islamic Republic of", "IRN"),
            ("Iran (Islamic Republic of)", "IRN"),
            ("North Korea", "PRK"),
            ("N Korea", "PRK"),
            ("Korea, Democratic People's Republic of", "PRK"),
            ("Korea (Democratic People's Republic of)", "PRK"),
            ("South Korea", "KOR"),
            ("S Korea", "KOR"),
            ("Korea, Republic of", "KOR"),
            ("Korea (Republic of)", "KOR"),
            ("Taiwan", "TWN"),
            ("Palestine", "PSE"),
            ("Palestine, State of", "PSE"),
            ("Kosovo", "XKX"),
            ("Hong Kong", "HKG"),
            ("Macao", "MAC"),
            ("Holy See (Vatican City State)", "VAT"),
            ("The Philippines", "PHL"),
            ("Viet Nam", "VNM"),
            ("Vietnam", "VNM"),
            ("Türkiye", "TUR"),
            ("Turkey", "TUR"),
            ("TURKIYE", "TUR"),
            ("Côte d'Ivoire", "CIV"),
            ("cote divoire", "CIV"),
            ("Congo, the Democratic Republic of the", "COD"),
            ("Congo", "COG"),
            ("Czech Republic", "CZE"),
            ("Swaziland", "SWZ"),
            ("Syria", "SYR"),
            ("Moldova, Republic of", "MDA"),
            ("DEU", "DEU"),
            ("DE", "DEU"),
            ("Georgia", "GEO"),
        ] {
            assert_eq!(to_alpha3(name), Some(code), "{name}");
        }
        assert_eq!(to_alpha2("Russia"), Some("RU"));
        assert_eq!(
            name_of("GBR"),
            Some("United Kingdom of Great Britain and Northern Ireland")
        );
        assert_eq!(name_of("GB"), None);
    }

    #[test]
    fn non_countries_are_not_recognised() {
        for name in [
            "",
            "Unknown",
            "Not available",
            "Europe (region)",
            "Global (region)",
            "Korea",
            "United Nations",
            "in",
            "no",
            "Espionage",
        ] {
            assert_eq!(to_alpha3(name), None, "{name}");
        }
    }

    #[test]
    fn country_lists_split_at_commas_between_countries() {
        assert_eq!(
            split_country_list("United States, Israel"),
            vec!["United States", "Israel"]
        );
        assert_eq!(
            split_country_list("Palestine, State of"),
            vec!["Palestine, State of"]
        );
        assert_eq!(
            split_country_list("Korea, Republic of, Japan"),
            vec!["Korea, Republic of", "Japan"]
        );
        assert_eq!(
            split_country_list("Congo, the Democratic Republic of the"),
            vec!["Congo, the Democratic Republic of the"]
        );
        assert_eq!(split_country_list("China"), vec!["China"]);
    }
}
