//! What the name index costs, in-process without gRPC: the time to build
//! it, its memory per entity, its snapshot's size and load time, and one
//! caller's search latency per kind of query.
//!
//! Prints figures, asserts nothing. Names are made up as real ones are
//! written: region + trade name (字号) + industry + organisational form;
//! every fifth entity has a former name.
//!
//! Run: `cargo bench --bench search` (ENTITIES=1000000 QUERIES=2000 to change).

#[allow(dead_code)]
mod common;

use std::time::Instant;

use common::env_usize;
use creditregistry::search::{IndexedNames, SearchIndex};
use creditregistry_testkit::population::code;

const REGIONS: &[&str] = &["上海", "北京市", "深圳", "广州市", "杭州", "南京", "成都市", "武汉", "苏州", "天津", "重庆", "西安"];
const TRADE: &str = "华腾宏达恒信鑫源盛泰隆瑞丰嘉和安康永兴利通汇金诚德天宇中科新光明辉博远海峰云飞龙凤祥美佳创优智胜星月晨阳";
const INDUSTRIES: &[&str] = &["科技", "贸易", "实业", "电子", "信息技术", "网络科技", "建筑工程", "物流", "文化传媒", "机械设备"];
const FORMS: &[&str] = &["有限公司", "有限责任公司", "股份有限公司"];

/// The names of entity `i`: (current, former if any, short name).
fn names(i: usize) -> (String, Option<String>, String) {
    let trade: Vec<char> = TRADE.chars().collect();
    let pick = |k: usize, salt: u64| (mix((i as u64) << 8 | salt) % k as u64) as usize;
    let mark = format!("{}{}{}", trade[pick(trade.len(), 1)], trade[pick(trade.len(), 2)], trade[pick(trade.len(), 7)]);
    let region = REGIONS[pick(REGIONS.len(), 3)];
    let industry = INDUSTRIES[pick(INDUSTRIES.len(), 4)];
    let form = FORMS[pick(FORMS.len(), 5)];
    let former = i.is_multiple_of(5).then(|| format!("{region}{}{mark}{industry}{form}", trade[pick(trade.len(), 6)]));
    (format!("{region}{mark}{industry}{form}"), former, format!("{mark}{industry}"))
}

/// A kind of query, as the text asked for entity `i` (none: it has no such name).
type Query = dyn Fn(usize) -> Option<String>;

/// SplitMix64's finaliser: a well-spread hash of `x`.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// `name` with its middle character replaced.
fn typo(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let at = chars.len() / 2;
    chars[at] = '乙';
    chars.into_iter().collect()
}

fn percentiles(mut millis: Vec<f64>) -> (f64, f64) {
    millis.sort_by(f64::total_cmp);
    let at = |p: f64| millis[((millis.len() - 1) as f64 * p) as usize];
    (at(0.5), at(0.99))
}

fn main() {
    let entities = env_usize("ENTITIES", 100_000);
    let queries = env_usize("QUERIES", 1_000);
    let names_of = |i: usize| {
        let (current, former, _) = names(i);
        (code(i), IndexedNames { current: Some(current), former: former.into_iter().collect() })
    };
    let started = Instant::now();
    let index = SearchIndex::build((0..entities).map(names_of)).expect("index");
    let built = started.elapsed();
    let bytes = index.memory_bytes();
    println!(
        "{entities} entities: built in {:.1} s; {bytes} bytes in memory, {:.1} bytes per entity",
        built.as_secs_f64(),
        bytes as f64 / entities as f64
    );

    let started = Instant::now();
    let snapshot = index.to_bytes().expect("snapshot");
    let written = started.elapsed();
    let started = Instant::now();
    let loaded = SearchIndex::from_bytes(&snapshot).expect("load");
    loaded.search("华腾科技", 10).expect("first search");
    println!(
        "snapshot: {} bytes, written in {} ms, loaded and searched once in {} ms",
        snapshot.len(),
        written.as_millis(),
        started.elapsed().as_millis()
    );

    let kinds: [(&str, &Query); 6] = [
        ("full name", &|i| Some(names(i).0)),
        ("short name", &|i| Some(names(i).2)),
        ("former name", &|i| names(i).1),
        ("code", &|i| Some(code(i).to_string())),
        ("full name, one typo", &|i| Some(typo(&names(i).0))),
        ("short name, one typo", &|i| Some(typo(&names(i).2))),
    ];
    for (kind, query) in kinds {
        let (mut millis, mut first, mut among) = (Vec::new(), 0, 0);
        for q in 0..queries {
            let i = q.wrapping_mul(7_919) % entities;
            let Some(text) = query(i) else { continue };
            let started = Instant::now();
            let hits = loaded.search(&text, 10).expect("search");
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
