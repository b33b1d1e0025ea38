//! One test per feature of the pair score, through the public API.

use threatscape_model::Report;
use threatscape_reconcile::{report_key, AliasTable, Options, Reconciler};

use crate::support::r;

/// Unrelated reports, so that term frequencies look like a corpus.
fn background() -> Vec<Report> {
    let topics = [
        (
            "Ransomware hits a hospital",
            "A hospital network is hit by ransomware and diverts ambulances.",
            "USA",
        ),
        (
            "DDoS against a bank",
            "A bank website is unavailable after a denial of service flood.",
            "FRA",
        ),
        (
            "Defacement of a ministry site",
            "Hacktivists deface the ministry of education website.",
            "IND",
        ),
        (
            "Espionage against diplomats",
            "Spear-phishing emails deliver a backdoor to embassy staff.",
            "DEU",
        ),
        (
            "Data leak at a retailer",
            "Customer records of a retailer are posted on a forum.",
            "GBR",
        ),
        (
            "Wiper at an energy firm",
            "Destructive malware erases workstations at an energy company.",
            "SAU",
        ),
    ];
    let mut out = Vec::new();
    for year in 2012..2020 {
        for (k, (title, desc, country)) in topics.iter().enumerate() {
            out.push(
                r("bg", &format!("{year}-{k}"), title)
                    .desc(desc)
                    .on(&format!("{year}-0{}-1{k}", k + 2))
                    .victim(None, Some(country))
                    .done(),
            );
        }
    }
    out
}

/// Scores reports `a` and `b` (appended to the background) and returns the evidence and score.
fn score(reconciler: &Reconciler, a: Report, b: Report) -> (f64, Vec<String>) {
    let mut reports = background();
    let i = reports.len();
    reports.push(a);
    reports.push(b);
    let m = reconciler.score_pairs(&reports, &[(i, i + 1)]).remove(0);
    (m.score, m.evidence)
}

fn has(evidence: &[String], needle: &str) -> bool {
    evidence.iter().any(|e| e.contains(needle))
}

#[test]
fn dates_compare_at_the_coarser_precision() {
    let rec = Reconciler::default();
    let base = || r("a", "1", "Grid outage").desc("Substation control systems tampered with.");
    let other = |id: &str| r("b", id, "Power cut").desc("Operators lose control of breakers.");
    let (day, ev) = score(
        &rec,
        base().on("2015-12-23").done(),
        other("1").on("2015-12-23").done(),
    );
    assert!(has(&ev, "same day 2015-12-23"), "{ev:?}");
    let (month, ev) = score(
        &rec,
        base().on("2015-12-23").done(),
        other("2").on("2015-12").done(),
    );
    assert!(has(&ev, "same month 2015-12"), "{ev:?}");
    let (year, ev) = score(
        &rec,
        base().on("2015-12-23").done(),
        other("3").on("2015").done(),
    );
    assert!(has(&ev, "same year 2015"), "{ev:?}");
    assert!(day > month && month > year, "{day} {month} {year}");
    let (_, ev) = score(
        &rec,
        base().on("2015-12-23").done(),
        other("4").on("2015-12-30").done(),
    );
    assert!(has(&ev, "7 days apart (2015-12-23, 2015-12-30)"), "{ev:?}");
    // A campaign's span counts: an intrusion running into December meets a disclosure inside it,
    // and its end meets a later one.
    let (_, ev) = score(
        &rec,
        base().span("2019-09-04", "2020-12-17").done(),
        other("5").on("2020-12-13").done(),
    );
    assert!(
        has(&ev, "within the campaign 2019-09-04..2020-12-17"),
        "{ev:?}"
    );
    let (_, ev) = score(
        &rec,
        base().span("2019-09-04", "2020-12-17").done(),
        other("6").on("2020-12-21").done(),
    );
    assert!(has(&ev, "4 days apart (2020-12-17, 2020-12-21)"), "{ev:?}");
}

