//! `threatscape debate ...`: the Council's open debate from the command line: the calendar, and
//! meetings, inscriptions, the speaking order, the list's exports and the chamber's steps, kept in
//! the store (one record stream per meeting, shared with the server, so the CLI and any server
//! process see the same meeting). Every time is printed in New York with its zone; `--now` sets
//! the time of a step (tests, or recording after the fact).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use threatscape_debate::calendar::{
    at_new_york, in_new_york, new_york, MAX_WORKING_DAYS, NEW_YORK,
};
use threatscape_debate::jiff::civil::{Date, DateTime, Time};
use threatscape_debate::jiff::{SignedDuration, Timestamp, ZonedDateTime};
use threatscape_debate::linker::link_statements;
use threatscape_debate::live::Phase;
use threatscape_debate::reference::{HolidayKind, Origin, HOLIDAYS};
use threatscape_debate::{
    export, Calendar, Delegation, Format, InscriptionId, Joint, Letter, Level, LiveView,
    MeetingRecord, MeetingSpec, OpeningRule, Person, Placement, Reference, Request, Session,
    SignatoryTitle, Speaker, Vocabulary,
};
use threatscape_server::debate::store::{self as meetings, DebateStoreError, Stored};
use threatscape_store::Store;

use crate::Outcome;

/// The `debate` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum DebateCommand {
    /// When the list of speakers opens for a meeting, and every day skipped and why.
    ///
    /// The list opens at 09:30 New York time on the third working day before the meeting day
    /// (both configurable). Working days are Monday to Friday except official UN Headquarters
    /// holidays; floating holidays are working days. Days in a year the holiday calendar does not
    /// cover, and holidays not yet verified against the UN circular, are flagged.
    ///
    /// Example: threatscape debate opening --meeting 2024-06-20T10:00
    Opening(OpeningArgs),
    /// The official UN Headquarters holidays (the calendar used for openings), with how sure each
    /// date is and its source.
    ///
    /// Example: threatscape debate holidays --year 2025
    Holidays(HolidaysArgs),
    /// Create, show and list meetings.
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// Inscribe a speaker: a Council member, a Member State under rule 37 (with its letter), an
    /// observer State, an organisation or a briefer under rule 39; prints the acknowledgement with
    /// its time stamp and current position.
    ///
    /// Example: threatscape debate inscribe --meeting S/PV.9662 --code EST --speaker "Ms. A" --level minister --letter est.pdf --signatory "Rein Tammsaar" --signatory-title "Permanent Representative"
    Inscribe(InscribeArgs),
    /// Attach a rule 37 letter (PDF) to a request that lacked one.
    Letter(LetterArgs),
    /// Withdraw an inscription, with the reason.
    Withdraw(WithdrawArgs),
    /// Replace the speaker of an inscription, with the reason.
    Replace(ReplaceArgs),
    /// Move a speaker before or after another, with the reason (kept in the log).
    Move(MoveArgs),
    /// Make the draw for the order of Council members (seeded, reproducible, recorded).
    Draw(DrawArgs),
    /// Attach a statement's text to an inscription and show the terms it raises.
    Statement(StatementArgs),
    /// Plan another sitting (a resumption, possibly on a later day), after the last one.
    ///
    /// Example: threatscape debate session --meeting S/PV.9662 --start 2024-06-21T10:00 --end 2024-06-21T13:00
    Session(SessionArgs),
    /// The list of speakers as the Journal prints it, as CSV or as JSON.
    List(ListArgs),
    /// The chamber: open (start), call the next speaker (next), end a statement (stop), suspend,
    /// resume, adjourn (end), or show the state.
    #[command(subcommand)]
    Live(LiveCommand),
}

/// `debate meeting ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum MeetingCommand {
    /// Create a meeting; the presidency, the Council and the agenda title come from the reference
    /// data, and the list's opening is computed and printed.
    ///
    /// Example: threatscape debate meeting create --id S/PV.9662 --start 2024-06-20T10:00 --agenda-item mips --concept-note S/2024/446
    Create(CreateArgs),
    /// Show a meeting, its list of speakers and the chamber's state.
    Show(ShowArgs),
    /// List the meetings in the store.
    List(JsonArg),
    /// Load a meeting with its requests and draw from a file (the shape of
    /// examples/demo-meeting.jsonc: a MeetingSpec, requests with their time and author, a draw),
    /// replaying each through the same checks as `inscribe` and `draw`.
    ///
    /// Example: threatscape debate meeting import examples/demo-meeting.jsonc
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The file.
    file: PathBuf,
    /// Who imports it, as recorded for the meeting's creation.
    #[arg(long, default_value = "Secretariat (cli)")]
    by: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// A meeting file: the spec, the requests in the order received, the draw.
#[derive(Debug, serde::Deserialize)]
struct MeetingFile {
    meeting: MeetingSpec,
    #[serde(default)]
    requests: Vec<TimedRequest>,
    #[serde(default)]
    draw: Option<TimedDraw>,
}

#[derive(Debug, serde::Deserialize)]
struct TimedRequest {
    at: Timestamp,
    by: String,
    request: Request,
}

#[derive(Debug, serde::Deserialize)]
struct TimedDraw {
    at: Timestamp,
    by: String,
    seed: u64,
}

