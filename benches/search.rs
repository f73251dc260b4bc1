//! What the name index costs, in-process without gRPC: the time to build
//! it, its memory per entity, its snapshot's size and load time, and one
//! caller's search latency per kind of query.
//!
//! Prints figures, asserts nothing. Names are the test kit's population's,
//! as `creditregistry-bench --names` seeds them: region + 字号 + industry +
//! organisational form, one entity in five renamed.
//!
//! Run: `cargo bench --bench search` (ENTITIES=1000000 QUERIES=2000 to change).

#[allow(dead_code)]
mod common;

use std::collections::HashMap;
use std::time::Instant;

use common::env_usize;
use creditregistry::domain::uscc::Uscc;
use creditregistry::search::{IndexedNames, SearchIndex};
use creditregistry_testkit::population::{code, generation, name_of, other_trade_character, parts_of, renamed};

/// A kind of query, as the text asked for entity `i` (none: it has no such name).
type Query = dyn Fn(usize) -> Option<String>;

/// `text` with its 字号's first character replaced by another.
fn typo(i: usize, text: String) -> String {
    let first = parts_of(i, generation(i)).trade.chars().next().expect("a 字号");
    text.replacen(first, &other_trade_character(first, i as u64).to_string(), 1)
}

fn percentiles(mut millis: Vec<f64>) -> (f64, f64) {
    millis.sort_by(f64::total_cmp);
    let at = |p: f64| millis[((millis.len() - 1) as f64 * p) as usize];
    (at(0.5), at(0.99))
}

fn main() {
    let entities = env_usize("ENTITIES", 100_000);
    let queries = env_usize("QUERIES", 1_000);
    let names = |i: usize| {
        let former = renamed(i).then(|| name_of(i, 0));
        IndexedNames { current: Some(name_of(i, generation(i))), former: former.into_iter().collect() }
    };
    let names_of = |i: usize| (code(i), names(i));
    // What the registry reads from an entity's records.
    let entity: HashMap<Uscc, usize> = (0..entities).map(|i| (code(i), i)).collect();
    let names_of_code = |code: &Uscc| entity.get(code).map(|&i| names(i)).unwrap_or_default();
    let started = Instant::now();
    let index = SearchIndex::build((0..entities).map(names_of)).expect("index");
    let built = started.elapsed();
    let bytes = index.memory_bytes();
    println!(
        "{entities} entities: built in {:.1} s; {bytes} bytes in memory, {:.1} bytes per entity",
        built.as_secs_f64(),
        bytes as f64 / entities as f64
    );

    for segment in index.space_usage().expect("space usage").segments() {
        let per_entity = |bytes: u64| bytes as f64 / entities as f64;
        for (part, usage) in [("terms", segment.termdict()), ("postings", segment.postings())] {
            for field in usage.fields() {
                println!("  {part} of {}: {:.1} bytes per entity", field.field_name(), per_entity(field.total().get_bytes()));
            }
        }
        println!("  stored names and codes: {:.1} bytes per entity", per_entity(segment.store().total().get_bytes()));
        println!("  field norms: {:.1} bytes per entity", per_entity(segment.fieldnorms().total().get_bytes()));
    }

    let started = Instant::now();
    let snapshot = index.to_bytes().expect("snapshot");
    let written = started.elapsed();
    let started = Instant::now();
    let loaded = SearchIndex::read_from(snapshot.as_slice()).expect("load");
    loaded.search(&parts_of(0, 0).short(), 10, names_of_code).expect("first search");
    println!(
        "snapshot: {} bytes, written in {} ms, loaded and searched once in {} ms",
        snapshot.len(),
        written.as_millis(),
        started.elapsed().as_millis()
    );

    let kinds: [(&str, &Query); 6] = [
        ("full name", &|i| Some(parts_of(i, generation(i)).full())),
        ("short name", &|i| Some(parts_of(i, generation(i)).short())),
        ("former name", &|i| renamed(i).then(|| name_of(i, 0))),
        ("code", &|i| Some(code(i).to_string())),
        ("full name, one typo", &|i| Some(typo(i, parts_of(i, generation(i)).full()))),
        ("short name, one typo", &|i| Some(typo(i, parts_of(i, generation(i)).short()))),
    ];
    for (kind, query) in kinds {
        let (mut millis, mut first, mut among) = (Vec::new(), 0, 0);
        for q in 0..queries {
            let i = q.wrapping_mul(7_919) % entities;
            let Some(text) = query(i) else { continue };
            let started = Instant::now();
            let hits = loaded.search(&text, 10, names_of_code).expect("search");
            millis.push(started.elapsed().as_secs_f64() * 1e3);
            first += usize::from(hits.first().is_some_and(|hit| hit.code == code(i)));
            among += usize::from(hits.iter().any(|hit| hit.code == code(i)));
        }
        let (p50, p99) = percentiles(millis.clone());
        println!(
            "{kind:<22} {:>5} queries: p50 {p50:.2} ms, p99 {p99:.2} ms; the entity first in {:.0}%, among the 10 hits in {:.0}%",
            millis.len(),
            100.0 * first as f64 / millis.len() as f64,
            100.0 * among as f64 / millis.len() as f64
        );
    }
}
