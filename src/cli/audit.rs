//! `verify`, `verify-receipt` and `export-checks`.

use std::path::PathBuf;

use tokio::runtime::Runtime;

use creditregistry::config::{Config, read_public_keys};
use creditregistry::ledger::signing::hex;
use creditregistry::proto::pb;
use creditregistry::store::{AuditStore, Store};

use super::keys_in_store;

/// `verify`: the store, or the exported segment files when there are any,
/// against `public_keys` beside the store's and the configured keys.
pub fn verify(config: &Config, runtime: &Runtime, public_keys: Vec<PathBuf>, segment_files: Vec<PathBuf>) -> Result<(), String> {
    let mut keys = read_public_keys(&public_keys)?;
    // The configured keys are trusted too, when there are any.
    let configured = config.registry_public_key();
    if let Ok(key) = &configured {
        keys.push(key.clone());
    }
    keys.extend(config.retired_registry_keys()?);
    if !segment_files.is_empty() {
        if let (true, Err(e)) = (keys.is_empty(), configured) {
            return Err(format!("{e}: pass --public-key FILE"));
        }
        return verify_segment_files(&segment_files, &keys);
    }
    runtime.block_on(async {
        let store = Store::open_existing(&config.database_url(), &config.store_settings()).await.map_err(|e| e.to_string())?;
        let report = match creditregistry::audit::stored_keys(&store.audit()).await {
            Ok(stored) if stored.is_empty() && keys.is_empty() => {
                Err("the store holds no registry key (no node has served it) and none is configured: pass --public-key FILE"
                    .to_string())
            }
            Ok(stored) => {
                // Named so that they can be compared with the keys the registry publishes:
                // whoever could write the store could have written a key too.
                let stored_ids: Vec<&str> = stored.iter().map(|k| k.key_id.as_str()).collect();
                let others: Vec<&str> = keys.iter().map(|k| k.key_id.as_str()).filter(|id| !stored_ids.contains(id)).collect();
                let trusted = format!(
                    "registry keys in the store (current first): {}; also trusted: {}",
                    if stored_ids.is_empty() { "none".to_string() } else { stored_ids.join(", ") },
                    if others.is_empty() { "none".to_string() } else { others.join(", ") }
                );
                keys.extend(stored);
                creditregistry::audit::verify::verify((&store.ledger(), &store.audit()), &keys)
                    .await
                    .map(|report| (report, trusted))
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        store.close().await;
        let (report, trusted) = report?;
        outln!("{trusted}");
        outln!("{report}");
        if report.ok() { Ok(()) } else { Err("the store does not verify".into()) }
    })
}

/// `verify-receipt`: the receipt in `receipt`, against `public_keys` or the
/// registry's keys.
pub fn verify_receipt(config: &Config, runtime: &Runtime, public_keys: Vec<PathBuf>, receipt: PathBuf) -> Result<(), String> {
    let keys = if public_keys.is_empty() {
        let stored = keys_in_store(config, runtime).unwrap_or_default();
        let configured = match config.registry_public_key() {
            Ok(key) => Some(key),
            Err(e) if stored.is_empty() => return Err(format!("{e}: pass --public-key FILE")),
            Err(_) => None,
        };
        creditregistry::audit::with_others(stored, configured.into_iter().chain(config.retired_registry_keys()?))
    } else {
        read_public_keys(&public_keys)?
    };
    let bytes = std::fs::read(&receipt).map_err(|e| format!("{}: {e}", receipt.display()))?;
    let body = creditregistry::ledger::signing::verify_receipt(&bytes, &keys)
        .map_err(|e| format!("INVALID receipt {}: {e}", receipt.display()))?;
    out!("{}", describe_receipt(&body));
    Ok(())
}

/// `export-checks`: segment `segment`, or every sealed one not yet
/// exported, into `dir`.
pub fn export_checks(config: &Config, runtime: &Runtime, segment: Option<u64>, dir: PathBuf) -> Result<(), String> {
    runtime.block_on(async {
        let store = Store::open_existing(&config.database_url(), &config.store_settings()).await.map_err(|e| e.to_string())?;
        let exported = export_segments(&store, segment, &dir).await;
        store.close().await;
        exported
    })
}

/// Exports segment `number`, or every sealed one not yet exported, into
/// `dir` (`segments::export_to_dir`).
async fn export_segments(store: &Store, number: Option<u64>, dir: &std::path::Path) -> Result<(), String> {
    let wanted: Vec<u64> = match number {
        Some(n) => vec![n],
        None => store
            .audit()
            .segments()
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .filter(|s| s.exported_at.is_none())
            .map(|s| s.number)
            .collect(),
    };
    if wanted.is_empty() {
        outln!("every sealed check-log segment has been exported");
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for n in wanted {
        let (path, entries) = creditregistry::audit::segments::export_to_dir(&store.audit(), n, dir).await?;
        outln!("segment {n}: {entries} check-log entries written to {}", path.display());
    }
    Ok(())
}

/// Verifies exported segment files, each alone.
fn verify_segment_files(files: &[PathBuf], keys: &[creditregistry::ledger::signing::PublicKey]) -> Result<(), String> {
    let mut failed = 0;
    for path in files {
        let verified = std::fs::File::open(path)
            .map_err(|e| format!("cannot open it: {e}"))
            .and_then(|file| creditregistry::audit::segments::verify_file(std::io::BufReader::new(file), keys));
        match verified {
            Ok(v) => outln!(
                "{}: segment {} of {}, entries {}..={} ({}), verifies",
                path.display(),
                v.head.number,
                v.head.origin,
                v.head.first_sequence,
                v.head.last_sequence,
                v.entries
            ),
            Err(e) => {
                failed += 1;
                outln!("{}: DIVERGENCE: {e}", path.display());
            }
        }
    }
    if failed == 0 { Ok(()) } else { Err(format!("{failed} segment file(s) do not verify")) }
}

/// What a verified receipt attests, for people.
fn describe_receipt(body: &pb::ReceiptBody) -> String {
    let name = |e: i32| pb::Eligibility::try_from(e).map_or("?", |e| e.as_str_name()).trim_start_matches("ELIGIBILITY_");
    let checkpoint = body
        .checkpoint
        .as_ref()
        .and_then(|c| <pb::Checkpoint as prost::Message>::decode(c.checkpoint.as_slice()).ok())
        .unwrap_or_default();
    let mut out = format!(
        "VALID receipt {}\n  issued at        {}\n  caller           {}{}\n  check            {} in {}, evaluated on {}\n",
        body.receipt_id,
        body.issued_at.map(|t| t.to_string()).unwrap_or_default(),
        body.caller_subject,
        if body.caller_organisation.is_empty() { String::new() } else { format!(" ({})", body.caller_organisation) },
        pb::CheckKind::try_from(body.kind).map_or("?", |k| k.as_str_name()),
        pb::MeasureDomain::try_from(body.domain).map_or("?", |d| d.as_str_name()),
        body.evaluated_on.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)).unwrap_or_default(),
    );
    for d in &body.decisions {
        out.push_str(&format!("  {}  {}\n", d.uscc, name(d.eligibility)));
    }
    if body.consortium_eligibility != 0 {
        out.push_str(&format!("  consortium       {}\n", name(body.consortium_eligibility)));
    }
    out.push_str(&format!(
        "  catalogue        {}\n  checkpoint       {} records, root {}\n",
        body.catalogue_version,
        checkpoint.tree_size,
        hex(&checkpoint.root_hash)
    ));
    out
}
