//! Name search (SearchEntities) over real gRPC: each kind of query with its
//! ranking, a rename, what procurement callers may find, bad queries, and
//! the name index kept across a restart.

mod common;

use common::*;
use creditregistry::proto::pb;
use pb::SearchMatch::{Code, FormerName, FullName, OneCharacterOff, Partial, ShortName};

fn code(n: u32) -> String {
    code_in("310115", n)
}

/// A penalty on `party`, decided `days` ago.
fn penalty_on(party: &str, number: &str, days: i64) -> pb::Penalty {
    pb::Penalty { party_name: party.into(), decided_on: date(days_ago(days)), ..penalty(number, cny(5_000)) }
}

async fn search(client: &mut RecordsClient, query: &str) -> Result<pb::SearchEntitiesResponse, tonic::Status> {
    client.search_entities(pb::SearchEntitiesRequest { query: query.into(), limit: 0 }).await.map(|r| r.into_inner())
}

/// The hits as (code, how it matched, matched name, current name).
async fn hits(client: &mut RecordsClient, query: &str) -> Vec<(String, pb::SearchMatch, String, String)> {
    let found = search(client, query).await.expect("search");
    found
        .hits
        .into_iter()
        .map(|h| (h.uscc, pb::SearchMatch::try_from(h.r#match).unwrap(), h.matched_name, h.current_name))
        .collect()
}

fn hit(code: &str, why: pb::SearchMatch, matched: &str, current: &str) -> (String, pb::SearchMatch, String, String) {
    (code.into(), why, matched.into(), current.into())
}

async fn each_kind_of_query_ranks_as_expected() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let names = ["上海华腾科技有限公司", "北京华腾科技有限责任公司", "华腾科技园发展有限公司", "ＡＢＣ科技（上海）有限公司"];
    for (i, name) in names.iter().enumerate() {
        record_penalty(&mut w, &code(i as u32 + 1), penalty_on(name, &format!("K-{i}"), 30)).await;
    }
    let (a, b, c, d) = (code(1), code(2), code(3), code(4));
    let mut auditor = reg.auditor().await;
    assert_eq!(
        hits(&mut auditor, "上海华腾科技有限公司").await,
        [hit(&a, FullName, names[0], names[0]), hit(&b, ShortName, names[1], names[1]), hit(&c, Partial, names[2], names[2])]
    );
    assert_eq!(
        hits(&mut auditor, "华腾科技").await,
        [hit(&a, ShortName, names[0], names[0]), hit(&b, ShortName, names[1], names[1]), hit(&c, Partial, names[2], names[2])]
    );
    assert_eq!(hits(&mut auditor, "上海华腾科枝有限公司").await, [hit(&a, OneCharacterOff, names[0], names[0])]);
    // No whole name is one off from this way of writing it: every short name one off is found.
    assert_eq!(
        hits(&mut auditor, "上海市华腾科枝有限公司").await,
        [hit(&a, OneCharacterOff, names[0], names[0]), hit(&b, OneCharacterOff, names[1], names[1])]
    );
    assert_eq!(hits(&mut auditor, &b.to_lowercase()).await, [hit(&b, Code, names[1], names[1])]);
    assert_eq!(hits(&mut auditor, "abc科技(上海)有限公司").await, [hit(&d, FullName, names[3], names[3])]);
    assert!(hits(&mut auditor, "无此企业").await.is_empty());
    let found = search(&mut auditor, "华腾科技").await.unwrap();
    assert_eq!(found.tree_size, 4, "answered against the ledger of four records");
    let one = auditor.search_entities(pb::SearchEntitiesRequest { query: "华腾科技".into(), limit: 1 }).await.unwrap();
    assert_eq!(one.into_inner().hits.len(), 1);
    reg.stop().await;
}

async fn a_renamed_entity_is_found_by_its_former_name_and_shown_by_its_current_one() {
    let mut reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let uscc = code(10);
    let (old, new) = ("上海甲乙电缆厂", "上海甲乙电线有限公司");
    record_penalty(&mut w, &uscc, penalty_on(old, "R-1", 90)).await;
    record_penalty(&mut w, &uscc, penalty_on(new, "R-2", 30)).await;
    let mut auditor = reg.auditor().await;
    assert_eq!(hits(&mut auditor, old).await, [hit(&uscc, FormerName, old, new)]);
    assert_eq!(hits(&mut auditor, new).await, [hit(&uscc, FullName, new, new)]);

    // Kept across a restart (from its snapshot on SQLite, rebuilt on
    // PostgreSQL), and still following the writer after it.
    reg.restart().await;
    if backend() == Backend::Sqlite {
        let files: Vec<String> =
            std::fs::read_dir(reg.dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert!(files.iter().any(|f| f.ends_with("-search.snapshot")), "the name index was saved beside the index: {files:?}");
    }
    let mut auditor = reg.auditor().await;
    assert_eq!(hits(&mut auditor, old).await, [hit(&uscc, FormerName, old, new)]);
    let mut w = reg.enforcement().await;
    let other = code(11);
    record_penalty(&mut w, &other, penalty_on("上海甲乙电线销售有限公司", "R-3", 20)).await;
    assert_eq!(
        hits(&mut auditor, "甲乙电线销售").await,
        [hit(&other, ShortName, "上海甲乙电线销售有限公司", "上海甲乙电线销售有限公司")]
    );
    reg.stop().await;
}

async fn procurement_callers_find_only_disclosed_entities_by_disclosed_names() {
    let reg = TestRegistry::start().await;
    let mut w = reg.enforcement().await;
    let (public, hidden, renamed) = (code(20), code(21), code(22));
    record_penalty(&mut w, &public, penalty_on("杭州公开科技有限公司", "V-1", 30)).await;
    let revoked = record_penalty(&mut w, &hidden, penalty_on("杭州隐藏科技有限公司", "V-2", 30)).await;
    w.correct_penalty(revocation(&revoked.record_id, "复议〔2026〕1号", 2)).await.unwrap();
    // Its old name is only on a revoked penalty; its new one on a public one.
    let old = record_penalty(&mut w, &renamed, penalty_on("杭州旧日名称科技有限公司", "V-3", 90)).await;
    w.correct_penalty(revocation(&old.record_id, "复议〔2026〕2号", 2)).await.unwrap();
    record_penalty(&mut w, &renamed, penalty_on("杭州新名科技有限公司", "V-4", 30)).await;

    let mut buyer = reg.procurement().await;
    assert_eq!(
        hits(&mut buyer, "杭州公开科技有限公司").await,
        [hit(&public, FullName, "杭州公开科技有限公司", "杭州公开科技有限公司")]
    );
    assert!(hits(&mut buyer, "隐藏科技").await.is_empty(), "an entity with nothing disclosed is not found");
    assert!(hits(&mut buyer, "杭州旧日名称科技有限公司").await.is_empty(), "a name only on hidden records is not found");
    assert_eq!(hits(&mut buyer, "新名科技").await, [hit(&renamed, ShortName, "杭州新名科技有限公司", "杭州新名科技有限公司")]);

    let mut auditor = reg.auditor().await;
    assert_eq!(hits(&mut auditor, "隐藏科技").await, [hit(&hidden, ShortName, "杭州隐藏科技有限公司", "杭州隐藏科技有限公司")]);
    assert_eq!(
        hits(&mut auditor, "杭州旧日名称科技有限公司").await,
        [hit(&renamed, FormerName, "杭州旧日名称科技有限公司", "杭州新名科技有限公司")]
    );
    reg.stop().await;
}

#[tokio::test]
async fn bad_queries_are_refused_naming_the_field() {
    let reg = TestRegistry::start().await;
    let mut auditor = reg.auditor().await;
    assert_violation(&search(&mut auditor, "").await.unwrap_err(), "query", "is required");
    assert_violation(&search(&mut auditor, "  ").await.unwrap_err(), "query", "is required");
    let long = "华".repeat(101);
    assert_violation(&search(&mut auditor, &long).await.unwrap_err(), "query", "101 characters");
    assert!(search(&mut auditor, &"华".repeat(100)).await.is_ok(), "100 characters are allowed");
    for limit in [-1, 51] {
        let err = auditor.search_entities(pb::SearchEntitiesRequest { query: "华腾".into(), limit }).await.unwrap_err();
        assert_violation(&err, "limit", "from 1 to 50");
    }
    reg.stop().await;
}

on_both_backends!(
    each_kind_of_query_ranks_as_expected,
    a_renamed_entity_is_found_by_its_former_name_and_shown_by_its_current_one,
    procurement_callers_find_only_disclosed_entities_by_disclosed_names,
);
