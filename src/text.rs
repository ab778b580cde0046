//! Text that came from outside (a registry, a file) made fit to show on a terminal, and the
//! invisible characters that can disguise it. Neutral ground: the registry client shows text
//! with it and the netrc editor refuses values with it, and neither needs the other.

/// The most characters of outside text bsr shows.
pub const MAX_SHOWN: usize = 200;

/// Text as it may be shown: control and invisible formatting characters escaped (`\u{1b}`),
/// and at most [`MAX_SHOWN`] characters, then `…`.
pub fn shown(text: &str) -> String {
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == MAX_SHOWN {
            out.push('…');
            break;
        }
        if c.is_control() || is_format_character(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// The invisible characters of Unicode's format category that can disguise text: bidirectional
/// marks, embeddings, overrides and isolates; zero-width spaces and joiners; the word joiner and
/// invisible operators; the byte-order mark; interlinear annotation and tag characters.
pub fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_is_shown_escaped_and_cut() {
        assert_eq!(shown("\u{1b}]0;pwned\u{7}ok"), "\\u{1b}]0;pwned\\u{7}ok");
        assert_eq!(shown("alice\u{202e}gnp"), "alice\\u{202e}gnp");
        assert_eq!(shown("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        let long = shown(&"x".repeat(900 * 1024));
        assert_eq!(long.chars().count(), MAX_SHOWN + 1);
        assert!(long.ends_with('…'));
    }
}
