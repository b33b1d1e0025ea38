//! Real cases, described in the project's own words, come out with the labels and rationales an
//! analyst expects.

use threatscape_assess::text::Texts;
use threatscape_assess::{assess_reports, Assessment, Assessor, Dimension, Mode};
use threatscape_model::{
    Actor, Contributor, ContributorType, DateSpan, FuzzyDate, Provenance, Reliability, Report, Tlp,
    Victim,
};

/// A State's attack on a hospital foiled before it took effect may still engage norm (f), by the
/// intent it shows, and its rationale says so: it never says the State disrupted or damaged
/// anything (norms 2026-11.6). One that took effect is damage done.
#[test]
fn a_foiled_state_attack_engages_norm_f_as_an_attempt() {
    let norm_f = |description: &str| {
        let mut r = report(
            "n",
            "Ransomware attack on a children's hospital",
            description,
        );
        r.actors = vec![state_actor("A State's intelligence service", "IRN")];
        let a = Assessor::builtin().assess_incident(std::slice::from_ref(&r), &[]);
        let f = a
            .finding(Dimension::Norm, "f")
            .unwrap_or_else(|| panic!("no norm (f): {description}"))
            .clone();
        (f.rule_ids().join(" "), f.confidence)
    };
    let (rules, confidence) = norm_f(
        "The hospital says it thwarted a ransomware attack by government-backed hackers in June.",
    );
    assert_eq!(rules, "link:f.state-attempts-ci");
    assert!((0.5..=0.6).contains(&confidence), "{confidence}");
    let (rules, _) = norm_f(
        "Government-backed hackers encrypted the hospital's servers and staff returned to paper records.",
    );
    assert_eq!(rules, "link:f.state-damages-ci");
}

fn report(id: &str, title: &str, description: &str) -> Report {
    Report {
        provenance: Provenance {
            format: "native".into(),
            file: "cases".into(),
            locator: format!("case {id}"),
        },
        contributor: Contributor {
            name: "Test desk".into(),
            type_: ContributorType::UnSystem,
            reliability: Reliability::B,
        },
        source_id: Some(id.into()),
        title: title.into(),
        description: Some(description.into()),
        urls: Vec::new(),
        occurred: None,
        disclosed: None,
        reported: None,
        victims: Vec::new(),
        actors: Vec::new(),
        attributions: Vec::new(),
        kinds: Vec::new(),
        tags: Vec::new(),
        tlp: Tlp::Clear,
        credibility: None,
        original: String::new(),
    }
}

fn state_actor(name: &str, country: &str) -> Actor {
    Actor {
        name: name.into(),
        aliases: Vec::new(),
        country: Some(country.into()),
        category: Some("State".into()),
    }
}

/// A victim known only by its name, as a report names it.
fn named_victim(name: &str) -> Victim {
    Victim {
        name: Some(name.into()),
        ..Victim::default()
    }
}

/// The sectors the text rules find in a report, merged and ranked as an assessment ranks them:
/// strongest first, ties by label.
fn sectors_by_strength(r: &Report) -> Vec<threatscape_assess::Finding> {
    let rules = Assessor::builtin().rules.apply(&Texts::of(r), None);
    threatscape_assess::judgment::merge(rules)
        .into_iter()
        .filter(|f| f.dimension == Dimension::Sector)
        .collect()
}

/// The labels of one dimension the text rules find in a report, as judged (unmerged).
fn rule_labels(r: &Report, d: Dimension) -> Vec<String> {
    Assessor::builtin()
        .rules
        .apply(&Texts::of(r), None)
        .into_iter()
        .filter(|j| j.dimension == d)
        .map(|j| j.label)
        .collect()
}

fn has(a: &Assessment, d: Dimension, label: &str) -> bool {
    let vocab = Assessor::builtin().vocabularies.get(d);
    a.labels(d).iter().any(|l| vocab.is_within(l, label))
}

/// Whether the text rule `rule` (its id without `rule:`) fires on a report saying `description`.
fn fires(rule: &str, description: &str) -> bool {
    fires_on_report(rule, "Report", description)
}

/// Whether the text rule `rule` fires on a report of this title and description (the rules of
/// well-known names read the title and the victims' names only).
fn fires_on_report(rule: &str, title: &str, description: &str) -> bool {
    let r = report("text", title, description);
    let id = format!("rule:{rule}");
    Assessor::builtin()
        .rules
        .apply(&Texts::of(&r), None)
        .iter()
        .any(|j| j.rule_id == id)
}

/// Asserts that the text rules read the actor category `actor` in a report of this title and
/// description, and no longer once `victim` is named as its victim: whom a report names as hit is
/// not its actor.
fn a_named_victim_is_not_the_actor(actor: &str, title: &str, description: &str, victim: &str) {
    let mut r = report("victim-named", title, description);
    let actors = |r: &Report| rule_labels(r, Dimension::Actor);
    assert!(actors(&r).iter().any(|a| a == actor), "{title}: {actor}");
    r.victims.push(named_victim(victim));
    assert!(
        !actors(&r).iter().any(|a| a == actor),
        "{title}: not {actor} with {victim}"
    );
}

/// Asserts that the text rule `rule` fires on each of `fires_on` and on none of `silent_on`.
fn reads(rule: &str, fires_on: &[&str], silent_on: &[&str]) {
    for text in fires_on {
        assert!(fires(rule, text), "{rule} should fire on: {text}");
    }
    for text in silent_on {
        assert!(!fires(rule, text), "{rule} should not fire on: {text}");
    }
}

#[test]
fn wannacry() {
    let mut r = report(
        "wannacry",
        "WannaCry ransomware worm hits hospitals worldwide",
        "A self-spreading ransomware worm encrypted files on hundreds of thousands of computers in \
         some 150 countries in May 2017. Hospitals of the UK National Health Service cancelled \
         operations and diverted ambulances. The United States and the United Kingdom later \
         attributed the worm to North Korea's Lazarus Group.",
    );
    r.actors.push(state_actor("Lazarus Group", "PRK"));
    r.occurred = Some(DateSpan {
        start: FuzzyDate::day(2017, 5, 12).unwrap(),
        end: Some(FuzzyDate::day(2017, 5, 15).unwrap()),
    });
    let a = assess_reports(&[r]);
    assert!(has(&a, Dimension::Threat, "ransomware"));
    assert!(has(&a, Dimension::Sector, "health.hospitals"));
    assert!(has(&a, Dimension::Actor, "state"));
    assert!(has(&a, Dimension::Harm, "physical"));
    assert!(has(&a, Dimension::Population, "patients"));
    assert!(has(&a, Dimension::Scale, "global"));
    // Ransomware 2 + hospitals 2 + widespread and worldwide 1 + three days 0.5 + physical 1 +
    // patients 1 (the README's worked example).
    assert_eq!(a.intensity.score, 7.5, "{:#?}", a.intensity);
    let f = a.finding(Dimension::Threat, "ransomware").unwrap();
    assert!(f.judgments[0]
        .evidence
        .iter()
        .any(|e| e.contains("ransomware")));
    assert_eq!(f.judgments[0].made_by, Assessor::builtin().rules.version);
    // A State actor's ransomware disrupting hospitals may engage norm (f); DPRK ransomware bears
    // on the 1718 regime; disrupted health care on the protection of civilians.
    assert!(
        has(&a, Dimension::Norm, "f"),
        "{:?}",
        a.labels(Dimension::Norm)
    );
    assert!(
        has(&a, Dimension::Agenda, "nonprolif-dprk"),
        "{:?}",
        a.labels(Dimension::Agenda)
    );
    assert!(has(&a, Dimension::Agenda, "poc"));
    assert!(a.labels(Dimension::Conflict).is_empty());
}

#[test]
fn notpetya_is_a_wiper_disguised_as_ransomware() {
    let mut r = report(
        "notpetya",
        "NotPetya: destructive malware disguised as ransomware",
        "In June 2017 malware posing as ransomware spread through a compromised software update of \
         a Ukrainian accounting package, wiping computers at Ukrainian banks and energy companies and \
         at multinationals such as the shipping company Maersk. Files could not be decrypted: \
         there was no way to recover them. Several governments attributed it to Russia's GRU.",
    );
    r.actors.push(state_actor("GRU", "RUS"));
    let a = assess_reports(std::slice::from_ref(&r));
    assert!(has(&a, Dimension::Threat, "pseudo-ransomware"));
    assert!(
        !has(&a, Dimension::Threat, "ransomware"),
        "{:?}",
        a.labels(Dimension::Threat)
    );
    assert!(has(&a, Dimension::Threat, "wiper"));
    assert!(has(&a, Dimension::Threat, "supply-chain"));
    assert!(has(&a, Dimension::Sector, "finance"));
    assert!(has(&a, Dimension::Sector, "energy"));
    assert!(has(&a, Dimension::Sector, "transport.maritime"));
    assert!(has(&a, Dimension::Actor, "state"));
    let decoy = a.finding(Dimension::Threat, "pseudo-ransomware").unwrap();
    assert!(
        decoy.judgments[0]
            .evidence
            .iter()
            .any(|e| e.starts_with("overrides threat:ransomware")),
        "{:?}",
        decoy.judgments[0].evidence
    );

    // Another account of the incident, a tracker that codes it as ransomware: the decoy found in
    // the first is what that account saw, so the incident is not counted as ransomware.
    let mut coded = report(
        "notpetya-coded",
        "NotPetya",
        "Malware spread through an accounting software update.",
    );
    coded.provenance.format = "dcid".into();
    coded.kinds = vec!["Ransomware".into()];
    let both = assess_reports(&[r.clone(), coded.clone()]);
    assert!(
        !both.labels(Dimension::Threat).contains(&"ransomware"),
        "{:?}",
        both.labels(Dimension::Threat)
    );
    assert!(both
        .labels(Dimension::Threat)
        .contains(&"pseudo-ransomware"));
    // An analyst who rejects the decoy gets the tracker's ransomware back.
    let reject = threatscape_assess::Decision {
        incident: r.key(),
        dimension: Dimension::Threat,
        label: "pseudo-ransomware".into(),
        verdict: threatscape_assess::Verdict::Reject,
        reason: "a working decryptor was found".into(),
        analyst: "analyst".into(),
        recorded_at: None,
        seq: None,
    };
    let decided = Assessor::builtin().assess_incident(&[r, coded], &[reject]);
    assert!(
        decided.labels(Dimension::Threat).contains(&"ransomware"),
        "{:?}",
        decided.labels(Dimension::Threat)
    );
}

#[test]
fn viasat_ka_sat() {
    let mut r = report(
        "viasat",
        "Wiper attack on the KA-SAT satellite network",
        "On 24 February 2022, as Russian forces invaded Ukraine, attackers pushed a wiper to \
         thousands of KA-SAT satellite modems, cutting internet access for Ukrainian users and \
         disabling the remote monitoring of thousands of wind turbines in Germany.",
    );
    r.actors.push(state_actor("Russia", "RUS"));
    r.victims.push(Victim {
        name: Some("Viasat".into()),
        country: Some("UKR".into()),
        ..Victim::default()
    });
    r.victims.push(Victim {
        name: Some("Enercon".into()),
        country: Some("DEU".into()),
        ..Victim::default()
    });
    let a = assess_reports(&[r]);
    assert!(has(&a, Dimension::Sector, "space"));
    assert!(has(&a, Dimension::Threat, "wiper"));
    assert!(has(&a, Dimension::Scale, "widespread"));
    assert!(has(&a, Dimension::Actor, "state"));
    let scale = a
        .intensity
        .components
        .iter()
        .find(|c| c.name == "scale")
        .unwrap();
    assert!(scale.value >= 1.5, "{scale:?}");
    // No date field: the text's "as Russian forces invaded Ukraine" and the Russian State actor
    // link it; the German victim is a third State.
    assert!(
        has(&a, Dimension::Conflict, "russia-ukraine"),
        "{:?}",
        a.of(Dimension::Conflict).collect::<Vec<_>>()
    );
    let spill = a
        .finding(Dimension::SpillOver, "russia-ukraine")
        .expect("spill-over");
    assert_eq!(threatscape_assess::conflict::third_states(spill), ["DEU"]);
    assert!(
        has(&a, Dimension::Norm, "f"),
        "{:?}",
        a.labels(Dimension::Norm)
    );
    // The wind turbines that lost their remote monitoring are energy infrastructure too.
    assert!(has(&a, Dimension::Sector, "telecommunications"));
    assert!(has(&a, Dimension::Sector, "energy"));
}

#[test]
fn lazarus_cryptocurrency_theft() {
    let r = report(
        "ronin",
        "Lazarus Group steals 620 million dollars in cryptocurrency from the Ronin bridge",
        "North Korean state-sponsored hackers of the Lazarus Group drained about 620 million \
         dollars in ether and stablecoins from the Ronin bridge of a blockchain game in March 2022.",
    );
    let a = assess_reports(&[r]);
    assert!(has(&a, Dimension::Threat, "financial-theft.cryptocurrency"));
    assert!(has(&a, Dimension::Sector, "finance.crypto"));
    assert!(has(&a, Dimension::Actor, "state-affiliated"));
    assert!(has(&a, Dimension::Harm, "economic"));
    // No country field: the text's "North Korean" and "Lazarus" carry the 1718 link.
    assert!(
        has(&a, Dimension::Agenda, "nonprolif-dprk"),
        "{:?}",
        a.labels(Dimension::Agenda)
    );
}

#[test]
fn money_stolen_by_its_amount_is_financial_theft_and_records_are_not() {
    // A bank heist told by its sum, with no word for the heist: financial theft, and with DPRK
    // named, the 1718 regime.
    let heist = report(
        "banks",
        "Global bank attacks",
        "A North Korean group is believed to have stolen hundreds of millions of dollars by \
         infiltrating the computer systems of banks around the world since 2014.",
    );
    let a = assess_reports(&[heist]);
    assert!(
        has(&a, Dimension::Threat, "financial-theft"),
        "{:?}",
        a.labels(Dimension::Threat)
    );
    let theft = a.finding(Dimension::Threat, "financial-theft").unwrap();
    assert!(
        theft
            .rule_ids()
            .contains(&"rule:threat.financial-theft.amount"),
        "{theft:#?}"
    );
    assert!(has(&a, Dimension::Agenda, "nonprolif-dprk"));
    // A figure inside the gap does not hide the sum ("stole ~ million in"). Millions of records
    // are not money; a ransom is extortion, not theft of funds.
    reads(
        "threat.financial-theft.amount",
        &["A state-linked group stole at least $35 million in pandemic relief payments meant for \
           small firms."],
        &[
            "Hackers stole 5 million customer records from a retailer and sold them.",
            "The gang stole files and demanded a ransom of 5 million dollars.",
        ],
    );
}

#[test]
fn credentials_siphoned_and_atms_knocked_out_are_no_theft_of_money() {
    reads(
        "threat.financial-theft",
        &["The group siphoned funds from the central bank's account."],
        &[
            "Intruders siphoned operator credentials, then cut power to 230,000 homes for six hours.",
            "A flood of traffic took the bank's website offline and halted ATM services for a day.",
        ],
    );
    // Exchanges targeted to raise money: theft of cryptocurrency.
    assert!(fires(
        "threat.financial-theft.cryptocurrency",
        "A threat actor targeted cryptocurrency exchanges for the purpose of raising money."
    ));
}

#[test]
fn data_extortion_without_encryption_is_not_ransomware() {
    for extortion in [
        "The extortion group stole customer files and demanded payment not to publish them.",
        "Lapsus$ stole source code from the chipmaker and threatened to leak it.",
        "Karakurt exfiltrated data and extorted the clinic.",
    ] {
        let r = report("extortion", "Extortion", extortion);
        let rules = Assessor::builtin().rules.apply(&Texts::of(&r), None);
        assert!(
            rules.iter().all(|j| j.label != "ransomware"),
            "{extortion}: {rules:#?}"
        );
    }
    assert!(fires(
        "threat.ransomware",
        "The gang stole the files, then encrypted the files and left a ransom note."
    ));
    assert!(fires(
        "threat.ransomware",
        "The gang encrypted and leaked data from a regional hospital group."
    ));
    // Files deleted with a word or two between are destroyed; a radio station hijacked to air the
    // attacker's message is an information operation.
    assert!(fires(
        "threat.wiper",
        "The malware deleted the school's files and emails."
    ));
    assert!(fires(
        "threat.information-operations.hijacked-accounts",
        "Hackers hijacked a Christian radio station and aired their own verses."
    ));
    // A victim on a gang's leak site had its data taken, whatever the encryption did.
    assert!(fires(
        "threat.espionage.leak-site",
        "The ransomware gang added the port operator to its leak site."
    ));
}

