//! Article citations as lawyers write them ("《中华人民共和国招标投标法》第53条"),
//! read to the one spelling the list rules use ("招标投标法第五十三条").

/// The canonical spelling of an article citation, as the rules write it:
/// the law's short name, then 第, the article's number in Chinese numerals,
/// and 条 ("招标投标法第五十三条"). Reads the usual spellings alike:
/// full-width characters and spaces, book-title marks (《》, 〈〉), the
/// 中华人民共和国 prefix of a national law's name, Arabic or Chinese
/// numerals (两 for 二, 〇 for 零, 一十 for 十), and a paragraph and item
/// after the article (第二款, 第（一）项), since a term is set per article.
/// `None`: not a citation of one article.
pub(super) fn canonical_article(citation: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let text: String = citation.nfkc().filter(|c| !c.is_whitespace() && !matches!(c, '《' | '》' | '〈' | '〉')).collect();
    let text = text.trim_start_matches("中华人民共和国");
    let (law, rest) = text.split_once('第')?;
    let (number, mut rest) = rest.split_once('条')?;
    if law.is_empty() || law.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let number = article_number(number)?;
    if let Some(paragraph) = rest.strip_prefix('第').and_then(|r| r.split_once('款')) {
        article_number(paragraph.0)?;
        rest = paragraph.1;
    }
    if let Some((item, after)) = rest.strip_prefix('第').and_then(|r| r.split_once('项')) {
        let item = item.strip_prefix('(').and_then(|i| i.strip_suffix(')')).unwrap_or(item);
        article_number(item)?;
        rest = after;
    }
    rest.is_empty().then(|| format!("{law}第{}条", chinese_numeral(number)))
}

/// Article, paragraph and item numbers go up to 9999.
const MAX_ARTICLE: u32 = 9999;

/// A number written in Arabic digits or in Chinese numerals, 1 to 9999.
fn article_number(text: &str) -> Option<u32> {
    let n = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok().filter(|_| !text.starts_with('0'))?
    } else {
        chinese_number(text)?
    };
    (1..=MAX_ARTICLE).contains(&n).then_some(n)
}

/// A number in Chinese numerals, strictly in the form legal texts write it
/// (一百零五, 一百一十, 十三); 两 and 〇 and a leading 一十 are read too.
fn chinese_number(text: &str) -> Option<u32> {
    const DIGITS: &str = "零一二三四五六七八九";
    let written: String = text.replace('两', "二").replace('〇', "零");
    let written = if written.starts_with("一十") { written.replacen("一十", "十", 1) } else { written };
    let (mut total, mut digit) = (0u32, None);
    for c in written.chars() {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                digit = Some(DIGITS.chars().position(|d| d == c)? as u32);
                continue;
            }
        };
        total = total.saturating_add(digit.take().unwrap_or(1) * unit);
    }
    let n = total.saturating_add(digit.unwrap_or(0));
    // Loose reading, strict check: only the standard spelling of `n` counts.
    (n > 0 && n <= MAX_ARTICLE && chinese_numeral(n) == written).then_some(n)
}

/// `n` (1 to 9999) in Chinese numerals as legal texts write article numbers.
fn chinese_numeral(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let mut out = String::new();
    let mut zero = false;
    for (unit, name) in [(1000, "千"), (100, "百"), (10, "十"), (1, "")] {
        let d = (n / unit % 10) as usize;
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        if !(unit == 10 && d == 1 && out.is_empty()) {
            out.push(DIGITS[d]);
        }
        out.push_str(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_spellings_of_an_article_read_alike() {
        for spelling in [
            "招标投标法第五十三条",
            "《中华人民共和国招标投标法》第五十三条",
            "中华人民共和国招标投标法第53条",
            "《招标投标法》 第 ５３ 条",
            "招标投标法第五十三条第一款",
            "〈招标投标法〉第五十三条第一款第（二）项",
        ] {
            assert_eq!(canonical_article(spelling).as_deref(), Some("招标投标法第五十三条"), "{spelling}");
        }
        assert_eq!(canonical_article("招标投标法第一百零五条").as_deref(), Some("招标投标法第一百零五条"));
        assert_eq!(canonical_article("招标投标法第110条").as_deref(), Some("招标投标法第一百一十条"));
        assert_eq!(
            canonical_article("《中华人民共和国招标投标法实施条例》第67条第二款").as_deref(),
            Some("招标投标法实施条例第六十七条")
        );
        for refused in [
            "",
            "招标投标法",
            "第五十三条",
            "招标投标法第五五条",
            "招标投标法第053条",
            "招标投标法第0条",
            "招标投标法第五十三条之一",
            "招标投标法第五十三条第二项第一款",
        ] {
            assert_eq!(canonical_article(refused), None, "{refused}");
        }
    }

    proptest::proptest! {
        /// Every number reads back from its Chinese and Arabic spellings, in
        /// every usual dress, to one canonical citation, which is a fixed
        /// point; different numbers never read alike.
        #[test]
        fn every_spelling_of_an_article_reads_as_its_canonical_form(
            n in 1..=MAX_ARTICLE,
            other in 1..=MAX_ARTICLE,
            paragraph in proptest::option::of(1..=20u32),
            formal in proptest::bool::ANY,
            arabic in proptest::bool::ANY,
            full_width in proptest::bool::ANY,
        ) {
            let canonical = format!("招标投标法第{}条", chinese_numeral(n));
            proptest::prop_assert_eq!(chinese_number(&chinese_numeral(n)), Some(n));
            let number = if arabic { n.to_string() } else { chinese_numeral(n) };
            let number = if full_width {
                number.chars().map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(0xFF10 + d).unwrap())).collect()
            } else {
                number
            };
            let law = if formal { "《中华人民共和国招标投标法》" } else { "招标投标法" };
            let tail = paragraph.map(|p| format!("第{}款", chinese_numeral(p))).unwrap_or_default();
            let written = format!("{law}第{number}条{tail}");
            proptest::prop_assert_eq!(canonical_article(&written), Some(canonical.clone()));
            proptest::prop_assert_eq!(canonical_article(&canonical), Some(canonical.clone()));
            if other != n {
                proptest::prop_assert_ne!(canonical_article(&format!("招标投标法第{other}条")), Some(canonical));
            }
        }

        /// Any text is read without panicking, and what is read is canonical.
        #[test]
        fn any_text_reads_to_nothing_or_a_fixed_point(text in "\\PC{0,40}", tail in "[第条款项一二三十百千零两〇0-9()]{0,12}") {
            for input in [text.clone(), format!("招标投标法第{tail}"), format!("{text}第{tail}")] {
                if let Some(c) = canonical_article(&input) {
                    proptest::prop_assert_eq!(canonical_article(&c), Some(c.clone()));
                }
            }
        }
    }
}
