//! `creditregistry-bench`: a fresh store seeded with a population, the real
//! server in its own process, load from other processes (h2load for reads,
//! this process's own runtime for writes), and one table of figures, each
//! the median of repeated runs with their spread, beside a baseline
//! measured in the same run. It asserts nothing about the figures.
//!
//! - `full`: the full table; `backends`: `--backends`; `steady`: `--steady`;
//!   `names`: `--names`.
//! - `server`: the server under test, this binary run with `--serve`, and
//!   the tokens its callers send.
//! - `load`: h2load and this process's own clients; `population`: what is
//!   seeded; `table`: figures as rows.

/// The server under test runs in this binary: with the registry's own
/// allocator, so that its figures are the registry's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod backends;
mod full;
mod load;
mod names;
mod population;
mod server;
mod steady;
mod table;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Benchmark a fresh registry: seed a population straight into a new store
/// in a temporary directory, start the server in its own process, load it
/// with h2load and a write client, print one table. Needs `h2load` (Debian
/// package nghttp2-client).
#[derive(Parser)]
#[command(name = "creditregistry-bench", version)]
struct Cli {
    /// Under a minute: 10,000 entities, one run, one-second measurements.
    #[arg(long)]
    quick: bool,
    /// Entities to seed (default 1,000,000; 10,000 with --quick).
    #[arg(long)]
    entities: Option<usize>,
    /// Runs per figure (default 3; 1 with --quick).
    #[arg(long)]
    runs: Option<usize>,
    /// Seconds per read or write measurement (default 10; 1 with --quick).
    #[arg(long)]
    seconds: Option<u64>,
    /// Seconds of sustained batch checks (default 60; 3 with --quick).
    #[arg(long)]
    batch_seconds: Option<u64>,
    /// Keep the temporary data directory.
    #[arg(long)]
    keep: bool,
    /// Compare the backends instead: writes and checks per second on
    /// SQLite, on PostgreSQL with one server node and with two, and how
    /// long a write on one node takes to be read on the other. Needs
    /// PostgreSQL 15's initdb and pg_ctl (Debian package postgresql-15).
    #[arg(long)]
    backends: bool,
    /// A steady mixed load instead (3,000 single checks, 1,000
    /// profiles, 37 writes and one 100-code batch check a second) for
    /// --seconds (default 600; 20 with --quick), then bytes per logged
    /// check, bytes per record, checkpoints stored per minute, verify.
    #[arg(long)]
    steady: bool,
    /// Party names at scale instead: the population seeded without names
    /// and named, each started from its ledger and from its snapshots
    /// (start-up and memory, named beyond unnamed); on the named one,
    /// SearchEntities from 16 callers by kind of query beside the health
    /// check, and batch checks with and without declared names.
    #[arg(long)]
    names: bool,
    /// Serve the registry the environment configures
    /// (CREDITREGISTRY_DATA_DIR, ...) on ADDR until SIGTERM: the server
    /// under test, which the benchmark starts itself.
    #[arg(long, hide = true, value_name = "ADDR")]
    serve: Option<SocketAddr>,
}

/// Sizes of a benchmark run.
#[derive(Clone, Debug)]
pub struct Options {
    pub entities: usize,
    pub runs: usize,
    /// Seconds of each read or write measurement.
    pub seconds: u64,
    /// Seconds of sustained batch checks.
    pub batch_seconds: u64,
    /// Codes per batch check.
    pub batch_codes: usize,
    /// Keep the data directory (printed) instead of removing it.
    pub keep: bool,
    /// Compare the backends (SQLite; PostgreSQL with one node and with
    /// two) instead of the full table.
    pub backends: bool,
    /// A steady mixed load for `seconds` instead, and what it cost the store.
    pub steady: bool,
    /// Party names at scale instead: memory, start-up, search, declared names.
    pub names: bool,
}

impl Options {
    /// Under a minute: a small population, one run, one-second measurements.
    pub fn quick() -> Options {
        Options {
            entities: 10_000,
            runs: 1,
            seconds: 1,
            batch_seconds: 3,
            batch_codes: 1000,
            keep: false,
            backends: false,
            steady: false,
            names: false,
        }
    }

    pub fn full() -> Options {
        Options {
            entities: 1_000_000,
            runs: 3,
            seconds: 10,
            batch_seconds: 60,
            batch_codes: 1000,
            keep: false,
            backends: false,
            steady: false,
            names: false,
        }
    }
}

impl Cli {
    /// The sizes asked for, over the defaults of a full or a quick run.
    fn options(&self) -> Options {
        let defaults = if self.quick { Options::quick() } else { Options::full() };
        let seconds = self.seconds.or(self.steady.then_some(if self.quick { 20 } else { 600 }));
        Options {
            entities: self.entities.unwrap_or(defaults.entities).max(1),
            runs: self.runs.unwrap_or(defaults.runs).max(1),
            seconds: seconds.unwrap_or(defaults.seconds).max(1),
            batch_seconds: self.batch_seconds.unwrap_or(defaults.batch_seconds).max(1),
            keep: self.keep,
            backends: self.backends,
            steady: self.steady,
            names: self.names,
            ..defaults
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server's log, and the store's while seeding, go to standard error.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let result = match cli.serve {
        Some(listen) => server::serve(listen),
        None => run(cli.options()),
    };
    result.map_or_else(
        |e| {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        },
        |()| ExitCode::SUCCESS,
    )
}

/// One benchmark run in a data directory of its own, removed afterwards
/// unless `keep`.
fn run(options: Options) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("creditregistry-bench-{}", std::process::id()));
    let result = if options.backends {
        runtime.block_on(backends::compare(&options, &dir))
    } else if options.steady {
        runtime.block_on(steady::run(&options, &dir))
    } else if options.names {
        runtime.block_on(names::run(&options, &dir))
    } else {
        runtime.block_on(full::run(&options, &dir))
    };
    if options.keep {
        eprintln!("data kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    /// Every `cargo run [...] -p creditregistry-bench` line of the README
    /// and the guides parses, as written (tests/docs.rs leaves them here).
    #[test]
    fn documented_lines_parse() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut documents = vec![root.join("README.md")];
        documents.extend(
            std::fs::read_dir(root.join("docs"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "md")),
        );
        let mut parsed = 0;
        for document in documents {
            for line in std::fs::read_to_string(&document).unwrap().lines() {
                let Some(rest) = line.trim().strip_prefix("cargo run --release -p creditregistry-bench") else { continue };
                let args = rest.split('#').next().unwrap().trim().trim_start_matches("--");
                let argv = std::iter::once("creditregistry-bench").chain(args.split_whitespace());
                if let Err(e) = Cli::try_parse_from(argv) {
                    panic!("{}: {line}: {e}", document.display());
                }
                parsed += 1;
            }
        }
        assert!(parsed >= 4, "only {parsed} benchmark lines found");
    }
}