#[test]
fn icrc_data_breach() {
    let r = report(
        "icrc",
        "Data breach at the International Committee of the Red Cross",
        "In January 2022 attackers exploited an unpatched vulnerability to reach servers holding \
         the personal data of more than 515,000 people separated from their families by conflict, \
         migration and disaster, kept by the Red Cross and Red Crescent Movement to reunite them.",
    );
    let a = assess_reports(&[r]);
    assert!(has(
        &a,
        Dimension::Sector,
        "international-organisations.humanitarian"
    ));
    assert!(has(&a, Dimension::Threat, "espionage"));
    assert!(has(&a, Dimension::Population, "civilians"));
    assert!(
        has(&a, Dimension::Agenda, "poc"),
        "{:?}",
        a.labels(Dimension::Agenda)
    );
    let civ = a.finding(Dimension::Population, "civilians").unwrap();
    assert!(civ.rule_ids().iter().any(|r| r.starts_with("implies:")));
}

#[test]
fn an_incident_merges_its_reports_and_keeps_all_evidence() {
    let mut from_tracker = report("x1", "Hospital hit", "A regional hospital was hit.");
    from_tracker.provenance.format = "eurepoc".into();
    from_tracker.kinds = vec!["Ransomware".into()];
    from_tracker.victims.push(Victim {
        sectors: vec!["Critical infrastructure".into(), "Health".into()],
        ..Victim::default()
    });
    let from_cert = report(
        "x2",
        "Ransomware at a regional hospital",
        "Ransomware encrypted the hospital's patient records; surgeries were postponed.",
    );
    let a = assess_reports(&[from_tracker, from_cert]);
    let ransomware = a.finding(Dimension::Threat, "ransomware").unwrap();
    let rules = ransomware.rule_ids();
    assert!(
        rules.contains(&"crosswalk:eurepoc-incident-type:Ransomware"),
        "{rules:?}"
    );
    assert!(rules.contains(&"rule:threat.ransomware"));
    let reports: Vec<_> = ransomware
        .judgments
        .iter()
        .filter_map(|j| j.report.clone())
        .collect();
    assert!(
        reports.contains(&"eurepoc:x1".to_string()) && reports.contains(&"native:x2".to_string())
    );
    let health = a.finding(Dimension::Sector, "health").unwrap();
    assert!(health
        .evidence()
        .iter()
        .any(|e| e.contains("victims[0].sectors: \"Health\"")));
    // The broad "Critical infrastructure" label corroborates the text's hospitals, not more.
    let hospitals = a.finding(Dimension::Sector, "health.hospitals").unwrap();
    assert!(hospitals
        .rule_ids()
        .contains(&"crosswalk:eurepoc-receiver:Critical infrastructure"));
    assert!(a.finding(Dimension::Sector, "energy").is_none());
}

#[test]
fn negation_and_modes() {
    let mut r = report(
        "neg",
        "Outage at a water utility",
        "The outage at the water utility was not ransomware, officials said; a DDoS attack took \
         the billing website offline.",
    );
    r.provenance.format = "cfr".into();
    r.kinds = vec!["Espionage".into()];
    let a = Assessor::builtin();
    let text = a.classify_report(&r, Mode::TextOnly);
    assert!(text.iter().all(|j| j.label != "ransomware"));
    assert!(text.iter().any(|j| j.label == "ddos"));
    assert!(text.iter().all(|j| !j.rule_id.starts_with("crosswalk:")));
    let fields = a.classify_report(&r, Mode::FieldsOnly);
    assert!(fields
        .iter()
        .all(|j| j.rule_id == "crosswalk:cfr-type:Espionage"));
}

#[test]
fn a_victims_name_is_read_like_the_text_and_never_its_coding() {
    // The text says nothing of the sector; the victim's name does. Its coded sector ("Finance")
    // is a coding, which text-only classification must not read.
    let mut r = report(
        "victim-name",
        "Ransomware attack",
        "Systems were encrypted and services were unavailable for two days.",
    );
    r.provenance.format = "cissm".into();
    r.victims.push(Victim {
        name: Some("Northfield General Hospital".into()),
        sectors: vec!["Finance and Insurance".into()],
        ..Victim::default()
    });
    let a = Assessor::builtin();
    let text = a.classify_report(&r, Mode::TextOnly);
    let hospital = text
        .iter()
        .find(|j| j.dimension == Dimension::Sector && j.label == "health.hospitals")
        .unwrap_or_else(|| panic!("no hospital judgment from the victim's name: {text:#?}"));
    assert!(
        hospital
            .evidence
            .iter()
            .any(|e| e.starts_with("victims: ") && e.contains("Hospital")),
        "{hospital:?}"
    );
    assert!(
        text.iter().all(|j| j.label != "finance"),
        "the coded sector leaked into text-only classification: {text:#?}"
    );
    // Without the name, the same text gives no hospital from the rules.
    r.victims[0].name = None;
    let unnamed = a.rules.apply(&Texts::of(&r), None);
    assert!(unnamed
        .iter()
        .all(|j| !(j.dimension == Dimension::Sector && j.label == "health.hospitals")));
}

#[test]
fn the_victim_a_report_names_comes_first_and_a_government_behind_it_is_no_victim() {
    let a = Assessor::builtin();
    // The description talks of ministries and officials; the victim's name says who was hit.
    let mut r = report(
        "bank",
        "Phishing campaign",
        "The lures imitated ministry tenders and letters from government officials.",
    );
    r.victims.push(named_victim("A regional savings bank"));
    let rules = a.rules.apply(&Texts::of(&r), None);
    let confidence = |label: &str| {
        rules
            .iter()
            .find(|j| j.label == label)
            .unwrap_or_else(|| panic!("no {label}: {rules:#?}"))
            .confidence
    };
    assert!(
        confidence("finance") > confidence("government"),
        "{rules:#?}"
    );

    // A government or an army named as the actor, with names of one or two words, is not a
    // victim; the same words with the government as the target are.
    for actor in [
        "The Saudi Arabian government used flaws in the SS7 network to track dissidents abroad.",
        "A threat actor aligned with the Vietnamese government stole trade secrets from carmakers.",
        "An operation backed by the Emirati government infected the phones of activists.",
        "Units of the People's Liberation Army stole designs; the IT Army of Ukraine hit a bank.",
        "The U.S. government is accused of planting implants in routers sold abroad.",
        "The Chinese government DDoSed a Hong Kong forum through a man-in-the-middle attack.",
        "A spy tool was used by Ethiopian government agencies to spy on dissidents abroad.",
    ] {
        let r = report("actor", "Targeting of activists", actor);
        let rules = a.rules.apply(&Texts::of(&r), None);
        assert!(
            rules.iter().all(|j| j.rule_id != "rule:sector.government"
                && j.rule_id != "rule:sector.defence.military"),
            "{actor}: {rules:#?}"
        );
    }
    for victim in [
        "Hackers stole documents from the networks of the Vietnamese government.",
        "Servers run by the Vietnamese government were breached.",
    ] {
        let r = report("victim", "Targeting of ministries", victim);
        let rules = a.rules.apply(&Texts::of(&r), None);
        assert!(
            rules.iter().any(|j| j.rule_id == "rule:sector.government"),
            "{victim}: {rules:#?}"
        );
    }
    // A campaign for the presidency is a political campaign, not the presidency.
    let r = report(
        "campaign",
        "Targeting of a campaign",
        "Phishing emails reached the staff of a presidential candidate's campaign.",
    );
    let rules = a.rules.apply(&Texts::of(&r), None);
    assert!(
        rules.iter().all(|j| j.rule_id != "rule:sector.government"),
        "{rules:#?}"
    );
    assert!(
        rules.iter().any(|j| j.label == "elections.parties"),
        "{rules:#?}"
    );
    // A party is a party, unless it is only someone ("an unauthorized party").
    reads(
        "sector.elections.parties",
        &["The website of the Pirate Party was knocked offline."],
        &[
            "An unauthorized party accessed the records.",
            "A hostile party targeted the servers; third parties were told.",
        ],
    );
    assert!(fires(
        "sector.defence.military",
        "The Royal AirForce website was defaced."
    ));
    // The users of a service, hit as such, are individuals.
    assert!(fires(
        "sector.individuals",
        "The agency collected the webcam images of millions of webmail users."
    ));
}

#[test]
fn what_a_report_says_a_victim_is_outranks_the_words_of_its_name() {
    // The strongest sector the rules find for a report naming `victim`.
    let first = |title: &str, victim: &str| -> (String, String) {
        let mut r = report("described", title, title);
        r.victims.push(named_victim(victim));
        let sectors = sectors_by_strength(&r);
        let top = sectors
            .first()
            .unwrap_or_else(|| panic!("{title}: no sector"));
        (top.label.clone(), top.evidence().join("; "))
    };
    // A name says "Energy" or "Payment Systems"; the report says what the company does.
    for (title, victim, sector) in [
        (
            "The Australian software provider Energy One confirms it was hit by a cyberattack.",
            "Energy One",
            "ict.software",
        ),
        (
            "Software firm Bluefin Payment Systems is added to the list of the gang's victims.",
            "Bluefin Payment Systems",
            "ict.software",
        ),
        // The head of the description, not a word before it: a software company for gyms.
        (
            "Irish gym management software company Glofox investigates a data breach.",
            "Glofox",
            "ict.software",
        ),
        // An apposition, up to its qualifier.
        (
            "Studio Barba, an Italian accounting firm, is hit by a ransomware attack.",
            "Studio Barba",
            "commercial.professional",
        ),
        (
            "The Reading Light Department (RMLD), an electric utility in Massachusetts, is hit.",
            "Reading Light Department (RMLD)",
            "energy.electricity",
        ),
        // An agency that is a business is no government agency.
        (
            "Australian real estate agency Harcourts reveals it was affected by a cyber attack.",
            "Harcourts",
            "commercial.real-estate",
        ),
        (
            "Japanese eyeglass lens maker Hoya reports an attack at its production base.",
            "Hoya",
            "industry-ot.manufacturing",
        ),
    ] {
        let (label, evidence) = first(title, victim);
        assert_eq!(label, sector, "{title}: {evidence}");
        assert!(
            evidence.contains("victim descriptions: "),
            "{title}: {evidence}"
        );
    }
    reads(
        "sector.government",
        &["A government agency in Ohio was breached."],
        &["Australian real estate agency Harcourts was breached."],
    );
    reads(
        "sector.industry-ot.manufacturing",
        &["Toy maker Mattel was hit by ransomware."],
        &[
            "Policy makers in Brussels were phished.",
            "Apple app maker Panic lost its source code.",
        ],
    );
}

#[test]
fn a_well_known_organisation_named_as_the_victim_has_its_sector() {
    let a = Assessor::builtin();
    let named = |victim: &str, description: &str| -> Vec<String> {
        let mut r = report("named", "Cyberattack", description);
        r.victims.push(named_victim(victim));
        a.rules
            .apply(&Texts::of(&r), None)
            .into_iter()
            .filter(|j| j.rule_id.ends_with(".named"))
            .map(|j| j.label)
            .collect()
    };
    assert_eq!(
        named("Deutsche Telekom", "Customers' passwords are sold online."),
        ["telecommunications"]
    );
    assert_eq!(
        named("British Airways", "Staff data is stolen."),
        ["transport.aviation"]
    );
    assert_eq!(named("Colonial Pipeline", "Ransomware."), ["energy"]);
    assert_eq!(
        named("Doctors Without Borders", "A phishing wave."),
        ["international-organisations.humanitarian"]
    );
    // A platform where the victim's account is, is not the victim.
    assert!(named("A singer's Instagram account", "It posts giveaways.").is_empty());
    assert!(named("The LinkedIn page for a vendor", "It was hijacked.").is_empty());
    // A title names whom an operation hit; a news outlet in it is as often the source.
    let titled = |title: &str| -> Vec<String> {
        a.rules
            .apply(&Texts::of(&report("titled", title, "An attack.")), None)
            .into_iter()
            .filter(|j| j.rule_id.ends_with(".named"))
            .map(|j| j.label)
            .collect()
    };
    assert_eq!(
        titled("Hacktivists hit NATO websites with DDoS"),
        ["international-organisations"]
    );
    assert!(titled("Reuters reports attacks on bitcoin exchanges").is_empty());
    // A police body is named as the victim in the victims' names only: in a title it is as
    // often the one who warns or takes down.
    assert_eq!(
        named("FBI", "The data of 20,000 employees is dumped."),
        ["government.justice"]
    );
    assert!(titled("FBI warns of ransomware hitting hospitals").is_empty());
    assert_eq!(
        titled("Coca-Cola investigates claims of a cyberattack"),
        ["food-agriculture"]
    );
    // Names are not read in a description: there they are as often the
    // vendor of what was exploited or the source.
    let mut r = report(
        "vendor",
        "Routers exploited",
        "A flaw in Cisco routers let the actor into a regional utility; Microsoft said so.",
    );
    r.victims.push(named_victim("A regional utility"));
    assert!(a
        .rules
        .apply(&Texts::of(&r), None)
        .iter()
        .all(|j| !j.rule_id.ends_with(".named")));
}

#[test]
fn a_service_or_ministry_of_the_state_is_a_state_institution_first_and_its_trade_second() {
    for (text, trade) in [
        (
            "Ukraine's national postal service is hit with a DDoS attack.",
            "transport.logistics",
        ),
        (
            "A report from NASA reveals a security breach at a lab.",
            "space",
        ),
        (
            "The city's subway system was compromised.",
            "transport.rail",
        ),
        // A ministry or department named after a sector is the State's.
        (
            "The Department of Health and Human Services is listed among the gang's victims.",
            "health",
        ),
    ] {
        let sectors: Vec<(String, f64)> =
            sectors_by_strength(&report("state", "Cyberattack", text))
                .into_iter()
                .map(|j| (j.label, j.confidence))
                .collect();
        let strongest = sectors.first().map(|(l, _)| l.as_str());
        assert_eq!(strongest, Some("government"), "{text}: {sectors:?}");
        assert!(
            sectors.iter().any(|(l, _)| l == trade),
            "{text}: {sectors:?}"
        );
    }
}

#[test]
fn the_everyday_words_of_a_trade_in_a_victims_name_name_its_sector() {
    // A name often says the trade in the words everyone uses for it, in English or the local
    // language: a township, a radiology group, a life assurance company, a bookseller.
    for (victim, sector) in [
        ("Jackson Township", "government"),
        ("Unione dei Comuni Valdarno", "government"),
        ("Medford Radiology Group", "health.hospitals"),
        ("Clinica Santa Chiara", "health.hospitals"),
        ("Aurora National Life Assurance Company", "finance"),
        ("Seguros Equinoccial", "finance"),
        ("Fire Rescue Victoria", "emergency-services"),
        ("Dymocks Booksellers", "commercial.retail"),
        ("Universidad de Castilla-La Mancha", "education-research"),
        ("Arnoff Moving and Storage", "transport.logistics"),
        ("The Los Angeles Philharmonic", "commercial.entertainment"),
        ("Hong Kong Consumer Council", "government"),
        ("Advance America Cash Advance Centers", "finance"),
        ("Hartley & Stone LLP", "commercial.professional"),
    ] {
        let r = Report {
            victims: vec![named_victim(victim)],
            ..report(
                "named",
                "Cyberattack",
                "The organisation was hit by ransomware.",
            )
        };
        let strongest = sectors_by_strength(&r);
        assert_eq!(
            strongest.first().map(|f| f.label.as_str()),
            Some(sector),
            "{victim}: {strongest:?}"
        );
    }
}

