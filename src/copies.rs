//! Other tools' own copies of a registry token, read and never written: npm's user config
//! (`//<domain>/…:_authToken`) and cargo's `credentials.toml` (registries whose index, as
//! cargo's `config.toml` names it, is on the domain). `status` compares them with the token in
//! effect, because a copy is what goes stale when a token is rotated.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::Domain;
use crate::platform::open_for_reading;
use crate::secret::Token;

/// The largest of these files bsr reads; a user's `.npmrc` or cargo config is a few lines.
const MAX_BYTES: u64 = 1024 * 1024;

/// Where the files are, from the environment snapshot.
#[derive(Debug, Clone, Default)]
pub struct CopiesEnv {
    /// `NPM_CONFIG_USERCONFIG` (npm's `--userconfig`).
    pub npm_userconfig: Option<PathBuf>,
    /// `CARGO_HOME`.
    pub cargo_home: Option<PathBuf>,
    /// The user's home (`%USERPROFILE%` on Windows, as npm and cargo take it).
    pub home: Option<PathBuf>,
}

/// Which tool holds a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Npm,
    Cargo,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Npm => "npm",
            Tool::Cargo => "cargo",
        }
    }
}

/// What a copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    Token(Token),
    /// An environment variable npm substitutes when it reads the file (`${NPM_TOKEN}`); the
    /// text holds only the `${…}` names.
    Placeholder(String),
}

/// One copy of a token for the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub tool: Tool,
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    /// The npm key (`//buf.build/gen/npm/v1/:_authToken`) or the cargo registry's name.
    pub key: String,
    pub held: Held,
}

/// A file that exists but could not be read or understood; named in the report, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Clone)]
enum File {
    Missing,
    Text(PathBuf, String),
    Unreadable(Unreadable),
}

/// The three files, read once for every domain a run asks about.
#[derive(Debug, Clone)]
pub struct ToolFiles {
    npmrc: File,
    cargo_config: File,
    cargo_credentials: File,
}

impl ToolFiles {
    /// Reads the files that exist (regular files under 1 MiB only, opened without blocking).
    pub fn load(env: &CopiesEnv) -> ToolFiles {
        let npmrc = env
            .npm_userconfig
            .clone()
            .or_else(|| env.home.as_ref().map(|home| home.join(".npmrc")));
        let cargo_home = env
            .cargo_home
            .clone()
            .or_else(|| env.home.as_ref().map(|home| home.join(".cargo")));
        // Cargo reads `config` (and `credentials`) without the extension when both exist.
        let cargo_file = |name: &str| {
            let home = cargo_home.as_ref()?;
            let bare = home.join(name);
            Some(if bare.is_file() {
                bare
            } else {
                home.join(format!("{name}.toml"))
            })
        };
        ToolFiles {
            npmrc: read(npmrc.as_deref()),
            cargo_config: read(cargo_file("config").as_deref()),
            cargo_credentials: read(cargo_file("credentials").as_deref()),
        }
    }

    /// Every copy of a token for `domain`, and the files that could not be read.
    pub fn copies(&self, domain: &Domain) -> (Vec<Copy>, Vec<Unreadable>) {
        let mut copies = Vec::new();
        let mut unreadable = Vec::new();
        match &self.npmrc {
            File::Missing => {}
            File::Unreadable(u) => unreadable.push(u.clone()),
            File::Text(path, text) => {
                copies.extend(
                    npm_copies(text, domain)
                        .into_iter()
                        .map(|(line, key, held)| Copy {
                            tool: Tool::Npm,
                            path: path.clone(),
                            line,
                            key,
                            held,
                        }),
                );
            }
        }
        let names = match &self.cargo_config {
            File::Missing => Vec::new(),
            File::Unreadable(u) => {
                unreadable.push(u.clone());
                Vec::new()
            }
            File::Text(path, text) => match cargo_registries(text, domain) {
                Ok(names) => names,
                Err(reason) => {
                    unreadable.push(Unreadable {
                        path: path.clone(),
                        reason,
                    });
                    Vec::new()
                }
            },
        };
        if names.is_empty() {
            return (copies, unreadable);
        }
        match &self.cargo_credentials {
            File::Missing => {}
            File::Unreadable(u) => unreadable.push(u.clone()),
            File::Text(path, text) => match cargo_copies(text, &names) {
                Ok(found) => {
                    copies.extend(found.into_iter().map(|(line, key, held)| Copy {
                        tool: Tool::Cargo,
                        path: path.clone(),
                        line,
                        key,
                        held,
                    }));
                }
                Err(reason) => unreadable.push(Unreadable {
                    path: path.clone(),
                    reason,
                }),
            },
        }
        (copies, unreadable)
    }
}

