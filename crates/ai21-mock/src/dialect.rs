//! What each dialect does differently around the same answers: who may call, what the
//! partner clouds add to AI21's bodies, and each one's errors.
//!
//! The server decides what to answer (the same synthesised answer on every route); this
//! module writes it as the dialect sends it, from `schemas/dialects/*.overlay.json` and the
//! facts behind them:
//!
//! | dialect | credential | a success adds | an error is |
//! |---|---|---|---|
//! | Studio | `Authorization: Bearer <key>` | nothing | `{"detail": ...}` |
//! | Bedrock | SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=<key id>/...`, or `Bearer <key>` | J2 `"id": 1234`; Jamba `meta`, `model` (`jamba-1.5-mini`), no `logprobs`, a `chatcmpl-<uuid>` id; the stream's invocation metrics | `{"message": ...}` with `x-amzn-ErrorType` |
//! | Vertex | `Authorization: Bearer <token>` | `meta`, `model` with its `@version` | Google's `{"error": {"code", "message", "status"}}`; a refused body is the model's own 422 `{"detail": [...]}`, passed through |
//! | Azure | `api-key: <key>`, or `Authorization: Bearer <token>` | `created`, `object`, `model` | Azure's `{"error": {"code", "message"}}`; a refused body is the model's own 422 `{"detail": [...]}`, passed through |
//!
//! Every answer is deterministic: what a partner adds (durations, `created`, ids) is
//! derived from the synthesised answer, never from a clock.

use ai21_models::jamba_chat_response::JambaChatResponse;
use ai21_models::jamba_chat_stream_chunk::JambaChatStreamChunk;
use ai21_validate::{Dialect, Endpoint, Finding, Route};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::server::{Fault, UNAUTHORIZED_DETAIL};

/// The model an Azure answer names when the request names none: a serverless deployment
/// serves one model, and the body's `model` is optional there.
pub const AZURE_DEFAULT_MODEL: &str = "jamba-1.5-mini";

/// The first second of the mock's clock, 2025-01-01T00:00:00Z: an Azure answer's
/// `created` is this plus an offset read from the answer's id, so it is the same for the
/// same request and seed.
pub const CLOCK_START: u64 = 1_735_689_600;

/// The name of Bedrock's invocation metrics member, on the last event of a stream.
pub const BEDROCK_METRICS: &str = "amazon-bedrock-invocationMetrics";

/// Why a request was not answered, in terms every dialect writes in its own way.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// No credential the dialect takes; `present` when a header was there but was not
    /// one, or named a key outside the configured set.
    Unauthorized {
        /// Whether the request carried a credential header at all.
        present: bool,
    },
    /// The body is not JSON (the parser's message).
    MalformedJson(String),
    /// The body is over the limit (the limit, in bytes).
    TooLarge(usize),
    /// The request breaks the contract: the findings that refuse it, and the problems
    /// (`{"loc", "msg", "type"}`) Studio lists for them.
    Refused {
        /// The refusing findings.
        findings: Vec<Finding>,
        /// Studio's problems, one per finding.
        problems: Vec<Value>,
    },
    /// A J2 request whose answer would be too large: the problems, and the reckoning.
    WorkLimit {
        /// Studio's problems, one per field that makes the answer large.
        problems: Vec<Value>,
        /// Why, for a dialect that says it in one message.
        message: String,
    },
    /// The schema accepts the request but the typed model does not (the serde message).
    TypedParse(String),
    /// A model or way of calling it the route does not serve (Bedrock: another provider's
    /// model id, a J2 model on the stream path), for people.
    NotServed(String),
    /// No route.
    NotFound,
    /// A route, another method.
    MethodNotAllowed,
    /// An injected fault: 429, 500 or 503.
    Fault(Fault),
}

