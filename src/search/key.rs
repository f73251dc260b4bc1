//! The forms a name is searched by. The *search key* is the party's
//! [`match_key`] with punctuation and brackets dropped (`华为技术（北京）有限公司`
//! → `华为技术北京有限公司`); the *core* is what people call a company: the
//! key without a leading region, without a region in brackets, and without
//! its organisational form (`上海市华腾科技有限公司` → `华腾科技`).

use unicode_normalization::UnicodeNormalization;

use crate::domain::party::match_key;

/// Region names a company name may start with: the provincial-level
/// divisions, their capitals and the larger cities (GB/T 2260 names without
/// their administrative suffix). A name is stripped of one of these, with or
/// without the suffixes in [`REGION_SUFFIXES`], when something is left after
/// it. Districts and counties are not listed: too many of them are also
/// ordinary words used in trade names (长城, 朝阳); those that carry their
/// suffix in the name itself (浦东新区) are listed whole.
const REGIONS: &[&str] = &[
    // Provinces, autonomous regions, municipalities and special administrative regions.
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门", // Provincial capitals.
    "石家庄",
    "太原",
    "沈阳",
    "长春",
    "哈尔滨",
    "南京",
    "杭州",
    "合肥",
    "福州",
    "南昌",
    "济南",
    "郑州",
    "武汉",
    "长沙",
    "广州",
    "海口",
    "成都",
    "贵阳",
    "昆明",
    "西安",
    "兰州",
    "西宁",
    "呼和浩特",
    "南宁",
    "拉萨",
    "银川",
    "乌鲁木齐", // Larger cities.
    "深圳",
    "大连",
    "青岛",
    "宁波",
    "厦门",
    "苏州",
    "无锡",
    "佛山",
    "东莞",
    "常州",
    "温州",
    "泉州",
    "烟台",
    "唐山",
    "徐州",
    "珠海",
    "惠州",
    "南通",
    "绍兴",
    "嘉兴",
    "潍坊",
    "洛阳",
    "保定",
    "扬州", // Districts whose name carries its suffix.
    "浦东新区",
    "滨海新区",
    "两江新区",
    "雄安新区",
];

/// Administrative suffixes that may follow a name in [`REGIONS`], longest
/// first (`广西壮族自治区`, `上海市`, `浙江省`). Bare 区 and 县 are not among
/// them: no province or city is written so, and `北京区块链` is a trade name.
const REGION_SUFFIXES: &[&str] = &["壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "新区", "省", "市"];

/// Organisational forms a name may end with, longest first. Stripped
/// repeatedly, so `集团股份有限公司` loses both its parts.
const FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "个人独资企业",
    "合伙企业",
    "有限公司",
    "股份公司",
    "有限合伙",
    "普通合伙",
    "分公司",
    "公司",
    "集团",
];

/// Fewest characters a core keeps: a region or form is not stripped when
/// less would remain (`北京有限公司` becomes `北京`, not nothing).
const MIN_CORE_CHARS: usize = 2;

/// The search key of `name`: [`match_key`] keeping only letters and digits
/// (CJK characters are letters), so brackets, dots and dashes do not count.
pub fn search_key(name: &str) -> String {
    alphanumeric(&match_key(name))
}

/// `text`'s letters and digits, composed again: dropping a character can
/// bring two combining marks together, which composition then orders.
fn alphanumeric(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).nfc().filter(|c| c.is_alphanumeric()).collect()
}

/// The core of `name`: its search key without a leading region, a region
/// written in brackets anywhere (`华为技术（北京）有限公司` → `华为技术`) and
/// trailing organisational forms. Never empty when the key is not.
pub fn core(name: &str) -> String {
    let key = match_key(name);
    let mut whole = alphanumeric(&drop_bracketed_regions(&key));
    if !long_enough(&whole) {
        whole = alphanumeric(&key);
    }
    let mut core = whole.as_str();
    while let Some(rest) = FORMS.iter().filter_map(|form| core.strip_suffix(form)).find(|rest| long_enough(rest)) {
        core = rest;
    }
    // 广东省深圳市…: a province, then a city.
    for _ in 0..2 {
        match strip_region(core) {
            Some(rest) => core = rest,
            None => break,
        }
    }
    core.to_owned()
}

fn long_enough(rest: &str) -> bool {
    rest.chars().count() >= MIN_CORE_CHARS
}

/// `name` without its leading region (and the region's suffix), if one
/// leads and enough is left.
fn strip_region(name: &str) -> Option<&str> {
    let rest = REGIONS.iter().filter_map(|region| name.strip_prefix(region)).min_by_key(|rest| rest.len())?;
    let rest = REGION_SUFFIXES.iter().find_map(|suffix| rest.strip_prefix(suffix)).unwrap_or(rest);
    long_enough(rest).then_some(rest)
}

