//! docs/operations.md, "Production: PostgreSQL and several nodes", run as
//! written: every `creditregistry` and `export` line of its shell blocks is
//! run here, in order, through the real binary, against this test binary's own
//! PostgreSQL cluster and two nodes: keygen, migrate, serve on two nodes,
//! tokens, verify from the store's keys, key rotation.
//!
//! Four values cannot be the guide's own: the database URL (the guide
//! names `db.internal` and `restore-host`; here the test's database), each
//! node's listen address (the guide's `0.0.0.0:50051` on every node; here a
//! free port of 127.0.0.1 per node, both on one machine), and the TLS
//! certificate and key the guide's lines name (issued here by a CA of the
//! test's own, which its clients trust).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Bearer, CODES, penalty, penalty_request};
use creditregistry::proto::pb;
use creditregistry::proto::pb::audit_service_client::AuditServiceClient;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;
use creditregistry_testkit::tls::{Ca, Validity};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

/// The `creditregistry` and `export` lines of the operations guide's Production
/// section's shell blocks, comments dropped.
fn guide_lines() -> BTreeSet<String> {
    let guide = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/operations.md")).unwrap();
    let start = guide.find("\n## Production: PostgreSQL and several nodes\n").expect("the Production section");
    let section = &guide[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |end| end + 3)];
    let mut lines = BTreeSet::new();
    let mut in_shell = false;
    for line in section.lines() {
        match line.trim() {
            "```sh" => in_shell = true,
            "```" => in_shell = false,
            l if in_shell && (l.starts_with("creditregistry ") || l.starts_with("export ")) => {
                lines.insert(l.split(" #").next().unwrap().trim().to_string());
            }
            _ => {}
        }
    }
    lines
}

/// Runs the guide's lines in one directory, with `creditregistry` on `PATH`.
struct Shell {
    dir: tempfile::TempDir,
    path: String,
    env: BTreeMap<String, String>,
    database_url: String,
    guide: BTreeSet<String>,
    ran: BTreeSet<String>,
    /// Issued the certificate in `tls/`, which the guide's lines name.
    ca: Ca,
}

impl Shell {
    fn new(database_url: String) -> Shell {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_creditregistry"), bin.join("creditregistry")).unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
        let ca = Ca::new("Registry test CA");
        std::fs::create_dir(dir.path().join("tls")).unwrap();
        ca.server(Validity::Current).write(&dir.path().join("tls"), "registry");
        Shell { dir, path, env: BTreeMap::new(), database_url, guide: guide_lines(), ran: BTreeSet::new(), ca }
    }

