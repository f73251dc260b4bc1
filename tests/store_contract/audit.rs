//! The audit store: the check log, checkpoints and sealed segments.

use super::*;
use creditregistry::audit::block;
use creditregistry::store::{CheckFilter, Log, StoredCheckpoint, StoredSegment};

pub(crate) async fn the_check_log_is_found_by_code_caller_and_time<S: Backend>() {
    let Fresh { store, dir: _dir, .. } = S::fresh().await;
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
    Backend::close(&store).await;
}

/// Checkpoints stored with a spacing are left out (their blocks kept) when
/// the newest stored one is younger than it; without one they are stored.
pub(crate) async fn checkpoints_are_spaced_by_the_store<S: Backend>() {
    let Fresh { store, dir: _dir, .. } = S::fresh().await;
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
    Backend::close(&store).await;
}

/// Sealed segments follow one another and end at a block; only an
/// exported one may leave the live store, and then its blocks and index
/// rows go together while the log's head and chain carry on.
pub(crate) async fn segments_are_sealed_in_order_and_only_exported_ones_leave<S: Backend>() {
    let Fresh { store, dir: _dir, .. } = S::fresh().await;
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
    Backend::close(&store).await;
}
