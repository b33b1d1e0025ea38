//! The Journal's text, CSV and JSON.

use threatscape_debate::calendar::in_new_york;
use threatscape_debate::export::{self, ListDocument, CSV_COLUMNS};
use threatscape_debate::{Joint, Level, Meeting, SpeakingOrder};

use crate::{briefer, list, ny, reference, request};

fn sample() -> (Meeting, SpeakingOrder) {
    let (m, mut l) = list();
    let r = reference();
    l.inscribe(
        r,
        briefer("Mr. António Guterres"),
        "Secretariat",
        ny("2024-06-13T10:00"),
    )
    .unwrap();
    let mut dnk = request("DNK", Level::Minister, true);
    dnk.joint = Some(Joint {
        group: Some("the Nordic countries".into()),
        on_behalf_of: vec![],
    });
    for (k, (req, _)) in [
        (request("USA", Level::PermanentRepresentative, true), ()),
        (request("KOR", Level::Minister, true), ()),
        (request("DEU", Level::PermanentRepresentative, true), ()),
        (dnk, ()),
        (request("AUT", Level::PermanentRepresentative, false), ()),
    ]
    .into_iter()
    .enumerate()
    {
        l.inscribe(r, req, "eSpeakers", ny(&format!("2024-06-14T10:0{k}")))
            .unwrap();
    }
    l.make_draw(1, "Secretariat", ny("2024-06-19T15:00"))
        .unwrap();
    (m, l.order())
}

#[test]
fn the_journal_prints_the_list() {
    let (m, order) = sample();
    let as_at = in_new_york("2024-06-19T18:00".parse().unwrap()).unwrap();
    let text = export::journal(&m, &order, &as_at);
    let expected = "\
Security Council
Open debate (S/PV.9662)
Maintenance of international peace and security
Addressing evolving threats in cyberspace
Thursday, 20 June 2024, 10:00, Security Council Chamber
Concept note: S/2024/446
Presidency: Republic of Korea

List of speakers (as at Wednesday, 19 June 2024, 18:00 EDT)
Statements are limited to three minutes; longer texts are circulated in writing.

Briefers
1. Mr. António Guterres, Briefer

Members of the Security Council
2. United States of America
3. Republic of Korea [Minister for Foreign Affairs]

Other speakers
4. Denmark [Minister for Foreign Affairs] (on behalf of the Nordic countries)
5. Germany
";
    assert_eq!(text, expected);
    assert!(
        !text.contains("Austria"),
        "an incomplete rule 37 request is not printed"
    );
}

#[test]
fn the_csv_has_a_row_per_speaker_with_its_reasons() {
    let (_, order) = sample();
    let text = export::csv(&order);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[2][1], "council-members");
    assert_eq!(&rows[2][2], "Republic of Korea");
    assert_eq!(&rows[2][3], "KOR");
    assert_eq!(&rows[2][7], "Minister");
    assert!(rows[2][11].contains("speaks last among members"));
    assert_eq!(&rows[3][8], "the Nordic countries");
}

#[test]
fn the_json_round_trips() {
    let (m, order) = sample();
    let as_at = in_new_york("2024-06-19T18:00".parse().unwrap()).unwrap();
    let text = export::json(&m, &order, &as_at);
    let doc: ListDocument = serde_json::from_str(&text).unwrap();
    assert_eq!(doc.order, order);
    assert_eq!(doc.meeting, m);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["meeting"]["time_limit"], "PT3M");
    assert_eq!(v["meeting"]["presidency"]["provenance"]["verified"], "yes");
    assert_eq!(v["order"]["pending"][0]["missing"][0]["kind"], "letter");
    assert_eq!(v["order"]["seed"], 1);
}
