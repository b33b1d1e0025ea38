//! Actor alias tables: which names mean the same threat actor.
//!
//! The project's own short list (`data/aliases.csv`, compiled in) covers the best-known groups; the
//! MISP threat-actor galaxy adds the long tail when its path is given at run time. Names map to
//! *sets* of actor ids, and two actors are the same when their sets meet: a name the galaxy lists
//! under several groups stays ambiguous instead of fusing those groups into one.

use std::collections::HashMap;
use std::path::Path;

use crate::text::compact;

/// The project's hand-written alias list, compiled into the crate.
const BUILTIN: &str = include_str!("../data/aliases.csv");

/// A galaxy name listed under more groups than this is too ambiguous to mean anything.
const MAX_GALAXY_GROUPS_PER_NAME: usize = 2;

/// Actor names and the groups they designate.
#[derive(Debug, Clone, Default)]
pub struct AliasTable {
    names: HashMap<String, Vec<u32>>,
    groups: Vec<String>,
}

/// Why an alias source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AliasError {
    /// The file could not be read.
    #[error("{path}: cannot read the alias file: {source}")]
    Io {
        /// The file.
        path: String,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a MISP galaxy cluster file.
    #[error("{path}: not a MISP galaxy cluster file ({reason}); expected an object with a \"values\" array of {{\"value\", \"meta\": {{\"synonyms\"}}}}")]
    Galaxy {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A line of an alias CSV is malformed.
    #[error("alias list line {line}: {reason}; expected `actor,name|name|...`")]
    Csv {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

#[derive(serde::Deserialize)]
struct GalaxyFile {
    values: Vec<GalaxyValue>,
}

#[derive(serde::Deserialize)]
struct GalaxyValue {
    value: String,
    #[serde(default)]
    meta: Option<GalaxyMeta>,
}

#[derive(serde::Deserialize)]
struct GalaxyMeta {
    #[serde(default)]
    synonyms: Vec<String>,
}

impl AliasTable {
    /// Every name with the groups it designates, sorted: the table's content in an order that
    /// does not depend on hashing (for [`crate::Reconciler::fingerprint`]).
    pub(crate) fn canonical(&self) -> Vec<(&str, Vec<&str>)> {
        let mut out: Vec<(&str, Vec<&str>)> = self
            .names
            .iter()
            .map(|(name, groups)| {
                let mut g: Vec<&str> = groups
                    .iter()
                    .map(|&i| self.groups[i as usize].as_str())
                    .collect();
                g.sort_unstable();
                (name.as_str(), g)
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// An empty table: every actor name stands only for itself.
    pub fn empty() -> Self {
        AliasTable::default()
    }

    /// The project's own list of the best-known actors (always available, no I/O).
    pub fn builtin() -> Self {
        let mut table = AliasTable::empty();
        table
            .add_csv(BUILTIN)
            .expect("the compiled-in alias list is well formed (tested)");
        table
    }

    /// Adds groups from text in the `data/aliases.csv` format: `#` comments, a header line
    /// `actor,aliases`, then `id,name|name|...` per group.
    pub fn add_csv(&mut self, text: &str) -> Result<usize, AliasError> {
        let mut added = 0;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line == "actor,aliases" {
                continue;
            }
            let Some((id, names)) = line.split_once(',') else {
                return Err(AliasError::Csv {
                    line: n + 1,
                    reason: "no comma".into(),
                });
            };
            let names: Vec<&str> = names.split('|').map(str::trim).collect();
            if id.trim().is_empty() || names.iter().all(|n| n.is_empty()) {
                return Err(AliasError::Csv {
                    line: n + 1,
                    reason: "empty actor id or no names".into(),
                });
            }
            self.add_group(id.trim(), &names);
            added += 1;
        }
        Ok(added)
    }

    /// Adds one group: every name in `names` (and `id` itself) designates it.
    pub fn add_group(&mut self, id: &str, names: &[&str]) -> u32 {
        let gid = self.groups.len() as u32;
        self.groups.push(id.to_string());
        for name in names.iter().copied().chain(std::iter::once(id)) {
            let key = compact(name);
            if key.len() < 3 {
                continue;
            }
            let ids = self.names.entry(key).or_default();
            if !ids.contains(&gid) {
                ids.push(gid);
            }
        }
        gid
    }

    /// Adds the groups of a MISP threat-actor galaxy cluster file given as JSON text (each
    /// value's name and `meta.synonyms`). Names already listed under more than two galaxy groups
    /// are left out as ambiguous. Returns how many groups were added.
    pub fn add_misp_galaxy_json(&mut self, json: &str) -> Result<usize, String> {
        let file: GalaxyFile = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut galaxy_groups_per_name: HashMap<String, usize> = HashMap::new();
        for v in &file.values {
            let mut keys: Vec<String> = std::iter::once(&v.value)
                .chain(v.meta.iter().flat_map(|m| m.synonyms.iter()))
                .map(|n| compact(n))
                .collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                *galaxy_groups_per_name.entry(k).or_default() += 1;
            }
        }
        let mut added = 0;
        for v in &file.values {
            let names: Vec<&str> = std::iter::once(v.value.as_str())
                .chain(
                    v.meta
                        .iter()
                        .flat_map(|m| m.synonyms.iter().map(String::as_str)),
                )
                .filter(|n| {
                    galaxy_groups_per_name
                        .get(&compact(n))
                        .is_some_and(|&c| c <= MAX_GALAXY_GROUPS_PER_NAME)
                })
                .collect();
            if names.is_empty() {
                continue;
            }
            self.add_group(&format!("misp:{}", v.value), &names);
            added += 1;
        }
        Ok(added)
    }

    /// Reads a MISP threat-actor galaxy cluster file (e.g. `clusters/threat-actor.json`) and adds
    /// its groups.
    pub fn add_misp_galaxy_file(&mut self, path: &Path) -> Result<usize, AliasError> {
        let text = std::fs::read_to_string(path).map_err(|source| AliasError::Io {
            path: path.display().to_string(),
            source,
        })?;
        self.add_misp_galaxy_json(&text)
            .map_err(|reason| AliasError::Galaxy {
                path: path.display().to_string(),
                reason,
            })
    }

    /// The groups a name designates (empty when the table does not know it).
    pub fn lookup(&self, name: &str) -> &[u32] {
        self.lookup_compact(&compact(name))
    }

    pub(crate) fn lookup_compact(&self, key: &str) -> &[u32] {
        self.names.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The id of a group (`sandworm`, `misp:Sandworm`).
    pub fn group_id(&self, group: u32) -> &str {
        &self.groups[group as usize]
    }

    /// How many groups the table knows.
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// The key the names of one actor share: `group:` and the id of the first group the table
    /// lists the name under ("Cl0p" and "Clop" are both `group:clop`), else the name compacted to
    /// lowercase letters and digits ("NoName057(16)" is `noname05716`).
    pub fn actor_key(&self, name: &str) -> String {
        let key = compact(name);
        match self.lookup_compact(&key).iter().min() {
            Some(&g) => format!("group:{}", self.group_id(g)),
            None => key,
        }
    }

    /// Whether two names designate a common group.
    pub fn same_actor(&self, a: &str, b: &str) -> bool {
        let (x, y) = (self.lookup(a), self.lookup(b));
        x.iter().any(|g| y.contains(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_actors_names_share_a_key() {
        let t = AliasTable::builtin();
        assert_eq!(t.actor_key("Cl0p"), t.actor_key("Clop"));
        assert_eq!(t.actor_key("Cl0p"), "group:clop");
        assert_eq!(t.actor_key("Some New Crew"), "somenewcrew");
        assert_ne!(t.actor_key("Killnet"), t.actor_key("Clop"));
    }

    #[test]
    fn builtin_list_knows_the_famous_groups() {
        let t = AliasTable::builtin();
        assert!(t.same_actor("Sandworm", "Voodoo Bear"));
        assert!(t.same_actor("seashell blizzard", "TeleBots"));
        assert!(t.same_actor("APT 28", "Fancy Bear"));
        assert!(t.same_actor("Cozy Bear", "UNC2452"));
        assert!(t.same_actor("HIDDEN COBRA", "Lazarus Group"));
        assert!(!t.same_actor("Fancy Bear", "Cozy Bear"));
        assert!(t.lookup("nobody in particular").is_empty());
    }

    #[test]
    fn galaxy_names_shared_by_many_groups_are_ambiguous() {
        let json = r#"{"values":[
            {"value":"Alpha","meta":{"synonyms":["Shared","Alpha Bear"]}},
            {"value":"Beta","meta":{"synonyms":["Shared"]}},
            {"value":"Gamma","meta":{"synonyms":["Shared"]}},
            {"value":"Delta"}]}"#;
        let mut t = AliasTable::empty();
        assert_eq!(t.add_misp_galaxy_json(json).unwrap(), 4);
        assert!(t.same_actor("alpha bear", "ALPHA"));
        assert!(t.lookup("Shared").is_empty());
        assert!(t.add_misp_galaxy_json("[]").is_err());
    }
}
