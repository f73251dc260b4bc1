//! Name search (企业名称查询) as a caller may see it, over the name index
//! (`crate::search`).
//!
//! The name index follows the in-memory index: the entities records were
//! added to are read into it before the next search (so a search after a
//! write finds the name it gave) and at least every second otherwise. At
//! start it is loaded from its snapshot, `registry-search.snapshot` beside
//! the index's, when the registry's key signed it for the ledger the index
//! holds (same size and root); otherwise it is built from the index.
//! Snapshot format (integers big-endian): `CRNAMES1\n`, the tree size (u64)
//! and root (32 bytes), the length (u64) and bytes of the name index
//! (`SearchIndex::to_bytes`), SHA-256 of all that, and the registry key's
//! Ed25519 signature over the digest (`Signed::SearchSnapshot`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::error::ServiceError;
use super::scope::{Asked, ReadScope, Scopes};
use crate::domain::Violation;
use crate::domain::party::{self, Names, match_key};
use crate::domain::rules::RuleBook;
use crate::domain::uscc::Uscc;
use crate::index::{Index, TreeHead};
use crate::ledger::signing::{PublicKey, Signed};
use crate::search::{Hit, IndexedNames, MAX_QUERY_CHARS, SearchError, SearchIndex, Why};
use crate::services::caller::Principal;
use crate::snapshot::SnapshotFile;

/// Hits asked of the name index per hit answered to a caller who sees
/// only disclosed records: some it finds are not shown to them.
const OVER_FETCH: usize = 5;

/// Searches worked on at once: each is a few milliseconds of CPU on the
/// blocking pool, and more at once would only queue for the cores.
const WORKERS: usize = 2;

/// How often the name index reads the entities records were added to,
/// when no search has asked it to.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

const MAGIC: &[u8; 9] = b"CRNAMES1\n";

/// One entity found, as the caller may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundEntity {
    pub uscc: Uscc,
    /// Its current name among those the caller may see; empty when none is.
    pub current_name: String,
    /// The name that matched as written; the current name for a code.
    pub matched_name: String,
    pub why: Why,
}

/// A search's answer: best first, against the ledger at `tree`.
pub struct Found {
    pub hits: Vec<FoundEntity>,
    pub tree: TreeHead,
}

/// Name search, shared by every call.
#[derive(Clone)]
pub struct Search {
    names: Arc<FollowedNames>,
    scopes: Scopes,
    rules: Arc<RuleBook>,
    workers: Arc<Semaphore>,
}

/// The name index and the index it follows. Held apart from the read
/// scopes (which hold the writer), so that whoever keeps it to write its
/// snapshot does not keep the writer running.
pub struct FollowedNames {
    names: SearchIndex,
    index: Arc<Index>,
    /// Held while the name index reads the changed entities, so that a
    /// search that finds none left to read knows they are in it.
    catching_up: Mutex<()>,
}

