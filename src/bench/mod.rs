//! `creditregistry bench`: a fresh store seeded with a population, the real
//! server in its own process, load from other processes (h2load for reads,
//! this process's own runtime for writes), and one table of figures, each
//! the median of repeated runs with their spread, beside a baseline
//! measured in the same run. It asserts nothing about the figures.

mod backends;
mod load;
mod population;
mod steady;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use prost_types::Timestamp;
use tonic::Request;
use tonic::transport::Channel;

use creditregistry::auth::{DEV_KID, Role, TokenRequest, issue_token};
use creditregistry::config::{Config, KeyAlgorithm};
use creditregistry::keys::KeyPairFiles;
use creditregistry::proto::pb;
use creditregistry::store::{AuditStore, LedgerStore, Store, audit_url};
use load::{Figures, framed, h2load};

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
        }
    }
}

const CONCURRENCY: [usize; 3] = [1, 16, 64];
/// Batch checks in flight: one per core of this machine, which keeps both
/// busy, and twice that, where calls only queue.
const BATCH_CONCURRENCY: [usize; 2] = [2, 4];
const HEALTH: &str = "/grpc.health.v1.Health/Check";
const PROFILE: &str = "/creditregistry.v1.RecordsService/GetProfile";
const CHECK: &str = "/creditregistry.v1.EligibilityService/CheckEligibility";
const BATCH: &str = "/creditregistry.v1.EligibilityService/BatchCheckEligibility";
const GP: i32 = pb::MeasureDomain::GovernmentProcurement as i32;