#[test]
fn a_word_that_only_looks_like_a_sector_names_none() {
    // A company's legal form, a surname and research as a source are no sector.
    reads(
        "sector.industry-ot",
        &["The plant's PLCs were reprogrammed by the intruders."],
        &["Jasmine International PLC was breached by an unknown actor."],
    );
    reads(
        "sector.commercial.entertainment",
        &["The theme park's ticketing site was defaced."],
        &["Hackers stole the emails of John Parker."],
    );
    reads(
        "sector.education-research",
        &["A research institute in Seoul was breached."],
        &["The attack was described in new research published on Monday."],
    );
}

#[test]
fn a_membership_body_is_an_association_and_its_members_trade_ranks_first() {
    reads(
        "sector.civil-society-media.associations",
        &[
            "The British Judo Association shuts down its online membership portal.",
            "Hackers stole the data of all members of the trade body.",
        ],
        // "Association" as a link between two things names no victim.
        &["The malware was found in association with a phishing campaign."],
    );
    // A body named for nothing but its membership is an association...
    let judo = report(
        "judo",
        "Judo association hit",
        "A ransomware gang claims an attack on the National Judo Association.",
    );
    let strongest = sectors_by_strength(&judo);
    assert_eq!(strongest[0].label, "civil-society-media.associations");
    // ... and one whose members' trade is named is read by that trade first.
    let credit = Report {
        victims: vec![named_victim("Credit Union National Association")],
        ..report(
            "cuna",
            "Systems knocked offline",
            "Systems of the Credit Union National Association were knocked offline.",
        )
    };
    let strongest = sectors_by_strength(&credit);
    assert_eq!(strongest[0].label, "finance", "{strongest:?}");
}

#[test]
fn stolen_material_published_is_a_leak_and_forged_material_is_not() {
    reads(
        "threat.hack-and-leak",
        &[
            "Hacktivists broke into the ministry's server and published its internal emails.",
            "The intruders later released the trade documents to the press.",
            "The group publishes the login credentials of 300 officials.",
            "A hacker breaks into the consulate's site, steals and exposes user information.",
            "Hacktivists release the contact information of 200 police officers.",
            "Hackers stole medical records of athletes and published them online.",
        ],
        &[
            // Forgeries put out as if stolen are an information operation, not a leak.
            "Hackers used compromised news sites to publish fabricated documents about the alliance.",
            // A breach that exposed data made it reachable, not public.
            "The retailer discloses a data breach that exposed the personal data of its customers.",
        ],
    );
}

#[test]
fn breached_is_a_data_theft_only_where_the_text_speaks_of_data() {
    reads(
        "threat.espionage.breached",
        &[
            "Members were warned that their data may have been breached after the website was hacked.",
            "The agency's network was breached and files were copied.",
        ],
        &["Hackers breached the academy's website and posted a fake letter from its commander."],
    );
    // Getting in is not taking data: the posted letter is what the intruders did.
    let found = assess_reports(&[report(
        "academy",
        "Academy website hacked",
        "Hackers breached the academy's website and posted a fake letter from its commander.",
    )]);
    let threats = found.labels(Dimension::Threat);
    assert!(threats.contains(&"defacement"), "{threats:?}");
    assert!(!threats.contains(&"espionage"), "{threats:?}");
    // The noun keeps its everyday sense: a breach of a company is a data breach.
    assert!(fires(
        "threat.espionage.data-theft",
        "The retailer notifies customers of a security breach."
    ));
}

#[test]
fn a_terrorist_group_is_a_victim_only_where_it_is_the_target() {
    reads(
        "sector.non-state-armed-groups",
        &[
            "A national cyber command took the propaganda websites of the Islamic State offline.",
            "Hacktivists leaked the member list of a neo-Nazi group.",
            "Unknown attackers disrupted the forums of a jihadist group for a week.",
        ],
        &[
            "ISIS hackers defaced the website of a regional university.",
            "A hacker group linked to ISIS posted propaganda on hospital websites.",
            "Ministry websites were defaced by the Islamic State's sympathisers, then by supporters \
             of the Taliban.",
            "The group claimed its attacks were aimed at the neo-Nazi regime.",
        ],
    );
}

#[test]
fn the_model_fills_the_gaps_in_threat_kinds_and_adds_sectors() {
    use threatscape_assess::model::{terms, train, Example, TrainingOptions};
    // A model that reads the made-up word "zorblat" as espionage against finance, and "quux" as
    // DDoS against health: nothing else in these texts means anything to it.
    let example = |word: &str, kind: &str, sector: &str| Example {
        source: "a".into(),
        terms: terms(&Texts::new(Some(word), None, None)),
        labels: [
            (Dimension::Threat, kind.to_string()),
            (Dimension::Sector, sector.to_string()),
        ]
        .into(),
    };
    let examples: Vec<Example> = (0..20)
        .flat_map(|_| {
            [
                example("zorblat", "espionage", "finance"),
                example("quux", "ddos", "health"),
            ]
        })
        .collect();
    let mut a = Assessor::builtin().clone();
    a.model = Some(train(
        "t/1",
        "synthetic",
        &examples,
        &TrainingOptions::default(),
    ));
    let by = |j: &[threatscape_assess::Judgment], label: &str, prefix: &str| {
        j.iter()
            .any(|j| j.label == label && j.rule_id.starts_with(prefix))
    };
    // The rules find a DDoS: the model's espionage does not stand beside it, its sector does.
    let found = a.classify_report(
        &report("gap", "Zorblat", "A DDoS attack took the website offline."),
        Mode::TextOnly,
    );
    assert!(by(&found, "ddos", "rule:"), "{found:#?}");
    assert!(!found.iter().any(|j| j.label == "espionage"), "{found:#?}");
    assert!(by(&found, "finance", "model:"), "{found:#?}");
    // Beside the rules' DDoS, the model's own DDoS corroborates it.
    let found = a.classify_report(
        &report("gap-2", "Quux", "A DDoS attack took the website offline."),
        Mode::TextOnly,
    );
    assert!(by(&found, "ddos", "model:"), "{found:#?}");
    // Where no rule finds a kind, the model's stands alone.
    let found = a.classify_report(
        &report("gap-3", "Zorblat", "Something happened to the systems."),
        Mode::TextOnly,
    );
    assert!(by(&found, "espionage", "model:"), "{found:#?}");
    // An enabling kind (how access was gained, not what was done) leaves the gap open.
    let found = a.classify_report(
        &report(
            "gap-5",
            "Zorblat",
            "Someone obtained unauthorized access to the network.",
        ),
        Mode::TextOnly,
    );
    assert!(by(&found, "intrusion", "rule:"), "{found:#?}");
    assert!(
        !found
            .iter()
            .any(|j| j.label == "espionage" && j.rule_id.starts_with("rule:")),
        "{found:#?}"
    );
    assert!(by(&found, "espionage", "model:"), "{found:#?}");
    // A kind the coded fields give counts as found: the model's other kind stays silent.
    let mut coded = report("gap-4", "Quux", "Something happened to the systems.");
    coded.provenance.format = "cfr".into();
    coded.kinds = vec!["Espionage".into()];
    let found = a.classify_report(&coded, Mode::Full);
    assert!(by(&found, "espionage", "crosswalk:"), "{found:#?}");
    assert!(!found.iter().any(|j| j.label == "ddos"), "{found:#?}");
}

#[test]
fn misp_tags_and_state_responsibility() {
    let mut r = report("misp-1", "Event", "Nothing in the text.");
    r.provenance.format = "misp".into();
    r.tags = vec![
        "nis2:impact-sectors-impacted=\"health\"".into(),
        "dhs-ciip-sectors:DHS-critical-sectors=\"energy\"".into(),
        "ransomware-roles:1 - Initial Access Broker".into(),
        "state-responsibility:state-coordinated".into(),
    ];
    r.victims.push(Victim {
        sectors: vec!["Satellite navigation".into()],
        ..Victim::default()
    });
    let a = assess_reports(&[r]);
    assert!(has(&a, Dimension::Sector, "health"));
    assert!(has(&a, Dimension::Sector, "energy"));
    assert!(has(&a, Dimension::Sector, "space"));
    assert!(has(&a, Dimension::Raas, "initial-access-broker"));
    assert_eq!(a.labels(Dimension::Responsibility), ["state-coordinated"]);
}

/// An outage whose means the account does not state is an "unspecified disruption", never
/// a claimed DDoS; a kind that names the means supersedes it across the incident's reports, unless
/// an analyst rejected that kind.
#[test]
fn disruptions_and_hijacked_accounts_told_in_other_words() {
    reads(
        "threat.disruption.outage",
        &[
            "The attack rendered voter registrations impossible for a week.",
            "The fund's database was blocked and pension payments were suspended.",
        ],
        &[],
    );
    reads(
        "threat.disruption.offline",
        &["Hacktivists paralyze the broadcaster's live website for several hours."],
        &[],
    );
    reads(
        "threat.ddos",
        &["The group started DDOSing ministry sites after the border clash."],
        &[],
    );
    // A hijacked account is used to put out the attacker's message.
    reads(
        "threat.information-operations.hijacked-accounts",
        &[
            "Hackers post tweets on the broadcaster's account after they hacked it.",
            "The Twitter channel of the newspaper was hacked by the group.",
            "Hackers breach the vice minister's social network accounts.",
            // Sirens sounded by an intruder are a false public alert.
            "A computer hack sets off all the emergency sirens in the city for ninety minutes.",
        ],
        &[
            "The ministry's Twitter channel announced new rules.",
            "The city tested its emergency sirens after the storm.",
        ],
    );
}

#[test]
fn a_disruption_without_its_means_is_not_called_a_denial_of_service() {
    let a = Assessor::builtin();
    let outage = report(
        "port-1",
        "Cyberattack on a port operator",
        "The container terminal's booking website was knocked offline for two days; operations \
         were halted at three docks.",
    );
    let found = assess_reports(std::slice::from_ref(&outage));
    let threats = found.labels(Dimension::Threat);
    assert!(threats.contains(&"disruption"), "{threats:?}");
    assert!(!threats.contains(&"ddos"), "{threats:?}");
    let disruption = found
        .findings
        .iter()
        .find(|f| f.label == "disruption")
        .unwrap();
    assert!(
        disruption
            .evidence()
            .iter()
            .any(|e| e.contains("knocked offline") || e.contains("halted")),
        "{:?}",
        disruption.evidence()
    );

    // A second account names the flood: one DDoS, the generic kind set aside.
    let flood = report(
        "port-2",
        "Port operator hit by DDoS",
        "A distributed denial-of-service attack flooded the operator's servers with junk traffic.",
    );
    let both = assess_reports(&[outage.clone(), flood.clone()]);
    let threats = both.labels(Dimension::Threat);
    assert!(threats.contains(&"ddos"), "{threats:?}");
    assert!(!threats.contains(&"disruption"), "{threats:?}");

    // An analyst who rejects the DDoS gets the disruption back: a rejected kind supersedes nothing.
    let reject = threatscape_assess::Decision {
        incident: outage.key(),
        dimension: Dimension::Threat,
        label: "ddos".into(),
        verdict: threatscape_assess::Verdict::Reject,
        reason: "the flood was a different week".into(),
        analyst: "analyst".into(),
        recorded_at: None,
        seq: None,
    };
    let decided = a.assess_incident(&[outage, flood], &[reject]);
    let threats = decided.labels(Dimension::Threat);
    assert!(!threats.contains(&"ddos"), "{threats:?}");
    assert!(threats.contains(&"disruption"), "{threats:?}");

    // An attempt that was stopped is still a disruption in kind.
    let attempt = report(
        "water-attempt",
        "Attack on water utilities",
        "Hackers sought to cripple the computers that control water flow in two districts; the \
         attack was detected and stopped.",
    );
    let rules = a.rules.apply(&Texts::of(&attempt), None);
    assert!(
        rules
            .iter()
            .any(|j| j.rule_id == "rule:threat.disruption.outage"
                && j.evidence.iter().any(|e| e.contains("sought to cripple"))),
        "{rules:#?}"
    );

    // An operation against an adversary's capabilities is a disruption too, and so is a plant made
    // to stop; a victim's own shutdown after an intrusion is its response, not the effect.
    let outage_evidence = |id: &str, text: &str| -> Vec<String> {
        let r = report(id, "Operation", text);
        a.rules
            .apply(&Texts::of(&r), None)
            .into_iter()
            .filter(|j| j.rule_id == "rule:threat.disruption.outage")
            .flat_map(|j| j.evidence)
            .collect()
    };
    let against_botnet = outage_evidence(
        "botnet",
        "Military cyber units ran an operation to disrupt the botnet's command servers ahead of \
         the vote.",
    );
    assert!(
        against_botnet.iter().any(|e| e.contains("to disrupt")),
        "{against_botnet:?}"
    );
    let mill = outage_evidence(
        "mill",
        "Intruders reached the control systems of a paper mill, which caused two of its presses \
         to shut down.",
    );
    assert!(mill.iter().any(|e| e.contains("to shut down")), "{mill:?}");
    let precaution = outage_evidence(
        "precaution",
        "An intrusion into the ministry's mail server led the ministry to shut down its network \
         for a day.",
    );
    assert!(precaution.is_empty(), "{precaution:?}");
}

/// A sector only the text model gives is a finding with its probability, but no harm, population,
/// Council agenda item or norm rests on it alone: those need something a reader can check (a
/// rule's match, a source's coding) or an analyst's confirmation.
#[test]
fn the_text_models_guess_alone_grounds_no_link_or_harm() {
    use threatscape_assess::model::{terms, train, Example, TrainingOptions};
    // A model that reads the made-up word "quux" as a hospital; nothing else means anything to it.
    let example = |word: &str, sector: &str| Example {
        source: "a".into(),
        terms: terms(&Texts::new(Some(word), None, None)),
        labels: [(Dimension::Sector, sector.to_string())].into(),
    };
    let examples: Vec<Example> = (0..20)
        .flat_map(|_| {
            [
                example("quux", "health.hospitals"),
                example("zorblat", "finance"),
            ]
        })
        .collect();
    let mut a = Assessor::builtin().clone();
    a.model = Some(train(
        "t/1",
        "synthetic",
        &examples,
        &TrainingOptions::default(),
    ));
    let mut r = report(
        "guess-1",
        "Quux",
        "A State's operators disrupted the systems with ransomware and the operations halted.",
    );
    r.actors = vec![state_actor("Unit 1", "RUS")];
    r.victims = vec![Victim {
        country: Some("UKR".into()),
        ..Victim::default()
    }];
    let guessed = a.assess_incident(std::slice::from_ref(&r), &[]);
    let hospital = guessed
        .finding(Dimension::Sector, "health.hospitals")
        .expect("the model's sector stands as a finding");
    assert!(hospital.counts(), "{hospital:#?}");
    assert!(hospital
        .judgments
        .iter()
        .all(|j| j.rule_id.starts_with("model:")));
    assert!(!hospital.grounds_inference());
    for d in [
        Dimension::Harm,
        Dimension::Population,
        Dimension::Agenda,
        Dimension::Norm,
    ] {
        for f in guessed.of(d).filter(|f| f.counts()) {
            let rests_on_hospital = f
                .judgments
                .iter()
                .flat_map(|j| &j.evidence)
                .any(|e| e.contains("health"));
            assert!(
                !rests_on_hospital,
                "{d:?} rests on the model's guess: {f:#?}"
            );
        }
    }
    assert!(guessed.finding(Dimension::Population, "patients").is_none());

    // Confirmed by an analyst, the same sector grounds what hospitals hit by a State entail.
    let confirm = threatscape_assess::Decision {
        incident: r.key(),
        dimension: Dimension::Sector,
        label: "health.hospitals".into(),
        verdict: threatscape_assess::Verdict::Confirm,
        reason: "the victim is a hospital".into(),
        analyst: "analyst".into(),
        recorded_at: None,
        seq: None,
    };
    let confirmed = a.assess_incident(&[r], &[confirm]);
    assert!(confirmed
        .finding(Dimension::Population, "patients")
        .is_some_and(|f| f.counts()));
    assert!(confirmed
        .finding(Dimension::Norm, "f")
        .is_some_and(|f| f.counts()));
}