    fn work(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// A line of the guide: `export` sets a variable for the lines after it (the
    /// database URL is the test's); any other runs in `sh`.
    fn command(&mut self, line: &str, listen: Option<&str>) -> Option<Command> {
        assert!(self.guide.contains(line), "not a line of the operations guide's Production section: {line}");
        self.ran.insert(line.to_string());
        if let Some(assignment) = line.strip_prefix("export ") {
            let (name, value) = assignment.split_once('=').unwrap();
            let value = match name {
                "CREDITREGISTRY_DATABASE_URL" => self.database_url.clone(),
                _ => value.trim_matches('\'').to_string(),
            };
            self.env.insert(name.to_string(), value);
            return None;
        }
        let mut command = Command::new("sh");
        command.arg("-c").arg(format!("exec {line}")).current_dir(self.dir.path());
        // Nothing from this process's environment but what a shell needs.
        command.env_clear().env("PATH", &self.path).env("HOME", self.dir.path()).envs(&self.env);
        command.env("CREDITREGISTRY_DATABASE_URL", self.env.get("CREDITREGISTRY_DATABASE_URL").unwrap_or(&self.database_url));
        if let Some(listen) = listen {
            command.env("CREDITREGISTRY_LISTEN", listen);
        }
        command.env("RUST_LOG", "warn");
        Some(command)
    }

    fn export(&mut self, line: &str) {
        assert!(line.starts_with("export "));
        self.command(line, None);
    }

    /// Runs a line to its end.
    fn run(&mut self, line: &str) -> Output {
        self.command(line, None).unwrap().output().unwrap()
    }

    /// Runs a line that must succeed; its standard output.
    fn ok(&mut self, line: &str) -> String {
        let out = self.run(line);
        assert!(out.status.success(), "{line}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Starts `creditregistry serve` on `listen`, its log in a file.
    fn serve(&mut self, line: &str, listen: &str) -> Node {
        let log = self.dir.path().join(format!("node-{}.log", listen.replace([':', '.'], "-")));
        let file = std::fs::File::create(&log).unwrap();
        let child = self.command(line, Some(listen)).unwrap().stdout(Stdio::null()).stderr(file).spawn().unwrap();
        Node { child, addr: listen.to_string(), log, ca: self.ca.pem.clone() }
    }
}

struct Node {
    child: Child,
    addr: String,
    log: PathBuf,
    /// The CA that issued the nodes' certificate, PEM.
    ca: String,
}

impl Node {
    async fn channel(&mut self) -> Channel {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the node exited ({status}): {}", std::fs::read_to_string(&self.log).unwrap_or_default());
            }
            let tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&self.ca)).domain_name("localhost");
            let endpoint = Channel::from_shared(format!("https://{}", self.addr)).unwrap().tls_config(tls).unwrap();
            if let Ok(channel) = endpoint.connect().await {
                let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
                if health.check(tonic_health::pb::HealthCheckRequest::default()).await.is_ok() {
                    return channel;
                }
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the node on {} did not serve", self.addr);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the node as an operator does (SIGTERM) and waits for it.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the node stopped cleanly: {status}");
    }
}

fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

fn token(shell: &Shell, file: &str) -> String {
    std::fs::read_to_string(shell.work().join(file)).unwrap().trim().to_string()
}

