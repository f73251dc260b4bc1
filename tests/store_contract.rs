//! The store contract: one suite, written once, run against every backend
//! (`store_contract_suite!`, after quickwit's metastore suite). SQLite runs
//! on a fresh file; PostgreSQL on a fresh database of a throwaway cluster
//! that this test binary starts from the PostgreSQL 15 binaries.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};

use creditregistry::audit::block::{self, ChainedCheck, Upgrade};
use creditregistry::domain::record::{Category, Penalty, Record, RecordBody, SeverityTier};
use creditregistry::domain::rules::supervision::InspectionDraw;
use creditregistry::domain::uscc::Uscc;
use creditregistry::ledger::{self, Hash, merkle::Frontier, merkle::nodes_in};
use creditregistry::store::{
    Appended, CheckEntry, CheckFilter, Log, NewNodes, PgSettings, Store, StoreError, StoredCheckpoint, StoredKey, StoredSegment,
};
use creditregistry_testkit::pg_cluster::{Durability, PgCluster};

const CODES: [&str; 3] = ["91110000600037341L", "91310115MA1K3BTP2B", "91340600MA2PBM9HXD"];

/// One throwaway cluster for the whole binary.
static CLUSTER: tokio::sync::OnceCell<PgCluster> = tokio::sync::OnceCell::const_new();

/// A fresh, empty store on `backend`, its URL, and the directory that
/// holds it while it is used (SQLite).
async fn fresh(backend: &str) -> (Store, String, Option<tempfile::TempDir>) {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("registry.db").display());
            (Store::open(&url, &PgSettings::default(), &Upgrade).await.unwrap(), url, Some(dir))
        }
        "postgres" => {
            let cluster = CLUSTER
                .get_or_init(|| async { PgCluster::start(Durability::Off).expect("a throwaway PostgreSQL cluster") })
                .await;
            let name = format!("contract_{}", uuid::Uuid::now_v7().simple());
            let url = cluster.database(&name).await.unwrap();
            (Store::open(&url, &PgSettings::default(), &Upgrade).await.unwrap(), url, None)
        }
        other => panic!("no backend {other}"),
    }
}

fn penalty_record(sequence: u64, uscc: &str, request_id: &str, decision_number: &str) -> Arc<Record> {
    Arc::new(Record {
        id: format!("record-{decision_number}-{sequence}"),
        sequence,
        recorded_at: Utc.timestamp_micros(1_780_000_000_000_000 + sequence as i64).unwrap(),
        uscc: Uscc::parse(uscc).unwrap(),
        authority: "SAMR-310115".into(),
        actor: "officer-1".into(),
        request_id: request_id.into(),
        body: RecordBody::Penalty(Penalty {
            decision_number: decision_number.into(),
            category: Category::ProductQuality,
            severity: SeverityTier::General,
            legal_basis: "产品质量法第四十九条".into(),
            fine_fen: 100_000,
            sanctions: Vec::new(),
            decided_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            violation: "不合格产品".into(),
        }),
    })
}

/// The records as a batch after `frontier`, with the tree nodes they complete.
fn batch(frontier: &mut Frontier, records: &[Arc<Record>]) -> (Vec<Appended>, NewNodes) {
    let mut nodes = NewNodes { first: nodes_in(frontier.size()), hashes: Vec::new() };
    let appended = records
        .iter()
        .map(|record| {
            let bytes = ledger::encode(record);
            let leaf_hash = ledger::leaf_hash(&bytes);
            frontier.push(leaf_hash, &mut nodes.hashes);
            Appended { record: record.clone(), bytes, leaf_hash }
        })
        .collect();
    (appended, nodes)
}

/// Appends `records` after `frontier`, moving it on only if they commit.
async fn append(store: &Store, frontier: &mut Frontier, records: &[Arc<Record>]) -> Result<(), StoreError> {
    let mut grown = frontier.clone();
    let (appended, nodes) = batch(&mut grown, records);
    store.append(&appended, &nodes).await?;
    *frontier = grown;
    Ok(())
}

