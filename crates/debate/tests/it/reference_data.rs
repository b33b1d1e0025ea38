//! The shipped reference data: facts carried over from ../shared/reference, overrides from a
//! folder, located errors.

use std::collections::HashSet;

use threatscape_debate::calendar::{in_new_york, OpeningRule};
use threatscape_debate::jiff::civil::date;
use threatscape_debate::reference::{Origin, Reference, HOLIDAYS, PRESIDENCIES};
use threatscape_debate::Calendar;

fn rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut out = vec![header];
    out.extend(
        r.records()
            .map(|rec| rec.unwrap().iter().map(str::to_string).collect()),
    );
    out
}

#[test]
fn every_shared_fact_is_in_the_shipped_copy_with_its_flags() {
    let Some(dir) = Some(threatscape_testkit::shared_dir().join("reference")).filter(|d| {
        let ok = d.is_dir();
        if !ok {
            threatscape_testkit::skip(
                "comparing the shipped reference data",
                "../shared/reference is absent",
            );
        }
        ok
    }) else {
        return;
    };
    let ours = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../reference/data");
    for name in [
        "un-holidays.csv",
        "presidencies.csv",
        "council-membership.csv",
        "member-states.csv",
        "agenda-items.csv",
        "norms.csv",
    ] {
        let shared = rows(&std::fs::read_to_string(dir.join(name)).unwrap());
        let shipped = rows(&std::fs::read_to_string(ours.join(name)).unwrap());
        // Every shared column is shipped (the copy may add columns, e.g. `code`).
        let positions: Vec<usize> = shared[0]
            .iter()
            .map(|c| {
                shipped[0]
                    .iter()
                    .position(|s| s == c)
                    .unwrap_or_else(|| panic!("{name}: column {c} dropped"))
            })
            .collect();
        let have: HashSet<Vec<String>> = shipped[1..]
            .iter()
            .map(|r| positions.iter().map(|&p| r[p].clone()).collect())
            .collect();
        for row in &shared[1..] {
            assert!(
                have.contains(row),
                "{name}: shared row missing or changed in the shipped copy: {row:?}"
            );
        }
    }
}

#[test]
fn a_folder_overrides_some_files_and_the_rest_stays_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = include_str!("../../../reference/data/un-holidays.csv");
    // A hypothetical closure on Wednesday 19 June 2024.
    let edited =
        format!("{embedded}2024-06-19,Wed,Extra closure,official (HQ closed),uncertain,a test,\n");
    std::fs::write(dir.path().join(HOLIDAYS), edited).unwrap();
    let r = Reference::load(dir.path()).unwrap();
    assert_eq!(
        r.origins[HOLIDAYS],
        Origin::Folder(dir.path().join(HOLIDAYS))
    );
    assert_eq!(r.origins[PRESIDENCIES], Origin::Embedded);
    let meeting = in_new_york("2024-06-20T10:00".parse().unwrap()).unwrap();
    let o = Calendar::of(&r)
        .list_opening(&meeting, OpeningRule::default())
        .unwrap();
    assert_eq!(o.at.date(), date(2024, 6, 13));
    assert_eq!(
        o.skipped[0].reason.to_string(),
        "Extra closure (official UN Headquarters holiday; date uncertain, to confirm)"
    );
}

#[test]
fn errors_in_a_users_file_name_its_path_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = "year,month,member,iso3,verified,source\n2024,6,Republic of Korea,KOR,yes,x\n2024,13,France,FRA,yes,x\n2024,7,France,fr,yes,x\n";
    std::fs::write(dir.path().join(PRESIDENCIES), text).unwrap();
    let e = Reference::load(dir.path()).unwrap_err();
    let path = dir.path().join(PRESIDENCIES).display().to_string();
    let shown: Vec<String> = e.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        shown,
        [
            format!("{path}:3: month '13' is not 1-12"),
            format!("{path}:4: iso3 'fr' is not three capital letters")
        ]
    );
    assert!(e
        .to_string()
        .starts_with("2 problem(s) in the reference data:"));
    let e = Reference::load(&dir.path().join("nope")).unwrap_err();
    assert!(e.to_string().contains("not a folder"), "{e}");
}
