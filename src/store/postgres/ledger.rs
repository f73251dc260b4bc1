//! The PostgreSQL ledger store: appends from every node in turn on the
//! head row, and notices of other nodes' appends.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{Postgres, Transaction};

use super::{LEDGER_CHANNEL, PgStore};
use crate::ledger::Hash;
use crate::store::rows::{self, clamp};
use crate::store::{Appended, FoundKeys, LedgerStore, Located, Log, NewNodes, StoreError, StoredEntry, ToAppend};

impl PgStore {
    /// Appends a batch in `tx`, which holds the head row locked at `head`,
    /// and commits.
    async fn append_in(
        &self,
        mut tx: Transaction<'static, Postgres>,
        head: u64,
        batch: &[Appended],
        nodes: &NewNodes,
    ) -> Result<(), StoreError> {
        let Some(last) = batch.last() else {
            tx.commit().await?;
            return Ok(());
        };
        let in_order = batch.iter().zip(head + 1..).all(|(a, sequence)| a.record.sequence == sequence);
        if !in_order {
            return Err(StoreError::Behind { log: Log::Ledger, head });
        }
        let records = || batch.iter().map(|a| &a.record);
        let numbered: Vec<(&str, &str, i64)> =
            records().filter_map(|r| Some((r.authority.as_str(), r.body.unique_decision_number()?, r.sequence as i64))).collect();
        // One statement, one round trip: every row as arrays, unnested.
        sqlx::query(
            "WITH ledger_rows AS (
                 INSERT INTO ledger (sequence, record_id, recorded_at, uscc, authority, actor, request_id, kind, record)
                 SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
                                      $7::TEXT[], $8::TEXT[], $9::BYTEA[])
             ), number_rows AS (
                 INSERT INTO decision_numbers (authority, decision_number, sequence)
                 SELECT * FROM UNNEST($10::TEXT[], $11::TEXT[], $12::BIGINT[])
             ), node_rows AS (
                 INSERT INTO merkle_nodes (position, hash) SELECT * FROM UNNEST($13::BIGINT[], $14::BYTEA[])
             ), head AS (
                 UPDATE ledger_head SET size = $15
             )
             SELECT pg_notify($16, $15::TEXT)",
        )
        .bind(records().map(|r| r.sequence as i64).collect::<Vec<_>>())
        .bind(records().map(|r| r.id.as_str()).collect::<Vec<_>>())
        .bind(records().map(|r| r.recorded_at.timestamp_micros()).collect::<Vec<_>>())
        .bind(records().map(|r| r.uscc.as_str()).collect::<Vec<_>>())
        .bind(records().map(|r| r.authority.as_str()).collect::<Vec<_>>())
        .bind(records().map(|r| r.actor.as_str()).collect::<Vec<_>>())
        .bind(records().map(|r| (!r.request_id.is_empty()).then_some(r.request_id.as_str())).collect::<Vec<_>>())
        .bind(records().map(|r| r.body.kind()).collect::<Vec<_>>())
        .bind(batch.iter().map(|a| a.bytes.as_slice()).collect::<Vec<_>>())
        .bind(numbered.iter().map(|n| n.0).collect::<Vec<_>>())
        .bind(numbered.iter().map(|n| n.1).collect::<Vec<_>>())
        .bind(numbered.iter().map(|n| n.2).collect::<Vec<_>>())
        .bind((nodes.first..).take(nodes.hashes.len()).map(clamp).collect::<Vec<_>>())
        .bind(nodes.hashes.iter().map(|h| &h[..]).collect::<Vec<_>>())
        .bind(clamp(last.record.sequence))
        .bind(LEDGER_CHANNEL)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl LedgerStore for PgStore {
    async fn head(&self) -> Result<u64, StoreError> {
        self.sql.head().await
    }

    async fn node_count(&self) -> Result<u64, StoreError> {
        self.sql.node_count().await
    }

    async fn node_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.sql.node_range(from, to).await
    }

    async fn ledger_page(&self, after: u64, until: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        self.sql.ledger_page(after, until, limit).await
    }

    async fn entity_ledger(&self, uscc: &str, until: u64) -> Result<Vec<StoredEntry>, StoreError> {
        self.sql.entity_ledger(uscc, until).await
    }

    async fn scan_ledger(
        &self,
        after: u64,
        each: impl FnMut(StoredEntry) -> Result<(), StoreError> + Send,
    ) -> Result<(), StoreError> {
        self.sql.scan_ledger(after, each).await
    }

    /// A batch in one transaction, under the lock on the head row.
    async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        self.transact(async |_| Ok::<_, StoreError>((batch, nodes))).await.map(|_| ())
    }

    /// Appends from every node take their turns on the head row: the lock
    /// is a transaction holding it, in which the batch is appended.
    async fn transact<B, F, Fut, E>(&self, build: F) -> Result<B, E>
    where
        B: ToAppend + Send,
        F: FnOnce(u64) -> Fut + Send,
        Fut: Future<Output = Result<B, E>> + Send,
        E: From<StoreError> + Send,
    {
        let locked = async {
            let mut tx = self.sql.ledger.begin().await?;
            let head: i64 = sqlx::query_scalar("SELECT size FROM ledger_head FOR UPDATE").fetch_one(&mut *tx).await?;
            Ok::<_, StoreError>((tx, head as u64))
        };
        let (tx, head) = match locked.await {
            Ok(locked) => locked,
            Err(e) => return Err(self.explain(e).await.into()),
        };
        let built = build(head).await?;
        let (batch, nodes) = built.to_append();
        match self.append_in(tx, head, batch, nodes).await {
            Ok(()) => Ok(built),
            Err(e) => Err(self.explain(e).await.into()),
        }
    }

    async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError> {
        let wanted: Vec<i64> = positions.iter().map(|p| *p as i64).collect();
        let rows = sqlx::query("SELECT position, hash FROM merkle_nodes WHERE position = ANY($1)")
            .bind(&wanted)
            .fetch_all(&self.sql.ledger)
            .await?;
        rows::nodes_in_order(positions, &rows)
    }

    async fn existing_keys(
        &self,
        requests: &[(String, String)],
        decisions: &[(String, String)],
    ) -> Result<FoundKeys, StoreError> {
        // Each kind of key as two parallel arrays, joined on its unique index.
        let (actors, request_ids): (Vec<&str>, Vec<&str>) = requests.iter().map(|(a, b)| (a.as_str(), b.as_str())).unzip();
        let (authorities, numbers): (Vec<&str>, Vec<&str>) = decisions.iter().map(|(a, b)| (a.as_str(), b.as_str())).unzip();
        let rows = sqlx::query(
            "SELECT 0::BIGINT AS t, k.a, k.b, l.record_id, l.uscc, l.sequence, l.record
               FROM UNNEST($1::TEXT[], $2::TEXT[]) AS k(a, b)
               JOIN ledger l ON l.actor = k.a AND l.request_id = k.b
             UNION ALL
             SELECT 1::BIGINT, k.a, k.b, l.record_id, l.uscc, l.sequence, l.record
               FROM UNNEST($3::TEXT[], $4::TEXT[]) AS k(a, b)
               JOIN decision_numbers d ON d.authority = k.a AND d.decision_number = k.b
               JOIN ledger l ON l.sequence = d.sequence",
        )
        .bind(&actors)
        .bind(&request_ids)
        .bind(&authorities)
        .bind(&numbers)
        .fetch_all(&self.sql.ledger)
        .await?;
        let mut found = FoundKeys::default();
        for row in rows {
            rows::found_key(&mut found, &row)?;
        }
        Ok(found)
    }

    async fn locate(&self, record_ids: &[&str]) -> Result<HashMap<String, Located>, StoreError> {
        let rows = sqlx::query("SELECT record_id, uscc, sequence, record FROM ledger WHERE record_id = ANY($1)")
            .bind(record_ids)
            .fetch_all(&self.sql.ledger)
            .await?;
        rows.iter().map(rows::located).collect()
    }

    /// Listens on `LEDGER_CHANNEL` from a connection of its own, listening
    /// again after the connection is lost (notices sent meanwhile are
    /// lost; the writer also polls).
    fn ledger_notices(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        let (tx, rx) = tokio::sync::watch::channel(0);
        let pool = self.sql.ledger.clone();
        tokio::spawn(async move {
            let mut lost = false;
            while !tx.is_closed() && !pool.is_closed() {
                let mut listener = match PgListener::connect_with(&pool).await {
                    Ok(listener) => listener,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for other nodes' appends; polling only");
                        lost = true;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(LEDGER_CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for other nodes' appends; polling only");
                    lost = true;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                if std::mem::take(&mut lost) {
                    // Appends made meanwhile sent notices no one heard: the
                    // writer is told to look now.
                    tracing::info!("listening for other nodes' appends again");
                    tx.send_modify(|_| ());
                }
                loop {
                    tokio::select! {
                        notice = listener.try_recv() => match notice {
                            Ok(Some(notice)) => {
                                if let Ok(size) = notice.payload().parse::<u64>() {
                                    tx.send_if_modified(|seen| std::mem::replace(seen, size.max(*seen)) < size);
                                }
                            }
                            // The connection was lost; listen again.
                            Ok(None) | Err(_) => {
                                lost = true;
                                break;
                            }
                        },
                        _ = tx.closed() => return,
                    }
                }
            }
        });
        Some(rx)
    }
}
