//! `threatscape pull`: a TAXII 2.1 client that ingests a remote collection incrementally.
//!
//! A pull pages through the collection's objects (`limit` and `next`, or `added_after` moved to the
//! page's `X-TAXII-Date-Added-Last` when a server returns `more` without `next`), writes each page
//! to a temporary file, and ingests the pages through the same pipeline as `threatscape ingest`:
//! one ingest run per pull (so its contributor, TLP and audit entry describe the whole pull) and one
//! transaction per page (each page is wholly in or wholly out, like a file).
//!
//! The cursor is the latest `date_added` the server reported for pages that are in the store. It is
//! kept in the store's record stream `taxii-pull:<api root>#<collection>`, one entry per pull that
//! got something, and the next pull asks only for objects added after it. The cursor is appended
//! after the pages are committed: a crash in between re-fetches those pages next time, and
//! re-ingesting them changes nothing. A page the ingest rejects stops the cursor before it, so the
//! page is fetched again (and reported again) until it is fixed or `--skip-invalid-objects` keeps
//! its valid part; nothing is skipped silently.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use clap::Args;
use serde_json::{json, Value};
use threatscape_ingest::{FileStatus, Format, Inputs, Options, SourceFormat, Summary};
use threatscape_model::{Contributor, ContributorType, Reliability, Tlp};
use threatscape_store::{NewRun, Store, StoreError};

use crate::commands::{actor, open_store};
use crate::table::render;
use crate::{parse_contributor_type, parse_reliability, parse_tlp, Outcome};

const TAXII_TYPE: &str = "application/taxii+json;version=2.1";
/// The header holding the latest `date_added` of a page (TAXII 2.1 section 3.4.1).
const DATE_ADDED_LAST: &str = "X-TAXII-Date-Added-Last";
/// Pages of a single pull at most: a server that keeps answering `more` is stopped here.
const MAX_PAGES: usize = 1_000_000;

/// Arguments of `pull`.
#[derive(Debug, Args)]
pub(crate) struct PullArgs {
    /// The server: its API root (`https://host/api1/`) or its discovery URL (`https://host/taxii2/`,
    /// whose default API root is used).
    url: String,
    /// The collection's id.
    #[arg(long)]
    collection: String,
    /// User name for HTTP Basic.
    #[arg(long, requires = "password", conflicts_with = "token")]
    user: Option<String>,
    /// Password for HTTP Basic (better given in the environment than on the command line).
    #[arg(long, env = "THREATSCAPE_PULL_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// A bearer token instead of a user and password.
    #[arg(long, env = "THREATSCAPE_PULL_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The contributing organisation the pulled material is recorded under.
    #[arg(long, requires = "contributor_type")]
    contributor: Option<String>,
    /// Its type: un-system, member-state, private-sector, civil-society, academia, media.
    #[arg(long, value_parser = parse_contributor_type, requires = "contributor")]
    contributor_type: Option<ContributorType>,
    /// Its reliability on the Admiralty scale, A to F.
    #[arg(long, value_parser = parse_reliability, default_value = "F", requires = "contributor")]
    reliability: Reliability,
    /// The TLP level declared for the pulled material; it raises lower markings, never lowers one.
    #[arg(long, value_parser = parse_tlp)]
    tlp: Option<Tlp>,
    /// Objects asked for per page (servers may send fewer).
    #[arg(long, default_value_t = 1000)]
    page_size: usize,
    /// Keep a page's valid objects when some are invalid (each invalid one is reported) instead of
    /// leaving the page out and stopping the cursor before it.
    #[arg(long)]
    skip_invalid_objects: bool,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// How the client proves who it is.
enum Auth {
    None,
    Basic(String),
    Bearer(String),
}

impl Auth {
    fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Basic(pair) => Some(format!("Basic {}", STANDARD.encode(pair))),
            Auth::Bearer(t) => Some(format!("Bearer {t}")),
        }
    }
}

/// A TAXII server seen through one agent and one set of credentials.
struct Client {
    agent: ureq::Agent,
    auth: Auth,
}

/// One page of a collection's objects as the server sent it.
struct Page {
    objects: Vec<Value>,
    more: bool,
    next: Option<String>,
    date_added_last: Option<String>,
}

