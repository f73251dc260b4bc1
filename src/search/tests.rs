use super::*;

fn code(i: usize) -> Uscc {
    Uscc::complete(&format!("91310115{i:08}")).expect("a valid code")
}

fn named(current: &str) -> IndexedNames {
    IndexedNames { current: Some(current.into()), former: Vec::new() }
}

/// The names of codes 1.. in this order.
const NAMES: &[&str] = &[
    "上海华腾科技有限公司",
    "北京华腾科技有限责任公司",
    "华腾科技园发展有限公司",
    "深圳华藤科技有限公司",
    "ＡＢＣ科技（上海）有限公司",
    "北京旧名称科技有限公司",
];

/// The population every test searches: codes 1.. in `NAMES`' order, and
/// 100 renamed.
fn entities() -> Vec<(Uscc, IndexedNames)> {
    let mut entities: Vec<_> = NAMES.iter().enumerate().map(|(i, name)| (code(i + 1), named(name))).collect();
    let renamed = IndexedNames {
        current: Some("上海新名称科技有限公司".into()), former: vec!["上海旧名称科技有限公司".into()]
    };
    entities.push((code(100), renamed));
    entities
}

/// A name index and the names its entities' records give them, as the
/// registry keeps both.
struct Population {
    index: SearchIndex,
    names: std::sync::Mutex<std::collections::HashMap<Uscc, IndexedNames>>,
}

impl Population {
    fn of(entities: impl IntoIterator<Item = (Uscc, IndexedNames)>) -> Population {
        let population = Population { index: SearchIndex::new().unwrap(), names: Default::default() };
        population.update(entities);
        population
    }

    fn update(&self, entities: impl IntoIterator<Item = (Uscc, IndexedNames)>) {
        let entities: Vec<_> = entities.into_iter().collect();
        self.index.update(entities.clone()).unwrap();
        self.names.lock().unwrap().extend(entities);
    }

    /// The same names over another index.
    fn over(&self, index: SearchIndex) -> Population {
        Population { index, names: std::sync::Mutex::new(self.names.lock().unwrap().clone()) }
    }

    fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let names = self.names.lock().unwrap();
        self.index.search(query, limit, |code| names.get(code).cloned().unwrap_or_default()).unwrap()
    }
}

fn population() -> Population {
    Population::of(entities())
}

/// Each hit as (its code's number, why, the name that matched).
fn found(population: &Population, query: &str) -> Vec<(usize, Why, Option<String>)> {
    let number = |code: Uscc| (1..=100).find(|&i| self::code(i) == code).unwrap();
    let hits = population.search(query, 10);
    hits.into_iter().map(|hit| (number(hit.code), hit.matched[0].why, hit.matched[0].name.clone())).collect()
}

fn name(text: &str) -> Option<String> {
    Some(text.into())
}

#[test]
fn a_full_name_ranks_above_the_same_short_name_and_a_partial_one() {
    assert_eq!(
        found(&population(), "上海华腾科技有限公司"),
        [
            (1, Why::FullName, name("上海华腾科技有限公司")),
            (2, Why::ShortName, name("北京华腾科技有限责任公司")),
            (3, Why::Partial, name("华腾科技园发展有限公司")),
        ]
    );
}

#[test]
fn a_short_name_finds_every_region_and_form() {
    let hits = found(&population(), "华腾科技");
    assert_eq!(
        hits.iter().map(|(i, why, _)| (*i, *why)).collect::<Vec<_>>(),
        [(1, Why::ShortName), (2, Why::ShortName), (3, Why::Partial)]
    );
    assert_eq!(found(&population(), "上海市华腾科技")[0], (1, Why::ShortName, name("上海华腾科技有限公司")));
}

#[test]
fn a_former_name_ranks_above_a_short_name_and_names_the_former_name() {
    assert_eq!(
        found(&population(), "上海旧名称科技有限公司"),
        [(100, Why::FormerName, name("上海旧名称科技有限公司")), (6, Why::ShortName, name("北京旧名称科技有限公司"))]
    );
}

#[test]
fn a_name_one_character_off_is_found_when_nothing_matches_exactly() {
    assert_eq!(found(&population(), "上海华腾科枝有限公司"), [(1, Why::OneCharacterOff, name("上海华腾科技有限公司"))]);
    // Typed with its region written otherwise, no whole name is one off:
    // then every short name one off is.
    assert_eq!(
        found(&population(), "上海市华腾科枝有限公司"),
        [(1, Why::OneCharacterOff, name("上海华腾科技有限公司")), (2, Why::OneCharacterOff, name("北京华腾科技有限责任公司"))]
    );
    assert_eq!(found(&population(), "华藤科技")[0], (4, Why::ShortName, name("深圳华藤科技有限公司")));
    // One character too many, whose pairs all appear in another name: that
    // partial match does not hide the name one off.
    assert_eq!(
        found(&population(), "上海华腾科技园有限公司"),
        [(1, Why::OneCharacterOff, name("上海华腾科技有限公司")), (3, Why::Partial, name("华腾科技园发展有限公司"))]
    );
    assert!(found(&population(), "华枝").is_empty(), "two characters are never matched one off");
}

