//! Checks of the PDF and STIX editions shared by the tests.

use std::collections::BTreeSet;
use std::process::Command;

use threatscape_brief::Briefing;

/// The PDF's text, read back with poppler's `pdftotext`, holds the title, every section heading
/// and the annex's incident ids; `pdfinfo` counts its pages. Skips loudly without poppler-utils.
pub fn check_pdf(pdf: &[u8], b: &Briefing) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.pdf");
    std::fs::write(&path, pdf).unwrap();
    let text = match Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
    {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => panic!(
            "pdftotext rejects the PDF: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            threatscape_testkit::skip(
                "reading the PDF back",
                &format!("pdftotext (Debian poppler-utils) cannot run: {e}"),
            );
            return;
        }
    };
    // pdftotext may break a line anywhere; compare with whitespace collapsed.
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let has =
        |needle: &str| flat.contains(&needle.split_whitespace().collect::<Vec<_>>().join(" "));
    assert!(has(&b.title), "the title is not in the PDF");
    assert!(has(b.highest_tlp_used.to_string().as_str()));
    for sec in &b.sections {
        assert!(has(&sec.title), "section {} is not in the PDF", sec.title);
    }
    assert!(has("Sources and method") && has("Annex: incidents cited"));
    // The printed annex: every incident a figure shows by number, and a word on the others.
    let printed = threatscape_brief::pdf::printed_annex(b);
    assert!(
        b.annex.is_empty() || !printed.is_empty(),
        "the figures show none of the annex's incidents"
    );
    // A long id wraps in its narrow column, and the layout mode interleaves the columns' lines:
    // read the ids in drawing order (`-raw`) and compare without any whitespace.
    let raw = Command::new("pdftotext")
        .args(["-raw", path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let dense: String = String::from_utf8_lossy(&raw.stdout)
        .split_whitespace()
        .collect();
    for a in printed.iter().take(50) {
        assert!(
            dense.contains(&a.id),
            "annex entry {} is not in the PDF",
            a.id
        );
    }
    if printed.len() < b.annex.len() {
        assert!(
            has(&format!(
                "The figures above count {} incidents; this annex lists the {} they show",
                b.annex.len(),
                printed.len()
            )),
            "the PDF does not say that its annex is shorter than the other editions'"
        );
    }
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count");
    assert!(pages >= 3, "{pages} pages");
    // Charts and the map are vector paths, not images.
    let fonts = Command::new("pdffonts").arg(&path).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    assert!(fonts.contains("LibertinusSerif"), "{fonts}");
    let images = Command::new("pdfimages")
        .args(["-list", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&images.stdout).lines().count(),
        2,
        "no raster images"
    );
}

/// Whether `check_stix` also runs the OASIS validator. It takes some 100 s on a whole year's
/// bundle (10 MB) in CI, so a test that builds two editions of the same year has one of them
/// judged by the peer and checks the other's structure only.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    Validate,
    Skip,
}

/// The bundle has one report whose `object_refs` are exactly the other non-marking objects,
/// including one incident per annex entry, and a marking at least as high as the briefing's.
/// With `Peer::Validate`, the OASIS validator judges it too when the peer is there.
pub fn check_stix(stix: &str, b: &Briefing, peer: Peer) {
    let v: serde_json::Value = serde_json::from_str(stix).unwrap();
    let objects = v["objects"].as_array().unwrap();
    let reports: Vec<&serde_json::Value> =
        objects.iter().filter(|o| o["type"] == "report").collect();
    assert_eq!(reports.len(), 1);
    let refs: BTreeSet<&str> = reports[0]["object_refs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let incidents = objects.iter().filter(|o| o["type"] == "incident").count();
    assert_eq!(incidents, b.annex.len());
    for o in objects {
        let t = o["type"].as_str().unwrap();
        if !["report", "marking-definition", "identity"].contains(&t)
            || o["identity_class"] == "organization"
        {
            assert!(
                refs.contains(o["id"].as_str().unwrap()),
                "{} is not referred to",
                o["id"]
            );
        }
    }
    let ids: BTreeSet<&str> = objects.iter().map(|o| o["id"].as_str().unwrap()).collect();
    for r in &refs {
        assert!(ids.contains(r), "{r} is referred to but not in the bundle");
    }
    let marking = reports[0]["object_marking_refs"][0].as_str().unwrap();
    let level = threatscape_stix::markings::tlp_of_marking(marking).unwrap();
    assert!(level >= b.highest_tlp_used);
    // An object cited by several incidents carries the most restrictive of their levels (a
    // country, public knowledge, stays CLEAR): no relationship is marked above its target.
    let level_of = |o: &serde_json::Value| {
        threatscape_stix::markings::tlp_of_marking(o["object_marking_refs"][0].as_str().unwrap())
            .unwrap()
    };
    let by_id: std::collections::BTreeMap<&str, &serde_json::Value> = objects
        .iter()
        .map(|o| (o["id"].as_str().unwrap(), o))
        .collect();
    for rel in objects.iter().filter(|o| o["type"] == "relationship") {
        let target = by_id[rel["target_ref"].as_str().unwrap()];
        if target["type"] != "location" {
            assert!(
                level_of(target) >= level_of(rel),
                "{} is marked below the incident citing it",
                target["id"]
            );
        }
    }

    if peer == Peer::Skip {
        return;
    }
    let Some(peer) = threatscape_testkit::shared_peer("validate-stix") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("briefing.json");
    std::fs::write(&path, stix).unwrap();
    let out = Command::new(peer).arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "validate-stix rejects the bundle:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `scripts/recompute-briefing.py` on a briefing's JSON and the exported incidents and
/// requires it to agree; skips loudly without python3.
pub fn recompute(briefing_json: &str, incidents_json: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (b, i) = (dir.path().join("b.json"), dir.path().join("i.json"));
    std::fs::write(&b, briefing_json).unwrap();
    std::fs::write(&i, incidents_json).unwrap();
    let script = threatscape_testkit::workspace_root().join("scripts/recompute-briefing.py");
    let out = match Command::new("python3")
        .arg(&script)
        .arg(&b)
        .arg(&i)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            threatscape_testkit::skip(
                "the independent recomputation",
                &format!("python3 cannot run: {e}"),
            );
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("every recomputed figure matches"),
        "the recomputation disagrees:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.matches("ok   ").count() >= 10, "{stdout}");
}