impl Search {
    /// The name index loaded from its snapshot beside `snapshot` (when
    /// that verifies for the index's tree head) or built from `index`, and
    /// following it from now on.
    pub async fn start(
        index: Arc<Index>,
        scopes: Scopes,
        rules: Arc<RuleBook>,
        snapshot: Option<&SnapshotFile>,
    ) -> Result<Search, String> {
        // Before the names are read: a record added meanwhile is read again.
        index.track_changes();
        let file = snapshot.map(|file| (path_for(&file.path), file.key.public().clone()));
        let source = index.clone();
        let started = Instant::now();
        let names = tokio::task::spawn_blocking(move || {
            let head = source.tree_head();
            let loaded = file.and_then(|(path, key)| match read(&path, &key, head) {
                Ok(names) => Some(names),
                Err(why) if path.exists() => {
                    tracing::warn!(path = %path.display(), why, "name search snapshot not used; building it from the index");
                    None
                }
                Err(_) => None,
            });
            match loaded {
                Some(names) => Ok(names),
                None => build(&source),
            }
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        tracing::info!(
            entities = names.len(),
            bytes = names.memory_bytes(),
            millis = started.elapsed().as_millis() as u64,
            "name search ready"
        );
        let names = Arc::new(FollowedNames { names, index, catching_up: Mutex::new(()) });
        tokio::spawn(follow(Arc::downgrade(&names)));
        Ok(Search { names, scopes, rules, workers: Arc::new(Semaphore::new(WORKERS)) })
    }

    /// The name index, for its snapshot when the registry stops.
    pub fn names(&self) -> Arc<FollowedNames> {
        self.names.clone()
    }

    /// Up to `limit` entities matching `query`, best first, as `caller`
    /// may see them (see `SearchEntities` in the API). Errors:
    /// `ServiceError::Invalid` naming `query` when it is empty, only white
    /// space or over `MAX_QUERY_CHARS` characters; those of
    /// `Scopes::resolve`; `SearchFailed` when the name index fails.
    pub async fn search(&self, caller: &Principal, asked: &Asked, query: &str, limit: usize) -> Result<Found, ServiceError> {
        let chars = query.chars().count();
        if query.trim().is_empty() {
            return Err(ServiceError::Invalid(vec![Violation::new("query", "is required")]));
        }
        if chars > MAX_QUERY_CHARS {
            return Err(ServiceError::Invalid(vec![Violation::new(
                "query",
                format!("has {chars} characters, more than the {MAX_QUERY_CHARS} allowed"),
            )]));
        }
        let scope = self.scopes.resolve(caller, asked).await?;
        let _worker = self.workers.acquire().await.expect("the semaphore is never closed");
        let (names, rules, query) = (self.names.clone(), self.rules.clone(), query.to_owned());
        tokio::task::spawn_blocking(move || names.search(&rules, &scope, &query, limit))
            .await
            .map_err(|e| ServiceError::SearchFailed(e.to_string()))?
    }
}

impl FollowedNames {
    /// Writes the name index's snapshot beside `file`'s, for the ledger
    /// the index holds now; call it when nothing writes any more.
    pub fn write_snapshot(&self, file: &SnapshotFile) -> Result<PathBuf, String> {
        self.catch_up().map_err(|e| e.to_string())?;
        let bytes = self.names.to_bytes().map_err(|e| e.to_string())?;
        let head = self.index.tree_head();
        let mut body = Vec::with_capacity(MAGIC.len() + 48 + bytes.len());
        body.extend_from_slice(MAGIC);
        body.extend_from_slice(&head.size.to_be_bytes());
        body.extend_from_slice(&head.root);
        body.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        body.extend_from_slice(&bytes);
        let sum: [u8; 32] = Sha256::digest(&body).into();
        body.extend_from_slice(&sum);
        body.extend_from_slice(&file.key.sign(Signed::SearchSnapshot, &sum));
        let path = path_for(&file.path);
        let temporary = path.with_extension("snapshot.partial");
        let written = std::fs::write(&temporary, &body)
            .and_then(|()| std::fs::File::open(&temporary)?.sync_all())
            .and_then(|()| std::fs::rename(&temporary, &path));
        written.map_err(|e| e.to_string())?;
        Ok(path)
    }

    fn search(&self, rules: &RuleBook, scope: &ReadScope, query: &str, limit: usize) -> Result<Found, ServiceError> {
        self.catch_up().map_err(search_failed)?;
        let asked = if scope.sees_everything { limit } else { limit.saturating_mul(OVER_FETCH) };
        let hits = self.names.search(query, asked, |code| names_of(&self.index, code)).map_err(search_failed)?;
        let mut found: Vec<FoundEntity> = hits
            .into_iter()
            .filter_map(|hit| if scope.sees_everything { Some(as_indexed(hit)) } else { self.disclosed(rules, scope, hit) })
            .collect();
        // Stable: within a kind of match, the name index's order stands.
        found.sort_by_key(|hit| hit.why);
        found.truncate(limit);
        Ok(Found { hits: found, tree: scope.tree })
    }

    /// `hit` as a caller who sees only disclosed records may see it: only
    /// when a record of the entity is disclosed to them, and matched by a
    /// name on such a record (or by its code).
    fn disclosed(&self, rules: &RuleBook, scope: &ReadScope, hit: Hit) -> Option<FoundEntity> {
        let records = self.index.facts(&hit.code)?;
        let state = scope.fold(&records, rules);
        let visible = scope.visible(&state, rules);
        if visible.is_empty() {
            return None;
        }
        let names = party::names(visible.iter().map(|view| view.record.as_ref()));
        let current = names.current.as_ref().map(|known| known.name.clone()).unwrap_or_default();
        let (why, matched_name) = hit.matched.iter().find_map(|matched| match &matched.name {
            None => Some((matched.why, current.clone())),
            Some(name) => shown(&names, name).map(|(shown, is_current)| {
                let why = match matched.why {
                    Why::FullName | Why::FormerName if is_current => Why::FullName,
                    Why::FullName | Why::FormerName => Why::FormerName,
                    why => why,
                };
                (why, shown.to_owned())
            }),
        })?;
        Some(FoundEntity { uscc: hit.code, current_name: current, matched_name, why })
    }

    /// Reads the entities records were added to since the last time.
    fn catch_up(&self) -> Result<(), SearchError> {
        let _turn = self.catching_up.lock().expect("catching up never panics");
        let changed = self.index.take_changed();
        if changed.is_empty() {
            return Ok(());
        }
        self.names.update(changed.into_iter().map(|code| (code, names_of(&self.index, &code))))
    }
}

/// A hit as the name index has it, for a caller who sees every record.
fn as_indexed(hit: Hit) -> FoundEntity {
    let current = hit.names.current.unwrap_or_default();
    let best = hit.matched.into_iter().next().expect("a hit matched somehow");
    FoundEntity {
        uscc: hit.code,
        matched_name: best.name.unwrap_or_else(|| current.clone()),
        current_name: current,
        why: best.why,
    }
}

/// The name among `names` that reads as `name`, as written there, and
/// whether it is the current one.
fn shown<'n>(names: &'n Names, name: &str) -> Option<(&'n str, bool)> {
    let key = match_key(name);
    let current = names.current.iter().map(|known| (known.name.as_str(), true));
    let former = names.former.iter().map(|former| (former.known.name.as_str(), false));
    current.chain(former).find(|(shown, _)| match_key(shown) == key)
}

fn search_failed(e: SearchError) -> ServiceError {
    tracing::error!(error = %e, "name search failed");
    ServiceError::SearchFailed(e.to_string())
}

/// The names the index's records give `code`, as the name index keeps them.
fn names_of(index: &Index, code: &Uscc) -> IndexedNames {
    let records = index.facts(code).unwrap_or_default();
    let names = party::names(records.iter().map(|record| record.as_ref()));
    IndexedNames {
        current: names.current.map(|known| known.name),
        former: names.former.into_iter().map(|former| former.known.name).collect(),
    }
}

/// A name index of every entity `index` holds.
fn build(index: &Index) -> Result<SearchIndex, SearchError> {
    let codes: Vec<Uscc> = index.export().into_iter().map(|(code, _)| code).collect();
    SearchIndex::build(codes.into_iter().map(|code| (code, names_of(index, &code))).filter(|(_, names)| !names.is_empty()))
}

/// Keeps the name index following the index until the search is dropped.
async fn follow(names: Weak<FollowedNames>) {
    loop {
        tokio::time::sleep(FOLLOW_EVERY).await;
        let Some(names) = names.upgrade() else { return };
        let caught_up = tokio::task::spawn_blocking(move || names.catch_up()).await;
        if let Ok(Err(e)) = caught_up {
            tracing::error!(error = %e, "the name search could not read the newest names");
        }
    }
}

/// Where the name index's snapshot is kept, beside the index's
/// (`registry-index.snapshot` → `registry-search.snapshot`).
pub fn path_for(index_snapshot: &Path) -> PathBuf {
    let name = index_snapshot.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    let name =
        name.strip_suffix("-index.snapshot").map_or_else(|| format!("{name}.search"), |stem| format!("{stem}-search.snapshot"));
    index_snapshot.with_file_name(name)
}

/// The name index in the snapshot at `path` if `key` signed it for `head`;
/// an error says why not. Read as a stream and hashed as it is read, so
/// the file is never held whole in memory; the index read is dropped
/// unless the checksum and signature after it hold.
fn read(path: &Path, key: &PublicKey, head: TreeHead) -> Result<SearchIndex, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let body_len = file.metadata().map_err(|e| e.to_string())?.len().checked_sub(32 + 64).ok_or("it is too short")?;
    let mut body = Hashed { inner: std::io::BufReader::with_capacity(1 << 20, file).take(body_len), digest: Sha256::new() };
    let mut header = [0; MAGIC.len() + 8 + 32 + 8];
    body.read_exact(&mut header).map_err(|_| "it is cut short")?;
    let rest = header.strip_prefix(MAGIC).ok_or("it is not a name search snapshot of this version")?;
    let (size, rest) = rest.split_at(8);
    let (root, len) = rest.split_at(32);
    let size = u64::from_be_bytes(size.try_into().expect("8 bytes"));
    if size != head.size {
        return Err(format!("it is of a ledger of {size} records, not the {} the index holds", head.size));
    }
    if root != head.root {
        return Err(format!("its root for {size} records is not the ledger's"));
    }
    if u64::from_be_bytes(len.try_into().expect("8 bytes")) != body_len - header.len() as u64 {
        return Err("its length does not match".into());
    }
    let names = SearchIndex::read_from(&mut body);
    let sum: [u8; 32] = body.digest.finalize().into();
    let mut trailer = body.inner.into_inner();
    let mut written = [0; 32 + 64];
    trailer.read_exact(&mut written).map_err(|e| e.to_string())?;
    let (written_sum, signature) = written.split_at(32);
    if sum[..] != *written_sum {
        return Err("its checksum does not match".into());
    }
    key.verify(Signed::SearchSnapshot, &sum, signature)
        .map_err(|_| format!("it is not signed by the registry key {}", key.key_id))?;
    names.map_err(|e| e.to_string())
}

