//! Every parser that takes outside input, as one function of bytes each, with the parser's promises
//! checked by assertions: the fuzz targets (`fuzz/`, cargo-fuzz) and the property tests
//! (`tests/it`, proptest, run by `cargo test`) drive the same functions, so what the fuzzer explores
//! for hours CI re-checks in seconds.
//!
//! Each function returns normally on any input, valid or not; a panic (or a stack overflow, or an
//! allocation beyond the fuzzer's limit) is a bug in the parser. Errors are fine, but they must say
//! where: a file name, and a line or JSON pointer when the input has one.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use threatscape_model::{Contributor, ContributorType, Reliability, Tlp};
use threatscape_sources::{AdapterOutput, ReadOptions, SourceError};
use threatscape_stix::reader::{Reader, ReaderOptions};
use threatscape_stix::{canonical, markings, upgrade, validate};

/// The name the byte-driven adapters are given for their input (errors must carry it).
pub const FILE_NAME: &str = "input.fuzz";

/// One entry point: takes any bytes, panics only on a bug.
pub type EntryPoint = fn(&[u8]);

/// The entry points by name, as the fuzz targets and the corpus folders (`fuzz/corpus/<name>`) call them.
pub const TARGETS: [(&str, EntryPoint); 12] = [
    ("stix_reader", stix_reader),
    ("stix_validate", stix_validate),
    ("stix_pattern", stix_pattern),
    ("stix_incidents", stix_incidents),
    ("misp", misp),
    ("veris", veris),
    ("native", native),
    ("eurepoc", eurepoc),
    ("cfr", cfr),
    ("cissm", cissm),
    ("dcid", dcid),
    ("taxii_query", taxii_query),
];

/// The ingest path for STIX bytes: the streaming reader (the first byte picks the read size, so
/// buffer refills fall everywhere), then for each object parse, 2.0 -> 2.1 upgrade, validation with
/// repairs, the TLP of its markings, the canonical form (which must read back to itself) and the
/// file-wide reference check.
pub fn stix_reader(data: &[u8]) {
    let Some((&knob, input)) = data.split_first() else {
        return;
    };
    let options = ReaderOptions {
        max_object_bytes: 1 << 16,
        chunk_bytes: 16 + usize::from(knob) * 4,
    };
    let mut reader = Reader::with_options(input, options);
    let mut refs = validate::RefIndex::new();
    while let Some(next) = reader.next_object() {
        let raw = match next {
            Ok(raw) => raw,
            Err(e) => {
                assert!(
                    e.location().is_some(),
                    "a read error without its place: {e}"
                );
                break;
            }
        };
        assert!(raw.bytes.len() <= options.max_object_bytes);
        let Ok(mut obj) = raw.parse() else { continue };
        if upgrade::is_stix20(&obj, raw.bundle_spec_version.as_deref()) {
            upgrade::upgrade_20_to_21(&mut obj);
        }
        let outcome = validate::validate_object(&mut obj, true);
        let _ = markings::tlp_of(&obj);
        let text = canonical::to_canonical(&obj);
        let back: Map<String, Value> =
            serde_json::from_str(&text).expect("the canonical form is JSON");
        assert_eq!(
            canonical::to_canonical(&back),
            text,
            "canonical form is stable"
        );
        if !outcome.has_structural_errors() {
            refs.add(&obj);
        }
    }
    let _ = refs.finish(|_| false);
}

/// The validator on any JSON object: checking without repair leaves the object as it was, and the
/// errors reported after repairing are exactly the errors the repaired object has.
pub fn stix_validate(data: &[u8]) {
    let Ok(obj) = serde_json::from_slice::<Map<String, Value>>(data) else {
        return;
    };
    let mut checked = obj.clone();
    validate::validate_object(&mut checked, false);
    assert_eq!(checked, obj, "validation without repair changed the object");
    let mut repaired = obj;
    let fixed = validate::validate_object(&mut repaired, true);
    let mut again = repaired.clone();
    let recheck = validate::validate_object(&mut again, false);
    let errors = |o: &validate::Outcome| {
        o.errors()
            .map(|f| (f.pointer.clone(), f.code))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        errors(&recheck),
        errors(&fixed),
        "the errors left after repair are not the repaired object's errors"
    );
    let _ = canonical::to_canonical(&repaired);
}

