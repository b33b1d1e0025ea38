//! Ingest: input files in, stored object versions and a summary out.
//!
//! Each file is one unit: it is read, upgraded, validated and repaired on a worker thread while the
//! calling thread writes what comes out to the store in one transaction. A file with a syntax error,
//! an object that breaks a MUST rule that cannot be repaired, or (with `--strict`) anything that
//! needed a repair, is rejected whole: nothing of it is kept, and the summary says where and why.
//! With [`Options::skip_invalid_objects`] the valid objects of such a file are kept and each invalid
//! one is listed.
//!
//! The same pipeline without a store is [`validate_paths`].
//!
//! References (`*_ref`, `*_refs`, markings, extension definitions) to objects that are neither in
//! the file nor in the store are listed in the summary as [`DanglingRef`]s: STIX allows them (the
//! object may be held elsewhere), so by default the file is kept; with [`RefMode::Strict`] it is
//! refused. The store is asked once per file, for every id the file does not hold, inside the
//! file's own transaction ([`threatscape_store::Lookup`]), so the answer and the write agree.

mod inputs;
mod summary;

use std::cell::RefCell;
use std::collections::HashSet;
use std::fs::File;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

use serde_json::Value;
use threatscape_model::{Contributor, Tlp};
use threatscape_sources::stix_incidents::Collector;
use threatscape_sources::{AdapterOutput, ReadOptions};
use threatscape_stix::reader::{Location, RawObject, ReadError, Reader, ReaderOptions};
use threatscape_stix::validate::{self, Severity};
use threatscape_stix::{canonical, markings, upgrade, JsonMap};
use threatscape_store::{
    Abort, AuditEntry, BatchItem, Lookup, NewRun, ObjectVersion, OnConflict, Store, StoreError,
    WriteOutcome,
};

pub use inputs::{collect_inputs, Inputs, Skipped};
pub use summary::{DanglingRef, Diagnostic, FileStatus, FileSummary, ReportCounts, Summary};
pub use threatscape_sources::SourceFormat;

/// The input format of a run: one for every file, or decided file by file from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Decide from each file's first bytes ([`threatscape_sources::detect`]).
    #[default]
    Auto,
    /// Read every file with this adapter.
    Fixed(SourceFormat),
}

/// How to ingest.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The input format.
    pub format: Format,
    /// Reject a file when any object needs a repair, not only when one is invalid.
    pub strict: bool,
    /// Keep a file's valid objects when some are invalid, instead of rejecting the whole file.
    pub skip_invalid_objects: bool,
    /// Who is contributing, and the TLP level declared for the submission.
    pub run: NewRun,
    /// The contributor as adapters need it (name, type and reliability), when the caller names one.
    pub contributor: Option<Contributor>,
    /// Limits of the reader.
    pub reader: ReaderOptions,
    /// What a reference to an object neither in the file nor in the store does to the file.
    pub refs: RefMode,
    /// Resolve references only against the stored versions this reader may see (a TAXII client
    /// must not learn from the answer that an object above its clearance exists); None resolves
    /// against every version (the operator's command line).
    pub refs_visible_to: Option<threatscape_store::Reader>,
}

/// What a dangling reference (to an object neither in the same file nor in the store) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefMode {
    /// It is listed and counted in the summary; the file is kept (STIX allows referring to
    /// objects held elsewhere).
    #[default]
    Report,
    /// It refuses the file: nothing of it is kept.
    Strict,
}

/// Where an ingest is, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Bytes of input processed so far, all files together.
    pub bytes: u64,
    /// Files finished so far.
    pub files_done: usize,
}