fn read(path: Option<&Path>) -> File {
    let Some(path) = path else {
        return File::Missing;
    };
    let unreadable = |reason: String| {
        File::Unreadable(Unreadable {
            path: path.to_path_buf(),
            reason,
        })
    };
    let file = match open_for_reading(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return File::Missing,
        Err(e) => return unreadable(e.to_string()),
    };
    match file.metadata() {
        Ok(meta) if !meta.is_file() => return unreadable("it is not a regular file".to_owned()),
        Ok(meta) if meta.len() > MAX_BYTES => {
            return unreadable("it is larger than 1 MiB".to_owned());
        }
        Ok(_) => {}
        Err(e) => return unreadable(e.to_string()),
    }
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_BYTES).read_to_end(&mut bytes) {
        return unreadable(e.to_string());
    }
    match String::from_utf8(bytes) {
        Ok(text) => File::Text(path.to_path_buf(), text),
        Err(_) => unreadable("it is not valid UTF-8".to_owned()),
    }
}

/// The `//<domain>/…:_authToken` lines of an npmrc, read as npm's `ini` parser reads them:
/// `key = value` split at the first `=`, `;` and `#` lines are comments, a value may be quoted,
/// and an unquoted value ends at a `;` or `#`.
pub fn npm_copies(text: &str, domain: &Domain) -> Vec<(usize, String, Held)> {
    let prefix = format!("//{}/", domain.authority());
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let key = unquoted(key).unwrap_or(key);
        if !key.starts_with(&prefix) || !key.ends_with(":_authToken") {
            continue;
        }
        let value = value.trim();
        let value = match unquoted(value) {
            Some(inner) => inner.to_owned(),
            None => value
                .split([';', '#'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned(),
        };
        let held = match placeholders(&value) {
            Some(names) => Held::Placeholder(names),
            None => Held::Token(Token::new(value)),
        };
        found.push((index + 1, key.to_owned(), held));
    }
    found
}

/// The text inside `"…"` or `'…'`, or `None` when it is not quoted.
fn unquoted(text: &str) -> Option<&str> {
    ['"', '\'']
        .into_iter()
        .find_map(|quote| text.strip_prefix(quote)?.strip_suffix(quote))
}

/// The `${NAME}` references in a value (npm substitutes them from the environment), or `None`.
fn placeholders(value: &str) -> Option<String> {
    let mut names = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = &after[..end];
        if name.is_empty()
            || !name
                .trim_end_matches('?')
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return None;
        }
        names.push(format!("${{{name}}}"));
        rest = &after[end + 1..];
    }
    (!names.is_empty()).then(|| names.join(""))
}

#[derive(Deserialize)]
struct CargoConfig {
    #[serde(default)]
    registries: BTreeMap<String, CargoRegistry>,
}

#[derive(Deserialize)]
struct CargoRegistry {
    index: Option<String>,
}

#[derive(Deserialize)]
struct CargoCredentials {
    #[serde(default)]
    registries: BTreeMap<String, CargoCredential>,
}

#[derive(Deserialize)]
struct CargoCredential {
    token: Option<toml::Spanned<String>>,
}

/// The names of the registries in a cargo `config.toml` whose index is on `domain`
/// (`[registries.buf] index = "sparse+https://buf.build/gen/cargo/"`).
pub fn cargo_registries(text: &str, domain: &Domain) -> Result<Vec<String>, String> {
    let config: CargoConfig = toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
    Ok(config
        .registries
        .into_iter()
        .filter(|(_, registry)| {
            registry
                .index
                .as_deref()
                .and_then(index_authority)
                .is_some_and(|authority| authority.eq_ignore_ascii_case(&domain.authority()))
        })
        .map(|(name, _)| name)
        .collect())
}