/// A coded value the source's own vocabulary does not know is read as a source without a
/// vocabulary is (a canonical id or label in any spelling, then any crosswalk), not dropped: a
/// STIX producer's "ot-ics-sabotage" is OT/ICS sabotage, "information-operation" an information
/// operation, and a victim sector "emergency-services" (not a STIX industry) emergency services.
#[test]
fn a_coded_value_the_sources_vocabulary_does_not_know_is_still_read() {
    let mut r = report("stix-kinds", "Incident", "Nothing in the text.");
    r.provenance.format = "stix".into();
    r.kinds = vec![
        "ot-ics-sabotage".into(),
        "information-operation".into(),
        "Decoy_Ransomware".into(),
        "ransomware".into(),
        "no-such-kind".into(),
    ];
    r.victims = vec![Victim {
        sectors: vec!["emergency-services".into(), "healthcare".into()],
        ..Victim::default()
    }];
    let found = Assessor::builtin().classify_report(&r, Mode::FieldsOnly);
    let by = |label: &str| {
        found
            .iter()
            .find(|j| j.label == label && j.confidence >= 0.5)
            .unwrap_or_else(|| panic!("no {label}: {found:#?}"))
    };
    assert_eq!(
        by("ot-sabotage").rule_id,
        "crosswalk:canonical:ot-ics-sabotage"
    );
    assert_eq!(
        by("ot-sabotage").evidence,
        vec!["kinds: \"ot-ics-sabotage\""]
    );
    assert!(by("information-operations")
        .rule_id
        .starts_with("crosswalk:misp-kind:"));
    assert!(by("pseudo-ransomware")
        .rule_id
        .starts_with("crosswalk:canonical:"));
    // A value the source's vocabulary knows keeps its own row.
    assert_eq!(by("ransomware").rule_id, "crosswalk:misp-kind:ransomware");
    assert!(by("emergency-services")
        .rule_id
        .starts_with("crosswalk:canonical:"));
    assert!(by("health").rule_id.starts_with("crosswalk:stix-industry:"));
    // A word nobody knows makes no judgment, and is not dropped either: the assessment lists it
    // with its place, and only it.
    assert!(found
        .iter()
        .all(|j| !j.evidence[0].contains("no-such-kind")));
    r.tags = vec!["nis2:sector=\"no-such-sector\"".into()];
    r.actors = vec![Actor {
        name: "Someone".into(),
        category: Some("nation-state; time-traveller".into()),
        ..Actor::default()
    }];
    let a = Assessor::builtin().assess_reports_with(std::slice::from_ref(&r), Mode::FieldsOnly);
    let unread: Vec<(Dimension, &str, &str, &str)> = a
        .unread
        .iter()
        .map(|u| {
            (
                u.dimension,
                u.place.as_str(),
                u.value.as_str(),
                u.report.as_str(),
            )
        })
        .collect();
    assert_eq!(
        unread,
        vec![
            (
                Dimension::Sector,
                "tags",
                "sector=\"no-such-sector\"",
                "stix:stix-kinds"
            ),
            (
                Dimension::Threat,
                "kinds",
                "no-such-kind",
                "stix:stix-kinds"
            ),
            (
                Dimension::Actor,
                "actors[0].category",
                "time-traveller",
                "stix:stix-kinds"
            ),
        ]
    );
    assert!(a.labels(Dimension::Actor).contains(&"state"));
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["unread"][1]["value"], "no-such-kind");
    assert_eq!(json["unread"][1]["dimension"], "threat");
    // Text alone reads no coded value, so none is unread.
    assert!(Assessor::builtin()
        .assess_reports_with(std::slice::from_ref(&r), Mode::TextOnly)
        .unread
        .is_empty());
}

/// A capability to disrupt is not a disruption, nor an attempt at one: pre-positioning "to be able
/// to disrupt critical infrastructure" says what the intruders could do, not what they did.
#[test]
fn a_capability_to_disrupt_is_no_disruption() {
    reads(
        "threat.disruption.outage",
        &[
            "The group sought to disrupt the grid operator's control centre.",
            "The attack disrupted the port's operations for two days.",
        ],
        &[
            "The actors were pre-positioning to be able to disrupt critical infrastructure in a crisis.",
            "Officials said the implants gave the group the ability to disrupt the water supply.",
            "The malware is capable of disrupting industrial processes.",
            "Access that could be used to disrupt the network later.",
        ],
    );
}

/// The accused calling an accusation disinformation is a denial, not an information operation;
/// a sector's non-profit security centre that reports an intrusion is not its civil-society victim.
#[test]
fn a_denial_and_a_reporter_are_not_read_as_what_they_name() {
    reads(
        "threat.information-operations",
        &[
            "The group ran a disinformation campaign against the election commission.",
            "Hijacked accounts spread propaganda about the army's losses.",
        ],
        &[
            "Its government rejected the allegations and published reports calling Volt Typhoon a US disinformation campaign.",
            "The ministry dismissed the report as Western disinformation.",
            "Officials called it a propaganda exercise by hostile powers.",
        ],
    );
    reads(
        "sector.civil-society-media.ngos",
        &[
            "Attackers stole donor records from a non-profit that supports refugees.",
            "Human rights defenders' phones were infected with spyware.",
        ],
        &[
            "SektorCERT, the non-profit security centre of the operators, found indications of the group.",
            "Researchers at a nonprofit cybersecurity group traced the servers.",
        ],
    );
}

/// A STIX victim's sectors are read with both vocabularies STIX producers use: industry-sector-ov
/// words and OpenCTI's sector names (identities of class `class`).
#[test]
fn a_stix_victim_is_read_in_industry_words_and_opencti_sector_names() {
    let mut r = report("stix-opencti", "Incident", "Nothing in the text.");
    r.provenance.format = "stix".into();
    r.victims = vec![Victim {
        sectors: vec![
            "Water distribution and supply".into(),
            "Healthcare services".into(),
            "Legislative branch (parliamentary chambers)".into(),
            "financial-services".into(),
            "Energy".into(),
        ],
        ..Victim::default()
    }];
    let a = Assessor::builtin().assess_reports_with(std::slice::from_ref(&r), Mode::FieldsOnly);
    let rule = |label: &str| {
        a.finding(Dimension::Sector, label)
            .filter(|f| f.counts())
            .unwrap_or_else(|| panic!("no {label}: {:?}", a.labels(Dimension::Sector)))
            .judgments[0]
            .rule_id
            .clone()
    };
    assert_eq!(
        rule("water"),
        "crosswalk:opencti-sector:Water distribution and supply"
    );
    assert!(rule("health.hospitals").starts_with("crosswalk:opencti-sector:"));
    assert!(rule("elections.legislature").starts_with("crosswalk:opencti-sector:"));
    assert!(rule("finance").starts_with("crosswalk:stix-industry:"));
    // A name both vocabularies know is one piece of evidence, read by the first.
    let energy = a.finding(Dimension::Sector, "energy").unwrap();
    assert_eq!(energy.judgments.len(), 1, "{energy:?}");
    assert!(energy.judgments[0]
        .rule_id
        .starts_with("crosswalk:stix-industry:"));
    assert!(a.unread.is_empty(), "{:?}", a.unread);
}

/// An international organisation named as the one that investigates, sanctions or attributes, or
/// whose members or allies are meant, is not the victim; one that was hit is.
#[test]
fn an_organisation_that_investigates_or_is_allied_is_not_hit() {
    reads(
        "sector.international-organisations",
        &[
            "A Russia-linked group compromised the computer systems of the UN offices in Geneva.",
            "Hacktivists took the NATO website offline for hours.",
        ],
        &[
            "The UN Panel of Experts later counted the theft among the DPRK's revenue sources.",
            "The attacks came months after Montenegro, a NATO member, had aligned itself with EU sanctions.",
            "Iran's ministry was held responsible by Albania, the US, the UK and NATO allies.",
            "The group was previously listed as a terrorist organization by the European Union.",
            // Those who attribute, condemn or stand beside the victim, however many join them,
            // and a party to talks.
            "On 19 July 2021 the US, the UK, the EU, NATO, Japan, Australia, Canada and New \
             Zealand attributed the campaign to China.",
            "The UK made the same assessment, and the EU and NATO expressed solidarity with the US.",
            "The European Union and the United Kingdom condemned the attack.",
            "About 70 sites were defaced as talks between Russia and NATO stalled.",
        ],
    );
    // An organisation hit stays hit, whoever attributes it, and the EU's agencies are named.
    reads(
        "sector.international-organisations",
        &[
            "NATO was hit, the US attributed it to Russia.",
            "Servers of the European Banking Authority were compromised.",
            "A DDoS attack took the European Parliament's website offline.",
        ],
        &[],
    );
}

#[test]
fn a_report_that_says_nothing_was_taken_tells_an_intrusion() {
    let said = "Chinese state-sponsored hacker group Winnti breached the computer systems of a \
                German pharmaceutical company; according to the company no data was stolen.";
    let r = report("bayer", "Hackers breach a pharmaceutical company", said);
    let a = assess_reports(std::slice::from_ref(&r));
    assert!(
        has(&a, Dimension::Threat, "intrusion"),
        "{:?}",
        a.labels(Dimension::Threat)
    );
    // Neither a rule nor the text model calls it a data theft.
    assert!(
        !has(&a, Dimension::Threat, "espionage"),
        "{:?}",
        a.labels(Dimension::Threat)
    );
    let j = Assessor::builtin().classify_report(&r, Mode::Full);
    let intrusion = j
        .iter()
        .find(|j| j.rule_id == "rule:threat.intrusion.nothing-taken")
        .expect("the statement is the evidence");
    assert!(intrusion
        .evidence
        .iter()
        .any(|e| e.contains("no data was stolen")));
    reads(
        "threat.intrusion.nothing-taken",
        &[
            "The ministry said no personal data was stolen.",
            "There is no evidence that customer data was accessed.",
            "Officials said the data was not stolen.",
        ],
        &[
            "Personal data of 2 million customers was stolen.",
            "No ransom was paid.",
        ],
    );
    // A claim of a leak that the victim denies is no leak.
    let defaced = report(
        "defaced",
        "Government websites defaced",
        "The message told citizens their personal data had been leaked; the government said no \
         personal data had leaked.",
    );
    let a = assess_reports(std::slice::from_ref(&defaced));
    assert!(
        !has(&a, Dimension::Threat, "hack-and-leak"),
        "{:?}",
        a.labels(Dimension::Threat)
    );
    reads(
        "threat.intrusion.nothing-leaked",
        &["Ukraine said no personal data had leaked."],
        &["The personal data leaked online."],
    );
    // A victim's denial that data was stolen leaves a leak the attacker published standing.
    let claimed = report(
        "claimed",
        "Hacker leaks the login credentials of 80,000 users",
        "A hacker claims to have breached the company and leaks the login credentials of 80,000 \
         users. The company declares the data was not stolen from its servers.",
    );
    let b = assess_reports(std::slice::from_ref(&claimed));
    assert!(
        has(&b, Dimension::Threat, "hack-and-leak"),
        "{:?}",
        b.labels(Dimension::Threat)
    );
    // A channel where hacktivists post videos is a leak only where the text speaks of data.
    reads(
        "threat.hack-and-leak.telegram",
        &[
            "The stolen documents were posted on Telegram.",
            "The private details of 15 million debit cards were published on Telegram.",
        ],
        &["A video of the control panel was posted on Telegram the same day."],
    );
}

/// A report that codes its victims' sectors precisely is believed about whom it hit: a sector its
/// description alone names (the one who sanctions, the attacker's institute, the motive) is shown
/// as a mention and does not count; one its title or a victim's name gives still does, and a
/// coarse code ("Government") leaves the text to say which.
#[test]
fn a_sector_only_mentioned_beside_precisely_coded_victims_does_not_count() {
    let mut r = report(
        "triton",
        "Triton malware targets the safety systems of a petrochemical plant",
        "The US Treasury later sanctioned a Russian research institute for building the malware, \
         which was meant to fund nothing and hit no hospital.",
    );
    r.provenance.format = "stix".into();
    r.victims = vec![Victim {
        name: Some("Petro Rabigh (petrochemical plant)".into()),
        sectors: vec!["chemical".into()],
        ..Victim::default()
    }];
    let a = assess_reports(std::slice::from_ref(&r));
    assert!(has(&a, Dimension::Sector, "industry-ot.chemicals"));
    for mentioned in ["finance", "education-research"] {
        let f = a
            .finding(Dimension::Sector, mentioned)
            .unwrap_or_else(|| panic!("{mentioned} is shown: {:?}", a.findings));
        assert!(!f.counts(), "{mentioned} must not count: {f:?}");
        assert!(f.confidence <= threatscape_assess::judgment::MENTION_CEILING);
        assert!(f.judgments.iter().all(|j| j.is_mention()), "{f:?}");
        let why = f.judgments[0].evidence.join("; ");
        assert!(
            why.contains("a mention") && why.contains("industry-ot.chemicals"),
            "{why}"
        );
    }
    // Without the coded sector the same words are read as they always were.
    let mut uncoded = r.clone();
    uncoded.victims[0].sectors.clear();
    let b = assess_reports(std::slice::from_ref(&uncoded));
    assert!(
        has(&b, Dimension::Sector, "finance"),
        "{:?}",
        b.labels(Dimension::Sector)
    );
    // A sector in a victim's name counts beside the coded one, and a mention stays a mention
    // even where another rule's judgment of it is a mention too.
    let mut named = r.clone();
    named
        .victims
        .push(named_victim("King Abdullah University and its hospital"));
    let c = assess_reports(std::slice::from_ref(&named));
    assert!(
        has(&c, Dimension::Sector, "health.hospitals"),
        "{:?}",
        c.labels(Dimension::Sector)
    );
    assert!(has(&c, Dimension::Sector, "education-research"));
    assert!(!has(&c, Dimension::Sector, "finance"));
    // A coarse code (CFR's "Government": ministries, agencies, election bodies...) leaves the
    // text to say which: the hospital the description names is a finding.
    let mut cfr = report(
        "cfr-coarse",
        "Ransomware at a public hospital",
        "A ransomware attack hit a public hospital run by the regional government.",
    );
    cfr.provenance.format = "cfr".into();
    cfr.victims = vec![Victim {
        sectors: vec!["Government".into()],
        ..Victim::default()
    }];
    let d = assess_reports(std::slice::from_ref(&cfr));
    assert!(
        has(&d, Dimension::Sector, "health.hospitals"),
        "{:?}",
        d.labels(Dimension::Sector)
    );
    // NAICS "Manufacturing" is precise, and covers the defence industry too (a weaker `broader`
    // row of the same code): the description saying which manufacturer is a finding, a hospital
    // it names in passing still a mention.
    let mut maker = report(
        "cissm-maker",
        "North Korean hackers breach a manufacturer",
        "The hackers stole blueprints from a defense contractor; a hospital nearby was not hit by \
         them but reported phishing.",
    );
    maker.provenance.format = "cissm".into();
    maker.victims = vec![Victim {
        sectors: vec!["Manufacturing".into()],
        ..Victim::default()
    }];
    let e = assess_reports(std::slice::from_ref(&maker));
    let counts = |label: &str| {
        e.finding(Dimension::Sector, label)
            .is_some_and(|f| f.counts())
    };
    assert!(counts("industry-ot.manufacturing"), "{:?}", e.findings);
    assert!(counts("defence.industry"), "{:?}", e.findings);
    assert!(!counts("health.hospitals"), "{:?}", e.findings);
}

/// A telephone or internet service cut off in a war leaves civilians without it.
#[test]
fn a_telecommunications_outage_harms_civilians() {
    let mut r = report(
        "telecom",
        "Destructive attack on a mobile operator",
        "Attackers destroyed thousands of servers in the operator's core network with a wiper.",
    );
    r.provenance.format = "stix".into();
    r.victims = vec![Victim {
        name: Some("Mobile operator".into()),
        sectors: vec!["telecommunications".into()],
        ..Victim::default()
    }];
    let a = assess_reports(std::slice::from_ref(&r));
    let f = a
        .finding(Dimension::Population, "civilians")
        .expect("civilians");
    assert!(f.counts());
    assert!(f
        .rule_ids()
        .contains(&"implies:population.civilians.from-telecommunications-outage"));
    // Spying on a network is not an outage.
    let mut spied = r.clone();
    spied.title = "Espionage at a mobile operator".into();
    spied.description = Some("Intruders read call records in the operator's network.".into());
    let b = assess_reports(std::slice::from_ref(&spied));
    assert!(b
        .finding(Dimension::Population, "civilians")
        .is_none_or(|f| !f
            .rule_ids()
            .contains(&"implies:population.civilians.from-telecommunications-outage")));
}

