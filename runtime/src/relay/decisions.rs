//! The decision log (protocol.md §10): one JSON line per policy check, written to stderr, a
//! file, or nowhere (`[log] decision_log`).

use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::config::{ConfigError, DecisionLog as Target, LogConfig};

/// Where decision lines go.
pub struct DecisionLog {
    sink: Option<Mutex<Box<dyn Write + Send>>>,
    values: bool,
}

impl std::fmt::Debug for DecisionLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionLog")
            .field("on", &self.sink.is_some())
            .field("values", &self.values)
            .finish()
    }
}

/// Raw values in the log are cut to this many characters.
pub const VALUE_CHARS: usize = 256;

impl DecisionLog {
    /// Opens the configured target; a file is appended to.
    pub fn open(config: &LogConfig) -> Result<DecisionLog, ConfigError> {
        let sink: Option<Box<dyn Write + Send>> = match &config.decision_log {
            Target::Off => None,
            Target::Stderr => Some(Box::new(std::io::stderr())),
            Target::File(path) => Some(Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| ConfigError(format!("log.decision_log: {path}: {e}")))?,
            )),
        };
        Ok(DecisionLog {
            sink: sink.map(Mutex::new),
            values: config.decision_log_values,
        })
    }

    /// Writes one line. A failing log never fails the request; it is reported in the logs.
    /// The line is encoded before the lock is taken and written with one `write` (the sink is
    /// unbuffered: formatting straight into it made a system call per JSON token).
    pub fn record(&self, line: &Value) {
        let Some(sink) = &self.sink else { return };
        let mut bytes = match serde_json::to_vec(line) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(error = %e, "cannot encode a decision log line");
                return;
            }
        };
        bytes.push(b'\n');
        let mut sink = sink.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = sink.write_all(&bytes).and_then(|()| sink.flush()) {
            tracing::warn!(error = %e, "cannot write the decision log");
        }
    }

    /// The `args` field: each argument's meta, and its value (cut) if values are logged.
    /// Single-LLM arguments carry the default meta.
    pub fn args(&self, args: &Map<String, Value>) -> Value {
        let default_meta = json!({"tags": [], "producers": [], "consumers": ["*"]});
        let mut out = Map::new();
        for (name, value) in args {
            let mut entry = json!({"meta": default_meta});
            if self.values {
                entry["value"] = cut(value);
            }
            out.insert(name.clone(), entry);
        }
        Value::Object(out)
    }
}

/// A value for the log (and denial texts): strings cut to `VALUE_CHARS` characters, other
/// values kept whole if their JSON text is that short, else that text cut.
pub fn cut(value: &Value) -> Value {
    let shorten = |s: &str| -> Option<String> {
        s.char_indices()
            .nth(VALUE_CHARS)
            .map(|(i, _)| format!("{}…", &s[..i]))
    };
    match value {
        Value::String(s) => shorten(s).map_or_else(|| value.clone(), Value::String),
        other => {
            let text = other.to_string();
            shorten(&text).map_or_else(|| other.clone(), Value::String)
        }
    }
}

/// Milliseconds since the Unix epoch, the log's `ts`.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cut() {
        assert_eq!(cut(&json!("short")), json!("short"));
        let long = "é".repeat(300);
        let c = cut(&json!(long));
        assert_eq!(c.as_str().unwrap().chars().count(), VALUE_CHARS + 1);
        assert_eq!(cut(&json!({"a": 1})), json!({"a": 1}));
        let big = json!(vec![1; 200]);
        assert!(cut(&big).is_string());
    }

    #[test]
    fn args_carry_meta_and_values_only_when_asked() {
        let args: Map<String, Value> = serde_json::from_value(json!({"to": "a@b.c"})).unwrap();
        let quiet = DecisionLog {
            sink: None,
            values: false,
        };
        assert_eq!(
            quiet.args(&args),
            json!({"to": {"meta": {"tags": [], "producers": [], "consumers": ["*"]}}})
        );
        let loud = DecisionLog {
            sink: None,
            values: true,
        };
        assert_eq!(loud.args(&args)["to"]["value"], "a@b.c");
    }
}
