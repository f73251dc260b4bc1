//! Command line: `serve`, `token`, `keygen`, `migrate`, `rotate-key`,
//! `verify`, `verify-receipt`, `export-checks`, `registry-key`.

/// glibc's allocator serialises the server's many small allocations on
/// its arena locks under load; mimalloc keeps them per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use creditregistry::audit::verify::verify;
use creditregistry::auth::{DEV_KID, Role, TokenRequest, issue_token};
use creditregistry::config::{Config, KeyAlgorithm, KeyConfig, read_public_keys};
use creditregistry::keys::KeyPairFiles;
use creditregistry::ledger::signing::{PublicKey, hex, verify_receipt};
use creditregistry::proto::pb;
use creditregistry::store::Store;

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
    Token {
        /// Role(s) to grant: enforcement, procurement, auditor, regulator, admin.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// The authority an enforcement caller acts for (required with enforcement).
        #[arg(long)]
        authority: Option<String>,
        /// Token subject: the user or system calling.
        #[arg(long, default_value = "dev-user")]
        subject: String,
        /// Organisation of the caller.
        #[arg(long)]
        org: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: i64,
        /// Private key (PEM); the development key when unset.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Key id to put in the header.
        #[arg(long)]
        kid: Option<String>,
        /// EdDSA or RS256.
        #[arg(long, default_value = "EdDSA", value_parser = |s: &str| s.parse::<KeyAlgorithm>())]
        algorithm: KeyAlgorithm,
    },
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
        purpose: KeyPurpose,
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

/// What a key made by `keygen` is for.
#[derive(Clone, Copy, clap::ValueEnum)]
enum KeyPurpose {
    Registry,
    Token,
}

fn parse_role(s: &str) -> Result<Role, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("unknown role '{s}': expected enforcement, procurement, auditor, regulator or admin"))
}

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
    ($($arg:tt)*) => { write_out(format_args!($($arg)*)) };
}

