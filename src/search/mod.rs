//! Name search: every entity's names in a tantivy index held in memory,
//! answering exact and fuzzy Chinese look-ups ranked by how they match.
//!
//! One document per entity, keyed by its code, with these fields:
//! - `code`: the 18-character code (indexed whole, stored: the only thing
//!   stored, so a hit is known by it and its names are read from the
//!   records, which hold them already);
//! - `names`: the [search keys](search_key) of its current and former
//!   names (indexed whole, reversed);
//! - `core`: the [cores](core) of all its names (indexed whole, reversed);
//! - `grams`: the character bigrams of those cores (tantivy's
//!   `NgramTokenizer(2, 2)`), for partial matches; without frequencies or
//!   norms, which a name's few bigrams would not use but would pay for.
//!
//! Keys are indexed reversed because a look-up one character off walks the
//! term dictionary from a key's first character, branching wherever names
//! differ: forward, names share their first characters (a region) and
//! differ right after it, at the 字号, where the walk branches widest;
//! reversed, they share their form and industry and the walk branches late
//! and narrowly (at 1,000,000 names, about 1 ms against 1.6–8 ms).
//!
//! A query is answered in tiers, each a constant score, so that no amount of
//! term statistics lifts a lower tier above a higher one: the code or a
//! whole name 1000, a short name (the core) 200, a whole name one character
//! off 60, a short name one character off 50, and below those a name whose
//! core holds every bigram of the query's core, ranked among themselves by
//! BM25 (so by how rare the bigrams are). Within a tier, hits are ordered
//! by [why](Why) they matched (a current name before a former one). The
//! fuzzy tiers are the costly ones and run only when nothing matched at the
//! tier of what was typed, and then only the one that fits it: a short
//! name's for a short name; for a whole name, a whole name's, and a short
//! name's only when no whole name is one character off.

mod key;
mod why;

use std::io::Read;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::tokenizer::{NgramTokenizer, TextAnalyzer};
use tantivy::{Directory, DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::domain::uscc::Uscc;
pub use key::{core, search_key};
pub use why::{Matched, Why};

/// Most characters a query may have; longer queries, and empty ones, are the
/// caller's to refuse.
pub const MAX_QUERY_CHARS: usize = 100;

/// Bytes the index writer may buffer before it writes a segment: enough for
/// a start-up build to write few segments, held only while a batch is added.
const WRITER_BUDGET: usize = 50_000_000;

/// Name of the bigram tokenizer registered on the index.
const BIGRAMS: &str = "bigrams";

/// Fewest characters a query's core or key needs before it is matched one
/// character off: a two-character name is one edit from every name sharing
/// either character.
const MIN_FUZZY_CHARS: usize = 3;

const TIER_CODE: f32 = 1000.0;
const TIER_NAME: f32 = 1000.0;
const TIER_SHORT: f32 = 200.0;
const TIER_ONE_OFF: f32 = 50.0;
/// A whole name one character off ranks above a short name one off: a
/// short name one off is shared by every firm of that 字号 and industry in
/// every region, and would crowd the one the caller mistyped out.
const TIER_NAME_ONE_OFF: f32 = 60.0;

/// An entity's names as written, as the caller chose to index them: the
/// current name, if any, and its former names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexedNames {
    pub current: Option<String>,
    pub former: Vec<String>,
}

impl IndexedNames {
    pub fn is_empty(&self) -> bool {
        self.current.is_none() && self.former.is_empty()
    }
}

/// One entity found by [`SearchIndex::search`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub code: Uscc,
    /// Its names, as the caller of `search` gave them.
    pub names: IndexedNames,
    /// Every way it matched, best first; never empty.
    pub matched: Vec<Matched>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Engine(#[from] tantivy::TantivyError),
    #[error("search index snapshot: {0}")]
    Snapshot(String),
}

#[derive(Clone, Copy)]
struct Fields {
    code: Field,
    names: Field,
    core: Field,
    grams: Field,
}