/// `debate live ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum LiveCommand {
    /// Open the meeting (its first sitting).
    Start(LiveArgs),
    /// End the running statement (its real duration is recorded), give the floor to the next
    /// speaker and start their timer.
    Next(LiveArgs),
    /// End the running statement.
    Stop(LiveArgs),
    /// Suspend the meeting (ending the running statement).
    Suspend(LiveArgs),
    /// Resume the meeting.
    Resume(LiveArgs),
    /// Adjourn the meeting (ending the running statement).
    End(LiveArgs),
    /// Show the chamber's state: the floor and its countdown, the next speaker, statements, totals.
    Show(LiveArgs),
}

/// Who acts and when: shared by every command that changes a meeting.
#[derive(Debug, Args)]
pub(crate) struct Act {
    /// The meeting's id.
    #[arg(long)]
    meeting: String,
    /// Who acts, as recorded in the log.
    #[arg(long, default_value = "Secretariat (cli)")]
    by: String,
    /// The time of the step (New York wall-clock time, or with an offset or zone); now if absent.
    #[arg(long, value_parser = parse_meeting)]
    now: Option<ZonedDateTime>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl Act {
    fn now(&self) -> Timestamp {
        self.now
            .as_ref()
            .map_or_else(Timestamp::now, ZonedDateTime::timestamp)
    }
}

#[derive(Debug, Args)]
pub(crate) struct JsonArg {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The Secretariat's id for the meeting (e.g. the meeting record's symbol).
    #[arg(long)]
    id: String,
    /// The start in New York: 2024-06-20T10:00.
    #[arg(long)]
    start: DateTime,
    /// An agenda item id of agenda-items.csv, e.g. mips.
    #[arg(long, default_value = "mips")]
    agenda_item: String,
    /// The subtitle.
    #[arg(long)]
    subtitle: Option<String>,
    /// The format.
    #[arg(long, value_enum, default_value_t = FormatArg::OpenDebate)]
    format: FormatArg,
    /// The chair's name.
    #[arg(long)]
    chair: Option<String>,
    /// The chair's title.
    #[arg(long, requires = "chair")]
    chair_title: Option<String>,
    /// A briefer, as "Name|Title" (repeat, in the announced order).
    #[arg(long = "briefer", value_parser = parse_person)]
    briefers: Vec<Person>,
    /// The statement time limit in seconds.
    #[arg(long, default_value_t = 180, value_parser = clap::value_parser!(i64).range(1..))]
    time_limit: i64,
    /// The concept note's symbol, e.g. S/2024/446.
    #[arg(long)]
    concept_note: Option<String>,
    /// How many working days before the meeting day the list opens.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=MAX_WORKING_DAYS as i64))]
    working_days: u32,
    /// The opening time in New York, HH:MM.
    #[arg(long, default_value = "09:30", value_parser = parse_time)]
    opening_time: Time,
    /// Who creates it, as recorded.
    #[arg(long, default_value = "Secretariat (cli)")]
    by: String,
    /// The time of creation; now if absent.
    #[arg(long, value_parser = parse_meeting)]
    now: Option<ZonedDateTime>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum FormatArg {
    /// An open debate (rule 37 and 39 participants speak).
    OpenDebate,
    /// A debate.
    Debate,
    /// A briefing.
    Briefing,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LevelArg {
    /// Head of State or Government.
    HeadOfStateOrGovernment,
    /// Deputy Prime Minister.
    DeputyPrimeMinister,
    /// Minister.
    Minister,
    /// Vice-Minister.
    ViceMinister,
    /// Permanent Representative.
    PermanentRepresentative,
    /// Another representative.
    Other,
}

impl LevelArg {
    fn level(self) -> Level {
        match self {
            LevelArg::HeadOfStateOrGovernment => Level::HeadOfStateOrGovernment,
            LevelArg::DeputyPrimeMinister => Level::DeputyPrimeMinister,
            LevelArg::Minister => Level::Minister,
            LevelArg::ViceMinister => Level::ViceMinister,
            LevelArg::PermanentRepresentative => Level::PermanentRepresentative,
            LevelArg::Other => Level::Other,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The meeting's id.
    #[arg(long)]
    meeting: String,
    /// The time the list is shown at; now if absent.
    #[arg(long, value_parser = parse_meeting)]
    now: Option<ZonedDateTime>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["code", "organisation", "briefer"])))]
pub(crate) struct InscribeArgs {
    #[command(flatten)]
    act: Act,
    /// A Member State, observer State or the EU, by code (ISO alpha-3, or EU); the basis (Council
    /// member, rule 37, observer, rule 39) comes from the reference data.
    #[arg(long)]
    code: Option<String>,
    /// Another organisation invited under rule 39, by name.
    #[arg(long)]
    organisation: Option<String>,
    /// A briefer invited under rule 39, by name.
    #[arg(long)]
    briefer: Option<String>,
    /// The briefer's organisation or role.
    #[arg(long, requires = "briefer")]
    affiliation: Option<String>,
    #[command(flatten)]
    speaker: SpeakerArgs,
    #[command(flatten)]
    letter: LetterFile,
    /// A joint statement: the group spoken for, e.g. "the Nordic-Baltic countries".
    #[arg(long)]
    joint_group: Option<String>,
    /// A joint statement: a delegation also spoken for (repeat).
    #[arg(long)]
    on_behalf_of: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SpeakerArgs {
    /// Who will speak.
    #[arg(long)]
    speaker: String,
    /// Their title.
    #[arg(long, default_value = "")]
    title: String,
    /// The level of representation.
    #[arg(long, value_enum, default_value_t = LevelArg::PermanentRepresentative)]
    level: LevelArg,
}

impl SpeakerArgs {
    fn speaker(&self) -> Speaker {
        Speaker {
            name: self.speaker.trim().to_string(),
            title: self.title.trim().to_string(),
            level: self.level.level(),
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct LetterFile {
    /// The rule 37 letter to the President, a PDF file.
    #[arg(long, value_name = "PDF")]
    letter: Option<PathBuf>,
    /// Who signed the letter.
    #[arg(long, requires = "letter", default_value = "")]
    signatory: String,
    /// The signatory's title ("Permanent Representative", "Chargé d'affaires a.i.", ...).
    #[arg(long, requires = "letter", default_value = "")]
    signatory_title: String,
}

impl LetterFile {
    /// The letter and the PDF's bytes; an unreadable file is an error naming it.
    fn read(&self) -> Result<Option<(Letter, Vec<u8>)>> {
        let Some(path) = &self.letter else {
            return Ok(None);
        };
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the letter {}", path.display()))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let letter = Letter::from_pdf(
            &name,
            &bytes,
            &self.signatory,
            SignatoryTitle::parse(&self.signatory_title),
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(Some((letter, bytes)))
    }
}

#[derive(Debug, Args)]
pub(crate) struct LetterArgs {
    #[command(flatten)]
    act: Act,
    /// The inscription's number.
    #[arg(long)]
    inscription: InscriptionId,
    #[command(flatten)]
    letter: LetterFile,
}

#[derive(Debug, Args)]
pub(crate) struct WithdrawArgs {
    #[command(flatten)]
    act: Act,
    /// The inscription's number.
    #[arg(long)]
    inscription: InscriptionId,
    /// Why (recorded).
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
pub(crate) struct ReplaceArgs {
    #[command(flatten)]
    act: Act,
    /// The inscription's number.
    #[arg(long)]
    inscription: InscriptionId,
    #[command(flatten)]
    speaker: SpeakerArgs,
    /// Why (recorded).
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("place").required(true).args(["before", "after"])))]
pub(crate) struct MoveArgs {
    #[command(flatten)]
    act: Act,
    /// The inscription to move.
    #[arg(long)]
    inscription: InscriptionId,
    /// Just before this inscription.
    #[arg(long)]
    before: Option<InscriptionId>,
    /// Just after this inscription.
    #[arg(long)]
    after: Option<InscriptionId>,
    /// Why (recorded).
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
pub(crate) struct DrawArgs {
    #[command(flatten)]
    act: Act,
    /// The seed of the draw; chosen at random (and recorded) when absent.
    #[arg(long)]
    seed: Option<u64>,
}

#[derive(Debug, Args)]
pub(crate) struct StatementArgs {
    #[command(flatten)]
    act: Act,
    /// The inscription's number.
    #[arg(long)]
    inscription: InscriptionId,
    /// A text file holding the statement.
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct SessionArgs {
    #[command(flatten)]
    act: Act,
    /// Its start, New York wall-clock time.
    #[arg(long)]
    start: DateTime,
    /// Its planned end, New York wall-clock time.
    #[arg(long)]
    end: DateTime,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ListFormat {
    /// As the Journal of the United Nations prints it.
    Journal,
    /// One row per speaker.
    Csv,
    /// The list with its meeting.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// The meeting's id.
    #[arg(long)]
    meeting: String,
    /// The format.
    #[arg(long, value_enum, default_value_t = ListFormat::Journal)]
    format: ListFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The time the list is printed at; now if absent.
    #[arg(long, value_parser = parse_meeting)]
    now: Option<ZonedDateTime>,
}

#[derive(Debug, Args)]
pub(crate) struct LiveArgs {
    #[command(flatten)]
    act: Act,
}

#[derive(Debug, Args)]
pub(crate) struct OpeningArgs {
    /// The meeting's start in New York: 2024-06-20T10:00 (a date alone means 10:00; a time with
    /// an offset or zone, e.g. 2024-06-20T14:00Z, is converted to New York).
    #[arg(long, value_parser = parse_meeting)]
    meeting: ZonedDateTime,
    /// How many working days before the meeting day the list opens.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=MAX_WORKING_DAYS as i64))]
    working_days: u32,
    /// The opening time in New York, HH:MM.
    #[arg(long, default_value = "09:30", value_parser = parse_time)]
    time: Time,
    /// A folder of reference CSV files (un-holidays.csv, ...) overriding the shipped copies.
    #[arg(long, env = "THREATSCAPE_REFERENCE", value_name = "DIR")]
    reference: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HolidaysArgs {
    /// Only this year.
    #[arg(long)]
    year: Option<i16>,
    /// A folder of reference CSV files overriding the shipped copies.
    #[arg(long, env = "THREATSCAPE_REFERENCE", value_name = "DIR")]
    reference: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

fn parse_meeting(s: &str) -> Result<ZonedDateTime, String> {
    let s = s.trim();
    let has_time = s.contains(['T', 't', ' ']);
    if !has_time {
        if let Ok(d) = s.parse::<Date>() {
            return in_new_york(d.at(10, 0, 0, 0)).map_err(|e| e.to_string());
        }
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return in_new_york(dt).map_err(|e| e.to_string());
    }
    if let Ok(z) = s.parse::<ZonedDateTime>() {
        return Ok(z.with_time_zone(new_york()));
    }
    if let Ok(ts) = s.parse::<threatscape_debate::jiff::Timestamp>() {
        return Ok(ts.to_zoned_datetime(new_york()));
    }
    Err(format!(
        "'{s}' is not a date-time: write it as 2024-06-20T10:00 (New York time)"
    ))
}

fn parse_time(s: &str) -> Result<Time, String> {
    s.trim()
        .parse::<Time>()
        .map_err(|_| format!("'{s}' is not a time: write it as HH:MM, e.g. 09:30"))
}

/// Loads the reference data; on problems prints each with its place and returns `None`.
fn load(dir: Option<&PathBuf>) -> Option<Reference> {
    match dir {
        None => Some(Reference::embedded()),
        Some(dir) => match Reference::load(dir) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("error: {e}");
                None
            }
        },
    }
}

fn origin_text(r: &Reference) -> String {
    match r.origins.get(HOLIDAYS) {
        Some(Origin::Folder(p)) => p.display().to_string(),
        _ => format!("{HOLIDAYS} shipped with threatscape"),
    }
}

/// Runs a `debate` subcommand against the store at `db`.
pub(crate) fn run(db: &str, command: DebateCommand) -> Result<Outcome> {
    match command {
        DebateCommand::Opening(args) => opening(args),
        DebateCommand::Holidays(args) => holidays(args),
        DebateCommand::Meeting(MeetingCommand::Create(args)) => create(db, args),
        DebateCommand::Meeting(MeetingCommand::Show(args)) => show(db, args),
        DebateCommand::Meeting(MeetingCommand::List(args)) => list_meetings(db, args),
        DebateCommand::Meeting(MeetingCommand::Import(args)) => import(db, args),
        DebateCommand::Inscribe(args) => inscribe(db, args),
        DebateCommand::Letter(args) => letter(db, args),
        DebateCommand::Withdraw(args) => {
            let (n, reason) = (args.inscription, args.reason.clone());
            change(db, &args.act, |m, by, now| {
                m.withdraw(n, &reason, by, now)
                    .map(|()| format!("Inscription no. {n} withdrawn."))
            })
        }
        DebateCommand::Replace(args) => {
            let (n, speaker, reason) = (
                args.inscription,
                args.speaker.speaker(),
                args.reason.clone(),
            );
            change(db, &args.act, |m, by, now| {
                m.replace_speaker(n, speaker.clone(), &reason, by, now)
                    .map(|ack| ack.to_string())
            })
        }
        DebateCommand::Move(args) => {
            let placement = match (args.before, args.after) {
                (Some(b), _) => Placement::Before(b),
                (None, Some(a)) => Placement::After(a),
                (None, None) => unreachable!("clap requires --before or --after"),
            };
            let (n, reason) = (args.inscription, args.reason.clone());
            change(db, &args.act, |m, by, now| {
                m.move_speaker(n, placement, &reason, by, now)?;
                let order = m.order();
                let at = order.entry(n).map_or(0, |e| e.position);
                Ok::<_, threatscape_debate::ListError>(format!("Inscription no. {n} moved; now no. {at} on the list. Reason recorded: {reason}"))
            })
        }
        DebateCommand::Draw(args) => {
            let seed = args.seed.unwrap_or_else(random_seed);
            change(db, &args.act, |m, by, now| {
                m.make_draw(seed, by, now)?;
                Ok::<_, threatscape_debate::ListError>(format!(
                    "Draw made with seed {seed}: {}",
                    m.order().draw.join(", ")
                ))
            })
        }
        DebateCommand::Statement(args) => statement(db, args),
        DebateCommand::Session(args) => {
            let session = match Session::between(args.start, args.end) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("refused: {e}");
                    return Ok(Outcome::InputProblems);
                }
            };
            change(db, &args.act, |m, by, now| {
                m.plan_session(session.clone(), by, now)?;
                let planned: Vec<String> = m
                    .meeting()
                    .sessions
                    .iter()
                    .map(|s| format!("{} - {}", ny(&s.start), s.end.strftime("%H:%M %Z")))
                    .collect();
                Ok::<_, threatscape_debate::RecordError>(format!(
                    "Sitting planned. Sittings: {}",
                    planned.join("; ")
                ))
            })
        }
        DebateCommand::List(args) => list(db, args),
        DebateCommand::Live(cmd) => live(db, cmd),
    }
}

fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).expect("the OS random source works");
    u64::from_le_bytes(bytes)
}

/// A meeting's store error: a missing meeting or a taken id is the user's input (exit 1); the
/// store failing is an error (exit 3).
fn store_problem(e: DebateStoreError) -> Result<Outcome> {
    match e {
        DebateStoreError::NoMeeting(_)
        | DebateStoreError::Exists(_)
        | DebateStoreError::BadId(_) => {
            eprintln!("refused: {e}");
            Ok(Outcome::InputProblems)
        }
        e => Err(e.into()),
    }
}

fn open(db: &str) -> Result<Box<dyn Store + Send>> {
    threatscape_store::open(db).with_context(|| format!("cannot open the store {db}"))
}

fn load_meeting(store: &dyn Store, id: &str) -> Result<std::result::Result<Stored, Outcome>> {
    match meetings::load(store, id) {
        Ok(Some(m)) => Ok(Ok(m)),
        Ok(None) => {
            eprintln!(
                "refused: there is no meeting '{id}' (see `threatscape debate meeting list`)"
            );
            Ok(Err(Outcome::InputProblems))
        }
        Err(e) => store_problem(e).map(Err),
    }
}

/// A New York time with its zone.
fn ny(z: &ZonedDateTime) -> String {
    z.strftime("%a %-d %b %Y, %H:%M:%S %Z").to_string()
}

/// Makes a change to a meeting and prints what happened; a refusal is printed with its reason
/// (exit 1) and, when the library logs it (a refused request), kept in the log.
fn change<E: std::fmt::Display>(
    db: &str,
    act: &Act,
    mut f: impl FnMut(&mut MeetingRecord, &str, Timestamp) -> std::result::Result<String, E>,
) -> Result<Outcome> {
    let mut store = open(db)?;
    let now = act.now();
    let (out, stored) =
        match meetings::update(&mut *store, &act.meeting, &act.by, |m| f(m, &act.by, now)) {
            Ok(r) => r,
            Err(e) => return store_problem(e),
        };
    match out {
        Ok(text) => {
            if act.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "message": text,
                        "order": stored.record.order(),
                    }))?
                );
            } else {
                println!("{text}");
            }
            Ok(Outcome::Success)
        }
        Err(e) => {
            eprintln!("refused: {e}");
            Ok(Outcome::InputProblems)
        }
    }
}

