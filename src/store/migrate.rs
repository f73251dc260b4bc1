//! Schema migrations, embedded in the binary and applied in order at start.

use super::StoreError;

/// (version, name, SQL) for SQLite, oldest first.
pub const SQLITE: &[(i64, &str, &str)] = &[
    (1, "ledger", include_str!("../../migrations/sqlite/0001_ledger.sql")),
    (2, "inspection_draws", include_str!("../../migrations/sqlite/0002_inspection_draws.sql")),
    (3, "audit", include_str!("../../migrations/sqlite/0003_audit.sql")),
    (AUDIT_MOVED, "audit_moved", include_str!("../../migrations/sqlite/0004_audit_moved.sql")),
    (5, "projections_dropped", include_str!("../../migrations/sqlite/0005_projections_dropped.sql")),
    (6, "decision_numbers_by_sequence", include_str!("../../migrations/sqlite/0006_decision_numbers_by_sequence.sql")),
    (7, "leaf_hash_dropped", include_str!("../../migrations/sqlite/0007_leaf_hash_dropped.sql")),
    (8, "inspection_draw_codes", include_str!("../../migrations/sqlite/0008_inspection_draw_codes.sql")),
    (9, "ledger_in_order", include_str!("../../migrations/sqlite/0009_ledger_in_order.sql")),
    (10, "registry_keys", include_str!("../../migrations/sqlite/0010_registry_keys.sql")),
];

/// The migration before which the store copies the check log and
/// checkpoints into the audit file.
pub const AUDIT_MOVED: i64 = 4;

/// (version, name, SQL) for the SQLite audit file, oldest first.
pub const SQLITE_AUDIT: &[(i64, &str, &str)] = &[
    (1, "check_log", include_str!("../../migrations/sqlite-audit/0001_check_log.sql")),
    (2, "segments", include_str!("../../migrations/sqlite-audit/0002_segments.sql")),
];

/// (version, name, SQL) for PostgreSQL, oldest first: one database holds
/// the ledger and the audit trail.
pub const POSTGRES: &[(i64, &str, &str)] = &[
    (1, "registry", include_str!("../../migrations/postgres/0001_registry.sql")),
    (2, "segments", include_str!("../../migrations/postgres/0002_segments.sql")),
    (3, "registry_keys", include_str!("../../migrations/postgres/0003_registry_keys.sql")),
];

/// Applies one migration on `conn` (a transaction, or a connection holding
/// the migration lock) and records it in `schema_migrations`, unless it is
/// recorded there already; true when it ran.
pub async fn apply<DB>(
    conn: &mut DB::Connection,
    (version, name, sql): (i64, &'static str, &'static str),
) -> Result<bool, StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
        .bind(version)
        .fetch_optional(&mut *conn)
        .await?;
    if done.is_some() {
        return Ok(false);
    }
    let fail = |source| StoreError::Migration { version, name, source };
    sqlx::raw_sql(sql).execute(&mut *conn).await.map_err(fail)?;
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
        .bind(version)
        .bind(name)
        .bind(chrono::Utc::now().timestamp())
        .execute(&mut *conn)
        .await
        .map_err(fail)?;
    Ok(true)
}