fn key_id_of(shell: &Shell, private_key: &str) -> String {
    creditregistry::ledger::signing::RegistryKey::from_pem_file(&shell.work().join(private_key)).unwrap().public().key_id.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_production_section_runs_as_written() {
    let mut sh = Shell::new(common::fresh_postgres_database().await);

    sh.export("export CREDITREGISTRY_DATABASE_URL='postgres://registry:PASSWORD@db.internal:5432/registry?sslmode=verify-full&sslrootcert=/etc/creditregistry/db-ca.pem'");
    assert!(sh.ok("creditregistry migrate").contains("schema up to date"));

    let made = sh.ok("creditregistry keygen registry keys/registry.pem");
    let first_key = key_id_of(&sh, "keys/registry.pem");
    assert!(made.contains(&first_key), "{made}");
    sh.ok("creditregistry keygen token keys/token-ops.pem");
    for file in ["keys/registry.pem", "keys/registry.pub.pem", "keys/token-ops.pem", "keys/token-ops.pub.pem"] {
        assert!(sh.work().join(file).exists(), "{file}");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(sh.work().join("keys/registry.pem")).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "a private key is its owner's only");
    let again = sh.run("creditregistry keygen registry keys/registry.pem");
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("never overwritten"));
    assert_eq!(key_id_of(&sh, "keys/registry.pem"), first_key, "the key is not replaced");

    sh.export("export CREDITREGISTRY_SIGNING_KEY=keys/registry.pem");
    sh.export("export CREDITREGISTRY_AUTH_KEYS=ops-2026:EdDSA:keys/token-ops.pub.pem");
    sh.export("export CREDITREGISTRY_TLS_CERT=tls/registry.pem");
    sh.export("export CREDITREGISTRY_TLS_KEY=tls/registry.key");
    sh.export("export CREDITREGISTRY_LISTEN=0.0.0.0:50051");
    let mut a = sh.serve("creditregistry serve", &free_address());
    let mut b = sh.serve("creditregistry serve", &free_address());

    sh.ok(r#"creditregistry token --key keys/token-ops.pem --kid ops-2026 --role enforcement --authority example:sh-pudong-amr --org "Pudong AMR" > officer.jwt"#);
    sh.ok(r#"creditregistry token --key keys/token-ops.pem --kid ops-2026 --role auditor --org "Provincial audit office" > auditor.jwt"#);
    let (officer, auditor) = (token(&sh, "officer.jwt"), token(&sh, "auditor.jwt"));

    // A write on one node, read on the other; a checkpoint.
    let mut writer = RecordsServiceClient::new(InterceptedService::new(a.channel().await, Bearer::new(&officer)));
    let written = writer.record_penalty(penalty_request("p-1", CODES[0], penalty("P-1", 100_000))).await.unwrap().into_inner();
    let sequence = written.record.unwrap().sequence;
    let mut reader = RecordsServiceClient::new(InterceptedService::new(b.channel().await, Bearer::new(&auditor)));
    let profile = reader
        .get_profile(pb::GetProfileRequest { uscc: CODES[0].into(), min_sequence: sequence, ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(profile.total_records, 1);
    let mut audit = AuditServiceClient::new(InterceptedService::new(b.channel().await, Bearer::new(&auditor)));
    audit.create_checkpoint(pb::CreateCheckpointRequest::default()).await.unwrap();

    // Verify with nothing but the database URL: the keys come from the store.
    let mut verify_env = Shell::new(sh.database_url.clone());
    verify_env.export("export CREDITREGISTRY_DATABASE_URL=postgres://registry@restore-host/registry");
    let report = verify_env.ok("creditregistry verify");
    assert!(report.contains("the store verifies"), "{report}");

    // Rotation: a new key made the registry's; the nodes restarted with it.
    sh.ok("creditregistry keygen registry keys/registry-2027.pem");
    let new_key = key_id_of(&sh, "keys/registry-2027.pem");
    let rotated = sh.ok("creditregistry rotate-key keys/registry-2027.pem");
    assert!(rotated.contains(&new_key) && rotated.contains(&first_key), "{rotated}");
    a.stop();
    // A node still configured with the retired key refuses to start, naming both.
    let refused = sh.command("creditregistry serve", Some(&free_address())).unwrap().output().unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && stderr.contains(&first_key) && stderr.contains(&new_key), "{stderr}");
    sh.export("export CREDITREGISTRY_SIGNING_KEY=keys/registry-2027.pem");
    let mut a = sh.serve("creditregistry serve", &free_address());
    b.stop();
    let mut b = sh.serve("creditregistry serve", &free_address());

    let mut writer = RecordsServiceClient::new(InterceptedService::new(b.channel().await, Bearer::new(&officer)));
    writer.record_penalty(penalty_request("p-2", CODES[1], penalty("P-2", 100_000))).await.unwrap();
    let mut audit = AuditServiceClient::new(InterceptedService::new(a.channel().await, Bearer::new(&auditor)));
    let signed = audit.create_checkpoint(pb::CreateCheckpointRequest::default()).await.unwrap().into_inner();
    assert_eq!(signed.checkpoint.unwrap().key_id, new_key);
    let published = audit.get_registry_keys(pb::GetRegistryKeysRequest {}).await.unwrap().into_inner().keys;
    assert_eq!(
        published.iter().map(|k| (k.key_id.as_str(), k.retired)).collect::<Vec<_>>(),
        [(new_key.as_str(), false), (first_key.as_str(), true)]
    );
    let report = verify_env.ok("creditregistry verify");
    assert!(report.contains("the store verifies"), "checkpoints of both keys verify: {report}");
    // The README has the keys verify names compared with those the registry publishes.
    assert!(report.contains(&format!("registry keys in the store (current first): {new_key}, {first_key};")), "{report}");
    a.stop();
    b.stop();

    // Every line of the section was run.
    let ran: BTreeSet<String> = sh.ran.union(&verify_env.ran).cloned().collect();
    let missed: Vec<&String> = sh.guide.difference(&ran).collect();
    assert!(missed.is_empty(), "lines of the operations guide not run: {missed:?}");
}