/// Words that name something other than what they usually name here: the attacker's leaked
/// tool, the government that attributes, a missile strike, an NHS foundation trust, the UN's
/// human-rights bodies.
#[test]
fn a_leaked_tool_an_attributing_government_and_a_missile_strike_are_read_for_what_they_are() {
    reads(
        "threat.hack-and-leak",
        &[
            "The group leaked the stolen emails on its website.",
            "The stolen files were made public.",
        ],
        &[
            "It spread through EternalBlue, a tool leaked from the US National Security Agency.",
            "The UN called the attack sophisticated; no attribution has been made public.",
            "The group Intrusion Truth doxed three members of this threat actor.",
        ],
    );
    reads(
        "actor.state-affiliated",
        &["A government-linked group stole the data."],
        &["Australia sanctioned a Russian national the government linked to the breach."],
    );
    reads(
        "sector.defence.industry",
        &["Hackers stole designs from a missile maker."],
        &["The substation tripped during missile strikes on the city."],
    );
    // "Defense" alone is the sector as a whole; the armed forces and the industry have names
    // of their own.
    reads(
        "sector.defence",
        &["The group targeted the defense, energy and finance sectors."],
        &[
            "Hackers defaced the website of the Ministry of Defense.",
            "A defense contractor lost the designs.",
            "The malware used defense evasion techniques.",
        ],
    );
    reads(
        "sector.defence.military",
        &[
            "Hackers defaced the website of the Ministry of Defense.",
            "Phishing e-mails reached air defense units.",
        ],
        &["The group targeted the defense, energy and finance sectors."],
    );
    reads(
        "sector.civil-society-media.ngos",
        &["A human rights foundation was hacked."],
        &["Guy's and St Thomas' NHS Foundation Trust cancelled operations."],
    );
    // The UN's and regional organisations' human-rights bodies are intergovernmental; a
    // council of human-rights advocates is still an NGO.
    reads(
        "sector.civil-society-media.ngos",
        &["Hackers defaced the site of the American Human Rights Council."],
        &[
            "Intruders entered the network of the Office of the United Nations High Commissioner \
             for Human Rights.",
            "A Turkish group attacked the European Court of Human Rights.",
            "The site of the UN Human Rights Council was flooded.",
        ],
    );
}

/// A sentence that tells of another, earlier incident says nothing of this one: no threat kind,
/// actor or armed conflict is read from it.
#[test]
fn a_sentence_about_an_earlier_incident_is_not_read_as_this_one() {
    let mut r = report(
        "nagoya",
        "LockBit ransomware halts container handling at a port",
        "Ransomware stopped the terminal system for two days. The port had already been hit by a \
         DDoS attack claimed by the pro-Russian group Killnet in 2022.",
    );
    r.occurred = Some(DateSpan {
        start: FuzzyDate::day(2023, 7, 4).unwrap(),
        end: None,
    });
    let a = assess_reports(std::slice::from_ref(&r));
    assert!(has(&a, Dimension::Threat, "ransomware"));
    assert!(
        !has(&a, Dimension::Threat, "ddos"),
        "{:?}",
        a.labels(Dimension::Threat)
    );
    assert!(
        !has(&a, Dimension::Actor, "hacktivist"),
        "{:?}",
        a.labels(Dimension::Actor)
    );
    assert!(
        a.labels(Dimension::Conflict).is_empty(),
        "{:?}",
        a.labels(Dimension::Conflict)
    );
    // Nor is the actor's other work told beside it.
    let mut other = r.clone();
    other.description = Some(
        "Ransomware stopped the terminal system. The group has also targeted military bases and \
         energy companies."
            .into(),
    );
    let c = assess_reports(std::slice::from_ref(&other));
    assert!(
        !has(&c, Dimension::Sector, "defence.military"),
        "{:?}",
        c.labels(Dimension::Sector)
    );
    assert!(
        !has(&c, Dimension::Sector, "energy"),
        "{:?}",
        c.labels(Dimension::Sector)
    );
    // Nor is what a semicolon adds to such a sentence.
    other.description = Some(
        "Ransomware stopped the terminal system. The group has also targeted ports in Asia; in \
         May it hit a power plant."
            .into(),
    );
    let d = assess_reports(std::slice::from_ref(&other));
    assert!(
        !has(&d, Dimension::Sector, "energy"),
        "{:?}",
        d.labels(Dimension::Sector)
    );
    // Told as this incident's, the same words are read.
    r.description =
        Some("A DDoS attack claimed by the pro-Russian group Killnet hit the port.".into());
    let b = assess_reports(std::slice::from_ref(&r));
    assert!(has(&b, Dimension::Threat, "ddos"));
    assert!(has(&b, Dimension::Actor, "hacktivist"));
}

/// Harm to women as women (the WPS agenda's concern), not the sex of one person in the account.
#[test]
fn one_woman_named_is_not_harm_to_women() {
    reads(
        "population.women",
        &[
            "The leak exposed women human rights defenders.",
            "A woman journalist was doxed and threatened.",
        ],
        &[
            "A woman died after her ambulance was diverted to another hospital.",
            "The profile picture was replaced with a photo of a blonde woman in a car.",
        ],
    );
}

/// A municipality named as the place is not the council that governs it.
#[test]
fn a_municipality_named_as_the_place_is_no_government_victim() {
    reads(
        "sector.government",
        &["The municipality's payroll system was encrypted."],
        &["An intruder opened a valve at a dam operator in Bremanger municipality."],
    );
}

/// Credentials stolen elsewhere and used to spread are the means, not a theft of data; a disk's
/// boot records are no records of people.
#[test]
fn credentials_used_to_spread_and_boot_records_are_no_data_theft() {
    reads(
        "threat.espionage.data-theft",
        &["The intruders stole the personal records of 2 million patients."],
        &[
            "A worm spread through stolen credentials and overwrote the master boot records of \
             the computers it reached.",
        ],
    );
}

/// A university or teaching hospital is a hospital first; a university is still education.
#[test]
fn a_university_hospital_is_a_hospital_not_a_university() {
    reads(
        "sector.education-research",
        &["Ransomware encrypted the servers of a state university."],
        &[
            "Ransomware hit Brno University Hospital.",
            "Operations were cancelled at King's College Hospital.",
        ],
    );
}

/// What a report denies stands against the text model's guess at it, as what a rule cancels
/// does: "no supply interruption was reported" leaves no disruption for the model to give, and a
/// DDoS told of another incident none for this one. Said outright, the same words are read.
#[test]
fn what_a_report_denies_the_model_does_not_give() {
    let stands_against = |description: &str| {
        let r = report("text", "Report", description);
        let (judgments, against) = Assessor::builtin()
            .rules
            .apply_suppressing(&Texts::of(&r), None);
        (
            judgments.into_iter().map(|j| j.label).collect::<Vec<_>>(),
            against,
        )
    };
    let (found, against) = stands_against(
        "Attackers got into the networks of energy companies through firewall flaws. No supply \
         interruption was reported.",
    );
    assert!(!found.contains(&"disruption".to_string()), "{found:?}");
    assert!(
        against.contains(&(Dimension::Threat, "disruption".to_string())),
        "{against:?}"
    );
    let (_, against) = stands_against(
        "Ransomware stopped the terminal system. The port had already been hit by a DDoS attack \
         in 2022.",
    );
    assert!(
        against.contains(&(Dimension::Threat, "ddos".to_string())),
        "{against:?}"
    );
    let (found, against) = stands_against("The attack caused a supply interruption for two days.");
    assert!(found.contains(&"disruption".to_string()), "{found:?}");
    assert!(
        !against.contains(&(Dimension::Threat, "disruption".to_string())),
        "{against:?}"
    );
}

/// MISP events tag their malware with Microsoft's CARO malware types (`ms-caro-malware:
/// malware-type="Ransom"`): those that name a kind of operation are read as it; a type that names
/// none ("Joke") is listed as unread, not guessed at.
#[test]
fn caro_malware_types_in_misp_tags_name_their_kind() {
    let mut r = report("misp-caro", "Ransomware - Xorist", "Nothing in the text.");
    r.provenance.format = "misp".into();
    r.kinds = vec!["Ransom".into(), "PWS".into(), "Joke".into()];
    let (found, unread) = Assessor::builtin().classify_report_reading(&r, Mode::FieldsOnly);
    let kinds: Vec<&str> = found
        .iter()
        .filter(|j| j.dimension == Dimension::Threat && j.confidence >= 0.5)
        .map(|j| j.label.as_str())
        .collect();
    assert!(kinds.contains(&"ransomware"), "{kinds:?}");
    assert!(kinds.contains(&"espionage"), "{kinds:?}");
    let unread: Vec<&str> = unread.iter().map(|u| u.value.as_str()).collect();
    assert_eq!(unread, ["Joke"]);
}

/// A coast guard is a State service at sea, not shipping; a position tracked by GPS is no space
/// sector; a credit reference agency is a business; a province named as the place is not its
/// government (rules 2026-11.14).
#[test]
fn a_coast_guard_gps_tracking_a_credit_agency_and_a_province_are_read_for_what_they_are() {
    reads(
        "sector.government.justice",
        &["Hackers took down the website of the Philippine Coast Guard."],
        &["Ransomware encrypted the booking system of a ferry operator."],
    );
    reads(
        "sector.transport.maritime",
        &["Ransomware encrypted the booking system of a ferry operator."],
        &["Hackers took down the website of the Philippine Coast Guard."],
    );
    reads(
        "sector.space",
        &["A wiper disabled thousands of satellite modems."],
        &["The intruders stole a police server used to GPS-track suspects under surveillance."],
    );
    reads(
        "sector.government",
        &[
            "Hackers defaced the website of a government agency.",
            "The provincial government's servers were encrypted.",
        ],
        &[
            "Hackers defaced the website of the credit reference agency Moody's.",
            "The group operates out of the Jiangsu province and targets manufacturers.",
            "An energy company in Austria's Styria province was hit by ransomware.",
        ],
    );
    reads(
        "sector.finance",
        &["Hackers defaced the website of the credit reference agency Moody's."],
        &["The group targets manufacturers."],
    );
}

/// A website attacked or hacked with no effect named is guessed to be flooded or defaced; where
/// the text names another means (phishing, malware planted for visitors, a look-alike site,
/// stolen credentials) the guess is wrong and is not made, so the means speaks instead; a site
/// that could no longer be reached is knocked offline (rules 2026-11.15).
#[test]
fn a_website_targeted_by_other_means_is_neither_flooded_nor_defaced() {
    reads(
        "threat.ddos.website-attacked",
        &["Pro-government hackers attacked the websites of three opposition newspapers."],
        &[
            "A threat actor targeted an exile news website with phishing emails to reach its staff.",
            "Operators impersonated the websites of two ministries to spread a remote-access trojan.",
            "The group attacked a regional portal and compromised the accounts of its editors.",
        ],
    );
    reads(
        "threat.defacement.website-hacked",
        &[
            "Hackers hacked the website of the port authority and posted a message.",
            "Hackers compromised the website of the port authority and posted a message.",
        ],
        &[
            "The website of a rural clinic was hacked to serve malware to its visitors.",
            "Hackers hacked a union's web portal and posted the credentials of its members.",
        ],
    );
    reads(
        "threat.disruption.offline",
        &["After the attack, the council's website could no longer be accessed for a week."],
        &["The council's website published the attack's timeline."],
    );
    // In a whole assessment: the news site phished is not called a denial of service.
    let a = assess_reports(&[report(
        "phished-newsroom",
        "Targeting of an exile news website",
        "A threat actor targeted the editors of an exile news website with phishing emails, \
         seeking access to their mailboxes.",
    )]);
    assert!(
        !has(&a, Dimension::Threat, "ddos"),
        "{:?}",
        a.labels(Dimension::Threat)
    );
}

/// Networks disrupted for days are an outage; WikiLeaks named is a leak only as its outlet, not
/// as an organisation in the news; posting stolen emails is publishing them (rules 2026-11.16).
#[test]
fn disrupted_networks_posted_emails_and_wikileaks_are_read_for_what_they_say() {
    reads(
        "threat.disruption.outage",
        &["The group's communication networks were disrupted for several days."],
        &["The ministry's networks were probed for several days."],
    );
    // WikiLeaks is a leak where it is the outlet, not where it is in the news; posting is
    // publishing.
    reads(
        "threat.hack-and-leak",
        &[
            "The stolen cables were handed to WikiLeaks.",
            "The activists posted thousands of emails from the chief executive.",
        ],
        &[
            "Protesters flooded the payment firms that had cut off donations to WikiLeaks.",
            "The hackers broke into the broadcaster in protest at its reporting on WikiLeaks.",
            "The college posts a data breach notice on its website after the ransomware attack.",
        ],
    );
}

/// What the victim could no longer do tells an outage, whatever the means: classes cancelled, a
/// college shuttered, access to its own systems prevented, permits no longer issued; a
/// disruption that could be caused is none (rules 2026-11.17).
#[test]
fn what_the_victim_could_no_longer_do_is_an_outage() {
    reads(
        "threat.disruption.outage",
        &[
            "The district is cancelling classes at all its schools after a cyberattack.",
            "The college remains shuttered a week after the intrusion.",
            "An attack is preventing access to the firm's internal mail and calendars.",
            "The ministry stopped issuing driving licences because of the attack.",
            "The incident made patient records inaccessible for days.",
            "The hospital is facing continued disruptions after the attack.",
        ],
        &[
            "The agency warned that the malware could cause significant disruptions to shipping.",
            "The college posted a notice that student records had been copied.",
        ],
    );
}

/// Names are not kinds: DDoS Secrets publishes leaks and floods nothing; a broadcaster named as a
/// source had no broadcast hijacked; "inauthentic" domains that phish are no influence
/// operation (rules 2026-11.18).
#[test]
fn a_leak_outlet_a_broadcaster_named_and_inauthentic_domains_are_not_kinds_of_their_own() {
    reads(
        "threat.ddos",
        &["Hacktivists flooded the ministry's portal with junk traffic."],
        &["The researcher shared the list with journalists via DDoS Secrets."],
    );
    reads(
        "threat.hack-and-leak",
        &["The researcher shared the list with journalists via DDoS Secrets."],
        &["Hacktivists flooded the ministry's portal with junk traffic."],
    );
    reads(
        "threat.information-operations.hijacked-accounts",
        &[
            "Hackers hijacked the state broadcaster and aired protest footage.",
            "The group hacked the robots' control panel and broadcasted the anthem on them.",
        ],
        &["Hackers breached the shipbuilder, according to the Australian Broadcasting Corporation."],
    );
    reads(
        "threat.information-operations",
        &["A network of inauthentic accounts spread the forged letter."],
        &["The campaign used inauthentic domains that mimic government sites to deliver malware."],
    );
    reads(
        "threat.disruption.outage",
        &["Intruders compromised the networks of two banks, making them unresponsive."],
        &["The bank's helpdesk was unresponsive to customers' complaints about fees."],
    );
}

/// A side in a dispute is no political party, a CERT reporting an attack no emergency service,
/// and a government warning of one not its victim (rules 2026-11.19).
#[test]
fn a_side_in_a_dispute_a_cert_and_a_warning_government_are_not_victims_sectors() {
    reads(
        "sector.elections.parties",
        &["Hackers leaked the emails of the ruling party's leadership."],
        &["The intruders targeted a law firm representing one of the parties in the dispute."],
    );
    reads(
        "sector.emergency-services",
        &["Ransomware disabled the county's emergency dispatch system."],
        &["The computer emergency response team warned that the group exploited a flaw in Office."],
    );
    reads(
        "sector.government",
        &["The intruders stole files from the government's tax agency."],
        &[
            "Intruders probed water and energy firms, prompting the government to issue an alert.",
            "Authorities warned that a foreign service sought to compromise the banking sector.",
        ],
    );
}