/// Ingests every input file into `store` and returns the summary.
///
/// Only a failure of the store itself is an `Err`; everything wrong with the input is in the summary.
pub fn ingest(
    store: &mut dyn Store,
    inputs: &Inputs,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, StoreError> {
    let run = store.begin_run(&options.run)?;
    let mut summary = Summary::new(&inputs.skipped);
    let mut files = Vec::with_capacity(inputs.files.len());
    let mut bytes_before = 0;
    for (n, path) in inputs.files.iter().enumerate() {
        let file = ingest_file(store, run, path, options, &mut |b| {
            progress(Progress {
                bytes: bytes_before + b,
                files_done: n,
            })
        })?;
        bytes_before += file.bytes;
        files.push(file);
        progress(Progress {
            bytes: bytes_before,
            files_done: n + 1,
        });
    }
    resolve_across_files(store, options, &mut files)?;
    for file in files {
        summary.add(file);
    }
    store.finish_run(
        run,
        &serde_json::to_value(&summary).expect("summaries serialise"),
    )?;
    Ok(summary)
}

/// A file's references are resolved when it is written; a later file of the same run (a folder, a
/// TAXII pull's pages) may bring the objects they name. Once every file is in, the store is asked
/// once more, for every id still missing, and the references it now resolves are taken off the
/// kept files' lists (a refused file brought nothing, so its list stands).
fn resolve_across_files(
    store: &mut dyn Store,
    options: &Options,
    files: &mut [FileSummary],
) -> Result<(), StoreError> {
    if files.len() < 2 {
        return Ok(());
    }
    let mut missing: Vec<String> = files
        .iter()
        .filter(|f| f.status == FileStatus::Stored)
        .flat_map(|f| f.missing.keys().cloned())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    missing.sort();
    missing.dedup();
    let known: HashSet<String> = store
        .known_ids(&missing, options.refs_visible_to.as_ref())?
        .into_iter()
        .collect();
    for file in files.iter_mut().filter(|f| f.status == FileStatus::Stored) {
        for id in &known {
            if let Some(n) = file.missing.remove(id) {
                file.dangling_refs -= n;
            }
        }
        file.dangling.retain(|d| !known.contains(&d.missing));
    }
    Ok(())
}

/// Validates every input file without storing anything (the `validate` command).
pub fn validate_paths(inputs: &Inputs, options: &Options) -> Summary {
    let mut summary = Summary::new(&inputs.skipped);
    for path in &inputs.files {
        let mut file = process_file(
            path,
            options,
            &AtomicU64::new(0),
            &mut |_| true,
            &mut |_| None,
        );
        // Nothing is written: a file without a reason for rejection counts as kept.
        file.settle(options, Some(WriteOutcome::default()));
        summary.add(file);
    }
    summary
}

/// The most STIX text kept in memory as the context of a file's incident reports (records,
/// actors, victims and their relationships; see [`Collector`]). Memory stays bounded whatever the
/// file's size: beyond this the objects are still stored, and the summary says that no reports were
/// derived and why.
const STIX_REPORT_CONTEXT_MAX_BYTES: usize = 12 << 20;

/// Objects travel from the worker to the writer in batches, to keep channel costs off the per-object path.
const BATCH: usize = 512;

fn ingest_file(
    store: &mut dyn Store,
    run: threatscape_store::RunId,
    path: &Path,
    options: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<FileSummary, StoreError> {
    let (tx, rx) = mpsc::sync_channel::<Vec<Result<BatchItem, Abort>>>(8);
    let position = Arc::new(AtomicU64::new(0));
    let worker_position = Arc::clone(&position);
    let worker_path = path.to_path_buf();
    let worker_options = options.clone();
    let worker = std::thread::spawn(move || {
        // (batch being filled, whether the writer has gone)
        let out = RefCell::new((Vec::with_capacity(BATCH), false));
        let mut file = process_file(
            &worker_path,
            &worker_options,
            &worker_position,
            &mut |item| {
                let (batch, receiver_gone) = &mut *out.borrow_mut();
                batch.push(item);
                if batch.len() == BATCH {
                    *receiver_gone = tx.send(std::mem::take(batch)).is_err();
                }
                !*receiver_gone
            },
            &mut |ids| {
                // Asked inside the transaction: the writer answers when it reaches the question.
                let (reply, answer) = mpsc::sync_channel(1);
                {
                    let (batch, receiver_gone) = &mut *out.borrow_mut();
                    if *receiver_gone {
                        return None;
                    }
                    batch.push(Ok(BatchItem::Lookup(Lookup {
                        ids,
                        visible_to: worker_options.refs_visible_to.clone(),
                        reply,
                    })));
                    *receiver_gone = tx.send(std::mem::take(batch)).is_err();
                    if *receiver_gone {
                        return None;
                    }
                }
                // An error when the writer failed before answering: the file is lost anyway.
                answer.recv().ok()
            },
        );
        let (mut batch, receiver_gone) = out.into_inner();
        // Decide now, while the transaction is still open: an abort is the last item sent.
        if let Some(why) = file.rejection(&worker_options) {
            batch.push(Err(Abort(why)));
        }
        if !receiver_gone && !batch.is_empty() {
            let _ = tx.send(batch);
        }
        file.bytes = worker_position.load(Ordering::Relaxed).max(file.bytes);
        file
    });

    let audit = AuditEntry {
        actor: options.run.actor.clone(),
        action: "ingest-file".into(),
        subject: path.display().to_string(),
        detail: serde_json::json!({
            "contributor": options.run.contributor,
            "declared_tlp": options.run.declared_tlp.map(|t| t.as_str()),
            // Who besides the contributor was given its AMBER+STRICT and RED material.
            "recipients": options.run.recipients,
        }),
    };
    let on_conflict = if options.skip_invalid_objects {
        OnConflict::Skip
    } else {
        OnConflict::Reject
    };
    let mut items = rx.into_iter().flat_map(|batch| {
        progress(position.load(Ordering::Relaxed));
        batch
    });
    let written = store.write_batch(run, &audit, on_conflict, &mut items);
    drop(items);
    let mut file = worker.join().expect("the ingest worker does not panic");
    match written {
        Ok(outcome) => file.settle(options, Some(outcome)),
        Err(StoreError::Aborted(_)) => file.settle(options, None),
        Err(StoreError::Conflict(conflict)) => {
            file.conflict(path, &conflict);
            file.settle(options, None);
        }
        Err(e) => return Err(e),
    }
    Ok(file)
}

/// What the store answers about ids a file refers to but does not hold: those of them it holds, or
/// None when there is no store to ask (validation) or it has gone (its own error ends the file).
type Resolve<'a> = dyn FnMut(Vec<String>) -> Option<Vec<String>> + 'a;

/// Reads, upgrades, validates and prepares every object of one file, handing each valid one to
/// `emit` (which returns false to stop early) and asking `resolve` about the references the file
/// does not resolve itself. Returns the file's findings and counts.
fn process_file(
    path: &Path,
    options: &Options,
    position: &AtomicU64,
    emit: &mut dyn FnMut(Result<BatchItem, Abort>) -> bool,
    resolve: &mut Resolve<'_>,
) -> FileSummary {
    let format = match options.format {
        Format::Fixed(f) => Some(f),
        Format::Auto => threatscape_sources::detect(path),
    };
    let Some(format) = format else {
        let mut file = FileSummary::new(path);
        file.fatal(Diagnostic::in_file(
            path,
            "cannot tell the format of this file (STIX, MISP, VERIS, native template, or a tracker CSV); \
             name it with --format",
        ));
        return file;
    };
    let read_options = ReadOptions {
        contributor: options.contributor.clone(),
        tlp: options.run.declared_tlp,
    };
    if format != SourceFormat::Stix {
        let mut file = FileSummary::new(path);
        file.format = Some(format.name());
        match threatscape_sources::read_file_with(format, path, &read_options) {
            Ok(output) => add_reports(&mut file, format, output, options, emit),
            Err(e) => file.fatal(Diagnostic::in_file(path, e.to_string())),
        }
        return file;
    }
    // STIX: the objects are streamed into the store, and the same pass gathers what the incident
    // adapter needs to derive reports, so the file is read and parsed once.
    let mut collector = Some(Collector::new(&path.display().to_string()));
    let mut file = process_stix_objects(path, options, position, emit, resolve, &mut collector);
    file.format = Some(format.name());
    if file.fatal.is_some() {
        return file;
    }
    match collector.map(|c| c.finish(&read_options)) {
        Some(Ok(output)) => add_reports(&mut file, format, output, options, emit),
        Some(Err(e)) => file.warning(Diagnostic::in_file(path, format!("no incident reports derived: {e}"))),
        None => file.warning(Diagnostic::in_file(
            path,
            format!(
                "objects stored; incident reports not derived: the context of this file's incidents \
                 and campaigns exceeds {} MiB (split the file to derive them)",
                STIX_REPORT_CONTEXT_MAX_BYTES >> 20
            ),
        )),
    }
    file
}

/// Adds an adapter's reports to the file's batch and its accounting to the summary.
///
/// Tracker rows and MISP events are independent accounts: a rejected one is listed and the others
/// are kept. In a STIX file every object is stored whatever the adapter makes of it, so an object the
/// adapter does not take as an account of an attack (an indicator feed's report, say) is a note,
/// not an error.
fn add_reports(
    file: &mut FileSummary,
    format: SourceFormat,
    output: AdapterOutput,
    options: &Options,
    emit: &mut dyn FnMut(Result<BatchItem, Abort>) -> bool,
) {
    file.records_read += output.read;
    file.records_repaired += output.repaired;
    file.records_rejected += output.rejected;
    for issue in output.rejections {
        let d = Diagnostic::record(
            &file.path,
            &issue.locator,
            "record-rejected",
            &issue.message,
        );
        if format == SourceFormat::Stix {
            file.warning(d);
        } else {
            file.error(d);
        }
    }
    for issue in output.repairs {
        file.repair(Diagnostic::record(
            &file.path,
            &issue.locator,
            "record-repaired",
            &issue.message,
        ));
    }
    let mut emitting = file.rejection(options).is_none();
    for (n, report) in output.reports.into_iter().enumerate() {
        file.records_accepted += 1;
        *file
            .by_format
            .entry(report.provenance.format.clone())
            .or_default() += 1;
        if emitting {
            emitting = emit(Ok(BatchItem::Report(Box::new(
                threatscape_store::ReportVersion {
                    report,
                    tag: n as u64,
                },
            ))));
        }
    }
}

/// The STIX object pipeline: every object read, upgraded, validated and prepared for the store.
fn process_stix_objects(
    path: &Path,
    options: &Options,
    position: &AtomicU64,
    emit: &mut dyn FnMut(Result<BatchItem, Abort>) -> bool,
    resolve: &mut Resolve<'_>,
    collector: &mut Option<Collector>,
) -> FileSummary {
    let mut context_bytes = 0usize;
    let mut refs = RefTracker::default();
    let mut file = FileSummary::new(path);
    let source = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            file.fatal(Diagnostic::in_file(path, format!("cannot open: {e}")));
            return file;
        }
    };
    file.bytes = source.metadata().map(|m| m.len()).unwrap_or(0);
    let mut emitting = true;
    let want_context = collector.is_some();
    let reader = Reader::with_options(source, options.reader);
    let check = |raw: &RawObject| check_object(raw, options, want_context);
    in_order(reader, &check, &mut |raw, checked| {
        position.store(raw.start.offset, Ordering::Relaxed);
        let checked = match checked {
            Ok(c) => c,
            Err(e) => {
                file.fatal(read_error(path, &e));
                return false;
            }
        };
        file.objects += 1;
        if checked.upgraded.is_some() {
            file.upgraded += 1;
        }
        if let (Some(c), Some(context)) = (collector.as_mut(), checked.context) {
            context_bytes += raw.bytes.len();
            if context_bytes > STIX_REPORT_CONTEXT_MAX_BYTES {
                *collector = None;
            } else {
                c.push(&raw, context, checked.upgraded.unwrap_or_default());
            }
        }
        for finding in &checked.outcome.findings {
            let diagnostic =
                Diagnostic::at(path, &raw, &finding.pointer, finding.code, &finding.message);
            match finding.severity {
                Severity::Error => file.error(diagnostic),
                Severity::Warning => file.warning(diagnostic),
            }
        }
        if !checked.outcome.repairs.is_empty() {
            file.repaired += 1;
            for r in &checked.outcome.repairs {
                file.repair(Diagnostic::at(
                    path, &raw, &r.pointer, "repaired", &r.message,
                ));
            }
        }
        let Some(version) = checked.version else {
            file.rejected += 1;
            return true;
        };
        if checked.outcome.has_errors() {
            file.kept_with_errors += 1;
        }
        *file.by_type.entry(version.type_.clone()).or_default() += 1;
        refs.add(&version.id, &raw, checked.refs);
        // Once the file is sure to be rejected, stop sending work to the writer but keep reading
        // to report every problem.
        if emitting && file.rejection(options).is_none() {
            emitting = emit(Ok(BatchItem::Object(version)));
        }
        true
    });
    if file.fatal.is_none() && file.rejection(options).is_none() {
        refs.settle(path, options, resolve, &mut file);
    }
    file
}

