//! The party a decision names (当事人): its name as written, the key names
//! are compared by, and an entity's names over time, derived from its
//! records (a company renames; its code stays).

use unicode_normalization::UnicodeNormalization;

/// Most characters a party name may have (the longest registered names run
/// to a few dozen; 200 leaves room for a branch's full designation).
pub const MAX_NAME_CHARS: usize = 200;

/// The key two names are compared by: NFKC (full-width brackets, letters and
/// digits become their half-width forms, `（北京）` reads as `(北京)`), with
/// whitespace removed and Latin letters lower-cased. Names are kept as
/// written; only comparisons use the key.
pub fn match_key(name: &str) -> String {
    let folded: String = name.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect();
    folded.nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn full_and_half_width_brackets_and_spaces_read_alike() {
        assert_eq!(match_key("华为技术（北京）有限公司"), match_key("华为技术(北京)有限公司"));
        assert_eq!(match_key("ＡＢＣ 科技 有限公司"), match_key("abc科技有限公司"));
        assert_eq!(match_key("上海\u{3000}某某公司"), match_key("上海某某公司"));
        assert_ne!(match_key("上海甲公司"), match_key("上海乙公司"));
    }

    proptest! {
        #[test]
        fn the_key_is_idempotent(name in "\\PC{0,40}") {
            let key = match_key(&name);
            prop_assert_eq!(match_key(&key), key);
        }
    }
}
