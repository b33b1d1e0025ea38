//! One function per command: parse nothing, print results, map outcomes to exit codes.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use threatscape_ingest::{collect_inputs, Options, Summary};
use threatscape_model::{Contributor, Tlp};
use threatscape_stix::bundle::BundleWriter;
use threatscape_store::{AuditEntry, NewRun, ObjectFilter, Store};

use crate::table::render;
use crate::{
    BackupArgs, ExportStixArgs, IngestArgs, MigrateArgs, Outcome, RestoreArgs, SearchArgs,
    StatsArgs, ValidateArgs,
};

pub(crate) fn open_store(db: &str) -> Result<Box<dyn Store + Send>> {
    threatscape_store::open(db).with_context(|| format!("cannot open the store {}", shown(db)))
}

/// A store location fit to print: a URL's password is hidden.
fn shown(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &db[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &db[..scheme + 3],
                    &credentials[..colon],
                    &db[at..]
                ),
                None => db.to_string(),
            }
        }
        _ => db.to_string(),
    }
}

/// Who is acting, for the audit log.
pub(crate) fn actor() -> String {
    std::env::var("USER").map_or_else(|_| "cli".to_string(), |u| format!("cli:{u}"))
}

pub(crate) fn ingest(db: &str, args: IngestArgs) -> Result<Outcome> {
    let inputs = collect_inputs(&args.paths);
    let contributor = match (&args.contributor, args.contributor_type) {
        (Some(name), Some(type_)) => Some(Contributor {
            name: name.clone(),
            type_,
            reliability: args.reliability,
        }),
        _ => None,
    };
    let options = Options {
        format: args.format.format(),
        contributor,
        strict: args.strict,
        skip_invalid_objects: args.skip_invalid_objects,
        run: NewRun {
            contributor: args.contributor,
            contributor_type: args.contributor_type,
            declared_tlp: args.tlp,
            actor: actor(),
            recipients: args.recipients,
        },
        reader: Default::default(),
        refs: args.refs.mode(),
        refs_visible_to: None,
    };
    let mut store = open_store(db)?;
    let total: u64 = inputs
        .files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    let bar = progress_bar(total, args.json);
    let summary = threatscape_ingest::ingest(&mut *store, &inputs, &options, &mut |p| {
        bar.set_position(p.bytes);
        bar.set_message(format!("{} of {} files", p.files_done, inputs.files.len()));
    })
    .context("the store failed during ingest; files not yet committed were not kept")?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", ingest_json(&summary));
    } else {
        print_summary(&summary, "ingested");
    }
    Ok(if summary.all_files_kept() {
        Outcome::Success
    } else {
        Outcome::InputProblems
    })
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

/// The JSON shape documented for `ingest --json` (and the same for `validate --json`).
fn ingest_json(summary: &Summary) -> serde_json::Value {
    serde_json::json!({
        "files": summary.files,
        "files_rejected": summary.files_rejected,
        "objects": summary.objects,
        "by_type": summary.by_type,
        "new": summary.new,
        "unchanged": summary.unchanged,
        "upgraded": summary.upgraded,
        "repaired": summary.repaired,
        "kept_with_errors": summary.kept_with_errors,
        "rejected": summary.rejected,
        "warnings": summary.warnings,
        "dangling_refs": summary.dangling_refs,
        "dangling": summary.dangling,
        "reports": summary.reports,
        "errors": summary.errors,
        "repairs": summary.repairs,
        "skipped": summary.skipped,
    })
}