/// The `host[:port]` of a cargo index URL (`sparse+https://…`, `registry+https://…`, a git URL).
fn index_authority(index: &str) -> Option<String> {
    let url = index
        .strip_prefix("sparse+")
        .or_else(|| index.strip_prefix("registry+"))
        .unwrap_or(index);
    let uri: ureq::http::Uri = url.parse().ok()?;
    let host = uri.host()?;
    Some(match uri.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// The tokens cargo's `credentials.toml` holds for the registries `names`, with their lines.
/// BSR's cargo instructions store `Bearer <token>`; the comparison is with the token itself.
pub fn cargo_copies(text: &str, names: &[String]) -> Result<Vec<(usize, String, Held)>, String> {
    let credentials: CargoCredentials =
        toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
    Ok(credentials
        .registries
        .into_iter()
        .filter(|(name, _)| names.contains(name))
        .filter_map(|(name, credential)| {
            let token = credential.token?;
            let line = 1 + text[..token.span().start].matches('\n').count();
            let value = token.into_inner();
            let value = value.strip_prefix("Bearer ").unwrap_or(&value).trim();
            Some((line, name, Held::Token(Token::new(value))))
        })
        .collect())
}

/// A parser's message on one line, without the excerpt of the file (which could hold a token).
fn one_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("it is not valid TOML")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(d: &str) -> Domain {
        Domain::parse(d).unwrap()
    }

    fn token(held: &Held) -> &str {
        match held {
            Held::Token(token) => token.expose(),
            Held::Placeholder(names) => names,
        }
    }

    #[test]
    fn npm_lines_for_the_domain_are_found_as_npm_reads_them() {
        let text = "; comment\nregistry=https://registry.npmjs.org/\n@buf:registry=https://buf.build/gen/npm/v1/\n//buf.build/gen/npm/v1/:_authToken = tok-1 ; note\n//buf.build/gen/npm/v1/:_authToken=\"${NPM_TOKEN}\"\n//other.example/:_authToken=tok-2\n# //buf.build/x/:_authToken=tok-3\n//buf.build.evil/:_authToken=tok-4\n";
        let found = npm_copies(text, &domain("buf.build"));
        let shown: Vec<_> = found
            .iter()
            .map(|(line, key, held)| (*line, key.as_str(), token(held)))
            .collect();
        assert_eq!(
            shown,
            [
                (4, "//buf.build/gen/npm/v1/:_authToken", "tok-1"),
                (5, "//buf.build/gen/npm/v1/:_authToken", "${NPM_TOKEN}"),
            ]
        );
        assert!(matches!(found[1].2, Held::Placeholder(_)));
        let with_port = npm_copies(
            "//bsr.example.com:8443/gen/npm/v1/:_authToken=t\n",
            &domain("bsr.example.com:8443"),
        );
        assert_eq!(with_port.len(), 1);
    }

    #[test]
    fn cargo_registries_on_the_domain_and_their_tokens() {
        let config = "[registries.buf]\nindex = \"sparse+https://buf.build/gen/cargo/\"\n[registries.other]\nindex = \"sparse+https://example.com/index/\"\n[registries.port]\nindex = \"sparse+https://bsr.example.com:8443/gen/cargo/\"\n";
        assert_eq!(
            cargo_registries(config, &domain("buf.build")).unwrap(),
            ["buf"]
        );
        assert_eq!(
            cargo_registries(config, &domain("bsr.example.com:8443")).unwrap(),
            ["port"]
        );
        let credentials = "[registry]\ntoken = \"crates-io\"\n\n[registries.buf]\ntoken = \"Bearer tok-1\"\n[registries.other]\ntoken = \"tok-2\"\n";
        let found = cargo_copies(credentials, &["buf".to_owned()]).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1.as_str()), (5, "buf"));
        assert_eq!(token(&found[0].2), "tok-1");
        let broken = cargo_copies("[registries.buf\ntoken = \"secret-value\"", &[]).unwrap_err();
        assert!(!broken.contains("secret-value"), "{broken}");
    }
}