/// The references of a file's kept objects that the file itself does not resolve.
///
/// The ids of the file are kept as 64-bit hashes (a file of millions of objects stays tens of
/// megabytes; a collision, with odds near 2^-64 per pair, could only hide a dangling reference),
/// and a reference is kept only while its target has not been seen, so a bundle that lists
/// objects before the relationships between them holds almost nothing.
#[derive(Default)]
struct RefTracker {
    hasher: std::collections::hash_map::RandomState,
    ids: HashSet<u64>,
    pending: Vec<(String, Location, String, validate::Reference)>,
}

impl RefTracker {
    fn add(&mut self, id: &str, raw: &RawObject, refs: Vec<validate::Reference>) {
        self.ids.insert(self.hasher.hash_one(id));
        for r in refs {
            if !self.ids.contains(&self.hasher.hash_one(r.target.as_str())) {
                self.pending
                    .push((id.to_string(), raw.start, raw.pointer.clone(), r));
            }
        }
    }

    /// Asks the store once about every target still unresolved, and records the references to
    /// the ones it does not hold (refusing the file under [`RefMode::Strict`]).
    fn settle(
        self,
        path: &Path,
        options: &Options,
        resolve: &mut Resolve<'_>,
        file: &mut FileSummary,
    ) {
        let RefTracker {
            hasher,
            ids,
            mut pending,
        } = self;
        pending.retain(|(_, _, _, r)| !ids.contains(&hasher.hash_one(r.target.as_str())));
        if pending.is_empty() {
            return;
        }
        let mut targets: Vec<String> = pending.iter().map(|p| p.3.target.clone()).collect();
        targets.sort();
        targets.dedup();
        let Some(known) = resolve(targets) else {
            return;
        };
        let known: HashSet<String> = known.into_iter().collect();
        for (object, at, object_pointer, r) in pending {
            if known.contains(&r.target) {
                continue;
            }
            file.dangling(DanglingRef {
                file: path.display().to_string(),
                line: Some(at.line),
                column: Some(at.column),
                pointer: format!("{object_pointer}{}", r.pointer),
                object,
                property: r.property,
                missing: r.target,
            });
        }
        if options.refs == RefMode::Strict {
            if let Some(first) = file.dangling.first() {
                let message = format!(
                    "refused (--refs strict): {} reference(s) to objects that are neither in this file nor in the store; the first: {}",
                    file.dangling_refs,
                    first.what()
                );
                let diagnostic = Diagnostic {
                    file: first.file.clone(),
                    line: first.line,
                    column: first.column,
                    pointer: Some(first.pointer.clone()),
                    code: validate::code::DANGLING_REFERENCE.into(),
                    message,
                };
                file.fatal(diagnostic);
            }
        }
    }
}

