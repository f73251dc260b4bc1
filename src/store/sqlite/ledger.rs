//! The SQLite ledger store: the ledger file's records, tree, keys.

use std::collections::HashMap;
use std::future::Future;

use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};

use super::SqliteStore;
use crate::ledger::Hash;
use crate::store::rows::{self};
use crate::store::sql::ROWS;
use crate::store::{Appended, FoundKeys, LedgerStore, Located, Log, NewNodes, StoreError, StoredEntry, ToAppend};

/// What the `ledger_in_order` trigger says when a record does not go on
/// from the ledger's head.
const OUT_OF_ORDER: &str = "ledger sequence out of order";

impl LedgerStore for SqliteStore {
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

    /// A batch as one transaction sent to SQLite's worker thread in one
    /// hand-off: `BEGIN`, multi-row inserts (each of at most `ROWS` rows)
    /// and `COMMIT` in one script. Each statement sent alone costs a
    /// round trip between threads, and under a full read load every round
    /// trip waits for a core.
    async fn append(&self, batch: &[Appended], nodes: &NewNodes) -> Result<(), StoreError> {
        let mut script = QueryBuilder::<Sqlite>::new("BEGIN IMMEDIATE;");
        for chunk in batch.chunks(ROWS) {
            script.push(
                " INSERT INTO ledger (sequence, record_id, recorded_at, uscc, authority, actor, request_id, kind, record) ",
            );
            script.push_values(chunk, |mut row, entry| {
                let r = &entry.record;
                row.push_bind(r.sequence as i64)
                    .push_bind(r.id.as_str())
                    .push_bind(r.recorded_at.timestamp_micros())
                    .push_bind(r.uscc.as_str())
                    .push_bind(r.authority.as_str())
                    .push_bind(r.actor.as_str())
                    .push_bind((!r.request_id.is_empty()).then_some(r.request_id.as_str()))
                    .push_bind(r.body.kind())
                    .push_bind(entry.bytes.as_slice());
            });
            script.push(";");
            let numbered: Vec<(&Appended, &str)> =
                chunk.iter().filter_map(|e| Some((e, e.record.body.unique_decision_number()?))).collect();
            if !numbered.is_empty() {
                script.push(" INSERT INTO decision_numbers (authority, decision_number, sequence) ");
                script.push_values(numbered, |mut row, (entry, number)| {
                    row.push_bind(entry.record.authority.as_str()).push_bind(number).push_bind(entry.record.sequence as i64);
                });
                script.push(";");
            }
        }
        let positions = (nodes.first..).zip(&nodes.hashes).collect::<Vec<_>>();
        for chunk in positions.chunks(ROWS) {
            script.push(" INSERT INTO merkle_nodes (position, hash) ");
            script.push_values(chunk, |mut row, (position, hash)| {
                row.push_bind(*position as i64).push_bind(&hash[..]);
            });
            script.push(";");
        }
        script.push(" COMMIT;");
        let mut appender = self.appender.lock().await;
        let conn = match &mut *appender {
            Some(conn) => conn,
            None => appender.insert(SqliteConnection::connect_with(&self.sql.ledger.connect_options()).await?),
        };
        if let Err(e) = script.build().execute(&mut *conn).await {
            // A statement failed and those after it, COMMIT among them, did
            // not run: the transaction is still open on this connection.
            if let Err(rollback) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
                tracing::error!(error = %rollback, "rolling a failed append back failed; closing its connection");
                appender.take();
            }
            drop(appender);
            if matches!(&e, sqlx::Error::Database(d) if d.message().contains(OUT_OF_ORDER)) {
                return Err(StoreError::Behind { log: Log::Ledger, head: self.head().await? });
            }
            return Err(e.into());
        }
        Ok(())
    }

    async fn existing_keys(
        &self,
        requests: &[(String, String)],
        decisions: &[(String, String)],
    ) -> Result<FoundKeys, StoreError> {
        let mut found = FoundKeys::default();
        // Both kinds of key in one statement, a round trip per batch: a
        // join from the keys, so each is one probe of its unique index (a
        // row-value IN would scan the table).
        let keys: Vec<(i64, &(String, String))> =
            requests.iter().map(|k| (0, k)).chain(decisions.iter().map(|k| (1, k))).collect();
        for chunk in keys.chunks(ROWS) {
            let mut query = QueryBuilder::<Sqlite>::new("WITH k(t, a, b) AS (VALUES ");
            let mut values = query.separated(", ");
            for (kind, (a, b)) in chunk {
                values.push("(").push_bind_unseparated(*kind).push_unseparated(", ");
                values.push_bind_unseparated(a.as_str()).push_unseparated(", ");
                values.push_bind_unseparated(b.as_str()).push_unseparated(")");
            }
            query.push(
                ") SELECT k.t, k.a, k.b, l.record_id, l.uscc, l.sequence, l.record FROM k
                   JOIN ledger l ON l.actor = k.a AND l.request_id = k.b WHERE k.t = 0
                 UNION ALL
                 SELECT k.t, k.a, k.b, l.record_id, l.uscc, l.sequence, l.record FROM k
                   JOIN decision_numbers d ON d.authority = k.a AND d.decision_number = k.b
                   JOIN ledger l ON l.sequence = d.sequence WHERE k.t = 1",
            );
            for row in query.build().fetch_all(&self.sql.ledger).await? {
                rows::found_key(&mut found, &row)?;
            }
        }
        Ok(found)
    }

    async fn locate(&self, record_ids: &[&str]) -> Result<HashMap<String, Located>, StoreError> {
        let mut found = HashMap::with_capacity(record_ids.len());
        for chunk in record_ids.chunks(ROWS) {
            let mut query =
                QueryBuilder::<Sqlite>::new("SELECT record_id, uscc, sequence, record FROM ledger WHERE record_id IN (");
            let mut ids = query.separated(", ");
            for id in chunk {
                ids.push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&self.sql.ledger).await? {
                let (id, place) = rows::located(&row)?;
                found.insert(id, place);
            }
        }
        Ok(found)
    }

    async fn nodes(&self, positions: &[u64]) -> Result<Vec<Hash>, StoreError> {
        let mut rows = Vec::with_capacity(positions.len());
        for chunk in positions.chunks(ROWS) {
            let mut query = QueryBuilder::<Sqlite>::new("SELECT position, hash FROM merkle_nodes WHERE position IN (");
            let mut list = query.separated(", ");
            for position in chunk {
                list.push_bind(*position as i64);
            }
            query.push(")");
            rows.extend(query.build().fetch_all(&self.sql.ledger).await?);
        }
        rows::nodes_in_order(positions, &rows)
    }

    fn ledger_notices(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }

    /// One process appends (`claim`), so the head it reads stays the head;
    /// the `ledger_in_order` trigger checks it all the same.
    async fn transact<B, F, Fut, E>(&self, build: F) -> Result<B, E>
    where
        B: ToAppend + Send,
        F: FnOnce(u64) -> Fut + Send,
        Fut: Future<Output = Result<B, E>> + Send,
        E: From<StoreError> + Send,
    {
        let built = build(self.head().await?).await?;
        let (batch, nodes) = built.to_append();
        self.append(batch, nodes).await?;
        Ok(built)
    }
}
