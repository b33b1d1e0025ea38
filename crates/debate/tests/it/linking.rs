//! Statements linked to threat kinds, sectors, norms and agenda items.

use threatscape_debate::linker::{concerns, link_statements};
use threatscape_debate::reference::TermKind;
use threatscape_debate::{Level, Vocabulary};

use crate::{list, ny, reference, request};

const ESTONIA: &str =
    "Mr. President, ransomware attacks against hospitals have put lives at risk. \
State actors must not knowingly allow their territory to be used for such attacks, and attacks on \
critical infrastructure breach the agreed norms. The theft of cryptocurrency by the DPRK funds its \
weapons programmes. We support the CERTs that respond to these incidents.";

fn found(text: &str) -> Vec<String> {
    Vocabulary::from_reference(reference())
        .link(text)
        .iter()
        .map(|l| format!("{}:{}", l.kind, l.id))
        .collect()
}

#[test]
fn a_statement_links_to_every_kind_of_term() {
    let f = found(ESTONIA);
    for expected in [
        "threat-kind:ransomware",
        "threat-kind:cryptocurrency-theft",
        "sector:health",
        "norm:c",
        "norm:f",
        "norm:k",
        "agenda-item:nonprolif-dprk",
    ] {
        assert!(f.contains(&expected.to_string()), "{expected} not in {f:?}");
    }
    assert!(!f.contains(&"threat-kind:ddos".to_string()), "{f:?}");
}

#[test]
fn evidence_names_the_phrase_and_the_words() {
    let links = Vocabulary::from_reference(reference()).link(ESTONIA);
    let f = links
        .iter()
        .find(|l| l.kind == TermKind::Norm && l.id == "f")
        .unwrap();
    assert_eq!(f.evidence[0].phrase, "attack* on critical infrastructure");
    assert_eq!(
        f.evidence[0].matched,
        "attacks on\ncritical infrastructure".replace('\n', " ")
    );
    assert!(f.evidence[0]
        .context
        .contains("attacks on critical infrastructure breach"));
    let crypto = links
        .iter()
        .find(|l| l.id == "cryptocurrency-theft")
        .unwrap();
    assert_eq!(crypto.evidence[0].matched, "theft of cryptocurrency");
}

#[test]
fn the_presidency_sees_who_raised_what() {
    let (_, mut l) = list();
    let r = reference();
    let est = l
        .inscribe(
            r,
            request("EST", Level::Minister, true),
            "x",
            ny("2024-06-14T10:00"),
        )
        .unwrap()
        .inscription;
    let jpn = l
        .inscribe(
            r,
            request("JPN", Level::PermanentRepresentative, true),
            "x",
            ny("2024-06-14T10:01"),
        )
        .unwrap()
        .inscription;
    l.inscribe(
        r,
        request("FIN", Level::PermanentRepresentative, true),
        "x",
        ny("2024-06-14T10:02"),
    )
    .unwrap();
    l.attach_statement(
        est,
        ESTONIA,
        Some("estonia.pdf"),
        "Secretariat",
        ny("2024-06-20T12:00"),
    )
    .unwrap();
    l.attach_statement(
        jpn,
        "Ransomware is a threat to international peace and security.",
        None,
        "Secretariat",
        ny("2024-06-20T12:01"),
    )
    .unwrap();
    let vocab = Vocabulary::from_reference(r);
    let links = link_statements(&l, &vocab);
    assert_eq!(links.len(), 2, "Finland attached no text");
    assert_eq!(
        links[0].name, "Japan",
        "Council members come first in the speaking order"
    );
    let c = concerns(&links);
    assert_eq!(c[0].id, "ransomware");
    assert_eq!(c[0].raised_by.len(), 2);
    let threats = c.iter().find(|x| x.id == "threats-ips").unwrap();
    assert_eq!(threats.raised_by, [(jpn, "Japan".to_string())]);
}
