//! The PostgreSQL backend: the production store, shared by several server
//! nodes. One database holds the ledger and the audit trail; a check-log
//! commit locks only audit rows, so it never waits on a ledger commit.
//! Commits are durable when acknowledged (`synchronous_commit` as the
//! server is configured: on by default).

use std::collections::HashMap;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPoolOptions};
use sqlx::{Connection, Executor, Postgres, Row, Transaction};

use super::rows::{self, clamp};
use super::sql::Sql;
use super::{
    Appended, AuditStore, CheckFilter, CheckIndexDigests, CheckLogUpgrade, DrawStore, FoundKeys, LedgerStore, Located, Log,
    NewNodes, StoreError, StoredCheckBlock, StoredCheckpoint, StoredEntry, StoredKey, StoredSegment, ToAppend, migrate,
};
use crate::domain::rules::supervision::InspectionDraw;
use crate::ledger::Hash;

/// How a PostgreSQL store is reached beyond its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgSettings {
    /// Connections per server node.
    pub pool_size: u32,
    /// Longest a statement may run before the server cancels it.
    pub statement_timeout: Duration,
    /// Longest an operation waits for a connection: one free in the pool,
    /// or a new one opened. A store that refuses connections is answered
    /// as unreachable after this long, not after a caller's whole deadline.
    pub connect_timeout: Duration,
}

impl Default for PgSettings {
    fn default() -> PgSettings {
        PgSettings { pool_size: 16, statement_timeout: Duration::from_secs(30), connect_timeout: Duration::from_secs(1) }
    }
}

#[derive(Clone, Debug)]
pub struct PgStore {
    /// One pool for the ledger and the audit trail.
    sql: Sql<Postgres>,
    /// `HOST:PORT` of the database server, for messages.
    address: String,
    /// Why the store cannot be reached, while it cannot.
    down: std::sync::Arc<tokio::sync::watch::Sender<Option<&'static str>>>,
}

/// Migrations of concurrently starting nodes wait on this advisory lock,
/// so exactly one applies each.
const MIGRATION_LOCK: i64 = 0x6372_6564_6974_7265; // "creditre"

/// The channel on which each ledger append notifies its new size.
pub const LEDGER_CHANNEL: &str = "creditregistry_ledger";

impl PgStore {
    /// Opens the store and brings its schema up to date.
    pub async fn open(url: &str, settings: &PgSettings) -> Result<PgStore, StoreError> {
        let store = connect(url, settings).await?;
        let mut tx = store.sql.ledger.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        for &migration in migrate::POSTGRES {
            migrate::apply::<Postgres>(&mut tx, migration).await?;
        }
        tx.commit().await?;
        Ok(store)
    }

    /// Opens a store as it is: never changes its schema.
    pub async fn open_existing(url: &str, settings: &PgSettings) -> Result<PgStore, StoreError> {
        let store = connect(url, settings).await?;
        let pool = &store.sql.ledger;
        let newest = migrate::POSTGRES.last().map_or(0, |m| m.0);
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(pool)
            .await
            .map_err(|_| StoreError::Inconsistent(format!("{} is not a registry store", super::redacted(url))))?;
        if applied != Some(newest) {
            pool.close().await;
            return Err(StoreError::Inconsistent(format!(
                "{} has schema version {}, this build reads {newest}: run `creditregistry migrate` first",
                super::redacted(url),
                applied.unwrap_or(0)
            )));
        }
        Ok(store)
    }

    /// How often a store found unreachable is asked again.
    pub const RETRY_EVERY: Duration = Duration::from_millis(500);

    /// Longest wait for the connection that tells why the store cannot be
    /// reached.
    const DIAGNOSE_WITHIN: Duration = Duration::from_millis(250);

    /// `e` in the registry's words when it says the store cannot be
    /// reached (`StoreError::Unreachable`, `StoreError::Busy`), which marks
    /// the store unreachable until it answers again; the driver's own
    /// words go to the log. Any other error as it is.
    pub async fn explain(&self, e: StoreError) -> StoreError {
        let StoreError::Database(driver) = &e else { return e };
        let cause = match driver {
            sqlx::Error::PoolTimedOut if self.sql.ledger.size() >= self.sql.ledger.options().get_max_connections() => {
                tracing::warn!(error = %driver, "every connection to the store is in use");
                return StoreError::Busy(self.sql.ledger.options().get_max_connections());
            }
            sqlx::Error::PoolTimedOut => self.why_no_connection().await,
            other => match connection_fault(other) {
                Some(cause) => {
                    tracing::warn!(error = %driver, address = %self.address, "the store is unreachable");
                    cause
                }
                None => return e,
            },
        };
        self.mark_down(cause);
        StoreError::Unreachable { address: self.address.clone(), cause }
    }