/// The credential a request presents in `dialect`, when it presents one it takes: the
/// key (Bedrock: the SigV4 access key id) to compare with the configured keys.
///
/// Studio and Vertex take `Authorization: Bearer <token>`; Bedrock a SigV4
/// `Authorization` (its access key id) or a Bearer token (Bedrock's API keys); Azure an
/// `api-key` header or a Bearer token.
pub(crate) fn credential(dialect: Dialect, headers: &HeaderMap) -> Option<&str> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    match dialect {
        Dialect::Studio | Dialect::Vertex => authorization.and_then(bearer_token),
        Dialect::Bedrock => {
            authorization.and_then(|value| sigv4_access_key(value).or_else(|| bearer_token(value)))
        }
        Dialect::Azure => headers
            .get("api-key")
            .and_then(|value| value.to_str().ok())
            .map(|value| value.trim_matches([' ', '\t']))
            .filter(|key| !key.is_empty() && !key.contains([' ', '\t']))
            .or_else(|| authorization.and_then(bearer_token)),
    }
}

/// Whether the request carries a header that could hold a credential in `dialect`.
pub(crate) fn has_credential_header(dialect: Dialect, headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || (dialect == Dialect::Azure && headers.contains_key("api-key"))
}

/// The token of an `Authorization` value with the Bearer scheme, if it has one.
///
/// RFC 9110 (section 11.1): the scheme is case-insensitive (`bearer`, `BEARER`), and the
/// credentials follow after one or more spaces (`1*SP`); tabs are accepted too, and
/// whitespace around the value is not part of it. The token itself is one run of
/// non-whitespace characters: `Bearer a b` has no valid token.
pub(crate) fn bearer_token(value: &str) -> Option<&str> {
    let value = value.trim_matches([' ', '\t']);
    let (scheme, rest) = value.split_once([' ', '\t'])?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim_start_matches([' ', '\t']);
    (!token.is_empty() && !token.contains([' ', '\t'])).then_some(token)
}

/// The access key id of a SigV4 `Authorization` value
/// (`AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request, ...`).
/// The signature is not checked: the mock has no secret key to check it with.
fn sigv4_access_key(value: &str) -> Option<&str> {
    let rest = value.trim_start().strip_prefix("AWS4-HMAC-SHA256")?;
    let credential = rest
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Credential="))?;
    let key = credential.split('/').next()?;
    (!key.is_empty() && !key.contains([' ', '\t'])).then_some(key)
}

/// The answer to a failure in `dialect`; `request_id` goes in Bedrock's
/// `x-amzn-requestid`.
pub(crate) fn failure_response(dialect: Dialect, failure: &Failure, request_id: &str) -> Response {
    let mut response = match dialect {
        Dialect::Studio => studio_failure(failure),
        Dialect::Bedrock => bedrock_failure(failure, request_id),
        Dialect::Vertex => vertex_failure(failure),
        Dialect::Azure => azure_failure(failure),
    };
    if let Failure::Fault(Fault::TooManyRequests) = failure {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// A JSON error body.
fn json_error(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Studio's (and a partner's model container's) error: `{"detail": ...}`.
pub(crate) fn detail(status: StatusCode, detail: Value) -> Response {
    json_error(status, &json!({ "detail": detail }))
}

fn studio_failure(failure: &Failure) -> Response {
    match failure {
        Failure::Unauthorized { .. } => {
            detail(StatusCode::UNAUTHORIZED, json!(UNAUTHORIZED_DETAIL))
        }
        Failure::MalformedJson(message) => detail(
            StatusCode::BAD_REQUEST,
            json!(format!("malformed JSON body: {message}")),
        ),
        Failure::TooLarge(limit) => detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!(format!(
                "request body is larger than the limit of {limit} bytes"
            )),
        ),
        Failure::Refused { problems, .. } | Failure::WorkLimit { problems, .. } => detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            Value::Array(problems.clone()),
        ),
        Failure::TypedParse(message) => detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!([{"loc": ["body"], "msg": format!("the typed model rejects the request: {message}"), "type": "model"}]),
        ),
        Failure::NotServed(message) => detail(StatusCode::NOT_FOUND, json!(message)),
        Failure::NotFound => detail(StatusCode::NOT_FOUND, json!("Not Found")),
        Failure::MethodNotAllowed => {
            detail(StatusCode::METHOD_NOT_ALLOWED, json!("Method Not Allowed"))
        }
        Failure::Fault(Fault::TooManyRequests) => detail(
            StatusCode::TOO_MANY_REQUESTS,
            json!("Too many requests (fault injection)"),
        ),
        Failure::Fault(Fault::ServerError) => detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!("Internal server error (fault injection)"),
        ),
        Failure::Fault(_) => detail(
            StatusCode::SERVICE_UNAVAILABLE,
            json!("Service unavailable (fault injection)"),
        ),
    }
}

