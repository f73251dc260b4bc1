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

mod check;
mod registration;
#[cfg(test)]
mod tests;

use check::{check_character, organization_check, to_symbols};
use registration::validate_head;
pub use registration::{EntityTypes, REGISTRATION_AUTHORITIES, RegistrationAuthority, registration_authority_name};

/// Characters in a complete code.
pub const CODE_LEN: usize = 18;

/// Characters [`Uscc::complete`] takes: the code without its two check characters.
const PREFIX_LEN: usize = 16;

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

/// "a, b, c" for error messages.
fn join_codes(codes: impl Iterator<Item = char>) -> String {
    codes.map(String::from).collect::<Vec<_>>().join(", ")
}
