//! The process environment, taken once by `main` and read only through this snapshot.
//!
//! Every variable bsr honours is read here, as Buf reads it: an empty variable counts as unset,
//! booleans parse as Go's `strconv.ParseBool`, durations as Go's `time.ParseDuration`, and a bad
//! value is an error that names the variable (never a flag the user did not pass).

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

use crate::browser::OpenerEnv;
use crate::config::{ChosenProxy, ConfigEnv, ProxyEnv};
use crate::credentials::{BufToken, MalformedBufToken};
use crate::duration::parse_go_duration;
use crate::log::LogFormat;
use crate::roots::CertEnv;
use crate::store::PathEnv;

/// The variables bsr reads.
const NAMES: [&str; 25] = [
    "BROWSER",
    "PATH",
    "COMPUTERNAME",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HOME",
    "USERPROFILE",
    "APPDATA",
    "NETRC",
    "BUF_CONFIG_DIR",
    "XDG_CONFIG_HOME",
    "BUF_TOKEN",
    "BUF_DEBUG",
    "BUF_TIMEOUT",
    "BUF_LOG_FORMAT",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "REQUEST_METHOD",
    "NO_PROXY",
    "no_proxy",
    "CARGO_HOME",
    "NPM_CONFIG_USERCONFIG",
    "npm_config_userconfig",
];

/// A value of one of Buf's variables that bsr cannot use.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid value {value:?} for {name}: {expected}")]
pub struct InvalidVariable {
    pub name: &'static str,
    /// The value as given (never a secret: BUF_TOKEN reports through `MalformedBufToken`).
    pub value: String,
    pub expected: &'static str,
}

/// A snapshot of the environment.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: HashMap<&'static str, OsString>,
    /// The platform's idea of the home directory, for when `HOME` is unset or empty.
    platform_home: Option<PathBuf>,
}

impl Environment {
    /// Takes the snapshot of this process's environment.
    pub fn capture() -> Environment {
        let vars = NAMES
            .iter()
            .filter_map(|&name| std::env::var_os(name).map(|value| (name, value)))
            .collect();
        Environment {
            vars,
            platform_home: dirs::home_dir(),
        }
    }