fn print_summary(summary: &Summary, verb: &str) {
    let mut out = String::new();
    for skipped in &summary.skipped {
        out += &format!("skipped {}: {}\n", skipped.path, skipped.reason);
    }
    for error in &summary.errors {
        out += &format!("error: {error}\n");
    }
    let repairs_shown = summary.repairs.len().min(20);
    for repair in &summary.repairs[..repairs_shown] {
        out += &format!("repaired: {repair}\n");
    }
    if summary.repairs.len() > repairs_shown {
        out += &format!(
            "... and {} more repairs (see --json)\n",
            summary.repairs.len() - repairs_shown
        );
    }
    let dangling_shown = summary.dangling.len().min(20);
    for dangling in &summary.dangling[..dangling_shown] {
        out += &format!("dangling reference: {dangling}\n");
    }
    if summary.dangling_refs > dangling_shown as u64 {
        out += &format!(
            "... and {} more dangling references (see --json)\n",
            summary.dangling_refs - dangling_shown as u64
        );
    }
    let rows: Vec<Vec<String>> = summary
        .by_type
        .iter()
        .map(|(t, n)| vec![t.clone(), n.to_string()])
        .collect();
    if !rows.is_empty() {
        out += "\n";
        out += &render(&["type", "objects"], &rows);
    }
    let reports = &summary.reports;
    if reports.read > 0 {
        let mut rows: Vec<Vec<String>> = reports
            .by_format
            .iter()
            .map(|(f, n)| vec![f.clone(), n.to_string()])
            .collect();
        rows.push(vec!["read".into(), reports.read.to_string()]);
        rows.push(vec!["accepted".into(), reports.accepted.to_string()]);
        rows.push(vec![
            "of which repaired".into(),
            reports.repaired.to_string(),
        ]);
        rows.push(vec!["rejected".into(), reports.rejected.to_string()]);
        rows.push(vec!["new".into(), reports.new.to_string()]);
        rows.push(vec!["unchanged".into(), reports.unchanged.to_string()]);
        out += "\n";
        out += &render(&["reports", ""], &rows);
    }
    let totals = vec![
        vec!["files".to_string(), summary.files.to_string()],
        vec!["files rejected".into(), summary.files_rejected.to_string()],
        vec!["STIX objects read".into(), summary.objects.to_string()],
        vec!["new".into(), summary.new.to_string()],
        vec!["unchanged".into(), summary.unchanged.to_string()],
        vec!["upgraded from 2.0".into(), summary.upgraded.to_string()],
        vec!["repaired".into(), summary.repaired.to_string()],
        vec![
            "kept with errors".into(),
            summary.kept_with_errors.to_string(),
        ],
        vec!["rejected".into(), summary.rejected.to_string()],
        vec!["warnings".into(), summary.warnings.to_string()],
        vec![
            "dangling references".into(),
            summary.dangling_refs.to_string(),
        ],
    ];
    out += "\n";
    out += &render(&[verb, ""], &totals);
    print!("{out}");
}

pub(crate) fn validate(args: ValidateArgs) -> Result<Outcome> {
    let inputs = collect_inputs(&args.paths);
    let options = Options {
        strict: args.strict,
        ..Options::default()
    };
    let summary = threatscape_ingest::validate_paths(&inputs, &options);
    if args.json {
        println!("{}", ingest_json(&summary));
    } else {
        for file in &summary.per_file {
            let verdict = if file.status == threatscape_ingest::FileStatus::Stored {
                "valid"
            } else {
                "INVALID"
            };
            println!("{verdict}: {} ({} objects)", file.path, file.objects);
        }
        print_summary(&summary, "validated");
    }
    Ok(if summary.all_files_kept() {
        Outcome::Success
    } else {
        Outcome::InputProblems
    })
}