/// What the per-object work found: everything that needs no state of the file.
struct Checked {
    /// What the 2.0 -> 2.1 upgrade changed, when the object was upgraded.
    upgraded: Option<Vec<&'static str>>,
    /// The (upgraded) object, when the incident adapter wants it as context.
    context: Option<JsonMap>,
    /// The validator's findings and repairs.
    outcome: validate::Outcome,
    /// The version to store, or None when the object is rejected.
    version: Option<ObjectVersion>,
    /// The references the (kept) object makes to other objects.
    refs: Vec<validate::Reference>,
}

/// Parses, upgrades, validates and prepares one object.
///
/// A structural error makes the object unusable and it is rejected; a value-level one (a
/// malformed URI, a bad base64 string) leaves it usable: it is kept and flagged, unless `--strict`.
/// Export withholds flagged objects, as it re-validates what it releases.
fn check_object(
    raw: &RawObject,
    options: &Options,
    want_context: bool,
) -> Result<Checked, ReadError> {
    let mut obj = raw.parse()?;
    let upgraded = upgrade::is_stix20(&obj, raw.bundle_spec_version.as_deref()).then(|| {
        upgrade::upgrade_20_to_21(&mut obj)
            .into_iter()
            .map(|c| c.pointer)
            .collect()
    });
    let context = (want_context && Collector::wants(&obj)).then(|| obj.clone());
    let outcome = validate::validate_object(&mut obj, !options.strict);
    let invalid = outcome
        .errors()
        .any(|f| options.strict || validate::code::is_structural(f.code));
    let version = (!invalid).then(|| prepare(&obj, raw, options.run.declared_tlp));
    let refs = if version.is_some() {
        validate::references(&obj)
    } else {
        Vec::new()
    };
    Ok(Checked {
        upgraded,
        context,
        outcome,
        version,
        refs,
    })
}

