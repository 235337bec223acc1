//! Every error the API answers with: a status and the JSON body `{ "error": code, "message": text }`,
//! plus `diagnostics` for a bad deal or override. `json_errors` turns the router's own answers
//! (unknown route, wrong method, a body too large, a path that does not decode) into the same
//! shape, so no client ever sees an error that is not JSON.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactsim::spec::{Diagnostic, Origin};

/// One problem of a deal or an override, located in the text it is about.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DiagnosticJson {
    /// `file` (the deal's text) or `override` (the override given).
    pub origin: &'static str,
    /// The override as given, when `origin` is `override`.
    #[serde(rename = "override")]
    pub given: Option<String>,
    /// 1-based line and column (in characters) in that text.
    pub line: usize,
    pub column: usize,
    /// The field's path, e.g. `facility["strategic"].annual_cap_usd_bn`.
    pub field: String,
    /// `field: found X, expected Y`.
    pub message: String,
    pub found: String,
    pub expected: String,
    /// A likely fix, e.g. "did you mean `annual_cap_usd_bn`?".
    pub hint: Option<String>,
}

/// The diagnostics of a deal's text `source`, each located in the text it points into.
pub fn diagnostics_json(source: &str, diagnostics: &[Diagnostic]) -> Vec<DiagnosticJson> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let (origin, given, (line, column)) = match &diagnostic.origin {
                Origin::File => ("file", None, diagnostic.line_column(source)),
                Origin::Override { given, .. } => {
                    ("override", Some(given.to_string()), diagnostic.line_column(&given.argument()))
                }
            };
            DiagnosticJson {
                origin,
                given,
                line,
                column,
                field: diagnostic.field.clone(),
                message: diagnostic.message(),
                found: diagnostic.found.clone(),
                expected: diagnostic.expected.clone(),
                hint: diagnostic.hint.clone(),
            }
        })
        .collect()
}

/// The body of every error answer.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `not_found`, `invalid_deal`, `queue_full`, …
    pub error: String,
    pub message: String,
    /// For a bad deal or override: every problem found, in source order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<DiagnosticJson>>,
    /// For a bad analysis deal: which of the request's deals (0-based) the diagnostics point into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal: Option<usize>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody { error: error.into(), message: message.into(), diagnostics: None, deal: None },
            retry_after: None,
        }
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    pub fn bad_parameter(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }

    pub fn unprocessable(error: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, error, message)
    }

    /// A bad deal: 422 with its diagnostics.
    pub fn invalid_deal(source: &str, diagnostics: &[Diagnostic]) -> ApiError {
        let count = diagnostics.len();
        let mut error = ApiError::unprocessable(
            "invalid_deal",
            format!("the deal is not valid ({count} problem{})", if count == 1 { "" } else { "s" }),
        );
        error.body.diagnostics = Some(diagnostics_json(source, diagnostics));
        error
    }

    /// The library's refusal of a request.
    pub fn from_request(source: &str, error: pactsim::Error) -> ApiError {
        match error {
            pactsim::Error::InvalidDeal(diagnostics) => ApiError::invalid_deal(source, &diagnostics),
            pactsim::Error::InvalidRequest { parameter, message } => {
                ApiError::unprocessable("invalid_parameter", format!("{parameter}: {message}"))
            }
            pactsim::Error::InvalidAnalysisDeal { deal, change, diagnostics } => {
                let mut error = ApiError::invalid_deal(source, &diagnostics);
                error.body.message = format!(
                    "deal {deal} is not valid{}",
                    change.map(|change| format!(" with {change}")).unwrap_or_default()
                );
                error.body.deal = Some(deal);
                error
            }
        }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        eprintln!("pactsim serve: {error}");
        ApiError::internal(error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The error code the router's own answers get, by status.
fn code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNAUTHORIZED => "unauthorized",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// Middleware: an error answer that is not JSON becomes `{ error, message }` with its text.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.map(|b| String::from_utf8_lossy(&b).into_owned());
    let message = match text {
        Ok(text) if !text.trim().is_empty() => text.trim().to_string(),
        _ => match status {
            StatusCode::NOT_FOUND => "no such route".to_string(),
            StatusCode::METHOD_NOT_ALLOWED => "this route does not take this method".to_string(),
            _ => status.canonical_reason().unwrap_or("error").to_string(),
        },
    };
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("the body is over the limit of 1 MiB ({message})"),
        _ => message,
    };
    let body = ErrorBody { error: code(status).into(), message, diagnostics: None, deal: None };
    let mut answer = (status, axum::Json(body)).into_response();
    for (name, value) in parts.headers.iter() {
        if name == header::ALLOW || name == header::RETRY_AFTER || name == header::WWW_AUTHENTICATE {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}

/// An empty answer of `status` for `json_errors` to fill in.
pub fn bare(status: StatusCode) -> Response {
    Response::builder().status(status).body(Body::empty()).unwrap_or_default()
}
