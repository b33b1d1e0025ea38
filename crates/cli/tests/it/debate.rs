//! `threatscape debate ...` through the binary: every command is its own process, so each one
//! rebuilds the meeting from the store's stream, as a server process would.

use std::path::Path;

use super::{json_of, threatscape};

const M: &str = "S/PV.9662";

fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = threatscape(db, args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a command that must succeed and returns its standard output.
fn ok(db: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(db, args);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    out
}

/// The June 2024 open debate on cyber threats, created before its list opened.
fn meeting(db: &Path) {
    let out = ok(
        db,
        &[
            "debate",
            "meeting",
            "create",
            "--id",
            M,
            "--start",
            "2024-06-20T10:00",
            "--concept-note",
            "S/2024/446",
            "--now",
            "2024-06-10T12:00",
        ],
    );
    // Juneteenth (19 June) is skipped: the list opens on Friday 14 June.
    assert!(
        out.contains("List opens:     Fri 14 Jun 2024, 09:30:00 EDT (America/New_York)"),
        "{out}"
    );
    assert!(out.contains("Presidency:     Republic of Korea"), "{out}");
}

fn inscribe(db: &Path, code: &str, level: &str, now: &str) -> String {
    ok(
        db,
        &[
            "debate",
            "inscribe",
            "--meeting",
            M,
            "--code",
            code,
            "--speaker",
            &format!("Representative of {code}"),
            "--level",
            level,
            "--now",
            now,
        ],
    )
}

#[test]
fn inscriptions_letters_moves_and_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    meeting(&db);
    // Before the opening: refused with the opening time, and the refusal is kept in the log.
    let (code, _, err) = run(
        &db,
        &[
            "debate",
            "inscribe",
            "--meeting",
            M,
            "--code",
            "FRA",
            "--speaker",
            "A",
            "--now",
            "2024-06-14T09:29:59",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("the list of speakers opens on Friday 14 June 2024 at 09:30 EDT (New York)"),
        "{err}"
    );
    let ack = inscribe(&db, "FRA", "permanent-representative", "2024-06-14T09:30");
    assert_eq!(
        ack.trim(),
        "Request no. 2 from France received on Friday 14 June 2024 at 09:30:00 EDT. Current position on the list of speakers: 1 (provisional until the draw)."
    );
    // Rule 37 without a letter: received, incomplete, with the reason.
    let ack = inscribe(&db, "EST", "minister", "2024-06-14T09:31");
    assert!(
        ack.contains(
            "The request is incomplete and not yet on the list: a rule 37 request needs a letter"
        ),
        "{ack}"
    );
    let pdf = dir.path().join("estonia.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%%EOF\n").unwrap();
    let pdf = pdf.to_str().unwrap();
    let letter = |title: &str, now: &str| {
        ok(
            &db,
            &[
                "debate",
                "letter",
                "--meeting",
                M,
                "--inscription",
                "3",
                "--letter",
                pdf,
                "--signatory",
                "Rein Tammsaar",
                "--signatory-title",
                title,
                "--now",
                now,
            ],
        )
    };
    let ack = letter("Deputy Permanent Representative", "2024-06-14T10:00");
    assert!(
        ack.contains("signed by the Deputy Permanent Representative"),
        "{ack}"
    );
    let ack = letter("Chargé d'affaires a.i.", "2024-06-14T10:05");
    assert!(
        ack.contains("Current position on the list of speakers: 2"),
        "{ack}"
    );
    // A minister of a Council member goes ahead of the ambassador.
    inscribe(&db, "JPN", "minister", "2024-06-14T11:00");
    inscribe(&db, "PSE", "permanent-representative", "2024-06-14T11:05");
    // A second inscription of the same delegation is refused.
    let (code, _, err) = run(
        &db,
        &[
            "debate",
            "inscribe",
            "--meeting",
            M,
            "--code",
            "JPN",
            "--speaker",
            "B",
            "--now",
            "2024-06-14T11:06",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("Japan is already inscribed (no. 6)"), "{err}");
    let out = ok(
        &db,
        &[
            "debate",
            "move",
            "--meeting",
            M,
            "--inscription",
            "7",
            "--before",
            "3",
            "--reason",
            "the observer's minister must leave early",
            "--now",
            "2024-06-17T10:00",
        ],
    );
    assert!(out.contains("now no. 3 on the list"), "{out}");
    let (code, _, err) = run(
        &db,
        &[
            "debate",
            "move",
            "--meeting",
            M,
            "--inscription",
            "7",
            "--after",
            "3",
            "--reason",
            " ",
            "--now",
            "2024-06-17T10:01",
        ],
    );
    assert_eq!((code, err.trim()), (1, "refused: a reason is required"));
    ok(
        &db,
        &[
            "debate",
            "withdraw",
            "--meeting",
            M,
            "--inscription",
            "2",
            "--reason",
            "the delegation will not speak",
            "--now",
            "2024-06-18T09:00",
        ],
    );
    let out = ok(
        &db,
        &[
            "debate",
            "draw",
            "--meeting",
            M,
            "--seed",
            "42",
            "--now",
            "2024-06-18T10:00",
        ],
    );
    assert!(
        out.starts_with("Draw made with seed 42: RUS, KOR, ECU, JPN"),
        "{out}"
    );

    let journal = ok(
        &db,
        &[
            "debate",
            "list",
            "--meeting",
            M,
            "--now",
            "2024-06-18T12:00",
        ],
    );
    assert!(
        journal.contains("List of speakers (as at Tuesday, 18 June 2024, 12:00 EDT)"),
        "{journal}"
    );
    let japan = journal.find("1. Japan [Minister]").expect("Japan first");
    let palestine = journal
        .find("2. State of Palestine")
        .expect("Palestine moved");
    let estonia = journal
        .find("3. Estonia [Minister]")
        .expect("Estonia third");
    assert!(japan < palestine && palestine < estonia, "{journal}");
    assert!(!journal.contains("France"), "withdrawn: {journal}");
    let csv = ok(
        &db,
        &[
            "debate",
            "list",
            "--meeting",
            M,
            "--format",
            "csv",
            "--now",
            "2024-06-18T12:00",
        ],
    );
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.contains("the observer's minister must leave early"),
        "{csv}"
    );
    let json = json_of(&threatscape(
        &db,
        &[
            "debate",
            "list",
            "--meeting",
            M,
            "--format",
            "json",
            "--now",
            "2024-06-18T12:00",
        ],
    ));
    assert_eq!(json["order"]["seed"], 42);
    assert_eq!(
        json["order"]["withdrawn"][0]["reason"],
        "the delegation will not speak"
    );
    assert_eq!(json["as_at"], "2024-06-18T12:00:00-04:00[America/New_York]");

    // Statements and the terms they raise.
    let text = dir.path().join("japan.txt");
    std::fs::write(
        &text,
        "Ransomware against hospitals and attacks on the energy grid threaten civilians.",
    )
    .unwrap();
    let out = ok(
        &db,
        &[
            "debate",
            "statement",
            "--meeting",
            M,
            "--inscription",
            "6",
            "--file",
            text.to_str().unwrap(),
            "--now",
            "2024-06-20T11:00",
        ],
    );
    assert!(
        out.contains("threat-kind") && out.contains("sector"),
        "{out}"
    );
    let show = ok(
        &db,
        &[
            "debate",
            "meeting",
            "show",
            "--meeting",
            M,
            "--now",
            "2024-06-20T11:00",
        ],
    );
    assert!(show.contains("Withdrawn:  no. 2 France"), "{show}");
    assert!(show.contains("Statement:  no. 6 Japan:"), "{show}");
    let list = json_of(&threatscape(&db, &["debate", "meeting", "list", "--json"]));
    assert_eq!(list[0]["id"], M);
    assert_eq!(list[0]["speakers"], 3);
}

#[test]
fn the_chamber_timed_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    meeting(&db);
    inscribe(&db, "JPN", "minister", "2024-06-14T10:00");
    inscribe(&db, "FRA", "permanent-representative", "2024-06-14T10:01");
    let live =
        |step: &str, now: &str| ok(&db, &["debate", "live", step, "--meeting", M, "--now", now]);
    let (code, _, err) = run(
        &db,
        &[
            "debate",
            "live",
            "next",
            "--meeting",
            M,
            "--now",
            "2024-06-20T10:00",
        ],
    );
    assert_eq!(
        (code, err.trim()),
        (1, "refused: the meeting is not open yet")
    );
    live("start", "2024-06-20T10:03");
    assert!(live("next", "2024-06-20T10:04").starts_with("Floor given to no. 1 Japan."));
    let out = live("show", "2024-06-20T10:07:30");
    assert!(
        out.contains("Floor:       Japan (spoken 3:30; 0:30 over the limit of 3:00)"),
        "{out}"
    );
    assert!(live("next", "2024-06-20T10:08:10").starts_with("Floor given to no. 2 France."));
    live("suspend", "2024-06-20T10:10:00");
    live("resume", "2024-06-20T15:00");
    let out = live("next", "2024-06-20T15:01");
    assert!(
        out.starts_with("The list of speakers is exhausted."),
        "{out}"
    );
    live("end", "2024-06-20T15:02");
    let v = json_of(&threatscape(
        &db,
        &[
            "debate",
            "live",
            "show",
            "--meeting",
            M,
            "--json",
            "--now",
            "2024-06-20T15:30",
        ],
    ));
    assert_eq!(v["phase"], "closed");
    assert_eq!(v["statements"][0]["name"], "Japan");
    assert_eq!(v["statements"][0]["duration_ms"], 250_000);
    assert_eq!(v["statements"][0]["overrun_ms"], 70_000);
    assert_eq!(v["statements"][1]["duration_ms"], 110_000);
    assert_eq!(v["statements"][1]["overrun_ms"], 0);
    assert_eq!(v["totals"]["overruns"], 1);
    assert_eq!(v["totals"]["sittings"], 2);
    // 10:03-10:10 and 15:00-15:02 in session; 10:10-15:00 suspended.
    assert_eq!(v["totals"]["sitting_ms"], 9 * 60_000);
    assert_eq!(v["totals"]["suspended_ms"], 290 * 60_000);
    let (code, _, err) = run(
        &db,
        &[
            "debate",
            "live",
            "resume",
            "--meeting",
            M,
            "--now",
            "2024-06-20T15:40",
        ],
    );
    assert_eq!((code, err.trim()), (1, "refused: the meeting is closed"));
}

