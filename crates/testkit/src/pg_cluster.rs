//! A throwaway PostgreSQL cluster for tests and the benchmark: made with
//! the PostgreSQL 15 binaries on this machine (`initdb` and `pg_ctl` on
//! `PATH`, or in `/usr/lib/postgresql/15/bin`) in a temporary directory,
//! listening on a free port of 127.0.0.1, stopped and removed when dropped
//! — or, if this process dies first, by a watcher that outlives it. As
//! root (PostgreSQL refuses to run as root) it runs as the `postgres` user
//! through `runuser`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A running cluster; stopped and removed on drop.
#[derive(Debug)]
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    as_postgres: bool,
    /// The server's options, to start it again as it was.
    options: String,
}

/// How the cluster treats durability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `fsync` on, as in production: for measuring.
    Full,
    /// `fsync` off: for tests, where the cluster dies with them.
    Off,
}

impl PgCluster {
    /// Makes and starts a cluster; the error says what was missing or what
    /// failed, with PostgreSQL's own output.
    pub fn start(durability: Durability) -> Result<PgCluster, String> {
        PgCluster::start_with(durability, |_| Ok(Vec::new()))
    }

    /// As `start`, with more server settings (`name=value`) from `settings`,
    /// which is given the cluster's directory to keep files in (a
    /// certificate, say) before the server starts; the files it makes there
    /// are handed to the user the server runs as.
    pub fn start_with(
        durability: Durability,
        settings: impl FnOnce(&Path) -> Result<Vec<String>, String>,
    ) -> Result<PgCluster, String> {
        let bin = binaries()?;
        let as_postgres = is_root();
        let dir =
            std::env::temp_dir().join(format!("creditregistry-pg-{}-{}", std::process::id(), uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut cluster = PgCluster { dir, bin, port: 0, as_postgres, options: String::new() };
        if as_postgres {
            run(Command::new("chown").arg("postgres:postgres").arg(&cluster.dir))?;
        }
        let data = cluster.dir.join("data");
        run(cluster
            .command("initdb")
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
            .arg(&data))?;
        let extra = settings(&cluster.dir)?;
        if as_postgres {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&cluster.dir))?;
        }
        cluster.port = free_port()?;
        let fsync = match durability {
            Durability::Full => "on",
            Durability::Off => "off",
        };
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync={fsync} -c max_connections=200",
            cluster.port,
            cluster.dir.display()
        ) + &extra.iter().map(|setting| format!(" -c {setting}")).collect::<String>();
        cluster.options = options;
        cluster.start_again()?;
        cluster.watch();
        Ok(cluster)
    }

    /// Stops the server at once, as if its postmaster were killed: every
    /// connection is dropped and new ones are refused until `start_again`.
    pub fn stop(&self) -> Result<(), String> {
        run(self.command("pg_ctl").arg("-D").arg(self.data_dir()).args(["-m", "immediate", "-w", "stop"]))
    }

    /// Starts the server again on the same port and data, waiting until it
    /// accepts connections.
    pub fn start_again(&self) -> Result<(), String> {
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-o", &self.options, "-w", "-l"])
            .arg(self.dir.join("log"))
            .arg("start"))
    }

    /// A URL for a new, empty database named `name` (letters, digits, `_`).
    pub async fn database(&self, name: &str) -> Result<String, String> {
        use sqlx::Connection;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("'{name}' is not a plain database name"));
        }
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres")).await.map_err(|e| e.to_string())?;
        sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str()).await.map_err(|e| e.to_string())?;
        let _ = admin.close().await;
        Ok(self.url(name))
    }

    /// The URL of database `name` in this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// A watcher that stops the cluster and removes it once this process
    /// has gone, however it went.
    fn watch(&self) {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            stop = self.pg_ctl_line(),
            data = self.data_dir().display(),
            dir = self.dir.display(),
        );
        let _ = Command::new("sh").args(["-c", &script]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    }

    fn pg_ctl_line(&self) -> String {
        let pg_ctl = self.bin.join("pg_ctl").display().to_string();
        if self.as_postgres { format!("runuser -u postgres -- {pg_ctl}") } else { pg_ctl }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where `initdb` and `pg_ctl` are.
fn binaries() -> Result<PathBuf, String> {
    let debian = Path::new("/usr/lib/postgresql/15/bin");
    if debian.join("initdb").exists() && debian.join("pg_ctl").exists() {
        return Ok(debian.to_path_buf());
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .ok_or_else(|| {
            "PostgreSQL 15's initdb and pg_ctl are neither in /usr/lib/postgresql/15/bin nor on PATH \
             (Debian: apt-get install postgresql-15)"
                .to_string()
        })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command.stdin(Stdio::null()).output().map_err(|e| format!("{command:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