/// Objects per unit of parallel work: large enough to keep channel costs negligible, small enough
/// to keep memory flat.
const CHUNK: usize = 64;

/// Runs `check` over every object of `reader` on all cores, and hands the results to `sink` in the
/// file's order. `sink` returns false to stop (a syntax error): reading and checking then stop too.
///
/// One thread reads and cuts objects, the others check them, and the calling thread puts the
/// results back in order; every channel is bounded, so memory stays a few chunks per thread.
fn in_order<R: std::io::Read + Send>(
    mut reader: Reader<R>,
    check: &(dyn Fn(&RawObject) -> Result<Checked, ReadError> + Sync),
    sink: &mut dyn FnMut(RawObject, Result<Checked, ReadError>) -> bool,
) {
    type Chunk = Vec<(RawObject, Option<ReadError>)>;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    std::thread::scope(|scope| {
        let (job_tx, job_rx) = mpsc::sync_channel::<(usize, Chunk)>(workers * 2);
        let (done_tx, done_rx) = mpsc::sync_channel::<(
            usize,
            Vec<(RawObject, Result<Checked, ReadError>)>,
        )>(workers * 2);
        let job_rx = Arc::new(std::sync::Mutex::new(job_rx));
        scope.spawn(move || {
            // The reader: cuts objects into chunks. A syntax error travels as the chunk's last
            // item, so that it is reported after the objects before it.
            let mut index = 0;
            let mut chunk: Chunk = Vec::with_capacity(CHUNK);
            loop {
                let next = reader.next_object();
                let end = match next {
                    Some(Ok(raw)) => {
                        chunk.push((raw, None));
                        false
                    }
                    Some(Err(e)) => {
                        let at = e.location().unwrap_or_default();
                        let marker = RawObject {
                            bytes: Vec::new(),
                            start: at,
                            pointer: String::new(),
                            bundle_spec_version: None,
                        };
                        chunk.push((marker, Some(e)));
                        true
                    }
                    None => true,
                };
                if (end || chunk.len() == CHUNK) && !chunk.is_empty() {
                    if job_tx.send((index, std::mem::take(&mut chunk))).is_err() {
                        return;
                    }
                    index += 1;
                }
                if end {
                    return;
                }
            }
        });
        for _ in 0..workers {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || loop {
                let job = job_rx.lock().expect("no checker panics").recv();
                let Ok((index, chunk)) = job else { return };
                let results = chunk
                    .into_iter()
                    .map(|(raw, error)| {
                        let result = match error {
                            Some(e) => Err(e),
                            None => check(&raw),
                        };
                        (raw, result)
                    })
                    .collect();
                if done_tx.send((index, results)).is_err() {
                    return;
                }
            });
        }
        // Only the threads hold the channel ends now, so each side sees when the other has gone.
        drop(done_tx);
        drop(job_rx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        'results: for (index, results) in done_rx.iter() {
            waiting.insert(index, results);
            while let Some(results) = waiting.remove(&next) {
                next += 1;
                for (raw, result) in results {
                    if !sink(raw, result) {
                        break 'results;
                    }
                }
            }
        }
        // Dropping the receiver stops the checkers at their next send, and the reader at its next.
        drop(done_rx);
    });
}