impl Fields {
    fn schema() -> Schema {
        let mut builder = Schema::builder();
        let whole = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer("raw").set_fieldnorms(false).set_index_option(IndexRecordOption::Basic),
        );
        let grams = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(BIGRAMS).set_fieldnorms(false).set_index_option(IndexRecordOption::Basic),
        );
        builder.add_text_field("code", whole.clone() | STORED);
        builder.add_text_field("names", whole.clone());
        builder.add_text_field("core", whole);
        builder.add_text_field("grams", grams);
        builder.build()
    }

    fn of(schema: &Schema) -> Result<Fields, SearchError> {
        let field = |name: &str| schema.get_field(name).map_err(|_| SearchError::Snapshot(format!("it has no field {name}")));
        Ok(Fields { code: field("code")?, names: field("names")?, core: field("core")?, grams: field("grams")? })
    }
}

/// The name index. Searches run concurrently; updates take turns.
pub struct SearchIndex {
    directory: RamDirectory,
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
}

impl SearchIndex {
    /// An empty index.
    pub fn new() -> Result<SearchIndex, SearchError> {
        let directory = RamDirectory::create();
        let index = Index::create(directory.clone(), Fields::schema(), Default::default())?;
        SearchIndex::over(directory, index)
    }

    /// An index of `entities` (each given once), merged into one segment:
    /// a bulk build, for a start without a snapshot.
    pub fn build(entities: impl IntoIterator<Item = (Uscc, IndexedNames)>) -> Result<SearchIndex, SearchError> {
        let built = SearchIndex::new()?;
        {
            let mut writer = built.writer.lock().expect("the search writer never panics while held");
            // Merged once at the end rather than level by level meanwhile.
            writer.set_merge_policy(Box::new(NoMergePolicy));
            for (code, names) in entities {
                writer.add_document(built.document(code, &names))?;
            }
            writer.commit()?;
            let segments = writer.index().searchable_segment_ids()?;
            if segments.len() > 1 {
                writer.merge(&segments).wait()?;
            }
            writer.garbage_collect_files().wait()?;
            writer.set_merge_policy(Box::<LogMergePolicy>::default());
        }
        built.reader.reload()?;
        Ok(built)
    }

    fn over(directory: RamDirectory, index: Index) -> Result<SearchIndex, SearchError> {
        let fields = Fields::of(&index.schema())?;
        index.tokenizers().register(BIGRAMS, TextAnalyzer::from(NgramTokenizer::new(2, 2, false)?));
        // Our own commits are reloaded at once, in `update`; the policy
        // reloads after the background merges, which would otherwise keep
        // the merged segments' old copies alive until the next update.
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
        Ok(SearchIndex { directory, fields, reader, writer: Mutex::new(writer) })
    }

