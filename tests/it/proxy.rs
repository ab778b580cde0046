//! Proxies as Go (and so Buf) reads them, against a loopback CONNECT proxy that records what
//! it is asked for. `0.0.0.0:<port>` names the loopback registry by an address that is not a
//! loopback one (Linux connects it to the local host), so that the proxy decision is visible.

use crate::support::proxy::Proxy;
use crate::support::{Registry, TOKEN, TestEnv};

fn registry() -> Registry {
    Registry::with_users(&[(TOKEN, "alice")])
}

/// Logs in to `domain` with `vars` set and says whether it worked and what the proxy saw.
fn login(domain: &str, vars: &[(&str, &str)]) -> (crate::support::Outcome, TestEnv) {
    let mut env = TestEnv::new();
    for (key, value) in vars {
        env.env(key, value);
    }
    let out = env.login(domain, &[], TOKEN);
    (out, env)
}

#[test]
fn a_remote_registry_goes_through_http_proxy() {
    let (registry, proxy) = (registry(), Proxy::start());
    let domain = format!("0.0.0.0:{}", registry.port);
    let (out, _) = login(&domain, &[("HTTP_PROXY", &proxy.url())]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(proxy.seen(), [format!("CONNECT {domain} HTTP/1.1")]);
}

#[test]
fn loopback_registries_are_never_proxied() {
    let (registry, proxy) = (registry(), Proxy::start());
    // (The rest of 127.0.0.0/8 and IPv4-mapped loopback are covered by config.rs's unit test:
    // the registry listens on 127.0.0.1 only.)
    for host in ["127.0.0.1", "localhost"] {
        let domain = format!("{host}:{}", registry.port);
        let (out, _) = login(&domain, &[("HTTP_PROXY", &proxy.url())]);
        assert_eq!(out.code, 0, "{host}: {}", out.stderr);
    }
    assert_eq!(
        proxy.seen(),
        Vec::<String>::new(),
        "loopback went to the proxy"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn no_proxy_takes_cidr_ranges_ips_and_star() {
    let (registry, proxy) = (registry(), Proxy::start());
    let domain = format!("0.0.0.0:{}", registry.port);
    for no_proxy in ["0.0.0.0/8", "10.0.0.0/8, 0.0.0.0/32", "0.0.0.0", "*"] {
        let (out, _) = login(
            &domain,
            &[("HTTP_PROXY", &proxy.url()), ("NO_PROXY", no_proxy)],
        );
        assert_eq!(out.code, 0, "NO_PROXY={no_proxy}: {}", out.stderr);
        assert_eq!(proxy.seen(), Vec::<String>::new(), "NO_PROXY={no_proxy}");
    }
    // A range that does not hold the host leaves the proxy in use.
    let (out, _) = login(
        &domain,
        &[("HTTP_PROXY", &proxy.url()), ("no_proxy", "10.0.0.0/8")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(proxy.seen().len(), 1);
}

/// Under CGI a client's `Proxy:` header arrives as `HTTP_PROXY` ("httpoxy"): when
/// `REQUEST_METHOD` is set Go refuses to use that variable (failing the request), and bsr, as
/// SPEC says, ignores it and goes direct.
#[cfg(target_os = "linux")]
#[test]
fn http_proxy_is_ignored_under_cgi() {
    let (registry, proxy) = (registry(), Proxy::start());
    let domain = format!("0.0.0.0:{}", registry.port);
    let (out, _) = login(
        &domain,
        &[("HTTP_PROXY", &proxy.url()), ("REQUEST_METHOD", "GET")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        proxy.seen(),
        Vec::<String>::new(),
        "the token went to the header's proxy"
    );
    assert_eq!(registry.requests().len(), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn a_proxy_that_cannot_be_reached_is_named_as_the_proxy() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!(
        "http://user:pw@127.0.0.1:{}",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    let domain = "0.0.0.0:9";
    let (out, env) = login(domain, &[("http_proxy", &proxy)]);
    assert_eq!(out.code, 1);
    let port = proxy.rsplit(':').next().unwrap();
    assert_eq!(
        out.stderr,
        format!(
            "Failure: could not reach the registry at {domain} through the proxy http://[REDACTED]@127.0.0.1:{port} (from http_proxy): it refused the connection; check http_proxy, or list the registry in NO_PROXY\n"
        )
    );
    assert!(!env.netrc_path().exists());

    let (out, _) = login(domain, &[("HTTP_PROXY", "socks5://127.0.0.1:1080")]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("through the proxy socks5://127.0.0.1:1080 (from HTTP_PROXY): bsr speaks to http:// and https:// proxies, not socks5://"),
        "{}",
        out.stderr
    );
}
