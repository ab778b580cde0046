//! The line editing a raw console prompt does itself: pure, so that it is tested on every
//! system although only the Windows console uses it.

/// What one key typed at a raw console prompt does ([`LineEditor::feed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyed {
    /// A character was added (to be echoed on a visible prompt).
    Added,
    /// The last character was erased.
    Erased,
    /// Nothing changed (an erase on an empty line, an end-of-input key within a line).
    Nothing,
    /// Enter.
    Done,
    /// Ctrl-C.
    Interrupted,
    /// Ctrl-D or Ctrl-Z on an empty line.
    EndOfInput,
}

/// The line editing a raw console prompt does itself (Windows, where echo and Ctrl-C are only
/// under the program's control with line input off): UTF-16 units in, one line out.
#[derive(Debug)]
pub struct LineEditor {
    units: Vec<u16>,
}

impl LineEditor {
    /// An editor with room for `capacity` units at once: a line that stays within it is never
    /// copied by a regrowth, so no copy of a secret is left behind.
    pub fn with_capacity(capacity: usize) -> LineEditor {
        LineEditor {
            units: Vec::with_capacity(capacity),
        }
    }

    /// How many UTF-16 units the line holds.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn feed(&mut self, unit: u16) -> Keyed {
        match unit {
            0x0d | 0x0a => Keyed::Done,
            0x03 => Keyed::Interrupted,
            0x04 | 0x1a if self.units.is_empty() => Keyed::EndOfInput,
            0x04 | 0x1a => Keyed::Nothing,
            0x08 | 0x7f => match self.units.pop() {
                None => Keyed::Nothing,
                Some(low) => {
                    // A character outside the BMP is two units; erase both.
                    if (0xdc00..0xe000).contains(&low)
                        && self
                            .units
                            .last()
                            .is_some_and(|u| (0xd800..0xdc00).contains(u))
                    {
                        self.units.pop();
                    }
                    Keyed::Erased
                }
            },
            unit => {
                self.units.push(unit);
                Keyed::Added
            }
        }
    }

    /// The line as UTF-8 (unpaired surrogates, which no keyboard sends, become U+FFFD); the
    /// typed units are wiped when the editor is dropped, finished or not.
    pub fn finish(self) -> zeroize::Zeroizing<Vec<u8>> {
        // Sized for the worst case up front (3 bytes per unit), so no regrowth copies it.
        let mut line = zeroize::Zeroizing::new(String::with_capacity(self.units.len() * 3));
        for c in char::decode_utf16(self.units.iter().copied()) {
            line.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        zeroize::Zeroizing::new(std::mem::take(&mut *line).into_bytes())
    }
}

impl Drop for LineEditor {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.units);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &str) -> (Vec<Keyed>, LineEditor) {
        let mut editor = LineEditor::with_capacity(16);
        let steps = keys.encode_utf16().map(|u| editor.feed(u)).collect();
        (steps, editor)
    }

    #[test]
    fn console_line_editing() {
        let (steps, editor) = typed("ab\u{8}c\r");
        assert_eq!(
            steps,
            [
                Keyed::Added,
                Keyed::Added,
                Keyed::Erased,
                Keyed::Added,
                Keyed::Done
            ]
        );
        assert_eq!(*editor.finish(), b"ac");

        let (_, editor) = typed("x\u{1F600}\u{7f}y");
        assert_eq!(editor.len(), 2);
        assert_eq!(
            *editor.finish(),
            b"xy",
            "an erase takes the whole surrogate pair"
        );

        let (steps, _) = typed("\u{8}\u{4}");
        assert_eq!(steps, [Keyed::Nothing, Keyed::EndOfInput]);
        let (steps, _) = typed("a\u{1a}\u{3}");
        assert_eq!(steps, [Keyed::Added, Keyed::Nothing, Keyed::Interrupted]);
    }
}
