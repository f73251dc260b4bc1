//! `--names`: party names at scale. The population is seeded twice, once
//! as records were written before names were kept and once named; each
//! registry starts from its ledger and then from its snapshots, so the
//! difference between them is what names cost in memory and start-up. On
//! the named registry: `SearchEntities` from 16 callers beside the health
//! check from the same callers in the same run, by kind of query, with how
//! often the entity looked for is among the hits (as an auditor, who finds
//! every entity; a procurement caller finds only those disclosed to it,
//! which costs a fold per hit: its own row); and batch checks with and
//! without declared names.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use creditregistry::config::Config;
use creditregistry::proto::pb;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;
use creditregistry::store::Store;
use creditregistry_testkit::population::{generation, other_trade_character, parts_of, renamed};

use crate::Options;
use crate::load::{self, Figures, GP, framed, h2load};
use crate::population;
use crate::server::{Server, Tokens, authed, tokens};
use crate::table::{Row, spread};

/// Callers searching at once.
const CALLERS: usize = 16;
/// Queries prepared, each kind in turn.
const QUERIES: usize = 20_000;
const BATCH: &str = "/creditregistry.v1.EligibilityService/BatchCheckEligibility";

/// The kinds of query a search answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    FullName,
    ShortName,
    FormerName,
    OneCharacterOff,
    Code,
}

const KINDS: [Kind; 5] = [Kind::FullName, Kind::ShortName, Kind::FormerName, Kind::OneCharacterOff, Kind::Code];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::FullName => "full name",
            Kind::ShortName => "short name (no region, no form)",
            Kind::FormerName => "former name",
            Kind::OneCharacterOff => "full name, one character off",
            Kind::Code => "code",
        }
    }
}

/// One query: its kind, its text and the code it looks for.
struct Query {
    kind: Kind,
    text: String,
    code: String,
}

/// The queries, spread over the population: entity `i` for the `n`-th.
fn queries(entities: usize) -> Vec<Query> {
    (0..QUERIES)
        .map(|n| {
            let kind = KINDS[n % KINDS.len()];
            let mut i = (n / KINDS.len()).wrapping_mul(7919) % entities;
            if kind == Kind::FormerName {
                // The next entity that renamed.
                while !renamed(i) {
                    i = (i + 1) % entities;
                }
            }
            let parts = parts_of(i, generation(i));
            let text = match kind {
                Kind::FullName => parts.full(),
                Kind::ShortName => parts.short(),
                Kind::FormerName => parts_of(i, 0).full(),
                Kind::OneCharacterOff => {
                    let first = parts.trade.chars().next().expect("a 字号");
                    let trade = parts.trade.replacen(first, &other_trade_character(first, n as u64).to_string(), 1);
                    format!("{}{trade}{}{}", parts.region, parts.industry, parts.form)
                }
                Kind::Code => population::code(i).to_string(),
            };
            Query { kind, text, code: population::code(i).to_string() }
        })
        .collect()
}

/// What one registry cost to start and to keep.
struct Started {
    rebuild: f64,
    from_snapshot: Vec<f64>,
    rss: Vec<f64>,
}