fn create(db: &str, args: CreateArgs) -> Result<Outcome> {
    let reference = Reference::embedded();
    let spec = MeetingSpec {
        id: args.id.trim().to_string(),
        start: args.start,
        agenda_item: args.agenda_item,
        subtitle: args.subtitle,
        format: match args.format {
            FormatArg::OpenDebate => Format::OpenDebate,
            FormatArg::Debate => Format::Debate,
            FormatArg::Briefing => Format::Briefing,
        },
        chair: args.chair.map(|name| Person {
            name,
            title: args.chair_title.unwrap_or_default(),
        }),
        briefers: args.briefers,
        time_limit: Some(SignedDuration::from_secs(args.time_limit)),
        concept_note: args.concept_note,
        opening_rule: Some(OpeningRule {
            working_days: args.working_days,
            time: args.opening_time,
        }),
    };
    let now = args
        .now
        .as_ref()
        .map_or_else(Timestamp::now, ZonedDateTime::timestamp);
    let record = match MeetingRecord::create(&reference, spec, &args.by, now) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("refused: {e}");
            return Ok(Outcome::InputProblems);
        }
    };
    let mut store = open(db)?;
    let stored = match meetings::create(&mut *store, record, &args.by) {
        Ok(s) => s,
        Err(e) => return store_problem(e),
    };
    print_meeting(&stored.record, now, args.json)?;
    Ok(Outcome::Success)
}