/// Care and social assistance is health, as NAICS files it; charities, unions and religious
/// bodies are civil society, by the everyday words for what they are (rules 2026-11.20).
#[test]
fn care_providers_charities_unions_and_dioceses_are_read_by_what_they_do() {
    reads(
        "sector.health",
        &[
            "Ransomware hit a home care agency serving elderly clients.",
            "The disability services provider confirmed a breach of client files.",
        ],
        &[
            "Ransomware hit a regional bus operator.",
            "A daycare chain disclosed that records of enrolled children were stolen.",
        ],
    );
    reads(
        "sector.civil-society-media.ngos",
        &[
            "Intruders stole donor records from a county food bank.",
            "The scouts' membership database was exposed.",
            "A workers' union local reported a breach of its dues records.",
        ],
        &["Intruders stole customer records from a supermarket chain."],
    );
    reads(
        "sector.civil-society-media.communities",
        &["The archdiocese said hackers diverted a payment to a fake account."],
        &["The parish school board reported a payment diverted to a fraudulent account."],
    );
}

/// A religious body hit by criminals harms its members, not a minority; a State operating
/// against a religious community does (rules 2026-11.20).
#[test]
fn a_community_is_a_minority_where_a_state_operates_against_it() {
    let diocese = assess_reports(&[report(
        "diocese",
        "Ransomware hits a diocese",
        "A ransomware gang encrypted the servers of the archdiocese and stole parish records.",
    )]);
    assert!(has(
        &diocese,
        Dimension::Sector,
        "civil-society-media.communities"
    ));
    assert!(
        !has(&diocese, Dimension::Population, "minorities"),
        "{:?}",
        diocese.labels(Dimension::Population)
    );
    let mut r = report(
        "congregations",
        "Spyware against congregations abroad",
        "An intelligence service planted spyware on the phones of leaders of religious \
         congregations in exile.",
    );
    r.actors
        .push(state_actor("Ministry of State Security", "CHN"));
    let persecuted = assess_reports(&[r]);
    assert!(
        has(&persecuted, Dimension::Population, "minorities"),
        "{:?}",
        persecuted.labels(Dimension::Population)
    );
}

/// Membership bodies by their names, a government's critics, and a State's student-aid agency
/// are read for what they are (rules 2026-11.21).
#[test]
fn membership_bodies_critics_and_benefit_agencies_are_read_for_what_they_are() {
    reads(
        "sector.civil-society-media.associations",
        &[
            "Hackers leaked the member list of a national chapter of the Freemasons.",
            "The local Rotary Club's website was defaced.",
        ],
        &["Hackers leaked the member list of a national bank."],
    );
    reads(
        "sector.government",
        &["Hackers defaced the website of the ministry of health."],
        &["A research centre known to be critical of the Indonesian government's policies was defaced."],
    );
    reads(
        "sector.international-organisations.humanitarian",
        &["Ransomware hit an aid agency working with refugees."],
        &["The national student financial aid agency disclosed a breach of applicants' data."],
    );
}

/// Norm (k) is about CERTs and CSIRTs: a victim named "CERT-UA" may engage it, a board of
/// certified counsellors or a certification authority does not (norms 2026-11.3).
#[test]
fn norm_k_reads_a_cert_by_its_name_not_any_word_that_begins_so() {
    let mut cert = report(
        "cert",
        "Spear-phishing against a national CERT",
        "A State's intelligence service sent malicious documents to the staff of the national \
         response team.",
    );
    cert.victims.push(named_victim("CERT-UA"));
    cert.actors.push(state_actor("GRU", "RUS"));
    let a = assess_reports(&[cert]);
    assert!(
        has(&a, Dimension::Norm, "k"),
        "{:?}",
        a.labels(Dimension::Norm)
    );
    for name in [
        "National Board of Certified Counselors",
        "Government Certification Authority",
    ] {
        let mut r = report(
            "certified",
            "Intrusion at a certification body",
            "A State's intelligence service stole files from the body's servers.",
        );
        r.victims.push(named_victim(name));
        r.actors.push(state_actor("GRU", "RUS"));
        let a = assess_reports(&[r]);
        assert!(
            !has(&a, Dimension::Norm, "k"),
            "{name}: {:?}",
            a.labels(Dimension::Norm)
        );
    }
}

/// Spyware engages norm (e) by whom it watched: a State's spyware on another State's officials is
/// espionage; on journalists, dissidents or opposition politicians it is what human-rights bodies
/// raised (norms 2026-11.3).
#[test]
fn spyware_engages_norm_e_by_whom_it_watched() {
    let mut officials = report(
        "officials",
        "Spyware on a foreign ministry's phones",
        "A State's intelligence service installed spyware on the phones of another State's \
         foreign ministry officials.",
    );
    officials.actors.push(state_actor("Unit 8200", "ISR"));
    let a = assess_reports(&[officials]);
    assert!(
        !has(&a, Dimension::Norm, "e"),
        "{:?}",
        a.labels(Dimension::Norm)
    );
    let journalists = assess_reports(&[report(
        "journalists",
        "Pegasus on journalists' phones",
        "Forensic researchers found Pegasus spyware on the phones of three investigative \
         journalists and an opposition politician.",
    )]);
    assert!(
        has(&journalists, Dimension::Norm, "e"),
        "{:?}",
        journalists.labels(Dimension::Norm)
    );
}

/// "Un" closing a Korean name is no United Nations (rules 2026-11.22).
#[test]
fn kim_jong_un_is_no_united_nations() {
    reads(
        "sector.international-organisations",
        &["Hackers defaced the website of a UN agency in Geneva."],
        &["The film mocked North Korean leader Kim Jong-un before the studio was hit by a wiper."],
    );
}

/// A terrorist group named as another's designation, as the target or as a party to a war is
/// not the actor (rules 2026-11.22).
#[test]
fn a_terrorist_group_named_as_target_or_designation_is_not_the_actor() {
    reads(
        "actor.terrorist",
        &[
            "Hackers loyal to the Islamic State defaced the council's website.",
            "Schools' websites were targeted by ISIS sympathisers.",
        ],
        &[
            "A Kurdish hacker defaced the sites and left anti-ISIS messages.",
            "Signals intelligence operators ran an operation against the Taliban's radios.",
            "Text messages were sent every minute to disrupt Taliban communications.",
            "Signals agency vs. Taliban",
            "The exiled group, considered a terrorist organisation by Tehran, held its congress.",
            "Hacktivists flooded ministry websites during the Israel-Hamas war.",
        ],
    );
}

/// A terrorist group whose website or servers were hit is the target (rules 2026-11.25), also
/// with words between ("the official Hamas website"), where the rules before read the actor.
#[test]
fn a_terrorist_group_whose_website_was_hit_is_the_target() {
    reads(
        "actor.terrorist",
        &[
            "Hamas hackers defaced dozens of Israeli websites.",
            "The attack on the city's site was claimed by the Islamic State.",
        ],
        &[
            "Israeli hackers took down the official Hamas website for hours.",
            "An activist hacked ISIS's forum and leaked its members' emails.",
            "Hacktivists wiped Taliban servers in Kabul.",
            "Volunteers targeting the Hezbollah sites defaced them.",
        ],
    );
}

/// DDoS "floods" are no physical harm, a dam's flood is; a death counts where the incident
/// caused it, not where it is the context, a name or a false report (rules 2026-11.23).
#[test]
fn a_flood_of_requests_and_a_death_in_the_news_are_no_physical_harm() {
    reads(
        "harm.physical.flooding",
        &["Opening the dam's valve caused flooding downstream."],
        &[
            "Layer-7 DDoS floods took the portal down for a day.",
            "The group's floods of HTTP requests overwhelmed the servers.",
        ],
    );
    reads(
        "harm.physical",
        &[
            "A woman died after her ambulance was diverted to another hospital.",
            "The outage of the plant's controls led to the deaths of two workers.",
        ],
        &[
            "Hacktivists defaced police websites to protest the death of a student.",
            "A hijacked news account posted a false report of the president's death.",
            "The Poison Ivy remote-access trojan was planted on the ministry's servers.",
            "Hackers calling themselves Fatal Error Crew defaced the portal.",
        ],
    );
}

/// Stuxnet as a yardstick and a blackout of websites are no OT sabotage (rules 2026-11.23).
#[test]
fn stuxnet_as_a_yardstick_and_a_website_blackout_are_no_ot_sabotage() {
    reads(
        "threat.ot-sabotage.ics",
        &["The intruders manipulated the plant's SCADA system and halted production."],
        &["Espionage on the grid's SCADA systems was a preparatory step for potential sabotage."],
    );
    reads(
        "threat.ot-sabotage",
        &[
            "Stuxnet destroyed about a thousand centrifuges at Natanz.",
            "The attack caused a power outage for 200,000 customers.",
        ],
        &[
            "Researchers called it the most capable spy platform since Stuxnet.",
            "The Stuxnet-related espionage toolkit Flame copied documents and recorded audio.",
            "The new wiper shares some similarities with Stuxnet and Duqu.",
            "A variant of the BlackEnergy trojan was found on internet-facing control panels.",
            "The group's floods caused blackouts on Armenian government websites.",
            "Authorities imposed an internet blackout during the protests.",
            "Links to a power outage in the city that October remain unsubstantiated.",
        ],
    );
}

/// Authorities that take down criminals' servers are the actor, GCHQ's name is no victim, and a
/// party's campaign committee is no legislature (rules 2026-11.24).
#[test]
fn a_government_acting_against_criminals_and_a_campaign_committee_are_read_for_what_they_are() {
    reads(
        "sector.government",
        &["Ransomware encrypted the servers of the regional government."],
        &[
            "US and Bulgarian authorities disrupted the gang's dark-web sites.",
            "The FBI and allied governments took down the group's servers.",
            "The Government Communications Headquarters ran the operation.",
        ],
    );
    reads(
        "sector.elections.legislature",
        &["Intruders read the mail of members of parliament."],
        &["Intruders stole files from the Democratic Congressional Campaign Committee."],
    );
}

/// Customers unable to use their cards and ATMs lost a service, not money (rules 2026-11.24).
#[test]
fn customers_unable_to_use_cards_and_atms_lost_a_service_not_money() {
    reads(
        "threat.financial-theft",
        &["The gang cashed out millions from ATMs across thirty countries."],
        &["Customers were unable to use the bank's credit cards and ATMs for a week."],
    );
}

/// A mass theft through a file-transfer product took data and encrypted nothing, whatever the
/// texts call the gang (rules 2026-11.25): Cl0p's MOVEit campaign is no ransomware.
#[test]
fn a_file_transfer_mass_theft_is_no_ransomware() {
    reads(
        "threat.espionage.file-transfer-theft",
        &[
            "The Clop ransomware gang claims to have stolen data from MOVEit Transfer systems of the university.",
            "The bank is listed in the Clop ransomware gang leak site after the attackers exploited the managed file transfer appliance.",
        ],
        &[
            "The gang exploited the MOVEit flaw, then encrypted the servers and demanded a ransom.",
            "The agency uses a file transfer service to exchange records.",
        ],
    );
    let r = report(
        "moveit",
        "MOVEit",
        "Maximus confirms that the Clop ransomware gang, exploiting the vulnerability in MOVEit \
         Transfer, accessed the protected health information of 8 million people.",
    );
    let labels = rule_labels(&r, Dimension::Threat);
    assert!(labels.contains(&"espionage".to_string()), "{labels:?}");
    assert!(!labels.contains(&"ransomware".to_string()), "{labels:?}");
}

/// "ups" closing a hyphenated word is no UPS, and a security company named as the source of a
/// finding is not the victim, while one that was hit still is (rules 2026-11.26).
#[test]
fn a_start_up_is_no_ups_and_a_vendors_researchers_are_no_victim() {
    // These rules read the title and the victims' names only.
    let fires_in_title = |rule: &str, title: &str| fires_on_report(rule, title, "");
    let logistics = "sector.transport.logistics.named";
    assert!(fires_in_title(
        logistics,
        "UPS alerts customers that their data was exposed"
    ));
    assert!(!fires_in_title(
        logistics,
        "Targeting of cryptocurrency start-ups"
    ));
    let ict = "sector.ict.software.named";
    for hit in [
        "Compromise of Kaspersky Labs",
        "The ESET Security Forum is hacked",
    ] {
        assert!(fires_in_title(ict, hit), "{hit}");
    }
    for source in [
        "Researchers from ESET disclose a campaign against a gambling company",
        "Kaspersky researchers uncover an attack on a power generator",
        "Researchers at IBM X-Force unmask the cybergang behind the Rovnix Trojan",
    ] {
        assert!(!fires_in_title(ict, source), "{source}");
    }
}

/// A named company is read under the sector of what it does: a software or security vendor is
/// software and IT services, a hosting or cloud provider digital infrastructure, a platform ICT;
/// and a vendor whose product was exploited, in the title too, is not the victim (rules
/// 2026-11.29).
#[test]
fn a_named_ict_company_is_read_as_what_it_does_and_its_product_is_no_victim() {
    let sectors = |title: &str| rule_labels(&report("text", title, ""), Dimension::Sector);
    for (title, sector) in [
        (
            "Avast discloses a security breach that impacted its internal network",
            "ict.software",
        ),
        ("Cognizant is hit by Maze ransomware", "ict.software"),
        (
            "Rackspace suffers a ransomware attack",
            "ict.digital-infrastructure",
        ),
        (
            "Dropbox discloses a breach of its code repositories",
            "ict.digital-infrastructure",
        ),
        (
            "LinkedIn users' records are leaked on a hacking forum",
            "ict",
        ),
    ] {
        let found = sectors(title);
        assert!(found.iter().any(|s| s == sector), "{title}: {found:?}");
        assert_eq!(
            found.iter().filter(|s| s.starts_with("ict")).count(),
            1,
            "{title}: one ICT sector, {found:?}"
        );
    }
    for title in [
        "Adobe Zero Day Hack Qatar",
        "Hackers use vulnerability of Cisco switches",
        "Microsoft Exchange Hack: European Banking Authority",
        "Russian state-sponsored threat actors exploit VMware vulnerability",
        "Researchers from Microsoft reveal that the North Korean group targets crypto firms",
    ] {
        let found = sectors(title);
        assert!(
            !found.iter().any(|s| s.starts_with("ict")),
            "{title}: {found:?}"
        );
    }
}

/// A Council agenda item's or a norm's link is no surer than the least sure finding it rests on:
/// an incident tied to the invasion of Ukraine by a cue of context alone is linked to the item at
/// that cue's confidence, not the link rule's (agenda 2026-11.3, norms 2026-11.4).
#[test]
fn a_link_is_no_surer_than_the_finding_it_rests_on() {
    let mut r = report(
        "cue",
        "Websites defaced",
        "Anonymous defaced several websites close to a ruling party over its stance on Russia's \
         invasion of Ukraine.",
    );
    r.occurred = Some(DateSpan {
        start: FuzzyDate::day(2022, 3, 28).unwrap(),
        end: None,
    });
    let a = assess_reports(&[r]);
    let conflict = a
        .finding(Dimension::Conflict, "russia-ukraine.full-scale-invasion")
        .expect("the invasion, from its cue");
    assert!(conflict.confidence < 0.85, "{conflict:#?}");
    let link = a
        .finding(Dimension::Agenda, "ukraine-2022")
        .expect("the item's link");
    assert!(link.counts());
    assert_eq!(link.confidence, conflict.confidence, "{link:#?}");
    // Every link of every kind: no judgment above the findings its evidence names.
    for f in a.of(Dimension::Agenda).chain(a.of(Dimension::Norm)) {
        for j in &f.judgments {
            for cited in a.findings.iter().filter(|c| {
                j.evidence
                    .iter()
                    .skip(1)
                    .any(|e| e.starts_with(&format!("{}:{} (", c.dimension, c.label)))
            }) {
                assert!(j.confidence <= cited.confidence, "{j:#?} above {cited:#?}");
            }
        }
    }
}

