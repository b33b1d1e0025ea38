//! The contribution page's file upload (STIX, MISP, tracker CSV, VERIS, the native template),
//! through the same ingest as `threatscape ingest`, and "My contributions": the signed-in user's
//! ingest runs with what became of them and links to the incidents their reports joined.
//!
//! The client's file name is data only: the upload is written under a fixed-alphabet name inside
//! a fresh temporary folder, and the name the client sent is shown (escaped) in the summary.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use threatscape_ingest::{Format, SourceFormat, Summary};
use threatscape_model::{ContributorType, Tlp};
use threatscape_store::{Abort, RunRecord};

use super::html::{badge, enc, esc, link, message, page, respond, table};
use super::{csrf_refused, see_other, Ctx};
use crate::{ApiError, AppState, Role};

/// The formats `threatscape ingest --format` takes, as (value, label).
pub(crate) const FORMATS: [(&str, &str); 9] = [
    ("auto", "auto (decide from the content)"),
    ("stix", "STIX 2.1 / 2.0"),
    ("misp", "MISP event JSON"),
    ("native", "native template (CSV or JSON)"),
    ("eurepoc", "EuRepoC CSV"),
    ("cfr", "CFR Cyber Operations Tracker CSV"),
    ("cissm", "CISSM Cyber Events Database CSV"),
    ("dcid", "DCID 2.0 CSV"),
    ("veris", "VERIS (VCDB) JSON"),
];

pub(crate) fn format_of(s: &str) -> Option<Format> {
    match s {
        "" | "auto" => Some(Format::Auto),
        name => SourceFormat::from_name(name).map(Format::Fixed),
    }
}

