//! `threatscape`: the command line over the library crates.
//!
//! Exit codes: 0 success; 1 the input had problems (a file rejected, an object invalid); 2 the
//! command line was wrong; 3 the store or the file system failed.

// serde_json's generic form allocates a map and strings per object; mimalloc makes those
// allocations and frees markedly cheaper than glibc's malloc on the ingest path (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod assess;
mod brief;
mod commands;
mod debate;
mod demo;
mod eval;
mod incidents;
mod pull;
mod serve;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use threatscape_model::{ContributorType, Reliability, Tlp};

/// threatscape: the cyber-threat landscape observatory for the UN Security Council.
///
/// It gathers reporting on malicious ICT activity (STIX 2.1 and 2.0, TAXII 2.1, MISP events, VERIS
/// incidents, the EuRepoC, CFR, CISSM and DCID trackers' CSVs and the native contributor template),
/// keeps every version of every object with its provenance and TLP marking, and releases it only
/// at or below the level asked for.
#[derive(Debug, Parser)]
#[command(name = "threatscape", version, propagate_version = true)]
struct Cli {
    /// The store: a SQLite file (created when missing; also `sqlite:PATH`) or a PostgreSQL URL
    /// (`postgres://user@host:5432/db`).
    #[arg(
        long,
        global = true,
        env = "THREATSCAPE_DB",
        default_value = "threatscape.db"
    )]
    db: String,

    /// A folder of assessment data laid out like crates/assess/data: each file in it (rules.toml,
    /// sectors.csv, crosswalks/sector-naics.csv...) replaces the built-in one, and any other
    /// crosswalks/*.csv is added. Every command uses it: assess, brief, export, serve and eval
    /// (which measures the edited data). Change `version` in an edited rules.toml so that
    /// assessments name what made them.
    #[arg(
        long,
        global = true,
        env = "THREATSCAPE_ASSESS_DATA",
        value_name = "DIR"
    )]
    assess_data: Option<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read files or folders into the store (STIX, MISP, VERIS, the trackers' CSVs, the native
    /// template; --format, or recognised from each file's content), one transaction per file.
    ///
    /// Each file is kept whole or not at all: a syntax error, an object breaking a STIX MUST rule
    /// that cannot be repaired, or a version conflict rejects the file and names the place. Safe
    /// repairs are made and reported; STIX 2.0 is upgraded to 2.1. Re-ingesting a file changes
    /// nothing. Folders are walked recursively for .json, .jsonl, .ndjson and .stix files.
    ///
    /// Example: threatscape ingest --contributor "CERT-EU" --contributor-type un-system --tlp amber reports/
    Ingest(IngestArgs),
    /// Check STIX files against the specification without storing anything; exit 0 only when valid.
    ///
    /// By default repairable problems are repaired (in memory) and count as valid; with --strict
    /// they are errors.
    Validate(ValidateArgs),
    /// Write stored material out.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Cluster the stored reports into incidents, and record analysts' decisions about them.
    ///
    /// Without a subcommand, reconciles every stored report and prints a summary. `link`, `unlink`
    /// and `split` record an analyst's decision (by report key, as `export incidents` shows them);
    /// decisions are kept in the audit log and applied by every later reconciliation.
    Reconcile(ReconcileArgs),
    /// Assess every incident (sectors, threat kinds, actors, harm, conflicts, Council agenda items,
    /// UN norms), each finding with its rule, evidence and confidence; or record an analyst's
    /// decision (`confirm`, `reject`, `add`), which every later assessment applies.
    ///
    /// Example: threatscape assess --period 2022 --incident stix:incident--549bb4d1-...
    Assess(assess::AssessArgs),
    /// Write the periodic landscape briefing (HTML, PDF, Markdown, JSON, STIX) for a period against
    /// a baseline.
    ///
    /// Example: threatscape brief --period 2023-Q2 --baseline year-ago --audience public --out briefings/
    Brief(brief::BriefArgs),
    /// Count the stored object versions by type and by TLP level.
    Stats(StatsArgs),
    /// Full-text search over the names and descriptions of stored objects.
    Search(SearchArgs),
    /// Write a verified copy of the whole store to a new SQLite file (from SQLite or PostgreSQL).
    Backup(BackupArgs),
    /// Load a backup file into the store, which must be empty; verified like `migrate`.
    Restore(RestoreArgs),
    /// The whole product on its demo dataset: a fresh store in a folder, the curated incidents and
    /// fictional restricted contributions ingested, reconciled and assessed, demo accounts of
    /// several roles and clearances, and the server started.
    Demo(demo::DemoArgs),
    /// Serve TAXII 2.1 (/taxii2/) and the REST API (/api/v1, OpenAPI at /api/v1/openapi.json) over HTTP.
    ///
    /// Example: threatscape serve --addr 127.0.0.1:8080
    Serve(serve::ServeArgs),
    /// Fetch a TAXII 2.1 collection's objects added since the last pull and ingest them.
    ///
    /// Example: threatscape pull https://cti.example.org/api1/ --collection 91a7b528-80eb-42ed-a74d-c6fbd5a26116 --user ana --contributor CERT-X --contributor-type member-state --tlp green
    Pull(pull::PullArgs),
    /// Manage users (organisation, role, TLP clearance; argon2id-hashed passwords).
    #[command(subcommand)]
    User(serve::UserCommand),
    /// Manage API tokens (shown once, stored as SHA-256).
    #[command(subcommand)]
    Token(serve::TokenCommand),
    /// Copy a whole store to another (e.g. from the embedded SQLite file to PostgreSQL), verified
    /// by counts and checksums of every kind of record.
    Migrate(MigrateArgs),
    /// The Council's open debate: the list's opening, the UN Headquarters calendar, meetings,
    /// inscriptions, the speaking order and its exports, and the chamber's steps.
    #[command(subcommand)]
    Debate(debate::DebateCommand),
    /// Measure the classification against EuRepoC's, CFR's and CISSM's human coding on the held-out
    /// split and DCID's on every record, or against a human-coded file of your own (--coded, any
    /// format ingest reads), text only: records, macro-F1, micro-F1, top-1 accuracy and coverage
    /// per task.
    ///
    /// Example: threatscape eval --data ../shared/data --format json
    Eval(eval::EvalArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// Decide from each file's content.
    Auto,
    /// STIX 2.1 or 2.0: bundle, array, single object, or one object per line.
    Stix,
    /// MISP event JSON (an event, or a feed file).
    Misp,
    /// EuRepoC Global Database CSV (with its attribution and receiver tables beside it).
    Eurepoc,
    /// CFR Cyber Operations Tracker CSV.
    Cfr,
    /// CISSM Cyber Events Database CSV.
    Cissm,
    /// DCID 2.0 CSV.
    Dcid,
    /// VERIS (VCDB) incident JSON.
    Veris,
    /// The native contributor template, CSV or JSON (see the README).
    Native,
}

impl FormatArg {
    fn format(self) -> threatscape_ingest::Format {
        match self.source_format() {
            Some(f) => threatscape_ingest::Format::Fixed(f),
            None => threatscape_ingest::Format::Auto,
        }
    }

    /// The adapter named, or None for `auto`.
    fn source_format(self) -> Option<threatscape_ingest::SourceFormat> {
        use threatscape_ingest::SourceFormat as S;
        Some(match self {
            FormatArg::Auto => return None,
            FormatArg::Stix => S::Stix,
            FormatArg::Misp => S::Misp,
            FormatArg::Eurepoc => S::Eurepoc,
            FormatArg::Cfr => S::Cfr,
            FormatArg::Cissm => S::Cissm,
            FormatArg::Dcid => S::Dcid,
            FormatArg::Veris => S::Veris,
            FormatArg::Native => S::Native,
        })
    }
}

/// What a dangling reference does to its file (`ingest --refs`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RefsArg {
    /// List and count them; keep the file.
    Report,
    /// Refuse the file.
    Strict,
}

