//! The briefing as PDF, typeset by typst used as a library.
//!
//! The layout is a typst file (`data/briefing.typ`) that reads the briefing as JSON and the
//! charts as SVG; this module supplies them through an in-memory [`World`], with the fonts
//! typst ships (Libertinus Serif for text, DejaVu Sans Mono for ids: see `data/README.md`)
//! embedded in the binary. Nothing is read from the machine: no system fonts, no files, no
//! clock, so the same briefing gives the same PDF anywhere. Charts and the map stay vectors.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde_json::{json, Value};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::model::{AnnexEntry, Briefing, Figure};
use crate::render::anchor;

/// The layout.
const TEMPLATE: &str = include_str!("../data/briefing.typ");

/// How many incident ids a figure lists in the PDF; the JSON edition lists them all.
pub const IDS_SHOWN: usize = 25;

/// A PDF that could not be made, with typst's own diagnostics.
#[derive(Debug, Clone, thiserror::Error)]
#[error("typesetting the briefing failed: {0}")]
pub struct PdfError(pub String);

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// typst's bundled fonts, parsed once.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// Parses the fonts and builds typst's standard library now (both are kept for the life of the
/// process): a caller with a core to spare before the briefing is built takes that work off the
/// PDF's own time. [`pdf`] does it itself when nobody did.
pub fn warm_up() {
    fonts();
    library();
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::builder().build()))
}

/// The in-memory world: the layout as the main file, the data and charts as files.
struct BriefWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("the module's own paths are valid"),
    )
    .intern()
}

impl World for BriefWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.get().vpath().get_without_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The layout never asks for the date, so the PDF does not depend on when it is made.
        None
    }
}

/// The annex as the PDF prints it: the incidents the figures show by number (their first
/// [`IDS_SHOWN`] each), in annex order. A quarter of a large store counts thousands, which no reader
/// pages through on paper; the HTML, Markdown, JSON and STIX editions list every incident cited.
pub fn printed_annex(b: &Briefing) -> Vec<&AnnexEntry> {
    let annexed: HashSet<&str> = b.annex.iter().map(|a| a.id.as_str()).collect();
    let mut shown: HashSet<&str> = HashSet::new();
    let every_figure = b
        .executive_summary
        .iter()
        .chain(b.sections.iter().flat_map(|s| s.figures.iter()))
        .chain(b.method.contributors_by_type.iter());
    for f in every_figure {
        shown.extend(
            f.incidents
                .iter()
                .map(String::as_str)
                .filter(|id| annexed.contains(id))
                .take(IDS_SHOWN),
        );
    }
    b.annex
        .iter()
        .filter(|a| shown.contains(a.id.as_str()))
        .collect()
}

/// The briefing as a PDF document.
pub fn pdf(b: &Briefing) -> Result<Vec<u8>, PdfError> {
    let mut files = HashMap::new();
    let mut add = |path: &str, bytes: Vec<u8>| {
        files.insert(file_id(path), Bytes::new(bytes));
        Value::String(path.to_string())
    };
    let printed = printed_annex(b);
    // Annex entries are numbered; figures cite those numbers, which read better than long ids.
    let cited: HashMap<&str, usize> = printed
        .iter()
        .enumerate()
        .map(|(n, a)| (a.id.as_str(), n + 1))
        .collect();
    let series = if b.monthly.is_empty() {
        Value::Null
    } else {
        add(
            "/series.svg",
            crate::charts::time_series(&b.monthly, &b.period.label).into_bytes(),
        )
    };
    let mut sections = Vec::new();
    for sec in &b.sections {
        let map = if sec.id == "affected-states" {
            add(
                "/map.svg",
                crate::charts::world_map(&b.states, &b.period.label, &|_| None).into_bytes(),
            )
        } else {
            Value::Null
        };
        let chart = if sec.chart.is_empty() {
            Value::Null
        } else {
            add(
                &format!("/chart-{}.svg", anchor(&sec.id)),
                crate::charts::bar_chart(&sec.chart, &b.period.label).into_bytes(),
            )
        };
        sections.push(json!({
            "title": sec.title,
            "note": sec.note,
            "figures": sec.figures.iter().map(|f| figure(f, &cited)).collect::<Vec<_>>(),
            "map": map,
            "chart": chart,
        }));
    }
    let view = json!({
        "title": b.title,
        "tlp": b.highest_tlp_used.as_str(),
        "intro": format!(
            "Period {} compared with {} ({}). Incidents are placed in time by {}. Marking: {} (audience: {}; material up to {} allowed; {} withheld).",
            b.period.label,
            b.baseline_periods.iter().map(|p| p.label.as_str()).collect::<Vec<_>>().join(", "),
            b.baseline_description,
            b.date_basis,
            b.highest_tlp_used,
            b.audience,
            b.max_tlp,
            crate::trends::count(b.withheld_reports, "report")
        ),
        "summary": b.executive_summary.iter().map(|f| figure(f, &cited)).collect::<Vec<_>>(),
        "series": series,
        "sections": sections,
        "method": {
            "contributors": b.method.contributors_by_type.iter().map(|f| figure(f, &cited)).collect::<Vec<_>>(),
            "coverage": b.method.coverage.iter().map(|c| vec![
                c.source.clone(),
                c.contributor_type.clone(),
                c.current_reports.to_string(),
                c.baseline_reports.to_string(),
                c.first.clone().unwrap_or_default(),
                c.last.clone().unwrap_or_default(),
            ]).collect::<Vec<_>>(),
            "tlp_line": b.method.tlp_used.iter().map(|(t, n)| format!("{t} {n}")).collect::<Vec<_>>().join(", "),
            "statistics": b.method.statistics,
            "caveats": b.method.caveats,
        },
        "annex_counted": b.annex.len(),
        "annex": printed.iter().enumerate().map(|(n, a)| json!({
            "n": n + 1,
            "id": a.id,
            "anchor": anchor(&a.id),
            "date": a.date.clone().unwrap_or_default(),
            "title": a.title,
            "labels": a.labels.join(", "),
            "sources": a.sources.join(", "),
            "tlp": a.tlp.as_str(),
            "urls": a.urls,
        })).collect::<Vec<_>>(),
    });
    add(
        "/briefing.json",
        serde_json::to_vec(&view).expect("a JSON value always serialises"),
    );
    let world = BriefWorld {
        main: Source::new(file_id("/briefing.typ"), TEMPLATE.to_string()),
        files,
    };
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|diags| PdfError(describe(&world, &diags)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|diags| PdfError(describe(&world, &diags)))
}

/// A figure for the layout: its text, counts and the annex numbers of its first incidents.
fn figure(f: &Figure, cited: &HashMap<&str, usize>) -> Value {
    let shown: Vec<Value> = f
        .incidents
        .iter()
        .filter_map(|id| cited.get(id.as_str()).map(|n| (id, n)))
        .take(IDS_SHOWN)
        .map(|(id, n)| json!({"n": n, "anchor": anchor(id)}))
        .collect();
    json!({
        "id": f.id,
        "text": f.text,
        "count": f.incidents.len(),
        "baseline_count": f.baseline_incidents.len(),
        "more": f.incidents.len() - shown.len(),
        "shown": shown,
    })
}

fn describe(world: &BriefWorld, diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let place = d
                .span
                .id()
                .filter(|id| *id == world.main.id())
                .and_then(|_| world.range(d.span))
                .map(|r| {
                    let line = world.main.text()[..r.start].lines().count().max(1);
                    format!("data/briefing.typ line {line}: ")
                })
                .unwrap_or_default();
            format!("{place}{}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