/// Bedrock's error: `{"message": ...}`, its type in `x-amzn-ErrorType` (written as
/// recorded: `ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/`).
fn bedrock_failure(failure: &Failure, request_id: &str) -> Response {
    let malformed = |why: &str| {
        format!("Malformed input request: {why}, please reformat your input and try again.")
    };
    let (status, kind, message) = match failure {
        Failure::Unauthorized { present: false } => (
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            "Missing Authentication Token".to_owned(),
        ),
        Failure::Unauthorized { present: true } => (
            StatusCode::FORBIDDEN,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.".to_owned(),
        ),
        Failure::MalformedJson(message) => (
            StatusCode::BAD_REQUEST,
            "ValidationException",
            malformed(&format!("the body is not JSON ({message})")),
        ),
        Failure::TooLarge(limit) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "ValidationException",
            format!(
                "Input is too long: the request body is larger than the limit of {limit} bytes."
            ),
        ),
        Failure::Refused { findings, .. } => {
            let listed: Vec<String> = findings
                .iter()
                .map(|finding| format!("#{}: {}", finding.pointer, finding.message))
                .collect();
            (
                StatusCode::BAD_REQUEST,
                "ValidationException",
                malformed(&listed.join(", ")),
            )
        }
        Failure::WorkLimit { message, .. } => (
            StatusCode::BAD_REQUEST,
            "ValidationException",
            malformed(message),
        ),
        Failure::TypedParse(message) => (
            StatusCode::BAD_REQUEST,
            "ValidationException",
            malformed(&format!("the typed model rejects the request: {message}")),
        ),
        Failure::NotServed(message) => (
            StatusCode::BAD_REQUEST,
            "ValidationException",
            message.clone(),
        ),
        Failure::NotFound => (
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            "Not Found".to_owned(),
        ),
        Failure::MethodNotAllowed => (
            StatusCode::METHOD_NOT_ALLOWED,
            "UnknownOperationException",
            "Method Not Allowed".to_owned(),
        ),
        Failure::Fault(Fault::TooManyRequests) => (
            StatusCode::TOO_MANY_REQUESTS,
            "ThrottlingException",
            "Too many requests, please wait before trying again (fault injection).".to_owned(),
        ),
        Failure::Fault(Fault::ServerError) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerException",
            "Internal server error (fault injection).".to_owned(),
        ),
        Failure::Fault(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableException",
            "Service unavailable (fault injection).".to_owned(),
        ),
    };
    let mut response = json_error(status, &json!({ "message": message }));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    )) {
        headers.insert("x-amzn-errortype", value);
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

/// Vertex AI's own error (Google's `{"error": {"code", "message", "status"}}`); a body
/// the model refuses is the model container's answer, passed through by `rawPredict`.
fn vertex_failure(failure: &Failure) -> Response {
    let google = |status: StatusCode, name: &str, message: &str| {
        json_error(
            status,
            &json!({"error": {"code": status.as_u16(), "message": message, "status": name}}),
        )
    };
    match failure {
        Failure::Unauthorized { .. } => google(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        ),
        Failure::MalformedJson(message) => google(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            &format!("Invalid JSON payload received: {message}"),
        ),
        Failure::TooLarge(limit) => google(
            StatusCode::PAYLOAD_TOO_LARGE,
            "INVALID_ARGUMENT",
            &format!("Request payload size exceeds the limit: {limit} bytes."),
        ),
        Failure::NotServed(message) => google(StatusCode::NOT_FOUND, "NOT_FOUND", message),
        Failure::NotFound => google(StatusCode::NOT_FOUND, "NOT_FOUND", "Not Found"),
        Failure::MethodNotAllowed => google(
            StatusCode::METHOD_NOT_ALLOWED,
            "INVALID_ARGUMENT",
            "Method Not Allowed",
        ),
        Failure::Fault(Fault::TooManyRequests) => google(
            StatusCode::TOO_MANY_REQUESTS,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded (fault injection).",
        ),
        Failure::Fault(Fault::ServerError) => google(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "Internal error encountered (fault injection).",
        ),
        Failure::Fault(_) => google(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "The service is currently unavailable (fault injection).",
        ),
        Failure::Refused { .. } | Failure::WorkLimit { .. } | Failure::TypedParse(_) => {
            studio_failure(failure)
        }
    }
}

/// Azure AI's own error (`{"error": {"code", "message"}}`); a body the model refuses is
/// the model container's answer, passed through.
fn azure_failure(failure: &Failure) -> Response {
    let azure = |status: StatusCode, code: &str, message: &str| {
        json_error(
            status,
            &json!({"error": {"code": code, "message": message}}),
        )
    };
    match failure {
        Failure::Unauthorized { .. } => azure(
            StatusCode::UNAUTHORIZED,
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
        ),
        Failure::MalformedJson(message) => azure(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            &format!("The request body is not JSON: {message}"),
        ),
        Failure::TooLarge(limit) => azure(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload Too Large",
            &format!("The request body is larger than the limit of {limit} bytes."),
        ),
        Failure::NotServed(message) => azure(StatusCode::NOT_FOUND, "NotFound", message),
        Failure::NotFound => azure(StatusCode::NOT_FOUND, "404", "Resource not found"),
        Failure::MethodNotAllowed => {
            azure(StatusCode::METHOD_NOT_ALLOWED, "405", "Method Not Allowed")
        }
        Failure::Fault(Fault::TooManyRequests) => azure(
            StatusCode::TOO_MANY_REQUESTS,
            "429",
            "Rate limit is exceeded. Try again in 1 seconds (fault injection).",
        ),
        Failure::Fault(Fault::ServerError) => azure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "The server had an error while processing your request (fault injection).",
        ),
        Failure::Fault(_) => azure(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable (fault injection).",
        ),
        Failure::Refused { .. } | Failure::WorkLimit { .. } | Failure::TypedParse(_) => {
            studio_failure(failure)
        }
    }
}

