//! The unified social credit code (统一社会信用代码, USCC) of GB 32100-2015.
//!
//! Every legal entity and registered organisation in mainland China carries one.
//! Its 18 characters are: registration authority (1), entity type (2),
//! administrative division (3-8), the GB 11714 organization code with its own
//! check character (9-17) and a modulus-31 check character (18). A [`Uscc`] can
//! only be built from a code that passes every one of these checks, so the rest
//! of the registry never has to validate one again.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// Characters in a complete code.
pub const CODE_LEN: usize = 18;

/// Characters [`Uscc::complete`] takes: the code without its two check characters.
const PREFIX_LEN: usize = 16;

/// The code's 31 symbols in value order. I, O, S, V and Z are left out because
/// they are too easily confused with 1, 0, 5, U and 2.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Marks bytes outside [`ALPHABET`] in [`SYMBOL_VALUES`].
const NOT_A_SYMBOL: u8 = u8::MAX;

/// Value of each ASCII byte in [`ALPHABET`], [`NOT_A_SYMBOL`] for the others,
/// so that a lookup is one index instead of a search.
const SYMBOL_VALUES: [u8; 128] = {
    let mut values = [NOT_A_SYMBOL; 128];
    let mut value = 0;
    while value < ALPHABET.len() {
        values[ALPHABET[value] as usize] = value as u8;
        value += 1;
    }
    values
};

/// Weights of the GB 11714 check (character 17) over characters 9-16.
const ORGANIZATION_WEIGHTS: [usize; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Weights of the final check (character 18) over characters 1-17: 3^(i-1) mod 31.
const CHECK_WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A registration authority (登记管理部门码, character 1) as
/// (code, Chinese name, English name, entity types it may register).
pub type RegistrationAuthority = (char, &'static str, &'static str, EntityTypes);

/// Entity types (机构类别码, character 2) as (code, Chinese name).
pub type EntityTypes = &'static [(char, &'static str)];

/// The registration authorities of GB 32100-2015, with those assigned since (A, N).
pub static REGISTRATION_AUTHORITIES: [RegistrationAuthority; 12] = [
    ('1', "机构编制", "public sector establishment", &[('1', "机关"), ('2', "事业单位"), ('3', "群众团体"), ('9', "其他")]),
    ('2', "外交", "foreign affairs", &[('1', "外国常驻新闻机构"), ('9', "其他")]),
    (
        '3',
        "司法行政",
        "judicial administration",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    ('4', "文化", "culture", &[('1', "外国在华文化中心"), ('9', "其他")]),
    ('5', "民政", "civil affairs", &[('1', "社会团体"), ('2', "民办非企业单位"), ('3', "基金会"), ('9', "其他")]),
    ('6', "旅游", "tourism", &[('1', "外国旅游部门常驻代表机构"), ('2', "港澳台地区旅游部门常驻内地代表机构"), ('9', "其他")]),
    ('7', "宗教", "religious affairs", &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")]),
    ('8', "工会", "trade unions", &[('1', "基层工会"), ('9', "其他")]),
    (
        '9',
        "市场监管",
        "market regulation (formerly industry and commerce)",
        &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    ),
    ('A', "中央军委改革和编制办公室", "CMC reform and establishment office", &[('1', "军队事业单位"), ('9', "其他")]),
    (
        'N',
        "农业农村",
        "agriculture and rural affairs",
        &[('1', "组级集体经济组织"), ('2', "村级集体经济组织"), ('3', "乡镇级集体经济组织"), ('9', "其他")],
    ),
    ('Y', "其他", "other", &[('1', "其他")]),
];

/// The `allowed` list of [`UsccError::InvalidEntityType`] for each entry of
/// [`REGISTRATION_AUTHORITIES`], at the same index. Built once from the table so
/// the error can carry a `&'static str` without a second, hand-kept copy.
static ENTITY_TYPE_LISTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    REGISTRATION_AUTHORITIES.iter().map(|(_, _, _, types)| join_codes(types.iter().map(|&(code, _)| code))).collect()
});

/// The Chinese name of registration authority `code`, if it is one.
pub fn registration_authority_name(code: char) -> Option<&'static str> {
    REGISTRATION_AUTHORITIES.iter().find(|(authority, ..)| *authority == code).map(|&(_, name, ..)| name)
}

/// The unified social credit code (统一社会信用代码), validated. Stored as its 18 ASCII bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc([u8; CODE_LEN]);