#[test]
fn dates_too_far_apart_never_merge_automatically() {
    let rec = Reconciler::default();
    let text = "Operators of the regional grid lose control of breakers; substations go dark.";
    let reports = vec![
        r("a", "1", "Grid outage in the west")
            .desc(text)
            .on("2015-12-23")
            .victim(None, Some("UKR"))
            .done(),
        r("b", "1", "Grid outage in the west")
            .desc(text)
            .on("2016-12-17")
            .victim(None, Some("UKR"))
            .done(),
    ];
    let ev = rec.score_pairs(&reports, &[(0, 1)]).remove(0);
    assert!(
        has(&ev.evidence, "dates more than 180 days apart"),
        "{:?}",
        ev.evidence
    );
    assert_eq!(rec.reconcile(&reports, &[]).incidents.len(), 2);
}

#[test]
fn victim_countries_and_organisations() {
    let rec = Reconciler::default();
    let a = || {
        r("a", "1", "Oil services firm hit by wiper")
            .desc("Servers in several countries are erased.")
            .on("2018-12-10")
            .kind("Data destruction")
    };
    let (same, ev) = score(
        &rec,
        a().victim(Some("Saipem S.p.A."), Some("ITA")).done(),
        r("b", "1", "Attack on an Italian contractor")
            .desc("Servers erased across offices.")
            .on("2018-12-10")
            .victim(Some("SAIPEM"), Some("ITA"))
            .done(),
    );
    assert!(has(&ev, "victim country ITA"), "{ev:?}");
    assert!(has(&ev, "victim organisation: saipem"), "{ev:?}");
    let (diff, ev) = score(
        &rec,
        a().victim(Some("Saipem S.p.A."), Some("ITA")).done(),
        r("b", "2", "Attack on a shipping firm")
            .desc("Servers erased across offices.")
            .on("2018-12-10")
            .victim(Some("Maersk"), Some("DNK"))
            .done(),
    );
    assert!(has(&ev, "different victim countries ITA vs DNK"), "{ev:?}");
    assert!(has(&ev, "different victim organisations"), "{ev:?}");
    assert!(same > diff + 1.0, "{same} vs {diff}");
    // An organisation named in the other report's text counts too.
    let (_, ev) = score(
        &rec,
        a().victim(Some("Saipem"), None).done(),
        r("c", "1", "Shamoon variant")
            .desc("A new variant erased servers of Saipem in the Middle East.")
            .on("2018-12-12")
            .done(),
    );
    assert!(has(&ev, "victim organisation: saipem"), "{ev:?}");
}

#[test]
fn actor_aliases_from_the_builtin_list() {
    let rec = Reconciler::default();
    let (with, ev) = score(
        &rec,
        r("a", "1", "Grid outage")
            .on("2016-12-17")
            .actor("Sandworm", Some("RUS"))
            .done(),
        r("b", "1", "Kyiv blackout")
            .on("2016-12-17")
            .actor("Voodoo Bear", Some("RUS"))
            .done(),
    );
    assert!(has(&ev, "actor alias: "), "{ev:?}");
    assert!(has(&ev, "actor country RUS"), "{ev:?}");
    let (without, ev) = score(
        &rec,
        r("a", "1", "Grid outage")
            .on("2016-12-17")
            .actor("Sandworm", Some("RUS"))
            .done(),
        r("b", "1", "Kyiv blackout")
            .on("2016-12-17")
            .actor("Fancy Bear", Some("RUS"))
            .done(),
    );
    assert!(has(&ev, "different actors"), "{ev:?}");
    assert!(with > without + 0.5);
    // EuRepoC-style packed alias lists resolve by majority.
    let (_, ev) = score(
        &rec,
        r("a", "1", "Heist")
            .on("2016-02-04")
            .actor(
                "Lazarus Group/Labyrinth Chollima/HIDDEN COBRA/Guardians of Peace",
                None,
            )
            .done(),
        r("b", "1", "Bank theft")
            .on("2016-02-05")
            .actor("APT38", None)
            .done(),
    );
    assert!(has(&ev, "actor alias: lazarus"), "{ev:?}");
    // A State named as the actor is a sponsor, not a group.
    let (_, ev) = score(
        &rec,
        r("a", "1", "Heist")
            .on("2016-02-04")
            .state("Korea (Democratic People's Republic of)", "PRK")
            .done(),
        r("b", "1", "Bank theft")
            .on("2016-02-05")
            .actor("Lazarus Group", Some("PRK"))
            .done(),
    );
    assert!(
        has(&ev, "actor country PRK") && !has(&ev, "different actors"),
        "{ev:?}"
    );
}