/// Bedrock's name of the model in its answers: the URL's model id without the `ai21.`
/// prefix (and a cross-region profile's or an ARN's), the version suffix and with version
/// numbers dotted: `ai21.jamba-1-5-mini-v1:0` is `jamba-1.5-mini`, and
/// `ai21.jamba-instruct-v1:0` is `jamba-instruct`.
///
/// ```
/// use ai21_mock::dialect::bedrock_model_name;
///
/// assert_eq!(bedrock_model_name("ai21.jamba-1-5-mini-v1:0"), "jamba-1.5-mini");
/// assert_eq!(bedrock_model_name("us.ai21.jamba-1-5-large-v1:0"), "jamba-1.5-large");
/// assert_eq!(bedrock_model_name("ai21.jamba-instruct-v1:0"), "jamba-instruct");
/// assert_eq!(bedrock_model_name("ai21.j2-mid-v1"), "j2-mid");
/// ```
pub fn bedrock_model_name(model_id: &str) -> String {
    let id = model_id.rsplit('/').next().unwrap_or(model_id);
    let name = id.split_once("ai21.").map_or(id, |(_, name)| name);
    let name = name.split(':').next().unwrap_or(name);
    let parts: Vec<&str> = name.split('-').collect();
    // The version suffix: a last part `v` and digits.
    let parts = match parts.split_last() {
        Some((last, rest))
            if !rest.is_empty()
                && last.len() > 1
                && last.starts_with('v')
                && last[1..].bytes().all(|byte| byte.is_ascii_digit()) =>
        {
            rest
        }
        _ => &parts[..],
    };
    let mut out = String::new();
    let mut previous_numeric = false;
    for part in parts {
        let numeric = !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
        if !out.is_empty() {
            out.push(if numeric && previous_numeric {
                '.'
            } else {
                '-'
            });
        }
        out.push_str(part);
        previous_numeric = numeric;
    }
    out
}

