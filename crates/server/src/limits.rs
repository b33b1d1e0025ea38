//! Limits that keep one client, careless or hostile, from hurting the others: how large and how
//! deeply nested a request body may be, how long a client may take to send its headers and its
//! body, and how long a shutdown waits for requests in flight.
//!
//! The body size is enforced twice, by design: by the JSON check below, which must buffer a JSON
//! body to measure its depth, and by axum's `DefaultBodyLimit` on every extractor (forms included).
//! The depth check runs before any parser sees the body, so a 10,000-deep array is refused with
//! its place in a few microseconds per kilobyte rather than by serde_json's recursion guard deep
//! inside a handler, and every endpoint taking JSON gets it without asking.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// The limits a server runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body accepted, in bytes (also TAXII's `max_content_length`).
    pub max_body: usize,
    /// The deepest nesting of arrays and objects accepted in a JSON body. STIX objects nest a
    /// handful of levels (extensions, granular markings, hashes), a TAXII envelope adds two.
    pub max_json_depth: usize,
    /// How long a client may take to send a request's headers, from the first byte (slowloris).
    /// An idle keep-alive connection is closed after it too.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a whole request body once the headers are in.
    pub body_read_timeout: Duration,
    /// How long a shutdown waits for requests in flight (a TAXII add ingesting an envelope) to
    /// finish and be answered; store writes already started finish even past it.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: crate::MAX_BODY,
            max_json_depth: 64,
            header_read_timeout: Duration::from_secs(10),
            // 16 MiB in 60 s is about 2 Mbit/s: slower links should send smaller envelopes.
            body_read_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(60),
        }
    }
}

/// Where a JSON text nests deeper than allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// The byte offset of the bracket that went past the limit.
    pub offset: usize,
    /// Its line (1-based).
    pub line: usize,
    /// Its column (1-based, in bytes).
    pub column: usize,
}

/// Checks that `json` nests arrays and objects at most `max` deep, without parsing it (brackets
/// inside strings do not count). Returns the first bracket past the limit. The text need not be
/// valid JSON: the parser that runs next says what else is wrong with it.
pub fn check_json_depth(json: &[u8], max: usize) -> Result<(), TooDeep> {
    let (mut depth, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                // A raw newline is invalid inside a JSON string, but count it so places stay right.
                b'\n' => (line, line_start) = (line + 1, i + 1),
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(TooDeep {
                        offset: i,
                        line,
                        column: i - line_start + 1,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => (line, line_start) = (line + 1, i + 1),
            _ => {}
        }
    }
    Ok(())
}

/// True when the request says its body is JSON (`application/json`, `application/taxii+json`,
/// `application/stix+json`, ...).
fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime.ends_with("/json") || mime.ends_with("+json")
        })
}

/// Middleware: buffers a JSON body (up to the size limit) and refuses it when it nests too deep,
/// before any handler parses it.
pub(crate) async fn limit_json(State(limits): State<Limits>, req: Request, next: Next) -> Response {
    if !is_json(&req) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limits.max_body).await {
        Ok(bytes) => bytes,
        Err(e) => return body_error(&e, limits.max_body),
    };
    if let Err(at) = check_json_depth(&bytes, limits.max_json_depth) {
        return ApiError::bad_request(format!(
            "the JSON body nests arrays and objects more than {} deep (line {}, column {}, byte {}); \
             no STIX or TAXII document needs that many levels",
            limits.max_json_depth, at.line, at.column, at.offset
        ))
        .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The response for a body that could not be read: too large, too slow, or cut off.
fn body_error(e: &axum::Error, max_body: usize) -> Response {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
                format!("the request body is larger than {max_body} bytes; send several smaller envelopes"),
            )
            .into_response();
        }
        if err.is::<tower_http::timeout::TimeoutError>() {
            return ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "Request timeout",
                "the request body did not arrive in time",
            )
            .into_response();
        }
        source = err.source();
    }
    ApiError::bad_request(format!("the request body could not be read: {e}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        assert_eq!(check_json_depth(br#"{"a":[1,{"b":[]}]}"#, 4), Ok(()));
        assert!(check_json_depth(br#"{"a":[1,{"b":[]}]}"#, 3).is_err());
        assert_eq!(check_json_depth(br#"["[[[[", "{{{{\"[["]"#, 1), Ok(()));
        assert_eq!(check_json_depth(b"not json at all", 0), Ok(()));
    }

    #[test]
    fn depth_error_names_the_place() {
        let text = b"{\n  \"a\": [[\n[ ]]]}";
        assert_eq!(
            check_json_depth(text, 3),
            Err(TooDeep {
                offset: 12,
                line: 3,
                column: 1
            })
        );
    }

    #[test]
    fn ten_thousand_levels_are_refused_at_the_limit() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = check_json_depth(deep.as_bytes(), 64).unwrap_err();
        assert_eq!((err.offset, err.line, err.column), (64, 1, 65));
    }
}
