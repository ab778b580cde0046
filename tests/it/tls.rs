//! HTTPS against a loopback registry whose certificate comes from a CA made in the test:
//! trusted through Buf's `root_cert_file_paths`, `tls/root.pem` or `SSL_CERT_FILE`, rejected
//! without it.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use crate::support::pki::Pki;
use crate::support::{Registry, Reply, TOKEN, TestEnv};

fn pki() -> Arc<Pki> {
    Arc::new(Pki::new(&[]))
}

fn https_registry(pki: &Arc<Pki>) -> Registry {
    let pki = Arc::clone(pki);
    Registry::start_with(Reply::user("alice"), move |tcp| pki.accept(tcp))
}

fn write_ca(env: &TestEnv, pki: &Pki, relative: &str) -> PathBuf {
    let path = env.home().join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, &pki.ca_pem).unwrap();
    path
}

#[test]
fn a_ca_listed_in_root_cert_file_paths_is_trusted() {
    let pki = pki();
    let registry = https_registry(&pki);
    let env = TestEnv::with_config(None);
    let ca = write_ca(&env, &pki, "ca/root-ca.pem");
    fs::create_dir_all(env.home().join(".config/buf")).unwrap();
    fs::write(
        env.home().join(".config/buf/config.yaml"),
        format!(
            "version: v1\ntls:\n  use: local\n  root_cert_file_paths:\n    - {}\n",
            ca.display()
        ),
    )
    .unwrap();
    let out = env.login(&registry.domain(), &[], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        registry.requests()[0].headers["authorization"],
        format!("Bearer {TOKEN}")
    );
}

