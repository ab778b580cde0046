//! Buf's client configuration (`config.yaml`) and the network environment (proxies), resolved
//! into the settings the registry client needs. Reading the environment is the caller's job;
//! everything here is a pure function of the values passed in.

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use thiserror::Error;
use yaml_rust2::{Yaml, YamlLoader};

use crate::files::{ReadFileError, read_regular_file};
use crate::os::Os;

/// How to reach the registry, from `tls.use`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// `use: "false"`: plain `http://` (for local registries and tests).
    Disabled,
    /// `https://`, trusting the listed roots and/or the system's trust store.
    Enabled {
        system_roots: bool,
        root_cert_files: Vec<PathBuf>,
    },
}

/// The resolved client configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub tls: Tls,
    /// `config.yaml` in the config directory, whether or not it exists (a message that says
    /// what to set says where); `None` when no config directory is known.
    pub source: Option<PathBuf>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            tls: Tls::Enabled {
                system_roots: true,
                root_cert_files: Vec::new(),
            },
            source: None,
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read the Buf configuration {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: ReadFileError,
    },
    #[error("the Buf configuration {path} is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// The environment variables that locate the configuration.
#[derive(Debug, Clone, Default)]
pub struct ConfigEnv {
    pub buf_config_dir: Option<OsString>,
    pub xdg_config_home: Option<OsString>,
    /// `%APPDATA%`, Buf's configuration home on Windows.
    pub app_data: Option<OsString>,
    pub home: Option<PathBuf>,
}

/// Buf's configuration directory: `$BUF_CONFIG_DIR`, else `$XDG_CONFIG_HOME/buf`, else
/// `~/.config/buf`; on Windows `%BUF_CONFIG_DIR%`, else `%APPDATA%\buf` (no configuration when
/// neither is set, where Buf fails).
pub fn config_dir(env: &ConfigEnv, os: Os) -> Option<PathBuf> {
    let set = |v: &Option<OsString>| v.clone().filter(|v| !v.is_empty()).map(PathBuf::from);
    if os == Os::Windows {
        return set(&env.buf_config_dir).or_else(|| set(&env.app_data).map(|dir| dir.join("buf")));
    }
    set(&env.buf_config_dir)
        .or_else(|| set(&env.xdg_config_home).map(|dir| dir.join("buf")))
        .or_else(|| {
            env.home
                .as_ref()
                .map(|home| home.join(".config").join("buf"))
        })
}

