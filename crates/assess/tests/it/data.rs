//! The built-in data: it loads, every crosswalk is consistent with the projection used in the
//! evaluation, and a folder can override it.

use threatscape_assess::crosswalk::EMIT_THRESHOLD;
use threatscape_assess::eval::Projection;
use threatscape_assess::{Assessor, Dimension, Relation};

#[test]
fn builtin_data_loads() {
    let a = Assessor::load_builtin().expect("built-in data");
    assert!(a.vocabularies.sectors.contains("health.hospitals"));
    assert!(a.rules.rules.len() > 50);
    let sectors = a.crosswalks.coverage(Dimension::Sector);
    assert!(sectors.iter().any(|(v, n)| v == "misp-sector" && *n == 118));
}

/// A `same` row of enough confidence projects back onto its own source label: classifying a
/// record by that label alone and projecting the result gives the label again.
#[test]
fn crosswalks_round_trip() {
    let a = Assessor::builtin();
    for row in a.crosswalks.rows() {
        if row.relation != Relation::Same || row.confidence < EMIT_THRESHOLD {
            continue;
        }
        let p = Projection::new(a, row.dimension, &row.vocabulary, &[&row.source_label], &[]);
        assert!(
            p.project(&row.canonical).contains(&row.source_label),
            "{}: {} -> {} does not project back",
            row.origin,
            row.source_label,
            row.canonical
        );
    }
}