impl Client {
    fn new(auth: Auth) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(15))
            .timeout_read(Duration::from_secs(300))
            .user_agent(concat!("threatscape/", env!("CARGO_PKG_VERSION")))
            .build();
        Client { agent, auth }
    }

    /// GETs `url` with the query `params`; the parsed body and the response's date header.
    fn get(&self, url: &str, params: &[(&str, &str)]) -> Result<(Value, Option<String>)> {
        let mut req = self.agent.get(url).set("Accept", TAXII_TYPE);
        if let Some(h) = self.auth.header() {
            req = req.set("Authorization", &h);
        }
        for (k, v) in params {
            req = req.query(k, v);
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                let body = r.into_string().unwrap_or_default();
                let why = serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|v| {
                        let title = v.get("title")?.as_str()?.to_string();
                        let d = v.get("description").and_then(Value::as_str).unwrap_or("");
                        Some(format!("{title}: {d}"))
                    })
                    .unwrap_or_else(|| body.chars().take(300).collect());
                bail!("GET {url} answered HTTP {code}: {why}");
            }
            Err(e) => return Err(anyhow!(e).context(format!("GET {url}"))),
        };
        let last = resp.header(DATE_ADDED_LAST).map(str::to_string);
        let body: Value = resp
            .into_json()
            .with_context(|| format!("GET {url}: the body is not JSON"))?;
        Ok((body, last))
    }

    /// The API root `url` names: itself, or the default root when it is a discovery URL.
    fn api_root(&self, url: &str) -> Result<String> {
        let url = with_slash(url);
        let (body, _) = self.get(&url, &[])?;
        let Some(roots) = body.get("api_roots") else {
            return Ok(url);
        };
        if let Some(default) = body.get("default").and_then(Value::as_str) {
            return Ok(with_slash(default));
        }
        match roots.as_array().map(Vec::as_slice) {
            Some([only]) => only
                .as_str()
                .map(with_slash)
                .ok_or_else(|| anyhow!("{url}: the discovery resource's api_roots are not URLs")),
            _ => bail!(
                "{url} is a discovery resource with no default API root; give one of its api_roots: {roots}"
            ),
        }
    }

    fn page(&self, objects_url: &str, params: &[(&str, &str)]) -> Result<Page> {
        let (body, date_added_last) = self.get(objects_url, params)?;
        let objects = match body.get("objects") {
            None => Vec::new(),
            Some(Value::Array(list)) => list.clone(),
            Some(other) => bail!(
                "GET {objects_url}: \"objects\" is not a list but {}",
                kind(other)
            ),
        };
        Ok(Page {
            objects,
            more: body.get("more").and_then(Value::as_bool).unwrap_or(false),
            next: body.get("next").and_then(|n| {
                n.as_str()
                    .map(str::to_string)
                    .or_else(|| n.as_i64().map(|i| i.to_string()))
            }),
            date_added_last,
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// The record stream holding the cursor of a pull from `api_root`'s `collection`.
pub(crate) fn cursor_stream(api_root: &str, collection: &str) -> String {
    format!("taxii-pull:{api_root}#{collection}")
}

/// The cursor a pull starts from: the last entry's `added_after`, and the number the next entry gets.
fn read_cursor(store: &dyn Store, stream: &str) -> Result<(Option<String>, i64)> {
    let entries = store
        .read_stream(stream, 0)
        .with_context(|| format!("reading the pull cursor from stream {stream}"))?;
    let Some(last) = entries.last() else {
        return Ok((None, 1));
    };
    let cursor = last
        .body
        .get("added_after")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            anyhow!(
                "stream {stream}, entry {}: no \"added_after\" string in {}",
                last.seq,
                last.body
            )
        })?;
    Ok((Some(cursor.to_string()), last.seq + 1))
}

/// A downloaded page waiting for the ingest.
struct Downloaded {
    path: PathBuf,
    objects: usize,
    date_added_last: Option<String>,
}

/// Downloads every page added after `cursor` into `dir`.
fn download(
    client: &Client,
    objects_url: &str,
    cursor: Option<&str>,
    page_size: usize,
    dir: &std::path::Path,
    quiet: bool,
) -> Result<Vec<Downloaded>> {
    let limit = page_size.to_string();
    let mut added_after = cursor.map(str::to_string);
    let mut next: Option<String> = None;
    let mut pages = Vec::new();
    let mut fetched = 0usize;
    loop {
        if pages.len() == MAX_PAGES {
            bail!("{objects_url}: still more after {MAX_PAGES} pages; stopping");
        }
        // Every version, not only the latest (TAXII's default): a mirror keeps the history.
        let mut params = vec![("limit", limit.as_str()), ("match[version]", "all")];
        if let Some(a) = &added_after {
            params.push(("added_after", a.as_str()));
        }
        if let Some(n) = &next {
            params.push(("next", n.as_str()));
        }
        let page = client.page(objects_url, &params)?;
        let n = page.objects.len();
        fetched += n;
        if n > 0 {
            let path = dir.join(format!("page-{:06}.json", pages.len() + 1));
            let file = std::fs::File::create(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            let mut w = BufWriter::new(file);
            serde_json::to_writer(&mut w, &page.objects)
                .and_then(|()| w.flush().map_err(serde_json::Error::io))
                .with_context(|| format!("writing {}", path.display()))?;
            if page.date_added_last.is_none() {
                eprintln!(
                    "warning: {objects_url} sent a page without {DATE_ADDED_LAST}; the cursor cannot move past it"
                );
            }
            pages.push(Downloaded {
                path,
                objects: n,
                date_added_last: page.date_added_last.clone(),
            });
            if !quiet {
                eprintln!("page {}: {n} objects ({fetched} so far)", pages.len());
            }
        }
        if !page.more {
            break;
        }
        if n == 0 {
            bail!("{objects_url} answered an empty page with \"more\": true; stopping rather than looping");
        }
        match (page.next, page.date_added_last) {
            (Some(token), _) => next = Some(token),
            // TAXII 2.1 section 3.4: without `next`, a client pages by moving `added_after`.
            (None, Some(last)) if added_after.as_deref() != Some(last.as_str()) => {
                added_after = Some(last);
            }
            _ => bail!(
                "{objects_url} says there is more but gives neither \"next\" nor a new {DATE_ADDED_LAST}; stopping"
            ),
        }
    }
    Ok(pages)
}

/// The cursor after the pages that are in the store: the latest `date_added` of every page before
/// the first rejected one.
fn cursor_after(pages: &[Downloaded], summary: &Summary) -> Option<String> {
    pages
        .iter()
        .zip(&summary.per_file)
        .take_while(|(_, f)| f.status == FileStatus::Stored)
        .filter_map(|(p, _)| p.date_added_last.clone())
        .max_by(|a, b| compare_times(a, b))
}

/// Orders two RFC 3339 UTC timestamps whose fractions may differ in length.
fn compare_times(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(t: &str) -> (&str, String) {
        let t = t.trim_end_matches(['Z', 'z']);
        let (secs, frac) = t.split_once('.').unwrap_or((t, ""));
        (secs, format!("{frac:0<9}"))
    }
    parts(a).cmp(&parts(b))
}

pub(crate) fn pull(db: &str, args: PullArgs) -> Result<Outcome> {
    let started = Instant::now();
    if args.url.split_once("://").is_some_and(|(_, rest)| {
        rest.split('/')
            .next()
            .is_some_and(|authority| authority.contains('@'))
    }) {
        bail!("give credentials with --user/--password or --token, not inside the URL (the URL names the cursor's stream)");
    }
    let auth = match (&args.user, &args.password, &args.token) {
        (Some(u), Some(p), None) => Auth::Basic(format!("{u}:{p}")),
        (None, _, Some(t)) => Auth::Bearer(t.clone()),
        (None, None, None) => Auth::None,
        (Some(_), None, _) => bail!("--user needs --password (or THREATSCAPE_PULL_PASSWORD)"),
        (None, Some(_), None) => bail!("--password needs --user"),
        (Some(_), _, Some(_)) => bail!("give either --user and --password or --token, not both"),
    };
    if args.page_size == 0 {
        bail!("--page-size must be at least 1");
    }
    let client = Client::new(auth);
    let root = client.api_root(&args.url)?;
    let objects_url = format!("{root}collections/{}/objects/", args.collection);
    let stream = cursor_stream(&root, &args.collection);

    let mut store = open_store(db)?;
    let (cursor, expected_seq) = read_cursor(&*store, &stream)?;
    let dir = tempfile::Builder::new()
        .prefix("threatscape-pull-")
        .tempdir()
        .context("creating a temporary folder for the pages")?;
    let pages = download(
        &client,
        &objects_url,
        cursor.as_deref(),
        args.page_size,
        dir.path(),
        args.json,
    )?;
    let downloaded_in = started.elapsed();
    let fetched: usize = pages.iter().map(|p| p.objects).sum();

    let contributor = match (&args.contributor, args.contributor_type) {
        (Some(name), Some(type_)) => Some(Contributor {
            name: name.clone(),
            type_,
            reliability: args.reliability,
        }),
        _ => None,
    };
    let options = Options {
        format: Format::Fixed(SourceFormat::Stix),
        contributor,
        strict: false,
        skip_invalid_objects: args.skip_invalid_objects,
        run: NewRun {
            contributor: args.contributor.clone(),
            contributor_type: args.contributor_type,
            declared_tlp: args.tlp,
            actor: actor(),
            // A TAXII server names no recipients: restricted objects stay the contributor's own.
            recipients: Vec::new(),
        },
        reader: Default::default(),
        ..Options::default()
    };
    let inputs = Inputs {
        files: pages.iter().map(|p| p.path.clone()).collect(),
        skipped: vec![],
    };
    let summary = if pages.is_empty() {
        None
    } else {
        Some(
            threatscape_ingest::ingest(&mut *store, &inputs, &options, &mut |_| {})
                .context("the store failed during the ingest of the pulled pages")?,
        )
    };
    let new_cursor = summary.as_ref().and_then(|s| cursor_after(&pages, s));
    let advanced = new_cursor.as_deref().is_some_and(|n| {
        cursor
            .as_deref()
            .is_none_or(|c| compare_times(n, c).is_gt())
    });
    if advanced {
        let s = summary.as_ref().expect("a cursor comes from an ingest");
        let body = json!({
            "added_after": new_cursor,
            "previous": cursor,
            "pages": pages.len(),
            "objects": fetched,
            "new": s.new,
            "unchanged": s.unchanged,
            "rejected": s.rejected,
            "files_rejected": s.files_rejected,
        });
        match store.append_to_stream(&stream, &actor(), Some(expected_seq), &body) {
            Ok(_) => {}
            Err(StoreError::StreamConflict { .. }) => bail!(
                "another pull of {stream} recorded its cursor meanwhile; the pages are stored, and the next pull starts from the other pull's cursor"
            ),
            Err(e) => return Err(e).context(format!("recording the cursor in stream {stream}")),
        }
    }
    let kept_all = summary.as_ref().is_none_or(Summary::all_files_kept);
    let report = json!({
        "api_root": root,
        "collection": args.collection,
        "stream": stream,
        "added_after": cursor,
        "cursor": if advanced { new_cursor.clone() } else { cursor.clone() },
        "pages": pages.len(),
        "objects_fetched": fetched,
        "new": summary.as_ref().map_or(0, |s| s.new),
        "unchanged": summary.as_ref().map_or(0, |s| s.unchanged),
        "rejected": summary.as_ref().map_or(0, |s| s.rejected),
        "pages_rejected": summary.as_ref().map_or(0, |s| s.files_rejected),
        "errors": summary.as_ref().map(|s| s.errors.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap_or_default(),
        "download_seconds": downloaded_in.as_secs_f64(),
        "seconds": started.elapsed().as_secs_f64(),
    });
    if args.json {
        println!("{report}");
    } else {
        if let Some(s) = &summary {
            for error in &s.errors {
                println!("error: {error}");
            }
        }
        let cell = |k: &str| match &report[k] {
            Value::String(s) => s.clone(),
            Value::Null => "(none)".to_string(),
            v => v.to_string(),
        };
        let rows: Vec<Vec<String>> = [
            ("collection", "collection"),
            ("objects added after", "added_after"),
            ("pages", "pages"),
            ("objects fetched", "objects_fetched"),
            ("new versions", "new"),
            ("unchanged", "unchanged"),
            ("objects rejected", "rejected"),
            ("pages rejected", "pages_rejected"),
            ("cursor now", "cursor"),
        ]
        .into_iter()
        .map(|(label, key)| vec![label.to_string(), cell(key)])
        .collect();
        print!("{}", render(&[&format!("pulled {root}"), ""], &rows));
        if !kept_all {
            println!("some pages were rejected: the cursor stops before the first of them, so the next pull fetches it again (or use --skip-invalid-objects)");
        }
    }
    Ok(if kept_all {
        Outcome::Success
    } else {
        Outcome::InputProblems
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_times_with_fractions_of_any_length() {
        use std::cmp::Ordering::*;
        assert_eq!(
            compare_times("2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00.123456Z"),
            Greater
        );
        assert_eq!(
            compare_times("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z"),
            Equal
        );
        assert_eq!(
            compare_times("2023-12-31T23:59:59.999Z", "2024-01-01T00:00:00Z"),
            Less
        );
    }
}