    /// Replaces each entity's names with those given (an entity given no
    /// names leaves the index), in one commit. A search begun after this
    /// returns sees every change.
    pub fn update(&self, entities: impl IntoIterator<Item = (Uscc, IndexedNames)>) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().expect("the search writer never panics while held");
        let mut changed = false;
        for (code, names) in entities {
            changed = true;
            writer.delete_term(Term::from_field_text(self.fields.code, code.as_str()));
            if !names.is_empty() {
                writer.add_document(self.document(code, &names))?;
            }
        }
        if changed {
            writer.commit()?;
            self.reader.reload()?;
        }
        Ok(())
    }

    fn document(&self, code: Uscc, names: &IndexedNames) -> TantivyDocument {
        let f = self.fields;
        let mut document = TantivyDocument::default();
        document.add_text(f.code, code.as_str());
        let all = || names.current.iter().chain(&names.former);
        let mut cores: Vec<String> = all().map(|name| core(name)).collect();
        cores.sort();
        cores.dedup();
        for core in cores {
            document.add_text(f.grams, &core);
            document.add_text(f.core, reversed(&core));
        }
        let mut keys: Vec<String> = all().map(|name| reversed(&search_key(name))).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            document.add_text(f.names, key);
        }
        document
    }

    /// Entities indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the index's files take in memory (the writer's buffer, held
    /// only during an update, is not counted).
    pub fn memory_bytes(&self) -> usize {
        self.directory.total_mem_usage()
    }

    /// Bytes each part of the index takes (term dictionaries, postings,
    /// stored names, …, per field): what `memory_bytes` is made of.
    pub fn space_usage(&self) -> Result<tantivy::space_usage::SearcherSpaceUsage, SearchError> {
        self.reader.searcher().space_usage().map_err(|e| SearchError::Engine(e.into()))
    }

    /// Up to `limit` entities matching `query`, best first (see the module
    /// documentation for the order), each with the names `names_of` gives
    /// its code: the index keeps no names as written, and why an entity
    /// matched is worked out from them. A query with no letters or digits
    /// matches nothing.
    pub fn search(&self, query: &str, limit: usize, names_of: impl Fn(&Uscc) -> IndexedNames) -> Result<Vec<Hit>, SearchError> {
        let query = why::Query::new(query);
        if query.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let top = |fuzzy: Fuzzy| searcher.search(&self.query(&query, fuzzy), &TopDocs::with_limit(limit).order_by_score());
        let best = |top: &[(f32, DocAddress)]| top.first().map_or(0.0, |(score, _)| *score);
        let mut found = top(Fuzzy::No)?;
        // A name with a typo still shares character pairs with other names,
        // and, typed whole, its short form may be another region's firm's:
        // only a hit at the tier of what was typed shows it was found as
        // written (a short name's tier for a short name, a name's for a whole
        // one).
        if query.key == query.core {
            if best(&found) < TIER_SHORT {
                found = top(Fuzzy::Short)?;
            }
        } else if best(&found) < TIER_NAME {
            found = top(Fuzzy::Whole)?;
            if best(&found) < TIER_NAME_ONE_OFF {
                found = top(Fuzzy::Both)?;
            }
        }
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let code = self.code(&searcher, address)?;
            let names = names_of(&code);
            let matched = query.classify(code, &names);
            if !matched.is_empty() {
                hits.push((score, Hit { code, names, matched }));
            }
        }
        hits.sort_by(|(a_score, a), (b_score, b)| {
            a.matched[0].why.cmp(&b.matched[0].why).then(b_score.total_cmp(a_score)).then(a.code.cmp(&b.code))
        });
        Ok(hits.into_iter().map(|(_, hit)| hit).collect())
    }

    fn query(&self, query: &why::Query, fuzzy: Fuzzy) -> BooleanQuery {
        let f = self.fields;
        let whole = |field: Field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
        };
        let one_off = |field: Field, text: &str| -> Box<dyn Query> {
            Box::new(FuzzyTermQuery::new(Term::from_field_text(field, text), 1, true))
        };
        let (key, core) = (reversed(&query.key), reversed(&query.core));
        let mut tiers: Vec<(Box<dyn Query>, f32)> = Vec::new();
        if let Some(code) = query.code {
            tiers.push((whole(f.code, code.as_str()), TIER_CODE));
        }
        if !query.key.is_empty() {
            tiers.push((whole(f.names, &key), TIER_NAME));
            tiers.push((whole(f.core, &core), TIER_SHORT));
        }
        if matches!(fuzzy, Fuzzy::Short | Fuzzy::Both) && query.core.chars().count() >= MIN_FUZZY_CHARS {
            tiers.push((one_off(f.core, &core), TIER_ONE_OFF));
        }
        if matches!(fuzzy, Fuzzy::Whole | Fuzzy::Both) && query.key.chars().count() >= MIN_FUZZY_CHARS {
            tiers.push((one_off(f.names, &key), TIER_NAME_ONE_OFF));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            tiers.into_iter().map(|(query, score)| (Occur::Should, Box::new(ConstScoreQuery::new(query, score)) as _)).collect();
        if !query.grams.is_empty() {
            let all: Vec<(Occur, Box<dyn Query>)> = query
                .grams
                .iter()
                .map(|gram| {
                    let term = TermQuery::new(Term::from_field_text(f.grams, gram), IndexRecordOption::Basic);
                    (Occur::Must, Box::new(term) as _)
                })
                .collect();
            // BM25 per term stays under ~30 for any index this size, so the
            // mean over the bigrams stays below the lowest tier.
            let mean = 1.0 / query.grams.len() as f32;
            clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(BooleanQuery::new(all)), mean))));
        }
        BooleanQuery::new(clauses)
    }

    fn code(&self, searcher: &Searcher, address: DocAddress) -> Result<Uscc, SearchError> {
        let document: TantivyDocument = searcher.doc(address)?;
        let code = document.get_first(self.fields.code).and_then(|value| value.as_str()).and_then(|code| Uscc::parse(code).ok());
        code.ok_or_else(|| SearchError::Snapshot("a document has no valid code".into()))
    }

    /// The index's files as one byte string (`CRSRCH2\n`, the number of files
    /// (u32), then per file its name's length (u16), name, length (u64) and
    /// bytes; integers big-endian), taken between commits. The caller signs
    /// and binds it.
    pub fn to_bytes(&self) -> Result<Vec<u8>, SearchError> {
        // Holding the writer keeps commits out; a copy made under the
        // directory's lock keeps a background merge from moving files midway.
        let _writer = self.writer.lock().expect("the search writer never panics while held");
        let copy = RamDirectory::create();
        self.directory.persist(&copy)?;
        let metas = Index::open(copy.clone())?.load_metas()?;
        let mut files: Vec<_> = metas.list_segment_files().into_iter().collect();
        files.extend(["meta.json".into(), ".managed.json".into()]);
        files.sort();
        let mut present = Vec::with_capacity(files.len());
        for path in files {
            if copy.exists(&path).map_err(|e| SearchError::Snapshot(e.to_string()))? {
                let file = copy.open_read(&path).map_err(|e| SearchError::Snapshot(e.to_string()))?;
                let bytes = file.read_bytes().map_err(|e| SearchError::Snapshot(e.to_string()))?;
                present.push((path, bytes));
            }
        }
        let mut out = Vec::with_capacity(present.iter().map(|(_, bytes)| bytes.len() + 64).sum::<usize>() + 12);
        out.extend_from_slice(SNAPSHOT_MAGIC);
        out.extend_from_slice(&(present.len() as u32).to_be_bytes());
        for (path, bytes) in present {
            let name = path.to_string_lossy();
            out.extend_from_slice(&(name.len() as u16).to_be_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            out.extend_from_slice(bytes.as_slice());
        }
        Ok(out)
    }

    /// The index [`to_bytes`](Self::to_bytes) wrote, read from `input`
    /// file by file: no more than one of the index's files is held twice
    /// while it loads, rather than the whole snapshot. An error says why
    /// the bytes are not such an index.
    pub fn read_from(mut input: impl Read) -> Result<SearchIndex, SearchError> {
        let mut magic = [0; SNAPSHOT_MAGIC.len()];
        input.read_exact(&mut magic).map_err(|_| broken("it does not start as one"))?;
        if magic != *SNAPSHOT_MAGIC {
            return Err(broken("it does not start as one"));
        }
        let count = u32::from_be_bytes(take(&mut input)?);
        let directory = RamDirectory::create();
        for _ in 0..count {
            let name_len = u16::from_be_bytes(take(&mut input)?);
            let name = String::from_utf8(next(&mut input, name_len.into())?).map_err(|_| broken("a file name is not UTF-8"))?;
            let len = usize::try_from(u64::from_be_bytes(take(&mut input)?)).map_err(|_| broken("a file is too long"))?;
            directory.atomic_write(name.as_ref(), &next(&mut input, len)?).map_err(|e| SearchError::Snapshot(e.to_string()))?;
        }
        if input.read(&mut [0]).map_err(|e| SearchError::Snapshot(e.to_string()))? != 0 {
            return Err(broken("bytes follow its last file"));
        }
        let index = Index::open(directory.clone())?;
        SearchIndex::over(directory, index)
    }
}

