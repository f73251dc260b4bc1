//! The code's 31 symbols and its two check characters: GB 11714's over the
//! organization code (character 17) and the modulus-31 one over the whole
//! code (character 18).

use super::UsccError;

/// The code's 31 symbols in value order. I, O, S, V and Z are left out because
/// they are too easily confused with 1, 0, 5, U and 2.
pub(super) const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

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

/// Converts `normalised`, which the caller has checked to have exactly `N`
/// characters, to bytes, rejecting the first character outside [`ALPHABET`].
pub(super) fn to_symbols<const N: usize>(normalised: &str) -> Result<[u8; N], UsccError> {
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

/// GB 11714 check character over characters 9-16. Unlike the final check it
/// values letters over the full 0-9A-Z range (A = 10 … Z = 35), because
/// organization codes predate the 31-symbol alphabet.
pub(super) fn organization_check(body: &[u8]) -> u8 {
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
pub(super) fn check_character(body: &[u8]) -> u8 {
    let sum: usize = body.iter().zip(CHECK_WEIGHTS).map(|(&b, weight)| usize::from(SYMBOL_VALUES[usize::from(b)]) * weight).sum();
    ALPHABET[(31 - sum % 31) % 31]
}