/// Turns a valid object into the version to store.
fn prepare(obj: &JsonMap, raw: &RawObject, declared_tlp: Option<Tlp>) -> ObjectVersion {
    let text = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    // A contributor's declared level can only raise an object's own marking, never lower it.
    let tlp = markings::tlp_of(obj)
        .max(declared_tlp)
        .unwrap_or(Tlp::Clear);
    ObjectVersion {
        id: text("id"),
        modified: text("modified"),
        type_: text("type"),
        tlp,
        json: canonical::to_canonical(obj),
        tag: raw.start.offset,
    }
}

fn read_error(path: &Path, e: &ReadError) -> Diagnostic {
    match e {
        ReadError::Syntax { location, message } => {
            Diagnostic::located(path, *location, None, "syntax", message)
        }
        ReadError::Io(io) => Diagnostic::in_file(path, format!("cannot read: {io}")),
    }
}

/// The line and column of a byte offset in a file (for errors found after the file was read).
fn locate_offset(path: &Path, offset: u64) -> Option<Location> {
    use std::io::Read;
    let mut bytes = Vec::new();
    File::open(path)
        .ok()?
        .take(offset)
        .read_to_end(&mut bytes)
        .ok()?;
    let line = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let line_start = bytes
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i as u64 + 1);
    Some(Location {
        offset,
        line,
        column: offset - line_start + 1,
    })
}

