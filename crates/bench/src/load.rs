//! Load from outside the server process: `h2load` with pre-encoded gRPC
//! bodies for reads, and a Rust client on the benchmark's own runtime for
//! writes, which must differ call by call.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Datelike;
use prost::Message;
use tonic::Request;
use tonic::transport::Channel;

use creditregistry::proto::pb;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;
use creditregistry_testkit::records::{date, days_ago, penalty, penalty_request};

use crate::population;

/// The check every load makes, and the domain it asks about.
pub const CHECK: &str = "/creditregistry.v1.EligibilityService/CheckEligibility";
pub const GP: i32 = pb::MeasureDomain::GovernmentProcurement as i32;

/// Throughput and latency of one measurement.
#[derive(Clone, Copy, Debug, Default)]
pub struct Figures {
    /// Calls answered per second.
    pub rate: f64,
    /// Latency percentiles, milliseconds.
    pub p50: f64,
    pub p99: f64,
    /// Calls answered.
    pub calls: u64,
}

/// A gRPC message framed for the wire: uncompressed flag, length, bytes.
pub fn framed(message: &impl Message) -> Vec<u8> {
    let bytes = message.encode_to_vec();
    let mut out = Vec::with_capacity(bytes.len() + 5);
    out.push(0);
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(&bytes);
    out
}

/// Runs h2load for `seconds` at `concurrency` calls in flight, each call
/// posting `body` to `path`; reads its per-call log for percentiles.
pub fn h2load(
    dir: &Path,
    port: u16,
    path: &str,
    body: &[u8],
    token: &str,
    concurrency: usize,
    seconds: u64,
) -> Result<Figures, String> {
    let data = dir.join(format!(
        "body-{}-{:x}.bin",
        path.replace('/', "_"),
        creditregistry::audit::block::code_key(&format!("{body:?}"))
    ));
    std::fs::write(&data, body).map_err(|e| e.to_string())?;
    let log = dir.join("h2load.log");
    let _ = std::fs::remove_file(&log);
    let clients = concurrency.clamp(1, 4);
    let streams = concurrency.div_ceil(clients);
    let output = Command::new("h2load")
        .args(["-c", &clients.to_string(), "-m", &streams.to_string(), "-t", "1"])
        .args(["-D", &seconds.to_string()])
        .args(["-H", "content-type: application/grpc", "-H", "te: trailers"])
        .args(["-H", &format!("authorization: Bearer {token}")])
        .arg("-d")
        .arg(&data)
        .arg(format!("--log-file={}", log.display()))
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .map_err(|e| format!("h2load: {e} (Debian package nghttp2-client)"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("h2load failed: {stdout}{}", String::from_utf8_lossy(&output.stderr)));
    }
    let failed = stdout
        .lines()
        .find(|l| l.starts_with("requests:"))
        .and_then(|l| l.split(',').find(|p| p.trim_end().ends_with("failed")))
        .and_then(|p| p.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .unwrap_or(0);
    let status_errors = stdout
        .lines()
        .find(|l| l.starts_with("status codes:"))
        .map(|l| l.split(',').skip(1).filter_map(|p| p.split_whitespace().next()?.parse::<u64>().ok()).sum())
        .unwrap_or(0u64);
    if failed > 0 || status_errors > 0 {
        return Err(format!("h2load: {failed} calls failed, {status_errors} answered with an HTTP error:\n{stdout}"));
    }
    let latencies: Vec<u64> = std::fs::read_to_string(&log)
        .map_err(|e| e.to_string())?
        .lines()
        .filter_map(|l| l.split('\t').nth(2)?.trim().parse().ok())
        .collect();
    if latencies.is_empty() {
        return Err(format!("h2load made no calls:\n{stdout}"));
    }
    Ok(Figures::of(latencies, seconds as f64))
}

impl Figures {
    /// The figures of calls that took `latencies` (microseconds) over
    /// `seconds`; zero when there were none.
    pub fn of(mut latencies: Vec<u64>, seconds: f64) -> Figures {
        if latencies.is_empty() {
            return Figures::default();
        }
        latencies.sort_unstable();
        let percentile = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)] as f64 / 1000.0;
        Figures {
            rate: latencies.len() as f64 / seconds,
            p50: percentile(0.5),
            p99: percentile(0.99),
            calls: latencies.len() as u64,
        }
    }
}

/// A penalty numbered `n`, for writes that are all new records.
pub fn write_request(n: usize, entities: usize) -> pb::RecordPenaltyRequest {
    let decided_on = days_ago(1 + (n % 300) as i64);
    let penalty = pb::Penalty {
        decided_on: date(decided_on),
        violation: "销售不合格产品".into(),
        ..penalty(&format!("沪市监处〔{}〕W{n}号", decided_on.year()), 100_000)
    };
    penalty_request(&format!("bench-write-{n}"), &population::code(n % entities).to_string(), penalty)
}

