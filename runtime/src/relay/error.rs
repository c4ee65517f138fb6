//! Relay errors as HTTP responses (protocol.md §11).
//!
//! Every failure the relay reports over HTTP is an [`ApiError`]: a code from the §11 table, a
//! human-readable message, and optionally the parameter it concerns and SQRT diagnostics. The
//! body is OpenAI's error shape plus `detail`, which the reference client reads.

use std::fmt;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The error codes of protocol.md §11 (and `invalid_tool_result` of §7), each with its fixed
/// HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidJson,
    InvalidRequest,
    InvalidModel,
    InvalidHeader,
    PolicyCompileError,
    UnsupportedFeature,
    UnsupportedContent,
    ProviderKeyMissing,
    InvalidToolCallId,
    UnknownToolCall,
    InvalidToolResult,
    InvalidApiKey,
    UnknownRoute,
    UnknownProvider,
    SessionNotFound,
    SessionBusy,
    HistoryMismatch,
    ConfigMismatch,
    SessionIncompatible,
    BodyTooLarge,
    TooManySessions,
    NotImplemented,
    ProviderError,
    StoreUnavailable,
    RequestTimeout,
    InternalError,
}

impl ErrorCode {
    /// Every code, in the order of the §11 table.
    pub const ALL: [ErrorCode; 26] = [
        ErrorCode::InvalidJson,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidModel,
        ErrorCode::InvalidHeader,
        ErrorCode::PolicyCompileError,
        ErrorCode::UnsupportedFeature,
        ErrorCode::UnsupportedContent,
        ErrorCode::ProviderKeyMissing,
        ErrorCode::InvalidToolCallId,
        ErrorCode::UnknownToolCall,
        ErrorCode::InvalidToolResult,
        ErrorCode::InvalidApiKey,
        ErrorCode::UnknownRoute,
        ErrorCode::UnknownProvider,
        ErrorCode::SessionNotFound,
        ErrorCode::SessionBusy,
        ErrorCode::HistoryMismatch,
        ErrorCode::ConfigMismatch,
        ErrorCode::SessionIncompatible,
        ErrorCode::BodyTooLarge,
        ErrorCode::TooManySessions,
        ErrorCode::NotImplemented,
        ErrorCode::ProviderError,
        ErrorCode::StoreUnavailable,
        ErrorCode::RequestTimeout,
        ErrorCode::InternalError,
    ];

