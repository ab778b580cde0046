//! How hard the slow tests push. A plain `cargo test` stays quick (a few hundred generated
//! files per property, a short kill loop); `BSR_TEST_DEEP=1` (set by `.ci/run`) runs the deep
//! versions. `PROPTEST_CASES` still overrides the property tests either way.

/// The variable that asks for the deep versions.
pub const DEEP: &str = "BSR_TEST_DEEP";

fn is_deep() -> bool {
    std::env::var_os(DEEP).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Generated cases per property test.
pub fn proptest_cases() -> u32 {
    if let Some(cases) = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return cases;
    }
    if is_deep() { 4_000 } else { 256 }
}

/// SIGKILLs in the kill-at-any-instant test.
#[cfg_attr(not(unix), allow(dead_code))] // its users are Unix-only tests
pub fn kills() -> usize {
    if is_deep() { 300 } else { 100 }
}

/// Tries in the symlink-swap race test.
#[cfg_attr(not(unix), allow(dead_code))] // its users are Unix-only tests
pub fn race_tries() -> usize {
    if is_deep() { 400 } else { 150 }
}
