//! `threatscape serve`, `threatscape user add` and `threatscape token create`.

use std::io::Read;
use std::net::SocketAddr;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use threatscape_model::Tlp;
use threatscape_server::{auth, Role};

use crate::Outcome;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where to listen. Plain HTTP: put a TLS-terminating proxy in front for anything but loopback.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) addr: SocketAddr,
}

/// `threatscape user ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create a user. The password is read from standard input (first line), never from the
    /// command line, and stored as an argon2id hash.
    ///
    /// Example: printf '%s\n' "$PASSWORD" | threatscape user add --name ana --org CERT-EU --role analyst --clearance amber --password-stdin
    Add(UserAddArgs),
}

/// Arguments of `user add`.
#[derive(Debug, Args)]
pub(crate) struct UserAddArgs {
    /// Login name (no ':').
    #[arg(long)]
    name: String,
    /// The user's organisation: AMBER+STRICT and RED material is shown only to users of the
    /// organisation that contributed it (`ingest --contributor`).
    #[arg(long)]
    org: String,
    /// reader, contributor, analyst, secretariat or admin.
    #[arg(long)]
    role: String,
    /// The highest TLP level the user may read: clear, green, amber, amber+strict or red.
    #[arg(long)]
    clearance: Tlp,
    /// Read the password (at least 12 characters) from standard input.
    #[arg(long, required = true)]
    password_stdin: bool,
}

/// `threatscape token ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create an API token for a user and print it once (only its SHA-256 is stored). Use it as
    /// `Authorization: Bearer <token>`.
    Create(TokenCreateArgs),
}

/// Arguments of `token create`.
#[derive(Debug, Args)]
pub(crate) struct TokenCreateArgs {
    /// The user the token acts for.
    #[arg(long)]
    user: String,
    /// A label to recognise the token by.
    #[arg(long, default_value = "cli")]
    label: String,
}

pub(crate) fn serve(db: &str, args: ServeArgs) -> Result<Outcome> {
    eprintln!(
        "serving {db} on http://{} (TAXII discovery /taxii2/, API /api/v1/openapi.json); Ctrl-C stops",
        args.addr
    );
    threatscape_server::serve_blocking(db, args.addr)
        .with_context(|| format!("serving on {}", args.addr))?;
    Ok(Outcome::Success)
}

pub(crate) fn user(db: &str, cmd: UserCommand) -> Result<Outcome> {
    let UserCommand::Add(args) = cmd;
    let role: Role = args.role.parse().map_err(anyhow::Error::msg)?;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.lines().next().unwrap_or("").to_string();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    let mut store = threatscape_store::open(db).with_context(|| format!("opening {db}"))?;
    auth::create_user(
        &mut *store,
        &args.name,
        &args.org,
        role,
        args.clearance,
        &password,
    )
    .with_context(|| format!("creating the user {}", args.name))?;
    println!(
        "user {} created: organisation {}, role {}, clearance {}",
        args.name,
        args.org,
        role.as_str(),
        args.clearance
    );
    Ok(Outcome::Success)
}

pub(crate) fn token(db: &str, cmd: TokenCommand) -> Result<Outcome> {
    let TokenCommand::Create(args) = cmd;
    let mut store = threatscape_store::open(db).with_context(|| format!("opening {db}"))?;
    let secret = auth::create_token(&mut *store, &args.user, &args.label)
        .with_context(|| format!("creating a token for {}", args.user))?;
    eprintln!("token for {} (shown once; store it now):", args.user);
    println!("{secret}");
    Ok(Outcome::Success)
}
