//! The server under test: this binary run with `--serve`, in a process of
//! its own, on a data directory the benchmark seeded; the tokens its
//! callers send.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tonic::Request;
use tonic::transport::Channel;

use creditregistry::auth::{Role, TokenRequest};
use creditregistry::config::Config;
use creditregistry::proto::pb;
use creditregistry_testkit::records::AUTHORITY;
use creditregistry_testkit::registry;
use creditregistry_testkit::tokens::TokenKey;

/// Serves the registry the environment configures on `listen`, its
/// development key trusted (as `serve --dev` trusts it) and the test kit's
/// authority directory read (which lists the authority the benchmark writes
/// as), until SIGTERM.
pub fn serve(listen: SocketAddr) -> Result<(), String> {
    let mut config = Config::load(None)?;
    config.listen = listen;
    // On 127.0.0.1, as `serve --dev` serves.
    config.tls.plaintext = true;
    config.policy.authority_directory.get_or_insert_with(|| registry::fixture("authorities.toml"));
    TokenKey::of(&config)?.trust(&mut config);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async { registry::start(&mut config).await?.wait_for_signal().await })
}

/// The server under test, in its own process.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// A server on the SQLite store of data directory `dir`.
    pub fn spawn(dir: &Path) -> Result<Server, String> {
        Server::spawn_on(dir, None, "server.log")
    }

    /// A server on the data directory `dir` (keys; the SQLite store unless
    /// `database_url` names another), logging to `log` in it.
    pub fn spawn_on(dir: &Path, database_url: Option<&str>, log: &str) -> Result<Server, String> {
        Server::spawn_with(dir, database_url, log, &[])
    }

    /// `spawn_on`, with settings in the server's environment.
    pub fn spawn_with(dir: &Path, database_url: Option<&str>, log: &str, env: &[(&str, &str)]) -> Result<Server, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let log = std::fs::File::create(dir.join(log)).map_err(|e| e.to_string())?;
        let mut command = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
        command.args(["--serve", &format!("127.0.0.1:{port}")]).env("CREDITREGISTRY_DATA_DIR", dir);
        command.envs(env.iter().copied());
        match database_url {
            Some(url) => command.env("CREDITREGISTRY_DATABASE_URL", url),
            None => command.env_remove("CREDITREGISTRY_DATABASE_URL"),
        };
        let child = command
            .env_remove("CREDITREGISTRY_SIGNING_KEY")
            .env_remove("CREDITREGISTRY_CONFIG")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        Ok(Server { child, port })
    }

    /// Waits until health says SERVING; how long since `since`.
    pub async fn serving(&mut self, since: Instant) -> Result<Duration, String> {
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
    pub fn rss(&self) -> u64 {
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
    pub async fn terminate(mut self) -> Result<(Duration, bool), String> {
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

    pub async fn channel(&self) -> Result<Channel, String> {
        Channel::from_shared(format!("http://127.0.0.1:{}", self.port)).expect("a URL").connect().await.map_err(|e| e.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The callers' tokens: a procurement platform, an auditor, an enforcement bureau.
pub struct Tokens {
    pub reader: String,
    pub auditor: String,
    pub writer: String,
}

/// Tokens for the registry of data directory `dir`, valid for a day.
pub fn tokens(dir: &Path) -> Result<Tokens, String> {
    let config = Config { data_dir: dir.to_path_buf(), ..Config::default() };
    let key = TokenKey::of(&config)?;
    let token = |subject: &str, role: Role, authority: Option<&str>| {
        let request = key.request(&config, subject, &[role], authority);
        key.sign(&TokenRequest { organisation: Some("bench".into()), ttl_seconds: 24 * 3600, ..request })
    };
    Ok(Tokens {
        reader: token("bench-platform", Role::Procurement, None)?,
        auditor: token("bench-auditor", Role::Auditor, None)?,
        writer: token("bench-bureau", Role::Enforcement, Some(AUTHORITY))?,
    })
}

/// Entries in the check log, once every check answered so far is in it (a
/// checkpoint is signed after the entries queued before it are stored).
pub async fn check_log_size(
    audit: &mut pb::audit_service_client::AuditServiceClient<Channel>,
    token: &str,
) -> Result<u64, String> {
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

/// `message` with the bearer header of `token`.
pub fn authed<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().expect("a token"));
    request
}