/// What an analyst adds grounds what follows from it at the rule's confidence: an added label
/// has no machine confidence, and an implication drawn from it is not thereby at zero.
#[test]
fn an_added_label_grounds_its_implications() {
    use threatscape_assess::{Decision, Verdict};
    let r = report(
        "added",
        "Ransomware at Northfield",
        "The ransomware gang encrypted the servers of Northfield and demanded a payment.",
    );
    let plain = assess_reports(std::slice::from_ref(&r));
    assert!(!has(&plain, Dimension::Harm, "physical"));
    let added = Decision {
        incident: r.key(),
        dimension: Dimension::Sector,
        label: "health.hospitals".into(),
        verdict: Verdict::Add,
        reason: "Northfield is the county's general hospital".into(),
        analyst: "analyst-1".into(),
        recorded_at: None,
        seq: None,
    };
    let a = Assessor::builtin().assess_incident(std::slice::from_ref(&r), &[added]);
    assert!(has(&a, Dimension::Sector, "health.hospitals"));
    let physical = a.finding(Dimension::Harm, "physical").expect("implied");
    assert!(physical.counts(), "{physical:#?}");
    assert!(has(&a, Dimension::Population, "patients"));
    // An added conflict spills over to a victim in a third State as a found one would.
    let mut r = report(
        "added-conflict",
        "Wiper at a German utility",
        "A wiper destroyed the billing servers of a utility.",
    );
    r.victims.push(Victim {
        country: Some("DEU".into()),
        ..Victim::default()
    });
    let conflict = Decision {
        incident: r.key(),
        dimension: Dimension::Conflict,
        label: "russia-ukraine".into(),
        verdict: Verdict::Add,
        reason: "the operators were GRU's, in the war's first week".into(),
        analyst: "analyst-1".into(),
        recorded_at: None,
        seq: None,
    };
    let a = Assessor::builtin().assess_incident(std::slice::from_ref(&r), &[conflict]);
    let spill = a
        .finding(Dimension::SpillOver, "russia-ukraine")
        .expect("spill-over to the third State");
    assert!(spill.counts(), "{spill:#?}");
}

/// What the attackers protest, a private intelligence firm and stolen bank details are not the
/// victims they name (rules 2026-11.27).
#[test]
fn a_protested_government_and_stolen_bank_details_are_no_victims() {
    reads(
        "sector.government",
        &["Hackers defaced the government's portal."],
        &["RedHack defaced the union's website in protest against the Turkish government."],
    );
    reads(
        "sector.government.justice",
        &["Hackers leaked the police department's records."],
        &["Again a defacement to protest against police brutality."],
    );
    reads(
        "sector.government.intelligence",
        &["Hackers breached the country's intelligence agency."],
        &[
            "Hacked email from leading private US intelligence agency Stratfor.",
            "The actor supports operations of groups affiliated with Chinese intelligence services.",
            "The head of Germany's domestic intelligence agency accused Russia of the campaign.",
        ],
    );
    reads(
        "sector.finance",
        &["Hackers breached the bank's network."],
        &["A data breach at a retailer led to theft of customers' bank details."],
    );
    reads(
        "sector.government",
        &["Government officials said the ministry's network was breached."],
        &[
            "School officials are investigating after student data was breached.",
            "Intruders read emails among DNC officials.",
            "The World Anti-Doping Agency confirmed that hackers accessed its database.",
            "China's government used its Great Cannon to attack a forum of Hong Kong protesters.",
        ],
    );
    reads(
        "sector.food-agriculture",
        &["Ransomware hit a dairy farm cooperative."],
        &["Cyber Command took the Russian troll farm offline."],
    );
    reads(
        "sector.industry-ot.chemicals",
        &["Ransomware hit a chemical plant in Texas."],
        &["The emails showed that the chemical weapon attack was staged."],
    );
    reads(
        "sector.defence.military",
        &[
            "An APT targeting the Israeli Defense Force used fake dating apps.",
            "A threat actor compromised a network used by the U.S. Joint Chiefs of Staff.",
            "Iran tried to break into the accounts of senior defense personnel.",
        ],
        &[],
    );
}

/// A company named for information technology is an IT company where a report names it as the
/// victim, not where the words are the victim's own systems or a ministry's name (rules
/// 2026-11.27).
#[test]
fn a_company_named_for_information_technology_is_an_it_company() {
    let in_victims = |name: &str| {
        let mut r = report("names", "Breach", "Hackers breached the network.");
        r.victims.push(named_victim(name));
        Assessor::builtin()
            .rules
            .apply(&Texts::of(&r), None)
            .iter()
            .any(|j| j.rule_id == "rule:sector.ict.software.names")
    };
    assert!(in_victims("Northern Data Systems"));
    assert!(in_victims("Midland Information Technology Consortium"));
    assert!(!in_victims(
        "Ministry of Electronics and Information Technology"
    ));
    assert!(!in_victims("Defense Information Systems Agency"));
    assert!(!fires(
        "sector.ict.software.names",
        "The hospital's information systems were encrypted."
    ));
    reads(
        "sector.commercial.professional",
        &[
            "ALPHV leaks data of the KKJM Lawfirm.",
            "LockBit hit a tax advisor in Madrid.",
        ],
        &[],
    );
    reads(
        "sector.ict",
        &[
            "The Chilean IT multinational was placed on the gang's leak page.",
            "A data breach at Mixcloud, a U.K.-based audio streaming platform, exposed 20 million users.",
        ],
        &[],
    );
    reads(
        "sector.ict.digital-infrastructure",
        &["Publication and webhosting giant suffers ransomware attack."],
        &[],
    );
}

/// Surveillance engages norm (e) of the press, NGOs, dissidents and communities by name, and of
/// private persons where the account says it is surveillance; not of a trade association, and a
/// source's unspecified "civil society" is shown for an analyst, not counted (norms 2026-11.5).
#[test]
fn norm_e_names_whose_rights_were_at_stake() {
    let by_a_state = |description: &str| {
        let mut r = report("e", "Espionage campaign", description);
        r.actors.push(state_actor("Unit 1", "RUS"));
        assess_reports(&[r])
    };
    let journalists = by_a_state(
        "The State's hackers stole the emails of journalists at an independent newspaper.",
    );
    assert!(has(&journalists, Dimension::Norm, "e"), "{journalists:#?}");
    let citizens = by_a_state(
        "A State-backed group used a fake app to spy on its citizens and steal their contacts.",
    );
    assert!(has(&citizens, Dimension::Norm, "e"), "{citizens:#?}");
    let association = by_a_state(
        "The State's hackers stole documents from the national association of manufacturers.",
    );
    assert!(
        !has(&association, Dimension::Norm, "e"),
        "{:?}",
        association.of(Dimension::Norm).collect::<Vec<_>>()
    );
}

/// Civilians are harmed when an essential service stops, not when its operator's emails are read;
/// private persons are harmed by their data taken (rules 2026-11.28).
#[test]
fn civilians_are_harmed_by_a_service_stopped_not_by_its_operators_emails_read() {
    let civilians = |description: &str| {
        let r = report("civ", "Incident", description);
        has(&assess_reports(&[r]), Dimension::Population, "civilians")
    };
    assert!(civilians(
        "Ransomware encrypted the systems of the regional water utility."
    ));
    assert!(!civilians(
        "Hacktivists leaked 87,500 emails stolen from an oil and gas engineering firm."
    ));
    assert!(civilians(
        "Spyware stole the messages and contacts of private individuals using the app."
    ));
}

/// Words that name a trade only in some of their senses: the criminal "underground" market is no
/// metro, the Belt and Road no road network, a fertility clinic no fertiliser maker, legislation
/// no legislature; and a faith named as an adjective ranks below the trade of the institution it
/// qualifies (rules 2026-11.30).
#[test]
fn words_of_a_trade_in_their_other_senses_and_faith_institutions_read_by_their_trade() {
    reads(
        "sector.transport.rail",
        &["Hackers disrupted ticket machines across the London Underground network."],
        &["The stolen records were dumped on the XSS underground forum."],
    );
    reads(
        "sector.transport",
        &["Ransomware hit the regional roads authority's traffic systems."],
        &[
            "The actor targets firms linked to China's Belt and Road Initiative.",
            "A digital billboard on a busy road in Mexico City was hacked.",
        ],
    );
    reads(
        "sector.industry-ot.chemicals",
        &["A fertilizer producer halted output after a ransomware attack."],
        &["A fertility clinic notified patients of a data breach."],
    );
    reads(
        "sector.elections.legislature",
        &["The state legislature's email system was taken offline."],
        &["Hacktivists defaced party websites after a vote on new legislation."],
    );
    for (title, trade) in [
        ("Catholic Health suffers a ransomware attack", "health"),
        (
            "Waterloo Catholic District School Board is hit by ransomware",
            "education-research",
        ),
    ] {
        let ranked = sectors_by_strength(&report("text", title, ""));
        assert_eq!(
            ranked.first().map(|f| f.label.as_str()),
            Some(trade),
            "{title}: {ranked:?}"
        );
        assert!(
            ranked
                .iter()
                .any(|f| f.label == "civil-society-media.communities"),
            "{title}: the faith is still read, {ranked:?}"
        );
    }
}

/// A point-of-sale system is any merchant's, stolen data has its own marketplaces, "toy*" read
/// Toyota, a researcher who publishes is the source and "to press" is no press (rules
/// 2026-11.31).
#[test]
fn a_till_a_dark_marketplace_a_carmaker_and_a_researcher_name_no_trade_of_the_victim() {
    reads(
        "sector.commercial.retail",
        &[
            "The toy maker's online store was skimmed by Magecart.",
            "An online marketplace for used cars leaked its users' data.",
        ],
        &[
            "Islands restaurants announces a PoS malware incident.",
            "Joker's Stash, a well-known underground marketplace for stolen cards, shut down.",
            "Toyota Australia admits to have been hit by a ransomware attack.",
            "Healthcare.gov, the federally operated health insurance marketplace, was breached.",
        ],
    );
    reads(
        "sector.education-research",
        &["The university's research centre lost its grant files to ransomware."],
        &["Researcher Marco Ramilli publishes the analysis of a malware sample."],
    );
    reads(
        "sector.civil-society-media.media",
        &["Hackers took down the website of the Moroccan Press Agency."],
        &["Websites went down after lawmakers ended a sit-in to press for a vote."],
    );
}

/// "PLC" closing a company's name is no programmable logic controller, and sports goods, a
/// sports ministry or a technology park are no leisure (rules 2026-11.32).
#[test]
fn a_public_limited_company_is_no_controller_and_sports_goods_are_no_leisure() {
    reads(
        "threat.ot-sabotage.ics",
        &["Hackers manipulated the PLC at the water plant, disrupting treatment."],
        &["InterContinental Hotels Group PLC says an outage disrupted its booking systems."],
    );
    reads(
        "sector.commercial.entertainment",
        &["Sports Club Nas in Japan suffers a ransomware attack."],
        &[
            "Sports brand Mizuno is hit with a ransomware attack.",
            "The website of the Ministry of Youth and Sports was defaced.",
            "A ransomware attack disrupted the tenants of a technology park.",
        ],
    );
}

/// Sabotage is OT sabotage where the text names control systems or a physical process; of a
/// magazine, a mailbox or a news agency it is a disruption; and "manipulated" a site's search or
/// a bank's DNS is no tampering with a process (rules 2026-11.33).
#[test]
fn sabotage_of_a_physical_process_is_ot_sabotage_and_of_a_magazine_a_disruption() {
    let kinds =
        |description: &str| rule_labels(&report("text", "", description), Dimension::Threat);
    for ot in [
        "A cyberattack aimed to sabotage the firm's operations and trigger an explosion at its plant.",
        "The operation sought to sabotage the country's nuclear program.",
        "Attackers manipulated the chemical dosing pumps at the water treatment plant.",
    ] {
        assert!(kinds(ot).iter().any(|k| k == "ot-sabotage"), "{ot}: {:?}", kinds(ot));
    }
    for disruption in [
        "GCHQ sabotaged the online magazine of the terrorist group.",
        "Sandworm sought to sabotage the national news agency.",
    ] {
        let found = kinds(disruption);
        assert!(
            !found.iter().any(|k| k == "ot-sabotage"),
            "{disruption}: {found:?}"
        );
        assert!(
            found.iter().any(|k| k == "disruption"),
            "{disruption}: {found:?}"
        );
    }
    for neither in [
        "Attackers manipulated the site search function to suggest rude product names.",
        "Hackers manipulated the DNS to redirect the bank's web traffic to rogue pages.",
        "The emails revealed a report on ways to sabotage WikiLeaks.",
    ] {
        let found = kinds(neither);
        assert!(
            !found.iter().any(|k| k == "ot-sabotage"),
            "{neither}: {found:?}"
        );
    }
}

/// A public figure whose own account or photos were taken is a private person targeted as such;
/// a "threat actor" is no film actor (rules 2026-11.34).
#[test]
fn a_celebrity_whose_account_was_hijacked_is_an_individual() {
    let fires_in_title =
        |title: &str| fires_on_report("sector.individuals.public-figures", title, "");
    for hit in [
        "Bollywood actress Esha Deol has her Instagram account hacked",
        "Rapper Griminal's Twitter account is hacked and posts alarming tweets",
        "The Twitter account of popular YouTuber Alexa Losey is hijacked",
        "TV star Natalie Cassidy has her intimate pictures leaked",
    ] {
        assert!(fires_in_title(hit), "{hit}");
    }
    for miss in [
        "A threat actor breaches a film studio's servers",
        "A state actor targets the ministry of culture",
    ] {
        assert!(!fires_in_title(miss), "{miss}");
    }
    // Read where a report names whom it hit, not in a description that quotes a singer.
    assert!(!fires_on_report(
        "sector.individuals.public-figures",
        "Ransomware hits a concert promoter",
        "A singer said the tour would go ahead."
    ));
}

/// "Institute" alone names a body of any trade and ranks below the trade a report names; a
/// metropolitan area is no metro (rules 2026-11.35).
#[test]
fn an_institute_is_read_by_its_trade_and_a_metro_area_is_no_metro() {
    for (title, trade) in [
        (
            "The Florida Orthopedic Institute warns of a data breach",
            "health",
        ),
        (
            "Colorado Mental Health Institute notifies 650 patients after a phishing incident",
            "health",
        ),
    ] {
        let ranked = sectors_by_strength(&report("text", title, ""));
        let first = ranked.first().map(|f| f.label.as_str()).unwrap_or("");
        assert!(first.starts_with(trade), "{title}: {ranked:?}");
    }
    let ranked = sectors_by_strength(&report(
        "text",
        "The Institute for Strategic Studies is hit by a phishing campaign",
        "",
    ));
    assert_eq!(
        ranked.first().map(|f| f.label.as_str()),
        Some("education-research"),
        "{ranked:?}"
    );
    reads(
        "sector.transport.rail",
        &["A ransomware attack halted the city's metro system."],
        &["A dental practice serving the Portland metro area notified its patients of a breach."],
    );
}

/// Payroll data, a luxury hotel, a victim's own telephone lines and a hacker's community name no
/// trade of the victim (rules 2026-11.36).
#[test]
fn payroll_data_luxury_telephone_lines_and_a_hackers_community_name_no_trade() {
    reads(
        "sector.commercial.professional",
        &["Leading payroll company PrismHR suffers a massive outage."],
        &["Snapchat reveals that the payroll data of some employees was exposed."],
    );
    reads(
        "sector.commercial.retail",
        &["The luxury fashion retailer notified customers of a breach."],
        &["The Play ransomware gang claims to have hit the luxury chain Firmdale Hotels."],
    );
    reads(
        "sector.telecommunications",
        &["The telephone carrier restored service after the attack."],
        &[
            "Ransomware completely shut down the city's computer and telephone systems.",
            "Names and telephone numbers of 20,000 customers were stolen.",
        ],
    );
    reads(
        "sector.civil-society-media.communities",
        &["Hackers leaked the membership list of a Kurdish community centre."],
        &["A Kurdish hacker defaced the county sheriff's website."],
    );
}

