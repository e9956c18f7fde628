//! `kassa`: call any operation of a kassa provider from a shell.
//!
//! ```text
//! kassa <provider> <operation> [--params JSON | --params @FILE] [--base-url URL] [--timeout SECS] [--all]
//! kassa <provider> <local operation> [--params ...] < BODY
//! kassa <provider> <operation> --help
//! kassa describe <provider> [operation] [--json]
//! kassa list [provider] [--json]
//! kassa sandbox [--host H] [--port N]
//! kassa sandbox reset
//! kassa demo
//! ```
//!
//! With no base URL configured for a provider (`--base-url` or `KASSA_<PROVIDER>_URL`), the
//! CLI starts the embedded sandbox and uses its test credentials. On success stdout holds
//! exactly one JSON document; on failure stdout is empty and the last stderr line is
//! `{"error": {"kind", "code", "message", "may_have_taken_effect"[, "reconcile"]}}`, printed
//! after every client and the async runtime are gone and tracing is stopped.

#![forbid(unsafe_code)]

mod catalogue;
mod config;
mod demo;
mod describe;
mod embedded;
mod journal;
mod logging;
mod output;
mod providers;

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory as _, Parser, Subcommand};
use output::Failure;
use serde_json::Value;
use tracing::Instrument as _;

/// Call any kassa provider operation from a shell; the embedded sandbox stands in for a
/// provider that has no base URL configured.
#[derive(Debug, Parser)]
#[command(name = "kassa", version, about, long_about = None)]
struct Cli {
    /// Print tracing to stderr: `-v` kassa's calls (operation, attempt, status, latency,
    /// outcome, cause), `-vv` more detail, `-vvv` the HTTP library too; `RUST_LOG` works too.
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
    /// mserver wallet platform: wallets, services, two-phase payments, cards, invoices.
    #[command(name = "mserver")]
    Mserver(CallArgs),
    /// Premium Exchanger user API: directions, rates, bids, partner programme.
    #[command(name = "exchanger")]
    Exchanger(CallArgs),
    /// List every operation with its method, path, effect and reconcile step.
    List {
        /// Only this provider.
        provider: Option<String>,
        /// Print JSON (the default when stdout is not a terminal).
        #[arg(long)]
        json: bool,
    },
    /// Show an operation's parameters (types, which are required) and a working example.
    Describe {
        /// The provider.
        provider: String,
        /// The operation; every operation of the provider when left out.
        operation: Option<String>,
        /// Print JSON (the default when stdout is not a terminal).
        #[arg(long)]
        json: bool,
    },
    /// Run the emulators as a standalone server until interrupted (`reset`: forget the
    /// embedded sandbox's saved state).
    Sandbox(SandboxArgs),
    /// A guided tour of every provider's main flow against the embedded sandbox.
    Demo,
    /// The intent journal: `list` what is unresolved or parked, `recover` it from the
    /// providers' status calls.
    Journal(JournalArgs),
}

#[derive(Debug, Args)]
struct JournalArgs {
    #[command(subcommand)]
    action: JournalAction,
    /// The SQLite journal file (else `KASSA_JOURNAL_URL`, a PostgreSQL URL).
    #[arg(long, global = true)]
    journal: Option<String>,
}

