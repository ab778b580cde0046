//! Login (parse, set both BSR machines, render) and logout on netrc files of 1,000, 10,000 and
//! 100,000 entries, with and without the reader models' check.
//!
//! Targets: linear growth (issue 2), and the checked login and logout of the 10,000-entry file
//! (about 1 MB) within 2x of the same edit by the rules alone (issue 17). README,
//! "Performance", has the figures.

use std::hint::black_box;

use bsr::netrc::NetrcDocument;
use bsr::secret::Token;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// A netrc of `entries` entries of about 100 bytes each, in a mix of real-world layouts, with
/// the BSR entries in the middle so that `set` replaces in place.
fn netrc_of(entries: usize) -> Vec<u8> {
    let mut text = String::from("# generated for the benchmark\n");
    for i in 0..entries {
        if i == entries / 2 {
            text.push_str(
                "machine buf.build\n\tlogin olduser\n\tpassword 0123456789abcdef0123456789abcdef\n",
            );
            text.push_str(
                "machine go.buf.build login olduser password 0123456789abcdef0123456789abcdef\n",
            );
        }
        match i % 3 {
            0 => text.push_str(&format!(
                "machine host-{i:06}.example.com\n\tlogin user{i:06}\n\tpassword p{i:06}-0123456789abcdef01234567\n"
            )),
            1 => text.push_str(&format!(
                "machine host-{i:06}.example.com login user{i:06} password p{i:06}-0123456789abcdef0123 # c\n"
            )),
            _ => text.push_str(&format!(
                "machine \"host-{i:06}.example.com\"\r\n  login \"user{i:06}\"\r\n  password \"p{i:06} 0123456789abcdef\"\r\n"
            )),
        }
    }
    text.into_bytes()
}

/// The BSR domain's two machines, which login and logout edit together.
const MACHINES: [&str; 2] = ["buf.build", "go.buf.build"];

/// Login and logout on each file size, with the reader models' check (what bsr does) and by
/// the rules alone (what it did before the check): SPEC holds the checked edit of the
/// 10,000-entry file within 2x of the unchecked one, both measured in the same run.
fn login_logout(c: &mut Criterion) {
    let token = Token::new("fedcba9876543210fedcba9876543210");
    for entries in [1_000, 10_000, 100_000] {
        let input = netrc_of(entries);
        let mut group = c.benchmark_group(format!("{entries} entries ({} KB)", input.len() / 1000));
        group.throughput(Throughput::Bytes(input.len() as u64));
        let login = |checked: bool| {
            let token = &token;
            move |bytes: Vec<u8>| {
                let mut doc = NetrcDocument::parse(bytes).unwrap();
                if checked {
                    // As `bsr registry login` edits the domain's two machines.
                    doc.set_machines(&MACHINES, "alice", token).unwrap();
                } else {
                    for machine in MACHINES {
                        doc.set_machine_by_rules(machine, "alice", token).unwrap();
                    }
                }
                black_box(doc.render())
            }
        };
        let logout = |checked: bool| {
            move |bytes: Vec<u8>| {
                let mut doc = NetrcDocument::parse(bytes).unwrap();
                if checked {
                    doc.remove_machines(&MACHINES).unwrap();
                } else {
                    for machine in MACHINES {
                        doc.remove_machine_by_rules(machine).unwrap();
                    }
                }
                black_box(doc.render())
            }
        };
        for (name, checked) in [("checked", true), ("rules alone", false)] {
            group.bench_function(format!("login, {name}"), |b| {
                b.iter_batched(|| input.clone(), login(checked), BatchSize::LargeInput)
            });
            group.bench_function(format!("logout, {name}"), |b| {
                b.iter_batched(|| input.clone(), logout(checked), BatchSize::LargeInput)
            });
        }
        group.finish();
    }
}

/// One whole-file read by each reader model, for scale: the check reads windows instead,
/// because ten of these cost several times the edit.
fn models(c: &mut Criterion) {
    let input = netrc_of(10_000);
    let mut group = c.benchmark_group("one model, whole 10,000-entry file");
    for model in bsr::netrc::readers::MODELS {
        group.bench_function(model.name, |b| {
            b.iter(|| black_box((model.read)(&input).is_ok()))
        });
    }
    group.finish();
}

criterion_group!(benches, login_logout, models);
criterion_main!(benches);
