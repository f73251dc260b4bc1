//! The README and the guides in docs/, held to what they say.
//!
//! - Every relative link resolves: the file exists and, for `#anchor`, a
//!   heading of that file makes that anchor.
//! - Every `creditregistry` command in a shell block (and every `$ ` command
//!   shown with its output), with `cargo run [...] --` read as
//!   `creditregistry`, is given to the real binary's argument parser, exactly
//!   as written: an unknown command or flag fails the test. Any other line
//!   must be one of the few other programs the docs name.
//! - The README's two commands and quick start run in full, as written,
//!   against the server its `serve --dev` line starts, then the audit
//!   guide's offline verification of the receipt the quick start saved.
//!
//! The Production section of docs/operations.md runs in full in
//! tests/production.rs.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every docs/*.md, as paths relative to the repository.
fn documents() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| p.strip_prefix(root()).unwrap().to_path_buf())
        .collect();
    docs.sort();
    docs.insert(0, PathBuf::from("README.md"));
    docs
}

fn read(doc: &Path) -> String {
    std::fs::read_to_string(root().join(doc)).unwrap()
}

/// The anchor a Markdown heading gets: lower case, punctuation but `-` and
/// `_` dropped, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Lines outside fenced blocks, and the fenced blocks: (info string, lines).
fn split(text: &str) -> (Vec<&str>, Vec<(&str, Vec<&str>)>) {
    let (mut prose, mut blocks) = (Vec::new(), Vec::new());
    let mut open: Option<(&str, Vec<&str>)> = None;
    for line in text.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim(), Vec::new())),
            (Some(_), Some("")) => blocks.push(open.take().unwrap()),
            (Some((_, lines)), _) => lines.push(line),
            (None, None) => prose.push(line),
        }
    }
    assert!(open.is_none(), "a fenced block is not closed");
    (prose, blocks)
}

fn anchors(doc: &Path) -> BTreeSet<String> {
    let text = read(doc);
    split(&text)
        .0
        .iter()
        .filter_map(|l| l.trim_start_matches('#').strip_prefix(' ').filter(|_| l.starts_with('#')))
        .map(anchor)
        .collect()
}

