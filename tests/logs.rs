//! The server's logs as an operator's collector reads them: JSON lines when
//! standard error is not a terminal, one per answered request with its
//! method, request id, caller, gRPC code and latency, and never a token.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use creditregistry::proto::pb;
use creditregistry::proto::pb::records_service_client::RecordsServiceClient;
use creditregistry_testkit::tokens::Bearer;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

const BINARY: &str = env!("CARGO_BIN_EXE_creditregistry");

#[tokio::test]
async fn each_request_is_one_json_line_with_its_caller_code_and_latency_and_no_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Command::new(BINARY)
        .args(["serve", "--dev", "--listen", "127.0.0.1:0"])
        .env("CREDITREGISTRY_DATA_DIR", dir.path())
        .env("RUST_LOG", "info,creditregistry::requests=debug")
        .env_remove("CREDITREGISTRY_CONFIG")
        .env_remove("CREDITREGISTRY_LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let addr = first.trim().rsplit(' ').next().unwrap().to_string();
    let token = Command::new(BINARY)
        .args(["token", "--role", "procurement", "--subject", "platform-7", "--org", "Platform Seven"])
        .env("CREDITREGISTRY_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();

    let channel = Channel::from_shared(format!("http://{addr}")).unwrap().connect().await.unwrap();
    let mut client = RecordsServiceClient::new(InterceptedService::new(channel, Bearer::new(&token)));
    let mut found = tonic::Request::new(pb::SearchEntitiesRequest { query: "华腾科技".into(), limit: 1 });
    found.metadata_mut().insert("x-request-id", "tender-2026-0042".parse().unwrap());
    client.search_entities(found).await.unwrap();
    let refused = client.search_entities(pb::SearchEntitiesRequest { query: String::new(), limit: 1 }).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);

    assert!(Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap().success());
    // Waited for off this runtime, which must go on answering the server's
    // goodbye on the open connection: the server drains its connections.
    let output = tokio::task::spawn_blocking(move || server.wait_with_output()).await.unwrap().unwrap();
    drop(client);
    let log = String::from_utf8(output.stderr).unwrap();
    assert!(!log.contains(&token), "a token never appears in the log");
    assert!(!log.contains('\u{1b}'), "no terminal colour codes in a file");
    let lines: Vec<serde_json::Value> =
        log.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))).collect();
    let answered: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| {
            l["fields"]["message"] == "answered" && l["span"]["method"] == "/creditregistry.v1.RecordsService/SearchEntities"
        })
        .collect();
    assert_eq!(answered.len(), 2, "one line per answered search: {log}");
    let ok = answered.iter().find(|l| l["fields"]["code"] == "OK").expect("the search answered OK");
    assert_eq!(ok["level"], "DEBUG");
    assert_eq!(ok["span"]["request_id"], "tender-2026-0042", "the caller's request id is kept");
    assert_eq!(ok["span"]["subject"], "platform-7");
    assert_eq!(ok["span"]["organisation"], "Platform Seven");
    assert!(ok["fields"]["latency_us"].as_u64().is_some(), "{ok}");
    let bad = answered.iter().find(|l| l["fields"]["code"] == "INVALID_ARGUMENT").expect("the empty query refused");
    assert_eq!(bad["level"], "INFO");
    assert_eq!(bad["span"]["request_id"].as_str().map(str::len), Some(36), "a request id is made when none is sent: {bad}");
}