#[test]
fn the_code_is_found_however_it_is_typed() {
    let typed = code(2).as_str().to_lowercase().replace("9131", "9131 ");
    assert_eq!(found(&population(), &typed), [(2, Why::Code, None)]);
}

#[test]
fn mixed_scripts_and_widths_read_alike() {
    assert_eq!(found(&population(), "ABC科技(上海)有限公司")[0], (5, Why::FullName, name("ＡＢＣ科技（上海）有限公司")));
    assert_eq!(found(&population(), "abc科技")[0], (5, Why::ShortName, name("ＡＢＣ科技（上海）有限公司")));
}

#[test]
fn a_query_without_letters_or_digits_finds_nothing() {
    assert!(found(&population(), "").is_empty());
    assert!(found(&population(), "（）·").is_empty());
}

#[test]
fn an_update_replaces_the_names_and_is_seen_at_once() {
    let index = population();
    index.update([(
        code(1),
        IndexedNames { current: name("上海腾飞科技有限公司"), former: vec!["上海华腾科技有限公司".into()] },
    )]);
    assert_eq!(found(&index, "上海华腾科技有限公司")[0], (1, Why::FormerName, name("上海华腾科技有限公司")));
    assert_eq!(found(&index, "上海腾飞科技有限公司"), [(1, Why::FullName, name("上海腾飞科技有限公司"))]);
    index.update([(code(1), IndexedNames::default())]);
    assert!(found(&index, "腾飞科技").is_empty());
    assert_eq!(index.index.len(), NAMES.len() as u64);
}

#[test]
fn limit_bounds_the_hits() {
    let index = population();
    assert_eq!(index.search("华腾科技", 1).len(), 1);
    assert!(index.search("华腾科技", 0).is_empty());
}

#[test]
fn a_snapshot_answers_as_the_index_did() {
    let index = population();
    let bytes = index.index.to_bytes().unwrap();
    let loaded = index.over(SearchIndex::read_from(bytes.as_slice()).unwrap());
    for query in ["上海华腾科技有限公司", "华腾科技", "上海华腾科枝有限公司", "上海旧名称科技有限公司", code(2).as_str()]
    {
        assert_eq!(found(&loaded, query), found(&index, query), "{query}");
    }
    assert!(index.index.memory_bytes() > 0);
    loaded.update([(code(7), named("杭州新来科技有限公司"))]);
    assert_eq!(found(&loaded, "新来科技")[0].0, 7);
}

#[test]
fn bytes_that_are_not_a_snapshot_are_refused() {
    let bytes = population().index.to_bytes().unwrap();
    assert!(SearchIndex::read_from(&bytes[..bytes.len() - 1]).is_err());
    assert!(SearchIndex::read_from(&b"CRSRCH2\n"[..]).is_err());
    assert!(SearchIndex::read_from([bytes.as_slice(), b"x"].concat().as_slice()).is_err());
    assert!(SearchIndex::read_from(&b"not an index"[..]).is_err());
}

#[test]
fn a_bulk_build_answers_as_updates_do() {
    let updated = population();
    let built = updated.over(SearchIndex::build(entities()).unwrap());
    for query in ["上海华腾科技有限公司", "华腾科技", "上海华腾科枝有限公司", "上海旧名称科技有限公司", code(2).as_str()]
    {
        assert_eq!(found(&built, query), found(&updated, query), "{query}");
    }
    built.update([(code(1), IndexedNames::default())]);
    assert_eq!(built.index.len(), NAMES.len() as u64);
}

#[test]
fn a_whole_name_one_character_off_ranks_above_the_same_short_name_elsewhere() {
    let names = ["北京瑞泰电线有限公司", "广州瑞泰电线有限公司", "上海瑞泰电线有限公司", "深圳瑞泰电线有限公司"];
    let index = Population::of(names.iter().enumerate().map(|(i, name)| (code(i + 1), named(name))));
    assert_eq!(found(&index, "上海瑞秦电线有限公司"), [(3, Why::OneCharacterOff, name("上海瑞泰电线有限公司"))]);
    let hits = found(&index, "上海市瑞秦电线有限公司");
    assert_eq!(hits.len(), 4, "with no whole name one off, the short name one off finds them all: {hits:?}");
}

#[test]
fn a_whole_name_one_character_off_is_found_though_its_short_form_is_another_firms() {
    // The typo 瑞秦 is another firm's 字号 in another region.
    let names = ["上海瑞泰电线有限公司", "北京瑞秦电线有限公司"];
    let index = Population::of(names.iter().enumerate().map(|(i, name)| (code(i + 1), named(name))));
    let hits = found(&index, "上海瑞秦电线有限公司");
    assert!(hits.contains(&(1, Why::OneCharacterOff, name("上海瑞泰电线有限公司"))), "{hits:?}");
    // Typed short, the other firm's short name is what was asked for.
    assert_eq!(found(&index, "瑞秦电线")[0], (2, Why::ShortName, name("北京瑞秦电线有限公司")));
}