#[test]
fn every_relative_link_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let text = read(&doc);
        for line in split(&text).0 {
            for (_, rest) in line.match_indices("](").map(|(i, _)| line.split_at(i + 2)) {
                let target = &rest[..rest.find(')').expect("a link closes on its line")];
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                checked += 1;
                let (file, fragment) = target.split_once('#').map_or((target, None), |(f, a)| (f, Some(a)));
                let file = if file.is_empty() { doc.clone() } else { doc.parent().unwrap().join(file) };
                if !root().join(&file).exists() {
                    broken.push(format!("{}: {target}: no file {}", doc.display(), file.display()));
                } else if let Some(fragment) = fragment
                    && !anchors(&file).contains(fragment)
                {
                    broken.push(format!("{}: {target}: no heading of {} makes #{fragment}", doc.display(), file.display()));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_guide_is_linked_from_the_readme() {
    let readme = read(Path::new("README.md"));
    for doc in documents().iter().skip(1) {
        assert!(readme.contains(&format!("]({})", doc.display())), "README.md does not link {}", doc.display());
    }
}

/// A command line of the docs as the shell runs it: `cargo run [...] --`
/// read as the installed binary, `creditregistry`. The benchmark's lines
/// (`cargo run [...] -p creditregistry-bench`) are another binary's, which
/// checks them itself (crates/bench).
fn as_binary(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with("creditregistry ") {
        return Some(line.to_string());
    }
    let (cargo, args) = line.split_once(" -- ")?;
    (cargo.starts_with("cargo run") && !cargo.contains(" -p ")).then(|| format!("creditregistry {args}"))
}

/// Every command line of the docs' shell blocks, and every `$ ` line of
/// their other blocks (a command shown with its output): (document, line).
fn command_lines() -> Vec<(PathBuf, String)> {
    let mut lines = Vec::new();
    for doc in documents() {
        let text = read(&doc);
        for (info, block) in split(&text).1 {
            for line in block {
                let command = match info {
                    "sh" => Some(line.trim()),
                    _ => line.strip_prefix("$ "),
                };
                if let Some(command) = command.filter(|c| !c.is_empty() && !c.starts_with('#')) {
                    lines.push((doc.clone(), command.to_string()));
                }
            }
        }
    }
    lines
}

/// A directory with `creditregistry` on `PATH` (the binary cargo built) and
/// `clients/` as in the repository, where documented lines run as written.
struct Shell {
    dir: tempfile::TempDir,
    path: String,
}

impl Shell {
    fn new() -> Shell {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_creditregistry"), bin.join("creditregistry")).unwrap();
        std::os::unix::fs::symlink(root().join("clients"), dir.path().join("clients")).unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
        Shell { dir, path }
    }

    /// `sh -c LINE` here, with no `CREDITREGISTRY_*` of this process's.
    fn command(&self, line: &str) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(line).current_dir(self.dir.path()).env("PATH", &self.path).env("RUST_LOG", "warn");
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CREDITREGISTRY_") {
                command.env_remove(name);
            }
        }
        command
    }

    fn run(&self, line: &str, env: &[(&str, &str)]) -> Output {
        self.command(line).envs(env.iter().copied()).output().unwrap()
    }

    fn ok(&self, line: &str, env: &[(&str, &str)]) -> String {
        let out = self.run(line, env);
        assert!(out.status.success(), "{line}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
}

/// Whether the binary's argument parser accepts a `creditregistry` line.
/// Every command loads its configuration first, after parsing: pointed at a
/// configuration file that does not exist, a line that parses fails there
/// (exit 1, naming the file) before it does anything, and one that does not
/// is refused by the parser (exit 2).
fn parses(shell: &Shell, line: &str) -> Result<(), String> {
    let config = shell.dir.path().join("parse-only.toml");
    let out = shell.run(line, &[("CREDITREGISTRY_CONFIG", config.to_str().unwrap())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(1) && stderr.contains(&format!("error: config {}", config.display())) {
        Ok(())
    } else {
        Err(format!("exit {:?}: {stderr}", out.status.code()))
    }
}

/// Lines of other programs the docs name, by their first words: each is run
/// elsewhere or cannot run here (see the report of `every_command_parses`).
const OTHER_PROGRAMS: [&str; 7] = [
    "cargo test --locked",
    "cargo bench --bench audit",
    "cargo run --release -p creditregistry-bench",
    "pip install -r clients/python/",
    "python3 clients/python/",
    "createuser --pwprompt registry",
    "export CREDITREGISTRY_",
];

#[test]
fn every_command_parses() {
    let shell = Shell::new();
    assert!(parses(&shell, "creditregistry verify").is_ok());
    assert!(parses(&shell, "creditregistry verify --no-such-flag").is_err(), "an unknown flag must fail");
    assert!(parses(&shell, "creditregistry no-such-command").is_err(), "an unknown command must fail");
    let (mut parsed, mut failed) = (0, Vec::new());
    for (doc, line) in command_lines() {
        match as_binary(&line) {
            Some(binary) => {
                parsed += 1;
                if let Err(e) = parses(&shell, &binary) {
                    failed.push(format!("{}: {line}: {e}", doc.display()));
                }
            }
            None => {
                let known = OTHER_PROGRAMS.iter().any(|p| line.starts_with(p));
                assert!(known, "{}: a command of no known program: {line}", doc.display());
                for path in line.split_whitespace().filter(|w| w.starts_with("clients/")) {
                    assert!(root().join(path).exists(), "{}: {line}: no {path}", doc.display());
                }
            }
        }
    }
    assert!(parsed > 16, "only {parsed} creditregistry lines found");
    assert!(failed.is_empty(), "lines the binary's parser refuses:\n{}", failed.join("\n"));
}

/// The lines of one section (from its `## ` heading to the next) of a
/// document's shell blocks.
fn section_lines(doc: &str, heading: &str) -> Vec<String> {
    let text = read(Path::new(doc));
    let start = text.find(&format!("\n## {heading}\n")).unwrap_or_else(|| panic!("{doc}: no section {heading}"));
    let section = &text[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |end| end + 3)];
    split(section).1.into_iter().filter(|(info, _)| *info == "sh").flat_map(|(_, lines)| lines).map(str::to_string).collect()
}

/// The one line of `lines` that starts with `prefix`.
fn line<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    let found: Vec<&String> = lines.iter().filter(|l| l.starts_with(prefix)).collect();
    assert_eq!(found.len(), 1, "one line starting {prefix} in {lines:?}");
    found[0]
}

fn python_client_available() -> bool {
    let probe = Command::new("python3").args(["-c", "import grpc, google.rpc, google.type"]).status();
    if matches!(probe, Ok(s) if s.success()) {
        return true;
    }
    let how = "pip install -r clients/python/requirements.txt";
    assert!(std::env::var_os("CI").is_none(), "the quick start cannot run: python3 lacks its packages ({how})");
    eprintln!("SKIPPED: the quick start's Python lines; to run them: {how}");
    false
}

#[test]
fn quick_start_runs_as_written() {
    let two = section_lines("README.md", "Two commands");
    let quick = section_lines("README.md", "Quick start: a first penalty and a first look-up");
    let offline = section_lines("docs/audit.md", "Offline verification");
    let binary = |l: &str| as_binary(l).unwrap();
    let shell = Shell::new();

    // The server, by the README's line; only its port is the test's own.
    let serve = binary(line(&two, "cargo run -- serve --dev"));
    let mut server = Server(
        shell
            .command(&format!("exec {serve}"))
            .env("CREDITREGISTRY_LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(server.0.stdout.take().unwrap());
    let started = Instant::now();
    let address = loop {
        let mut printed = String::new();
        assert!(stdout.read_line(&mut printed).unwrap() > 0, "serve --dev exited before serving");
        if let Some(address) = printed.trim().strip_prefix("creditregistry serving gRPC on ") {
            break address.to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "serve --dev did not start");
    };

    // Tokens, as the README makes them for your own calls.
    let enforcement = shell.ok(&binary(line(&quick, "cargo run -q -- token --role enforcement")), &[]);
    let procurement = shell.ok(&binary(line(&quick, "cargo run -q -- token --role procurement")), &[]);
    assert_eq!(enforcement.trim().split('.').count(), 3, "a JWT: {enforcement}");
    // The registry's public key, from the server's data directory.
    shell.ok(&binary(line(&quick, "cargo run -q -- registry-key")), &[]);
    assert!(std::fs::read_to_string(shell.dir.path().join("registry.pub.pem")).unwrap().contains("BEGIN PUBLIC KEY"));

    if python_client_available() {
        // The quick start, given the server's address and the tokens above
        // (it would otherwise build them with cargo).
        let quickstart = format!("{} --target {address}", line(&quick, "python3 clients/python/quickstart.py"));
        let out = shell.ok(
            &quickstart,
            &[("CREDITREGISTRY_ENFORCEMENT_TOKEN", enforcement.trim()), ("CREDITREGISTRY_TOKEN", procurement.trim())],
        );
        assert!(out.contains("<- just recorded"), "{out}");
        assert!(out.contains("declared name: EXACT"), "{out}");
        let verified = shell.ok(&binary(line(&quick, "cargo run -q -- verify-receipt")), &[]);
        assert!(verified.contains("VALID receipt"), "{verified}");
        for offline in &offline {
            shell.ok(offline, &[]);
        }
    }
}

/// The server a test started, stopped when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
