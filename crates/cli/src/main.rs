//! `kassa`: call any operation of a kassa provider from a shell.
//!
//! ```text
//! kassa <provider> <operation> [--params JSON | --params @FILE] [--base-url URL] [--timeout SECS]
//! kassa list [provider]
//! kassa sandbox [--host H] [--port N]
//! kassa sandbox reset
//! kassa demo
//! ```
//!
//! With no base URL configured for a provider (`--base-url` or `KASSA_<PROVIDER>_URL`), the
//! CLI starts the embedded sandbox and uses its test credentials. On success stdout holds
//! exactly one JSON document; on failure stdout is empty and the last stderr line is
//! `{"error": {"kind", "code", "message", "may_have_taken_effect"[, "reconcile"]}}`.

#![forbid(unsafe_code)]

mod catalogue;
mod config;
mod demo;
mod embedded;
mod output;
mod providers;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use output::Failure;
use serde_json::Value;

/// Call any kassa provider operation from a shell; the embedded sandbox stands in for a
/// provider that has no base URL configured.
#[derive(Debug, Parser)]
#[command(name = "kassa", version, about, long_about = None)]
struct Cli {
    /// Print tracing to stderr (`-v` debug, `-vv` trace); `RUST_LOG` works too.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Anor Bank billing merchant API.
    #[command(name = "anor-bm")]
    AnorBm(CallArgs),
    /// Payment by requisites (Uzbekistan).
    #[command(name = "requisite-uz")]
    RequisiteUz(CallArgs),
    /// Mobilnik wallet (Kyrgyzstan).
    #[command(name = "mobilnik")]
    Mobilnik(CallArgs),
    /// List every operation with its method, path and effect.
    List {
        /// Only this provider.
        provider: Option<String>,
    },
    /// Run the emulators as a standalone server until interrupted (`reset`: forget the
    /// embedded sandbox's saved state).
    Sandbox(SandboxArgs),
    /// A guided tour of every provider's main flow against the embedded sandbox.
    Demo,
}

#[derive(Debug, Args)]
struct SandboxArgs {
    #[command(subcommand)]
    action: Option<SandboxAction>,
    /// Address to listen on (`0.0.0.0` to be reachable from a container's outside).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8765)]
    port: u16,
}

#[derive(Debug, Subcommand)]
enum SandboxAction {
    /// Forget the state the embedded sandbox keeps between calls (the file in
    /// `KASSA_SANDBOX_STATE`, else `~/.cache/kassa/sandbox-state.json`).
    Reset,
}

#[derive(Debug, Args)]
struct CallArgs {
    /// The operation, as named in `kassa list`.
    operation: String,
    /// The request as one JSON object with the provider's wire names, or @FILE.
    #[arg(long)]
    params: Option<String>,
    /// The provider's base URL (else `KASSA_<PROVIDER>_URL`, else the embedded sandbox).
    #[arg(long)]
    base_url: Option<String>,
    /// Bound on the whole call, retries included, in seconds.
    #[arg(long)]
    timeout: Option<f64>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let _ = e.print();
            return fail(&Failure::invalid(first_line(&e.to_string())));
        }
    };
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return fail(&Failure::other(format!(
                "cannot start the async runtime: {e}"
            )));
        }
    };
    runtime.block_on(run(cli))
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .to_owned()
}

fn init_tracing(verbose: u8) {
    let from_env = std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty());
    let directive = match (from_env, verbose) {
        (Some(v), _) => v,
        (None, 0) => return,
        (None, 1) => "debug".to_owned(),
        (None, _) => "trace".to_owned(),
    };
    let filter = tracing_subscriber::EnvFilter::try_new(directive)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

async fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::AnorBm(args) => call("anor-bm", args).await,
        Command::RequisiteUz(args) => call("requisite-uz", args).await,
        Command::Mobilnik(args) => call("mobilnik", args).await,
        Command::List { provider } => list(provider.as_deref()),
        Command::Sandbox(args) => match args.action {
            Some(SandboxAction::Reset) => embedded::reset(),
            None => embedded::serve(&args.host, args.port).await,
        },
        Command::Demo => demo::run().await,
    }
}