/// The STIX patterning language on any text: a pattern that does not parse is never valid.
pub fn stix_pattern(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = threatscape_stix_pattern::parse(text);
    let checked = threatscape_stix_pattern::validate(text);
    if parsed.is_err() {
        assert!(checked.is_err(), "{text:?} does not parse yet validates");
    }
}

/// The STIX incidents adapter on any bytes.
pub fn stix_incidents(data: &[u8]) {
    check_adapter(threatscape_sources::stix_incidents::read_from(
        data,
        FILE_NAME,
        &ReadOptions::default(),
    ));
}

/// The MISP adapter on any bytes.
pub fn misp(data: &[u8]) {
    check_adapter(threatscape_sources::misp::read_bytes(
        data,
        FILE_NAME,
        &ReadOptions::default(),
    ));
}

/// The VERIS adapter on any bytes.
pub fn veris(data: &[u8]) {
    check_adapter(threatscape_sources::veris::read_from(
        data,
        FILE_NAME,
        &ReadOptions::default(),
    ));
}

/// The native contributor template: the first byte picks CSV or JSON and a declared TLP.
pub fn native(data: &[u8]) {
    use threatscape_sources::native::{read_bytes, Encoding};
    let Some((&knob, input)) = data.split_first() else {
        return;
    };
    let encoding = if knob & 1 == 0 {
        Encoding::Csv
    } else {
        Encoding::Json
    };
    let declared = (knob & 2 != 0).then_some(Tlp::Amber);
    let contributor = Contributor {
        name: "Fuzz CERT".into(),
        type_: ContributorType::MemberState,
        reliability: Reliability::B,
    };
    check_adapter(read_bytes(
        input,
        FILE_NAME,
        encoding,
        &contributor,
        declared,
    ));
}

/// The EuRepoC CSV adapter (through a file: it reads paths), and format detection on that file.
pub fn eurepoc(data: &[u8]) {
    with_file(data, threatscape_sources::eurepoc::read);
}

/// The CFR CSV adapter, and format detection on its file.
pub fn cfr(data: &[u8]) {
    with_file(data, threatscape_sources::cfr::read);
}

/// The CISSM CSV adapter, and format detection on its file.
pub fn cissm(data: &[u8]) {
    with_file(data, threatscape_sources::cissm::read);
}

/// The DCID CSV adapter, and format detection on its file.
pub fn dcid(data: &[u8]) {
    with_file(data, threatscape_sources::dcid::read);
}

/// TAXII request parameters and filters: the query string of the objects and manifest endpoints.
pub fn taxii_query(data: &[u8]) {
    if let Ok(query) = std::str::from_utf8(data) {
        if let Err(e) = threatscape_server::check_taxii_query(query) {
            assert_eq!(e.status, 400, "a bad query is the client's error: {e:?}");
        }
    }
}

/// Checks what every adapter promises: an error names the file; each record read is accepted or
/// rejected; every rejection and repair names its file and place.
fn check_adapter(result: Result<AdapterOutput, SourceError>) {
    let out = match result {
        Ok(out) => out,
        Err(SourceError::Format { file, message }) => {
            assert!(!file.is_empty() && !message.is_empty());
            return;
        }
        Err(SourceError::Io { file, source }) => {
            panic!("{file}: reading bytes from memory failed: {source}")
        }
    };
    assert_eq!(
        out.read,
        out.accepted + out.rejected,
        "read = accepted + rejected"
    );
    assert_eq!(out.accepted as usize, out.reports.len());
    assert_eq!(out.rejected as usize, out.rejections.len());
    for issue in out.rejections.iter().chain(&out.repairs) {
        assert!(
            !issue.file.is_empty() && !issue.locator.is_empty(),
            "an issue without its place: {issue:?}"
        );
    }
}

/// Writes `data` to a file of its own (the EuRepoC adapter looks for side tables beside its file,
/// so nothing else may be there; in RAM when /dev/shm exists) and reads it with `read`.
fn with_file(data: &[u8], read: fn(&Path) -> Result<AdapterOutput, SourceError>) {
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("a temporary directory");
    let path: PathBuf = dir.path().join("input.csv");
    std::fs::write(&path, data).expect("the input is written");
    let _ = threatscape_sources::detect(&path);
    check_adapter(read(&path));
}