#[derive(Debug, Subcommand)]
enum JournalAction {
    /// The unresolved and parked intents, oldest first.
    List {
        /// Print JSON (the default when stdout is not a terminal).
        #[arg(long)]
        json: bool,
    },
    /// Ask each unresolved intent's status once (intents changed less than the grace
    /// period ago are left for later), settle what is final, park what cannot be settled.
    Recover {
        /// Bound on each status call, in seconds (60 by default).
        #[arg(long)]
        timeout: Option<f64>,
        /// The total timeout, in seconds, of the calls that recorded the intents (60 by
        /// default, kassa's own): an intent younger than that may still be in flight.
        #[arg(long)]
        calls_timeout: Option<f64>,
        /// Leave intents changed less than this many seconds ago (above the calls'
        /// timeout; by default three times it).
        #[arg(long)]
        grace: Option<f64>,
    },
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
#[command(disable_help_flag = true)]
struct CallArgs {
    /// The operation, as named in `kassa list`.
    operation: Option<String>,
    /// The request as one JSON object with the provider's wire names, or @FILE
    /// (`kassa <provider> <operation> --help` shows the fields).
    #[arg(long)]
    params: Option<String>,
    /// The provider's base URL (else `KASSA_<PROVIDER>_URL`, else the embedded sandbox).
    #[arg(long)]
    base_url: Option<String>,
    /// Bound on the whole call, retries included, in seconds.
    #[arg(long)]
    timeout: Option<f64>,
    /// Follow every page of a paged list (from the `page` given, or the first) and print
    /// them together; without it a paged operation prints the one page asked for.
    #[arg(long)]
    all: bool,
    /// Record the call in this SQLite intent journal before it is sent (else in the
    /// PostgreSQL journal `KASSA_JOURNAL_URL` names, when set).
    #[arg(long)]
    journal: Option<String>,
    /// Print help; after an operation, its parameters and a working example.
    #[arg(short = 'h', long = "help", action = clap::ArgAction::SetTrue)]
    help: bool,
}

/// How a command ended. It is printed only after the runtime is gone (see [`main`]).
#[derive(Debug)]
enum Done {
    /// Success: this text on stdout.
    Stdout(String),
    /// Failure: the JSON error line, last on stderr.
    Failed(Failure),
    /// The command printed its own output (demo, sandbox).
    Exit(ExitCode),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            // clap's own text once (what went wrong, the usage, a hint), then the JSON line
            let _ = e.print();
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                return ExitCode::SUCCESS;
            }
            return error_line(&Failure::invalid(first_line(&e.to_string())));
        }
    };
    logging::init(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            logging::close();
            return fail(&Failure::other(format!(
                "cannot start the async runtime: {e}"
            )));
        }
    };
    let done = runtime.block_on(run(cli));
    // Every client, the sandbox and the HTTP pools go with the runtime; whatever still
    // logs after that (a blocking DNS lookup) is cut off by closing the log, so the
    // answer or the JSON error line is the last thing written.
    runtime.shutdown_timeout(Duration::from_secs(2));
    logging::close();
    match done {
        Done::Stdout(text) => succeed_text(&text),
        Done::Failed(failure) => fail(&failure),
        Done::Exit(code) => code,
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .trim_start_matches("error: ")
        .to_owned()
}

async fn run(cli: Cli) -> Done {
    match cli.command {
        Command::AnorBm(args) => call("anor-bm", args).await,
        Command::RequisiteUz(args) => call("requisite-uz", args).await,
        Command::Mobilnik(args) => call("mobilnik", args).await,
        Command::Mserver(args) => call("mserver", args).await,
        Command::Exchanger(args) => call("exchanger", args).await,
        Command::List { provider, json } => done(list(provider.as_deref(), json)),
        Command::Describe {
            provider,
            operation,
            json,
        } => done(describe(&provider, operation.as_deref(), json)),
        Command::Sandbox(args) => match args.action {
            Some(SandboxAction::Reset) => embedded::reset(),
            None => embedded::serve(&args.host, args.port).await,
        },
        Command::Demo => Done::Exit(demo::run().await),
        Command::Journal(args) => done(run_journal(args).await),
    }
}

async fn run_journal(args: JournalArgs) -> Result<String, Failure> {
    let path = args.journal.as_deref();
    let result = match args.action {
        JournalAction::List { json } => journal::list(path, wants_json(json)).await,
        JournalAction::Recover {
            timeout,
            calls_timeout,
            grace,
        } => {
            let timeout = read_timeout(timeout)?;
            let seconds = |flag: &str, value: Option<f64>| match value {
                None => Ok(None),
                Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
                Some(_) => Err(Failure::invalid(format!(
                    "{flag} must be a positive number of seconds"
                ))),
            };
            let calls_timeout = seconds("--calls-timeout", calls_timeout)?;
            let grace = seconds("--grace", grace)?;
            journal::recover(path, timeout, calls_timeout, grace).await
        }
    };
    result.map_err(|e| Failure::from(&e))
}