/// A reader that hashes what it reads.
struct Hashed<R> {
    inner: R,
    digest: Sha256,
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::signing::RegistryKey;

    fn key(seed: u8) -> RegistryKey {
        RegistryKey::new(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    #[test]
    fn a_snapshot_is_used_only_when_signed_by_the_key_for_the_ledger_the_index_holds() {
        let dir = tempfile::tempdir().unwrap();
        let file = SnapshotFile { path: dir.path().join("registry-index.snapshot"), key: key(1) };
        let names = SearchIndex::new().unwrap();
        let code = Uscc::parse("91310115MA1K3BTP2B").unwrap();
        let named = || IndexedNames { current: Some("上海华腾科技有限公司".into()), former: Vec::new() };
        names.update([(code, named())]).unwrap();
        let followed = FollowedNames { names, index: Arc::new(Index::default()), catching_up: Mutex::new(()) };
        let path = followed.write_snapshot(&file).unwrap();
        let head = TreeHead::default();

        let loaded = read(&path, file.key.public(), head).unwrap();
        assert_eq!(loaded.search("华腾科技", 10, |_| named()).unwrap()[0].code, code);
        let refused = |key: &PublicKey, head| read(&path, key, head).err().expect("refused");
        assert!(refused(file.key.public(), TreeHead { size: 1, ..head }).contains("ledger of 0 records"));
        assert!(refused(file.key.public(), TreeHead { root: [9; 32], ..head }).contains("root"));
        assert!(refused(key(2).public(), head).contains("not signed by the registry key"));
        let mut bytes = std::fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(refused(file.key.public(), head).contains("checksum"));
    }

    #[test]
    fn the_snapshot_sits_beside_the_index_snapshot() {
        assert_eq!(path_for(Path::new("data/registry-index.snapshot")), Path::new("data/registry-search.snapshot"));
        assert_eq!(path_for(Path::new("x.bin")), Path::new("x.bin.search"));
    }
}
