//! `--debug` output on stderr in the three `--log-format`s. Callers pass fields that are
//! already safe to show: no token ever reaches this module.

use std::io::{IsTerminal, Write};

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    Text,
    /// Text with colour when stderr is a terminal.
    #[default]
    Color,
    Json,
}

impl LogFormat {
    /// `text`, `color` or `json`, as Buf spells them.
    pub fn parse(text: &str) -> Option<LogFormat> {
        match text {
            "text" => Some(LogFormat::Text),
            "color" => Some(LogFormat::Color),
            "json" => Some(LogFormat::Json),
            _ => None,
        }
    }
}

/// Writes debug lines to stderr when enabled.
#[derive(Debug, Clone, Copy)]
pub struct Logger {
    enabled: bool,
    format: LogFormat,
}

impl Logger {
    pub fn new(enabled: bool, format: LogFormat) -> Self {
        Logger { enabled, format }
    }

    pub fn debug(&self, message: &str, fields: &[(&str, &str)]) {
        if !self.enabled {
            return;
        }
        let line = match self.format {
            LogFormat::Json => {
                let mut object = serde_json::Map::new();
                object.insert("level".into(), "debug".into());
                object.insert("message".into(), message.into());
                for (key, value) in fields {
                    object.insert((*key).into(), (*value).into());
                }
                serde_json::Value::Object(object).to_string()
            }
            LogFormat::Text | LogFormat::Color => {
                let color = self.format == LogFormat::Color && std::io::stderr().is_terminal();
                let level = if color {
                    "\x1b[35mDEBUG\x1b[0m"
                } else {
                    "DEBUG"
                };
                let mut line = format!("{level}\t{message}");
                for (key, value) in fields {
                    line.push_str(&format!("\t{key}={value}"));
                }
                line
            }
        };
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}