fn select(name: &str, label: &str, current: &str, options: &[(String, String)]) -> String {
    let mut out = format!(r#"<label>{label} <select name="{name}">"#);
    for (value, text) in options {
        let sel = if current == value { " selected" } else { "" };
        out.push_str(&format!(
            r#"<option value="{}"{sel}>{}</option>"#,
            esc(value),
            esc(text)
        ));
    }
    out.push_str("</select></label>");
    out
}

/// What the upload form remembers between tries.
#[derive(Debug, Default, Clone)]
pub(crate) struct UploadFields {
    format: String,
    tlp: String,
    contributor_type: String,
    recipients: String,
}

impl UploadFields {
    /// An empty form with the organisation's contributor type chosen.
    pub(crate) fn of_type(contributor_type: &str) -> UploadFields {
        UploadFields {
            contributor_type: contributor_type.to_string(),
            ..UploadFields::default()
        }
    }
}

/// Most organisations one submission names as recipients.
const MAX_RECIPIENTS: usize = 50;

/// TLP:RED's named recipients as a contributor writes them: organisation names separated by
/// semicolons or new lines (commas occur in names). Trimmed, empty entries dropped, repeats
/// kept once; at most [`MAX_RECIPIENTS`] names of at most 200 characters, none with a control
/// character.
pub(crate) fn parse_recipients(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for name in text
        .split([';', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        if name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(format!(
                "recipient {:?} is not an organisation's name (at most 200 characters, no control characters)",
                shown(name)
            ));
        }
        if !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    if out.len() > MAX_RECIPIENTS {
        return Err(format!(
            "{} recipients named; at most {MAX_RECIPIENTS}",
            out.len()
        ));
    }
    Ok(out)
}

/// The upload form (for the contribution page; contributors and above only).
pub(crate) fn upload_form(ctx: &Ctx, f: &UploadFields) -> String {
    if ctx.user.role < Role::Contributor {
        return String::new();
    }
    let formats: Vec<(String, String)> = FORMATS
        .iter()
        .map(|(v, t)| (v.to_string(), t.to_string()))
        .collect();
    let tlps: Vec<(String, String)> = Tlp::ALL
        .into_iter()
        .filter(|t| *t <= ctx.user.clearance)
        .map(|t| (t.as_str().to_string(), format!("TLP:{}", t.as_str())))
        .collect();
    let mut types: Vec<(String, String)> = vec![(String::new(), "choose".into())];
    types.extend(
        ContributorType::ALL
            .into_iter()
            .map(|t| (t.as_str().to_string(), t.as_str().to_string())),
    );
    let tlp_cur = if f.tlp.is_empty() {
        Tlp::Green.as_str()
    } else {
        &f.tlp
    };
    format!(
        r#"<section class="card" id="upload"><h2>Upload a file</h2>
<form method="post" action="/contribute/upload" enctype="multipart/form-data" class="form">
<input type="hidden" name="csrf" value="{csrf}">
<p class="muted">STIX bundles, MISP events, tracker CSV files, VERIS JSON or the native template, up to {mib} MiB, sent as {org} through the same ingest as <code>threatscape ingest</code>. A file with errors is refused whole and the store is left as it was. See <a href="/contributions">My contributions</a> for what became of earlier ones.</p>
<label>File (required) <input type="file" name="file" required></label>
{format}{tlp}{ctype}
<label>Named recipients <input name="recipients" value="{recipients}" placeholder="organisations, separated by semicolons"></label>
<p class="muted">Besides {org}, only these organisations may read the file's TLP:AMBER+STRICT and TLP:RED material.</p>
<button type="submit" class="primary">Upload and ingest</button>
</form></section>"#,
        csrf = esc(&ctx.csrf),
        mib = crate::MAX_BODY >> 20,
        org = esc(&ctx.user.organisation),
        format = select("format", "Format", &f.format, &formats),
        tlp = select("tlp", "TLP of the submission (required)", tlp_cur, &tlps),
        ctype = select(
            "contributor_type",
            "Your organisation's type (required)",
            &f.contributor_type,
            &types
        ),
        recipients = esc(&f.recipients),
    )
}

/// A client's file name as text to show: control characters (NUL included) written as escapes.
pub(crate) fn shown(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The name the upload is written under, inside its own temporary folder: the client's name
/// reduced to `[A-Za-z0-9._-]` (one path component, never `.` or `..`), keeping its extension
/// for the adapters that look at it.
fn safe_name(client: &str) -> String {
    let last = client.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    name = name.trim_start_matches('.').chars().take(80).collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "upload".into()
    } else {
        format!("upload-{name}")
    }
}

/// One report an upload brought, with the incident page that shows it.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Brought {
    pub(crate) title: String,
    pub(crate) key: String,
    pub(crate) tlp: Tlp,
}

/// One file a contributor sends, with what they declare of it.
pub(crate) struct Upload {
    pub(crate) format: Format,
    pub(crate) tlp: Tlp,
    pub(crate) contributor_type: ContributorType,
    /// Organisations besides the user's that may read its AMBER+STRICT and RED material.
    pub(crate) recipients: Vec<String>,
    /// The name the client gave the file: shown, never used as a path.
    pub(crate) client_name: String,
    pub(crate) data: axum::body::Bytes,
}

/// What became of an upload.
pub(crate) struct Ingested {
    pub(crate) summary: Summary,
    /// The temporary path the file was read from (named in the summary; replace it by the
    /// client's name before showing it).
    pub(crate) file: String,
    /// The reports it brought that the user may see.
    pub(crate) brought: Vec<Brought>,
}

/// Runs one uploaded file through `threatscape_ingest::ingest` as `user`, for their organisation:
/// the one path of the contribution page's upload and `POST /api/v1/uploads`. The file is written
/// under [`safe_name`] in a fresh temporary folder, removed afterwards.
pub(crate) fn ingest_upload(
    st: &mut dyn threatscape_store::Store,
    user: &crate::User,
    upload: &Upload,
) -> Result<Ingested, ApiError> {
    let dir = tempfile::Builder::new()
        .prefix("threatscape-upload-")
        .tempdir()
        .map_err(|e| ApiError::internal(format!("no temporary folder: {e}")))?;
    let path = dir.path().join(safe_name(&upload.client_name));
    std::fs::write(&path, &upload.data)
        .map_err(|e| ApiError::internal(format!("could not write the upload: {e}")))?;
    let inputs = threatscape_ingest::collect_inputs(std::slice::from_ref(&path));
    let options = threatscape_ingest::Options {
        format: upload.format,
        run: threatscape_store::NewRun {
            contributor: Some(user.organisation.clone()),
            contributor_type: Some(upload.contributor_type),
            declared_tlp: Some(upload.tlp),
            actor: user.name.clone(),
            recipients: upload.recipients.clone(),
        },
        contributor: Some(threatscape_model::Contributor {
            name: user.organisation.clone(),
            type_: upload.contributor_type,
            reliability: threatscape_model::Reliability::F,
        }),
        // A reference resolves only against what the user may read, so the summary does not
        // tell them that an object above their clearance exists.
        refs_visible_to: Some(user.reader()),
        ..Default::default()
    };
    let summary =
        threatscape_ingest::ingest(st, &inputs, &options, &mut |_| {}).map_err(ApiError::store)?;
    let file = path.display().to_string();
    let brought = reports_of_files(st, &user.reader(), &BTreeSet::from([file.clone()]))?
        .remove(&file)
        .unwrap_or_default();
    Ok(Ingested {
        summary,
        file,
        brought,
    })
}

fn brought_table(reports: &[Brought]) -> String {
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                esc(&r.title),
                badge(r.tlp),
                link(&format!("/incident?key={}", enc(&r.key)), "its incident"),
            ]
        })
        .collect();
    table(
        &["Report", "TLP", "Incident"],
        &rows,
        "No report of it is visible to you.",
    )
}

