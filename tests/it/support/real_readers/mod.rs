//! The real netrc readers that the reader models (`bsr::netrc::readers`) are checked against,
//! one module each. Each `ask` hands one reader process a whole batch of files.

pub mod answer_lines;
pub mod jgit;
pub mod netrc_parser;
pub mod ruby;
pub mod uv;
