//! The committed spec is what the code generates.

use tipline::commands::{SpecFormat, openapi};

const COMMITTED: &str = "openapi/tipline.yaml";
const REFRESH: &str = "cargo run -- openapi --format yaml > openapi/tipline.yaml";

#[test]
fn committed_spec_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = openapi(SpecFormat::Yaml);
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()))
            + 1;
        panic!(
            "{COMMITTED} is not what the code generates (first difference at line {line}).\n\
             Refresh it with:\n\n    {REFRESH}\n"
        );
    }
}

#[test]
fn the_spec_documents_the_error_fields_of_a_503() {
    let spec: serde_json::Value = serde_json::from_str(&openapi(SpecFormat::Json)).unwrap();
    let schema = &spec["paths"]["/readyz"]["get"]["responses"]["503"]["content"]["application/json; charset=utf-8"]
        ["schema"]["$ref"];
    assert_eq!(schema, "#/components/schemas/NotReady");
    let not_ready = &spec["components"]["schemas"]["NotReady"];
    for field in ["code", "message", "request_id", "checks"] {
        assert!(
            not_ready["properties"][field].is_object(),
            "NotReady.{field}"
        );
    }
}

/// A field whose type is a named schema and that carries its own
/// description comes out as `allOf: [{$ref}, {description}]`, which client
/// generators (openapi-python-client) cannot take: such a field must say
/// nothing of its own (its type's description says it). The one `allOf`
/// allowed is the OpenAPI 3.0 way to make a reference nullable.
#[test]
fn no_field_wraps_a_reference_in_all_of_unless_to_make_it_nullable() {
    fn walk(at: &str, value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if map.contains_key("allOf") && map.get("nullable") != Some(&true.into()) {
                    found.push(at.to_owned());
                }
                for (key, v) in map {
                    walk(&format!("{at}/{key}"), v, found);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{at}/{i}"), v, found);
                }
            }
            _ => {}
        }
    }
    let spec: serde_json::Value = serde_json::from_str(&openapi(SpecFormat::Json)).unwrap();
    let mut found = Vec::new();
    walk("#", &spec, &mut found);
    assert!(
        found.is_empty(),
        "a described field of a named type (use a plain comment, not a doc comment): {found:?}"
    );
}

#[test]
fn every_503_of_an_operation_tells_when_to_retry() {
    let spec: serde_json::Value = serde_json::from_str(&openapi(SpecFormat::Json)).unwrap();
    let mut seen = 0;
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(unavailable) = operation["responses"].get("503") else {
                continue;
            };
            if path == "/readyz" {
                continue; // a probe's answer, read by the orchestrator
            }
            seen += 1;
            let headers = unavailable["headers"].as_object().unwrap();
            assert!(
                headers
                    .keys()
                    .any(|h| h.eq_ignore_ascii_case("Retry-After")),
                "{method} {path}: a 503 without Retry-After"
            );
        }
    }
    assert!(seen > 50, "only {seen} operations answer 503");
}