fn chained(sequence: u64, caller: &str, codes: &[&str], before: Hash) -> ChainedCheck {
    let bytes = format!("entry {sequence}").into_bytes();
    ChainedCheck {
        entry: CheckEntry {
            sequence,
            checked_at: 1_780_000_000_000_000 + sequence as i64 * 1_000_000,
            caller_subject: caller.into(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            chain_hash: ledger::leaf_hash(&[&before[..], &bytes].concat()),
            bytes,
        },
        caller_organisation: format!("{caller}'s office"),
    }
}

async fn records_come_back_in_order_with_their_tree(backend: &str) {
    let (store, _url, _keep) = fresh(backend).await;
    assert_eq!(store.head().await.unwrap(), 0);
    let mut frontier = Frontier::default();
    let first = [penalty_record(1, CODES[0], "r1", "P-1"), penalty_record(2, CODES[1], "", "P-2")];
    append(&store, &mut frontier, &first).await.unwrap();
    let second = [penalty_record(3, CODES[0], "r3", "P-3")];
    append(&store, &mut frontier, &second).await.unwrap();

    assert_eq!(store.head().await.unwrap(), 3);
    let page = store.ledger_page(0, u64::MAX, 10).await.unwrap();
    assert_eq!(page.iter().map(|e| e.sequence).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(page[0].bytes, ledger::encode(&first[0]), "bytes come back exactly");
    assert_eq!(page[0].recorded_at, first[0].recorded_at.timestamp_micros());
    assert_eq!(store.ledger_page(1, 2, 10).await.unwrap().len(), 1, "after and until bound the page");
    assert_eq!(store.ledger_page(0, u64::MAX, 2).await.unwrap().len(), 2, "limit bounds the page");

    let entity = store.entity_ledger(CODES[0], u64::MAX).await.unwrap();
    assert_eq!(entity.iter().map(|e| e.sequence).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(store.entity_ledger(CODES[0], 2).await.unwrap().len(), 1, "until bounds an entity's rows");

    let mut scanned = Vec::new();
    store
        .scan_ledger(1, |e| {
            scanned.push(e.sequence);
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(scanned, [2, 3]);

    let found = store.locate(&[first[1].id.as_str(), "no-such-record"]).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[&first[1].id].sequence, 2);
    assert_eq!(found[&first[1].id].uscc.as_str(), CODES[1]);

    assert_eq!(store.node_count().await.unwrap(), nodes_in(3));
    let all: Vec<u64> = (0..nodes_in(3)).collect();
    let hashes = store.nodes(&all).await.unwrap();
    let stored = store.node_range(0, nodes_in(3)).await.unwrap();
    assert_eq!(stored.iter().map(|(p, _)| *p).collect::<Vec<_>>(), all);
    assert_eq!(stored.iter().map(|(_, h)| h.clone()).collect::<Vec<_>>(), hashes.iter().map(|h| h.to_vec()).collect::<Vec<_>>());
    assert!(store.nodes(&[nodes_in(3)]).await.is_err(), "a missing node is an error, not a guess");
    store.close().await;
}

async fn a_repeated_key_fails_the_whole_batch_and_changes_nothing(backend: &str) {
    let (store, _url, _keep) = fresh(backend).await;
    let mut frontier = Frontier::default();
    append(&store, &mut frontier, &[penalty_record(1, CODES[0], "r1", "P-1")]).await.unwrap();

    // The same request id of the same actor; the same decision number of the
    // same authority: each refused, with the batch's other record.
    let repeats = [penalty_record(3, CODES[1], "r1", "P-9"), penalty_record(3, CODES[1], "r9", "P-1")];
    for repeat in repeats {
        let records = [penalty_record(2, CODES[2], "r2", "P-2"), repeat];
        let err = append(&store, &mut frontier, &records).await.expect_err("a repeated key");
        assert!(err.is_duplicate_key(), "{err}");
        assert_eq!(store.head().await.unwrap(), 1, "nothing of the batch was kept");
        assert_eq!(store.node_count().await.unwrap(), nodes_in(1));
    }

    // A batch that does not go on from the head (numbered against an older
    // ledger, or with a gap) is behind, whatever its keys.
    for sequences in [[1, 2], [2, 4], [3, 4]] {
        let records: Vec<_> =
            sequences.iter().map(|&n| penalty_record(n, CODES[2], &format!("q{n}"), &format!("Q-{n}"))).collect();
        let err = append(&store, &mut frontier, &records).await.expect_err("out of order");
        assert!(matches!(err, StoreError::Behind { log: Log::Ledger, head: 1 }), "{sequences:?}: {err}");
        assert_eq!(store.head().await.unwrap(), 1);
    }

    // After a failed batch the store takes the next as before.
    append(&store, &mut frontier, &[penalty_record(2, CODES[2], "r2", "P-2")]).await.unwrap();
    assert_eq!(store.head().await.unwrap(), 2);

    let found = store
        .existing_keys(
            &[("officer-1".into(), "r1".into()), ("officer-1".into(), "nope".into())],
            &[("SAMR-310115".into(), "P-2".into()), ("SAMR-340600".into(), "P-2".into())],
        )
        .await
        .unwrap();
    assert_eq!(found.keys.requests.len(), 1);
    assert_eq!(found.keys.decisions.len(), 1);
    assert_eq!(found.keys.requests[&("officer-1".to_string(), "r1".to_string())], "record-P-1-1");
    assert_eq!(found.places["record-P-2-2"].sequence, 2);
    store.close().await;
}

async fn the_check_log_is_found_by_code_caller_and_time(backend: &str) {
    let (store, _url, _keep) = fresh(backend).await;
    assert_eq!(store.check_log_head().await.unwrap(), (0, [0; 32]));
    let mut before = [0; 32];
    let mut entries = Vec::new();
    for (sequence, caller, codes) in [(1, "alice", &CODES[..1]), (2, "bob", &CODES[1..]), (3, "alice", &CODES[2..])] {
        let entry = chained(sequence, caller, codes, before);
        before = entry.chain_hash;
        entries.push(entry);
    }
    let first = block::cut(&entries[..2], [0; 32]);
    let second = block::cut(&entries[2..], entries[1].chain_hash);
    let checkpoint = StoredCheckpoint {
        tree_size: 0,
        check_log_size: 2,
        created_at: 1_780_000_000_000_000,
        bytes: b"checkpoint".to_vec(),
        key_id: "key-1".into(),
        signature: vec![7; 64],
    };
    store.append_audit(&first, std::slice::from_ref(&checkpoint), None).await.unwrap();
    store.append_audit(&second, &[], None).await.unwrap();

    assert_eq!(store.check_log_head().await.unwrap(), (3, entries[2].chain_hash));
    let all = store.check_blocks(&CheckFilter::default(), 10).await.unwrap();
    assert_eq!(all.iter().map(|b| (b.first_sequence, b.last_sequence)).collect::<Vec<_>>(), [(1, 2), (3, 3)]);
    let unpacked = block::unpacked(&all[0]).unwrap();
    assert_eq!(
        block::entries(&all[0], &unpacked).unwrap().iter().map(|(s, b)| (*s, b.to_vec())).collect::<Vec<_>>(),
        [(1, b"entry 1".to_vec()), (2, b"entry 2".to_vec())]
    );
    let by_code = CheckFilter { code_key: Some(block::code_key(CODES[2])), ..Default::default() };
    assert_eq!(store.check_blocks(&by_code, 10).await.unwrap().iter().map(|b| b.last_sequence).collect::<Vec<_>>(), [2, 3]);
    let by_caller = CheckFilter { caller_subject: Some("bob".into()), ..Default::default() };
    assert_eq!(store.check_blocks(&by_caller, 10).await.unwrap().iter().map(|b| b.last_sequence).collect::<Vec<_>>(), [2]);
    let late = CheckFilter { from: Some(entries[2].checked_at), ..Default::default() };
    assert_eq!(store.check_blocks(&late, 10).await.unwrap().iter().map(|b| b.last_sequence).collect::<Vec<_>>(), [3]);
    let early = CheckFilter { until: Some(entries[0].checked_at), ..Default::default() };
    assert_eq!(store.check_blocks(&early, 10).await.unwrap().iter().map(|b| b.last_sequence).collect::<Vec<_>>(), [2]);
    assert_eq!(store.check_blocks(&CheckFilter { after: 2, ..Default::default() }, 10).await.unwrap().len(), 1);

    let by_organisation = CheckFilter { organisation: Some("bob's office".into()), ..Default::default() };
    assert_eq!(store.check_blocks(&by_organisation, 10).await.unwrap().iter().map(|b| b.last_sequence).collect::<Vec<_>>(), [2]);

    let d = store.check_index_digests(u64::MAX).await.unwrap();
    assert_eq!((d.codes.rows, d.callers.rows, d.organisations.rows), (4, 3, 3), "one row per distinct value per block");
    let d = store.check_index_digests(2).await.unwrap();
    assert_eq!(
        (d.codes.rows, d.callers.rows, d.organisations.rows),
        (3, 2, 2),
        "rows of blocks ending after `until` are left out"
    );

    // Checkpoints.
    assert_eq!(store.checkpoint(None).await.unwrap(), Some(checkpoint.clone()));
    assert_eq!(store.checkpoint(Some(0)).await.unwrap(), Some(checkpoint.clone()));
    assert_eq!(store.checkpoint(Some(5)).await.unwrap(), None);
    let later = StoredCheckpoint { tree_size: 4, check_log_size: 3, ..checkpoint.clone() };
    store.append_audit(&[], std::slice::from_ref(&later), None).await.unwrap();
    assert_eq!(store.checkpoint(None).await.unwrap(), Some(later.clone()), "the newest is of the largest tree");
    let page = store.checkpoint_page(0, 10).await.unwrap();
    assert_eq!(page.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(page[1].1, later);
    assert_eq!(store.last_checkpoint_id().await.unwrap(), 2);

    // Entries numbered or chained against an older head are behind.
    let stale = block::cut(&entries[2..], entries[1].chain_hash);
    let err = store.append_audit(&stale, &[], None).await.expect_err("numbered against an older head");
    assert!(matches!(err, StoreError::Behind { log: Log::CheckLog, head: 3 }), "{err}");
    let rechained = block::cut(&[chained(4, "alice", &CODES[..1], [9; 32])], [9; 32]);
    let err = store.append_audit(&rechained, &[], None).await.expect_err("chained to another head");
    assert!(matches!(err, StoreError::Behind { log: Log::CheckLog, head: 3 }), "{err}");

    // A failed audit commit gives no checkpoint id away.
    let clash = block::cut(&entries[2..], entries[1].chain_hash);
    assert!(store.append_audit(&clash, std::slice::from_ref(&later), None).await.is_err());
    assert_eq!(store.last_checkpoint_id().await.unwrap(), 2);
    assert_eq!(store.checkpoint_page(0, 10).await.unwrap().len(), 2);
    store.close().await;
}

/// Checkpoints stored with a spacing are left out (their blocks kept) when
/// the newest stored one is younger than it; without one they are stored.
async fn checkpoints_are_spaced_by_the_store(backend: &str) {
    let (store, _url, _keep) = fresh(backend).await;
    let second = 1_000_000;
    let at = |created_at: i64, tree_size: u64| StoredCheckpoint {
        tree_size,
        check_log_size: 0,
        created_at,
        bytes: format!("checkpoint {tree_size}").into_bytes(),
        key_id: "key-1".into(),
        signature: vec![7; 64],
    };
    let spacing = Some(std::time::Duration::from_secs(10));
    let t0 = 1_780_000_000_000_000;
    assert!(store.append_audit(&[], &[at(t0, 1)], spacing).await.unwrap(), "the first is stored");
    let entry = chained(1, "alice", &CODES[..1], [0; 32]);
    let blocks = block::cut(std::slice::from_ref(&entry), [0; 32]);
    assert!(!store.append_audit(&blocks, &[at(t0 + 9 * second, 2)], spacing).await.unwrap(), "9 s after the newest");
    assert_eq!(store.check_log_head().await.unwrap(), (1, entry.chain_hash), "the blocks are stored all the same");
    assert_eq!(store.checkpoint(None).await.unwrap(), Some(at(t0, 1)));
    assert!(store.append_audit(&[], &[at(t0 + 9 * second, 3)], None).await.unwrap(), "without a spacing: stored");
    assert!(!store.append_audit(&[], &[at(t0 + 18 * second, 4)], spacing).await.unwrap(), "9 s after the forced one");
    assert!(store.append_audit(&[], &[at(t0 + 19 * second, 5)], spacing).await.unwrap(), "10 s after it");
    let page = store.checkpoint_page(0, 10).await.unwrap();
    assert_eq!(page.iter().map(|(_, c)| c.tree_size).collect::<Vec<_>>(), [1, 3, 5]);
    store.close().await;
}

/// The registry's keys: the first adopted is current, another node's key
/// does not replace it, rotation retires it and keeps it, a known key is
/// never made current again, and no key is deleted.
async fn the_registry_keys_change_only_by_rotation(backend: &str) {
    let (store, url, _keep) = fresh(backend).await;
    let key = |id: &str, at: i64| StoredKey { key_id: id.into(), public_key: vec![at as u8; 32], added_at: at, retired_at: None };
    assert!(store.registry_keys().await.unwrap().is_empty());
    assert_eq!(store.adopt_registry_key(&key("registry-a", 1)).await.unwrap(), [key("registry-a", 1)]);
    assert_eq!(store.adopt_registry_key(&key("registry-b", 2)).await.unwrap(), [key("registry-a", 1)], "the first stays current");
    assert_eq!(
        store.rotate_registry_key(&key("registry-b", 3)).await.unwrap(),
        Some(StoredKey { retired_at: Some(3), ..key("registry-a", 1) })
    );
    assert_eq!(store.rotate_registry_key(&key("registry-c", 4)).await.unwrap().map(|k| k.key_id), Some("registry-b".into()));
    let keys = store.registry_keys().await.unwrap();
    assert_eq!(
        keys.iter().map(|k| (k.key_id.as_str(), k.retired_at)).collect::<Vec<_>>(),
        [("registry-c", None), ("registry-b", Some(4)), ("registry-a", Some(3)),]
    );
    let err = store.rotate_registry_key(&key("registry-a", 5)).await.expect_err("a retired key");
    assert!(matches!(&err, StoreError::Inconsistent(m) if m.contains("registry-a")), "{err}");
    assert_eq!(store.registry_keys().await.unwrap(), keys, "a refused rotation changes nothing");
    store.close().await;
    let direct = Store::open_existing(&url, &PgSettings::default()).await.unwrap();
    assert_eq!(direct.registry_keys().await.unwrap(), keys);
    direct.close().await;
    // The store itself refuses to lose or change a key.
    for sql in ["DELETE FROM registry_keys", "UPDATE registry_keys SET retired_at = NULL WHERE key_id = 'registry-a'"] {
        let refused = match backend {
            "sqlite" => {
                use sqlx::Connection;
                let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&mut db).await.is_err()
            }
            _ => {
                use sqlx::Connection;
                let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&mut db).await.is_err()
            }
        };
        assert!(refused, "{sql}");
    }
}

async fn a_draw_is_kept_once_per_request(backend: &str) {
    let (store, _url, _keep) = fresh(backend).await;
    let draw = InspectionDraw {
        id: "draw-1".into(),
        region_prefix: "3101".into(),
        seed: vec![1, 2, 3],
        evaluated_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        policy_version: "2026.1".into(),
        drawn_at: Utc.timestamp_nanos(1_780_000_000_123_456_789),
        drawn_by: "regulator-1".into(),
        request_id: "req-1".into(),
        tree_size: 42,
        sampled: CODES.iter().map(|c| Uscc::parse(c).unwrap()).collect(),
    };
    assert_eq!(store.save_draw(&draw).await.unwrap(), draw);
    let again = InspectionDraw { id: "draw-2".into(), seed: vec![9], ..draw.clone() };
    assert_eq!(store.save_draw(&again).await.unwrap(), draw, "the same request answers with the first draw");
    assert_eq!(store.draw("draw-1").await.unwrap(), Some(draw.clone()));
    assert_eq!(store.draw("draw-2").await.unwrap(), None);
    store.close().await;
}

async fn a_store_opened_as_it_is_reads_what_was_written(backend: &str) {
    let (store, url, _keep) = fresh(backend).await;
    let mut frontier = Frontier::default();
    append(&store, &mut frontier, &[penalty_record(1, CODES[0], "r1", "P-1")]).await.unwrap();
    store.close().await;
    let again = Store::open_existing(&url, &PgSettings::default()).await.unwrap();
    assert_eq!(again.head().await.unwrap(), 1);
    again.close().await;
    // Opening and migrating again changes nothing.
    let again = Store::open(&url, &PgSettings::default(), &Upgrade).await.unwrap();
    assert_eq!(again.head().await.unwrap(), 1);
    again.close().await;
}

/// Sealed segments follow one another and end at a block; only an
/// exported one may leave the live store, and then its blocks and index
/// rows go together while the log's head and chain carry on.
async fn segments_are_sealed_in_order_and_only_exported_ones_leave(backend: &str) {
    let (store, _url, _keep) = fresh(backend).await;
    let mut before = [0; 32];
    let mut entries = Vec::new();
    for sequence in 1..=4 {
        let entry = chained(sequence, "alice", &CODES[..1], before);
        before = entry.chain_hash;
        entries.push(entry);
    }
    store.append_audit(&block::cut(&entries[..2], [0; 32]), &[], None).await.unwrap();
    store.append_audit(&block::cut(&entries[2..], entries[1].chain_hash), &[], None).await.unwrap();
    let segment = |number: u64, first: u64, last: u64| StoredSegment {
        number,
        first_sequence: first,
        last_sequence: last,
        min_at: entries[first as usize - 1].checked_at,
        max_at: entries[last as usize - 1].checked_at,
        chain_hash: entries[last as usize - 1].chain_hash,
        head: format!("head {number}").into_bytes(),
        key_id: "key-1".into(),
        signature: vec![7; 64],
        exported_at: None,
        removed_at: None,
    };
    assert_eq!(store.block_span(0, 2).await.unwrap(), (entries[0].checked_at, entries[1].checked_at));
    for (bad, why) in
        [(segment(2, 1, 2), "not numbered 1"), (segment(1, 2, 2), "not from entry 1"), (segment(1, 1, 1), "not at a block's end")]
    {
        assert!(store.seal_segment(&bad).await.is_err(), "{why}");
    }
    assert!(store.seal_segment(&segment(1, 1, 2)).await.unwrap());
    assert!(!store.seal_segment(&segment(1, 1, 2)).await.unwrap(), "sealed by another node first");
    assert!(store.seal_segment(&segment(2, 3, 4)).await.unwrap());

    assert_eq!(store.expired_segments(i64::MAX).await.unwrap(), [0u64; 0], "none exported yet");
    let err = store.remove_segment(1, 5).await.expect_err("not exported");
    assert!(err.to_string().contains("has not been exported"), "{err}");
    store.mark_exported(1, 3).await.unwrap();
    store.mark_exported(1, 4).await.unwrap();
    assert_eq!(store.expired_segments(entries[1].checked_at - 1).await.unwrap(), [0u64; 0], "its newest entry is newer");
    assert_eq!(store.expired_segments(entries[1].checked_at).await.unwrap(), [1]);
    store.remove_segment(1, 5).await.unwrap();
    let segments = store.segments().await.unwrap();
    assert_eq!((segments[0].exported_at, segments[0].removed_at), (Some(3), Some(5)), "the first export time is kept");
    assert_eq!(segments[1].removed_at, None);
    let removed = |filter: CheckFilter| {
        let store = store.clone();
        async move { store.removed_segments(&filter).await.unwrap().iter().map(|s| s.number).collect::<Vec<_>>() }
    };
    assert_eq!(removed(CheckFilter::default()).await, [1], "only removed segments");
    assert_eq!(removed(CheckFilter { until: Some(entries[0].checked_at), ..Default::default() }).await, [1]);
    assert_eq!(removed(CheckFilter { from: Some(entries[1].checked_at + 1), ..Default::default() }).await, [0u64; 0]);
    assert_eq!(removed(CheckFilter { after: 2, ..Default::default() }).await, [0u64; 0], "pages after it do not name it");
    let blocks = store.check_blocks(&CheckFilter::default(), 10).await.unwrap();
    assert_eq!(blocks.iter().map(|b| b.last_sequence).collect::<Vec<_>>(), [4]);
    let d = store.check_index_digests(u64::MAX).await.unwrap();
    assert_eq!((d.codes.rows, d.callers.rows, d.organisations.rows), (1, 1, 1), "the removed block's index rows went too");

    store.mark_exported(2, 6).await.unwrap();
    store.remove_segment(2, 7).await.unwrap();
    assert_eq!(store.check_log_head().await.unwrap(), (4, entries[3].chain_hash), "the head of a log whose blocks all left");
    let next = chained(5, "bob", &CODES[1..2], entries[3].chain_hash);
    store.append_audit(&block::cut(std::slice::from_ref(&next), entries[3].chain_hash), &[], None).await.unwrap();
    assert_eq!(store.check_log_head().await.unwrap(), (5, next.chain_hash));
    store.close().await;
}

macro_rules! store_contract_suite {
    ($($backend:ident),+) => {
        $(
            mod $backend {
                #[tokio::test]
                async fn records_come_back_in_order_with_their_tree() {
                    super::records_come_back_in_order_with_their_tree(stringify!($backend)).await;
                }
                #[tokio::test]
                async fn a_repeated_key_fails_the_whole_batch_and_changes_nothing() {
                    super::a_repeated_key_fails_the_whole_batch_and_changes_nothing(stringify!($backend)).await;
                }
                #[tokio::test]
                async fn the_check_log_is_found_by_code_caller_and_time() {
                    super::the_check_log_is_found_by_code_caller_and_time(stringify!($backend)).await;
                }
                #[tokio::test]
                async fn segments_are_sealed_in_order_and_only_exported_ones_leave() {
                    super::segments_are_sealed_in_order_and_only_exported_ones_leave(stringify!($backend)).await;
                }
                #[tokio::test]
                async fn checkpoints_are_spaced_by_the_store() {
                    super::checkpoints_are_spaced_by_the_store(stringify!($backend)).await;
                }
                #[tokio::test]
                async fn the_registry_keys_change_only_by_rotation() {
                    super::the_registry_keys_change_only_by_rotation(stringify!($backend)).await;
                }
                #[tokio::test]
                async fn a_draw_is_kept_once_per_request() {
                    super::a_draw_is_kept_once_per_request(stringify!($backend)).await;
                }
                #[tokio::test]
                async fn a_store_opened_as_it_is_reads_what_was_written() {
                    super::a_store_opened_as_it_is_reads_what_was_written(stringify!($backend)).await;
                }
            }
        )+
    };
}

store_contract_suite!(sqlite, postgres);

/// TLS to PostgreSQL is set in the URL: with `sslmode=verify-full` and the
/// server's CA as `sslrootcert`, the store's connections are encrypted;
/// with a CA that did not sign the server's certificate, it does not open.
#[tokio::test]
async fn postgres_connections_use_tls_when_the_url_asks() {
    use sqlx::Connection;
    let make_certificates = |dir: &std::path::Path| -> Result<Vec<String>, String> {
        let openssl = |args: &[&str]| {
            let out = std::process::Command::new("openssl").args(args).current_dir(dir).output().map_err(|e| e.to_string())?;
            if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
        };
        for name in ["ca", "other-ca"] {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN={name}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
            ])?;
        }
        openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ])?;
        std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").map_err(|e| e.to_string())?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ])?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("server.key"), std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
        Ok(vec![
            "ssl=on".into(),
            format!("ssl_cert_file={}", dir.join("server.pem").display()),
            format!("ssl_key_file={}", dir.join("server.key").display()),
        ])
    };
    let cluster = PgCluster::start_with(Durability::Off, make_certificates).expect("a cluster with TLS");
    let plain = cluster.database("tls").await.unwrap();
    let dir = cluster.data_dir().parent().unwrap().to_path_buf();
    let url = format!("{plain}?sslmode=verify-full&sslrootcert={}", dir.join("ca.pem").display());
    let store = Store::open(&url, &PgSettings::default(), &Upgrade).await.expect("opens over TLS");
    assert_eq!(store.head().await.unwrap(), 0);
    store.close().await;
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_one(&mut db).await.unwrap();
    assert!(encrypted, "the connection is encrypted");
    let wrong = format!("{plain}?sslmode=verify-full&sslrootcert={}", dir.join("other-ca.pem").display());
    let err = Store::open(&wrong, &PgSettings::default(), &Upgrade).await.expect_err("a server the CA did not sign");
    assert!(!err.to_string().is_empty());
}
