//! Schema migrations, embedded in the binary and applied in order at start.

/// (version, name, SQL) for SQLite, oldest first.
pub const SQLITE: &[(i64, &str, &str)] = &[
    (1, "ledger", include_str!("../../migrations/sqlite/0001_ledger.sql")),
    (2, "inspection_draws", include_str!("../../migrations/sqlite/0002_inspection_draws.sql")),
    (3, "audit", include_str!("../../migrations/sqlite/0003_audit.sql")),
];