pub fn run(options: Options) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("creditregistry-bench-{}", std::process::id()));
    let result = if options.backends {
        runtime.block_on(backends::compare(&options, &dir))
    } else if options.steady {
        runtime.block_on(steady::run(&options, &dir))
    } else {
        runtime.block_on(bench(&options, &dir))
    };
    if options.keep {
        eprintln!("data kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

/// The median, least and greatest of `values`.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// One row of the table.
struct Row {
    what: String,
    concurrency: String,
    rates: Vec<f64>,
    p50: Vec<f64>,
    p99: Vec<f64>,
    /// Ratio to the row's baseline, per run.
    ratios: Vec<f64>,
    unit: &'static str,
}

impl Row {
    fn new(what: impl Into<String>, concurrency: impl ToString, unit: &'static str) -> Row {
        Row {
            what: what.into(),
            concurrency: concurrency.to_string(),
            rates: vec![],
            p50: vec![],
            p99: vec![],
            ratios: vec![],
            unit,
        }
    }

    fn add(&mut self, f: Figures, baseline: Option<f64>) {
        self.rates.push(f.rate);
        self.p50.push(f.p50);
        self.p99.push(f.p99);
        if let Some(b) = baseline {
            self.ratios.push(f.rate / b);
        }
    }

    fn print(&self) {
        let (rate, lo, hi) = spread(&self.rates);
        let ratio = if self.ratios.is_empty() {
            "—".to_string()
        } else {
            let (r, lo, hi) = spread(&self.ratios);
            format!("{r:.2}x ({lo:.2}–{hi:.2})")
        };
        println!(
            "| {} | {} | {:.0} {} ({:.0}–{:.0}) | {:.2} | {:.2} | {} |",
            self.what,
            self.concurrency,
            rate,
            self.unit,
            lo,
            hi,
            spread(&self.p50).0,
            spread(&self.p99).0,
            ratio
        );
    }
}

/// The server under test, in its own process.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn spawn(dir: &Path) -> Result<Server, String> {
        Server::spawn_on(dir, None, "server.log")
    }

    /// A server on the data directory `dir` (keys; the SQLite store unless
    /// `database_url` names another), logging to `log` in it.
    fn spawn_on(dir: &Path, database_url: Option<&str>, log: &str) -> Result<Server, String> {
        Server::spawn_with(dir, database_url, log, &[])
    }

    /// `spawn_on`, with settings in the server's environment.
    fn spawn_with(dir: &Path, database_url: Option<&str>, log: &str, env: &[(&str, &str)]) -> Result<Server, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let log = std::fs::File::create(dir.join(log)).map_err(|e| e.to_string())?;
        let mut command = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
        command.args(["serve", "--dev", "--listen", &format!("127.0.0.1:{port}")]).env("CREDITREGISTRY_DATA_DIR", dir);
        command.envs(env.iter().copied());
        match database_url {
            Some(url) => {
                // Every node of a PostgreSQL store serves with the registry's
                // key: the one kept in `dir`, made once.
                let key = Config { data_dir: dir.to_path_buf(), ..Config::default() }.generated_registry_key();
                key.ensure()?;
                command.env("CREDITREGISTRY_DATABASE_URL", url).env("CREDITREGISTRY_SIGNING_KEY", &key.private_key_file)
            }
            None => command.env_remove("CREDITREGISTRY_DATABASE_URL").env_remove("CREDITREGISTRY_SIGNING_KEY"),
        };
        let child = command
            .env_remove("CREDITREGISTRY_CONFIG")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        Ok(Server { child, port })
    }

    /// Waits until health says SERVING; how long since `since`.
    async fn serving(&mut self, since: Instant) -> Result<Duration, String> {
        let url = format!("http://127.0.0.1:{}", self.port);
        loop {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!("the server exited ({status}) before serving"));
            }
            if let Ok(channel) = Channel::from_shared(url.clone()).expect("a URL").connect().await {
                let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
                if let Ok(answer) = health.check(tonic_health::pb::HealthCheckRequest::default()).await
                    && answer.into_inner().status == tonic_health::pb::health_check_response::ServingStatus::Serving as i32
                {
                    return Ok(since.elapsed());
                }
            }
            if since.elapsed() > Duration::from_secs(600) {
                return Err("the server did not serve within 10 minutes".into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Resident memory, bytes.
    fn rss(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_string();
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            })
            .map_or(0, |kib| kib * 1024)
    }

    /// SIGTERM, then waits for the exit; how long it took, and whether
    /// the exit was clean.
    async fn terminate(mut self) -> Result<(Duration, bool), String> {
        let sent = Instant::now();
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().map_err(|e| e.to_string())?;
        loop {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Ok((sent.elapsed(), status.success()));
            }
            if sent.elapsed() > Duration::from_secs(120) {
                return Err("the server did not stop within 120 s of SIGTERM".into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn channel(&self) -> Result<Channel, String> {
        Channel::from_shared(format!("http://127.0.0.1:{}", self.port)).expect("a URL").connect().await.map_err(|e| e.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Tokens {
    reader: String,
    auditor: String,
    writer: String,
}

fn tokens(dir: &Path) -> Result<Tokens, String> {
    let config = Config { data_dir: dir.to_path_buf(), ..Config::default() };
    let pair = KeyPairFiles::in_dir(&config.dev_keys_dir());
    pair.ensure()?;
    let pem = std::fs::read(&pair.private_key_file).map_err(|e| e.to_string())?;
    let token = |subject: &str, role: Role, authority: Option<&str>| {
        issue_token(
            &TokenRequest {
                subject: subject.into(),
                roles: vec![role],
                authority: authority.map(str::to_string),
                organisation: Some("bench".into()),
                issuer: config.auth.issuer.clone(),
                audience: config.auth.audience.clone(),
                ttl_seconds: 24 * 3600,
                kid: Some(DEV_KID.into()),
                algorithm: KeyAlgorithm::EdDSA,
            },
            &pem,
        )
    };
    Ok(Tokens {
        reader: token("bench-platform", Role::Procurement, None)?,
        auditor: token("bench-auditor", Role::Auditor, None)?,
        writer: token("bench-bureau", Role::Enforcement, Some(population::AUTHORITY))?,
    })
}

/// Entries in the check log, once every check answered so far is in it (a
/// checkpoint is signed after the entries queued before it are stored).
async fn check_log_size(audit: &mut pb::audit_service_client::AuditServiceClient<Channel>, token: &str) -> Result<u64, String> {
    let signed = audit
        .create_checkpoint(authed(pb::CreateCheckpointRequest {}, token))
        .await
        .map_err(|e| format!("CreateCheckpoint: {e:?}"))?
        .into_inner()
        .checkpoint
        .ok_or("CreateCheckpoint answered no checkpoint")?;
    let checkpoint = <pb::Checkpoint as prost::Message>::decode(signed.checkpoint.as_slice()).map_err(|e| e.to_string())?;
    Ok(checkpoint.check_log_size as u64)
}

fn authed<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().expect("a token"));
    request
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

async fn bench(o: &Options, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("beside")).map_err(|e| e.to_string())?;
    let rules = Config::default().rules()?;
    let started = Instant::now();

    // An empty registry's memory, to subtract.
    let empty_dir = dir.join("empty");
    std::fs::create_dir_all(&empty_dir).map_err(|e| e.to_string())?;
    let mut empty = Server::spawn(&empty_dir)?;
    empty.serving(Instant::now()).await?;
    let empty_rss = empty.rss();
    empty.terminate().await?;

    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let db = data.join("registry.db");
    let url = format!("sqlite://{}", db.display());
    eprintln!("seeding {} entities into {}", o.entities, db.display());
    let store =
        Store::open(&url, &Default::default(), &creditregistry::audit::block::Upgrade).await.map_err(|e| e.to_string())?;
    let seeded = population::seed(&store, o.entities, rules.latest()).await?;
    store.close().await;
    let seed_seconds = started.elapsed().as_secs_f64();
    let store_bytes = file_size(&db);
    eprintln!("seeded {} records in {seed_seconds:.0} s", seeded.records);
    let tokens = tokens(&data)?;

    // Start-up, each run: with no snapshot (a rebuild from the ledger), then
    // from the snapshot the stop wrote; the last start keeps serving.
    let (mut rebuilds, mut startups) = (Vec::new(), Vec::new());
    let mut rss_idle = Vec::new();
    let mut server = None;
    let snapshot = creditregistry::snapshot::path_for(&url).ok_or("no snapshot path")?;
    for run in 0..o.runs {
        let _ = std::fs::remove_file(&snapshot);
        let spawned = Instant::now();
        let mut s = Server::spawn(&data)?;
        rebuilds.push(s.serving(spawned).await?.as_secs_f64());
        s.terminate().await?;
        let spawned = Instant::now();
        let mut s = Server::spawn(&data)?;
        startups.push(s.serving(spawned).await?.as_secs_f64());
        rss_idle.push(s.rss() as f64);
        if run + 1 < o.runs {
            s.terminate().await?;
        } else {
            server = Some(s);
        }
    }
    let server = server.expect("a run");
    let port = server.port;
    let channel = server.channel().await?;

    // The request bodies, each tried once over a real client first.
    let known = population::code(o.entities / 2).to_string();
    let health = framed(&tonic_health::pb::HealthCheckRequest::default());
    let profile_request = pb::GetProfileRequest { uscc: known.clone(), ..Default::default() };
    let check_request = pb::CheckEligibilityRequest { uscc: known.clone(), domain: GP, ..Default::default() };
    let known_at = prost_types::Timestamp::from(std::time::SystemTime::now() - Duration::from_secs(1));
    let as_of_request = pb::CheckEligibilityRequest {
        uscc: seeded.hot.to_string(),
        domain: GP,
        known_at: Some(Timestamp { seconds: known_at.seconds, nanos: known_at.nanos }),
        ..Default::default()
    };
    let batch_request = pb::BatchCheckEligibilityRequest {
        codes: (0..o.batch_codes).map(|i| population::code((i * 7919) % o.entities).to_string()).collect(),
        domain: GP,
        ..Default::default()
    };
    {
        let mut records = pb::records_service_client::RecordsServiceClient::new(channel.clone());
        let mut eligibility = pb::eligibility_service_client::EligibilityServiceClient::new(channel.clone());
        records.get_profile(authed(profile_request.clone(), &tokens.reader)).await.map_err(|e| format!("GetProfile: {e:?}"))?;
        eligibility
            .check_eligibility(authed(check_request.clone(), &tokens.reader))
            .await
            .map_err(|e| format!("CheckEligibility: {e:?}"))?;
        eligibility
            .check_eligibility(authed(as_of_request.clone(), &tokens.auditor))
            .await
            .map_err(|e| format!("known_at check: {e:?}"))?;
        eligibility
            .batch_check_eligibility(authed(batch_request.clone(), &tokens.reader))
            .await
            .map_err(|e| format!("BatchCheckEligibility: {e:?}"))?;
    }
    let (profile, check, as_of, batch) =
        (framed(&profile_request), framed(&check_request), framed(&as_of_request), framed(&batch_request));

    // Reads, each beside the health baseline of the same run.
    eprintln!("reads");
    let mut rows: Vec<Row> = Vec::new();
    for c in CONCURRENCY {
        rows.push(Row::new("health Check (baseline)", c, "calls/s"));
        rows.push(Row::new("GetProfile", c, "calls/s"));
        rows.push(Row::new("CheckEligibility (signed, logged)", c, "calls/s"));
    }
    let mut audit = pb::audit_service_client::AuditServiceClient::new(channel.clone());
    for _ in 0..o.runs {
        for (k, c) in CONCURRENCY.into_iter().enumerate() {
            let h = h2load(dir, port, HEALTH, &health, &tokens.reader, c, o.seconds)?;
            rows[3 * k].add(h, None);
            rows[3 * k + 1].add(h2load(dir, port, PROFILE, &profile, &tokens.reader, c, o.seconds)?, Some(h.rate));
            // h2load sees HTTP, not gRPC status: every check it counts must
            // be in the check log, or some were refused.
            let logged_before = check_log_size(&mut audit, &tokens.auditor).await?;
            let checks = h2load(dir, port, CHECK, &check, &tokens.reader, c, o.seconds)?;
            let logged = check_log_size(&mut audit, &tokens.auditor).await? - logged_before;
            if logged < checks.calls {
                return Err(format!("{} checks answered, {logged} logged: some were refused", checks.calls));
            }
            rows[3 * k + 2].add(checks, Some(h.rate));
        }
    }
    let mut as_of_row = Row::new(format!("auditor known_at check, entity with {} records", population::HISTORY), 1, "calls/s");
    for _ in 0..o.runs {
        as_of_row.add(h2load(dir, port, CHECK, &as_of, &tokens.auditor, 1, o.seconds)?, None);
    }
    let channels: Vec<Channel> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            v.push(server.channel().await?);
        }
        v
    };
    let seconds = Duration::from_secs(o.seconds);

    // Profiles of one entity (cached) and of a different entity each call
    // (read from the store), through this process's own client.
    let mut same_row = Row::new("GetProfile, one entity (own client)", 64, "calls/s");
    let mut cold_row = Row::new("GetProfile, a different entity each call (own client)", 64, "calls/s");
    let unread = Arc::new(AtomicUsize::new(0));
    for _ in 0..o.runs {
        let same = load::profiles(&channels, &tokens.reader, 64, seconds, Some(&known), unread.clone(), o.entities).await?;
        same_row.add(same, None);
        let cold = load::profiles(&channels, &tokens.reader, 64, seconds, None, unread.clone(), o.entities).await?;
        cold_row.add(cold, Some(same.rate));
    }

    // Sustained batch checks: calls, then how long the check log takes to
    // hold every one of them (a checkpoint waits for the entries queued
    // before it), and memory.
    eprintln!("batch checks, {} s each", o.batch_seconds);
    let mut batch_rows = Vec::new();
    let (mut lags, mut rss_growth, mut rss_end) = (Vec::new(), Vec::new(), Vec::new());
    for concurrency in BATCH_CONCURRENCY {
        let what = format!("BatchCheckEligibility of {} codes, {} s", o.batch_codes, o.batch_seconds);
        let mut batch_row = Row::new(what, concurrency, "calls/s");
        for _ in 0..o.runs {
            let before = server.rss();
            let logged_before = check_log_size(&mut audit, &tokens.auditor).await?;
            let batches = h2load(dir, port, BATCH, &batch, &tokens.reader, concurrency, o.batch_seconds)?;
            let ended = Instant::now();
            let logged = check_log_size(&mut audit, &tokens.auditor).await? - logged_before;
            lags.push(ended.elapsed().as_secs_f64());
            if logged < batches.calls {
                return Err(format!("{} batch checks answered, {logged} logged: some were refused", batches.calls));
            }
            batch_row.add(batches, None);
            rss_end.push(server.rss() as f64);
            rss_growth.push(server.rss() as f64 - before as f64);
        }
        batch_rows.push(batch_row);
    }

    // Writes alone and beside a full single-check load.
    eprintln!("writes");
    let next = Arc::new(AtomicUsize::new(0));
    let mut alone_rows: Vec<Row> = CONCURRENCY.iter().map(|c| Row::new("RecordPenalty, alone", c, "writes/s")).collect();
    let mut beside_rows: Vec<Row> =
        CONCURRENCY.iter().map(|c| Row::new("RecordPenalty, beside CheckEligibility ×64", c, "writes/s")).collect();
    // What writes' precedence costs the checks beside them: their rate
    // beside the writes, to their rate alone at the same concurrency.
    let checks_alone = spread(&rows[3 * (CONCURRENCY.len() - 1) + 2].rates).0;
    let mut checks_beside_rows: Vec<Row> =
        CONCURRENCY.iter().map(|c| Row::new(format!("CheckEligibility ×64, beside RecordPenalty ×{c}"), 64, "calls/s")).collect();
    for _ in 0..o.runs {
        for (k, c) in CONCURRENCY.into_iter().enumerate() {
            let alone = load::writes(&channels, &tokens.writer, c, seconds, next.clone(), o.entities, false).await?;
            alone_rows[k].add(alone.figures, None);
            let (dir2, check2, token2, secs) = (dir.to_path_buf(), check.clone(), tokens.reader.clone(), o.seconds + 1);
            let reads = std::thread::spawn(move || h2load(&dir2.join("beside"), port, CHECK, &check2, &token2, 64, secs));
            tokio::time::sleep(Duration::from_millis(300)).await;
            let beside = load::writes(&channels, &tokens.writer, c, seconds, next.clone(), o.entities, false).await?;
            let checks = reads.join().map_err(|_| "h2load thread panicked")??;
            beside_rows[k].add(beside.figures, Some(alone.figures.rate));
            checks_beside_rows[k].add(checks, Some(checks_alone));
        }
    }

    // SIGTERM under full load: reads and writes running.
    eprintln!("SIGTERM under load");
    let (dir2, check2, token2) = (dir.to_path_buf(), check.clone(), tokens.reader.clone());
    let reads = std::thread::spawn(move || h2load(&dir2.join("beside"), port, CHECK, &check2, &token2, 64, 3));
    let writing = {
        let (channels, token, next, entities) = (channels.clone(), tokens.writer.clone(), next.clone(), o.entities);
        tokio::spawn(async move { load::writes(&channels, &token, 16, Duration::from_secs(5), next, entities, true).await })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (stop_time, clean) = server.terminate().await?;
    let acknowledged = writing.await.map_err(|e| e.to_string())??.sequences;
    let _ = reads.join();
    let store = Store::open_existing(&url, &Default::default()).await.map_err(|e| e.to_string())?;
    let head = store.ledger().head().await.map_err(|e| e.to_string())?;
    let lost = acknowledged.iter().filter(|&&s| s == 0 || s > head).count();
    let key = Config { data_dir: data.clone(), ..Config::default() }.registry_public_key()?;
    let verify_started = Instant::now();
    let report =
        creditregistry::audit::verify::verify((&store.ledger(), &store.audit()), &[key]).await.map_err(|e| e.to_string())?;
    let verify_seconds = verify_started.elapsed().as_secs_f64();
    let check_log_size = store.audit().check_log_head().await.map_err(|e| e.to_string())?.0;
    store.close().await;
    let audit_bytes = file_size(Path::new(audit_url(&url).trim_start_matches("sqlite://")));

    let (startup, startup_lo, startup_hi) = spread(&startups);
    let (rebuild, rebuild_lo, rebuild_hi) = spread(&rebuilds);
    let (idle, _, _) = spread(&rss_idle);
    println!(
        "\ncreditregistry bench: {} entities, {} records seeded; {} run(s) per figure, each {} s; median (least–greatest)\n",
        seeded.entities, seeded.records, o.runs, o.seconds
    );
    println!("| measure | concurrency | rate | p50 ms | p99 ms | ratio to baseline |");
    println!("|---|---|---|---|---|---|");
    for row in rows
        .iter()
        .chain([&as_of_row, &same_row, &cold_row])
        .chain(&batch_rows)
        .chain(&alone_rows)
        .chain(&beside_rows)
        .chain(&checks_beside_rows)
    {
        row.print();
    }
    let (lag, lag_lo, lag_hi) = spread(&lags);
    let (growth, _, growth_hi) = spread(&rss_growth);
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!("| check-log lag after sustained batch checks | {lag:.2} s ({lag_lo:.2}–{lag_hi:.2}) |");
    println!(
        "| server RSS growth over sustained batch checks | {:.1} MiB (most {:.1}); at the end {:.0} MiB |",
        growth / 1048576.0,
        growth_hi / 1048576.0,
        spread(&rss_end).0 / 1048576.0
    );
    println!("| start-up to SERVING, rebuild from the ledger | {rebuild:.2} s ({rebuild_lo:.2}–{rebuild_hi:.2}) |");
    println!(
        "| start-up to SERVING, from the index snapshot | {startup:.2} s ({startup_lo:.2}–{startup_hi:.2}); snapshot {:.0} MiB |",
        mib(file_size(&snapshot))
    );
    println!(
        "| resident memory per indexed entity | {:.0} bytes ({:.0} MiB idle, {:.0} MiB for an empty registry) |",
        (idle - empty_rss as f64) / seeded.entities as f64,
        idle / 1048576.0,
        mib(empty_rss)
    );
    println!(
        "| ledger file bytes per record | {:.0} bytes ({:.0} MiB for {} records) |",
        store_bytes as f64 / seeded.records as f64,
        mib(store_bytes),
        seeded.records
    );
    println!(
        "| check-log file bytes per logged check | {:.0} bytes ({:.0} MiB for {check_log_size} checks) |",
        audit_bytes as f64 / check_log_size.max(1) as f64,
        mib(audit_bytes)
    );
    println!(
        "| SIGTERM under load: time to exit | {:.2} s, {} exit; {} writes acknowledged, {lost} of them missing after restart |",
        stop_time.as_secs_f64(),
        if clean { "clean" } else { "UNCLEAN" },
        acknowledged.len()
    );
    println!(
        "| verify of the whole store afterwards | {} in {verify_seconds:.1} s |",
        if report.ok() { "verifies".to_string() } else { format!("FAILS: {report}") }
    );
    println!(
        "| seeding through the store's append path | {seed_seconds:.0} s, {:.0} records/s |",
        seeded.records as f64 / seed_seconds
    );
    println!("\ntotal {:.0} s", started.elapsed().as_secs_f64());
    if lost > 0 || !report.ok() || !clean {
        return Err("acknowledged writes were lost, the store does not verify, or the server did not stop cleanly".into());
    }
    Ok(())
}
