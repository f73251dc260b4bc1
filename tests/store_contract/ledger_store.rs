//! The ledger store: records, the Merkle tree, idempotency keys, transactions and notices of other nodes' appends.

use super::*;

use creditregistry::store::Log;

pub(crate) async fn records_come_back_in_order_with_their_tree<S: Backend>() {
    let Fresh { store, dir: _dir, .. } = S::fresh().await;
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
    Backend::close(&store).await;
}

pub(crate) async fn a_repeated_key_fails_the_whole_batch_and_changes_nothing<S: Backend>() {
    let Fresh { store, dir: _dir, .. } = S::fresh().await;
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
    Backend::close(&store).await;
}

/// A ledger transaction is handed the head it locked and appends what it
/// builds on it; a batch built on another head is behind, and one that
/// fails to build appends nothing and leaves the ledger to the next.
pub(crate) async fn a_transaction_appends_what_it_builds_on_the_locked_head<S: Backend>() {
    let Fresh { store, dir: _dir, .. } = S::fresh().await;
    let mut frontier = Frontier::default();
    append(&store, &mut frontier, &[penalty_record(1, CODES[0], "r1", "P-1")]).await.unwrap();
    let mut grown = frontier.clone();
    let built = store
        .transact(|head| {
            let (appended, nodes) = batch(&mut grown, &[penalty_record(head + 1, CODES[1], "r2", "P-2")]);
            async move { Ok::<_, StoreError>(Built { appended, nodes }) }
        })
        .await
        .unwrap();
    assert_eq!(built.appended[0].record.sequence, 2, "built on the head it was handed");
    assert_eq!(store.head().await.unwrap(), 2);
    assert_eq!(store.node_count().await.unwrap(), nodes_in(2));
    frontier = grown;

    let failed = store.transact(|_| async { Err::<Built, _>(StoreError::Inconsistent("admission failed".into())) }).await;
    assert!(matches!(failed, Err(StoreError::Inconsistent(_))));
    let mut stale = frontier.clone();
    let behind = store
        .transact(|_| {
            let (appended, mut nodes) = batch(&mut stale, &[penalty_record(2, CODES[1], "r9", "P-9")]);
            nodes.hashes.clear();
            async move { Ok::<_, StoreError>(Built { appended, nodes }) }
        })
        .await;
    assert!(matches!(behind, Err(StoreError::Behind { head: 2, .. })), "{:?}", behind.err());
    assert_eq!(store.head().await.unwrap(), 2, "neither changed the ledger");
    append(&store, &mut frontier, &[penalty_record(3, CODES[2], "r3", "P-3")]).await.unwrap();
    assert_eq!(store.head().await.unwrap(), 3, "the lock went with them");
    Backend::close(&store).await;
}

/// While one node's transaction holds the ledger, another node's append
/// waits for it, and then finds itself behind (where several nodes serve
/// one store).
pub(crate) async fn a_transaction_holds_other_nodes_appends_back<S: Backend>() {
    if !S::SHARED {
        return;
    }
    let Fresh { store, url, dir: _dir } = S::fresh().await;
    let other = S::another(&url).await;
    let (locked, mut wait_for_lock) = tokio::sync::oneshot::channel::<()>();
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let mut frontier = Frontier::default();
    let mut theirs = frontier.clone();
    let transaction = store.transact(|head| {
        let (appended, nodes) = batch(&mut frontier, &[penalty_record(head + 1, CODES[0], "r1", "P-1")]);
        async move {
            locked.send(()).unwrap();
            released.await.unwrap();
            Ok::<_, StoreError>(Built { appended, nodes })
        }
    });
    let racing = async {
        (&mut wait_for_lock).await.unwrap();
        let records = [penalty_record(1, CODES[1], "r2", "P-2")];
        let append = append(&other, &mut theirs, &records);
        tokio::pin!(append);
        let waited = tokio::time::timeout(std::time::Duration::from_millis(300), &mut append).await.is_err();
        release.send(()).unwrap();
        (waited, append.await)
    };
    let (committed, (waited, raced)) = tokio::join!(transaction, racing);
    committed.unwrap();
    assert!(waited, "the other node's append waited for the transaction");
    assert!(matches!(raced, Err(StoreError::Behind { head: 1, .. })), "{:?}", raced.err());
    assert_eq!(other.head().await.unwrap(), 1);
    Backend::close(&other).await;
    Backend::close(&store).await;
}

/// Where several nodes serve one store, a node is told of the others'
/// appends (the ledger's new size); where one process serves it, there is
/// nothing to tell.
pub(crate) async fn other_nodes_appends_are_noticed<S: Backend>() {
    let Fresh { store, url, dir: _dir } = S::fresh().await;
    let Some(mut notices) = store.ledger_notices() else {
        assert!(!S::SHARED, "a shared store tells of other nodes' appends");
        return;
    };
    let other = S::another(&url).await;
    let mut frontier = Frontier::default();
    // The listener connects in the background: append until it hears.
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut sequence = 0;
        loop {
            sequence += 1;
            let n = sequence.to_string();
            append(&other, &mut frontier, &[penalty_record(sequence, CODES[0], &n, &n)]).await.unwrap();
            if tokio::time::timeout(std::time::Duration::from_millis(200), notices.changed()).await.is_ok() {
                return (*notices.borrow(), sequence);
            }
        }
    })
    .await
    .expect("a notice of another node's append");
    assert_eq!(heard.0, heard.1, "the notice carries the ledger's new size");
    Backend::close(&other).await;
    Backend::close(&store).await;
}
