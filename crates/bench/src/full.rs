//! The full table: reads (each beside the health check of the same run),
//! profiles through this process's own client, sustained batch checks,
//! writes alone and beside a check load, start-up, memory, file sizes,
//! SIGTERM under load and a verify of the whole store afterwards.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use prost_types::Timestamp;
use tonic::transport::Channel;

use creditregistry::config::Config;
use creditregistry::proto::pb;
use creditregistry::store::{AuditStore, LedgerStore, Store, audit_url};

use crate::Options;
use crate::load::{self, CHECK, GP, framed, h2load};
use crate::population;
use crate::server::{Server, authed, check_log_size, tokens};
use crate::table::{Row, file_size, mib, spread};

const CONCURRENCY: [usize; 3] = [1, 16, 64];
/// Batch checks in flight: one per core of this machine, which keeps both
/// busy, and twice that, where calls only queue.
const BATCH_CONCURRENCY: [usize; 2] = [2, 4];
const HEALTH: &str = "/grpc.health.v1.Health/Check";
const PROFILE: &str = "/creditregistry.v1.RecordsService/GetProfile";
const BATCH: &str = "/creditregistry.v1.EligibilityService/BatchCheckEligibility";

pub async fn run(o: &Options, dir: &Path) -> Result<(), String> {
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
    let seeded = population::seed(&store, o.entities, rules.latest(), true).await?;
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
        "\ncreditregistry-bench: {} entities, {} records seeded; {} run(s) per figure, each {} s; median (least–greatest)\n",
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
