//! The token type: a credential that never shows up in logs, errors or debug output.

use std::fmt;

use zeroize::Zeroize;

/// A BSR token (or any password read from a netrc).
///
/// `Debug` prints `Token(REDACTED)`; there is deliberately no `Display`. The only way to the
/// text is [`Token::expose`], so every place that sends or stores the secret is easy to find.
/// The bytes are overwritten when the value is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token. The caller is responsible for having trimmed and validated it.
    pub fn new(text: impl Into<String>) -> Self {
        Token(text.into())
    }

    /// The token's text, for the two places that need it: the `Authorization` header and the
    /// netrc `password` field.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `sha256:` and the first 12 hex digits of the SHA-256 of the token: enough to tell two
    /// tokens apart (or to match one against a copy elsewhere), and none of its characters.
    pub fn fingerprint(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.0.as_bytes());
        let hex: String = digest.as_ref()[..6]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("sha256:{hex}")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(REDACTED)")
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        // Best effort: the allocation may have been copied before (by the reader or by a
        // reallocation), but this keeps the final copy from lingering in freed memory.
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_token() {
        let token = Token::new("s3cr3t-value");
        let shown = format!("{token:?} {:#?}", Some(&token));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("REDACTED"));
        assert_eq!(token.expose(), "s3cr3t-value");
    }

    #[test]
    fn the_fingerprint_is_the_start_of_the_sha256() {
        // printf %s abc | sha256sum: ba7816bf8f01cfea414140de5dae2223…
        assert_eq!(Token::new("abc").fingerprint(), "sha256:ba7816bf8f01");
    }
}