fn notice_error(text: &str) -> String {
    format!(r#"<p class="notice error">{}</p>"#, esc(text))
}

fn form_page(ctx: &Ctx, status: StatusCode, notice: &str, f: &UploadFields) -> Response {
    let body = format!("{notice}{}", upload_form(ctx, f));
    respond(
        status,
        page(Some(ctx), "Upload a file", "/contribute", &body),
    )
}

fn too_large() -> Response {
    message(
        None,
        StatusCode::PAYLOAD_TOO_LARGE,
        "Upload too large",
        &format!(
            "The upload is larger than this server accepts ({} MiB for the whole request). Split the file and upload the parts one by one, or ask the operator to ingest it with the command line.",
            crate::MAX_BODY >> 20
        ),
    )
}

/// `POST /contribute/upload`: one file, its format and TLP, through `threatscape_ingest::ingest`.
pub(crate) async fn upload(
    State(s): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut mp = match multipart {
        Ok(mp) => mp,
        Err(e) => {
            if s.signed_in(&headers).await.is_none() {
                return csrf_refused();
            }
            return message(
                None,
                StatusCode::BAD_REQUEST,
                "Not a file upload",
                &format!(
                    "Send the upload form (multipart/form-data): {}",
                    e.body_text()
                ),
            );
        }
    };
    let mut csrf = None;
    let mut fields = UploadFields::default();
    let mut file: Option<(String, axum::body::Bytes)> = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
            Err(e) => {
                return message(
                    None,
                    StatusCode::BAD_REQUEST,
                    "Unreadable upload",
                    &format!("The upload could not be read: {}", e.body_text()),
                )
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let client_name = field.file_name().map(str::to_string);
        let data = match field.bytes().await {
            Ok(d) => d,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
            Err(e) => {
                return message(
                    None,
                    StatusCode::BAD_REQUEST,
                    "Unreadable upload",
                    &format!("The field {name:?} could not be read: {}", e.body_text()),
                )
            }
        };
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "csrf" => csrf = Some(text()),
            "format" => fields.format = text(),
            "tlp" => fields.tlp = text(),
            "contributor_type" => fields.contributor_type = text(),
            "recipients" => fields.recipients = text(),
            "file" => file = Some((client_name.unwrap_or_default(), data)),
            _ => {}
        }
    }
    let Some(ctx) = s.check_csrf(&headers, csrf.as_deref()).await else {
        return csrf_refused();
    };
    if ctx.user.role < Role::Contributor {
        return message(
            Some(&ctx),
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your role (reader) does not submit files; ask an administrator for the contributor role.",
        );
    }
    let refuse = |text: &str| {
        form_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &notice_error(text),
            &fields,
        )
    };
    let Some(format) = format_of(&fields.format) else {
        return refuse(&format!(
            "Unknown format {:?}; use one of {}.",
            fields.format,
            FORMATS.map(|(v, _)| v).join(", ")
        ));
    };
    let Ok(tlp) = fields.tlp.parse::<Tlp>() else {
        return refuse("Choose the TLP level of the submission.");
    };
    if tlp > ctx.user.clearance {
        return refuse("You cannot mark a submission above your own clearance.");
    }
    let Ok(ctype) = fields.contributor_type.parse::<ContributorType>() else {
        return refuse("Choose your organisation's type.");
    };
    let recipients = match parse_recipients(&fields.recipients) {
        Ok(r) => r,
        Err(why) => return refuse(&format!("Named recipients: {why}.")),
    };
    let Some((client_name, data)) = file else {
        return refuse("Choose a file to upload.");
    };
    if data.is_empty() {
        return refuse(&format!("The file {:?} is empty.", shown(&client_name)));
    }
    let user = ctx.user.clone();
    let upload = Upload {
        format,
        tlp,
        contributor_type: ctype,
        recipients,
        client_name,
        data,
    };
    let result = s
        .with_store(move |st| ingest_upload(st, &user, &upload).map(|done| (done, upload)))
        .await;
    let (
        Ingested {
            summary,
            file,
            brought,
        },
        upload,
    ) = match result {
        Ok(r) => r,
        Err(e) => return message(Some(&ctx), e.status, &e.title, &e.description),
    };
    let client_name = upload.client_name;
    let status = if summary.all_files_kept() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = format!(
        "{}{}",
        summary_html(&summary, &file, &client_name, &brought),
        upload_form(&ctx, &fields)
    );
    respond(
        status,
        page(Some(&ctx), "Upload a file", "/contribute", &body),
    )
}