/// A folder overrides the built-in files it has and adds crosswalks; a bad file is named.
#[test]
fn a_folder_overrides_the_builtin_data() {
    let dir = std::env::temp_dir().join(format!("assess-data-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("crosswalks")).unwrap();
    std::fs::write(
        dir.join("rules.toml"),
        "version = \"local-1\"\n[negation]\ncues = [\"not\"]\nwindow = 2\n\n\
         [[rule]]\nid = \"t.r\"\nlabel = \"threat:ransomware\"\nconfidence = 0.9\nphrases = [\"locker\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("crosswalks/sector-local.csv"),
        "vocabulary,source_label,canonical,relation,confidence,notes\nlocal,Spitäler,health.hospitals,same,0.9,\n",
    )
    .unwrap();
    let a = Assessor::from_dir(&dir).expect("the folder loads");
    assert_eq!(a.rules.version, "local-1");
    // The folder's rules replace the built-in rules.toml; the built-in organisations.toml, which
    // the folder does not have, is read beside them.
    assert!(a.rules.rules.iter().any(|r| r.id == "t.r"));
    assert!(a
        .rules
        .rules
        .iter()
        .all(|r| r.id == "t.r" || r.id.ends_with(".named")));
    let rows = a.crosswalks.lookup(Dimension::Sector, "local", "spitäler");
    assert_eq!(rows[0].canonical, "health.hospitals");
    assert!(!a
        .crosswalks
        .lookup(Dimension::Sector, "naics", "622110")
        .is_empty());

    std::fs::write(
        dir.join("crosswalks/sector-local.csv"),
        "vocabulary,source_label,canonical,relation,confidence,notes\nlocal,X,no-such-sector,same,0.9,\n",
    )
    .unwrap();
    let err = Assessor::from_dir(&dir).unwrap_err().to_string();
    assert!(
        err.contains("sector-local.csv")
            && err.contains("line 2")
            && err.contains("no-such-sector"),
        "{err}"
    );
    // A folder that is not there is refused, not read as "no file replaced".
    let err = Assessor::from_dir(&dir.join("no-such-folder"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no-such-folder") && err.contains("no such folder"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The conflict, agenda and norm files are data like the others: a folder overrides them, and a
/// mistake is named by file, rule and reason.
#[test]
fn link_files_are_checked_and_overridable() {
    let dir = std::env::temp_dir().join(format!("assess-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let norms = "version = \"local-norms\"\n\n[[rule]]\nid = \"k.local\"\nlabel = \"k\"\nconfidence = 0.9\n\
                 all = [[\"victim-name:national cert\"]]\nrationale = \"A CERT was hit ({evidence}).\"\n";
    std::fs::write(dir.join("norms.toml"), norms).unwrap();
    let a = Assessor::from_dir(&dir).expect("the folder loads");
    assert_eq!(a.norms.version, "local-norms");
    assert_eq!(a.norms.rules.len(), 1);
    assert!(a.agenda.rules.len() > 10, "the built-in agenda rules stay");
    assert!(a
        .vocabularies
        .conflicts
        .contains("russia-ukraine.full-scale-invasion"));
    assert!(a.vocabularies.agenda.contains("nonprolif-dprk"));

    for (file, text, expect) in [
        (
            "agenda.toml",
            "version = \"x\"\n[[rule]]\nid = \"bad.item\"\nlabel = \"no-such-item\"\nconfidence = 0.5\nall = [[\"threat:wiper\"]]\nrationale = \"r\"\n",
            ["agenda.toml", "bad.item", "no-such-item"],
        ),
        (
            "agenda.toml",
            "version = \"x\"\n[[rule]]\nid = \"bad.condition\"\nlabel = \"poc\"\nconfidence = 0.5\nall = [[\"sector:hospitalz\"]]\nrationale = \"r\"\n",
            ["agenda.toml", "bad.condition", "hospitalz"],
        ),
        (
            "conflicts.toml",
            "version = \"x\"\n[linking]\ncoded = 0.9\nopposing-sides = 0.8\nopposing-weak = 0.6\nparty-and-cue = 0.7\naligned-actor = 0.6\nparty-only = 0.3\ncue-only = 0.5\nspill-over = 0.8\nspill-over-global = 0.6\n\
             [[conflict]]\nid = \"x\"\nname = \"X\"\nstart = \"2020-13-01\"\nsources = [\"s\"]\n[[conflict.side]]\nstates = [\"AAA\"]\n[[conflict.side]]\nstates = [\"BBB\"]\n",
            ["conflicts.toml", "conflict \"x\"", "2020-13-01"],
        ),
    ] {
        std::fs::remove_file(dir.join("norms.toml")).ok();
        std::fs::write(dir.join(file), text).unwrap();
        let err = Assessor::from_dir(&dir).unwrap_err().to_string();
        for e in expect {
            assert!(err.contains(e), "{err} lacks {e}");
        }
        std::fs::remove_file(dir.join(file)).unwrap();
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// An exception that can share no word with its rule's phrases masks nothing, and an analyst who
/// wrote it believes a reading excluded that is not: the file is refused, naming the rule and
/// the exception. One that can is loaded.
#[test]
fn an_exception_that_masks_nothing_is_refused() {
    let dir = std::env::temp_dir().join(format!("assess-except-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = |except: &str| {
        format!(
            "version = \"local-1\"\n[negation]\ncues = [\"not\"]\nwindow = 2\n\n\
             [[rule]]\nid = \"s.h\"\nlabel = \"sector:health.hospitals\"\nconfidence = 0.9\n\
             phrases = [\"hospital*\"]\nexcept = [{except}]\n"
        )
    };
    std::fs::write(dir.join("rules.toml"), rules("\"field hospital*\"")).unwrap();
    Assessor::from_dir(&dir).expect("an exception that can overlap a phrase loads");
    std::fs::write(dir.join("rules.toml"), rules("\"field clinic*\"")).unwrap();
    let err = Assessor::from_dir(&dir).unwrap_err().to_string();
    assert!(
        err.contains("rules.toml")
            && err.contains("rule \"s.h\"")
            && err.contains("`field clinic*`")
            && err.contains("masks nothing"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `victims_block` asks that a phrase in a victim's name block the rule, which cannot be if the
/// rule reads the victims' names too: loading says so, naming the rule.
#[test]
fn a_rule_both_read_and_blocked_by_victims_is_refused() {
    let dir = std::env::temp_dir().join(format!("assess-victims-block-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = |fields: &str| {
        format!(
            "version = \"local-1\"\n[negation]\ncues = [\"not\"]\nwindow = 2\n\n\
             [[rule]]\nid = \"a.t\"\nlabel = \"actor:terrorist\"\nconfidence = 0.7\n\
             phrases = [\"isis\"]\nvictims_block = true\n{fields}"
        )
    };
    std::fs::write(
        dir.join("rules.toml"),
        rules("fields = [\"title\", \"description\"]\n"),
    )
    .unwrap();
    Assessor::from_dir(&dir).expect("a rule that leaves the victims' names out loads");
    std::fs::write(dir.join("rules.toml"), rules("")).unwrap();
    let err = Assessor::from_dir(&dir).unwrap_err().to_string();
    assert!(
        err.contains("rules.toml") && err.contains("rule \"a.t\"") && err.contains("victims_block"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Which labels an incident has only when its author is named a State or State-affiliated actor
/// (a briefing counts those against the attributions public yet), and how a source's actor
/// category reads.
#[test]
fn labels_that_wait_on_a_state_being_named() {
    let a = Assessor::builtin();
    let bound = |d: Dimension, l: &str| a.rests_on_state_attribution(d, l);
    assert!(bound(Dimension::Actor, "state"));
    assert!(bound(Dimension::Actor, "state-affiliated"));
    assert!(!bound(Dimension::Actor, "criminal"));
    assert!(!bound(Dimension::Actor, "hacktivist"));
    // Norm (f) needs a State or State-affiliated actor; the agenda item on State activity against
    // critical infrastructure rests on norm (f).
    assert!(bound(Dimension::Norm, "f"));
    assert!(bound(Dimension::Agenda, "mips"));
    // A conflict's country item, ransomware and health care do not.
    assert!(!bound(Dimension::Agenda, "ukraine-2022"));
    assert!(!bound(Dimension::Threat, "ransomware"));
    assert!(!bound(Dimension::Sector, "health"));
    assert!(!bound(Dimension::Norm, "no-such-norm"));

    assert_eq!(a.actor_category("State"), Some("state"));
    assert_eq!(a.actor_category("State; State"), Some("state"));
    assert_eq!(
        a.actor_category("Non-state actor, state-affiliation suggested"),
        Some("state-affiliated")
    );
    // EuRepoC's "Non-state-group" is criminal, hacktivist or terrorist by its subcategory: its
    // rows are too weak to judge alone.
    assert_eq!(a.actor_category("Non-state-group"), None);
    assert_eq!(a.actor_category("no such category at all"), None);
}