#[test]
fn local_mode_defaults_to_tls_root_pem_in_the_config_dir() {
    let pki = pki();
    let registry = https_registry(&pki);
    let env = TestEnv::with_config(Some("version: v1\ntls:\n  use: local\n"));
    write_ca(&env, &pki, ".config/buf/tls/root.pem");
    let out = env.login(&registry.domain(), &[], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// `SSL_CERT_DIR` is read as curl reads it, with or without `SSL_CERT_FILE`; a missing
/// `SSL_CERT_FILE` is named.
#[test]
fn ssl_cert_dir_is_read_and_a_missing_ssl_cert_file_is_named() {
    let pki = pki();
    let registry = https_registry(&pki);
    let mut env = TestEnv::with_config(None);
    write_ca(&env, &pki, "certs/ca.pem");
    let dir = env.home().join("certs");
    env.env("SSL_CERT_DIR", dir.to_str().unwrap());
    let out = env.login(&registry.domain(), &[], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);

    env.env("SSL_CERT_FILE", "/nonexistent/bundle.pem");
    let out = env.login(&registry.domain(), &[], TOKEN);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with(
            "Failure: cannot load the trusted certificates from /nonexistent/bundle.pem:"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn ssl_cert_file_extends_the_system_trust_store() {
    let pki = pki();
    let registry = https_registry(&pki);
    let mut env = TestEnv::with_config(None);
    let ca = write_ca(&env, &pki, "ca.pem");
    env.env("SSL_CERT_FILE", ca.to_str().unwrap());
    let out = env.login(&registry.domain(), &[], TOKEN);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn an_untrusted_certificate_is_a_tls_failure_not_an_invalid_token() {
    let pki = pki();
    let registry = https_registry(&pki);
    let env = TestEnv::with_config(None);
    let domain = registry.domain();
    let out = env.login(&domain, &[], TOKEN);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with(&format!(
            "Failure: could not reach the registry at {domain}: "
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("TLS failed: invalid peer certificate: UnknownIssuer"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("root_cert_file_paths"),
        "{}",
        out.stderr
    );
    assert!(registry.requests().is_empty(), "the token must not be sent");
    assert!(!env.netrc_path().exists());
}

#[test]
fn a_missing_root_certificate_file_is_named() {
    let env = TestEnv::with_config(Some(
        "tls:\n  use: local\n  root_cert_file_paths: [/nonexistent/ca.pem]\n",
    ));
    let out = env.run(
        &["registry", "login", "127.0.0.1:9", "--token-stdin"],
        TOKEN,
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with(
            "Failure: cannot load the trusted certificates from /nonexistent/ca.pem: "
        ),
        "{}",
        out.stderr
    );
}

/// Every trust file bsr reads (`SSL_CERT_FILE`, an `SSL_CERT_DIR` entry, a
/// `root_cert_file_paths` entry, `config.yaml` itself) is refused at once, naming it, when it
/// is a FIFO, a device or a huge file: before, `/dev/zero` filled memory and a FIFO hung.
#[cfg(unix)]
#[test]
fn fifos_devices_and_huge_trust_files_are_refused_at_once_naming_them() {
    use std::time::{Duration, Instant};

    let scratch = tempfile::tempdir().unwrap();
    let fifo = scratch.path().join("fifo.pem");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let huge = scratch.path().join("huge.pem");
    fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
    let registry = https_registry(&pki());
    let domain = registry.domain();
    for bad in [fifo.as_path(), std::path::Path::new("/dev/zero"), &huge] {
        let shown = bad.display().to_string();
        for place in [
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "root_cert_file_paths",
            "config.yaml",
        ] {
            let mut env = TestEnv::with_config(None);
            let config = env.home().join(".config/buf");
            fs::create_dir_all(&config).unwrap();
            let named = match place {
                "SSL_CERT_FILE" => {
                    env.env("SSL_CERT_FILE", &shown);
                    shown.clone()
                }
                "SSL_CERT_DIR" => {
                    let dir = env.home().join("certs");
                    fs::create_dir(&dir).unwrap();
                    std::os::unix::fs::symlink(bad, dir.join("5a3f0c2e.0")).unwrap();
                    env.env("SSL_CERT_DIR", dir.to_str().unwrap());
                    dir.join("5a3f0c2e.0").display().to_string()
                }
                "root_cert_file_paths" => {
                    fs::write(
                        config.join("config.yaml"),
                        format!("tls:\n  use: local\n  root_cert_file_paths: [{shown}]\n"),
                    )
                    .unwrap();
                    shown.clone()
                }
                _ => {
                    std::os::unix::fs::symlink(bad, config.join("config.yaml")).unwrap();
                    config.join("config.yaml").display().to_string()
                }
            };
            // Bounded, so that the old behaviour fails the test instead of the machine.
            let started = Instant::now();
            let output = env
                .shell(&format!(
                    "ulimit -v 2097152; echo {TOKEN} | exec timeout 10 \"$BSR\" registry login {domain} --token-stdin"
                ))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{place}={shown} took {:?}: {stderr}",
                started.elapsed()
            );
            assert_eq!(output.status.code(), Some(1), "{place}={shown}: {stderr}");
            assert!(
                stderr.contains(&named)
                    && (stderr.contains("not a regular file") || stderr.contains("more than the")),
                "{place}={shown}: {stderr}"
            );
        }
    }
    assert!(registry.requests().is_empty(), "nothing may be sent");
}

/// HTTPS to a registry that speaks plain HTTP: the fix is `tls.use: "false"`, not a CA.
#[test]
fn https_to_a_plain_http_registry_points_at_tls_use_false() {
    use std::io::{Read, Write};
    // A plain HTTP server answers a TLS ClientHello as it answers any garbage: with a 400.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let domain = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for mut tcp in listener.incoming().flatten() {
            let _ = tcp.read(&mut [0u8; 1024]);
            let _ = tcp.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    // With a config file and without one: the hint names the file to write either way.
    for config in [Some("version: v1\n"), None] {
        let env = TestEnv::with_config(config);
        let out = env.login(&domain, &[], TOKEN);
        assert_eq!(out.code, 1);
        assert_eq!(
            env.filter(&out.stderr),
            format!(
                "Failure: could not reach the registry at {domain}: it answered in plain HTTP, not TLS; if this registry serves http://, set tls.use: \"false\" in ~/.config/buf/config.yaml\n"
            )
        );
    }
}
