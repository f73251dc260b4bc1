//! What the micro-benchmarks share beside the test kit: sizes from the
//! environment, tokens that outlast a long run, and a rate meter.

use std::future::Future;
use std::time::Instant;

use creditregistry::auth::{Role, TokenRequest, issue_token};
use creditregistry_testkit::registry::TestRegistry;

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A token of `reg` for `roles`, valid for a day.
pub fn token(reg: &TestRegistry, roles: &[Role], authority: Option<&str>) -> String {
    let request = TokenRequest { ttl_seconds: 24 * 3600, ..reg.token_request("bench", roles, authority) };
    issue_token(&request, &reg.private_key()).expect("token")
}

/// Makes `total` calls `call(client, i)` from `concurrency` tasks, each with
/// its own clone of `client`; returns calls per second.
pub async fn rate<C, F, Fut>(client: C, total: usize, concurrency: usize, call: F) -> f64
where
    C: Clone + Send + 'static,
    F: Fn(C, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let client = client.clone();
            let call = call.clone();
            tokio::spawn(async move {
                for i in (t..total).step_by(concurrency) {
                    call(client.clone(), i).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}
