//! `threatscape demo`: the whole product on the project's demo dataset, in one command.
//!
//! It makes a fresh embedded store in a folder, ingests the curated incidents (public) and the
//! fictional restricted contributions (AMBER and RED, contributed by a fictional national CERT),
//! reconciles and assesses them into `incidents.json`, creates demo accounts of several roles and
//! clearances with random passwords, prints how to use them, and serves TAXII and the API.
//! The dataset is compiled into the binary, so the command works from any folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use threatscape_ingest::{collect_inputs, Options};
use threatscape_model::{Contributor, ContributorType, Reliability, Tlp};
use threatscape_server::{auth, Role};
use threatscape_store::{NewRun, Store};

use crate::{ExportIncidentsArgs, IncidentFormat, Outcome};

/// The curated public incidents, in the project's own words (see examples/README.md).
const PUBLIC_BUNDLE: &str = include_str!("../../../examples/demo-incidents.json");
/// Fictional restricted contributions, to show access control.
const RESTRICTED_BUNDLE: &str = include_str!("../../../examples/demo-restricted.json");
/// The fictional organisation that contributes the restricted material.
const RESTRICTED_ORG: &str = "Example National CERT (fictional)";

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The folder to create the demo store in (refused if it already holds one; see --reset).
    #[arg(long, default_value = "threatscape-demo")]
    dir: PathBuf,
    /// Remove a demo store left in the folder by an earlier run first.
    #[arg(long)]
    reset: bool,
    /// Where to serve (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Prepare everything but do not start the server (for scripts and tests).
    #[arg(long)]
    no_serve: bool,
}

/// A demo account.
struct Account {
    name: &'static str,
    organisation: &'static str,
    role: Role,
    clearance: Tlp,
    what: &'static str,
}

const ACCOUNTS: [Account; 4] = [
    Account {
        name: "reader",
        organisation: "Permanent Mission of Example (fictional)",
        role: Role::Reader,
        clearance: Tlp::Green,
        what: "a Member State desk: public and GREEN material only",
    },
    Account {
        name: "analyst",
        organisation: "UN Secretariat (demo)",
        role: Role::Analyst,
        clearance: Tlp::Amber,
        what: "a Secretariat analyst: up to AMBER; RED stays with its contributor",
    },
    Account {
        name: "cert",
        organisation: RESTRICTED_ORG,
        role: Role::Contributor,
        clearance: Tlp::Red,
        what: "the contributing CERT: sees its own RED contributions",
    },
    Account {
        name: "admin",
        organisation: "UN Secretariat (demo)",
        role: Role::Admin,
        clearance: Tlp::Red,
        what: "an administrator from another organisation: RED clearance, yet not the CERT's RED items",
    },
];

/// The period of the briefing the demo writes.
const DEMO_BRIEFING_PERIOD: &str = "2022";

