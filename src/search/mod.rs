//! Name search: every entity's names in a tantivy index held in memory,
//! answering exact and fuzzy Chinese look-ups ranked by how they match.
//!
//! One document per entity, keyed by its code, with these fields:
//! - `code`: the 18-character code (indexed whole, stored);
//! - `full`, `former`: the [search keys](search_key) of the current and the
//!   former names (indexed whole);
//! - `core`: the [cores](core) of all its names (indexed whole);
//! - `grams`: the character bigrams of those cores (tantivy's
//!   `NgramTokenizer(2, 2)`), for partial matches;
//! - `current_written`, `former_written`: the names as written (stored only),
//!   so a hit can say which name matched.
//!
//! A query is answered in tiers, each a constant score, so that no amount of
//! term statistics lifts a lower tier above a higher one: the code or the
//! full current name 1000, a former name 500, a short name (the core) 200, a
//! whole name one character off 60, a short name one character off 50, and
//! below those a name whose core holds every bigram of the query's core,
//! ranked among themselves by BM25. The fuzzy tiers are the costly ones and
//! run only when nothing matched at the tier of what was typed: a short
//! name's for a short name, a former name's for a whole name.

mod key;
mod why;

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
const TIER_FULL: f32 = 1000.0;
const TIER_FORMER: f32 = 500.0;
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
    /// All names indexed for it.
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
    full: Field,
    former: Field,
    core: Field,
    grams: Field,
    current_written: Field,
    former_written: Field,
}