/// Fills in what the dialect's URL says and the typed request needs: a Jamba `model` the
/// body leaves out (Bedrock's and Vertex's from the URL, Azure's deployment default) and,
/// where the path decides, `stream`.
pub(crate) fn complete_request(route: &Route, request: &mut Value) {
    if route.endpoint != Endpoint::JambaChat {
        return;
    }
    let Some(object) = request.as_object_mut() else {
        return;
    };
    if !object.get("model").is_some_and(Value::is_string) {
        let model = match (route.dialect, route.model.as_deref()) {
            (Dialect::Bedrock, Some(model)) => bedrock_model_name(model),
            (Dialect::Vertex, Some(model)) => model.to_owned(),
            _ => AZURE_DEFAULT_MODEL.to_owned(),
        };
        object.insert("model".to_owned(), Value::from(model));
    }
    if let Some(stream) = route.stream {
        object.insert("stream".to_owned(), Value::Bool(stream));
    }
}

/// The model a Jamba answer names in `route`'s dialect: Bedrock's name of the URL's
/// model id, Vertex's URL model with its version, the body's model (or the default) on
/// Azure; `None` on Studio, whose answers name none.
fn answer_model(route: &Route, body_model: Option<&str>) -> Option<String> {
    match route.dialect {
        Dialect::Studio => None,
        Dialect::Bedrock => route.model.as_deref().map(bedrock_model_name),
        Dialect::Vertex => route
            .model
            .clone()
            .or_else(|| body_model.map(str::to_owned)),
        Dialect::Azure => Some(body_model.unwrap_or(AZURE_DEFAULT_MODEL).to_owned()),
    }
}

/// How long Bedrock and Vertex say an answer took, in milliseconds: a function of its
/// token counts (80 ms, and 9 ms per generated token), not of a clock.
pub(crate) fn duration_millis(prompt_tokens: u64, completion_tokens: u64) -> u64 {
    80 + prompt_tokens / 10 + 9 * completion_tokens
}

/// An Azure `created`: [`CLOCK_START`] plus up to a year, read from the answer's id.
fn created(id: &str) -> u64 {
    let digits: String = id
        .rsplit('-')
        .next()
        .unwrap_or(id)
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(8)
        .collect();
    CLOCK_START + u64::from_str_radix(&digits, 16).unwrap_or(0) % 31_536_000
}

/// A Bedrock Jamba id, `chatcmpl-<uuid>`, from the synthesised `chat-<32 hex>` id.
fn bedrock_chat_id(id: &str) -> String {
    format!("chatcmpl-{}", uuid_of(id))
}

/// A UUID-shaped request id (8-4-4-4-12 hex digits) from the hex digits of `id`.
pub(crate) fn uuid_of(id: &str) -> String {
    let mut digits: String = id
        .rsplit('-')
        .next()
        .unwrap_or(id)
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    while digits.len() < 32 {
        digits.push('0');
    }
    format!(
        "{}-{}-{}-{}-{}",
        &digits[0..8],
        &digits[8..12],
        &digits[12..16],
        &digits[16..20],
        &digits[20..32]
    )
}

