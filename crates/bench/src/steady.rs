//! `creditregistry-bench --steady`: a steady mixed load, as a province's platforms and
//! bureaus make it together, held for minutes at fixed rates (single
//! checks of varied codes, profiles, writes, a 100-code batch check a
//! second); then what it cost the store: bytes per logged check, bytes per
//! record, checkpoints stored per minute. The server seals a check-log
//! segment at every checkpoint and keeps exported ones no days, so the run
//! then goes through retention as an operator would: every segment
//! exported to a file and each file verified alone, the server started
//! again to remove them, and the live store verified.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use creditregistry::audit::segments;
use creditregistry::config::Config;
use creditregistry::proto::pb;
use creditregistry::proto::pb::eligibility_service_client::EligibilityServiceClient;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;
use creditregistry::store::{AuditStore, LedgerStore, Store, audit_url};

use crate::Options;
use crate::load::{self, GP};
use crate::population;
use crate::server::{Server, authed, tokens};
use crate::table::{file_size, mib};

/// Calls per second of each kind, as the load that found the check log's
/// cost measured it: (single checks, profiles, writes, 100-code batches).
const RATES: (u32, u32, u32, u32) = (3000, 1000, 37, 1);
/// The server seals a segment at every checkpoint and removes exported
/// segments at the next.
const SEALING: [(&str, &str); 2] = [("CREDITREGISTRY_SEGMENT_HOURS", "0"), ("CREDITREGISTRY_CHECK_LOG_RETENTION_DAYS", "0")];

/// The server's default checkpoint interval.
const CHECKPOINT_INTERVAL_SECS: u64 = 10;

/// Codes per batch check.
const BATCH_CODES: usize = 100;
/// Callers per kind of call: enough that a slow answer does not hold the
/// rate back.
const CALLERS: u32 = 16;

/// What the steady load answered.
#[derive(Default)]
struct Answered {
    checks: AtomicU64,
    profiles: AtomicU64,
    writes: AtomicU64,
    batches: AtomicU64,
    refused: AtomicU64,
}