fn import(db: &str, args: ImportArgs) -> Result<Outcome> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let file: MeetingFile = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "refused: {}: line {}, column {}: {e}",
                args.file.display(),
                e.line(),
                e.column()
            );
            return Ok(Outcome::InputProblems);
        }
    };
    let reference = Reference::embedded();
    // Created when the first thing happened to it, so every later event follows.
    let created = file
        .requests
        .iter()
        .map(|r| r.at)
        .chain(file.draw.as_ref().map(|d| d.at))
        .min()
        .unwrap_or_else(Timestamp::now);
    let mut record = match MeetingRecord::create(&reference, file.meeting, &args.by, created) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("refused: {}: meeting: {e}", args.file.display());
            return Ok(Outcome::InputProblems);
        }
    };
    let mut refused = 0;
    for (k, r) in file.requests.into_iter().enumerate() {
        match record.inscribe(&reference, r.request, &r.by, r.at) {
            Ok(ack) if !args.json => println!("{ack}"),
            Ok(_) => {}
            Err(e) => {
                // Kept in the log as refused, like any refused request.
                refused += 1;
                eprintln!("refused: {}: requests[{k}]: {e}", args.file.display());
            }
        }
    }
    if let Some(d) = &file.draw {
        if let Err(e) = record.make_draw(d.seed, &d.by, d.at) {
            eprintln!("refused: {}: draw: {e}", args.file.display());
            return Ok(Outcome::InputProblems);
        }
    }
    let mut store = open(db)?;
    let stored = match meetings::create(&mut *store, record, &args.by) {
        Ok(s) => s,
        Err(e) => return store_problem(e),
    };
    print_meeting(&stored.record, Timestamp::now(), args.json)?;
    Ok(if refused == 0 {
        Outcome::Success
    } else {
        Outcome::InputProblems
    })
}

