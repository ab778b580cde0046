//! Which operating system family bsr runs on, as a value rather than a `cfg`.

/// The operating system family, which decides where Buf keeps its files. A value rather than
/// a `cfg`, so that both rules are testable on any system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Unix,
    Windows,
}

impl Os {
    pub fn current() -> Os {
        if cfg!(windows) { Os::Windows } else { Os::Unix }
    }
}