/// Loads `<dir>/config.yaml`; a missing file means the defaults (system trust store).
pub fn load(dir: Option<&Path>) -> Result<ClientConfig, ConfigError> {
    let Some(dir) = dir else {
        return Ok(ClientConfig::default());
    };
    let path = dir.join("config.yaml");
    // A config of a few lines: a FIFO, a device or anything past the cap is not one, and is
    // refused before it can hang bsr or fill its memory.
    let bytes = match read_regular_file(&path, MAX_CONFIG_BYTES) {
        Ok((bytes, _)) => bytes,
        Err(e) if e.is_not_found() => {
            return Ok(ClientConfig {
                source: Some(path),
                ..ClientConfig::default()
            });
        }
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    let text = String::from_utf8(bytes).map_err(|_| ConfigError::Invalid {
        path: path.clone(),
        reason: "it is not UTF-8 text".to_owned(),
    })?;
    parse(&text, dir, &path)
}

/// The largest `config.yaml` bsr reads.
const MAX_CONFIG_BYTES: u64 = 64 * 1024;

/// Fails on the first YAML alias (`*name`) in `text`.
fn refuse_aliases(text: &str) -> Result<(), String> {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return Ok(()),
            Ok((Event::Alias(_), marker)) => {
                return Err(format!(
                    "line {}: it uses a YAML alias (*name), which a Buf client config has no need for and bsr does not expand",
                    marker.line()
                ));
            }
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Fails on a key of the mapping `node` that is not in `known`.
fn known_keys(node: &Yaml, prefix: &str, known: &[&str]) -> Result<(), String> {
    let Yaml::Hash(map) = node else {
        return Ok(());
    };
    for key in map.keys() {
        let name = match key {
            Yaml::String(name) => name.clone(),
            other => format!("{other:?}"),
        };
        if !known.contains(&name.as_str()) {
            return Err(format!(
                "unknown key {prefix}{name}; a Buf client config knows {}",
                known
                    .iter()
                    .map(|k| format!("{prefix}{k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

/// Parses the text of `config.yaml`, found in `dir`.
pub fn parse(text: &str, dir: &Path, path: &Path) -> Result<ClientConfig, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    // The loader copies an alias's whole node at every use, so a few lines of nested aliases
    // ("billion laughs") grow without bound. Buf's config never needs one: refuse them first.
    refuse_aliases(text).map_err(invalid)?;
    let docs = YamlLoader::load_from_str(text).map_err(|e| invalid(e.to_string()))?;
    let Some(doc) = docs.into_iter().next() else {
        return Ok(ClientConfig {
            source: Some(path.to_path_buf()),
            ..ClientConfig::default()
        });
    };
    // Unknown keys are errors naming them, as Buf reports them (a typo must not silently
    // mean "use the defaults").
    known_keys(&doc, "", &["version", "tls"]).map_err(invalid)?;
    let tls = &doc["tls"];
    known_keys(tls, "tls.", &["use", "root_cert_file_paths"]).map_err(invalid)?;
    // YAML reads an unquoted `false` as a boolean; Buf's documentation quotes it, accept both.
    let mode = match &tls["use"] {
        Yaml::BadValue | Yaml::Null => "system".to_owned(),
        Yaml::String(s) => s.clone(),
        Yaml::Boolean(b) => b.to_string(),
        other => {
            return Err(invalid(format!(
                "tls.use must be a string, found {other:?}"
            )));
        }
    };
    let listed: Vec<PathBuf> = match &tls["root_cert_file_paths"] {
        Yaml::BadValue | Yaml::Null => Vec::new(),
        Yaml::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str().map(|p| dir.join(p)).ok_or_else(|| {
                    invalid("tls.root_cert_file_paths must be a list of paths".to_owned())
                })
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(invalid(
                "tls.root_cert_file_paths must be a list of paths".to_owned(),
            ));
        }
    };
    let local = || {
        if listed.is_empty() {
            vec![dir.join("tls").join("root.pem")]
        } else {
            listed.clone()
        }
    };
    // Buf compares the value trimmed and in lower case: `" false"`, `FALSE` and `Local` count.
    let tls = match mode.trim().to_ascii_lowercase().as_str() {
        "false" => Tls::Disabled,
        "system" | "" => Tls::Enabled {
            system_roots: true,
            root_cert_files: Vec::new(),
        },
        "local" => Tls::Enabled {
            system_roots: false,
            root_cert_files: local(),
        },
        "systemandlocal" => Tls::Enabled {
            system_roots: true,
            root_cert_files: local(),
        },
        other => {
            return Err(invalid(format!(
                "tls.use is {other:?}; it must be one of \"false\", \"system\", \"local\", \"systemandlocal\""
            )));
        }
    };
    Ok(ClientConfig {
        tls,
        source: Some(path.to_path_buf()),
    })
}

/// The proxy-related environment variables, read as Go's `net/http` reads them (and so Buf).
#[derive(Debug, Clone, Default)]
pub struct ProxyEnv {
    /// `HTTPS_PROXY`, else `https_proxy`, with the name of the one that was set.
    pub https_proxy: Option<ChosenProxy>,
    /// `HTTP_PROXY`, else `http_proxy`, likewise.
    pub http_proxy: Option<ChosenProxy>,
    pub no_proxy: Option<String>,
    /// `REQUEST_METHOD` is set: a CGI environment, where a client's `Proxy:` request header
    /// arrives as `HTTP_PROXY` ("httpoxy"), so that variable is not to be trusted.
    pub cgi: bool,
}

/// A proxy setting and the variable it came from (messages name the one the user set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenProxy {
    pub url: String,
    pub variable: &'static str,
}

impl ProxyEnv {
    /// The proxy for a request to `host` (no port, no brackets) at `port` (`None`: the
    /// scheme's) over `https` or plain `http`, as Go chooses it: `HTTPS_PROXY` for https,
    /// `HTTP_PROXY` for http (not under CGI); never for a loopback host (`localhost`,
    /// `127.0.0.0/8`, `::1`); not when `NO_PROXY` matches. `ALL_PROXY` plays no part, as in Go.
    pub fn proxy_for(&self, https: bool, host: &str, port: Option<&str>) -> Option<ChosenProxy> {
        let chosen = if https {
            self.https_proxy.as_ref()?
        } else if self.cgi {
            return None;
        } else {
            self.http_proxy.as_ref()?
        };
        let host = host.trim().to_ascii_lowercase();
        let ip = parse_ip(&host);
        if host == "localhost" || ip.is_some_and(is_loopback) {
            return None;
        }
        let port = port.unwrap_or(if https { "443" } else { "80" });
        if let Some(list) = &self.no_proxy
            && list
                .split(',')
                .any(|entry| no_proxy_matches(entry, &host, ip, port))
        {
            return None;
        }
        Some(chosen.clone())
    }
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// One `NO_PROXY` entry, as Go's `httpproxy` reads it: `*`; a CIDR range (`10.0.0.0/8`,
/// `fd00::/8`); an IP with an optional port (`10.1.2.3`, `[::1]:8080`); a domain with an
/// optional port, where `example.com` also matches its subdomains and `.example.com` or
/// `*.example.com` only them.
fn no_proxy_matches(entry: &str, host: &str, ip: Option<IpAddr>, port: &str) -> bool {
    let entry = entry.trim().to_ascii_lowercase();
    if entry.is_empty() {
        return false;
    }
    if entry == "*" {
        return true;
    }
    if let Some((network, bits)) = entry.split_once('/') {
        return match (parse_ip(network), bits.parse::<u8>(), ip) {
            (Some(network), Ok(bits), Some(ip)) => in_cidr(ip, network, bits),
            _ => false,
        };
    }
    let (name, entry_port) = split_host_port(&entry);
    if name.is_empty() {
        return false;
    }
    let port_matches = entry_port.is_none_or(|p| p == port);
    if let Some(entry_ip) = parse_ip(name) {
        return ip.is_some_and(|ip| canonical(ip) == canonical(entry_ip)) && port_matches;
    }
    let name = name.strip_prefix('*').unwrap_or(name);
    let (suffix, exact) = match name.strip_prefix('.') {
        Some(_) => (name.to_owned(), None),
        None => (format!(".{name}"), Some(name)),
    };
    (host.ends_with(&suffix) || exact == Some(host)) && port_matches
}

/// `host:port` or `[v6]:port` split as Go's `net.SplitHostPort` splits it; otherwise the whole
/// text is the host.
fn split_host_port(entry: &str) -> (&str, Option<&str>) {
    if let Some(rest) = entry.strip_prefix('[')
        && let Some((v6, port)) = rest.split_once("]:")
    {
        return (v6, Some(port));
    }
    match entry.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port)),
        _ => (entry.trim_start_matches('[').trim_end_matches(']'), None),
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is, as Go compares them.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn in_cidr(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (canonical(ip), canonical(network)) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_refused_before_they_are_expanded() {
        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (name, prev) in [
            ("b", "a"),
            ("c", "b"),
            ("d", "c"),
            ("e", "d"),
            ("f", "e"),
            ("g", "f"),
            ("h", "g"),
            ("i", "h"),
        ] {
            bomb.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        let err = parse_text(&bomb).unwrap_err().to_string();
        assert!(err.contains("line 2: it uses a YAML alias"), "{err}");
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = parse_text("version: v1\nfoo: 1\n").unwrap_err().to_string();
        assert!(err.contains("unknown key foo;"), "{err}");
        let err = parse_text("tls:\n  use: system\n  bar: 2\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown key tls.bar;"), "{err}");
    }

    fn parse_text(text: &str) -> Result<ClientConfig, ConfigError> {
        parse(text, Path::new("/cfg"), Path::new("/cfg/config.yaml"))
    }

    #[test]
    fn config_dir_order() {
        let env = |b: Option<&str>, x: Option<&str>| ConfigEnv {
            buf_config_dir: b.map(OsString::from),
            xdg_config_home: x.map(OsString::from),
            app_data: Some(OsString::from(r"C:\Users\a\AppData\Roaming")),
            home: Some(PathBuf::from("/home/a")),
        };
        assert_eq!(
            config_dir(&env(Some("/b"), Some("/x")), Os::Unix),
            Some(PathBuf::from("/b"))
        );
        assert_eq!(
            config_dir(&env(None, Some("/x")), Os::Unix),
            Some(PathBuf::from("/x/buf"))
        );
        assert_eq!(
            config_dir(&env(Some(""), None), Os::Unix),
            Some(PathBuf::from("/home/a/.config/buf"))
        );
        // Windows: BUF_CONFIG_DIR, else %APPDATA%\buf; XDG_CONFIG_HOME plays no part.
        assert_eq!(
            config_dir(&env(Some(r"D:\b"), Some("/x")), Os::Windows),
            Some(PathBuf::from(r"D:\b"))
        );
        assert_eq!(
            config_dir(&env(None, Some("/x")), Os::Windows),
            Some(PathBuf::from(r"C:\Users\a\AppData\Roaming").join("buf"))
        );
    }

    #[test]
    fn tls_modes() {
        assert_eq!(
            parse_text("version: v1\ntls:\n  use: \"false\"\n")
                .unwrap()
                .tls,
            Tls::Disabled
        );
        assert_eq!(parse_text("tls: {use: false}").unwrap().tls, Tls::Disabled);
        assert_eq!(
            parse_text("version: v1\n").unwrap().tls,
            ClientConfig::default().tls
        );
        assert_eq!(parse_text("").unwrap().tls, ClientConfig::default().tls);
        assert_eq!(
            parse_text("tls:\n  use: local\n").unwrap().tls,
            Tls::Enabled {
                system_roots: false,
                root_cert_files: vec![PathBuf::from("/cfg/tls/root.pem")]
            }
        );
        assert_eq!(
            parse_text(
                "tls:\n  use: systemandlocal\n  root_cert_file_paths: [/ca/a.pem, rel.pem]\n"
            )
            .unwrap()
            .tls,
            Tls::Enabled {
                system_roots: true,
                root_cert_files: vec![PathBuf::from("/ca/a.pem"), PathBuf::from("/cfg/rel.pem")]
            }
        );
    }

    #[test]
    fn invalid_config_names_the_file() {
        for spelling in ["FALSE", "False", "\" false\"", "\"false \""] {
            let text = format!("tls:\n  use: {spelling}\n");
            assert_eq!(parse_text(&text).unwrap().tls, Tls::Disabled, "{spelling}");
        }
        assert!(matches!(
            parse_text("tls:\n  use: \" Local \"\n").unwrap().tls,
            Tls::Enabled {
                system_roots: false,
                ..
            }
        ));
        let err = parse_text("tls:\n  use: sometimes\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/cfg/config.yaml") && err.contains("\"sometimes\""),
            "{err}"
        );
        let err = parse_text("tls: [unclosed").unwrap_err().to_string();
        assert!(err.contains("/cfg/config.yaml is not valid"), "{err}");
    }

    #[test]
    fn proxy_by_scheme_and_no_proxy_as_go_reads_them() {
        let env = |no_proxy: &str| ProxyEnv {
            https_proxy: Some(ChosenProxy {
                url: "http://secure-proxy:3128".into(),
                variable: "HTTPS_PROXY",
            }),
            http_proxy: Some(ChosenProxy {
                url: "http://plain-proxy:3128".into(),
                variable: "http_proxy",
            }),
            no_proxy: Some(no_proxy.into()),
            cgi: false,
        };
        let via = |env: &ProxyEnv, https: bool, host: &str, port: Option<&str>| {
            env.proxy_for(https, host, port).map(|p| p.url)
        };
        let e = env("");
        assert_eq!(
            via(&e, true, "buf.build", None).as_deref(),
            Some("http://secure-proxy:3128")
        );
        assert_eq!(
            via(&e, false, "buf.build", None).as_deref(),
            Some("http://plain-proxy:3128")
        );
        // Loopback is never proxied.
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.9.8.7",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert_eq!(via(&e, true, host, Some("9000")), None, "{host}");
        }
        assert!(via(&e, true, "localhost.example", None).is_some());
        let e = env(
            "example.com, .internal.example,*.wild.example,10.1.2.3,bsr.corp:8443,10.0.0.0/8,fd00::/8,[::2]:99",
        );
        assert_eq!(via(&e, true, "example.com", None), None);
        assert_eq!(via(&e, true, "a.example.com", None), None);
        assert!(via(&e, true, "notexample.com", None).is_some());
        assert_eq!(via(&e, true, "bsr.internal.example", None), None);
        assert!(
            via(&e, true, "internal.example", None).is_some(),
            "a leading dot: subdomains only, as in Go"
        );
        assert_eq!(via(&e, true, "x.wild.example", None), None);
        assert_eq!(via(&e, true, "10.1.2.3", None), None);
        assert_eq!(via(&e, true, "BSR.corp", Some("8443")), None);
        assert!(
            via(&e, true, "bsr.corp", None).is_some(),
            "the entry names port 8443"
        );
        assert_eq!(via(&e, true, "10.200.3.4", Some("8080")), None);
        assert!(via(&e, true, "11.0.0.1", None).is_some());
        assert_eq!(via(&e, true, "fd12::1", None), None);
        assert_eq!(via(&e, true, "::2", Some("99")), None);
        assert!(via(&e, true, "::2", None).is_some());
        assert_eq!(via(&env("*"), true, "buf.build", None), None);
        assert_eq!(
            via(&env(" 127.0.0.0/8 "), true, "buf.build", None).as_deref(),
            Some("http://secure-proxy:3128")
        );
        // Under CGI, HTTP_PROXY may be a client's header: ignored; HTTPS_PROXY still counts.
        let cgi = ProxyEnv {
            cgi: true,
            ..env("")
        };
        assert_eq!(via(&cgi, false, "buf.build", None), None);
        assert!(via(&cgi, true, "buf.build", None).is_some());
        assert_eq!(
            cgi.proxy_for(true, "buf.build", None).unwrap().variable,
            "HTTPS_PROXY"
        );
    }
}