    /// The `code` string of the error body.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidModel => "invalid_model",
            ErrorCode::InvalidHeader => "invalid_header",
            ErrorCode::PolicyCompileError => "policy_compile_error",
            ErrorCode::UnsupportedFeature => "unsupported_feature",
            ErrorCode::UnsupportedContent => "unsupported_content",
            ErrorCode::ProviderKeyMissing => "provider_key_missing",
            ErrorCode::InvalidToolCallId => "invalid_tool_call_id",
            ErrorCode::UnknownToolCall => "unknown_tool_call",
            ErrorCode::InvalidToolResult => "invalid_tool_result",
            ErrorCode::InvalidApiKey => "invalid_api_key",
            ErrorCode::UnknownRoute => "unknown_route",
            ErrorCode::UnknownProvider => "unknown_provider",
            ErrorCode::SessionNotFound => "session_not_found",
            ErrorCode::SessionBusy => "session_busy",
            ErrorCode::HistoryMismatch => "history_mismatch",
            ErrorCode::ConfigMismatch => "config_mismatch",
            ErrorCode::SessionIncompatible => "session_incompatible",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::TooManySessions => "too_many_sessions",
            ErrorCode::NotImplemented => "not_implemented",
            ErrorCode::ProviderError => "provider_error",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::InternalError => "internal_error",
        }
    }

    pub fn status(self) -> StatusCode {
        use ErrorCode::*;
        match self {
            InvalidJson | InvalidRequest | InvalidModel | InvalidHeader | PolicyCompileError
            | UnsupportedFeature | UnsupportedContent | ProviderKeyMissing | InvalidToolCallId
            | UnknownToolCall | InvalidToolResult => StatusCode::BAD_REQUEST,
            InvalidApiKey => StatusCode::UNAUTHORIZED,
            UnknownRoute | UnknownProvider | SessionNotFound => StatusCode::NOT_FOUND,
            SessionBusy | HistoryMismatch | ConfigMismatch | SessionIncompatible => {
                StatusCode::CONFLICT
            }
            BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            TooManySessions => StatusCode::TOO_MANY_REQUESTS,
            NotImplemented => StatusCode::NOT_IMPLEMENTED,
            ProviderError => StatusCode::BAD_GATEWAY,
            StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            RequestTimeout => StatusCode::GATEWAY_TIMEOUT,
            InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// OpenAI's `type` field: the broad class of the error (docs/relay.md lists the mapping).
    pub fn error_type(self) -> &'static str {
        match self.status() {
            StatusCode::UNAUTHORIZED => "authentication_error",
            StatusCode::NOT_FOUND => "not_found_error",
            StatusCode::CONFLICT => "conflict_error",
            StatusCode::TOO_MANY_REQUESTS => "rate_limit_error",
            StatusCode::NOT_IMPLEMENTED => "not_implemented_error",
            StatusCode::BAD_GATEWAY => "upstream_error",
            s if s.is_server_error() => "server_error",
            _ => "invalid_request_error",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A SQRT diagnostic as in `sqrtc check --format json`, without the file name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// `error` or `warning`.
    pub severity: String,
    pub code: String,
    pub message: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// An error answered to the client.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The request parameter or header the error concerns (`X-Policy`, `messages[2].role`).
    pub param: Option<String>,
    /// Present only for `policy_compile_error`.
    pub diagnostics: Option<Vec<Diagnostic>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            param: None,
            diagnostics: None,
        }
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    pub fn with_diagnostics(mut self, diagnostics: Vec<Diagnostic>) -> Self {
        self.diagnostics = Some(diagnostics);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    /// The JSON body of §11.
    pub fn body(&self) -> serde_json::Value {
        let mut error = serde_json::json!({
            "message": self.message,
            "type": self.code.error_type(),
            "code": self.code.as_str(),
            "param": self.param,
        });
        if let Some(diagnostics) = &self.diagnostics {
            error["diagnostics"] = serde_json::json!(diagnostics);
        }
        serde_json::json!({"error": error, "detail": self.message})
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        // A busy session frees up within the current request; a client may retry in a second.
        if matches!(
            self.code,
            ErrorCode::SessionBusy | ErrorCode::TooManySessions
        ) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_table() {
        let expect = [
            ("invalid_json", 400),
            ("invalid_request", 400),
            ("invalid_model", 400),
            ("invalid_header", 400),
            ("policy_compile_error", 400),
            ("unsupported_feature", 400),
            ("unsupported_content", 400),
            ("provider_key_missing", 400),
            ("invalid_tool_call_id", 400),
            ("unknown_tool_call", 400),
            ("invalid_tool_result", 400),
            ("invalid_api_key", 401),
            ("unknown_route", 404),
            ("unknown_provider", 404),
            ("session_not_found", 404),
            ("session_busy", 409),
            ("history_mismatch", 409),
            ("config_mismatch", 409),
            ("session_incompatible", 409),
            ("body_too_large", 413),
            ("too_many_sessions", 429),
            ("not_implemented", 501),
            ("provider_error", 502),
            ("store_unavailable", 503),
            ("request_timeout", 504),
            ("internal_error", 500),
        ];
        assert_eq!(expect.len(), ErrorCode::ALL.len());
        for (code, (name, status)) in ErrorCode::ALL.iter().zip(expect) {
            assert_eq!(code.as_str(), name);
            assert_eq!(code.status().as_u16(), status, "{name}");
        }
    }

    #[test]
    fn body_has_openai_shape_and_detail() {
        let e = ApiError::new(ErrorCode::InvalidHeader, "x_policy.bogus: unknown field")
            .with_param("X-Policy");
        assert_eq!(
            e.body(),
            serde_json::json!({
                "error": {"message": "x_policy.bogus: unknown field", "type": "invalid_request_error",
                          "code": "invalid_header", "param": "X-Policy"},
                "detail": "x_policy.bogus: unknown field"
            })
        );
        let d = Diagnostic {
            severity: "error".into(),
            code: "E0001".into(),
            message: "m".into(),
            line: 1,
            column: 2,
            end_line: 1,
            end_column: 3,
        };
        let e = ApiError::new(ErrorCode::PolicyCompileError, "1 error").with_diagnostics(vec![d]);
        assert_eq!(e.body()["error"]["diagnostics"][0]["column"], 2);
        assert!(e.body()["error"]["param"].is_null());
    }
}