macro_rules! outln {
    ($($arg:tt)*) => { write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// The registry keys the store holds, current first, when the store can be
/// read (a command run beside a server, or against its database); `None`,
/// said on standard error, when it cannot.
fn keys_in_store(config: &Config, runtime: &tokio::runtime::Runtime) -> Option<Vec<PublicKey>> {
    let read = runtime.block_on(async {
        let store = Store::open_existing(&config.database_url(), &config.store_settings()).await?;
        let keys = creditregistry::audit::stored_keys(&store).await;
        store.close().await;
        keys
    });
    read.map_err(|e| eprintln!("the registry keys in the store were not read: {e}")).ok().filter(|keys| !keys.is_empty())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let mut config = Config::load(cli.config.as_deref())?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    match cli.command {
        Command::Serve { dev, listen } => {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            if dev {
                use_dev_keys(&mut config)?;
            }
            runtime.block_on(async {
                let running = creditregistry::server::start(&config).await?;
                outln!("creditregistry serving gRPC on {}", running.addr);
                if dev {
                    outln!(
                        "development tokens: cargo run -- token --role enforcement --authority SAMR-310115\n\
                         \x20                   cargo run -- token --role procurement"
                    );
                }
                running.wait_for_signal().await
            })
        }
        Command::Token { roles, authority, subject, org, ttl, key, kid, algorithm } => {
            let key_file = match key {
                Some(k) => k,
                // Only `serve --dev` makes the development key: a token signed
                // by a key of its own would be refused by the server.
                None => {
                    let pair = KeyPairFiles::in_dir(&config.dev_keys_dir());
                    if !pair.private_key_file.exists() {
                        return Err(format!(
                            "no development key in {}: `serve --dev` creates it there; run `token` with the server's data directory (CREDITREGISTRY_DATA_DIR, or data_dir in --config) or pass --key FILE",
                            config.dev_keys_dir().display()
                        ));
                    }
                    pair.private_key_file
                }
            };
            let pem = std::fs::read(&key_file).map_err(|e| format!("{}: {e}", key_file.display()))?;
            let token = issue_token(
                &TokenRequest {
                    subject,
                    roles,
                    authority,
                    organisation: org,
                    issuer: config.auth.issuer.clone(),
                    audience: config.auth.audience.clone(),
                    ttl_seconds: ttl,
                    kid: kid.or_else(|| Some(DEV_KID.to_string())),
                    algorithm,
                },
                &pem,
            )?;
            outln!("{token}");
            Ok(())
        }
        Command::Verify { public_keys, segment_files } => {
            let mut keys = read_public_keys(&public_keys)?;
            // The configured keys are trusted too, when there are any.
            let configured = config.registry_public_key();
            if let Ok(key) = &configured {
                keys.push(key.clone());
            }
            keys.extend(config.retired_registry_keys()?);
            if !segment_files.is_empty() {
                if let (true, Err(e)) = (keys.is_empty(), configured) {
                    return Err(format!("{e}: pass --public-key FILE"));
                }
                return verify_segment_files(&segment_files, &keys);
            }
            runtime.block_on(async {
                let store =
                    Store::open_existing(&config.database_url(), &config.store_settings()).await.map_err(|e| e.to_string())?;
                let report = match creditregistry::audit::stored_keys(&store).await {
                    Ok(stored) if stored.is_empty() && keys.is_empty() => Err(
                        "the store holds no registry key (no node has served it) and none is configured: pass --public-key FILE"
                            .to_string(),
                    ),
                    Ok(stored) => {
                        // Named so that they can be compared with the keys the registry publishes:
                        // whoever could write the store could have written a key too.
                        let stored_ids: Vec<&str> = stored.iter().map(|k| k.key_id.as_str()).collect();
                        let others: Vec<&str> =
                            keys.iter().map(|k| k.key_id.as_str()).filter(|id| !stored_ids.contains(id)).collect();
                        let trusted = format!(
                            "registry keys in the store (current first): {}; also trusted: {}",
                            if stored_ids.is_empty() { "none".to_string() } else { stored_ids.join(", ") },
                            if others.is_empty() { "none".to_string() } else { others.join(", ") }
                        );
                        keys.extend(stored);
                        verify(&store, &keys).await.map(|report| (report, trusted)).map_err(|e| e.to_string())
                    }
                    Err(e) => Err(e.to_string()),
                };
                store.close().await;
                let (report, trusted) = report?;
                outln!("{trusted}");
                outln!("{report}");
                if report.ok() { Ok(()) } else { Err("the store does not verify".into()) }
            })
        }
        Command::VerifyReceipt { public_keys, receipt } => {
            let keys = if public_keys.is_empty() {
                let stored = keys_in_store(&config, &runtime).unwrap_or_default();
                let configured = match config.registry_public_key() {
                    Ok(key) => Some(key),
                    Err(e) if stored.is_empty() => return Err(format!("{e}: pass --public-key FILE")),
                    Err(_) => None,
                };
                creditregistry::audit::with_others(stored, configured.into_iter().chain(config.retired_registry_keys()?))
            } else {
                read_public_keys(&public_keys)?
            };
            let bytes = std::fs::read(&receipt).map_err(|e| format!("{}: {e}", receipt.display()))?;
            let body = verify_receipt(&bytes, &keys).map_err(|e| format!("INVALID receipt {}: {e}", receipt.display()))?;
            out!("{}", describe_receipt(&body));
            Ok(())
        }
        Command::ExportChecks { segment, dir } => runtime.block_on(async {
            let store =
                Store::open_existing(&config.database_url(), &config.store_settings()).await.map_err(|e| e.to_string())?;
            let exported = export_checks(&store, segment, &dir).await;
            store.close().await;
            exported
        }),
        Command::Keygen { purpose, file } => {
            let pair = KeyPairFiles::beside(&file);
            pair.create()?;
            let pem =
                std::fs::read_to_string(&pair.public_key_file).map_err(|e| format!("{}: {e}", pair.public_key_file.display()))?;
            let key = creditregistry::ledger::signing::PublicKey::from_pem(&pem)?;
            let (private, public) = (pair.private_key_file.display(), pair.public_key_file.display());
            match purpose {
                KeyPurpose::Registry => outln!(
                    "registry signing key {}\n  private key {private}\n  public key  {public}\n\
                     serve every node with CREDITREGISTRY_SIGNING_KEY={private}; the first node to serve the store makes it the registry's key",
                    key.key_id
                ),
                KeyPurpose::Token => outln!(
                    "token-signing key\n  private key {private}\n  public key  {public}\n\
                     trust it with CREDITREGISTRY_AUTH_KEYS=KID:EdDSA:{public} (KID: a key id of your choosing);\n\
                     sign tokens with `creditregistry token --key {private} --kid KID --role ...`"
                ),
            }
            Ok(())
        }
        Command::RotateKey { file } => runtime.block_on(async {
            let new = creditregistry::ledger::signing::RegistryKey::from_pem_file(&file)?;
            let store =
                Store::open_existing(&config.database_url(), &config.store_settings()).await.map_err(|e| e.to_string())?;
            let key = creditregistry::store::StoredKey {
                key_id: new.public().key_id.clone(),
                public_key: new.public().raw().to_vec(),
                added_at: chrono::Utc::now().timestamp_micros(),
                retired_at: None,
            };
            let rotated = store.rotate_registry_key(&key).await.map_err(|e| e.to_string());
            store.close().await;
            let retired = rotated?.map_or_else(|| "no key before it".to_string(), |old| format!("{} retired", old.key_id));
            outln!(
                "the registry's signing key is now {} ({retired}); restart every node with CREDITREGISTRY_SIGNING_KEY={}",
                key.key_id,
                file.display()
            );
            Ok(())
        }),
        Command::RegistryKey => {
            // The store's current key where there is a store (after
            // `rotate-key` the configured or first-made key may be
            // retired); never makes a key: a new one would not be the
            // registry's.
            let key = match keys_in_store(&config, &runtime).and_then(|keys| keys.into_iter().next()) {
                Some(current) => current,
                None => config.registry_public_key().map_err(|e| {
                    format!("{e}; `serve` makes the key of a SQLite store on first run in {} (a PostgreSQL store's is configured: CREDITREGISTRY_SIGNING_KEY); or fetch it from a running registry with AuditService.GetRegistryKeys", config.data_dir.display())
                })?,
            };
            eprintln!("key id {}", key.key_id);
            out!("{}", key.to_pem());
            Ok(())
        }
        Command::Migrate => runtime.block_on(async {
            let holder = format!("`migrate` (process {})", std::process::id());
            let _claim = Store::claim(&config.database_url(), &holder).map_err(|e| e.to_string())?;
            let store = Store::open(&config.database_url(), &config.store_settings(), &creditregistry::audit::block::Upgrade)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            outln!("schema up to date: {}", creditregistry::store::redacted(&config.database_url()));
            Ok(())
        }),
    }
}

/// Exports segment `number`, or every sealed one not yet exported, into
/// `dir` (`segments::export_to_dir`).
async fn export_checks(store: &Store, number: Option<u64>, dir: &std::path::Path) -> Result<(), String> {
    let wanted: Vec<u64> = match number {
        Some(n) => vec![n],
        None => store
            .segments()
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .filter(|s| s.exported_at.is_none())
            .map(|s| s.number)
            .collect(),
    };
    if wanted.is_empty() {
        outln!("every sealed check-log segment has been exported");
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for n in wanted {
        let (path, entries) = creditregistry::audit::segments::export_to_dir(store, n, dir).await?;
        outln!("segment {n}: {entries} check-log entries written to {}", path.display());
    }
    Ok(())
}

/// Verifies exported segment files, each alone.
fn verify_segment_files(files: &[PathBuf], keys: &[creditregistry::ledger::signing::PublicKey]) -> Result<(), String> {
    let mut failed = 0;
    for path in files {
        let verified = std::fs::File::open(path)
            .map_err(|e| format!("cannot open it: {e}"))
            .and_then(|file| creditregistry::audit::segments::verify_file(std::io::BufReader::new(file), keys));
        match verified {
            Ok(v) => outln!(
                "{}: segment {} of {}, entries {}..={} ({}), verifies",
                path.display(),
                v.head.number,
                v.head.origin,
                v.head.first_sequence,
                v.head.last_sequence,
                v.entries
            ),
            Err(e) => {
                failed += 1;
                outln!("{}: DIVERGENCE: {e}", path.display());
            }
        }
    }
    if failed == 0 { Ok(()) } else { Err(format!("{failed} segment file(s) do not verify")) }
}

/// What a verified receipt attests, for people.
fn describe_receipt(body: &pb::ReceiptBody) -> String {
    let name = |e: i32| pb::Eligibility::try_from(e).map_or("?", |e| e.as_str_name()).trim_start_matches("ELIGIBILITY_");
    let checkpoint = body
        .checkpoint
        .as_ref()
        .and_then(|c| <pb::Checkpoint as prost::Message>::decode(c.checkpoint.as_slice()).ok())
        .unwrap_or_default();
    let mut out = format!(
        "VALID receipt {}\n  issued at        {}\n  caller           {}{}\n  check            {} in {}, evaluated on {}\n",
        body.receipt_id,
        body.issued_at.map(|t| t.to_string()).unwrap_or_default(),
        body.caller_subject,
        if body.caller_organisation.is_empty() { String::new() } else { format!(" ({})", body.caller_organisation) },
        pb::CheckKind::try_from(body.kind).map_or("?", |k| k.as_str_name()),
        pb::MeasureDomain::try_from(body.domain).map_or("?", |d| d.as_str_name()),
        body.evaluated_on.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)).unwrap_or_default(),
    );
    for d in &body.decisions {
        out.push_str(&format!("  {}  {}\n", d.uscc, name(d.eligibility)));
    }
    if body.consortium_eligibility != 0 {
        out.push_str(&format!("  consortium       {}\n", name(body.consortium_eligibility)));
    }
    out.push_str(&format!(
        "  catalogue        {}\n  checkpoint       {} records, root {}\n",
        body.catalogue_version,
        checkpoint.tree_size,
        hex(&checkpoint.root_hash)
    ));
    out
}

/// Creates the development key pair if needed and trusts it.
fn use_dev_keys(config: &mut Config) -> Result<(), String> {
    let pair = KeyPairFiles::in_dir(&config.dev_keys_dir());
    if pair.ensure()? {
        eprintln!("created development key pair in {}", config.dev_keys_dir().display());
    }
    config.auth.keys.push(KeyConfig {
        kid: DEV_KID.into(),
        algorithm: KeyAlgorithm::EdDSA,
        public_key_file: pair.public_key_file,
    });
    Ok(())
}
