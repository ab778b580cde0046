//! Perl's `Net::Netrc` as the reader: one `perl` for all files. For each file the script
//! points `HOME` at a directory holding it as `.netrc` (mode 0600, as the module demands),
//! loads the module afresh (its cache is a file-scoped lexical that nothing else can reset),
//! and asks `Net::Netrc->lookup(host)->lpa` for each host. `getpwuid` is made to find no
//! home, so the module falls back to `HOME` as it does where the user database has none.
//!
//! A file whose reading never ends (the module spins on a line ending in a lone `\`) is the
//! file's rejection: a timer checks the line the module is on, and a stuck one (`$_` is a lone
//! backslash, which the loop can never consume) stops the reading.

use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};

use bsr::netrc::readers::{Creds, Rejected};
use tempfile::TempDir;

use super::Answers;
use crate::support::need;

const SCRIPT: &str = r#"
use strict;
use warnings;
use Time::HiRes qw(ualarm);
BEGIN { *CORE::GLOBAL::getpwuid = sub { return () }; }
$SIG{__WARN__} = sub {};
my $stuck = 0;
$SIG{ALRM} = sub {
    if (defined $_ && $_ eq "\\") { $stuck = 1; die "stuck\n"; }
    ualarm(20_000);
};
my $show = sub { defined $_[0] ? "x" . unpack("H*", $_[0]) : "~" };
$| = 1;
while (my $line = <STDIN>) {
    chomp $line;
    my ($dir, @hosts) = split / /, $line, -1;
    @hosts = map { pack("H*", $_) } @hosts;
    $ENV{HOME} = $dir;
    delete $INC{"Net/Netrc.pm"};
    require Net::Netrc;
    my @reads;
    $stuck = 0;
    my $ok = eval {
        ualarm(20_000);
        for my $host (@hosts) {
            my $m = Net::Netrc->lookup($host);
            push @reads, $m ? join(",", map { $show->($_) } $m->lpa) : "-";
        }
        ualarm(0);
        1;
    };
    ualarm(0);
    if ($ok) { print join(" ", "ok", @reads), "\n"; }
    elsif ($stuck) { print "stuck\n"; }
    else { die $@; }
}
"#;

/// `Net::Netrc` shows every field.
pub fn project(creds: Option<&Creds>) -> Option<Creds> {
    creds.cloned()
}

/// Every host can be asked about.
pub fn can_ask(_: &[u8]) -> bool {
    true
}

pub fn ask(files: &[Vec<u8>], hosts: &[Vec<Vec<u8>>]) -> Option<Answers> {
    let perl = need::tool("perl", "perl")?;
    let dir = TempDir::new().unwrap();
    let mut request = String::new();
    for (i, (file, hosts)) in files.iter().zip(hosts).enumerate() {
        let home = dir.path().join(i.to_string());
        fs::create_dir(&home).unwrap();
        let netrc = home.join(".netrc");
        fs::write(&netrc, file).unwrap();
        #[cfg(unix)]
        crate::support::set_mode(&netrc, 0o600);
        request.push_str(home.to_str().unwrap());
        for host in hosts {
            request.push(' ');
            request.push_str(&hex(host));
        }
        request.push('\n');
    }
    let mut child = Command::new(perl)
        .args(["-e", SCRIPT])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "perl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let answers: Answers = text
        .lines()
        .map(|line| {
            let mut parts = line.split(' ');
            match parts.next() {
                Some("stuck") => Err(Rejected),
                Some("ok") => Ok(parts.map(creds).collect()),
                other => panic!("perl said {other:?}"),
            }
        })
        .collect();
    assert_eq!(answers.len(), files.len(), "perl answered every file");
    Some(answers)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// `-` (no entry), or `login,password,account`, each `~` (unset) or `x` and its hex.
fn creds(text: &str) -> Option<Creds> {
    if text == "-" {
        return None;
    }
    let field = |f: &str| f.strip_prefix('x').map(unhex);
    let fields: Vec<&str> = text.split(',').collect();
    assert_eq!(fields.len(), 3, "perl sent {text}");
    Some(Creds {
        login: field(fields[0]),
        password: field(fields[1]),
        account: field(fields[2]),
    })
}