impl Uscc {
    /// Normalises `input` (see [`normalise`]) and validates it as a complete code.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let normalised = normalise(input);
        let code: [u8; CODE_LEN] = match normalised.chars().count() {
            0 => return Err(UsccError::Empty),
            CODE_LEN => to_symbols(&normalised)?,
            found => return Err(UsccError::Length { found }),
        };
        validate_head(&code)?;
        let expected = organization_check(&code[8..16]);
        if code[16] != expected {
            return Err(UsccError::OrganizationCheckCharacter { found: char::from(code[16]), expected: char::from(expected) });
        }
        let expected = check_character(&code[..17]);
        if code[17] != expected {
            return Err(UsccError::CheckCharacter { found: char::from(code[17]), expected: char::from(expected) });
        }
        Ok(Uscc(code))
    }

    /// Normalises `first16`, the first 16 characters of a code, validates them as
    /// [`Uscc::parse`] would, and appends both check characters. Used when a code
    /// is issued or reconstructed, so the check characters are never hand-computed.
    pub fn complete(first16: &str) -> Result<Uscc, UsccError> {
        let normalised = normalise(first16);
        let prefix: [u8; PREFIX_LEN] = match normalised.chars().count() {
            0 => return Err(UsccError::Empty),
            PREFIX_LEN => to_symbols(&normalised)?,
            found => return Err(UsccError::PrefixLength { found }),
        };
        validate_head(&prefix)?;
        let mut code = [0; CODE_LEN];
        code[..PREFIX_LEN].copy_from_slice(&prefix);
        code[16] = organization_check(&code[8..16]);
        code[17] = check_character(&code[..17]);
        Ok(Uscc(code))
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a Uscc holds only ASCII symbols")
    }

    /// The 18 characters as ASCII bytes.
    pub fn as_bytes(&self) -> &[u8; CODE_LEN] {
        &self.0
    }

    /// Registration authority code (登记管理部门码, character 1).
    pub fn registration_authority(&self) -> char {
        char::from(self.0[0])
    }

    /// Entity type code (机构类别码, character 2).
    pub fn entity_type(&self) -> char {
        char::from(self.0[1])
    }

    /// GB/T 2260 administrative division code (characters 3-8).
    pub fn division(&self) -> &str {
        &self.as_str()[2..8]
    }

    /// GB 11714 organization code (主体标识码, characters 9-17, including its check character).
    pub fn organization_code(&self) -> &str {
        &self.as_str()[8..17]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Uscc").field(&self.as_str()).finish()
    }
}

impl FromStr for Uscc {
    type Err = UsccError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

/// Why a string is not a valid unified social credit code. Positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("is empty")]
    Empty,
    #[error("must be 18 characters after removing spaces and hyphens, found {found}")]
    Length { found: usize },
    /// Only from [`Uscc::complete`], which takes the code without its check characters.
    #[error("must be 16 characters (the code without its two check characters) after removing spaces and hyphens, found {found}")]
    PrefixLength { found: usize },
    #[error("character {position} is {found:?}, which is not in the code's alphabet 0-9 A-H J-N P-R T U W-Y (no I, O, S, V, Z)")]
    InvalidCharacter { position: usize, found: char },
    #[error(
        "registration authority code (character 1) is {found:?}, expected one of {}",
        join_codes(REGISTRATION_AUTHORITIES.iter().map(|&(code, ..)| code))
    )]
    UnknownRegistrationAuthority { found: char },
    #[error(
        "entity type (character 2) is {found:?}, not valid for registration authority {authority:?} ({}): expected one of {allowed}",
        registration_authority_name(*.authority).unwrap_or("unknown")
    )]
    InvalidEntityType { authority: char, found: char, allowed: &'static str },
    #[error("administrative division code (characters 3-8) must be digits: character {position} is {found:?}")]
    InvalidDivision { position: usize, found: char },
    #[error("administrative division code starts with '{code}', not a province-level code of GB/T 2260")]
    UnknownProvince { code: String },
    #[error("check character 17 is {found:?}, expected {expected:?}")]
    OrganizationCheckCharacter { found: char, expected: char },
    #[error("check character 18 is {found:?}, expected {expected:?}")]
    CheckCharacter { found: char, expected: char },
}

/// Canonical form of user input: Unicode NFKC (full-width digits, letters,
/// spaces and hyphens typed with a Chinese input method become ASCII), then
/// whitespace and hyphens (ASCII and U+2010-U+2015) removed and ASCII letters
/// upper-cased. Codes are often pasted from Chinese documents, formatted for
/// reading, in any case.
pub fn normalise(input: &str) -> String {
    // ASCII is its own NFKC and NFC: most codes skip the Unicode tables.
    if input.is_ascii() {
        return input.chars().filter(|&c| !c.is_whitespace() && c != '-').map(|c| c.to_ascii_uppercase()).collect();
    }
    normalise_unicode(input)
}