impl FileSummary {
    /// Why the file must be rejected, if it must; None when it can be kept.
    fn rejection(&self, options: &Options) -> Option<String> {
        if let Some(fatal) = &self.fatal {
            return Some(fatal.to_string());
        }
        if self.rejected > 0 && !options.skip_invalid_objects {
            return Some(format!(
                "{} object(s) break STIX rules that cannot be repaired",
                self.rejected
            ));
        }
        None
    }

    /// Records a store conflict (found while writing) as the file's rejection.
    fn conflict(&mut self, path: &Path, conflict: &threatscape_store::Conflict) {
        let location = locate_offset(path, conflict.tag).unwrap_or_default();
        let message = StoreError::Conflict(conflict.clone()).to_string();
        self.fatal(Diagnostic::located(
            path,
            location,
            None,
            "version-conflict",
            &message,
        ));
    }

    /// Fixes the file's final status once the writer is done (`written` is None when nothing was kept).
    fn settle(&mut self, options: &Options, written: Option<WriteOutcome>) {
        let rejection = self.rejection(options);
        match written {
            Some(outcome) if rejection.is_none() => {
                self.new = outcome.new;
                self.unchanged = outcome.unchanged;
                self.records_new = outcome.reports_new;
                self.records_unchanged = outcome.reports_unchanged;
                for c in &outcome.conflicts {
                    self.rejected += 1;
                    if let Some(t) = self
                        .by_type
                        .get_mut(c.id.split("--").next().unwrap_or_default())
                    {
                        *t -= 1;
                    }
                    self.conflict_skipped(c);
                }
                self.status = FileStatus::Stored;
            }
            _ => {
                // Nothing of the file was kept: every object it held counts as rejected.
                self.status = FileStatus::Rejected;
                self.rejected = self.objects;
                self.kept_with_errors = 0;
                self.by_type.clear();
                self.records_rejected = self.records_read;
                self.records_accepted = 0;
                self.by_format.clear();
                if self.fatal.is_none() {
                    if let Some(why) = rejection {
                        self.fatal = Some(Diagnostic::in_file(Path::new(&self.path), why));
                    }
                }
            }
        }
    }

    fn conflict_skipped(&mut self, c: &threatscape_store::Conflict) {
        let path = PathBuf::from(&self.path);
        let location = locate_offset(&path, c.tag).unwrap_or_default();
        let message = StoreError::Conflict(c.clone()).to_string();
        let message = message.replace(", so nothing of this batch was kept", "; skipped");
        self.error(Diagnostic::located(
            &path,
            location,
            None,
            "version-conflict",
            &message,
        ));
    }
}
