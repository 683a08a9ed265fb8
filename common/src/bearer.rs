//! The bearer token of a request: exactly one `Authorization` header (gRPC: `authorization`
//! metadata), scheme `Bearer` in any letter case, then one or more spaces and one token.

use http::HeaderMap;
use http::header::AUTHORIZATION;

/// The longest token accepted: ours are a few hundred bytes, and a huge one must never be
/// passed on (it would not fit in a downstream request's headers).
pub const MAX_TOKEN_BYTES: usize = 4096;

/// Why a request carries no usable bearer token. Callers answer 401 / `UNAUTHENTICATED` for
/// all of them alike; the variant goes to the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BearerError {
    #[error("no authorization header")]
    Missing,
    #[error("more than one authorization header")]
    Repeated,
    #[error("authorization scheme is not Bearer")]
    WrongScheme,
    #[error("malformed bearer credentials")]
    Malformed,
    #[error("bearer token too long")]
    TooLong,
}

/// The token of the request's one `Authorization: Bearer <token>` header.
///
/// # Errors
/// [`BearerError`] saying what was wrong.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, BearerError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(BearerError::Missing)?;
    if values.next().is_some() {
        return Err(BearerError::Repeated);
    }
    let value = value.to_str().map_err(|_| BearerError::Malformed)?;
    parse_bearer(value)
}

/// The token in a `Bearer <token>` header value.
///
/// # Errors
/// [`BearerError`] saying what was wrong.
pub fn parse_bearer(value: &str) -> Result<&str, BearerError> {
    let value = value.trim_matches(' ');
    let (scheme, rest) = value.split_once(' ').ok_or(if value.is_empty() {
        BearerError::Missing
    } else if value.eq_ignore_ascii_case("bearer") {
        BearerError::Malformed
    } else {
        BearerError::WrongScheme
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerError::WrongScheme);
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty() || token.contains([' ', '\t', ',']) {
        return Err(BearerError::Malformed);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(BearerError::TooLong);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn the_scheme_is_matched_in_any_case_and_spaces_may_repeat() {
        for value in [
            "Bearer abc.def",
            "bearer abc.def",
            "BEARER    abc.def",
            " Bearer abc.def ",
        ] {
            assert_eq!(bearer_token(&headers(&[value])), Ok("abc.def"), "{value:?}");
        }
    }

    #[test]
    fn anything_but_one_bearer_token_is_refused() {
        let cases = [
            (vec![], BearerError::Missing),
            (vec![""], BearerError::Missing),
            (vec!["Bearer a", "Bearer b"], BearerError::Repeated),
            (vec!["Basic dXNlcjpwYXNz"], BearerError::WrongScheme),
            (vec!["abc.def"], BearerError::WrongScheme),
            (vec!["Bearer"], BearerError::Malformed),
            (vec!["Bearer "], BearerError::Malformed),
            (vec!["Bearer a b"], BearerError::Malformed),
            (vec!["Bearer a,b"], BearerError::Malformed),
        ];
        for (values, expected) in cases {
            assert_eq!(bearer_token(&headers(&values)), Err(expected), "{values:?}");
        }
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_BYTES + 1));
        assert_eq!(bearer_token(&headers(&[&long])), Err(BearerError::TooLong));
    }

    // Fuzz target (proptest: cargo-fuzz needs a nightly toolchain this project does not have).
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        #[test]
        fn any_header_value_parses_or_is_refused_without_panicking(value in ".{0,300}") {
            if let Ok(token) = parse_bearer(&value) {
                proptest::prop_assert!(!token.is_empty() && !token.contains(' '));
                proptest::prop_assert!(token.len() <= MAX_TOKEN_BYTES);
            }
        }

        #[test]
        fn any_scheme_case_and_spacing_gives_the_token_back(
            token in "[A-Za-z0-9._~+/=-]{1,300}",
            scheme in "[bB][eE][aA][rR][eE][rR]",
            spaces in 1_usize..6,
        ) {
            let value = format!("{scheme}{}{token}", " ".repeat(spaces));
            proptest::prop_assert_eq!(parse_bearer(&value), Ok(token.as_str()));
        }
    }
}