    /// A snapshot made of the given variables (for tests); unknown names are ignored.
    pub fn from_vars<'a>(
        vars: impl IntoIterator<Item = (&'a str, &'a str)>,
        platform_home: Option<PathBuf>,
    ) -> Environment {
        let vars = vars
            .into_iter()
            .filter_map(|(name, value)| {
                let name = NAMES.iter().find(|&&n| n == name)?;
                Some((*name, OsString::from(value)))
            })
            .collect();
        Environment {
            vars,
            platform_home,
        }
    }

    /// The variable's value, or `None` when it is unset or empty (Buf treats both alike).
    pub fn get(&self, name: &str) -> Option<&OsStr> {
        self.vars
            .get(name)
            .map(OsString::as_os_str)
            .filter(|v| !v.is_empty())
    }

    /// A variable as UTF-8 text; a value that is not UTF-8 is an error naming it.
    fn text(
        &self,
        name: &'static str,
        expected: &'static str,
    ) -> Result<Option<&str>, InvalidVariable> {
        self.get(name)
            .map(|value| {
                value.to_str().ok_or_else(|| InvalidVariable {
                    name,
                    value: value.to_string_lossy().into_owned(),
                    expected,
                })
            })
            .transpose()
    }

    pub fn path_env(&self) -> PathEnv {
        PathEnv {
            netrc: self.get("NETRC").map(OsStr::to_owned),
            home: self.get("HOME").map(OsStr::to_owned),
            user_profile: self.get("USERPROFILE").map(OsStr::to_owned),
            platform_home: self.platform_home.clone(),
        }
    }

    pub fn config_env(&self) -> ConfigEnv {
        ConfigEnv {
            buf_config_dir: self.get("BUF_CONFIG_DIR").map(OsStr::to_owned),
            xdg_config_home: self.get("XDG_CONFIG_HOME").map(OsStr::to_owned),
            app_data: self.get("APPDATA").map(OsStr::to_owned),
            home: self
                .get("HOME")
                .map(PathBuf::from)
                .or_else(|| self.platform_home.clone()),
        }
    }

    /// Where other tools keep their own copies of registry tokens (`status` compares them).
    pub fn copies_env(&self) -> crate::copies::CopiesEnv {
        let home = match crate::os::Os::current() {
            crate::os::Os::Windows => self.get("USERPROFILE").or_else(|| self.get("HOME")),
            crate::os::Os::Unix => self.get("HOME"),
        }
        .map(PathBuf::from)
        .or_else(|| self.platform_home.clone());
        crate::copies::CopiesEnv {
            npm_userconfig: self
                .get("NPM_CONFIG_USERCONFIG")
                .or_else(|| self.get("npm_config_userconfig"))
                .map(PathBuf::from),
            cargo_home: self.get("CARGO_HOME").map(PathBuf::from),
            home,
        }
    }

    /// Where a browser login looks for a browser.
    pub fn opener_env(&self) -> OpenerEnv {
        OpenerEnv {
            browser: self.get("BROWSER").map(OsStr::to_owned),
            path: self.get("PATH").map(OsStr::to_owned),
        }
    }

    /// The machine's name, which a browser login registers its client under (as Buf does):
    /// `%COMPUTERNAME%` on Windows, the system's node name elsewhere.
    pub fn host_name(&self) -> String {
        #[cfg(windows)]
        let name = self
            .get("COMPUTERNAME")
            .map(|name| name.to_string_lossy().into_owned());
        #[cfg(not(windows))]
        let name = crate::platform::host_name();
        name.unwrap_or_else(|| "bsr".to_owned())
    }

    pub fn cert_env(&self) -> CertEnv {
        CertEnv {
            file: self.get("SSL_CERT_FILE").map(PathBuf::from),
            dir: self.get("SSL_CERT_DIR").map(OsStr::to_owned),
        }
    }

    pub fn proxy_env(&self) -> ProxyEnv {
        let var = |name: &'static str| {
            self.get(name).map(|v| ChosenProxy {
                url: v.to_string_lossy().into_owned(),
                variable: name,
            })
        };
        let proxy = |upper: &'static str, lower: &'static str| var(upper).or_else(|| var(lower));
        ProxyEnv {
            https_proxy: proxy("HTTPS_PROXY", "https_proxy"),
            http_proxy: proxy("HTTP_PROXY", "http_proxy"),
            no_proxy: self
                .get("NO_PROXY")
                .or_else(|| self.get("no_proxy"))
                .map(|v| v.to_string_lossy().into_owned()),
            cgi: self.get("REQUEST_METHOD").is_some(),
        }
    }

    /// `BUF_TOKEN`, parsed; errors name the variable and never show its text.
    pub fn buf_token(&self) -> Result<BufToken, MalformedBufToken> {
        match self.get("BUF_TOKEN") {
            None => Ok(BufToken::Unset),
            Some(value) => match value.to_str() {
                Some(value) => BufToken::parse(Some(value)),
                None => Err(MalformedBufToken {
                    reason: "it is not valid UTF-8".to_owned(),
                }),
            },
        }
    }

    /// `--debug`, else `BUF_DEBUG`.
    pub fn debug(&self, flag: Option<bool>) -> Result<bool, InvalidVariable> {
        const EXPECTED: &str =
            "must be a boolean (1, t, T, TRUE, true, True, 0, f, F, FALSE, false or False)";
        if let Some(flag) = flag {
            return Ok(flag);
        }
        match self.text("BUF_DEBUG", EXPECTED)? {
            None => Ok(false),
            Some(value) => parse_go_bool(value).ok_or_else(|| InvalidVariable {
                name: "BUF_DEBUG",
                value: value.to_owned(),
                expected: EXPECTED,
            }),
        }
    }

    /// `--timeout`, else `BUF_TIMEOUT`, else two minutes; `None` means no limit.
    pub fn timeout(
        &self,
        flag: Option<Option<Duration>>,
    ) -> Result<Option<Duration>, InvalidVariable> {
        const EXPECTED: &str = "must be a duration such as 30s, 2m or 1h30m (0 means no timeout)";
        if let Some(flag) = flag {
            return Ok(flag);
        }
        match self.text("BUF_TIMEOUT", EXPECTED)? {
            None => Ok(Some(Duration::from_secs(120))),
            Some(value) => parse_go_duration(value).map_err(|_| InvalidVariable {
                name: "BUF_TIMEOUT",
                value: value.to_owned(),
                expected: EXPECTED,
            }),
        }
    }

    /// `--log-format`, else `BUF_LOG_FORMAT`, else `color`.
    pub fn log_format(&self, flag: Option<LogFormat>) -> Result<LogFormat, InvalidVariable> {
        const EXPECTED: &str = "must be text, color or json";
        if let Some(flag) = flag {
            return Ok(flag);
        }
        match self.text("BUF_LOG_FORMAT", EXPECTED)? {
            None => Ok(LogFormat::Color),
            Some(value) => LogFormat::parse(value).ok_or_else(|| InvalidVariable {
                name: "BUF_LOG_FORMAT",
                value: value.to_owned(),
                expected: EXPECTED,
            }),
        }
    }
}