    /// Why the pool could open no connection: it retries a refused one
    /// until its timeout and then says only that it timed out, so one
    /// connection of its own, for at most `DIAGNOSE_WITHIN`, tells why.
    async fn why_no_connection(&self) -> &'static str {
        let options = self.sql.ledger.connect_options();
        match tokio::time::timeout(Self::DIAGNOSE_WITHIN, PgConnection::connect_with(&options)).await {
            Err(_) => {
                tracing::warn!(address = %self.address, "the store is unreachable: no answer to a connection");
                "connection timed out"
            }
            Ok(Ok(connection)) => {
                let _ = connection.close().await;
                tracing::warn!(address = %self.address, "the store is unreachable: the pool opened no connection in time");
                "no connection could be opened in time"
            }
            Ok(Err(driver)) => {
                tracing::warn!(error = %driver, address = %self.address, "the store is unreachable");
                connection_fault(&driver).unwrap_or("no connection could be opened in time")
            }
        }
    }

    /// Marks the store unreachable; the first to do so asks it again every
    /// `RETRY_EVERY` until it answers, and then marks it reachable.
    fn mark_down(&self, cause: &'static str) {
        if self.down.send_replace(Some(cause)).is_some() {
            return;
        }
        let (pool, down, address) = (self.sql.ledger.clone(), self.down.clone(), self.address.clone());
        tokio::spawn(async move {
            while !pool.is_closed() {
                tokio::time::sleep(PgStore::RETRY_EVERY).await;
                if sqlx::query("SELECT 1").execute(&pool).await.is_ok() {
                    down.send_replace(None);
                    tracing::info!(%address, "the store is reachable again");
                    return;
                }
            }
        });
    }

    /// See `Store::unreachable`.
    pub fn unreachable(&self) -> Option<StoreError> {
        let cause = (*self.down.borrow())?;
        Some(StoreError::Unreachable { address: self.address.clone(), cause })
    }

    /// See `Store::reachability`.
    pub fn reachability(&self) -> tokio::sync::watch::Receiver<Option<&'static str>> {
        self.down.subscribe()
    }
}

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

impl AuditStore for PgStore {
    async fn check_log_head(&self) -> Result<(u64, Hash), StoreError> {
        self.sql.check_log_head().await
    }

    async fn check_blocks(&self, filter: &CheckFilter, limit: u32) -> Result<Vec<StoredCheckBlock>, StoreError> {
        self.sql.check_blocks(filter, limit).await
    }

    async fn check_index_digests(&self, until: u64) -> Result<CheckIndexDigests, StoreError> {
        self.sql.check_index_digests(until).await
    }

    async fn block_span(&self, after: u64, until: u64) -> Result<(i64, i64), StoreError> {
        self.sql.block_span(after, until).await
    }

    async fn seal_segment(&self, segment: &StoredSegment) -> Result<bool, StoreError> {
        self.sql.seal_segment(segment).await
    }

    async fn segments(&self) -> Result<Vec<StoredSegment>, StoreError> {
        self.sql.segments().await
    }

    async fn removed_segments(&self, filter: &CheckFilter) -> Result<Vec<StoredSegment>, StoreError> {
        self.sql.removed_segments(filter).await
    }

    async fn expired_segments(&self, cutoff: i64) -> Result<Vec<u64>, StoreError> {
        self.sql.expired_segments(cutoff).await
    }

    async fn mark_exported(&self, number: u64, at: i64) -> Result<(), StoreError> {
        self.sql.mark_exported(number, at).await
    }

    async fn remove_segment(&self, number: u64, at: i64) -> Result<(), StoreError> {
        self.sql.remove_segment(number, at).await
    }