pub(crate) fn export_stix(db: &str, args: ExportStixArgs) -> Result<Outcome> {
    let mut store = open_store(db)?;
    let filter = ObjectFilter {
        types: args.types.clone(),
        max_tlp: args.max_tlp,
    };
    let mut withheld_invalid = 0u64;
    let mut written = 0u64;
    write_atomically(&args.out, |out| {
        let mut bundle = BundleWriter::new(out)?;
        store
            .for_each_object(&filter, &mut |json| {
                if !args.include_invalid && !is_valid_stix(json) {
                    withheld_invalid += 1;
                    return Ok(());
                }
                bundle
                    .push_json(json)
                    .map_err(|e| threatscape_store::Abort(e.to_string()))
            })
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        written = bundle.count();
        bundle.finish().map(|_| ())
    })
    .with_context(|| {
        format!(
            "cannot export to {} (nothing was written there)",
            args.out.display()
        )
    })?;

    let by_tlp = store.counts_by_tlp()?;
    let withheld: u64 = by_tlp
        .iter()
        .filter(|(t, _)| **t > args.max_tlp)
        .map(|(_, n)| n)
        .sum();
    store.audit(&AuditEntry {
        actor: actor(),
        action: "export-stix".into(),
        subject: args.out.display().to_string(),
        detail: serde_json::json!({"objects": written, "max_tlp": args.max_tlp.as_str(), "types": args.types}),
    })?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({"out": args.out, "objects": written, "max_tlp": args.max_tlp.as_str(), "withheld_above_max_tlp": withheld, "withheld_invalid": withheld_invalid})
        );
    } else {
        println!("wrote {written} objects to {}", args.out.display());
        if withheld_invalid > 0 {
            println!(
                "withheld {withheld_invalid} object versions kept with errors (use --include-invalid to release them)"
            );
        }
        if withheld > 0 {
            println!(
                "withheld {withheld} object versions marked above {} (use --max-tlp to release them)",
                args.max_tlp
            );
        }
    }
    Ok(Outcome::Success)
}

/// True when a stored object passes the validator with no error (stored objects are canonical and
/// repaired, so only the errors ingest flagged and kept can remain).
fn is_valid_stix(json: &str) -> bool {
    match serde_json::from_str::<threatscape_stix::JsonMap>(json) {
        Ok(mut obj) => !threatscape_stix::validate::validate_object(&mut obj, false).has_errors(),
        Err(_) => false,
    }
}

/// Writes a file through `write` into a temporary file beside it, then renames it into place: the
/// file is never seen half-written, and a failure leaves any previous file as it was.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = temporary_beside(path);
    let result = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A temporary path in the same folder as `path`, so the final rename stays on one file system.
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

pub(crate) fn stats(db: &str, args: StatsArgs) -> Result<Outcome> {
    let store = open_store(db)?;
    let by_type = store.counts_by_type(Tlp::Red)?;
    let by_tlp = store.counts_by_tlp()?;
    let total: u64 = by_type.values().sum();
    if args.json {
        let by_tlp: serde_json::Map<String, serde_json::Value> = by_tlp
            .iter()
            .map(|(t, n)| (t.as_str().to_string(), (*n).into()))
            .collect();
        println!(
            "{}",
            serde_json::json!({"total": total, "by_type": by_type, "by_tlp": by_tlp})
        );
    } else {
        let mut rows: Vec<Vec<String>> = by_type
            .iter()
            .map(|(t, n)| vec![t.clone(), n.to_string()])
            .collect();
        rows.push(vec!["total".into(), total.to_string()]);
        print!("{}", render(&["type", "versions"], &rows));
        let rows: Vec<Vec<String>> = by_tlp
            .iter()
            .map(|(t, n)| vec![t.to_string(), n.to_string()])
            .collect();
        print!("\n{}", render(&["TLP", "versions"], &rows));
    }
    Ok(Outcome::Success)
}

pub(crate) fn search(db: &str, args: SearchArgs) -> Result<Outcome> {
    let mut store = open_store(db)?;
    let hits = store.search(&args.words.join(" "), args.max_tlp, args.limit)?;
    if args.max_tlp > Tlp::Green && !hits.is_empty() {
        store.audit(&AuditEntry {
            actor: actor(),
            action: "search".into(),
            subject: args.words.join(" "),
            detail: serde_json::json!({"max_tlp": args.max_tlp.as_str(), "hits": hits.len()}),
        })?;
    }
    if args.json {
        println!("{}", serde_json::to_string(&hits)?);
    } else {
        let rows: Vec<Vec<String>> = hits
            .iter()
            .map(|h| {
                vec![
                    h.name.clone().unwrap_or_default(),
                    h.type_.clone(),
                    h.id.clone(),
                ]
            })
            .collect();
        print!("{}", render(&["name", "type", "id"], &rows));
    }
    let _ = std::io::stdout().flush();
    Ok(Outcome::Success)
}