fn print_meeting(record: &MeetingRecord, now: Timestamp, json: bool) -> Result<()> {
    let m = record.meeting();
    let order = record.order();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "meeting": m,
                "list_opens_at": record.opens_at(),
                "time_zone": NEW_YORK,
                "order": order,
                "live": record.live_view(now),
            }))?
        );
        return Ok(());
    }
    println!("Meeting:        {} ({})", m.id, m.format);
    println!("Date:           {} ({NEW_YORK})", ny(&m.start));
    println!("Agenda item:    {}", m.agenda_title);
    if let Some(s) = &m.subtitle {
        println!("                {s}");
    }
    println!("Presidency:     {}", m.presidency.name);
    if let Some(c) = &m.chair {
        println!("Chair:          {}, {}", c.name, c.title);
    }
    println!("Time limit:     {} s", m.time_limit.as_secs());
    if let Some(c) = &m.concept_note {
        println!("Concept note:   {c}");
    }
    println!("List opens:     {} ({NEW_YORK})", ny(record.opens_at()));
    for s in &m.sessions {
        println!(
            "Sitting:        {} - {}",
            ny(&s.start),
            s.end.strftime("%H:%M %Z")
        );
    }
    println!(
        "Speakers:       {} on the list, {} incomplete, {} withdrawn; draw {}",
        order.entries.len(),
        order.pending.len(),
        order.withdrawn.len(),
        order
            .seed
            .map_or_else(|| "not made".to_string(), |s| format!("made (seed {s})"))
    );
    println!("Chamber:        {}", phase_text(record.live().phase()));
    Ok(())
}

