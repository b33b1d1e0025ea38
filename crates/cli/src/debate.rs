//! `threatscape debate ...`: the Council's open debate from the command line (the calendar for now;
//! meetings, inscriptions and the list come with persistence in the store).

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use threatscape_debate::calendar::{in_new_york, new_york, MAX_WORKING_DAYS, NEW_YORK};
use threatscape_debate::jiff::civil::{Date, DateTime, Time};
use threatscape_debate::jiff::ZonedDateTime;
use threatscape_debate::reference::{HolidayKind, Origin, HOLIDAYS};
use threatscape_debate::{Calendar, OpeningRule, Reference};

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

/// Runs a `debate` subcommand.
pub(crate) fn run(command: DebateCommand) -> Result<Outcome> {
    match command {
        DebateCommand::Opening(args) => opening(args),
        DebateCommand::Holidays(args) => holidays(args),
    }
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