impl Fields {
    fn schema() -> Schema {
        let mut builder = Schema::builder();
        let whole = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer("raw").set_fieldnorms(false).set_index_option(IndexRecordOption::Basic),
        );
        let grams = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(BIGRAMS).set_index_option(IndexRecordOption::WithFreqs),
        );
        builder.add_text_field("code", whole.clone() | STORED);
        builder.add_text_field("full", whole.clone());
        builder.add_text_field("former", whole.clone());
        builder.add_text_field("core", whole);
        builder.add_text_field("grams", grams);
        builder.add_text_field("current_written", STORED);
        builder.add_text_field("former_written", STORED);
        builder.build()
    }

    fn of(schema: &Schema) -> Result<Fields, SearchError> {
        let field = |name: &str| schema.get_field(name).map_err(|_| SearchError::Snapshot(format!("it has no field {name}")));
        Ok(Fields {
            code: field("code")?,
            full: field("full")?,
            former: field("former")?,
            core: field("core")?,
            grams: field("grams")?,
            current_written: field("current_written")?,
            former_written: field("former_written")?,
        })
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
        let mut cores: Vec<String> = names.current.iter().chain(&names.former).map(|name| core(name)).collect();
        cores.sort();
        cores.dedup();
        for core in cores {
            document.add_text(f.grams, &core);
            document.add_text(f.core, core);
        }
        if let Some(current) = &names.current {
            document.add_text(f.full, search_key(current));
            document.add_text(f.current_written, current);
        }
        for former in &names.former {
            document.add_text(f.former, search_key(former));
            document.add_text(f.former_written, former);
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

    /// Up to `limit` entities matching `query`, best first (see the module
    /// documentation for the order). A query with no letters or digits
    /// matches nothing.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let query = why::Query::new(query);
        if query.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let mut top = searcher.search(&self.query(&query, false), &TopDocs::with_limit(limit).order_by_score())?;
        // A name with a typo still shares character pairs with other names,
        // and, typed whole, its short form may be another region's firm's:
        // only a hit at the tier of what was typed shows it was found as
        // written (a short name's tier for a short name, a whole name's for
        // a whole one).
        let typed = if query.key == query.core { TIER_SHORT } else { TIER_FORMER };
        if top.first().is_none_or(|(score, _)| *score < typed) {
            top = searcher.search(&self.query(&query, true), &TopDocs::with_limit(limit).order_by_score())?;
        }
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let (code, names) = self.read(&searcher, address)?;
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

    fn query(&self, query: &why::Query, fuzzy: bool) -> BooleanQuery {
        let f = self.fields;
        let whole = |field: Field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
        };
        let mut tiers: Vec<(Box<dyn Query>, f32)> = Vec::new();
        if let Some(code) = query.code {
            tiers.push((whole(f.code, code.as_str()), TIER_CODE));
        }
        if !query.key.is_empty() {
            tiers.push((whole(f.full, &query.key), TIER_FULL));
            tiers.push((whole(f.former, &query.key), TIER_FORMER));
            tiers.push((whole(f.core, &query.core), TIER_SHORT));
        }
        if fuzzy {
            let one_off = |field: Field, text: &str| -> Box<dyn Query> {
                Box::new(FuzzyTermQuery::new(Term::from_field_text(field, text), 1, true))
            };
            if query.core.chars().count() >= MIN_FUZZY_CHARS {
                tiers.push((one_off(f.core, &query.core), TIER_ONE_OFF));
            }
            if query.key.chars().count() >= MIN_FUZZY_CHARS {
                tiers.push((one_off(f.full, &query.key), TIER_NAME_ONE_OFF));
                tiers.push((one_off(f.former, &query.key), TIER_NAME_ONE_OFF));
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            tiers.into_iter().map(|(query, score)| (Occur::Should, Box::new(ConstScoreQuery::new(query, score)) as _)).collect();
        if !query.grams.is_empty() {
            let all: Vec<(Occur, Box<dyn Query>)> = query
                .grams
                .iter()
                .map(|gram| {
                    let term = TermQuery::new(Term::from_field_text(f.grams, gram), IndexRecordOption::WithFreqs);
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

    fn read(&self, searcher: &Searcher, address: DocAddress) -> Result<(Uscc, IndexedNames), SearchError> {
        let f = self.fields;
        let document: TantivyDocument = searcher.doc(address)?;
        let text = |field: Field| document.get_all(field).filter_map(|value| value.as_str().map(str::to_owned));
        let code = text(f.code).next().and_then(|code| Uscc::parse(&code).ok());
        let code = code.ok_or_else(|| SearchError::Snapshot("a document has no valid code".into()))?;
        Ok((code, IndexedNames { current: text(f.current_written).next(), former: text(f.former_written).collect() }))
    }

    /// The index's files as one byte string (`CRSRCH1\n`, the number of files
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

    /// The index [`to_bytes`](Self::to_bytes) wrote; an error says why the
    /// bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<SearchIndex, SearchError> {
        let mut rest = Bytes(bytes.strip_prefix(SNAPSHOT_MAGIC).ok_or_else(|| broken("it does not start as one"))?);
        let count = u32::from_be_bytes(rest.take()?);
        let directory = RamDirectory::create();
        for _ in 0..count {
            let name_len = u16::from_be_bytes(rest.take()?);
            let name = std::str::from_utf8(rest.next(name_len.into())?).map_err(|_| broken("a file name is not UTF-8"))?;
            let len = usize::try_from(u64::from_be_bytes(rest.take()?)).map_err(|_| broken("a file is too long"))?;
            directory.atomic_write(name.as_ref(), rest.next(len)?).map_err(|e| SearchError::Snapshot(e.to_string()))?;
        }
        if !rest.0.is_empty() {
            return Err(broken("bytes follow its last file"));
        }
        let index = Index::open(directory.clone())?;
        SearchIndex::over(directory, index)
    }
}

const SNAPSHOT_MAGIC: &[u8; 8] = b"CRSRCH1\n";

/// A snapshot's bytes not read yet.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn next(&mut self, n: usize) -> Result<&'a [u8], SearchError> {
        if self.0.len() < n {
            return Err(broken("it is cut short"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], SearchError> {
        Ok(self.next(N)?.try_into().expect("N bytes"))
    }
}

fn broken(why: &str) -> SearchError {
    SearchError::Snapshot(why.to_owned())
}

#[cfg(test)]
mod tests;