/// The request id a Jamba answer's headers carry: the answer's id on Studio, Vertex and
/// Azure (as `request-id`), its UUID on Bedrock (as `x-amzn-requestid`).
pub(crate) fn chat_request_id(dialect: Dialect, id: &str) -> String {
    match dialect {
        Dialect::Bedrock => uuid_of(id),
        _ => id.to_owned(),
    }
}

/// The non-streamed Jamba answer as `route`'s dialect sends it.
pub(crate) fn chat_answer(
    route: &Route,
    body_model: Option<&str>,
    answer: &JambaChatResponse,
) -> Value {
    let mut value = serde_json::to_value(answer).unwrap_or_else(|_| json!({}));
    let Some(object) = value.as_object_mut() else {
        return value;
    };
    let usage = &answer.usage;
    let meta = || json!({"requestDurationMillis": duration_millis(usage.prompt_tokens, usage.completion_tokens)});
    match route.dialect {
        Dialect::Studio => {}
        Dialect::Bedrock => {
            object.insert("id".to_owned(), Value::from(bedrock_chat_id(&answer.id)));
            remove_logprobs(object);
            object.insert("meta".to_owned(), meta());
        }
        Dialect::Vertex => {
            object.insert("meta".to_owned(), meta());
        }
        Dialect::Azure => {
            object.insert("created".to_owned(), Value::from(created(&answer.id)));
            object.insert("object".to_owned(), Value::from("chat.completion"));
        }
    }
    if let Some(model) = answer_model(route, body_model) {
        object.insert("model".to_owned(), Value::from(model));
    }
    value
}

/// One chunk of a streamed Jamba answer as `dialect` sends it: Bedrock's with its
/// `chatcmpl-` id and no `logprobs`, Azure's with `created` and `object`.
pub(crate) fn stream_chunk(dialect: Dialect, chunk: &JambaChatStreamChunk) -> Value {
    let mut value = serde_json::to_value(chunk).unwrap_or_else(|_| json!({}));
    let Some(object) = value.as_object_mut() else {
        return value;
    };
    match dialect {
        Dialect::Studio | Dialect::Vertex => {}
        Dialect::Bedrock => {
            object.insert("id".to_owned(), Value::from(bedrock_chat_id(&chunk.id)));
            remove_logprobs(object);
        }
        Dialect::Azure => {
            object.insert("created".to_owned(), Value::from(created(&chunk.id)));
            object.insert("object".to_owned(), Value::from("chat.completion.chunk"));
        }
    }
    value
}

/// The last event of a Bedrock stream: `{"amazon-bedrock-invocationMetrics": {...}}`
/// alone, which the official SDK merges into the chunk before it (its
/// `_stream_decoder.py` holds the chunk that names a finish reason until this event
/// comes), and so does the validator.
pub(crate) fn bedrock_metrics(chunks: &[JambaChatStreamChunk]) -> Value {
    let usage = chunks
        .iter()
        .rev()
        .find_map(|chunk| chunk.usage.clone().flatten());
    let (prompt, completion) = usage.map_or((0, 0), |usage| {
        (usage.prompt_tokens, usage.completion_tokens)
    });
    let latency = duration_millis(prompt, completion);
    json!({
        BEDROCK_METRICS: {
            "inputTokenCount": prompt,
            "outputTokenCount": completion,
            "invocationLatency": latency,
            "firstByteLatency": latency.min(80 + prompt / 10),
        }
    })
}

/// Removes `logprobs` from every choice: Bedrock leaves it out.
fn remove_logprobs(object: &mut Map<String, Value>) {
    if let Some(Value::Array(choices)) = object.get_mut("choices") {
        for choice in choices {
            if let Some(choice) = choice.as_object_mut() {
                choice.remove("logprobs");
            }
        }
    }
}

#[cfg(test)]
mod tests;