pub async fn run(o: &Options, dir: &Path) -> Result<(), String> {
    let rules = Config::default().rules()?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let db = dir.join("registry.db");
    let url = format!("sqlite://{}", db.display());
    eprintln!("seeding {} entities", o.entities);
    let store =
        Store::open(&url, &Default::default(), &creditregistry::audit::block::Upgrade).await.map_err(|e| e.to_string())?;
    let seeded = population::seed(&store, o.entities, rules.latest(), true).await?;
    let checkpoints_before = checkpoints(&store).await?;
    store.close().await;
    let audit_path = audit_url(&url).trim_start_matches("sqlite://").to_string();
    let (ledger_before, audit_before) = (file_size(&db), file_size(Path::new(&audit_path)));

    let mut server = Server::spawn_with(dir, None, "server.log", &SEALING)?;
    server.serving(Instant::now()).await?;
    let tokens = tokens(dir)?;
    let channels = {
        let mut v = Vec::new();
        for _ in 0..4 {
            v.push(server.channel().await?);
        }
        v
    };
    let duration = Duration::from_secs(o.seconds);
    eprintln!("steady load for {} s: {:?} calls/s (checks, profiles, writes, batches)", o.seconds, RATES);
    let answered = Arc::new(Answered::default());
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    let next = Arc::new(AtomicUsize::new(0));
    let next_code = {
        let (next, entities) = (next.clone(), o.entities);
        move || some_code(next.fetch_add(1, Ordering::Relaxed), entities)
    };
    let every = |rate: u32, callers: u32| Duration::from_secs_f64(f64::from(callers) / f64::from(rate));
    for k in 0..CALLERS as usize {
        let channel = channels[k % channels.len()].clone();
        let (checker, records) = (EligibilityServiceClient::new(channel.clone()), RecordsServiceClient::new(channel));
        let (reader, code) = (tokens.reader.clone(), next_code.clone());
        tasks.push(tokio::spawn(paced(
            every(RATES.0, CALLERS),
            deadline,
            answered.clone(),
            |a| &a.checks,
            move || {
                let (mut client, request) =
                    (checker.clone(), pb::CheckEligibilityRequest { uscc: code(), domain: GP, ..Default::default() });
                let request = authed(request, &reader);
                async move { client.check_eligibility(request).await.is_ok() }
            },
        )));
        let (reader, code) = (tokens.reader.clone(), next_code.clone());
        let profiles = records.clone();
        tasks.push(tokio::spawn(paced(
            every(RATES.1, CALLERS),
            deadline,
            answered.clone(),
            |a| &a.profiles,
            move || {
                let (mut client, request) =
                    (profiles.clone(), authed(pb::GetProfileRequest { uscc: code(), ..Default::default() }, &reader));
                async move { client.get_profile(request).await.is_ok() }
            },
        )));
        if k == 0 {
            // Numbered apart from the seeded records' request ids.
            let (writer, entities, mut n) = (tokens.writer.clone(), o.entities, 1usize << 40);
            tasks.push(tokio::spawn(paced(
                every(RATES.2, 1),
                deadline,
                answered.clone(),
                |a| &a.writes,
                move || {
                    n += 1;
                    let (mut client, request) = (records.clone(), authed(load::write_request(n, entities), &writer));
                    async move { client.record_penalty(request).await.is_ok() }
                },
            )));
            let (reader, code, checker) =
                (tokens.reader.clone(), next_code.clone(), EligibilityServiceClient::new(channels[0].clone()));
            tasks.push(tokio::spawn(paced(
                every(RATES.3, 1),
                deadline,
                answered.clone(),
                |a| &a.batches,
                move || {
                    let codes = (0..BATCH_CODES).map(|_| code()).collect();
                    let request = authed(pb::BatchCheckEligibilityRequest { codes, domain: GP, ..Default::default() }, &reader);
                    let mut client = checker.clone();
                    async move { client.batch_check_eligibility(request).await.is_ok() }
                },
            )));
        }
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let rss = server.rss();
    server.terminate().await?;

    let (ledger_after, audit_after) = (file_size(&db), file_size(Path::new(&audit_path)));
    let store = Store::open_existing(&url, &Default::default()).await.map_err(|e| e.to_string())?;
    let checkpoints_after = checkpoints(&store).await?;
    let logged = store.audit().check_log_head().await.map_err(|e| e.to_string())?.0;
    let head = store.ledger().head().await.map_err(|e| e.to_string())?;
    let key = Config { data_dir: dir.to_path_buf(), ..Config::default() }.registry_public_key()?;

    // Retention: export every sealed segment and verify each file alone.
    let archive = dir.join("archive");
    std::fs::create_dir_all(&archive).map_err(|e| e.to_string())?;
    let (mut exported, mut file_bytes, mut files_verified) = (0u64, 0u64, 0u64);
    let sealed = store.audit().segments().await.map_err(|e| e.to_string())?;
    for segment in &sealed {
        let (path, entries) = segments::export_to_dir(&store.audit(), segment.number, &archive).await?;
        exported += entries;
        file_bytes += file_size(&path);
        let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
        files_verified += segments::verify_file(std::io::BufReader::new(file), std::slice::from_ref(&key))
            .map_err(|e| format!("{}: {e}", path.display()))?
            .entries;
    }
    store.close().await;

    // The server removes them at its next checkpoint; then the live store
    // must still verify.
    let mut again = Server::spawn_with(
        dir,
        None,
        "server-again.log",
        &[SEALING[0], SEALING[1], ("CREDITREGISTRY_CHECKPOINT_INTERVAL", "1")],
    )?;
    again.serving(Instant::now()).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    again.terminate().await?;
    let store = Store::open_existing(&url, &Default::default()).await.map_err(|e| e.to_string())?;
    let removed = store.audit().segments().await.map_err(|e| e.to_string())?.iter().filter(|s| s.removed_at.is_some()).count();
    let verified = Instant::now();
    let report =
        creditregistry::audit::verify::verify((&store.ledger(), &store.audit()), &[key]).await.map_err(|e| e.to_string())?;
    let verify_seconds = verified.elapsed().as_secs_f64();
    store.close().await;

    let a = &answered;
    let rate = |n: &AtomicU64| n.load(Ordering::Relaxed) as f64 / seconds;
    let written = head - seeded.records as u64;
    let stored_checkpoints = checkpoints_after - checkpoints_before;
    println!(
        "\ncreditregistry-bench --steady: {} entities seeded, {seconds:.0} s of steady mixed load (SQLite)\n",
        seeded.entities
    );
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| calls answered per second | {:.0} single checks, {:.0} profiles, {:.1} writes, {:.2} batch checks of {BATCH_CODES} codes; {} refused |",
        rate(&a.checks),
        rate(&a.profiles),
        rate(&a.writes),
        rate(&a.batches),
        a.refused.load(Ordering::Relaxed)
    );
    println!("| check-log entries logged | {logged} |");
    println!(
        "| audit file bytes per logged check | {:.1} bytes ({:.1} MiB for {logged} checks) |",
        audit_after.saturating_sub(audit_before) as f64 / logged.max(1) as f64,
        mib(audit_after.saturating_sub(audit_before))
    );
    println!(
        "| ledger file bytes per record written | {:.0} bytes ({written} records) |",
        ledger_after.saturating_sub(ledger_before) as f64 / written.max(1) as f64
    );
    println!(
        "| checkpoints stored per minute | {:.1} ({stored_checkpoints} in {seconds:.0} s, the server's interval {CHECKPOINT_INTERVAL_SECS} s, with one at start and one at shutdown) |",
        stored_checkpoints as f64 * 60.0 / seconds
    );
    println!("| server RSS at the end | {:.0} MiB |", mib(rss));
    println!(
        "| segments sealed, exported, removed | {}, {exported} entries exported in {:.1} bytes per entry ({:.1} MiB of files), {files_verified} entries verified alone from the files; {removed} removed from the live store |",
        sealed.len(),
        file_bytes as f64 / exported.max(1) as f64,
        mib(file_bytes)
    );
    println!(
        "| verify of the live store after removal | {} in {verify_seconds:.1} s: {} records, {} checkpoints, {} live check-log entries |",
        if report.ok() { "passed" } else { "FAILED" },
        report.records_checked,
        report.checkpoints_checked,
        report.check_log_entries_checked
    );
    if !report.ok() {
        return Err(format!("verify failed after the steady load: {report:?}"));
    }
    Ok(())
}

/// Checkpoints stored.
async fn checkpoints(store: &Store) -> Result<u64, String> {
    let (mut after, mut count) = (0, 0u64);
    loop {
        let page = store.audit().checkpoint_page(after, 1000).await.map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { return Ok(count) };
        after = last.0;
        count += page.len() as u64;
    }
}

/// A pseudo-random code of the population for the `n`-th call.
fn some_code(n: usize, entities: usize) -> String {
    population::code(n.wrapping_mul(7919) % entities).to_string()
}

/// Makes `call` every `every` until `deadline`, counting what it answered
/// (true) in the `kind` of `answered` and what it refused in `refused`.
async fn paced<F, Fut>(
    every: Duration,
    deadline: Instant,
    answered: Arc<Answered>,
    kind: fn(&Answered) -> &AtomicU64,
    mut call: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut tick = tokio::time::interval(every);
    while Instant::now() < deadline {
        tick.tick().await;
        let ok = call().await;
        if ok { kind(&answered) } else { &answered.refused }.fetch_add(1, Ordering::Relaxed);
    }
}