#[test]
fn actor_aliases_from_the_misp_galaxy() {
    let Some(path) = threatscape_testkit::shared_data("misp-galaxy/clusters/threat-actor.json")
    else {
        return;
    };
    let mut galaxy = AliasTable::empty();
    let added = galaxy.add_misp_galaxy_file(&path).expect("galaxy reads");
    assert!(added > 900, "{added} groups");
    assert!(galaxy.same_actor("Sandworm", "Quedagh"));
    assert!(galaxy.same_actor("APT 33", "Elfin"));
    assert!(!galaxy.same_actor("APT28", "APT29"));
    let rec = Reconciler::default()
        .with_aliases_from_misp_galaxy(&path)
        .expect("galaxy reads");
    assert!(rec.aliases().groups() > added);
    assert!(rec.aliases().same_actor("Voodoo Bear", "Quedagh"));
    assert!(Reconciler::default()
        .with_aliases_from_misp_galaxy("/nonexistent/galaxy.json")
        .is_err());
}

#[test]
fn kinds_agree_or_conflict() {
    let rec = Reconciler::default();
    let (_, ev) = score(
        &rec,
        r("a", "1", "Port operator")
            .on("2020-03-03")
            .kind("Ransomware")
            .done(),
        r("b", "1", "Terminal systems down")
            .on("2020-03-03")
            .kind("ransomware attack")
            .done(),
    );
    assert!(has(&ev, "kind ransomware"), "{ev:?}");
    let (_, ev) = score(
        &rec,
        r("a", "1", "Ministry")
            .on("2020-03-03")
            .kind("Espionage")
            .done(),
        r("b", "1", "Ministry").on("2020-03-03").kind("DDoS").done(),
    );
    assert!(has(&ev, "conflicting kinds"), "{ev:?}");
}

#[test]
fn text_similarity_and_named_incidents() {
    let rec = Reconciler::default();
    let (named, ev) = score(
        &rec,
        r("a", "1", "NotPetya")
            .desc("A tool encrypting master boot records spread through accounting software.")
            .on("2017-06-27")
            .done(),
        r("b", "1", "Not-Petya world wide breach")
            .desc("Worldwide outbreak through a tax software update.")
            .on("2017-06-28")
            .done(),
    );
    assert!(has(&ev, "named incident: notpetya"), "{ev:?}");
    assert!(has(&ev, "title similarity"), "{ev:?}");
    let (plain, _) = score(
        &rec,
        r("a", "1", "Petya")
            .desc("A tool encrypting master boot records spread through accounting software.")
            .on("2017-06-27")
            .done(),
        r("b", "1", "World wide breach")
            .desc("Worldwide outbreak through a tax software update.")
            .on("2017-06-28")
            .done(),
    );
    assert!(named > plain + 1.0, "{named} vs {plain}");
    let (same_text, ev) = score(
        &rec,
        r("a", "1", "Phishing wave against parliament")
            .desc("Members of parliament receive lures carrying a credential harvester.")
            .on("2019-05-05")
            .done(),
        r("b", "1", "Parliament phishing wave")
            .desc("Lures carrying a credential harvester reach members of parliament.")
            .on("2019-05-06")
            .done(),
    );
    assert!(
        has(&ev, "text similarity 0.") || has(&ev, "text similarity 1."),
        "{ev:?}"
    );
    assert!(same_text > 2.0, "{same_text}: {ev:?}");
}

#[test]
fn one_source_needs_more_than_two_sources_but_copies_merge() {
    let rec = Reconciler::default();
    let text = "Three banks are hit by the same crew in May, losing up to three million dollars.";
    let reports = vec![
        r("cissm", "1", "Prime Bank")
            .desc(text)
            .on("2019-07-03")
            .victim(Some("Prime Bank"), None)
            .done(),
        r("cissm", "2", "NCC Bank")
            .desc(text)
            .on("2019-07-03")
            .victim(Some("NCC Bank"), None)
            .done(),
        r("cissm", "3", "Dutch Bangla Bank")
            .desc(text)
            .on("2019-07-03")
            .victim(Some("Dutch Bangla Bank"), None)
            .done(),
        r("cissm", "4", "Other bank")
            .desc("A different bank reports a breach of its card system.")
            .on("2019-07-03")
            .victim(Some("City Bank"), None)
            .done(),
    ];
    let out = rec.reconcile(&reports, &[]);
    let of = out.incident_of();
    assert_eq!(of[0], of[1]);
    assert_eq!(of[1], of[2]);
    assert_ne!(of[0], of[3]);
    let cluster = &out.incidents[of[0]];
    assert_eq!(cluster.merges.len(), 2);
    assert!(cluster
        .merges
        .iter()
        .all(|m| m.rule_version == threatscape_reconcile::RULE_VERSION));
    assert!(cluster
        .merges
        .iter()
        .all(|m| m.evidence.iter().any(|e| e.contains("a repeated row"))));
}

