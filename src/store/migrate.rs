//! Schema migrations, embedded in the binary and applied in order at start.

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
];

/// The migration before which the store copies the check log and
/// checkpoints into the audit file.
pub const AUDIT_MOVED: i64 = 4;

/// (version, name, SQL) for the SQLite audit file, oldest first.
pub const SQLITE_AUDIT: &[(i64, &str, &str)] =
    &[(1, "check_log", include_str!("../../migrations/sqlite-audit/0001_check_log.sql"))];

/// (version, name, SQL) for PostgreSQL, oldest first: one database holds
/// the ledger and the audit trail.
pub const POSTGRES: &[(i64, &str, &str)] = &[(1, "registry", include_str!("../../migrations/postgres/0001_registry.sql"))];