const SNAPSHOT_MAGIC: &[u8; 8] = b"CRSRCH2\n";

/// Which one-character-off tiers a query runs.
#[derive(Clone, Copy)]
enum Fuzzy {
    No,
    /// A short name's (the core's).
    Short,
    /// A whole name's.
    Whole,
    Both,
}

/// `key` read from its last character to its first, as keys are indexed.
fn reversed(key: &str) -> String {
    key.chars().rev().collect()
}

/// The next `n` bytes of `input`, in a buffer of exactly that size (one
/// grown as it is filled would leave several times `n` behind it).
fn next(input: &mut impl Read, n: usize) -> Result<Vec<u8>, SearchError> {
    let mut bytes = Vec::new();
    // A length read from a damaged snapshot may be absurd: refused, not an abort.
    bytes.try_reserve_exact(n).map_err(|_| broken("a file is too long"))?;
    input.take(n as u64).read_to_end(&mut bytes).map_err(|e| SearchError::Snapshot(e.to_string()))?;
    if bytes.len() < n {
        return Err(broken("it is cut short"));
    }
    Ok(bytes)
}

fn take<const N: usize>(input: &mut impl Read) -> Result<[u8; N], SearchError> {
    Ok(next(input, N)?.try_into().expect("N bytes"))
}

fn broken(why: &str) -> SearchError {
    SearchError::Snapshot(why.to_owned())
}

#[cfg(test)]
mod tests;
