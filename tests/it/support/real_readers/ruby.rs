//! Ruby's `netrc` gem (Debian `ruby-netrc`), asked through `ask.rb`: `Netrc.read(path)[host]`
//! for every file of a batch in one Ruby process, in a UTF-8 locale as users run it.

use std::process::Command;

use super::answer_lines::{self, Answers};
use crate::support::need;

const SCRIPT: &str = include_str!("ask.rb");

/// The gem's answers for each file and host, or `None` (a skip) without Ruby or the gem.
pub fn ask(files: &[Vec<u8>], hosts: &[Vec<u8>]) -> Option<Vec<Answers>> {
    let ruby = need::tool("ruby", "ruby")?;
    let gem = Command::new(&ruby).args(["-rnetrc", "-e", ""]).output();
    if !gem.is_ok_and(|out| out.status.success()) {
        need::skip("needs Ruby's netrc gem — apt-get install ruby-netrc");
        return None;
    }
    let (dir, script) = answer_lines::batch_with_script(files, hosts, "ask.rb", SCRIPT);
    let output = Command::new(ruby)
        .arg(&script)
        .arg(dir.path())
        .arg(files.len().to_string())
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap();
    let stdout = answer_lines::stdout_of(output, "ask.rb");
    Some(answer_lines::parse(&stdout, files.len(), hosts.len()))
}

/// The version checked against, for a failing test's message.
pub fn version() -> String {
    let out = Command::new("ruby")
        .args(["-rnetrc", "-e", "print Netrc::VERSION"])
        .output()
        .unwrap();
    format!("netrc gem {}", String::from_utf8_lossy(&out.stdout))
}
