//! Phone numbers in E.164 (`+447700900123`), and the masked form that log lines carry.

use std::fmt;

/// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not 0.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "phone number must be in international form: +, country code and number, e.g. +44 7700 900123"
)]
pub struct InvalidPhoneNumber;

impl PhoneNumber {
    /// Accepts `+44 7700 900123`, `+44-7700-900-123`, `+1 (415) 555-0100` and the like.
    ///
    /// # Errors
    /// [`InvalidPhoneNumber`] when there is no leading `+`, a character other than digits and
    /// separators, or a digit count outside 8..=15.
    pub fn parse(text: &str) -> Result<Self, InvalidPhoneNumber> {
        let rest = text.trim().strip_prefix('+').ok_or(InvalidPhoneNumber)?;
        let mut digits = String::with_capacity(15);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(InvalidPhoneNumber),
            }
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(InvalidPhoneNumber);
        }
        Ok(Self(format!("+{digits}")))
    }

    /// `+447700900123`.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// `447700900123`: the digits alone, as the Vonage API wants them.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// `+********0123`: only the last four digits, for log lines.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks any phone-like text down to its last four characters.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let keep = chars.len().min(4);
    let hidden = chars.len() - keep;
    let tail: String = chars[hidden..].iter().collect();
    format!("+{}{tail}", "*".repeat(hidden.saturating_sub(1)))
}

/// `text` with every run of 6 or more digits masked down to its last four, for log lines
/// built from text a third party wrote.
pub fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 6 {
            out.push_str(&"*".repeat(digits.len() - 4));
            out.push_str(&digits[digits.len() - 4..]);
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Debug and Display show the masked form, so a number never reaches a log by accident.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_dropped_and_the_plus_kept() {
        let phone = PhoneNumber::parse("+44 7700 900123").unwrap();
        assert_eq!(phone.as_e164(), "+447700900123");
        assert_eq!(phone.digits(), "447700900123");
        assert_eq!(
            PhoneNumber::parse(" +1 (415) 555-0100 ").unwrap().as_e164(),
            "+14155550100"
        );
    }

    #[test]
    fn numbers_that_are_not_e164_are_refused() {
        for bad in [
            "",
            "+",
            "447700900123",
            "+0447700900",
            "+1234567",
            "+1234567890123456",
            "+44 77OO 900123",
            "+44\n7700900123",
        ] {
            assert_eq!(PhoneNumber::parse(bad), Err(InvalidPhoneNumber), "{bad:?}");
        }
    }

    #[test]
    fn logs_see_only_the_last_four_digits() {
        let phone = PhoneNumber::parse("+447700900123").unwrap();
        assert_eq!(phone.masked(), "+********0123");
        assert_eq!(format!("{phone}"), "+********0123");
        assert!(!format!("{phone:?}").contains("7700900"));
        assert_eq!(mask("12"), "+12");
    }

    // Fuzz target (proptest: cargo-fuzz needs a nightly toolchain this project does not have).
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        #[test]
        fn any_text_parses_to_e164_or_is_refused(text in ".{0,40}") {
            if let Ok(phone) = PhoneNumber::parse(&text) {
                let digits = phone.digits();
                proptest::prop_assert!((8..=15).contains(&digits.len()));
                proptest::prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
                proptest::prop_assert!(!phone.masked().contains(&digits[..digits.len() - 4]));
            }
        }

        #[test]
        fn a_number_written_with_separators_reads_back_the_same(
            digits in "[1-9][0-9]{7,14}",
            separator in "[ .-]",
        ) {
            let spaced: Vec<String> = digits
                .as_bytes()
                .chunks(3)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect();
            let written = format!("+{}", spaced.join(&separator));
            let parsed = PhoneNumber::parse(&written).expect("a valid number");
            proptest::prop_assert_eq!(parsed.digits(), digits.as_str());
        }
    }

    #[test]
    fn long_digit_runs_in_free_text_are_masked() {
        assert_eq!(
            mask_numbers("Invalid to 447700900123, code 1120"),
            "Invalid to ********0123, code 1120"
        );
    }
}
