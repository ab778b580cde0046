//! Other tools read what bsr writes: curl sends the saved credentials as Basic auth after
//! `login`, and nothing after `logout`; every fixture edit reads as meant in Python, curl, `go`
//! and bsr itself.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use bsr::netrc::NetrcDocument;

use crate::support::fixtures::{exemptions, fixtures, try_login, try_logout};
use crate::support::readers::{Edit, Readers};
use crate::support::{Registry, Reply, TOKEN, TestEnv, need};

fn curl_authorization(curl: &Path, env: &TestEnv, probe: &Registry) -> Option<String> {
    let before = probe.requests().len();
    let status = Command::new(curl)
        .args(["--silent", "--output", "/dev/null", "--netrc-file"])
        .arg(env.netrc_path())
        .arg("--connect-to")
        .arg(format!("buf.build:80:127.0.0.1:{}", probe.port))
        .arg("http://buf.build/probe")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .status()
        .unwrap();
    assert!(status.success());
    let requests = probe.requests();
    assert_eq!(requests.len(), before + 1);
    requests
        .last()
        .unwrap()
        .headers
        .get("authorization")
        .cloned()
}

fn basic(user: &str, password: &str) -> String {
    // Base64 by hand: tests need no dependency for one header.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

#[test]
fn curl_sends_what_login_saved_and_nothing_after_logout() {
    assert_eq!(
        basic("Aladdin", "open sesame"),
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    let Some(curl) = need::tool("curl", "curl") else {
        return;
    };
    let registry = Registry::start(Reply::user("alice"));
    let probe = Registry::start(Reply::json(200, "{}"));
    let mut env = TestEnv::new();
    env.env("HTTP_PROXY", &format!("http://127.0.0.1:{}", registry.port));

    // With a default entry curl falls back to it after logout; without one it sends nothing.
    let anonymous = Some(basic("anonymous", "guest"));
    for (netrc, after_logout) in [
        (
            "machine github.com login octocat password ghp_example\ndefault login anonymous password guest\n",
            anonymous.clone(),
        ),
        (
            "machine github.com login octocat password ghp_example\n",
            None,
        ),
    ] {
        env.write_netrc(netrc);
        let before_login = curl_authorization(&curl, &env, &probe);
        assert_eq!(before_login, after_logout, "{netrc}");
        assert_eq!(
            env.run(&["registry", "login", "--token-stdin"], TOKEN).code,
            0
        );
        assert_eq!(
            curl_authorization(&curl, &env, &probe),
            Some(basic("alice", TOKEN))
        );
        assert_eq!(env.run(&["registry", "logout"], "").code, 0);
        assert_eq!(
            curl_authorization(&curl, &env, &probe),
            after_logout,
            "{netrc}"
        );
    }
}

/// Every fixture, after a login and after a logout through the library, reads as meant in
/// every reader that accepted it before: Python, curl, `go` and bsr's own whoami. Three tests
/// of a third of the fixtures each, so that the harness runs them side by side.
#[test]
fn every_reader_reads_fixture_edits_as_meant_1() {
    readers_agree_on_fixtures(0);
}

#[test]
fn every_reader_reads_fixture_edits_as_meant_2() {
    readers_agree_on_fixtures(1);
}

#[test]
fn every_reader_reads_fixture_edits_as_meant_3() {
    readers_agree_on_fixtures(2);
}

fn readers_agree_on_fixtures(shard: usize) {
    let fixtures: Vec<_> = fixtures()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == shard)
        .map(|(_, f)| f)
        .collect();
    let mut names: Vec<String> = Vec::new();
    for fixture in &fixtures {
        let bytes = fs::read(fixture).unwrap();
        let edited = [try_login(&bytes), try_logout(&bytes)]
            .into_iter()
            .flatten();
        for text in [bytes.clone()].into_iter().chain(edited) {
            if let Ok(doc) = NetrcDocument::parse(text) {
                for entry in doc.entries_iter() {
                    if let Some(name) = entry.name()
                        && let Ok(name) = String::from_utf8(name.into_owned())
                        && !names.contains(&name)
                    {
                        names.push(name);
                    }
                }
            }
        }
    }
    let hosts: Vec<&str> = names.iter().map(String::as_str).collect();
    let readers = Readers::new(&hosts);
    let mut accepted: BTreeMap<&str, usize> = BTreeMap::new();
    for fixture in &fixtures {
        let before = fs::read(fixture).unwrap();
        let exempt = exemptions(fixture);
        let name = fixture.file_name().unwrap().to_string_lossy();
        // A refused edit leaves the file as it was (checked in `try_login`): nothing to ask.
        let edits: Vec<_> = [
            (Edit::Login, try_login(&before)),
            (Edit::Logout, try_logout(&before)),
        ]
        .into_iter()
        .filter_map(|(edit, after)| Some((edit, after.ok()?)))
        .collect();
        for reader in readers.assert_edits_agree(&name, &before, &edits, &exempt) {
            *accepted.entry(reader.name()).or_default() += 1;
        }
    }
    // Each reader must have accepted at least half the fixtures, or this test proved little.
    for reader in readers.present() {
        let count = accepted.get(reader.name()).copied().unwrap_or(0);
        assert!(
            2 * count >= fixtures.len(),
            "{} accepted only {count} of {} fixtures: {accepted:?}",
            reader.name(),
            fixtures.len()
        );
    }
}
