//! The spec as a checker: which operation a request is, whether a JSON body
//! fits that operation's request schema, whether an answer fits its
//! responses. OpenAPI 3.0 semantics (`nullable`, `$ref`, `oneOf`, formats).
//!
//! The service checks JSON request bodies with it before they are parsed
//! ([`Checked`]), so what the spec forbids is a 400 however lenient a
//! parser would be (poem-openapi reads `true` as the string `"true"` and
//! `null` as absent). The integration tests check every answer with it, so
//! what the service sends is what the spec says.

use std::collections::BTreeSet;
use std::sync::Arc;

use poem::{Request, RequestBody};
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use serde_json::Value;

use super::error::ApiError;

/// A path template of the spec, split into segments.
#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Literal(String),
    /// `{name}`: any one segment.
    Param,
    /// The rest of the path, however deep (`/console/*`; routes outside
    /// the spec only).
    Rest,
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match s {
            "*" => Segment::Rest,
            s if s.starts_with('{') && s.ends_with('}') => Segment::Param,
            s => Segment::Literal(s.to_owned()),
        })
        .collect()
}

/// How closely a template fits a path: `None` if it does not; otherwise
/// the number of literal segments, so `/contacts/hot` beats
/// `/contacts/{kind}`, as in the router.
fn fit(template: &[Segment], parts: &[&str]) -> Option<usize> {
    let mut literals = 0;
    let mut parts = parts.iter();
    for segment in template {
        match segment {
            Segment::Rest => return Some(literals),
            Segment::Param => {
                parts.next()?;
            }
            Segment::Literal(literal) => {
                if parts.next()? != literal {
                    return None;
                }
                literals += 1;
            }
        }
    }
    parts.next().is_none().then_some(literals)
}

struct Route {
    template: String,
    segments: Vec<Segment>,
    /// Upper-case method → the operation object (`Value::Null` for routes
    /// outside the spec).
    operations: Vec<(String, Value)>,
}

/// The spec, indexed for checking.
pub struct Contract {
    spec: Value,
    routes: Vec<Route>,
}

/// One operation of the spec.
pub struct Operation<'c> {
    pub id: &'c str,
    pub template: &'c str,
    pub object: &'c Value,
}

impl Contract {
    /// From a spec (JSON), plus read-only routes outside it (`/console/*`).
    pub fn new(spec: Value, read_only: &[&str]) -> Self {
        let mut routes = Vec::new();
        if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
            for (template, item) in paths {
                let operations = item
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(method, op)| (method.to_ascii_uppercase(), op.clone()))
                    .collect();
                routes.push(Route {
                    template: template.clone(),
                    segments: segments(template),
                    operations,
                });
            }
        }
        for template in read_only {
            routes.push(Route {
                template: (*template).to_owned(),
                segments: segments(template),
                operations: vec![("GET".to_owned(), Value::Null)],
            });
        }
        Self { spec, routes }
    }

    fn route(&self, path: &str) -> Option<&Route> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.routes
            .iter()
            .filter_map(|r| fit(&r.segments, &parts).map(|n| (n, r)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, r)| r)
    }

    /// The methods a path takes (with `HEAD` for `GET`, and `OPTIONS`).
    pub fn allowed(&self, path: &str) -> Option<String> {
        let route = self.route(path)?;
        let mut methods: BTreeSet<&str> =
            route.operations.iter().map(|(m, _)| m.as_str()).collect();
        if methods.contains("GET") {
            methods.insert("HEAD");
        }
        methods.insert("OPTIONS");
        Some(methods.into_iter().collect::<Vec<_>>().join(", "))
    }

    /// The operation a request is, if the spec has one for it.
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let route = self.route(path)?;
        let (_, object) = route
            .operations
            .iter()
            .find(|(m, op)| m.eq_ignore_ascii_case(method) && !op.is_null())?;
        Some(Operation {
            id: object["operationId"].as_str().unwrap_or(&route.template),
            template: &route.template,
            object,
        })
    }

    /// A JSON request body against the operation's schema; `Err` names the
    /// first places it breaks. Properties the schema does not name are
    /// let through (JSON Schema allows them unless it says otherwise).
    pub fn check_request(&self, op: &Operation<'_>, body: &Value) -> Result<(), String> {
        let Some(schema) = op.object["requestBody"]["content"]
            .as_object()
            .and_then(|c| c.iter().find(|(t, _)| t.starts_with("application/json")))
            .map(|(_, media)| &media["schema"])
        else {
            return Ok(());
        };
        let mut problems = Vec::new();
        Validator {
            spec: &self.spec,
            problems: &mut problems,
            strict: false,
        }
        .value(schema, body, "$");
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// An answer against the spec: the status is listed, the content type
    /// is the declared one, a JSON body fits its schema (with no property
    /// the schema does not name), and an error's `code` is listed for its
    /// status. Paths and methods outside the spec pass.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let Some(op) = self.operation(method, path) else {
            return Ok(());
        };
        let at = format!("{method} {path} ({}) answered {status}", op.id);
        let responses = &op.object["responses"];
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))
            .ok_or_else(|| {
                let listed: Vec<&String> = responses
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                    .collect();
                format!("{at}: the spec lists only {listed:?}")
            })?;
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            if body.is_empty() {
                return Ok(());
            }
            return Err(format!(
                "{at}: the spec declares no body, got {} bytes",
                body.len()
            ));
        };
        let got = content_type.unwrap_or_default();
        let base = |t: &str| {
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        };
        let (declared, media) = content
            .iter()
            .find(|(declared, _)| base(declared) == base(got))
            .ok_or_else(|| {
                format!(
                    "{at}: content type `{got}`, the spec declares {:?}",
                    content.keys().collect::<Vec<_>>()
                )
            })?;
        if declared.contains("charset=utf-8") && !got.to_ascii_lowercase().contains("charset=utf-8")
        {
            return Err(format!(
                "{at}: content type `{got}` lacks the declared charset"
            ));
        }
        if base(declared) != "application/json"
            || body.is_empty() && base(got) == "text/event-stream"
        {
            return Ok(());
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| format!("{at}: the body is not JSON ({e})"))?;
        let mut problems = Vec::new();
        Validator {
            spec: &self.spec,
            problems: &mut problems,
            strict: true,
        }
        .value(&media["schema"], &value, "$");
        if !problems.is_empty() {
            return Err(format!(
                "{at}: {}; body: {}",
                problems.join("; "),
                truncated(&value)
            ));
        }
        if status >= 400
            && let Some(code) = value.get("code").and_then(Value::as_str)
        {
            let listed = codes_in(response["description"].as_str().unwrap_or_default());
            if !listed.contains(&code) {
                return Err(format!(
                    "{at} with code `{code}`, which the spec does not list for {status} (it lists {listed:?})"
                ));
            }
        }
        Ok(())
    }
}