pub(crate) fn demo(args: DemoArgs) -> Result<Outcome> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let db_path = args.dir.join("demo.db");
    if db_path.exists() {
        if !args.reset {
            bail!(
                "{} already holds a demo store; run with --reset to start afresh, or choose another --dir",
                args.dir.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(args.dir.join(format!("demo.db{suffix}")));
        }
    }
    let db = db_path
        .to_str()
        .context("the demo folder's path is not UTF-8")?
        .to_string();

    let data = args.dir.join("data");
    std::fs::create_dir_all(&data)?;
    let public = write(&data, "demo-incidents.json", PUBLIC_BUNDLE)?;
    let restricted = write(&data, "demo-restricted.json", RESTRICTED_BUNDLE)?;

    let mut store = threatscape_store::open(&db)?;
    let public_summary = ingest(&mut *store, &public, None)?;
    let restricted_summary = ingest(
        &mut *store,
        &restricted,
        Some(Contributor {
            name: RESTRICTED_ORG.into(),
            type_: ContributorType::MemberState,
            reliability: Reliability::B,
        }),
    )?;

    // The demo accounts' organisations in the registry, with their contributor types.
    for (name, contributor_type) in [
        (
            "Permanent Mission of Example (fictional)",
            ContributorType::MemberState,
        ),
        ("UN Secretariat (demo)", ContributorType::UnSystem),
        (RESTRICTED_ORG, ContributorType::MemberState),
    ] {
        auth::register_organisation(&mut *store, "demo", name, contributor_type)
            .with_context(|| format!("registering the demo organisation {name}"))?;
    }
    let mut passwords = Vec::new();
    for account in &ACCOUNTS {
        let password = random_password();
        auth::create_user(
            &mut *store,
            account.name,
            account.organisation,
            account.role,
            account.clearance,
            &password,
        )
        .with_context(|| format!("creating the demo account {}", account.name))?;
        passwords.push(password);
    }
    drop(store);

    let incidents = args.dir.join("incidents.json");
    crate::incidents::export_incidents(
        &db,
        ExportIncidentsArgs {
            out: incidents.clone(),
            format: IncidentFormat::Json,
            max_tlp: Tlp::Clear,
            misp_galaxy: None,
        },
    )?;

    // The landscape briefing of the demo's busiest year (the first year of the full-scale invasion
    // of Ukraine) against the year before, public audience, every format.
    let briefings = args.dir.join("briefings");
    crate::brief::brief(
        &db,
        crate::brief::BriefArgs::public(DEMO_BRIEFING_PERIOD, briefings.clone()),
    )?;

    println!();
    println!(
        "threatscape demo ready in {:.1} s: {} STIX objects and {} reports in {}",
        started.elapsed().as_secs_f64(),
        public_summary.objects + restricted_summary.objects,
        public_summary.reports.accepted + restricted_summary.reports.accepted,
        db_path.display()
    );
    println!(
        "public incidents, reconciled and assessed: {}",
        incidents.display()
    );
    println!(
        "the {DEMO_BRIEFING_PERIOD} landscape briefing (public): {}",
        briefings
            .join(format!("briefing-{DEMO_BRIEFING_PERIOD}-public.html"))
            .display()
    );
    println!(
        "  and as PDF, Markdown, JSON and STIX beside it in {}",
        briefings.display()
    );
    println!();
    println!("demo accounts (passwords are new each run; nothing here is real except the public incidents):");
    for (account, password) in ACCOUNTS.iter().zip(&passwords) {
        println!(
            "  {:<8} {:<24} {:<12} {:<14} {}",
            account.name,
            password,
            account.role.as_str(),
            account.clearance.to_string(),
            account.what
        );
    }
    if args.no_serve {
        return Ok(Outcome::Success);
    }
    println!();
    println!(
        "open http://{}/ in a browser and sign in with one of the accounts above",
        args.addr
    );
    println!("or try, from a terminal:");
    println!(
        "  curl -u reader:PASSWORD http://{}/api/v1/stats",
        args.addr
    );
    println!(
        "  curl -u cert:PASSWORD 'http://{}/threatscape/collections/tlp-red/objects/'",
        args.addr
    );
    println!(
        "  the OpenAPI document: http://{}/api/v1/openapi.json",
        args.addr
    );
    crate::serve::serve(&db, crate::serve::ServeArgs { addr: args.addr })
}

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

fn ingest(
    store: &mut dyn Store,
    path: &Path,
    contributor: Option<Contributor>,
) -> Result<threatscape_ingest::Summary> {
    let options = Options {
        run: NewRun {
            contributor: contributor.as_ref().map(|c| c.name.clone()),
            contributor_type: contributor.as_ref().map(|c| c.type_),
            declared_tlp: None,
            actor: "demo".into(),
            recipients: Vec::new(),
        },
        contributor,
        ..Options::default()
    };
    let summary = threatscape_ingest::ingest(
        store,
        &collect_inputs(&[path.to_path_buf()]),
        &options,
        &mut |_| {},
    )?;
    if !summary.all_files_kept() {
        bail!(
            "the demo data did not ingest cleanly: {:?}",
            summary
                .errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        );
    }
    Ok(summary)
}

/// A random password of 20 characters from an unambiguous alphabet, from the OS's randomness.
fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::getrandom(&mut bytes).expect("the OS provides randomness");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}