fn phase_text(p: Phase) -> &'static str {
    match p {
        Phase::NotOpened => "not opened",
        Phase::Sitting => "in session",
        Phase::Suspended => "suspended",
        Phase::Closed => "adjourned",
    }
}

fn show(db: &str, args: ShowArgs) -> Result<Outcome> {
    let store = open(db)?;
    let m = match load_meeting(&*store, &args.meeting)? {
        Ok(m) => m,
        Err(o) => return Ok(o),
    };
    let now = args
        .now
        .as_ref()
        .map_or_else(Timestamp::now, ZonedDateTime::timestamp);
    print_meeting(&m.record, now, args.json)?;
    if args.json {
        return Ok(Outcome::Success);
    }
    let order = m.record.order();
    println!();
    print!(
        "{}",
        export::journal(m.record.meeting(), &order, &at_new_york(now))
    );
    for p in &order.pending {
        let missing: Vec<String> = p.missing.iter().map(ToString::to_string).collect();
        println!(
            "Incomplete: no. {} {} (received {}): {}",
            p.inscription,
            p.name,
            ny(&p.received_at),
            missing.join("; ")
        );
    }
    for w in &order.withdrawn {
        println!(
            "Withdrawn:  no. {} {} ({}): {}",
            w.inscription,
            w.name,
            ny(&w.at),
            w.reason
        );
    }
    let vocabulary = Vocabulary::from_reference(&Reference::embedded());
    for s in link_statements(m.record.list(), &vocabulary) {
        let labels: Vec<&str> = s.links.iter().map(|l| l.label.as_str()).collect();
        println!(
            "Statement:  no. {} {}: {}",
            s.inscription,
            s.name,
            if labels.is_empty() {
                "no term of the vocabulary".to_string()
            } else {
                labels.join(", ")
            }
        );
    }
    Ok(Outcome::Success)
}