    async fn checkpoint(&self, tree_size: Option<u64>) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.sql.checkpoint(tree_size).await
    }

    async fn checkpoint_page(&self, after_id: i64, limit: u32) -> Result<Vec<(i64, StoredCheckpoint)>, StoreError> {
        self.sql.checkpoint_page(after_id, limit).await
    }

    async fn registry_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        self.sql.registry_keys().await
    }

    async fn adopt_registry_key(&self, key: &StoredKey) -> Result<Vec<StoredKey>, StoreError> {
        self.sql.adopt_registry_key(key).await
    }

    async fn rotate_registry_key(&self, key: &StoredKey) -> Result<Option<StoredKey>, StoreError> {
        self.sql.rotate_registry_key(key).await
    }

    async fn append_audit(
        &self,
        blocks: &[StoredCheckBlock],
        checkpoints: &[StoredCheckpoint],
        spacing: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.sql.ledger.begin().await?;
        if let (Some(first), Some(last)) = (blocks.first(), blocks.last()) {
            let row = sqlx::query("SELECT size, chain_hash FROM check_log_head FOR UPDATE").fetch_one(&mut *tx).await?;
            let (size, chain): (i64, Vec<u8>) = (row.try_get("size")?, row.try_get("chain_hash")?);
            if size as u64 + 1 != first.first_sequence || chain != first.chain_before {
                return Err(StoreError::Behind { log: Log::CheckLog, head: size as u64 });
            }
            sqlx::query("UPDATE check_log_head SET size = $1, chain_hash = $2")
                .bind(clamp(last.last_sequence))
                .bind(&last.chain_hash[..])
                .execute(&mut *tx)
                .await?;
        }
        for block in blocks {
            insert_block(&mut tx, block).await?;
        }
        let mut stored = true;
        if let (Some(spacing), Some(first)) = (spacing, checkpoints.first()) {
            // Nodes storing checkpoints take turns on the id row, so each
            // sees the newest the others stored.
            sqlx::query("SELECT last_id FROM checkpoint_ids FOR UPDATE").execute(&mut *tx).await?;
            let newest: Option<i64> = sqlx::query_scalar(rows::NEWEST_CHECKPOINT_AT).fetch_optional(&mut *tx).await?;
            stored = !rows::too_soon(newest, first.created_at, spacing);
        }
        if stored {
            for cp in checkpoints {
                insert_checkpoint(&mut tx, cp).await?;
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn last_checkpoint_id(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT last_id FROM checkpoint_ids").fetch_one(&self.sql.ledger).await?)
    }
}

impl DrawStore for PgStore {
    async fn save_draw(&self, draw: &InspectionDraw) -> Result<InspectionDraw, StoreError> {
        self.sql.save_draw(draw).await
    }

    async fn draw(&self, id: &str) -> Result<Option<InspectionDraw>, StoreError> {
        self.sql.draw(id).await
    }
}

impl PgStore {
    /// See `Sql::complete_backfills`.
    pub async fn complete_backfills(&self, upgrade: &dyn CheckLogUpgrade) -> Result<(), StoreError> {
        self.sql.complete_backfills(upgrade).await
    }

    pub async fn close(&self) {
        self.sql.ledger.close().await;
    }
}

/// One block row and its index rows, each index in one statement.
async fn insert_block(tx: &mut Transaction<'_, Postgres>, block: &StoredCheckBlock) -> Result<(), StoreError> {
    let last = Sql::insert_block_row(tx, block).await?;
    if !block.code_keys.is_empty() {
        sqlx::query("INSERT INTO check_block_codes (code_key, last_sequence) SELECT k, $1 FROM UNNEST($2::BIGINT[]) AS k")
            .bind(last)
            .bind(&block.code_keys)
            .execute(&mut **tx)
            .await?;
    }
    for (table, column, values) in rows::text_indexes(block) {
        if !values.is_empty() {
            sqlx::query(&format!("INSERT INTO {table} ({column}, last_sequence) SELECT c, $1 FROM UNNEST($2::TEXT[]) AS c"))
                .bind(last)
                .bind(values)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// A checkpoint row, its id the next from `checkpoint_ids` (a row lock
/// that orders checkpoints written by several nodes).
async fn insert_checkpoint(tx: &mut Transaction<'_, Postgres>, cp: &StoredCheckpoint) -> Result<(), StoreError> {
    sqlx::query(
        "WITH next AS (UPDATE checkpoint_ids SET last_id = last_id + 1 RETURNING last_id)
         INSERT INTO checkpoints (id, checkpoint, key_id, signature, tree_size, check_log_size, created_at)
         SELECT last_id, $1, $2, $3, $4, $5, $6 FROM next",
    )
    .bind(&cp.bytes)
    .bind(&cp.key_id)
    .bind(&cp.signature)
    .bind(clamp(cp.tree_size))
    .bind(clamp(cp.check_log_size))
    .bind(cp.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The registry's words for a driver error that says the store cannot be
/// reached; `None` for any other.
fn connection_fault(e: &sqlx::Error) -> Option<&'static str> {
    Some(match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => "connection refused",
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => "connection timed out",
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => "connection lost",
        sqlx::Error::Tls(_) => "the TLS handshake failed",
        // admin_shutdown, crash_shutdown, cannot_connect_now; class 08 is
        // connection_exception.
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("57P01" | "57P02") => "the database server is shutting down",
            Some("57P03") => "the database server is not accepting connections yet",
            Some(code) if code.starts_with("08") => "connection failure",
            _ => return None,
        },
        _ => return None,
    })
}

async fn connect(url: &str, settings: &PgSettings) -> Result<PgStore, StoreError> {
    let timeout_ms = settings.statement_timeout.as_millis().to_string();
    let options = PgConnectOptions::from_str(url)?.options([("statement_timeout", timeout_ms.as_str())]);
    let address = format!("{}:{}", options.get_host(), options.get_port());
    // An idle connection is tested before it is handed out (a restarted
    // server has dropped them all), and a refused connection is retried
    // only until `connect_timeout`.
    let pool = PgPoolOptions::new()
        .max_connections(settings.pool_size.max(2))
        .acquire_timeout(settings.connect_timeout)
        .test_before_acquire(true)
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Open { url: super::redacted(url), source: Box::new(StoreError::Database(e)) })?;
    Ok(PgStore {
        sql: Sql { ledger: pool.clone(), audit: pool },
        address,
        down: std::sync::Arc::new(tokio::sync::watch::channel(None).0),
    })
}