/// The ingest summary, with the temporary path replaced by the client's name (escaped).
fn summary_html(s: &Summary, file: &str, client: &str, brought: &[Brought]) -> String {
    let client = shown(client);
    let client = if client.is_empty() {
        "(unnamed file)".to_string()
    } else {
        client
    };
    let named = |t: &str| t.replace(file, &client);
    let kept = s.all_files_kept();
    let head = if kept {
        format!(
            r#"<p class="notice ok">“{}” was ingested: {} report(s) accepted ({} new), {} object(s) stored ({} new).</p>"#,
            esc(&client),
            s.reports.accepted,
            s.reports.new,
            s.new + s.unchanged,
            s.new
        )
    } else {
        notice_error(&format!(
            "“{client}” was refused: nothing of it was stored. The errors below say where and why; fix them and upload it again."
        ))
    };
    let place = |line: Option<u64>, column: Option<u64>, pointer: Option<&str>| {
        let mut p = Vec::new();
        if let Some(l) = line {
            p.push(format!("line {l}"));
        }
        if let Some(c) = column {
            p.push(format!("column {c}"));
        }
        if let Some(ptr) = pointer {
            p.push(ptr.to_string());
        }
        p.join(", ")
    };
    let errors: Vec<Vec<String>> = s
        .errors
        .iter()
        .map(|d| {
            vec![
                esc(&named(&d.file)),
                esc(&place(d.line, d.column, d.pointer.as_deref())),
                esc(&d.code),
                esc(&named(&d.message)),
            ]
        })
        .collect();
    let repairs: Vec<Vec<String>> = s
        .repairs
        .iter()
        .map(|d| {
            vec![
                esc(&named(&d.file)),
                esc(&place(d.line, d.column, d.pointer.as_deref())),
                esc(&named(&d.message)),
            ]
        })
        .collect();
    let dangling: Vec<Vec<String>> = s
        .dangling
        .iter()
        .map(|d| {
            vec![
                esc(&named(&d.file)),
                esc(&place(d.line, d.column, Some(&d.pointer))),
                esc(&named(&d.what())),
            ]
        })
        .collect();
    let by_type = s
        .by_type
        .iter()
        .map(|(t, n)| format!("{} {}", n, esc(t)))
        .collect::<Vec<_>>()
        .join(", ");
    let format = s
        .per_file
        .first()
        .and_then(|f| f.format)
        .unwrap_or("not recognised");
    let counts = table(
        &[
            "",
            "Read",
            "Accepted",
            "Repaired",
            "Rejected",
            "New",
            "Unchanged",
        ],
        &[
            vec![
                "Reports".into(),
                s.reports.read.to_string(),
                s.reports.accepted.to_string(),
                s.reports.repaired.to_string(),
                s.reports.rejected.to_string(),
                s.reports.new.to_string(),
                s.reports.unchanged.to_string(),
            ],
            vec![
                "Objects".into(),
                s.objects.to_string(),
                (s.new + s.unchanged).to_string(),
                s.repaired.to_string(),
                s.rejected.to_string(),
                s.new.to_string(),
                s.unchanged.to_string(),
            ],
        ],
        "",
    );
    let mut out = format!(
        r#"{head}<section class="card" id="summary"><h2>Ingest summary</h2>
<p>File <code>{file}</code>, read as <strong>{format}</strong>. {warnings} warning(s), {dangling_refs} dangling reference(s).</p>
{counts}<p class="muted">Objects by type: {by_type}</p></section>"#,
        file = esc(&client),
        format = esc(format),
        warnings = s.warnings,
        dangling_refs = s.dangling_refs,
        by_type = if by_type.is_empty() {
            "none".into()
        } else {
            by_type
        },
    );
    if !errors.is_empty() {
        out.push_str(&format!(
            r#"<section class="card" id="errors"><h2>Errors</h2>{}</section>"#,
            table(&["File", "Where", "Code", "Problem"], &errors, "")
        ));
    }
    if !repairs.is_empty() {
        out.push_str(&format!(
            r#"<section class="card" id="repairs"><h2>Repairs</h2>{}</section>"#,
            table(&["File", "Where", "Repair"], &repairs, "")
        ));
    }
    if !dangling.is_empty() {
        out.push_str(&format!(
            r#"<section class="card" id="dangling"><h2>Dangling references</h2>{}</section>"#,
            table(&["File", "Where", "Reference"], &dangling, "")
        ));
    }
    if kept {
        out.push_str(&format!(
            r#"<section class="card" id="reports"><h2>Reports it brought</h2>{}</section>"#,
            brought_table(brought)
        ));
    }
    out
}