fn truncated(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 600 {
        format!("{}…", &text[..text.floor_char_boundary(600)])
    } else {
        text
    }
}

/// The codes an error status's description lists: the backticked names
/// after `Codes:`.
pub fn codes_in(description: &str) -> Vec<&str> {
    let Some((_, list)) = description.split_once("Codes:") else {
        return Vec::new();
    };
    list.split('`').skip(1).step_by(2).collect()
}

struct Validator<'a> {
    spec: &'a Value,
    problems: &'a mut Vec<String>,
    /// Whether a property the schema does not name is a problem (answers:
    /// yes, so the spec says everything the service sends).
    strict: bool,
}

impl Validator<'_> {
    fn fail(&mut self, at: &str, what: impl Into<String>) {
        self.problems.push(format!("{at}: {}", what.into()));
    }

    /// Whether `value` fits, without recording why (for `oneOf`).
    fn fits(&self, schema: &Value, value: &Value) -> bool {
        let mut problems = Vec::new();
        Validator {
            spec: self.spec,
            problems: &mut problems,
            strict: self.strict,
        }
        .value(schema, value, "$");
        problems.is_empty()
    }

    fn value(&mut self, schema: &Value, value: &Value, at: &str) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = reference
                .strip_prefix("#/components/schemas/")
                .and_then(|name| self.spec["components"]["schemas"].get(name));
            match target {
                Some(target) => self.value(target, value, at),
                None => self.fail(at, format!("unknown $ref {reference}")),
            }
            return;
        }
        if value.is_null() {
            let any = schema.as_object().is_some_and(|o| o.is_empty());
            if !any && schema.get("nullable").and_then(Value::as_bool) != Some(true) {
                self.fail(at, "null, and the schema is not nullable");
            }
            return;
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.value(part, value, at);
        }
        if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
            let fitting = options.iter().filter(|o| self.fits(o, value)).count();
            if fitting != 1 {
                self.fail(
                    at,
                    format!("fits {fitting} of its oneOf schemas, not exactly one"),
                );
            }
        }
        if let Some(options) = schema.get("anyOf").and_then(Value::as_array)
            && !options.iter().any(|o| self.fits(o, value))
        {
            self.fail(at, "fits none of its anyOf schemas");
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            self.fail(
                at,
                format!("{value} is not one of {}", Value::Array(allowed.clone())),
            );
        }
        let Some(ty) = schema.get("type").and_then(Value::as_str) else {
            return;
        };
        match (ty, value) {
            ("object", Value::Object(map)) => self.object(schema, map, at),
            ("array", Value::Array(items)) => self.array(schema, items, at),
            ("string", Value::String(s)) => self.string(schema, s, at),
            ("integer", Value::Number(n)) if n.is_i64() || n.is_u64() => self.number(schema, n, at),
            ("number", Value::Number(n)) => self.number(schema, n, at),
            ("boolean", Value::Bool(_)) => {}
            _ => self.fail(at, format!("expected {ty}, got {}", truncated(value))),
        }
    }

    fn object(&mut self, schema: &Value, map: &serde_json::Map<String, Value>, at: &str) {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = required.as_str().unwrap_or_default();
            if !map.contains_key(name) {
                self.fail(at, format!("`{name}` is required"));
            }
        }
        let additional = schema.get("additionalProperties");
        for (name, value) in map {
            let here = format!("{at}.{name}");
            match properties.and_then(|p| p.get(name)) {
                Some(property) => self.value(property, value, &here),
                None => match additional {
                    Some(Value::Bool(false)) => {
                        self.fail(&here, "the schema names no such property")
                    }
                    Some(extra) if extra.is_object() => self.value(extra, value, &here),
                    _ if self.strict => self.fail(&here, "a property the schema does not name"),
                    _ => {}
                },
            }
        }
    }

    fn array(&mut self, schema: &Value, items: &[Value], at: &str) {
        let n = items.len() as u64;
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && n < min
        {
            self.fail(at, format!("{n} items, at least {min} expected"));
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
            && n > max
        {
            self.fail(at, format!("{n} items, at most {max} expected"));
        }
        if schema.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
            let distinct: BTreeSet<String> = items.iter().map(Value::to_string).collect();
            if distinct.len() != items.len() {
                self.fail(at, "an item repeats");
            }
        }
        if let Some(item) = schema.get("items") {
            for (i, value) in items.iter().enumerate() {
                self.value(item, value, &format!("{at}[{i}]"));
            }
        }
    }

    fn string(&mut self, schema: &Value, s: &str, at: &str) {
        let chars = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && chars < min
        {
            self.fail(at, format!("{chars} characters, at least {min} expected"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && chars > max
        {
            self.fail(at, format!("{chars} characters, at most {max} expected"));
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            match regex::Regex::new(pattern) {
                Ok(re) if re.is_match(s) => {}
                Ok(_) => self.fail(at, format!("does not match /{pattern}/")),
                Err(e) => self.fail(at, format!("the schema's pattern /{pattern}/ is bad: {e}")),
            }
        }
        let well_formed = match schema.get("format").and_then(Value::as_str) {
            Some("uuid") => uuid::Uuid::parse_str(s).is_ok(),
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            _ => true,
        };
        if !well_formed {
            self.fail(at, format!("not a {}", schema["format"]));
        }
    }

    fn number(&mut self, schema: &Value, n: &serde_json::Number, at: &str) {
        let x = n.as_f64().unwrap_or(f64::NAN);
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && x < min
        {
            self.fail(at, format!("{x} is below the minimum {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && x > max
        {
            self.fail(at, format!("{x} is above the maximum {max}"));
        }
        let range = match schema.get("format").and_then(Value::as_str) {
            Some("int32") => Some((f64::from(i32::MIN), f64::from(i32::MAX))),
            Some("uint32") => Some((0.0, f64::from(u32::MAX))),
            Some("int64") => Some((i64::MIN as f64, i64::MAX as f64)),
            Some("uint64") => Some((0.0, u64::MAX as f64)),
            _ => None,
        };
        if let Some((lo, hi)) = range
            && !(lo..=hi).contains(&x)
        {
            self.fail(
                at,
                format!("{x} is out of the range of {}", schema["format"]),
            );
        }
    }
}

/// A JSON request body held to its operation's schema, then parsed: use
/// it where `Json` would be (`body: Checked<NewTip>`). What the schema
/// forbids is a 400 `request.invalid` naming the place. It runs where the
/// body parameter is, after the caller was authenticated, so a caller
/// without a token hears 401 whatever it sent.
pub struct Checked<T>(pub T);

impl<T> std::ops::Deref for Checked<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for Checked<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        <Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        <Json<T> as Payload>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <Json<T> as Payload>::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for Checked<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        // The body limit has run: this is at most `max_json_body_bytes`.
        let bytes = body.take()?.into_bytes().await?;
        let value: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::bad_request("request.invalid", format!("body: not JSON: {e}"))
            })?
        };
        let contract = request
            .data::<Arc<Contract>>()
            .expect("the contract is attached to every request");
        let method = request.method().as_str();
        let path = request.uri().path();
        if let Some(op) = contract.operation(method, path)
            && let Err(problem) = contract.check_request(&op, &value)
        {
            return Err(
                ApiError::bad_request("request.invalid", format!("body: {problem}")).into(),
            );
        }
        let parsed = T::parse_from_json(Some(value)).map_err(|e| {
            ApiError::bad_request("request.invalid", format!("body: {}", e.into_message()))
        })?;
        Ok(Self(parsed))
    }
}

