//! `creditregistry-bench --backends`: the same loads on SQLite, on PostgreSQL with one
//! server node, and on PostgreSQL with two nodes sharing one database, each
//! beside SQLite's figures from the same run; and how long a write
//! acknowledged by one node takes to be read on the other. PostgreSQL is a
//! throwaway cluster made here from the PostgreSQL 15 binaries, with
//! `fsync` on, as in production.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use creditregistry::config::Config;
use creditregistry::proto::pb;
use creditregistry::store::Store;
use creditregistry_testkit::pg_cluster::{Durability, PgCluster};

use crate::Options;
use crate::load::{self, CHECK, Figures, GP, framed, h2load};
use crate::population;
use crate::server::{Server, authed, tokens};
use crate::table::spread;

/// Calls in flight, writes and checks alike, spread over the nodes.
const CONCURRENCY: usize = 64;
/// Writes on one node each read on the other, for the catch-up delay.
const CATCH_UPS: usize = 200;

/// One store's figures over the runs.
#[derive(Default)]
struct Measured {
    writes: Vec<Figures>,
    checks: Vec<f64>,
}

pub async fn compare(o: &Options, dir: &Path) -> Result<(), String> {
    let rules = Config::default().rules()?;
    let seconds = Duration::from_secs(o.seconds);
    let check_body = framed(&pb::CheckEligibilityRequest {
        uscc: population::code(o.entities / 2).to_string(),
        domain: GP,
        ..Default::default()
    });
    let next = Arc::new(AtomicUsize::new(0));

    eprintln!("SQLite: seeding {} entities", o.entities);
    let sqlite_dir = dir.join("sqlite");
    std::fs::create_dir_all(&sqlite_dir).map_err(|e| e.to_string())?;
    let url = format!("sqlite://{}", sqlite_dir.join("registry.db").display());
    seed(&url, o.entities, &rules).await?;
    let sqlite = {
        let mut server = Server::spawn_on(&sqlite_dir, None, "server.log")?;
        server.serving(Instant::now()).await?;
        let tokens = tokens(&sqlite_dir)?;
        measure(o, &sqlite_dir, &[&server], &tokens.writer, &tokens.reader, &check_body, seconds, &next).await?
    };

    eprintln!("PostgreSQL: a throwaway cluster, seeding {} entities", o.entities);
    let cluster = PgCluster::start(Durability::Full)?;
    let url = cluster.database("bench").await?;
    let pg_dir = dir.join("postgres");
    std::fs::create_dir_all(&pg_dir).map_err(|e| e.to_string())?;
    seed(&url, o.entities, &rules).await?;
    let tokens = tokens(&pg_dir)?;
    let mut a = Server::spawn_on(&pg_dir, Some(&url), "node-a.log")?;
    a.serving(Instant::now()).await?;
    eprintln!("PostgreSQL, one node");
    let one = measure(o, &pg_dir, &[&a], &tokens.writer, &tokens.reader, &check_body, seconds, &next).await?;
    let mut b = Server::spawn_on(&pg_dir, Some(&url), "node-b.log")?;
    b.serving(Instant::now()).await?;
    eprintln!("PostgreSQL, two nodes");
    let two = measure(o, &pg_dir, &[&a, &b], &tokens.writer, &tokens.reader, &check_body, seconds, &next).await?;
    let delays = catch_up(&a, &b, &tokens.writer, &tokens.reader, o.entities, &next).await?;

    let sqlite_writes = spread(&sqlite.writes.iter().map(|f| f.rate).collect::<Vec<_>>()).0;
    let sqlite_checks = spread(&sqlite.checks).0;
    println!(
        "\ncreditregistry-bench --backends: {} entities; {} run(s) per figure, each {} s; {CONCURRENCY} calls in flight spread over the nodes; median (least–greatest)\n",
        o.entities, o.runs, o.seconds
    );
    println!(
        "| store | nodes | RecordPenalty writes/s | p50 ms | p99 ms | ratio to SQLite | CheckEligibility calls/s | ratio to SQLite |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, nodes, m) in [("SQLite", 1, &sqlite), ("PostgreSQL", 1, &one), ("PostgreSQL", 2, &two)] {
        let (w, wl, wh) = spread(&m.writes.iter().map(|f| f.rate).collect::<Vec<_>>());
        let (c, cl, ch) = spread(&m.checks);
        println!(
            "| {name} | {nodes} | {w:.0} ({wl:.0}–{wh:.0}) | {:.2} | {:.2} | {:.2}x | {c:.0} ({cl:.0}–{ch:.0}) | {:.2}x |",
            spread(&m.writes.iter().map(|f| f.p50).collect::<Vec<_>>()).0,
            spread(&m.writes.iter().map(|f| f.p99).collect::<Vec<_>>()).0,
            w / sqlite_writes,
            c / sqlite_checks,
        );
    }
    let percentile = |p: usize| delays[(delays.len() * p / 100).min(delays.len() - 1)];
    println!(
        "\nA write acknowledged by one node, read on the other with its sequence as `min_sequence` ({} writes): p50 {:.2} ms, p99 {:.2} ms",
        delays.len(),
        percentile(50),
        percentile(99)
    );
    drop((a, b));
    Ok(())
}

