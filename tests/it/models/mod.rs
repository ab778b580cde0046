//! Each reader model (`bsr::netrc::readers`) checked against the real reader it models, on the
//! fixtures and on generated files: a model that disagrees with its reader on any file is a bug
//! in the model. One module per reader; the generator below is shared.

pub mod against_real;
pub mod buf;
pub mod curl;
pub mod generate;
pub mod go;
pub mod jgit;
pub mod netrc_parser;
pub mod perl;
pub mod plain;
pub mod python;
pub mod ruby;
pub mod uv;
pub mod wget;

/// The batch is what the differential tests feed the readers: it must hold the shapes they
/// part ways on, and bsr's own parser must take or refuse each file without a panic.
#[test]
fn generated_batches_hold_the_disputed_shapes() {
    let files = generate::batch(generate::cases());
    for shape in [&b"#"[..], b"\\", b"\r\n", b"macdef", b"default", b"\""] {
        assert!(
            files
                .iter()
                .any(|f| f.windows(shape.len()).any(|w| w == shape)),
            "no generated file holds {:?}",
            String::from_utf8_lossy(shape)
        );
    }
    for file in files {
        let _ = bsr::netrc::NetrcDocument::parse(file);
    }
}