#[test]
fn the_same_seed_gives_the_same_order_in_another_store() {
    let orders: Vec<String> = (0..2)
        .map(|_| {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("s.db");
            meeting(&db);
            for (k, code) in ["USA", "CHN", "FRA", "GBR", "RUS", "KOR"]
                .iter()
                .enumerate()
            {
                inscribe(
                    &db,
                    code,
                    "permanent-representative",
                    &format!("2024-06-14T10:0{k}"),
                );
            }
            ok(
                &db,
                &[
                    "debate",
                    "draw",
                    "--meeting",
                    M,
                    "--seed",
                    "20240620",
                    "--now",
                    "2024-06-18T10:00",
                ],
            );
            ok(
                &db,
                &[
                    "debate",
                    "list",
                    "--meeting",
                    M,
                    "--format",
                    "csv",
                    "--now",
                    "2024-06-18T12:00",
                ],
            )
        })
        .collect();
    assert_eq!(orders[0], orders[1]);
    // The presidency (the Republic of Korea) speaks last among members.
    assert!(
        orders[0]
            .lines()
            .nth(6)
            .unwrap()
            .starts_with("6,council-members,Republic of Korea"),
        "{}",
        orders[0]
    );
}

#[test]
fn unknown_meetings_and_taken_ids_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let (code, _, err) = run(&db, &["debate", "list", "--meeting", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("there is no meeting 'nope'"), "{err}");
    meeting(&db);
    let (code, _, err) = run(
        &db,
        &[
            "debate",
            "meeting",
            "create",
            "--id",
            M,
            "--start",
            "2024-06-20T10:00",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("a meeting 'S/PV.9662' exists already"),
        "{err}"
    );
    let (code, _, err) = run(
        &db,
        &[
            "debate",
            "meeting",
            "create",
            "--id",
            "X",
            "--start",
            "2031-01-06T10:00",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("no presidency is recorded for 2031-01"),
        "{err}"
    );
}

#[test]
fn the_demo_meeting_imports_as_its_readme_describes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-meeting.jsonc");
    let out = ok(
        &db,
        &["debate", "meeting", "import", file.to_str().unwrap()],
    );
    assert!(
        out.contains("15 on the list, 2 incomplete, 0 withdrawn; draw made (seed 20261208)"),
        "{out}"
    );
    let v = json_of(&threatscape(
        &db,
        &[
            "debate",
            "list",
            "--meeting",
            "demo-2026-12-08-mips-cyber",
            "--format",
            "json",
            "--now",
            "2026-12-07T21:00",
        ],
    ));
    let groups: Vec<&str> = v["order"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups.iter().filter(|g| **g == "briefers").count(), 2);
    assert_eq!(
        groups.iter().filter(|g| **g == "council-members").count(),
        7
    );
    assert_eq!(
        v["order"]["entries"][8]["name"], "Liberia",
        "the presidency last among members"
    );
    let pending: Vec<(&str, String)> = v["order"]["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["missing"][0]["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        pending,
        [
            ("Albania", "signatory".to_string()),
            ("Kenya", "letter".to_string())
        ]
    );
    // A second import of the same meeting is refused: the id is taken.
    let (code, _, err) = run(
        &db,
        &["debate", "meeting", "import", file.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(err.contains("exists already"), "{err}");
}

#[test]
fn a_resumption_on_a_later_day_is_planned_after_the_last_sitting() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    meeting(&db);
    let out = ok(
        &db,
        &[
            "debate",
            "session",
            "--meeting",
            M,
            "--start",
            "2024-06-21T10:00",
            "--end",
            "2024-06-21T13:00",
            "--now",
            "2024-06-20T18:00",
        ],
    );
    assert!(
        out.contains("Fri 21 Jun 2024, 10:00:00 EDT - 13:00 EDT"),
        "{out}"
    );
    let (code, _, err) = run(
        &db,
        &[
            "debate",
            "session",
            "--meeting",
            M,
            "--start",
            "2024-06-21T12:00",
            "--end",
            "2024-06-21T14:00",
            "--now",
            "2024-06-20T18:01",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("starts before the sitting ending at 2024-06-21T13:00:00 is over"),
        "{err}"
    );
    let show = ok(
        &db,
        &[
            "debate",
            "meeting",
            "show",
            "--meeting",
            M,
            "--now",
            "2024-06-20T18:02",
        ],
    );
    assert_eq!(show.matches("Sitting:").count(), 3, "{show}");
}
