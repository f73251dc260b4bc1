//! The code's parser and checks, against real codes and against the
//! standard's checks written out independently.

use super::check::ALPHABET;
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
    "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45",
    "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
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
    assert_eq!(message("911A0000600037341L"), "administrative division code (characters 3-8) must be digits: character 4 is 'A'");
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
