//! Command line: `serve`, `token`, `keygen`, `migrate`, `rotate-key`,
//! `verify`, `verify-receipt`, `export-checks`, `registry-key`.

/// glibc's allocator serialises the server's many small allocations on
/// its arena locks under load; mimalloc keeps them per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use creditregistry::config::{Config, LogFormat};

#[derive(Parser)]
#[command(name = "creditregistry", version, about = "Quality-credit and blacklist registry (gRPC)")]
struct Cli {
    /// Configuration file (TOML); also CREDITREGISTRY_CONFIG.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the gRPC API.
    Serve {
        /// Development mode: create a local Ed25519 key pair in the data
        /// directory (once) and trust it, so `token` can issue tokens.
        #[arg(long)]
        dev: bool,
        /// Address to listen on (overrides configuration).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Issue a signed JWT for development and tests.
    Token(cli::keys::TokenArgs),
    /// Make a new Ed25519 key pair: the private key (PKCS#8 v1 PEM,
    /// readable by its owner only) in FILE, the public key (SPKI PEM)
    /// beside it (`x.pem` gives `x.pub.pem`); prints the key id. Never
    /// overwrites a file.
    Keygen {
        /// `registry`: the registry's signing key (checkpoints, receipts,
        /// segment heads), served with CREDITREGISTRY_SIGNING_KEY;
        /// `token`: a key that signs callers' tokens, its public key
        /// trusted with CREDITREGISTRY_AUTH_KEYS.
        #[arg(value_enum)]
        purpose: cli::keys::KeyPurpose,
        /// The private key file to write.
        file: PathBuf,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Change the registry's signing key: the key in FILE (made by `keygen
    /// registry`) becomes the registry's current key in the store and the
    /// current one is kept there as retired, so what it signed still
    /// verifies. Then restart every node with CREDITREGISTRY_SIGNING_KEY=FILE:
    /// a node still holding the retired key refuses to start.
    RotateKey {
        /// The new key's private key file (PKCS#8 PEM).
        file: PathBuf,
    },
    /// Recompute every leaf hash, Merkle node and check-log chain hash from
    /// the store, check every checkpoint's signature, root and check-log
    /// head; report the first divergence. Exits 1 if there is one.
    /// Checkpoints are checked against the registry keys the store holds
    /// (current and retired), the configured ones and any given.
    Verify {
        /// More registry public keys (PEM) checkpoints may be signed with;
        /// the store's keys and the configured registry key are trusted as
        /// well.
        #[arg(long = "public-key")]
        public_keys: Vec<PathBuf>,
        /// Verify these exported check-log segment files instead, each
        /// alone: its signed head, every entry and the chain. No store is
        /// opened.
        #[arg(long = "segment-file")]
        segment_files: Vec<PathBuf>,
    },
    /// Export sealed check-log segments to files for cold storage, each
    /// checked against its signed head as it is written:
    /// `<dir>/check-segment-NNNNNN.gz`. Once exported, a segment leaves the
    /// live store when its newest entry is older than
    /// `audit.check_log_retention_days`.
    ExportChecks {
        /// The segment to export; every sealed segment not yet exported
        /// when unset.
        #[arg(long)]
        segment: Option<u64>,
        /// Where the files go.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Verify a stored receipt (the encoded `Receipt`) offline with the
    /// registry's public key; print what it attests. Exits 1 if it fails.
    VerifyReceipt {
        /// The registry's public keys (PEM); when unset, the keys the
        /// store holds (current and retired, where the store can be read)
        /// and the configured ones.
        #[arg(long = "public-key")]
        public_keys: Vec<PathBuf>,
        /// The receipt file.
        receipt: PathBuf,
    },
    /// Print the registry's current public signing key (PEM) and its key
    /// id: the store's current key (it follows `rotate-key`), or the
    /// configured one where the store cannot be read.
    RegistryKey,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(config.log_format);
    match run(cli, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to standard error, filtered by `RUST_LOG` (default `info`): text
/// with colours on a terminal, JSON lines (one object per event, with its
/// span's fields) when asked for or when standard error is not a terminal.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let terminal = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Auto => !terminal,
        LogFormat::Text => false,
    };
    if json {
        builder.json().with_current_span(true).with_span_list(false).init();
    } else {
        builder.with_ansi(terminal).init();
    }
}

fn run(cli: Cli, config: Config) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    match cli.command {
        Command::Serve { dev, listen } => cli::server::serve(config, &runtime, dev, listen),
        Command::Token(args) => cli::keys::token(&config, args),
        Command::Verify { public_keys, segment_files } => cli::audit::verify(&config, &runtime, public_keys, segment_files),
        Command::VerifyReceipt { public_keys, receipt } => cli::audit::verify_receipt(&config, &runtime, public_keys, receipt),
        Command::ExportChecks { segment, dir } => cli::audit::export_checks(&config, &runtime, segment, dir),
        Command::Keygen { purpose, file } => cli::keys::keygen(purpose, file),
        Command::RotateKey { file } => cli::keys::rotate_key(&config, &runtime, file),
        Command::RegistryKey => cli::keys::registry_key(&config, &runtime),
        Command::Migrate => cli::server::migrate(&config, &runtime),
    }
}
