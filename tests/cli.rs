//! The command line as a shell uses it.

use std::process::Command;

/// A command whose output is piped to a reader that has gone (`| head`)
/// ends quietly with success, as any program writing to a pipe does,
/// never with a panic and a backtrace.
#[test]
fn a_command_whose_reader_has_gone_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_creditregistry"))
        .args(["keygen", "registry"])
        .arg(dir.path().join("registry.pem"))
        .env("RUST_BACKTRACE", "1")
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
    assert!(dir.path().join("registry.pub.pem").exists(), "the key was still made");
}
