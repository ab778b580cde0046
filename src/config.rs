//! Buf's client configuration (`config.yaml`) and the network environment (proxies), resolved
//! into the settings the registry client needs. Reading the environment is the caller's job;
//! everything here is a pure function of the values passed in.

use std::ffi::OsString;
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
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            tls: Tls::Enabled {
                system_roots: true,
                root_cert_files: Vec::new(),
            },
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
        Err(e) if e.is_not_found() => return Ok(ClientConfig::default()),
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
        return Ok(ClientConfig::default());
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
    Ok(ClientConfig { tls })
}

/// The proxy-related environment variables.
#[derive(Debug, Clone, Default)]
pub struct ProxyEnv {
    pub https_proxy: Option<String>,
    pub http_proxy: Option<String>,
    pub all_proxy: Option<String>,
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    /// The proxy for a request to `host` (no port, no brackets) over `https` or plain `http`, as Go and curl
    /// choose it: `HTTPS_PROXY` or `HTTP_PROXY` by scheme, else `ALL_PROXY`, unless `NO_PROXY`
    /// lists the host or one of its parent domains.
    pub fn proxy_for(&self, https: bool, host: &str) -> Option<&str> {
        let chosen = if https {
            self.https_proxy.as_deref()
        } else {
            self.http_proxy.as_deref()
        }
        .or(self.all_proxy.as_deref())?;
        if self.bypasses(host) {
            None
        } else {
            Some(chosen)
        }
    }

    fn bypasses(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let Some(list) = &self.no_proxy else {
            return false;
        };
        list.split([',', ' ']).map(str::trim).any(|entry| {
            if entry == "*" {
                return true;
            }
            // `example.com:8080` entries name a port; hosts are compared without it.
            let entry = match entry.rsplit_once(':') {
                Some((name, port))
                    if port.bytes().all(|b| b.is_ascii_digit()) && !name.contains(':') =>
                {
                    name
                }
                _ => entry,
            };
            let entry = entry
                .trim_start_matches('*')
                .trim_start_matches('.')
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase();
            !entry.is_empty()
                && (host == entry
                    || host
                        .strip_suffix(entry.as_str())
                        .is_some_and(|rest| rest.ends_with('.')))
        })
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
    fn proxy_by_scheme_and_no_proxy() {
        let env = ProxyEnv {
            https_proxy: Some("http://secure-proxy:3128".into()),
            http_proxy: Some("http://plain-proxy:3128".into()),
            all_proxy: None,
            no_proxy: Some("localhost, .internal.example,10.1.2.3,bsr.corp:8443".into()),
        };
        assert_eq!(
            env.proxy_for(true, "buf.build"),
            Some("http://secure-proxy:3128")
        );
        assert_eq!(
            env.proxy_for(false, "buf.build"),
            Some("http://plain-proxy:3128")
        );
        assert_eq!(env.proxy_for(true, "localhost"), None);
        assert_eq!(env.proxy_for(true, "bsr.internal.example"), None);
        assert_eq!(env.proxy_for(true, "internal.example"), None);
        assert_eq!(
            env.proxy_for(true, "notinternal.example"),
            Some("http://secure-proxy:3128")
        );
        assert_eq!(env.proxy_for(true, "10.1.2.3"), None);
        assert_eq!(env.proxy_for(true, "BSR.corp"), None);
        let all = ProxyEnv {
            all_proxy: Some("http://all:1".into()),
            no_proxy: Some("*".into()),
            ..ProxyEnv::default()
        };
        assert_eq!(all.proxy_for(true, "buf.build"), None);
        let all = ProxyEnv {
            all_proxy: Some("http://all:1".into()),
            ..ProxyEnv::default()
        };
        assert_eq!(all.proxy_for(false, "buf.build"), Some("http://all:1"));
    }
}