fn list_meetings(db: &str, args: JsonArg) -> Result<Outcome> {
    let store = open(db)?;
    let all = match meetings::meetings(&*store) {
        Ok(all) => all,
        Err(e) => return store_problem(e),
    };
    if args.json {
        let v: Vec<serde_json::Value> = all
            .iter()
            .map(|s| {
                let m = s.record.meeting();
                serde_json::json!({
                    "id": m.id, "start": m.start, "format": m.format, "agenda_item": m.agenda_item,
                    "presidency": m.presidency.code, "list_opens_at": s.record.opens_at(),
                    "speakers": s.record.order().entries.len(), "phase": s.record.live().phase(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(Outcome::Success);
    }
    if all.is_empty() {
        println!("No meetings in the store.");
    }
    for s in &all {
        let m = s.record.meeting();
        println!(
            "{}  {}  {}  {} speakers  {}",
            m.id,
            ny(&m.start),
            m.format,
            s.record.order().entries.len(),
            phase_text(s.record.live().phase())
        );
    }
    Ok(Outcome::Success)
}

fn inscribe(db: &str, args: InscribeArgs) -> Result<Outcome> {
    let delegation = match (&args.code, &args.organisation, &args.briefer) {
        (Some(code), _, _) => Delegation::Entity {
            code: code.trim().to_ascii_uppercase(),
        },
        (None, Some(name), _) => Delegation::Organisation {
            name: name.trim().to_string(),
        },
        (None, None, Some(name)) => Delegation::Briefer {
            name: name.trim().to_string(),
            affiliation: args.affiliation.clone(),
        },
        (None, None, None) => {
            unreachable!("clap requires one of --code, --organisation, --briefer")
        }
    };
    let letter = args.letter.read()?;
    let joint = (args.joint_group.is_some() || !args.on_behalf_of.is_empty()).then(|| Joint {
        group: args.joint_group.clone(),
        on_behalf_of: args.on_behalf_of.clone(),
    });
    let request = Request {
        delegation,
        speaker: args.speaker.speaker(),
        letter: letter.as_ref().map(|(l, _)| l.clone()),
        joint,
    };
    if let Some((l, bytes)) = &letter {
        let mut store = open(db)?;
        if let Err(e) = meetings::save_letter(&mut *store, l, bytes, &args.act.by) {
            return store_problem(e);
        }
    }
    let reference = Reference::embedded();
    change(db, &args.act, |m, by, now| {
        m.inscribe(&reference, request.clone(), by, now)
            .map(|ack| ack.to_string())
    })
}

fn letter(db: &str, args: LetterArgs) -> Result<Outcome> {
    let Some((letter, bytes)) = args.letter.read()? else {
        eprintln!("refused: give the letter with --letter FILE.pdf");
        return Ok(Outcome::InputProblems);
    };
    {
        let mut store = open(db)?;
        if let Err(e) = meetings::save_letter(&mut *store, &letter, &bytes, &args.act.by) {
            return store_problem(e);
        }
    }
    let n = args.inscription;
    change(db, &args.act, |m, by, now| {
        m.attach_letter(n, letter.clone(), by, now)
            .map(|ack| ack.to_string())
    })
}

fn statement(db: &str, args: StatementArgs) -> Result<Outcome> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read the statement {}", args.file.display()))?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let vocabulary = Vocabulary::from_reference(&Reference::embedded());
    let n = args.inscription;
    change(db, &args.act, |m, by, now| {
        m.attach_statement(n, &text, file_name.as_deref(), by, now)?;
        let links = vocabulary.link(&text);
        let mut out = format!("Statement attached to no. {n}.");
        if links.is_empty() {
            out.push_str(" It mentions no term of the vocabulary.");
        }
        for l in links {
            let matched: Vec<&str> = l.evidence.iter().map(|e| e.matched.as_str()).collect();
            out.push_str(&format!(
                "\n  {} {}: {} ({})",
                l.kind.as_str(),
                l.id,
                l.label,
                matched.join(", ")
            ));
        }
        Ok::<_, threatscape_debate::ListError>(out)
    })
}

fn list(db: &str, args: ListArgs) -> Result<Outcome> {
    let store = open(db)?;
    let m = match load_meeting(&*store, &args.meeting)? {
        Ok(m) => m,
        Err(o) => return Ok(o),
    };
    let now = at_new_york(
        args.now
            .as_ref()
            .map_or_else(Timestamp::now, ZonedDateTime::timestamp),
    );
    let order = m.record.order();
    let text = match args.format {
        ListFormat::Journal => export::journal(m.record.meeting(), &order, &now),
        ListFormat::Csv => export::csv(&order),
        ListFormat::Json => export::json(m.record.meeting(), &order, &now) + "\n",
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(Outcome::Success)
}

/// A step in the chamber: it changes the meeting and says what happened.
type LiveStep = fn(
    &mut MeetingRecord,
    &str,
    Timestamp,
) -> std::result::Result<String, threatscape_debate::LiveError>;

fn live(db: &str, cmd: LiveCommand) -> Result<Outcome> {
    let (args, step): (&LiveArgs, Option<LiveStep>) = match &cmd {
        LiveCommand::Start(a) => (
            a,
            Some(|m, by, now| m.open(by, now).map(|()| "Meeting opened.".into())),
        ),
        LiveCommand::Next(a) => (
            a,
            Some(|m, by, now| {
                Ok(match m.next_speaker(by, now)? {
                    Some(e) => format!("Floor given to no. {} {}.", e.position, e.name),
                    None => "The list of speakers is exhausted.".into(),
                })
            }),
        ),
        LiveCommand::Stop(a) => (
            a,
            Some(|m, by, now| {
                m.stop_statement(by, now)
                    .map(|()| "Statement ended.".into())
            }),
        ),
        LiveCommand::Suspend(a) => (
            a,
            Some(|m, by, now| m.suspend(by, now).map(|()| "Meeting suspended.".into())),
        ),
        LiveCommand::Resume(a) => (
            a,
            Some(|m, by, now| m.resume(by, now).map(|()| "Meeting resumed.".into())),
        ),
        LiveCommand::End(a) => (
            a,
            Some(|m, by, now| m.close(by, now).map(|()| "Meeting adjourned.".into())),
        ),
        LiveCommand::Show(a) => (a, None),
    };
    let act = &args.act;
    let now = act.now();
    let mut store = open(db)?;
    let (message, record) = match step {
        Some(step) => {
            let (out, stored) = match meetings::update(&mut *store, &act.meeting, &act.by, |m| {
                step(m, &act.by, now)
            }) {
                Ok(r) => r,
                Err(e) => return store_problem(e),
            };
            match out {
                Ok(message) => (Some(message), stored.record),
                Err(e) => {
                    eprintln!("refused: {e}");
                    return Ok(Outcome::InputProblems);
                }
            }
        }
        None => match load_meeting(&*store, &act.meeting)? {
            Ok(m) => (None, m.record),
            Err(o) => return Ok(o),
        },
    };
    let view = record.live_view(now);
    if act.json {
        println!("{}", serde_json::to_string_pretty(&view)?);
        return Ok(Outcome::Success);
    }
    if let Some(message) = message {
        println!("{message}");
    }
    print_live(&view);
    Ok(Outcome::Success)
}

/// A duration as m:ss, or h:mm:ss from an hour.
fn mmss(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let s = ms.unsigned_abs() / 1000;
    if s >= 3600 {
        format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{sign}{}:{:02}", s / 60, s % 60)
    }
}

fn print_live(v: &LiveView) {
    println!(
        "Chamber:     {}{} (as at {})",
        phase_text(v.phase),
        v.since
            .as_ref()
            .map(|s| format!(" since {}", ny(s)))
            .unwrap_or_default(),
        ny(&v.now)
    );
    match &v.floor {
        Some(f) => {
            let timer = if f.overrun {
                format!(
                    "{} over the limit of {}",
                    mmss(-f.remaining_ms),
                    mmss(v.time_limit_ms)
                )
            } else {
                format!("{} left of {}", mmss(f.remaining_ms), mmss(v.time_limit_ms))
            };
            println!(
                "Floor:       {} (spoken {}; {timer})",
                f.name,
                mmss(f.elapsed_ms)
            );
        }
        None => println!("Floor:       nobody"),
    }
    match &v.next {
        Some(e) => println!(
            "Next:        no. {} {} ({} waiting)",
            e.position, e.name, v.waiting
        ),
        None => println!("Next:        nobody ({} waiting)", v.waiting),
    }
    for s in &v.statements {
        println!(
            "  {:>3}. {:<32} {}  {}{}",
            s.position.map(|p| p.to_string()).unwrap_or_default(),
            s.name,
            ny(&s.started_at),
            mmss(s.duration_ms),
            if s.overrun_ms > 0 {
                format!("  (+{} over)", mmss(s.overrun_ms))
            } else {
                String::new()
            }
        );
    }
    let t = &v.totals;
    println!(
        "Totals:      {} statements, {} speaking (average {}), {} over the limit (+{}), {} in session over {} sitting(s), {} suspended",
        t.statements, mmss(t.speaking_ms), mmss(t.average_ms), t.overruns, mmss(t.overrun_ms),
        mmss(t.sitting_ms), t.sittings, mmss(t.suspended_ms)
    );
}

fn parse_person(s: &str) -> Result<Person, String> {
    let (name, title) = s.split_once('|').unwrap_or((s, ""));
    if name.trim().is_empty() {
        return Err(format!("'{s}' names nobody: write \"Name|Title\""));
    }
    Ok(Person {
        name: name.trim().to_string(),
        title: title.trim().to_string(),
    })
}

fn opening(args: OpeningArgs) -> Result<Outcome> {
    let Some(reference) = load(args.reference.as_ref()) else {
        return Ok(Outcome::InputProblems);
    };
    let rule = OpeningRule {
        working_days: args.working_days,
        time: args.time,
    };
    let o = Calendar::of(&reference).list_opening(&args.meeting, rule)?;
    if args.json {
        let v = serde_json::json!({
            "meeting": o.meeting,
            "opens_at": o.at,
            "time_zone": NEW_YORK,
            "working_days": o.rule.working_days,
            "counted": o.counted,
            "skipped": o.skipped.iter().map(|s| serde_json::json!({
                "date": s.date,
                "weekday": s.date.strftime("%A").to_string(),
                "reason": s.reason,
                "why": s.reason.to_string(),
            })).collect::<Vec<_>>(),
            "caveats": o.caveats.iter().map(|c| serde_json::json!({
                "caveat": c,
                "message": c.to_string(),
            })).collect::<Vec<_>>(),
            "holiday_calendar": origin_text(&reference),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(Outcome::Success);
    }
    let long = "%A %-d %B %Y, %H:%M %Z";
    println!(
        "Meeting:          {} ({NEW_YORK})",
        o.meeting.strftime(long)
    );
    println!(
        "List opens:       {} ({NEW_YORK}), {} working day{} before the meeting day",
        o.at.strftime(long),
        o.rule.working_days,
        if o.rule.working_days == 1 { "" } else { "s" }
    );
    println!("                  {}", o.at);
    let counted: Vec<String> = o
        .counted
        .iter()
        .map(|d| d.strftime("%a %-d %b").to_string())
        .collect();
    println!("Working days:     {}", counted.join(", "));
    if o.skipped.is_empty() {
        println!("Days skipped:     none");
    } else {
        println!("Days skipped:");
        for s in &o.skipped {
            println!("  {}  {}", s.date.strftime("%a %-d %b %Y"), s.reason);
        }
    }
    for c in &o.caveats {
        println!("Check:            {c}");
    }
    println!("Holiday calendar: {}", origin_text(&reference));
    Ok(Outcome::Success)
}

fn holidays(args: HolidaysArgs) -> Result<Outcome> {
    let Some(reference) = load(args.reference.as_ref()) else {
        return Ok(Outcome::InputProblems);
    };
    let list: Vec<_> = reference
        .holidays
        .iter()
        .filter(|h| args.year.is_none_or(|y| h.date.year() == y))
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(Outcome::Success);
    }
    let width = list
        .iter()
        .map(|h| h.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    println!(
        "{:<10}  {:<3}  {:<width$}  {:<8}  verified",
        "date", "day", "holiday", "kind"
    );
    for h in &list {
        let kind = match h.kind {
            HolidayKind::Official => "closed",
            HolidayKind::Floating => "open",
        };
        println!(
            "{:<10}  {:<3}  {:<width$}  {:<8}  {}",
            h.date.to_string(),
            h.date.strftime("%a").to_string(),
            h.name,
            kind,
            h.provenance.verified
        );
    }
    println!("Source: {}", origin_text(&reference));
    let unverified = list
        .iter()
        .filter(|h| h.provenance.verified != threatscape_debate::Verified::Yes)
        .count();
    if unverified > 0 {
        println!("{unverified} date(s) not verified against the UN circular: confirm them and edit {HOLIDAYS}.");
    }
    Ok(Outcome::Success)
}