impl RefsArg {
    fn mode(self) -> threatscape_ingest::RefMode {
        match self {
            RefsArg::Report => threatscape_ingest::RefMode::Report,
            RefsArg::Strict => threatscape_ingest::RefMode::Strict,
        }
    }
}

#[derive(Debug, Args)]
struct IngestArgs {
    /// Files or folders to read.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Input format.
    #[arg(long, value_enum, default_value = "auto")]
    format: FormatArg,
    /// Reject a file when any object needs a repair, not only when one is invalid.
    #[arg(long)]
    strict: bool,
    /// Keep the valid objects of a file that has invalid ones (each invalid one is reported).
    #[arg(long)]
    skip_invalid_objects: bool,
    /// References to objects neither in the same file nor in the store: `report` lists and
    /// counts them and keeps the file (STIX allows referring to objects held elsewhere); `strict`
    /// refuses the file, leaving the store unchanged.
    #[arg(long, value_enum, default_value = "report")]
    refs: RefsArg,
    /// The contributing organisation (replaces what a file says about its producer).
    #[arg(long, requires = "contributor_type")]
    contributor: Option<String>,
    /// Its type: un-system, member-state, private-sector, civil-society, academia, media.
    #[arg(long, value_parser = parse_contributor_type, requires = "contributor")]
    contributor_type: Option<ContributorType>,
    /// Its reliability on the Admiralty scale, A (completely reliable) to F (cannot be judged).
    #[arg(long, value_parser = parse_reliability, default_value = "F", requires = "contributor")]
    reliability: Reliability,
    /// The TLP level of the submission: CLEAR, GREEN, AMBER, AMBER+STRICT, RED. It raises the level of
    /// objects marked lower or not at all; it never lowers a marking.
    #[arg(long, value_parser = parse_tlp)]
    tlp: Option<Tlp>,
    /// An organisation besides the contributor that may read the submission's AMBER+STRICT and
    /// RED material (TLP:RED's named recipients); repeat for several.
    #[arg(
        long = "recipient",
        value_name = "ORGANISATION",
        requires = "contributor"
    )]
    recipients: Vec<String>,
    /// Print one JSON object with the counts and every error, instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Files or folders to check.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Treat anything that would need a repair as an error.
    #[arg(long)]
    strict: bool,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Write stored objects as one STIX 2.1 bundle (every stored version, in ingest order).
    Stix(ExportStixArgs),
    /// Write every incident (reports reconciled afresh) with its reports, sources, attributions and
    /// the evidence of each merge.
    Incidents(ExportIncidentsArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum IncidentFormat {
    /// One JSON array of incidents, each with its full reports.
    Json,
    /// One row per report, with its incident number.
    Csv,
}

#[derive(Debug, Args)]
struct ExportIncidentsArgs {
    /// The file to write (written to a temporary file, then renamed).
    #[arg(long)]
    out: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: IncidentFormat,
    /// Release reports up to this TLP level (CLEAR unless told otherwise).
    #[arg(long, value_parser = parse_tlp, default_value = "CLEAR")]
    max_tlp: Tlp,
    /// Also use the aliases of MISP's threat-actor galaxy (its clusters/threat-actor.json).
    #[arg(long)]
    misp_galaxy: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ReconcileArgs {
    /// An analyst's decision to record instead of running.
    #[command(subcommand)]
    decision: Option<DecisionCommand>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Also use the aliases of MISP's threat-actor galaxy (its clusters/threat-actor.json).
    #[arg(long)]
    misp_galaxy: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum DecisionCommand {
    /// The two reports describe the same incident: always put them together.
    Link {
        /// A report key (e.g. `eurepoc:842`).
        a: String,
        /// Another report key.
        b: String,
        /// Why (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// The two reports describe different incidents: never put them together.
    Unlink {
        /// A report key.
        a: String,
        /// Another report key.
        b: String,
        /// Why (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Take a report out of automatic merging.
    Split {
        /// The report key.
        report: String,
        /// Why (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
struct ExportStixArgs {
    /// The bundle to write (written to a temporary file, then renamed: never half-written).
    #[arg(long)]
    out: PathBuf,
    /// Only objects of this type (repeatable).
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
    /// Release objects up to this TLP level. Defaults to CLEAR: restricted material leaves only
    /// when asked for.
    #[arg(long, value_parser = parse_tlp, default_value = "CLEAR")]
    max_tlp: Tlp,
    /// Also release objects kept with value-level errors (by default they are withheld, so that an
    /// export always passes a STIX validator).
    #[arg(long)]
    include_invalid: bool,
    /// Print the counts as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct BackupArgs {
    /// The backup file to create (refused if it exists; written beside it, then renamed).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct RestoreArgs {
    /// A file written by `threatscape backup`.
    file: PathBuf,
}

#[derive(Debug, Args)]
struct MigrateArgs {
    /// The store to copy from: `sqlite:PATH`, a path, or a PostgreSQL URL.
    #[arg(long)]
    from: String,
    /// The store to copy into (must be empty): `sqlite:PATH`, a path, or a PostgreSQL URL.
    #[arg(long)]
    to: String,
    /// Print the verified counts and checksums as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct StatsArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct SearchArgs {
    /// Words to find (all must match).
    #[arg(required = true)]
    words: Vec<String>,
    /// Search objects up to this TLP level.
    #[arg(long, value_parser = parse_tlp, default_value = "CLEAR")]
    max_tlp: Tlp,
    /// At most this many results.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn parse_tlp(s: &str) -> Result<Tlp, String> {
    s.parse()
        .map_err(|e: threatscape_model::ParseTlpError| e.to_string())
}

fn parse_reliability(s: &str) -> Result<Reliability, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_uppercase()))
        .map_err(|_| format!("`{s}` is not an Admiralty reliability grade; use A, B, C, D, E or F"))
}

fn parse_contributor_type(s: &str) -> Result<ContributorType, String> {
    s.parse()
        .map_err(|e: threatscape_model::ParseContributorTypeError| e.to_string())
}

/// What a command reports back: success, or problems in the input.
pub(crate) enum Outcome {
    Success,
    InputProblems,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("THREATSCAPE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Some(dir) = &cli.assess_data {
        let installed = threatscape_assess::Assessor::from_dir(dir)
            .map_err(anyhow::Error::from)
            .and_then(|a| Ok(threatscape_assess::Assessor::install(a)?));
        if let Err(e) = installed {
            eprintln!(
                "error: the assessment data in {} cannot be used: {e}",
                dir.display()
            );
            return ExitCode::from(3);
        }
    }
    let result = match cli.command {
        Command::Ingest(args) => commands::ingest(&cli.db, args),
        Command::Validate(args) => commands::validate(args),
        Command::Export(ExportCommand::Stix(args)) => commands::export_stix(&cli.db, args),
        Command::Export(ExportCommand::Incidents(args)) => {
            incidents::export_incidents(&cli.db, args)
        }
        Command::Reconcile(args) => incidents::reconcile(&cli.db, args),
        Command::Assess(args) => assess::assess(&cli.db, args),
        Command::Brief(args) => brief::brief(&cli.db, args),
        Command::Stats(args) => commands::stats(&cli.db, args),
        Command::Search(args) => commands::search(&cli.db, args),
        Command::Migrate(args) => commands::migrate(args),
        Command::Serve(args) => serve::serve(&cli.db, args),
        Command::Pull(args) => pull::pull(&cli.db, args),
        Command::Demo(args) => demo::demo(args),
        Command::User(cmd) => serve::user(&cli.db, cmd),
        Command::Token(cmd) => serve::token(&cli.db, cmd),
        Command::Backup(args) => commands::backup(&cli.db, args),
        Command::Restore(args) => commands::restore(&cli.db, args),
        Command::Debate(cmd) => debate::run(&cli.db, cmd),
        Command::Eval(args) => eval::eval(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::InputProblems) => ExitCode::from(1),
        // The reader of our output went away (`threatscape assess | head`): nothing more to
        // say, and nothing went wrong on our side.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(3)
        }
    }
}