/// The callers of a load: one client each, spread over `channels`, the
/// bearer header they send, and when they start and stop.
struct Callers {
    clients: Vec<RecordsServiceClient<Channel>>,
    auth: tonic::metadata::MetadataValue<tonic::metadata::Ascii>,
    started: Instant,
    deadline: Instant,
}

impl Callers {
    fn new(channels: &[Channel], token: &str, concurrency: usize, duration: Duration) -> Result<Callers, String> {
        let auth = format!("Bearer {token}").parse().map_err(|_| "the token is not a header value")?;
        let clients = (0..concurrency).map(|t| RecordsServiceClient::new(channels[t % channels.len()].clone())).collect();
        let started = Instant::now();
        Ok(Callers { clients, auth, started, deadline: started + duration })
    }
}

/// `GetProfile` from `concurrency` callers over a few connections for
/// `duration`: of the entity `one` every call, or, when `one` is `None`, of
/// a different entity each call (the `n`-th call reads every 7,919th code
/// of the population from `next`), so that calls go to the store rather
/// than to the cache of credit files until the population is used up.
pub async fn profiles(
    channels: &[Channel],
    token: &str,
    concurrency: usize,
    duration: Duration,
    one: Option<&str>,
    next: Arc<AtomicUsize>,
    entities: usize,
) -> Result<Figures, String> {
    let Callers { clients, auth, started, deadline } = Callers::new(channels, token, concurrency, duration)?;
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            let (auth, next, one) = (auth.clone(), next.clone(), one.map(str::to_string));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let uscc = match &one {
                        Some(code) => code.clone(),
                        None => population::code(next.fetch_add(1, Ordering::Relaxed) * 7919 % entities).to_string(),
                    };
                    let mut request = Request::new(pb::GetProfileRequest { uscc, ..Default::default() });
                    request.metadata_mut().insert("authorization", auth.clone());
                    let sent = Instant::now();
                    client.get_profile(request).await.map_err(|status| format!("GetProfile refused: {status:?}"))?;
                    latencies.push(sent.elapsed().as_micros() as u64);
                }
                Ok::<_, String>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.map_err(|e| e.to_string())??);
    }
    Ok(Figures::of(latencies, started.elapsed().as_secs_f64().max(duration.as_secs_f64())))
}

/// Calls from `concurrency` callers over `channels` for `duration`: the
/// `n`-th call (numbered across callers) is `call(channel, n)`, which
/// answers a tag of the caller's choosing. Every call's tag and latency in
/// microseconds; the first refused call fails the measurement.
pub async fn calls<F, Fut>(
    channels: &[Channel],
    concurrency: usize,
    duration: Duration,
    call: F,
) -> Result<Vec<(usize, u64)>, String>
where
    F: Fn(Channel, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<usize, String>> + Send,
{
    let deadline = Instant::now() + duration;
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let (channel, call, next) = (channels[t % channels.len()].clone(), call.clone(), next.clone());
            tokio::spawn(async move {
                let mut made = Vec::new();
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    let tag = call(channel.clone(), n).await?;
                    made.push((tag, sent.elapsed().as_micros() as u64));
                }
                Ok::<_, String>(made)
            })
        })
        .collect();
    let mut made = Vec::new();
    for task in tasks {
        made.extend(task.await.map_err(|e| e.to_string())??);
    }
    Ok(made)
}

/// Acknowledged writes of one measurement.
pub struct Written {
    pub figures: Figures,
    /// Ledger sequences acknowledged.
    pub sequences: Vec<u64>,
}

/// Writes new penalties from `concurrency` callers over a few connections
/// for `duration`; numbering continues from `next`. With `until_refused`,
/// a caller stops at its first error (the server is being stopped) rather
/// than fail.
pub async fn writes(
    channels: &[Channel],
    token: &str,
    concurrency: usize,
    duration: Duration,
    next: Arc<AtomicUsize>,
    entities: usize,
    until_refused: bool,
) -> Result<Written, String> {
    let Callers { clients, auth, started, deadline } = Callers::new(channels, token, concurrency, duration)?;
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            let (auth, next) = (auth.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut sequences = Vec::new();
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let mut request = Request::new(write_request(n, entities));
                    request.metadata_mut().insert("authorization", auth.clone());
                    let sent = Instant::now();
                    match client.record_penalty(request).await {
                        Ok(answer) => {
                            latencies.push(sent.elapsed().as_micros() as u64);
                            sequences.push(answer.into_inner().record.map_or(0, |r| r.sequence as u64));
                        }
                        Err(_) if until_refused => break,
                        Err(status) => return Err(format!("write {n} refused: {status:?}")),
                    }
                }
                Ok((latencies, sequences))
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut sequences = Vec::new();
    for task in tasks {
        let (l, s) = task.await.map_err(|e| e.to_string())??;
        latencies.extend(l);
        sequences.extend(s);
    }
    let elapsed = started.elapsed().as_secs_f64().max(duration.as_secs_f64());
    Ok(Written { figures: Figures::of(latencies, elapsed), sequences })
}
