//! curl's model (`bsr::netrc::readers::curl`) against curl itself, one `curl` per file with
//! every host as its own URL (a few ms a file), on the fixtures, the shared probes, the
//! generated and the unusual files, and the probes below.

use bsr::netrc::readers::curl;

use super::{against_real, generate};
use crate::support::real_readers::{self, curl as real};

/// What curl's line reader makes of long lines and NUL bytes, around its 4,096-byte buffer.
fn line_probes() -> Vec<Vec<u8>> {
    let entry = |len: usize, end: &[u8]| {
        let mut line = b"machine a login u password p".to_vec();
        line.resize(len, b' ');
        line.extend_from_slice(end);
        line
    };
    let next = &b"machine b login v password q\n"[..];
    let mut files = Vec::new();
    for len in [4093, 4094, 4095, 4096, 8190, 8191] {
        files.push([entry(len, b"\n"), next.to_vec()].concat());
        files.push([next.to_vec(), entry(len, b"")].concat());
        files.push([next.to_vec(), entry(len, b"\0x\n")].concat());
    }
    files.push(
        [
            &b"machine a login u\n"[..],
            &[b'x'; 5000],
            b" password p\n",
            next,
        ]
        .concat(),
    );
    for nul in [
        &b"machine a login u\0 password p\nmachine b login v password q\nmachine c login w password r\n"[..],
        b"machine a login u password p\n\0machine b login v password q\n",
        b"machine a login u password p\nmachine b login v password q\0x",
        b"machine a login u password p\nmachine b login v password q\0x\n",
        b"\0machine b login v password q\n",
        b"machine a login u password p\n\0",
    ] {
        files.push(nul.to_vec());
    }
    files
}

/// curl's state machine where it parts ways with the other readers.
const CURL_PROBES: &[&[u8]] = &[
    b"machine a login u\nmachine b login v password q\n",
    b"machine a password p\nmachine b login v\n",
    b"machine a password p\nmachine a login v\n",
    b"machine a login u\nmachine a password p\n",
    b"machine a login u\ndefault password q\nlogin z\n",
    b"machine a login u\nmachine b\ndefault\n",
    b"default\nmachine a login u password p",
    b"default login d\n",
    b"default password e\n",
    b"machine a login \"\" password \"\" login v password w\n",
    b"machine a login u password\n",
    b"machine a login u password \n",
    b"machine a password p login\n",
    b"machine a login password p\n",
    b"machine \na login u password p\n",
    b"machine a login \npassword p\n",
    b"machine a login u #c password p\n",
    b"machine a macdef m\nlogin u password p\n",
    b"machine a macdef m\n\"bad\n\nmachine b login v password q\n",
    b"macdef m\n  \nmachine a login u password p\n\nmachine b login v password q\n",
    b"macdef m \nmachine a login u password p\n",
    b"machine a login \"x\\\" y\\n\\tq\" password p\n",
    b"machine a login u password \"p\\\n\"\n",
    b"machine a login u password p\nmachine b login \"bad\n",
    b"machine a login u\x0c\x0cpassword p\n",
    b"machine a\x0bmachine b login u password p\n",
    b"machine a login machine b password p\n",
    b"default login d\nmachine a\nmacdef m\nmachine b\nmachine c\n",
    b"machine \"x y\" macdef m\n\"bad\n",
    b"machine x macdef m\n\"bad\n",
    b"machine caf\xc3\xa9 macdef m\n\"bad\n",
    b"macdef m\n\rmachine a login u password p\n",
    b"macdef m\r\nmachine a login u password p\n",
    b"macdef\nmachine a login u password p\n\nmachine b login v password q\n",
    b"MacDef m\nmachine a login u password p\n\nDefault Login d Password e\n",
    b"machine \"a\"b login u password p\n",
    b"machine a login u password p\tdefault login d password e\n",
    b"default login d password e\nmachine a login \"bad\n",
    b"default login d\nmachine a login \"bad\n",
];

fn check(files: Vec<(String, Vec<u8>)>) {
    real_readers::PerHost {
        name: "curl",
        model: curl::read,
        can_ask: real::can_ask,
        ask: real::ask,
        project: real::project,
    }
    .check(&files);
}

#[test]
fn curl_model_agrees_with_curl() {
    check(real_readers::files(generate::cases()));
}

#[test]
fn curl_model_agrees_with_curl_on_unusual_files() {
    let named = |what: &str, files: Vec<Vec<u8>>| {
        files
            .into_iter()
            .enumerate()
            .map(|(i, f)| (format!("{what} {i}"), f))
            .collect::<Vec<_>>()
    };
    let mut files = named("fixture or handwritten file", against_real::fixtures());
    files.extend(named(
        "unusual file",
        against_real::unusual(generate::cases()),
    ));
    files.extend(named("line probe", line_probes()));
    files.extend(named(
        "curl probe",
        CURL_PROBES.iter().map(|f| f.to_vec()).collect(),
    ));
    check(files);
}