/// The reports `reader` may see whose provenance is one of `files`, by file.
fn reports_of_files(
    st: &mut dyn threatscape_store::Store,
    reader: &threatscape_store::Reader,
    files: &BTreeSet<String>,
) -> Result<BTreeMap<String, Vec<Brought>>, ApiError> {
    let mut out: BTreeMap<String, Vec<Brought>> = BTreeMap::new();
    if files.is_empty() {
        return Ok(out);
    }
    st.for_each_owned_report(reader.clearance, &mut |r, owner| {
        if reader.may_read(r.tlp, owner) && files.contains(&r.provenance.file) {
            out.entry(r.provenance.file.clone())
                .or_default()
                .push(Brought {
                    title: r.title.clone(),
                    key: r.key(),
                    tlp: r.tlp,
                });
        }
        Ok::<(), Abort>(())
    })
    .map_err(ApiError::store)?;
    Ok(out)
}

/// The last part of a stored path (the upload's safe name), for a run list.
fn last_part(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `GET /contributions`: the user's ingest runs (form, upload) with their summaries and the
/// reports they brought, each linked to its incident.
pub(crate) async fn contributions(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(ctx) = s.signed_in(&headers).await else {
        return see_other("/login");
    };
    let name = ctx.user.name.clone();
    let reader = ctx.user.reader();
    let result = s
        .with_store(move |st| {
            let mut runs: Vec<RunRecord> = Vec::new();
            st.for_each_run(&mut |r| {
                if r.actor == name {
                    runs.push(r.clone());
                }
                Ok(())
            })
            .map_err(ApiError::store)?;
            runs.reverse();
            runs.truncate(50);
            let files: BTreeSet<String> = runs
                .iter()
                .filter_map(|r| r.summary.as_deref())
                .filter_map(|t| serde_json::from_str::<Value>(t).ok())
                .flat_map(|v| {
                    v["per_file"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|f| f["path"].as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .collect();
            let reports = reports_of_files(st, &reader, &files)?;
            Ok((runs, reports))
        })
        .await;
    let (runs, reports) = match result {
        Ok(r) => r,
        Err(e) => return message(Some(&ctx), e.status, &e.title, &e.description),
    };
    let shown = reports
        .values()
        .flatten()
        .map(|b| (b.key.clone(), b.tlp))
        .collect::<Vec<_>>();
    if let Err(e) = s
        .audit_report_reads(&ctx.user, "/contributions".into(), shown)
        .await
    {
        return message(Some(&ctx), e.status, &e.title, &e.description);
    }
    let mut sections = String::new();
    for run in &runs {
        let summary: Value = run
            .summary
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null);
        let n = |p: &str| summary.pointer(p).and_then(Value::as_u64).unwrap_or(0);
        let files = summary["per_file"].as_array().cloned().unwrap_or_default();
        let mut brought = Vec::new();
        let mut names = Vec::new();
        let mut outcome = Vec::new();
        for f in &files {
            let path = f["path"].as_str().unwrap_or("");
            names.push(last_part(path).to_string());
            outcome.push(format!(
                "{} ({})",
                f["status"].as_str().unwrap_or("?"),
                f["format"].as_str().unwrap_or("format not recognised")
            ));
            if let Some(r) = reports.get(path) {
                brought.extend(r.iter().map(|b| Brought {
                    title: b.title.clone(),
                    key: b.key.clone(),
                    tlp: b.tlp,
                }));
            }
        }
        let errors: Vec<String> = summary["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                let line = d["line"]
                    .as_u64()
                    .map(|l| format!("line {l}: "))
                    .unwrap_or_default();
                format!("{line}{}", d["message"].as_str().unwrap_or(""))
            })
            .collect();
        let errors = if errors.is_empty() {
            String::new()
        } else {
            format!(
                "<ul>{}</ul>",
                errors
                    .iter()
                    .map(|e| format!("<li>{}</li>", esc(e)))
                    .collect::<String>()
            )
        };
        sections.push_str(&format!(
            r#"<section class="card run"><h2>Run {id} · {started}</h2>
<p>{files} · {outcome} · TLP {tlp} · reports accepted {acc}, rejected {rej}, new {new} · objects new {onew}, rejected {orej}</p>{errors}{brought}</section>"#,
            id = run.id,
            started = esc(&run.started),
            files = esc(&names.join(", ")),
            outcome = esc(&outcome.join(", ")),
            tlp = esc(run.declared_tlp.as_deref().unwrap_or("as marked")),
            acc = n("/reports/accepted"),
            rej = n("/reports/rejected"),
            new = n("/reports/new"),
            onew = n("/new"),
            orej = n("/rejected"),
            brought = brought_table(&brought),
        ));
    }
    if runs.is_empty() {
        sections = r#"<section class="card"><p>You have not contributed anything yet. <a href="/contribute">Contribute a report or upload a file</a>.</p></section>"#.into();
    }
    let body = format!(
        r#"<p class="muted">Your submissions (the form and file uploads), newest first, with what the ingest made of them and the incidents their reports joined.</p>{sections}"#
    );
    respond(
        StatusCode::OK,
        page(Some(&ctx), "My contributions", "/contribute", &body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_are_one_plain_component() {
        for hostile in [
            "../../etc/passwd",
            "..\\x",
            "/abs/path",
            "a\u{0}b.json",
            "..",
            ".",
            "",
            "C:\\Windows\\hosts",
        ] {
            let n = safe_name(hostile);
            assert!(!n.contains(['/', '\\', '\0']), "{hostile:?} -> {n:?}");
            assert!(n.starts_with("upload"), "{hostile:?} -> {n:?}");
        }
        assert_eq!(safe_name("incidents.csv"), "upload-incidents.csv");
        assert_eq!(shown("a\u{0}b"), "a\\u{0}b");
    }
}