pub(crate) fn migrate(args: MigrateArgs) -> Result<Outcome> {
    let from = open_store(&args.from)?;
    let mut to = open_store(&args.to)?;
    let verified = threatscape_store::migrate(&*from, &mut *to).with_context(|| {
        format!(
            "cannot copy {} to {}; the target keeps nothing of the copy",
            shown(&args.from),
            shown(&args.to)
        )
    })?;
    if args.json {
        println!("{}", serde_json::to_string(&verified)?);
    } else {
        println!(
            "copied {} to {}; counts and checksums verified:\n",
            shown(&args.from),
            shown(&args.to)
        );
        let tallies = serde_json::to_value(&verified)?;
        let rows: Vec<Vec<String>> = tallies
            .as_object()
            .into_iter()
            .flatten()
            .map(|(kind, tally)| {
                vec![
                    kind.clone(),
                    tally["count"].to_string(),
                    tally["sha256"].as_str().unwrap_or_default().to_string(),
                ]
            })
            .collect();
        print!("{}", render(&["records", "count", "sha256"], &rows));
    }
    Ok(Outcome::Success)
}

/// A backup is a migration into a new SQLite file: the same copy, verified by the same counts and
/// checksums, whatever the store's backend.
pub(crate) fn backup(db: &str, args: BackupArgs) -> Result<Outcome> {
    if args.out.exists() {
        anyhow::bail!(
            "{} exists; a backup never overwrites a file",
            args.out.display()
        );
    }
    let tmp = temporary_beside(&args.out);
    let _ = std::fs::remove_file(&tmp);
    let copied = (|| -> Result<threatscape_store::Fingerprint> {
        let from = open_store(db)?;
        let mut to = threatscape_store::SqliteStore::open(&tmp)?;
        let verified = threatscape_store::migrate(&*from, &mut to)?;
        to.integrity_check()?;
        Ok(verified)
    })();
    let verified = match copied {
        Ok(v) => v,
        Err(e) => {
            remove_sqlite_files(&tmp);
            return Err(e.context(format!("cannot back up {}", shown(db))));
        }
    };
    std::fs::rename(&tmp, &args.out)
        .with_context(|| format!("cannot move the backup to {}", args.out.display()))?;
    remove_sqlite_files(&tmp);
    println!(
        "backed up {} to {}: {} object versions, {} reports, {} audit entries (verified)",
        shown(db),
        args.out.display(),
        verified.objects.count,
        verified.reports.count,
        verified.audit.count
    );
    Ok(Outcome::Success)
}

pub(crate) fn restore(db: &str, args: RestoreArgs) -> Result<Outcome> {
    if !args.file.is_file() {
        anyhow::bail!("{} is not a backup file", args.file.display());
    }
    let from = threatscape_store::SqliteStore::open(&args.file)
        .with_context(|| format!("cannot open the backup {}", args.file.display()))?;
    from.integrity_check()?;
    let mut to = open_store(db)?;
    let verified = threatscape_store::migrate(&from, &mut *to).with_context(|| {
        format!(
            "cannot restore into {} (it must be empty; nothing was kept)",
            shown(db)
        )
    })?;
    println!(
        "restored {} into {}: {} object versions, {} reports, {} audit entries (verified)",
        args.file.display(),
        shown(db),
        verified.objects.count,
        verified.reports.count,
        verified.audit.count
    );
    Ok(Outcome::Success)
}

/// Removes a SQLite file and its WAL companions.
fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