fn normalise_unicode(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // Composed again once spaces are gone, so that normalising is idempotent
    // ("H ̈" and "Ḧ" read alike).
    input.nfkc().filter(|&c| !c.is_whitespace() && !is_hyphen(c)).nfc().map(|c| c.to_ascii_uppercase()).collect()
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}')
}

/// Converts `normalised`, which the caller has checked to have exactly `N`
/// characters, to bytes, rejecting the first character outside [`ALPHABET`].
fn to_symbols<const N: usize>(normalised: &str) -> Result<[u8; N], UsccError> {
    let mut symbols = [0; N];
    for (index, (symbol, c)) in symbols.iter_mut().zip(normalised.chars()).enumerate() {
        match u8::try_from(c) {
            Ok(byte) if byte.is_ascii() && SYMBOL_VALUES[usize::from(byte)] != NOT_A_SYMBOL => {
                *symbol = byte;
            }
            _ => {
                return Err(UsccError::InvalidCharacter { position: index + 1, found: c });
            }
        }
    }
    Ok(symbols)
}

/// Validates characters 1-8 (authority, entity type, division), which do not
/// depend on the check characters, so [`Uscc::complete`] can share them.
/// `code` holds at least 8 symbols of [`ALPHABET`].
fn validate_head(code: &[u8]) -> Result<(), UsccError> {
    let authority = char::from(code[0]);
    let Some(index) = REGISTRATION_AUTHORITIES.iter().position(|&(code, ..)| code == authority) else {
        return Err(UsccError::UnknownRegistrationAuthority { found: authority });
    };
    let entity_type = char::from(code[1]);
    let (.., entity_types) = REGISTRATION_AUTHORITIES[index];
    if !entity_types.iter().any(|&(code, _)| code == entity_type) {
        return Err(UsccError::InvalidEntityType { authority, found: entity_type, allowed: &ENTITY_TYPE_LISTS[index] });
    }
    let division = &code[2..8];
    if let Some(offset) = division.iter().position(|b| !b.is_ascii_digit()) {
        return Err(UsccError::InvalidDivision { position: offset + 3, found: char::from(division[offset]) });
    }
    let province = (division[0] - b'0') * 10 + (division[1] - b'0');
    if !is_province(province) {
        return Err(UsccError::UnknownProvince { code: format!("{province:02}") });
    }
    Ok(())
}

/// Whether the first two digits of a division code name a province-level
/// division of GB/T 2260, or 10 for national-level bodies.
fn is_province(code: u8) -> bool {
    matches!(
        code,
        10..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82
    )
}

/// GB 11714 check character over characters 9-16. Unlike the final check it
/// values letters over the full 0-9A-Z range (A = 10 … Z = 35), because
/// organization codes predate the 31-symbol alphabet.
fn organization_check(body: &[u8]) -> u8 {
    let sum: usize = body.iter().zip(ORGANIZATION_WEIGHTS).map(|(&b, weight)| base36_value(b) * weight).sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        digit => b"0123456789"[digit],
    }
}

/// Value of an ASCII digit or upper-case letter in base 36.
fn base36_value(b: u8) -> usize {
    usize::from(if b.is_ascii_digit() { b - b'0' } else { b - b'A' + 10 })
}

/// Modulus-31 check character over characters 1-17, all in [`ALPHABET`].
fn check_character(body: &[u8]) -> u8 {
    let sum: usize = body.iter().zip(CHECK_WEIGHTS).map(|(&b, weight)| usize::from(SYMBOL_VALUES[usize::from(b)]) * weight).sum();
    ALPHABET[(31 - sum % 31) % 31]
}