fn done(result: Result<String, Failure>) -> Done {
    match result {
        Ok(text) => Done::Stdout(text),
        Err(failure) => Done::Failed(failure),
    }
}

/// Prints the failure as the contract says (a line for people, then the JSON line) and
/// returns its exit code.
fn fail(failure: &Failure) -> ExitCode {
    {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "kassa: {}", failure.message);
    }
    error_line(failure)
}

/// Prints only the JSON error line.
fn error_line(failure: &Failure) -> ExitCode {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", failure.to_json());
    let _ = err.flush();
    ExitCode::from(u8::try_from(failure.exit).unwrap_or(5))
}

/// Prints one document (already serialized) on stdout.
fn succeed_text(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", text.trim_end_matches('\n')).is_err() || out.flush().is_err() {
        return ExitCode::from(5);
    }
    ExitCode::SUCCESS
}

/// Whether to print JSON rather than text for people.
fn wants_json(flag: bool) -> bool {
    flag || !std::io::stdout().is_terminal()
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

fn unknown_operation(provider: &str, operation: &str) -> Failure {
    let mut known: Vec<&str> = catalogue::entries()
        .into_iter()
        .filter(|e| e.provider == provider)
        .map(|e| e.operation)
        .collect();
    known.extend(local_operations_of(provider));
    Failure::invalid(format!(
        "{provider} has no operation `{operation}`; it has: {}",
        known.join(", ")
    ))
}

async fn call(provider: &'static str, args: CallArgs) -> Done {
    let Some(operation) = args.operation.clone() else {
        if args.help {
            return done(provider_help(provider));
        }
        return Done::Failed(Failure::invalid(format!(
            "which {provider} operation? `kassa {provider} <operation>`, one of: {}",
            operations_of(provider).join(", ")
        )));
    };
    if let Some(local) = providers::local(provider, &operation) {
        if args.help {
            return Done::Stdout(local.help.to_owned());
        }
        return done(try_local(local, args).await);
    }
    let Some(entry) = catalogue::find(provider, &operation) else {
        return Done::Failed(unknown_operation(provider, &operation));
    };
    if args.help {
        return done(describe_one(&entry, false));
    }
    done(try_call(entry, args).await)
}

fn operations_of(provider: &str) -> Vec<&'static str> {
    catalogue::entries()
        .into_iter()
        .filter(|e| e.provider == provider)
        .map(|e| e.operation)
        .collect()
}

/// The local operations of `provider` (not catalogue rows: run by the CLI on its input).
fn local_operations_of(provider: &str) -> Vec<&'static str> {
    providers::LOCAL
        .iter()
        .filter(|l| l.provider == provider)
        .map(|l| l.operation)
        .collect()
}

/// `kassa <provider> --help`: clap's help for the subcommand and the operations.
fn provider_help(provider: &str) -> Result<String, Failure> {
    let mut cmd = Cli::command();
    let help = cmd
        .find_subcommand_mut(provider)
        .map(|c| {
            c.set_bin_name(format!("kassa {provider}"));
            c.render_long_help().to_string()
        })
        .unwrap_or_default();
    let local = local_operations_of(provider);
    let local = if local.is_empty() {
        String::new()
    } else {
        format!(
            "Local operations (run here on the body given on stdin): {}\n",
            local.join(", ")
        )
    };
    Ok(format!(
        "{help}\nOperations: {}\n{local}Parameters of one: kassa {provider} <operation> --help\n",
        operations_of(provider).join(", ")
    ))
}

/// `--timeout` as a duration.
fn read_timeout(timeout: Option<f64>) -> Result<Option<Duration>, Failure> {
    match timeout {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(_) => Err(Failure::invalid(
            "--timeout must be a positive number of seconds",
        )),
    }
}