async fn seed(url: &str, entities: usize, rules: &creditregistry::domain::rules::RuleBook) -> Result<(), String> {
    let store = Store::open(url, &Default::default(), &creditregistry::audit::block::Upgrade).await.map_err(|e| e.to_string())?;
    let seeded = population::seed(&store, entities, rules.latest(), true).await;
    store.close().await;
    seeded.map(|_| ())
}

/// Writes alone, then checks alone, `o.runs` times, spread over `servers`.
#[allow(clippy::too_many_arguments)]
async fn measure(
    o: &Options,
    dir: &Path,
    servers: &[&Server],
    writer: &str,
    reader: &str,
    check_body: &[u8],
    seconds: Duration,
    next: &Arc<AtomicUsize>,
) -> Result<Measured, String> {
    let mut channels = Vec::new();
    for server in servers {
        for _ in 0..2 {
            channels.push(server.channel().await?);
        }
    }
    let mut measured = Measured::default();
    for _ in 0..o.runs {
        let written = load::writes(&channels, writer, CONCURRENCY, seconds, next.clone(), o.entities, false).await?;
        measured.writes.push(written.figures);
        // One h2load per node, at once, each with its share of the calls.
        let share = CONCURRENCY / servers.len();
        let loads: Vec<_> = servers
            .iter()
            .enumerate()
            .map(|(i, server)| {
                let (dir, port, body, token) =
                    (dir.join(format!("h2load-{i}")), server.port, check_body.to_vec(), reader.to_string());
                let secs = o.seconds;
                std::thread::spawn(move || {
                    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                    h2load(&dir, port, CHECK, &body, &token, share, secs)
                })
            })
            .collect();
        let mut rate = 0.0;
        for handle in loads {
            rate += handle.join().map_err(|_| "h2load thread panicked")??.rate;
        }
        measured.checks.push(rate);
    }
    Ok(measured)
}

/// Milliseconds from each write's acknowledgement by `a` to `b` answering
/// a profile read that passes the write's sequence as `min_sequence`.
async fn catch_up(
    a: &Server,
    b: &Server,
    writer: &str,
    reader: &str,
    entities: usize,
    next: &Arc<AtomicUsize>,
) -> Result<Vec<f64>, String> {
    let mut records = pb::records_service_client::RecordsServiceClient::new(a.channel().await?);
    let mut other = pb::records_service_client::RecordsServiceClient::new(b.channel().await?);
    let mut delays = Vec::with_capacity(CATCH_UPS);
    for _ in 0..CATCH_UPS {
        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let request = load::write_request(n, entities);
        let uscc = request.uscc.clone();
        let written = records.record_penalty(authed(request, writer)).await.map_err(|e| format!("write: {e:?}"))?.into_inner();
        let acknowledged = Instant::now();
        let sequence = written.record.map_or(0, |r| r.sequence);
        other
            .get_profile(authed(pb::GetProfileRequest { uscc, min_sequence: sequence, ..Default::default() }, reader))
            .await
            .map_err(|e| format!("read on the other node: {e:?}"))?;
        delays.push(acknowledged.elapsed().as_secs_f64() * 1e3);
    }
    delays.sort_by(f64::total_cmp);
    Ok(delays)
}
