//! The store contract: one suite, written once and generic over the
//! backend's type, run against every backend (`store_contract_suite!`,
//! after quickwit's metastore suite). Every method of every store trait
//! (`LedgerStore`, `AuditStore`, `DrawStore`) is exercised on each. SQLite
//! runs on a fresh file; PostgreSQL on a fresh database of a throwaway
//! cluster that this test binary starts from the PostgreSQL 15 binaries.
//!
//! By area: `ledger` (records, the tree, keys, transactions, notices),
//! `audit` (check log, checkpoints, segments), `keys` (the registry's
//! signing keys), `draws`, `opening` (a store opened again, TLS).

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};

use creditregistry::audit::block::{ChainedCheck, Upgrade};
use creditregistry::domain::record::{Category, Penalty, Record, RecordBody, SeverityTier};
use creditregistry::domain::uscc::Uscc;
use creditregistry::ledger::{self, Hash, merkle::Frontier, merkle::nodes_in};
use creditregistry::store::{
    Appended, AuditStore, CheckEntry, DrawStore, LedgerStore, NewNodes, PgSettings, PgStore, SqliteStore, StoreError, ToAppend,
};
use creditregistry_testkit::pg_cluster::{Durability, PgCluster};

mod audit;
mod draws;
mod keys;
mod ledger_store;
mod opening;

const CODES: [&str; 3] = ["91110000600037341L", "91310115MA1K3BTP2B", "91340600MA2PBM9HXD"];

/// One throwaway cluster for the whole binary.
static CLUSTER: tokio::sync::OnceCell<PgCluster> = tokio::sync::OnceCell::const_new();

async fn cluster() -> &'static PgCluster {
    CLUSTER.get_or_init(|| async { PgCluster::start(Durability::Off).expect("a throwaway PostgreSQL cluster") }).await
}

/// A fresh, empty store, its URL, and the directory that holds it while it
/// is used (SQLite).
pub(crate) struct Fresh<S> {
    pub store: S,
    pub url: String,
    pub dir: Option<tempfile::TempDir>,
}

/// A backend under contract: every store trait, and how the suite makes
/// and inspects one.
pub(crate) trait Backend: LedgerStore + AuditStore + DrawStore + Clone + Sized {
    /// Whether several nodes serve one store (each with its own `Self`).
    const SHARED: bool;

    async fn fresh() -> Fresh<Self>;

    /// Another node's store over the same database (only when `SHARED`).
    async fn another(url: &str) -> Self;

    async fn close(&self);

    /// Whether the database itself refuses `sql`, run outside the store.
    async fn refuses(url: &str, sql: &str) -> bool;
}

impl Backend for SqliteStore {
    const SHARED: bool = false;

    async fn fresh() -> Fresh<SqliteStore> {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("registry.db").display());
        let store = SqliteStore::open(&url, &Upgrade).await.unwrap();
        Fresh { store, url, dir: Some(dir) }
    }

    async fn another(_url: &str) -> SqliteStore {
        unreachable!("one process serves a SQLite store")
    }

    async fn close(&self) {
        SqliteStore::close(self).await
    }

    async fn refuses(url: &str, sql: &str) -> bool {
        use sqlx::Connection;
        let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut db).await.is_err()
    }
}

impl Backend for PgStore {
    const SHARED: bool = true;

    async fn fresh() -> Fresh<PgStore> {
        let name = format!("contract_{}", uuid::Uuid::now_v7().simple());
        let url = cluster().await.database(&name).await.unwrap();
        let store = PgStore::open(&url, &PgSettings::default()).await.unwrap();
        Fresh { store, url, dir: None }
    }

    async fn another(url: &str) -> PgStore {
        PgStore::open(url, &PgSettings::default()).await.unwrap()
    }

    async fn close(&self) {
        PgStore::close(self).await
    }

    async fn refuses(url: &str, sql: &str) -> bool {
        use sqlx::Connection;
        let mut db = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut db).await.is_err()
    }
}

/// A batch a ledger transaction builds: what it appends.
pub(crate) struct Built {
    pub appended: Vec<Appended>,
    pub nodes: NewNodes,
}

impl ToAppend for Built {
    fn to_append(&self) -> (&[Appended], &NewNodes) {
        (&self.appended, &self.nodes)
    }
}

pub(crate) fn penalty_record(sequence: u64, uscc: &str, request_id: &str, decision_number: &str) -> Arc<Record> {
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
            party: creditregistry::domain::record::Party::default(),
        }),
    })
}

/// The records as a batch after `frontier`, with the tree nodes they complete.
pub(crate) fn batch(frontier: &mut Frontier, records: &[Arc<Record>]) -> (Vec<Appended>, NewNodes) {
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
pub(crate) async fn append(store: &impl LedgerStore, frontier: &mut Frontier, records: &[Arc<Record>]) -> Result<(), StoreError> {
    let mut grown = frontier.clone();
    let (appended, nodes) = batch(&mut grown, records);
    store.append(&appended, &nodes).await?;
    *frontier = grown;
    Ok(())
}

pub(crate) fn chained(sequence: u64, caller: &str, codes: &[&str], before: Hash) -> ChainedCheck {
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

/// Instantiates every scenario of the contract for each backend type.
macro_rules! store_contract_suite {
    ($backend:ident: $store:ty $(, $more:ident: $more_store:ty)* ; $($scenarios:tt)*) => {
        mod $backend {
            scenarios!($store; $($scenarios)*);
        }
        store_contract_suite!($($more: $more_store),* ; $($scenarios)*);
    };
    (; $($scenarios:tt)*) => {};
}

/// One backend's tests: each scenario of each area, on `$store`.
macro_rules! scenarios {
    ($store:ty; $($area:ident: [$($scenario:ident),+ $(,)?]),+ $(,)?) => {
        $($(
            #[tokio::test]
            async fn $scenario() {
                super::$area::$scenario::<$store>().await;
            }
        )+)+
    };
}

store_contract_suite!(
    sqlite: creditregistry::store::SqliteStore, postgres: creditregistry::store::PgStore;
    ledger_store: [
        records_come_back_in_order_with_their_tree,
        a_repeated_key_fails_the_whole_batch_and_changes_nothing,
        a_transaction_appends_what_it_builds_on_the_locked_head,
        a_transaction_holds_other_nodes_appends_back,
        other_nodes_appends_are_noticed,
    ],
    audit: [
        the_check_log_is_found_by_code_caller_and_time,
        checkpoints_are_spaced_by_the_store,
        segments_are_sealed_in_order_and_only_exported_ones_leave,
    ],
    keys: [the_registry_keys_change_only_by_rotation],
    draws: [a_draw_is_kept_once_per_request],
    opening: [a_store_opened_as_it_is_reads_what_was_written],
);