/// Go's `strconv.ParseBool`: exactly these spellings, nothing else.
pub fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().copied(), None)
    }

    #[test]
    fn booleans_are_read_as_go_reads_them() {
        for yes in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(env(&[("BUF_DEBUG", yes)]).debug(None), Ok(true), "{yes}");
        }
        for no in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(env(&[("BUF_DEBUG", no)]).debug(None), Ok(false), "{no}");
        }
        let err = env(&[("BUF_DEBUG", "yes")]).debug(None).unwrap_err();
        assert_eq!(err.name, "BUF_DEBUG");
        assert!(
            err.to_string()
                .starts_with("invalid value \"yes\" for BUF_DEBUG: ")
        );
        // The flag wins over the variable, whatever the variable says.
        assert_eq!(env(&[("BUF_DEBUG", "yes")]).debug(Some(false)), Ok(false));
    }

    #[test]
    fn an_empty_variable_counts_as_unset() {
        let e = env(&[
            ("BUF_DEBUG", ""),
            ("BUF_TIMEOUT", ""),
            ("BUF_LOG_FORMAT", ""),
            ("HOME", ""),
        ]);
        assert_eq!(e.debug(None), Ok(false));
        assert_eq!(e.timeout(None), Ok(Some(Duration::from_secs(120))));
        assert_eq!(e.log_format(None), Ok(LogFormat::Color));
        assert_eq!(e.path_env().home, None);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let err = env(&[("BUF_TIMEOUT", "soon")]).timeout(None).unwrap_err();
        assert_eq!(err.name, "BUF_TIMEOUT");
        let err = env(&[("BUF_LOG_FORMAT", "xml")])
            .log_format(None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid value \"xml\" for BUF_LOG_FORMAT: must be text, color or json"
        );
        assert_eq!(env(&[("BUF_TIMEOUT", "0")]).timeout(None), Ok(None));
    }

    #[test]
    fn lower_case_proxies_count_when_upper_case_is_unset() {
        let e = env(&[("http_proxy", "http://p:1"), ("HTTPS_PROXY", "")]);
        assert_eq!(
            e.proxy_env().http_proxy,
            Some(ChosenProxy {
                url: "http://p:1".to_owned(),
                variable: "http_proxy"
            })
        );
        assert_eq!(e.proxy_env().https_proxy, None);
    }
}