/// Runs a local operation: `--params` as given (JSON or, where the operation takes it, a
/// query string; `@FILE` reads it), the body from stdin, the target only when it calls
/// the provider.
async fn try_local(local: providers::Local, args: CallArgs) -> Result<String, Failure> {
    if args.all {
        return Err(Failure::invalid(format!(
            "--all: {} {} is not paged",
            local.provider, local.operation
        )));
    }
    let params = match args.params.as_deref() {
        // as for every operation: no --params is {}
        None => "{}".to_owned(),
        Some(p) => match p.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)
                .map_err(|e| Failure::invalid(format!("--params: cannot read {file}: {e}")))?,
            None => p.to_owned(),
        },
    };
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Failure::invalid(format!(
            "{} {} reads the body it checks from stdin: `kassa {} {} --params ... < body`",
            local.provider, local.operation, local.provider, local.operation
        )));
    }
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut stdin.lock(), &mut body)
        .map_err(|e| Failure::invalid(format!("cannot read stdin: {e}")))?;
    let timeout = read_timeout(args.timeout)?;
    let env = config::Env::from_process();
    let span = tracing::info_span!(
        "kassa.cli",
        provider = local.provider,
        operation = local.operation,
        outcome = tracing::field::Empty,
    );
    async {
        let target = if local.needs_target {
            Some(config::resolve(local.provider, args.base_url.as_deref(), &env, timeout).await?)
        } else {
            None
        };
        if let Some(embedded) = target.as_ref().and_then(|t| t.sandbox.as_ref()) {
            eprintln!(
                "kassa: no base URL configured for {} (--base-url or {}); using the embedded sandbox at {} with its test credentials; {}",
                local.provider,
                config::url_var(local.provider),
                config::sandbox_base(embedded, local.provider),
                embedded.describe_state()
            );
        }
        let result = providers::call_local(local, &params, &body, &env, target.as_ref()).await;
        if let Some(embedded) = target.as_ref().and_then(|t| t.sandbox.as_ref()) {
            embedded.save();
        }
        drop(target);
        finish(result)
    }
    .instrument(span)
    .await
}

/// Records a call's outcome (and a failure's cause) on the current `kassa.cli` span.
fn finish(result: Result<String, kassa_core::Error>) -> Result<String, Failure> {
    let span = tracing::Span::current();
    match result {
        Ok(text) => {
            span.record("outcome", "ok");
            tracing::debug!("answered");
            Ok(text)
        }
        Err(e) => {
            let failure = Failure::from(&e);
            span.record("outcome", failure.kind);
            tracing::debug!(
                kind = failure.kind,
                code = %failure.code,
                cause = %failure.message,
                "failed"
            );
            Err(failure)
        }
    }
}

async fn try_call(entry: catalogue::Entry, args: CallArgs) -> Result<String, Failure> {
    let provider = entry.provider;
    let params = read_params(args.params.as_deref())?;
    let timeout = read_timeout(args.timeout)?;
    if args.all && !providers::paged(&entry) {
        return Err(Failure::invalid(format!(
            "--all: {provider} {} is not paged; it answers in one go",
            entry.operation
        )));
    }
    let span = tracing::info_span!(
        "kassa.cli",
        provider,
        operation = entry.operation,
        outcome = tracing::field::Empty,
    );
    call_in_span(
        entry,
        params,
        args.base_url,
        timeout,
        args.all,
        args.journal,
    )
    .instrument(span)
    .await
}

/// Resolves the target, calls, and records the outcome (and a failure's cause) on the
/// `kassa.cli` span. The target (sandbox, client) is gone when this returns.
async fn call_in_span(
    entry: catalogue::Entry,
    params: String,
    base_url: Option<String>,
    timeout: Option<Duration>,
    all: bool,
    journal: Option<String>,
) -> Result<String, Failure> {
    let provider = entry.provider;
    let env = config::Env::from_process();
    let mut target = config::resolve(provider, base_url.as_deref(), &env, timeout).await?;
    target.journal = journal::open(journal.as_deref(), &env)
        .await
        .map_err(|e| Failure::from(&e))?
        .map(|store| -> std::sync::Arc<dyn kassa_core::journal::Journal> { store });
    if let Some(embedded) = &target.sandbox {
        eprintln!(
            "kassa: no base URL configured for {provider} (--base-url or {}); using the embedded sandbox at {} with its test credentials; {}",
            config::url_var(provider),
            config::sandbox_base(embedded, provider),
            embedded.describe_state()
        );
    }
    let result = providers::call(entry, &params, &target, all).await;
    if let Some(embedded) = &target.sandbox {
        embedded.save();
    }
    drop(target);
    finish(result)
}

