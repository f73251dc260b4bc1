//! The commands' bodies, one file per group: `server` (serve, migrate),
//! `keys` (token, keygen, rotate-key, registry-key) and `audit` (verify,
//! verify-receipt, export-checks). Each is given the configuration and the
//! arguments `main` parsed, and prints with `out!` and `outln!`.

use creditregistry::config::Config;
use creditregistry::ledger::signing::PublicKey;
use creditregistry::store::Store;

/// Writes to standard output. A reader that has gone (`| head`) ends the
/// command quietly, as it ends any program writing to a pipe, rather than
/// with a panic.
fn write_out(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to standard output: {e}");
        std::process::exit(1);
    }
}

macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_out(format_args!($($arg)*)) };
}

macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

pub mod audit;
pub mod keys;
pub mod server;

/// The registry keys the store holds, current first, when the store can be
/// read (a command run beside a server, or against its database); `None`,
/// said on standard error, when it cannot.
fn keys_in_store(config: &Config, runtime: &tokio::runtime::Runtime) -> Option<Vec<PublicKey>> {
    let read = runtime.block_on(async {
        let store = Store::open_existing(&config.database_url(), &config.store_settings()).await?;
        let keys = creditregistry::audit::stored_keys(&store.audit()).await;
        store.close().await;
        keys
    });
    read.map_err(|e| eprintln!("the registry keys in the store were not read: {e}")).ok().filter(|keys| !keys.is_empty())
}