/// Specialist practices named for what they treat are places where patients are treated (rules
/// 2026-11.37).
#[test]
fn a_specialist_practice_is_a_place_where_patients_are_treated() {
    reads(
        "sector.health.hospitals",
        &[
            "Wake Family Eye Care notifies patients of a ransomware attack.",
            "Psychiatry Associates of Kansas City files a notice of data breach.",
            "Somnia Pain Management of Kentucky reports a data breach.",
            "The ransomware gang has attacked Coldwater Orthodontics.",
        ],
        &["The eye of the storm: a ransomware gang's leak site goes dark."],
    );
}

/// A flood of a hospital's websites leaves care where it was: the denial of service against
/// websites only (`threat:ddos.website`) blocks the physical harm a disrupted hospital implies.
/// Encrypted hospital systems, a flood of what else the hospital runs, or a flood the text says
/// stopped care, put lives at risk; and an analyst who rejects "against websites" lets the
/// inference stand (rules 2026-11.39).
#[test]
fn a_flooded_hospital_website_is_no_physical_harm() {
    use threatscape_assess::{Decision, Verdict};
    let assess = |title: &str, description: &str, decisions: &[Decision]| {
        let r = report("h", title, description);
        let a = Assessor::builtin().assess_incident(std::slice::from_ref(&r), decisions);
        assert!(has(&a, Dimension::Sector, "health.hospitals"), "{title}");
        assert!(has(&a, Dimension::Threat, "ddos") || has(&a, Dimension::Threat, "ransomware"));
        a
    };
    let websites = (
        "Hacktivists take down hospital websites",
        "A pro-Russian group claimed DDoS attacks that took down the websites of several \
         hospitals for a few hours.",
    );
    let a = assess(websites.0, websites.1, &[]);
    assert!(has(&a, Dimension::Threat, "ddos.website"));
    assert!(!has(&a, Dimension::Harm, "physical"));
    assert!(!has(&a, Dimension::Agenda, "poc"));
    let rejected = Decision {
        incident: report("h", websites.0, websites.1).key(),
        dimension: Dimension::Threat,
        label: "ddos.website".into(),
        verdict: Verdict::Reject,
        reason: "the flood took the hospital's whole network down".into(),
        analyst: "analyst-1".into(),
        recorded_at: None,
        seq: None,
    };
    let a = assess(websites.0, websites.1, &[rejected]);
    let physical = a.finding(Dimension::Harm, "physical").expect("implied");
    assert!(physical.counts(), "{physical:#?}");
    assert_eq!(
        physical.judgments[0].rule_id,
        "implies:harm.physical.from-hospital-flood"
    );
    for (title, description) in [
        (
            "Ransomware at a regional hospital",
            "Ransomware encrypted the hospital's servers and the staff returned to paper records.",
        ),
        (
            "Denial of service against a hospital",
            "A DDoS attack took down the hospital's website and its internal network.",
        ),
        (
            "Denial of service against a hospital website",
            "A DDoS attack flooded the hospital's website; ambulances were diverted.",
        ),
    ] {
        let a = assess(title, description, &[]);
        assert!(!has(&a, Dimension::Threat, "ddos.website"), "{title}");
        assert!(has(&a, Dimension::Harm, "physical"), "{title}");
    }
}

/// A terrorist group a cyber operation was aimed at, whose networks or publications were hit, or
/// which a report names as its victim, is the target wherever else the report names it; its own
/// hackers, and a war against it as context, still read as the actor (rules 2026-11.40).
#[test]
fn a_terrorist_group_targeted_is_not_the_actor() {
    reads(
        "actor.terrorist",
        &[
            "Hackers claiming to be part of Islamic State deface the Board of Education website.",
            "Hamas-linked hackers catfished soldiers during Israel's war against Hamas.",
            "Jihadists in Syria hacked into ministerial email accounts.",
        ],
        &[
            "The government began a cybercampaign against ISIS. ISIS was kept from sharing propaganda.",
            "Taliban networks hacked: the Taliban said their phones had been hacked.",
            "A hacker takes down websites of the KKK and a site linked to the Islamic State.",
            "Hackers publish personal data of alleged Hezbollah operatives.",
            "Anonymous floods Turkish banks, accusing the government of supporting ISIS.",
            "Hackers posted false tweets about terrorist attacks at Ground Zero.",
            "The No Fly List, maintained by the Terrorist Screening Center, was exposed.",
        ],
    );
    a_named_victim_is_not_the_actor(
        "terrorist",
        "An offensive cyber campaign",
        "The United Kingdom announced an offensive; the Islamic State lost its ability to recruit.",
        "Islamic State group",
    );
}

/// A humanitarian organisation delivers relief; a human-rights group, refugees themselves, a
/// humanitarian crisis as context, a development agency of a county and a housing authority
/// called OCHA are none (rules 2026-11.41).
#[test]
fn a_humanitarian_organisation_is_one_that_delivers_relief() {
    reads(
        "sector.international-organisations.humanitarian",
        &[
            "The Norwegian Refugee Council discovered a cyberattack on its systems.",
            "Spear-phishing targeted organizations working with refugees in the Middle East.",
            "Hackers defaced the website of a humanitarian aid organisation.",
            "USAID's email account was used to send phishing emails.",
        ],
        &[
            "A wiper hit the border control station, slowing refugee crossings.",
            "Hackers disrupted a zoom conference on the humanitarian situation in Ukraine.",
            "The Washington County Community Development Agency warns of a breach.",
            "Amnesty International reveals a campaign of spyware against activists.",
        ],
    );
    reads(
        "sector.international-organisations.humanitarian.ocha",
        &["The UN's OCHA reported a breach of its humanitarian data exchange."],
        &["The Oklahoma City Housing Authority (OCHA) discloses a phishing incident."],
    );
    reads(
        "sector.civil-society-media.ngos",
        &["Amnesty International reveals a campaign of spyware against activists."],
        &[],
    );
}

/// An intelligence agency that was hit, whose tools or contractor were, or that a report names as
/// its victim, is not the State actor; nor is one that speaks or advises. An agency named as the
/// operator still is (rules 2026-11.42).
#[test]
fn a_state_agency_hit_or_speaking_is_not_the_actor() {
    reads(
        "actor.state",
        &[
            "Sandworm, a unit of the GRU, deployed a wiper against the grid operator.",
            "Officers of the Ministry of State Security directed the intrusions into the universities.",
            // One agency hits another: the target's mention is masked, not the operator's.
            "US Cyber Command disabled IRGC systems used to plan attacks on tankers.",
            "Investigators revealed the GRU was behind the intrusion.",
        ],
        &[
            "LulzSec takes down the CIA page: the public website went down after the attack.",
            "The group breached SyTech, a major FSB contractor, exposing a secret project.",
            "Shadow Brokers publishes NSA hacking tools it claims to have stolen.",
            "Multiple APT groups gained access, based on a joint advisory by CISA, the FBI and the NSA.",
            "South Korea's National Intelligence Service reveals that it observed attempts on shipyards.",
        ],
    );
    a_named_victim_is_not_the_actor(
        "state",
        "Minuteman Senior Services (MSS) reports an email breach",
        "An unauthorized individual gained access to the email account of an MSS employee.",
        "Minuteman Senior Services (MSS)",
    );
    // The agency named as the victim stops that name only: the operator is still read (rules
    // 2026-11.47, `victims_mask`).
    let mut r = report(
        "gru",
        "Intrusion at the State Security Service",
        "Officers of the GRU broke into the mail servers of the State Security Service.",
    );
    r.victims
        .push(named_victim("State Security Service of Georgia"));
    let found = Assessor::builtin().rules.apply(&Texts::of(&r), None);
    let state = found
        .iter()
        .find(|j| j.rule_id == "rule:actor.state")
        .expect("the GRU is read");
    assert!(
        state.evidence.iter().all(|e| !e.contains("State Security")),
        "{state:#?}"
    );
}

/// State affiliation is said of the operators: their ties, their principal, their APT name; not
/// of a victim's ties, a VPN proxy, a word that starts with "apt", or a hacktivist group that
/// calls itself a cyber army (rules 2026-11.43).
#[test]
fn state_affiliation_is_said_of_the_operators() {
    reads(
        "actor.state-affiliated",
        &[
            "The breaches were carried out by people with ties to the Chinese government.",
            "Threat actors believed to be tied to the Kazakh government targeted lawyers.",
            "APT28 sent phishing emails to the ministry.",
            "The intrusion was conducted on behalf of the Iranian government.",
        ],
        &[
            "A hacker leaks the details of 20 million users of Aptoide, an app store.",
            "Hackers from the Bangladesh Cyber Army deface Indian webpages.",
            "Interserve, a contractor for Britain's Ministry of Defence, suffers a breach.",
            "Attackers breached the admin credentials of i2VPN, a popular VPN proxy service.",
            "A shipbuilder with ties to the government discloses a ransomware attack.",
            "The breach was reported on behalf of the Johns Hopkins University.",
        ],
    );
}

/// "Hacker group" names no motive, and a protest or a claim of responsibility says hacktivism
/// only where nothing else says who the operators are (rules 2026-11.44).
#[test]
fn a_claim_or_a_protest_says_hacktivism_only_when_nothing_else_names_the_actor() {
    let actors = |text: &str| rule_labels(&report("h", "Report", text), Dimension::Actor);
    let hacktivist = "hacktivist".to_string();
    assert!(
        actors("Hacktivists from KillNet took the airport's website down.").contains(&hacktivist)
    );
    assert!(
        actors("A group defaced the ministry's site in protest against the new law.")
            .contains(&hacktivist)
    );
    for text in [
        "The North Korean state-sponsored hacker group Lazarus stole $100 million.",
        "The Play ransomware gang has claimed responsibility for the attack on the hotel chain.",
        "US Cyber Command disabled IRGC systems in retaliation for the downing of a drone.",
    ] {
        let found = actors(text);
        assert!(!found.contains(&hacktivist), "{text}: {found:?}");
        assert!(!found.is_empty(), "{text}: another actor is read");
    }
}

/// Criminals a report names as its victims, a gang or a botnet taken down by the authorities, are
/// the target, not the actor (rules 2026-11.45).
#[test]
fn criminals_taken_down_are_not_the_actor() {
    a_named_victim_is_not_the_actor(
        "criminal",
        "Targeting of REvil",
        "The FBI and allied governments took down the Tor servers of the ransomware gang REvil.",
        "REvil, DarkSide ransomware operators and affiliates",
    );
    reads(
        "actor.criminal",
        &["The LockBit ransomware gang claims to have hit the hospital."],
        &["The police use spyware against suspects in criminal and national security investigations."],
    );
}

/// Children in a message's content (the news a hijacked account shared, a defacement's picture)
/// are not those the operation harmed, nor do they link it to children and armed conflict (rules
/// 2026-11.46).
#[test]
fn children_in_a_message_are_not_harmed_by_it() {
    reads(
        "population.children",
        &[
            "Ransomware at the school district exposed the records of 4,000 children.",
            "Hackers leaked the personal data of pupils and their parents.",
        ],
        &[
            "The group hijacked UNICEF's Twitter account to share news of a bomb blast in a school which killed 49 children.",
            "Anonymous defaced the website with a picture of a dead Ukrainian child.",
        ],
    );
}

/// What stands inside double quotation marks is someone's words (a defacement's message, a
/// show's title), not the report's account of whom the operation harmed: the populations are not
/// read there (`quotes_mask`, rules 2026-11.48).
#[test]
fn a_population_inside_quotation_marks_is_not_harmed() {
    reads(
        "population.children",
        &["Anonymous defaced a school website; the data of 300 children was exposed, \"officials\" said."],
        &["Anonymous defaced a manufacturer's website with the message \"While many Russian children have fun, others in Ukraine are killed\"."],
    );
    reads(
        "population.minorities",
        &["The hackers leaked the names of LGBT activists."],
        &["Anonymous hacked state websites in protest against an \"anti-LGBT\" bathroom law."],
    );
    reads(
        "population.women",
        &["The hackers published intimate images of women journalists."],
        &["OurMine took over HBO's Twitter accounts, among them the account of the show “Girls”."],
    );
}

/// An attack foiled, thwarted or stopped before encryption is still the kind of operation it
/// was, but implies none of a disruption's harms: a thwarted ransomware attack on a hospital puts
/// no lives at risk and links to no protection-of-civilians item, while one that encrypted its
/// systems does. "An attempted ransomware attack" is not read as foiled: reporters use it of
/// attacks that crippled systems for days (rules 2026-11.48).
#[test]
fn a_foiled_attack_implies_no_harm_of_a_disruption() {
    let assess = |description: &str| {
        let r = report(
            "f",
            "Ransomware attack on a children's hospital",
            description,
        );
        let a = Assessor::builtin().assess_incident(std::slice::from_ref(&r), &[]);
        assert!(
            has(&a, Dimension::Sector, "health.hospitals"),
            "{description}"
        );
        assert!(has(&a, Dimension::Threat, "ransomware"), "{description}");
        a
    };
    for foiled in [
        "Hackers launched a ransomware attack against the hospital. The attack was foiled after a partner country shared intelligence.",
        "The hospital was hit with a ransomware attack and quickly responded, preventing data encryption.",
        "The hospital says it thwarted a ransomware attack in November.",
        "The hospital's IT team spotted the ransomware in time and a disruption was averted.",
    ] {
        let a = assess(foiled);
        assert!(has(&a, Dimension::Duration, "foiled"), "{foiled}");
        assert!(!has(&a, Dimension::Harm, "physical"), "{foiled}");
        assert!(!has(&a, Dimension::Harm, "societal"), "{foiled}");
        assert!(!has(&a, Dimension::Agenda, "poc"), "{foiled}");
    }
    for took_effect in [
        "Ransomware encrypted the hospital's servers and the staff returned to paper records.",
        "Patients could not receive test results for several days after an attempted ransomware attack crippled the hospital's systems.",
        "Ransomware disrupted the hospital; extensive harm was thwarted when its systems were operating again after a brief disruption.",
    ] {
        let a = assess(took_effect);
        assert!(!has(&a, Dimension::Duration, "foiled"), "{took_effect}");
        assert!(has(&a, Dimension::Harm, "physical"), "{took_effect}");
    }
    // Nor does a foiled attack on a network the public relies on harm the public (2026-11.52).
    let telecoms = |description: &str| {
        let r = report(
            "t",
            "DDoS attack on a telecommunications operator",
            description,
        );
        Assessor::builtin().assess_incident(std::slice::from_ref(&r), &[])
    };
    let a = telecoms("The operator said it thwarted a DDoS attack on its mobile network.");
    assert!(has(&a, Dimension::Duration, "foiled"));
    assert!(!has(&a, Dimension::Population, "civilians"));
    let a = telecoms("A DDoS attack knocked the operator's mobile network offline for hours.");
    assert!(has(&a, Dimension::Population, "civilians"));
}

/// "Widespread" counts victims: thousands of people or devices, hundreds of organisations; not a
/// sum of money, a haul of files or the size of one flood (rules 2026-11.49).
#[test]
fn widespread_counts_victims_not_money_files_or_floods() {
    reads(
        "scale.widespread",
        &[
            "The breach exposed the records of thousands of patients.",
            "Ransomware hit hundreds of dental practices through their IT provider.",
            "The data of millions of Bulgarians was leaked.",
        ],
        &[
            "The hackers stole millions of dollars in cryptocurrency.",
            "Tokens worth hundreds of thousands of dollars were stolen.",
            "The attackers gained access to thousands of e-mails.",
            "The group leaked thousands of sensitive documents.",
            "A massive DDoS attack knocked the ministry's website offline.",
        ],
    );
}

/// "An anonymous hacker" is someone unnamed, not the Anonymous collective (rules 2026-11.50).
#[test]
fn an_anonymous_hacker_is_not_the_collective() {
    reads(
        "actor.hacktivist",
        &[
            "Anonymous hackers took down the ministry's website in support of the protesters.",
            "Hackers claiming to be part of Anonymous defaced the site.",
        ],
        &[
            "An anonymous hacker dumps the database of an online shop with 85,000 records.",
            "An anonymous group calling itself Shadow Brokers publishes what it claims are tools of an elite team of hackers.",
            "Three forums are disrupted by DDoS attacks from anonymous attackers.",
            "Cyber spies infiltrated the grid, according to anonymous current and former officials.",
        ],
    );
}