/// `key` (brackets already half-width) without bracket groups that hold
/// only a region: `华为技术(北京)有限公司` → `华为技术有限公司`.
fn drop_bracketed_regions(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut rest = key;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|i| open + i) else { break };
        let inside = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        if !is_region(inside) {
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn is_region(text: &str) -> bool {
    REGIONS.iter().filter_map(|region| text.strip_prefix(region)).any(|rest| rest.is_empty() || REGION_SUFFIXES.contains(&rest))
}

/// The character bigrams of `text`, as the index's n-gram tokenizer cuts
/// them; none for a single character.
pub fn bigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(2).map(|pair| pair.iter().collect()).collect()
}

/// Whether `a` and `b` differ by at most one edit: a character inserted,
/// removed, replaced, or two neighbours swapped (the distance the index's
/// fuzzy queries use).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    // Optimal string alignment counts an adjacent swap as one edit, as
    // tantivy's Levenshtein automata with transpositions do.
    strsim::osa_distance(a, b) <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_key_drops_punctuation_and_reads_widths_alike() {
        assert_eq!(search_key("华为技术（北京）有限公司"), "华为技术北京有限公司");
        assert_eq!(search_key("ＡＢＣ科技 有限公司"), search_key("ABC科技有限公司"));
        assert_eq!(search_key("A.B-C·科技"), "abc科技");
    }

    #[test]
    fn the_core_drops_region_and_form() {
        assert_eq!(core("上海华腾科技有限公司"), "华腾科技");
        assert_eq!(core("上海市华腾科技有限责任公司"), "华腾科技");
        assert_eq!(core("广东省深圳市华腾科技股份有限公司"), "华腾科技");
        assert_eq!(core("广西壮族自治区华腾集团有限公司"), "华腾");
        assert_eq!(core("华为技术（北京）有限公司"), "华为技术");
        assert_eq!(core("ＡＢＣ科技（上海）有限公司"), "abc科技");
        assert_eq!(core("华腾科技"), "华腾科技");
        assert_eq!(core("上海浦东新区华腾科技有限公司"), "华腾科技");
    }

    #[test]
    fn the_core_keeps_what_is_not_a_region_or_form() {
        assert_eq!(core("北京区块链科技有限公司"), "区块链科技");
        assert_eq!(core("北京有限公司"), "北京");
        assert_eq!(core("上海集团"), "上海");
        assert_eq!(core("华为技术（深圳研发）有限公司"), "华为技术深圳研发");
        assert_eq!(core("公司"), "公司");
    }

    #[test]
    fn one_edit_covers_replace_insert_remove_and_swap() {
        assert!(within_one_edit("华腾科技", "华腾科技"));
        assert!(within_one_edit("华腾科技", "华藤科技"));
        assert!(within_one_edit("华腾科技", "华腾科技园"));
        assert!(within_one_edit("华腾科技", "华科技"));
        assert!(within_one_edit("华腾科技", "腾华科技"));
        assert!(!within_one_edit("华腾科技", "藤华科技"));
        assert!(!within_one_edit("华腾科技", "华藤科枝"));
        assert!(!within_one_edit("华腾", "华腾科技"));
    }

    #[test]
    fn bigrams_are_character_pairs() {
        assert_eq!(bigrams("华腾科技"), ["华腾", "腾科", "科技"]);
        assert!(bigrams("华").is_empty());
    }

    proptest! {
        #[test]
        fn the_key_and_core_are_idempotent(name in "\\PC{0,40}") {
            let key = search_key(&name);
            prop_assert_eq!(search_key(&key), key.clone());
            let core = core(&name);
            prop_assert!(core.chars().all(char::is_alphanumeric));
            prop_assert_eq!(core.is_empty(), key.is_empty());
        }

        #[test]
        fn region_and_form_are_stripped_around_any_trade_name(
            region in proptest::sample::select(REGIONS),
            suffix in proptest::sample::select(&["", "省", "市"][..]),
            trade in "[甲乙丙丁戊己庚辛壬癸]{2,6}",
            form in proptest::sample::select(&["有限公司", "有限责任公司", "股份有限公司", "集团有限公司", ""][..]),
        ) {
            prop_assert_eq!(core(&format!("{region}{suffix}{trade}{form}")), trade.clone());
            prop_assert_eq!(core(&format!("{trade}（{region}）{form}")), trade);
        }

        #[test]
        fn one_edit_agrees_with_a_replaced_character(text in "[甲乙丙丁]{1,8}", at in 0usize..8, with in "[戊己]") {
            let mut chars: Vec<char> = text.chars().collect();
            let at = at % chars.len();
            chars[at] = with.chars().next().unwrap();
            let changed: String = chars.iter().collect();
            prop_assert!(within_one_edit(&text, &changed));
            prop_assert!(within_one_edit(&changed, &text));
        }
    }
}