/// Prints the failure as the contract says and returns its exit code.
fn fail(failure: &Failure) -> ExitCode {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "kassa: {}", failure.message);
    let _ = writeln!(err, "{}", failure.to_json());
    ExitCode::from(u8::try_from(failure.exit).unwrap_or(5))
}

/// Prints one JSON document (already serialized) on stdout.
fn succeed_text(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        return ExitCode::from(5);
    }
    ExitCode::SUCCESS
}

fn succeed(value: &Value) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => succeed_text(&text),
        Err(e) => fail(&Failure::other(format!("cannot print the answer: {e}"))),
    }
}

/// Reads `--params` as JSON *text*: request types read amounts from the raw tokens, so the
/// text is never turned into a `serde_json::Value` (which would round decimals).
fn read_params(raw: Option<&str>) -> Result<String, Failure> {
    let text = match raw {
        None => return Ok("{}".to_owned()),
        Some(p) => match p.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)
                .map_err(|e| Failure::invalid(format!("--params: cannot read {file}: {e}")))?,
            None => p.to_owned(),
        },
    };
    let object: Result<std::collections::BTreeMap<String, Box<serde_json::value::RawValue>>, _> =
        serde_json::from_str(&text);
    match object {
        Ok(_) => Ok(text),
        Err(e) if e.is_data() => Err(Failure::invalid("--params must be one JSON object")),
        Err(e) => Err(Failure::invalid(format!("--params is not valid JSON: {e}"))),
    }
}

async fn call(provider: &'static str, args: CallArgs) -> ExitCode {
    match try_call(provider, args).await {
        Ok(text) => succeed_text(&text),
        Err(failure) => fail(&failure),
    }
}

async fn try_call(provider: &'static str, args: CallArgs) -> Result<String, Failure> {
    let Some(entry) = catalogue::find(provider, &args.operation) else {
        let known: Vec<&str> = catalogue::entries()
            .into_iter()
            .filter(|e| e.provider == provider)
            .map(|e| e.operation)
            .collect();
        return Err(Failure::invalid(format!(
            "{provider} has no operation `{}`; it has: {}",
            args.operation,
            known.join(", ")
        )));
    };
    let params = read_params(args.params.as_deref())?;
    let timeout = match args.timeout {
        None => None,
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(_) => {
            return Err(Failure::invalid(
                "--timeout must be a positive number of seconds",
            ));
        }
    };
    let env = config::Env::from_process();
    let target = config::resolve(provider, args.base_url.as_deref(), &env, timeout).await?;
    if let Some(embedded) = &target.sandbox {
        eprintln!(
            "kassa: no base URL configured for {provider} (--base-url or {}); using the embedded sandbox at {} with its test credentials; {}",
            config::url_var(provider),
            embedded.sandbox.url(provider),
            embedded.describe_state()
        );
    }
    let answer = providers::call(entry, &params, &target).await;
    if let Some(embedded) = &target.sandbox {
        embedded.save();
    }
    answer.map_err(|e| Failure::from(&e))
}

fn list(provider: Option<&str>) -> ExitCode {
    if let Some(p) = provider
        && !catalogue::providers().contains(&p)
    {
        return fail(&Failure::invalid(format!(
            "unknown provider `{p}`; known: {}",
            catalogue::providers().join(", ")
        )));
    }
    let rows: Vec<Value> = catalogue::entries()
        .into_iter()
        .filter(|e| provider.is_none_or(|p| e.provider == p))
        .map(|e| {
            serde_json::json!({
                "provider": e.provider,
                "operation": e.operation,
                "method": e.method,
                "path": e.path,
                "effect": e.effect,
            })
        })
        .collect();
    for e in catalogue::entries()
        .into_iter()
        .filter(|e| provider.is_none_or(|p| e.provider == p))
    {
        eprintln!(
            "{:<13} {:<21} {:<6} {:<8} {}",
            e.provider, e.operation, e.method, e.effect, e.path
        );
    }
    succeed(&Value::Array(rows))
}
