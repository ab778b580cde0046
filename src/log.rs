//! `--debug` output on the console's stderr in the three `--log-format`s. Callers pass fields that are
//! already safe to show: no token ever reaches this module.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

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

/// Writes debug lines to the console's stderr when enabled (`Console::enable_debug`). A
/// clone writes to the same stream, also from the thread a request runs on.
#[derive(Clone)]
pub struct Logger {
    /// `None`: `--debug` is off.
    on: Option<(LogFormat, bool)>,
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger").field("on", &self.on).finish()
    }
}

impl Logger {
    /// A logger that writes nothing (no `--debug`).
    pub(crate) fn off(sink: Arc<Mutex<Box<dyn Write + Send>>>) -> Self {
        Logger { on: None, sink }
    }

    /// `--debug` in `format`; `color` when stderr is a terminal and the format asks for it.
    pub(crate) fn on(
        sink: Arc<Mutex<Box<dyn Write + Send>>>,
        format: LogFormat,
        color: bool,
    ) -> Self {
        Logger {
            on: Some((format, color)),
            sink,
        }
    }

    pub fn debug(&self, message: &str, fields: &[(&str, &str)]) {
        let Some((format, color)) = self.on else {
            return;
        };
        let line = match format {
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
        let mut sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(sink, "{line}");
    }
}