/// "a, b, c" for error messages.
fn join_codes(codes: impl Iterator<Item = char>) -> String {
    codes.map(String::from).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    const REAL_CODES: [&str; 6] = [
        "91110000600037341L",
        "121200004013590816",
        "91310115MA1K3BTP2B",
        "91340600MA2PBM9HXD",
        "92340602MA2PBMEM24",
        "91230100128025258G",
    ];

    /// Province-level prefixes, listed independently of `is_province`.
    const PROVINCES: [&str; 35] = [
        "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
        "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    ];

    fn message(input: &str) -> String {
        Uscc::parse(input).unwrap_err().to_string()
    }

    /// Check 17 written straight from the standard, independently of the module.
    fn reference_check17(body: &str) -> char {
        let sum: u32 = body.chars().zip([3, 7, 9, 10, 5, 8, 4, 2]).map(|(c, w)| c.to_digit(36).unwrap() * w).sum();
        match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            c => char::from_digit(c, 10).unwrap(),
        }
    }

    /// Check 18 written straight from the standard, weights as powers of 3.
    fn reference_check18(body: &str) -> char {
        let alphabet: Vec<char> = "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect();
        let mut weight = 1;
        let mut sum = 0;
        for c in body.chars() {
            sum += alphabet.iter().position(|&a| a == c).unwrap() * weight;
            weight = weight * 3 % 31;
        }
        alphabet[(31 - sum % 31) % 31]
    }

    fn alphabet_char() -> impl Strategy<Value = char> {
        select(&ALPHABET[..]).prop_map(char::from)
    }

    /// Random valid codes: valid authority and entity type, a province-level
    /// division, any organization code body, both check characters computed.
    fn valid_code() -> impl Strategy<Value = String> {
        let pairs: Vec<(char, char)> = REGISTRATION_AUTHORITIES
            .iter()
            .flat_map(|&(authority, _, _, types)| types.iter().map(move |&(t, _)| (authority, t)))
            .collect();
        (select(pairs), select(&PROVINCES[..]), vec(select(&b"0123456789"[..]).prop_map(char::from), 4), vec(alphabet_char(), 8))
            .prop_map(|((authority, entity_type), province, district, body)| {
                let mut code = format!("{authority}{entity_type}{province}");
                code.extend(district);
                let body: String = body.into_iter().collect();
                code.push(reference_check17(&body));
                code.insert_str(8, &body);
                code.push(reference_check18(&code));
                code
            })
    }

    #[test]
    fn real_codes_parse() {
        for code in REAL_CODES {
            let uscc = Uscc::parse(code).unwrap();
            assert_eq!(uscc.as_str(), code);
        }
    }

    #[test]
    fn real_codes_complete_from_their_first_16_characters() {
        for code in REAL_CODES {
            assert_eq!(Uscc::complete(&code[..16]).unwrap().as_str(), code);
        }
    }

    #[test]
    fn standard_worked_example_is_rejected() {
        assert_eq!(Uscc::parse("91350100M000100Y4Z"), Err(UsccError::InvalidCharacter { position: 18, found: 'Z' }));
        assert!(Uscc::parse("91350100M000100Y4").is_err());
    }

    #[test]
    fn normalisation() {
        assert_eq!(Uscc::parse(" 9131-0115 ma1k3btp2b ").unwrap().as_str(), "91310115MA1K3BTP2B");
        assert_eq!(Uscc::parse("\t9131\u{3000}0115\u{2014}MA1K\u{2010}3BTP\u{FF0D}2B\n").unwrap().as_str(), "91310115MA1K3BTP2B");
        assert_eq!(Uscc::parse("９１３１０１１５ＭＡ１Ｋ３ＢＴＰ２ｂ").unwrap().as_str(), "91310115MA1K3BTP2B");
        // NFKC: the full-width colon becomes ':' (and is then refused as a symbol).
        assert_eq!(normalise("ａ-Ｚ ０\u{3000}９：x"), "AZ09:X");
    }

    #[test]
    fn accessors_and_formatting() {
        let uscc: Uscc = "91310115MA1K3BTP2B".parse().unwrap();
        assert_eq!(uscc.registration_authority(), '9');
        assert_eq!(uscc.entity_type(), '1');
        assert_eq!(uscc.division(), "310115");
        assert_eq!(uscc.organization_code(), "MA1K3BTP2");
        assert_eq!(uscc.as_bytes(), b"91310115MA1K3BTP2B");
        assert_eq!(uscc.to_string(), "91310115MA1K3BTP2B");
        assert_eq!(format!("{uscc:?}"), r#"Uscc("91310115MA1K3BTP2B")"#);
    }

    #[test]
    fn authority_names() {
        assert_eq!(registration_authority_name('9'), Some("市场监管"));
        assert_eq!(registration_authority_name('N'), Some("农业农村"));
        assert_eq!(registration_authority_name('B'), None);
    }

    #[test]
    fn error_messages() {
        assert_eq!(message(""), "is empty");
        assert_eq!(message(" - \u{3000}"), "is empty");
        assert_eq!(message("91110000600037341"), "must be 18 characters after removing spaces and hyphens, found 17");
        assert_eq!(message("统一社会信用代码"), "must be 18 characters after removing spaces and hyphens, found 8");
        assert_eq!(
            message("9111I000600037341L"),
            "character 5 is 'I', which is not in the code's alphabet 0-9 A-H J-N P-R T U W-Y (no I, O, S, V, Z)"
        );
        assert_eq!(
            message("B1110000600037341L"),
            "registration authority code (character 1) is 'B', expected one of 1, 2, 3, 4, 5, 6, 7, 8, 9, A, N, Y"
        );
        assert_eq!(
            message("94110000600037341L"),
            "entity type (character 2) is '4', not valid for registration authority '9' (市场监管): expected one of 1, 2, 3"
        );
        assert_eq!(
            message("Y2110000600037341L"),
            "entity type (character 2) is '2', not valid for registration authority 'Y' (其他): expected one of 1"
        );
        assert_eq!(
            message("911A0000600037341L"),
            "administrative division code (characters 3-8) must be digits: character 4 is 'A'"
        );
        assert_eq!(
            message("91990000600037341L"),
            "administrative division code starts with '99', not a province-level code of GB/T 2260"
        );
        assert_eq!(message("91310115MA1K3BTP3B"), "check character 17 is '3', expected '2'");
        assert_eq!(message("91110000600037341A"), "check character 18 is 'A', expected 'L'");
    }

    #[test]
    fn error_variants() {
        assert_eq!(Uscc::parse("91110000600037341A"), Err(UsccError::CheckCharacter { found: 'A', expected: 'L' }));
        assert_eq!(
            Uscc::parse("94110000600037341L"),
            Err(UsccError::InvalidEntityType { authority: '9', found: '4', allowed: "1, 2, 3" })
        );
        assert_eq!(Uscc::parse("91990000600037341L"), Err(UsccError::UnknownProvince { code: "99".to_owned() }));
    }

    #[test]
    fn validation_order() {
        // A bad character after the head is reported before a bad authority.
        assert_eq!(Uscc::parse("B111000060003734IL"), Err(UsccError::InvalidCharacter { position: 17, found: 'I' }));
        // Check 17 is reported before check 18.
        assert_eq!(Uscc::parse("91310115MA1K3BTP3A"), Err(UsccError::OrganizationCheckCharacter { found: '3', expected: '2' }));
    }

    #[test]
    fn complete_errors() {
        assert_eq!(Uscc::complete(" "), Err(UsccError::Empty));
        assert_eq!(
            Uscc::complete("91110000600037341L").unwrap_err().to_string(),
            "must be 16 characters (the code without its two check characters) after removing spaces and hyphens, found 18"
        );
        assert_eq!(Uscc::complete("911100006000373O"), Err(UsccError::InvalidCharacter { position: 16, found: 'O' }));
        assert_eq!(Uscc::complete("C111000060003734"), Err(UsccError::UnknownRegistrationAuthority { found: 'C' }));
        assert_eq!(
            Uscc::complete("9511000060003734"),
            Err(UsccError::InvalidEntityType { authority: '9', found: '5', allowed: "1, 2, 3" })
        );
        assert_eq!(Uscc::complete("911100X060003734"), Err(UsccError::InvalidDivision { position: 7, found: 'X' }));
        assert_eq!(Uscc::complete("9120000060003734"), Err(UsccError::UnknownProvince { code: "20".to_owned() }));
    }

    proptest! {
        #[test]
        fn ascii_input_normalises_as_unicode_input_would(input in "[ -~\t\n\r\x0b\x0c\x1c-\x1f]{0,40}") {
            prop_assert_eq!(normalise(&input), normalise_unicode(&input));
        }

        #[test]
        fn generated_codes_parse_and_complete(code in valid_code()) {
            let parsed = Uscc::parse(&code);
            prop_assert_eq!(parsed.map(|u| u.to_string()), Ok(code.clone()));
            prop_assert_eq!(Uscc::complete(&code[..16]), Uscc::parse(&code));
        }

        #[test]
        fn any_single_substitution_is_rejected(
            code in valid_code(),
            position in 0..CODE_LEN,
            replacement in prop_oneof![alphabet_char(), (0x20u8..=0x7e).prop_map(char::from)],
        ) {
            let original = char::from(code.as_bytes()[position]);
            // A lower-case letter normalises back to the original: not a substitution.
            prop_assume!(replacement.to_ascii_uppercase() != original);
            let mutated: String = code
                .chars()
                .enumerate()
                .map(|(i, c)| if i == position { replacement } else { c })
                .collect();
            prop_assert!(Uscc::parse(&mutated).is_err(), "{} was accepted", mutated);
        }
    }
}