pub async fn run(o: &Options, dir: &Path) -> Result<(), String> {
    let rules = Config::default().rules()?;
    let started = Instant::now();
    let mut costs = Vec::new();
    let mut serving = None;
    for named in [false, true] {
        let data = dir.join(if named { "named" } else { "unnamed" });
        std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
        let url = format!("sqlite://{}", data.join("registry.db").display());
        eprintln!("seeding {} entities, {}", o.entities, if named { "named" } else { "without names" });
        let store =
            Store::open(&url, &Default::default(), &creditregistry::audit::block::Upgrade).await.map_err(|e| e.to_string())?;
        population::seed(&store, o.entities, rules.latest(), named).await?;
        store.close().await;
        let tokens = tokens(&data)?;
        let spawned = Instant::now();
        let mut server = Server::spawn(&data)?;
        let mut rebuild = server.serving(spawned).await?.as_secs_f64();
        if named {
            rebuild = ready(&server, &tokens, spawned).await?;
        }
        server.terminate().await?;
        let mut cost = Started { rebuild, from_snapshot: Vec::new(), rss: Vec::new() };
        for run in 0..o.runs {
            let spawned = Instant::now();
            let mut server = Server::spawn(&data)?;
            let mut start = server.serving(spawned).await?.as_secs_f64();
            if named {
                start = ready(&server, &tokens, spawned).await?;
            }
            cost.from_snapshot.push(start);
            cost.rss.push(server.rss() as f64);
            if named && run + 1 == o.runs {
                serving = Some((server, tokens));
                break;
            }
            server.terminate().await?;
        }
        costs.push(cost);
    }
    let (server, tokens) = serving.expect("the named registry serves");
    let mut channels = Vec::new();
    for _ in 0..4 {
        channels.push(server.channel().await?);
    }

    eprintln!("searches, {} s each", o.seconds);
    let queries = Arc::new(queries(o.entities));
    let seconds = Duration::from_secs(o.seconds);
    let mut health_row = Row::new("health Check (baseline, own client)", CALLERS, "calls/s");
    let mut all_row = Row::new("SearchEntities, the five kinds in turn (auditor)", CALLERS, "calls/s");
    let mut procurement_row = Row::new("SearchEntities, the five kinds in turn (procurement)", CALLERS, "calls/s");
    let mut kind_rows: Vec<Row> =
        KINDS.iter().map(|k| Row::new(format!("SearchEntities: {}", k.label()), CALLERS, "calls/s")).collect();
    let mut found = vec![(0u64, 0u64); KINDS.len()];
    for _ in 0..o.runs {
        let health = load::calls(&channels, CALLERS, seconds, |channel, _| async move {
            let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
            client.check(tonic_health::pb::HealthCheckRequest::default()).await.map_err(|s| format!("health: {s:?}"))?;
            Ok(0)
        })
        .await?;
        let health = Figures::of(health.iter().map(|c| c.1).collect(), o.seconds as f64);
        health_row.add(health, None);
        let searched = searches(&channels, &tokens.auditor, seconds, &queries).await?;
        let elapsed = o.seconds as f64;
        let baseline = health.rate;
        all_row.add(Figures::of(searched.iter().map(|c| c.1).collect(), elapsed), Some(baseline));
        let restricted = searches(&channels, &tokens.reader, seconds, &queries).await?;
        procurement_row.add(Figures::of(restricted.iter().map(|c| c.1).collect(), elapsed), Some(baseline));
        for (k, row) in kind_rows.iter_mut().enumerate() {
            let mine: Vec<u64> = searched.iter().filter(|c| c.0 / 2 == k).map(|c| c.1).collect();
            found[k].0 += searched.iter().filter(|c| c.0 == 2 * k + 1).count() as u64;
            found[k].1 += mine.len() as u64;
            row.add(Figures::of(mine, elapsed), None);
        }
    }

    // Batch checks of 1,000 codes, with and without a declared name each.
    eprintln!("batch checks with declared names");
    let codes: Vec<usize> = (0..o.batch_codes).map(|i| (i * 7919) % o.entities).collect();
    let plain = pb::BatchCheckEligibilityRequest {
        codes: codes.iter().map(|&i| population::code(i).to_string()).collect(),
        domain: GP,
        ..Default::default()
    };
    let declared = pb::BatchCheckEligibilityRequest {
        declared_names: codes.iter().map(|&i| population::name(i)).collect(),
        ..plain.clone()
    };
    let mut plain_row = Row::new(format!("BatchCheckEligibility of {} codes", o.batch_codes), 2, "calls/s");
    let mut declared_row =
        Row::new(format!("BatchCheckEligibility of {} codes, a declared name each", o.batch_codes), 2, "calls/s");
    for _ in 0..o.runs {
        let p = h2load(dir, server.port, BATCH, &framed(&plain), &tokens.reader, 2, o.seconds)?;
        plain_row.add(p, None);
        declared_row.add(h2load(dir, server.port, BATCH, &framed(&declared), &tokens.reader, 2, o.seconds)?, Some(p.rate));
    }
    server.terminate().await?;

    println!(
        "\ncreditregistry-bench --names: {} entities; {} run(s) per figure, each {} s; median (least–greatest)\n",
        o.entities + 1,
        o.runs,
        o.seconds
    );
    println!("| measure | concurrency | rate | p50 ms | p99 ms | ratio to baseline |");
    println!("|---|---|---|---|---|---|");
    for row in [&health_row, &all_row, &procurement_row].into_iter().chain(&kind_rows).chain([&plain_row, &declared_row]) {
        row.print();
    }
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    for (k, kind) in KINDS.iter().enumerate() {
        let (hit, asked) = found[k];
        println!(
            "| {}: the entity looked for among the first 10 hits | {:.1}% of {asked} |",
            kind.label(),
            100.0 * hit as f64 / asked.max(1) as f64
        );
    }
    let [unnamed, named] = &costs[..] else { unreachable!("two registries") };
    let per_entity = |bytes: f64| bytes / (o.entities + 1) as f64;
    let (rss_unnamed, rss_named) = (spread(&unnamed.rss).0, spread(&named.rss).0);
    println!(
        "| resident memory, named beyond unnamed | {:.0} bytes per entity ({:.0} MiB named, {:.0} MiB unnamed) |",
        per_entity(rss_named - rss_unnamed),
        rss_named / 1048576.0,
        rss_unnamed / 1048576.0
    );
    for (label, cost) in [("unnamed", unnamed), ("named", named)] {
        let (s, lo, hi) = spread(&cost.from_snapshot);
        println!("| start-up to the first answer, from the snapshots, {label} | {s:.2} s ({lo:.2}–{hi:.2}) |");
        println!("| start-up to the first answer, rebuilt from the ledger, {label} | {:.2} s |", cost.rebuild);
    }
    println!("\ntotal {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Searches the queries in turn from `CALLERS` callers for `duration`;
/// per call `2 * kind + found` (`found`: the entity looked for is among the
/// first 10 hits) and its latency in microseconds.
async fn searches(
    channels: &[tonic::transport::Channel],
    token: &str,
    duration: Duration,
    queries: &Arc<Vec<Query>>,
) -> Result<Vec<(usize, u64)>, String> {
    let (token, queries) = (token.to_string(), queries.clone());
    load::calls(channels, CALLERS, duration, move |channel, n| {
        let (queries, token) = (queries.clone(), token.clone());
        async move {
            let q = &queries[n % queries.len()];
            let mut client = RecordsServiceClient::new(channel);
            let request = pb::SearchEntitiesRequest { query: q.text.clone(), limit: 10 };
            let hits = client
                .search_entities(authed(request, &token))
                .await
                .map_err(|s| format!("SearchEntities {:?}: {s:?}", q.text))?
                .into_inner()
                .hits;
            let kind = KINDS.iter().position(|k| *k == q.kind).expect("a kind");
            Ok(2 * kind + usize::from(hits.iter().any(|h| h.uscc == q.code)))
        }
    })
    .await
}

/// Waits until a search by its name finds the first entity; seconds since
/// `since`.
async fn ready(server: &Server, tokens: &Tokens, since: Instant) -> Result<f64, String> {
    let mut client = RecordsServiceClient::new(server.channel().await?);
    let wanted = population::code(0).to_string();
    let query = population::name(0);
    loop {
        let answer =
            client.search_entities(authed(pb::SearchEntitiesRequest { query: query.clone(), limit: 10 }, &tokens.auditor)).await;
        if let Ok(answer) = answer
            && answer.into_inner().hits.iter().any(|h| h.uscc == wanted)
        {
            return Ok(since.elapsed().as_secs_f64());
        }
        if since.elapsed() > Duration::from_secs(600) {
            return Err("no search found the first entity within 10 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
