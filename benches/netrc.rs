//! parse + set + render on netrc files of 1,000, 10,000 and 100,000 entries.
//!
//! Target (issue 2): linear growth, and the 10,000-entry file (about 1 MB) in under 5 ms; since
//! the reader-agreement analysis (issue 10) it takes about 6 ms (README, "Performance").

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

fn parse_set_render(c: &mut Criterion) {
    let token = Token::new("fedcba9876543210fedcba9876543210");
    let mut group = c.benchmark_group("parse+set+render");
    for entries in [1_000, 10_000, 100_000] {
        let input = netrc_of(entries);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(
            format!("{entries} entries ({} KB)", input.len() / 1000),
            |b| {
                b.iter_batched(
                    || input.clone(),
                    |bytes| {
                        let mut doc = NetrcDocument::parse(bytes).unwrap();
                        doc.set_machine("buf.build", "alice", &token).unwrap();
                        doc.set_machine("go.buf.build", "alice", &token).unwrap();
                        black_box(doc.render())
                    },
                    BatchSize::LargeInput,
                )
            },
        );
    }
    group.finish();
}

criterion_group!(benches, parse_set_render);
criterion_main!(benches);