poem_openapi::impl_apirequest_for_payload!(Checked<T>, T: ParseFromJSON + Send + Sync);

#[cfg(test)]
mod tests {
    use super::*;

    fn contract() -> Contract {
        Contract::new(
            serde_json::json!({
                "paths": {
                    "/v1/tips": {"get": {"operationId": "list"}, "post": {"operationId": "submit",
                        "requestBody": {"content": {"application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/New"}}}},
                        "responses": {"201": {"description": "", "content": {"application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/New"}}}},
                                      "409": {"description": "Taken. Codes: `tip.taken`.", "content": {"application/json; charset=utf-8": {"schema": {"type": "object", "properties": {"code": {"type": "string"}}}}}}}}},
                    "/v1/tips/{id}": {"get": {"operationId": "get"}},
                    "/v1/tips/{id}/withdraw": {"post": {"operationId": "withdraw"}},
                    "/v1/contacts/hot": {"get": {"operationId": "hot"}},
                    "/v1/contacts/{kind}": {"get": {"operationId": "cluster"}},
                },
                "components": {"schemas": {"New": {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string", "pattern": "\\S"},
                    "note": {"type": "string"},
                    "unit_id": {"type": "string", "format": "uuid", "nullable": true},
                }}}},
            }),
            &["/console/*"],
        )
    }

    #[test]
    fn paths_find_their_operation_and_methods() {
        let c = contract();
        assert_eq!(
            c.allowed("/v1/tips").as_deref(),
            Some("GET, HEAD, OPTIONS, POST")
        );
        assert_eq!(
            c.allowed("/v1/tips/abc/withdraw").as_deref(),
            Some("OPTIONS, POST")
        );
        assert_eq!(c.allowed("/v1/tips/abc/other"), None);
        assert_eq!(
            c.allowed("/console/queue/x").as_deref(),
            Some("GET, HEAD, OPTIONS")
        );
        assert_eq!(c.operation("GET", "/v1/contacts/hot").unwrap().id, "hot");
        assert_eq!(
            c.operation("GET", "/v1/contacts/phone").unwrap().id,
            "cluster"
        );
        assert!(c.operation("GET", "/console/x").is_none());
        assert!(c.operation("DELETE", "/v1/tips").is_none());
    }

    #[test]
    fn request_bodies_are_held_to_their_schema() {
        let c = contract();
        let op = c.operation("POST", "/v1/tips").unwrap();
        let check = |v: Value| c.check_request(&op, &v);
        assert!(check(serde_json::json!({"text": "x", "extra": 1})).is_ok());
        assert!(check(serde_json::json!({"text": "x", "unit_id": null})).is_ok());
        assert!(
            check(serde_json::json!({"text": true}))
                .unwrap_err()
                .contains("$.text: expected string")
        );
        assert!(
            check(serde_json::json!({"text": "x", "note": null}))
                .unwrap_err()
                .contains("$.note: null")
        );
        assert!(
            check(serde_json::json!({"text": "  "}))
                .unwrap_err()
                .contains("$.text: does not match")
        );
        assert!(
            check(serde_json::json!({}))
                .unwrap_err()
                .contains("`text` is required")
        );
    }

    #[test]
    fn answers_are_held_to_the_spec_strictly() {
        let c = contract();
        let json = Some("application/json; charset=utf-8");
        assert!(
            c.check_response("POST", "/v1/tips", 201, json, br#"{"text":"x"}"#)
                .is_ok()
        );
        let extra = c.check_response("POST", "/v1/tips", 201, json, br#"{"text":"x","who":1}"#);
        assert!(
            extra
                .unwrap_err()
                .contains("$.who: a property the schema does not name")
        );
        let code = c.check_response("POST", "/v1/tips", 409, json, br#"{"code":"tip.other"}"#);
        assert!(code.unwrap_err().contains("`tip.other`"));
        assert!(
            c.check_response("POST", "/v1/tips", 409, json, br#"{"code":"tip.taken"}"#)
                .is_ok()
        );
        let status = c.check_response("POST", "/v1/tips", 500, json, b"{}");
        assert!(status.unwrap_err().contains("lists only"));
        assert!(codes_in("No codes").is_empty());
    }
}