#[test]
fn report_keys_are_stable() {
    let a = r("eurepoc", "842", "Heist").done();
    assert_eq!(report_key(&a), "eurepoc:842");
    let b = r("native", "x", "Heist").no_id().done();
    let k = report_key(&b);
    assert!(
        k.starts_with("native:sha256:") && k.len() == "native:sha256:".len() + 64,
        "{k}"
    );
    assert_eq!(report_key(&b.clone()), k);
    let mut c = b.clone();
    c.original.push(' ');
    assert_ne!(report_key(&c), k);
}

#[test]
fn blocking_compares_far_fewer_pairs_than_all() {
    // 3,000 reports: 1,000 incidents each told by three sources with different wording.
    let mut reports = Vec::new();
    for k in 0..1000 {
        let day = format!(
            "{}-{:02}-{:02}",
            2010 + k % 12,
            1 + (k / 12) % 12,
            1 + k % 28
        );
        let name = format!("Operation Q{k}x{}", k * 7919 % 1000);
        for (s, wording) in ["outage at", "intrusion into", "breach of"]
            .iter()
            .enumerate()
        {
            reports.push(
                r(
                    &format!("src{s}"),
                    &k.to_string(),
                    &format!("{name}: {wording} victim{k}"),
                )
                .desc(&format!(
                    "Report {s} on {name} against victim{k} and its affiliate v{}z.",
                    k * 31
                ))
                .on(&day)
                .victim(
                    Some(&format!("Victim{k} Holdings")),
                    Some(["UKR", "USA", "FRA", "JPN"][k % 4]),
                )
                .done(),
            );
        }
    }
    let rec = Reconciler::new(Options::default());
    let out = rec.reconcile(&reports, &[]);
    let n = reports.len();
    assert!(
        out.stats.candidate_pairs < n * n / 2 / 20,
        "{:?}",
        out.stats
    );
    assert_eq!(out.incidents.len(), 1000, "{:?}", out.stats);
    assert!(out.incidents.iter().all(|c| c.members.len() == 3));
}

#[test]
fn agreeing_dates_and_countries_alone_do_not_merge() {
    let rec = Reconciler::default();
    let a = r("a", "1", "Ministry mailboxes accessed")
        .desc("Staff mailboxes at a ministry were read for months.")
        .on("2019-03-05")
        .victim(None, Some("FRA"))
        .state("Russia", "RUS")
        .done();
    let b = r("b", "1", "Port cranes halted")
        .desc("Container terminal operations stopped after an intrusion.")
        .on("2019-03-05")
        .victim(None, Some("FRA"))
        .state("Russian Federation", "RUS")
        .done();
    let (_, ev) = score(&rec, a, b);
    assert!(has(&ev, "nothing identifies the incident"), "{ev:?}");
    assert!(has(&ev, "not accepted"), "{ev:?}");
}

#[test]
fn actor_profiles_do_not_merge_with_incidents() {
    let rec = Reconciler::default();
    let profile = r("cfr", "p", "Lazarus Group")
        .desc("This threat actor targets banks, media and defence firms in many countries.")
        .on("2016-02-01")
        .actor("Lazarus Group", Some("PRK"))
        .victim(Some("Bangladesh Bank"), None)
        .done();
    let incident = r("eurepoc", "842", "Bangladesh central bank heist")
        .desc("Eighty million dollars were stolen from Bangladesh Bank through forged transfers.")
        .on("2016-02-04")
        .actor("Lazarus Group", Some("PRK"))
        .victim(Some("Bangladesh Bank"), None)
        .done();
    let (_, ev) = score(&rec, profile, incident);
    assert!(has(&ev, "actor profile"), "{ev:?}");
    assert!(has(&ev, "not accepted"), "{ev:?}");
}