fn list(provider: Option<&str>, json: bool) -> Result<String, Failure> {
    if let Some(p) = provider
        && !catalogue::providers().contains(&p)
    {
        return Err(Failure::invalid(format!(
            "unknown provider `{p}`; known: {}",
            catalogue::providers().join(", ")
        )));
    }
    let entries: Vec<catalogue::Entry> = catalogue::entries()
        .into_iter()
        .filter(|e| provider.is_none_or(|p| e.provider == p))
        .collect();
    if wants_json(json) {
        let rows: Vec<Value> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "provider": e.provider,
                    "operation": e.operation,
                    "method": e.method,
                    "path": e.path,
                    "effect": e.effect,
                    "reconcile": e.reconcile_text(),
                })
            })
            .collect();
        return serde_json::to_string_pretty(&rows)
            .map_err(|e| Failure::other(format!("cannot print the list: {e}")));
    }
    let mut out = format!(
        "{:<13} {:<21} {:<6} {:<6} {:<26} {}\n",
        "PROVIDER", "OPERATION", "METHOD", "EFFECT", "RECONCILE", "PATH"
    );
    for e in &entries {
        out.push_str(&format!(
            "{:<13} {:<21} {:<6} {:<6} {:<26} {}\n",
            e.provider, e.operation, e.method, e.effect, e.reconcile, e.path
        ));
    }
    Ok(out)
}

fn describe_one(entry: &catalogue::Entry, json: bool) -> Result<String, Failure> {
    let Some(params) = describe::params(entry) else {
        return Err(Failure::invalid(format!(
            "{} {} is not described",
            entry.provider, entry.operation
        )));
    };
    if json {
        serde_json::to_string_pretty(&describe::to_json(entry, &params))
            .map_err(|e| Failure::other(format!("cannot print the description: {e}")))
    } else {
        Ok(describe::to_text(entry, &params))
    }
}

fn describe(provider: &str, operation: Option<&str>, json: bool) -> Result<String, Failure> {
    if !catalogue::providers().contains(&provider) {
        return Err(Failure::invalid(format!(
            "unknown provider `{provider}`; known: {}",
            catalogue::providers().join(", ")
        )));
    }
    let json = wants_json(json);
    if let Some(local) = operation.and_then(|op| providers::local(provider, op)) {
        if json {
            return serde_json::to_string_pretty(&serde_json::json!({
                "provider": local.provider,
                "operation": local.operation,
                "local": true,
                "help": local.help,
            }))
            .map_err(|e| Failure::other(format!("cannot print the description: {e}")));
        }
        return Ok(local.help.to_owned());
    }
    let entries: Vec<catalogue::Entry> = match operation {
        Some(op) => {
            vec![catalogue::find(provider, op).ok_or_else(|| unknown_operation(provider, op))?]
        }
        None => catalogue::entries()
            .into_iter()
            .filter(|e| e.provider == provider)
            .collect(),
    };
    if json {
        let all: Vec<Value> = entries
            .iter()
            .filter_map(|e| describe::params(e).map(|p| describe::to_json(e, &p)))
            .collect();
        let doc = match (operation, all.as_slice()) {
            (Some(_), [one]) => one.clone(),
            _ => Value::Array(all),
        };
        return serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::other(format!("cannot print the description: {e}")));
    }
    let texts: Result<Vec<String>, Failure> =
        entries.iter().map(|e| describe_one(e, false)).collect();
    Ok(texts?.join("\n"))
}
