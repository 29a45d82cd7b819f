//! A unit's jurisdiction as the API carries it: a GeoJSON Polygon or
//! MultiPolygon (RFC 7946), WGS-84 `[lon, lat]` positions.
//!
//! The spec states the shape (types, nesting, how many rings and positions);
//! the rest — closed rings, ranges, no self-crossing, holes inside their
//! ring — needs geometry and is `domain::jurisdiction`'s: a 422
//! `unit.invalid_jurisdiction` names the position, which a console can point
//! at on its map. The value is kept as JSON, which is how it is stored.

use std::borrow::Cow;

use poem_openapi::registry::{MetaDiscriminatorObject, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

/// At most this many polygons, rings per polygon and positions per ring.
pub const MAX_POLYGONS: usize = 100;
pub const MAX_RINGS: usize = 100;
pub const MAX_POSITIONS: usize = 2000;

#[derive(Debug, Clone, PartialEq)]
pub struct Jurisdiction(pub Value);

impl Jurisdiction {
    /// A stored jurisdiction, as the API shows it: the geometry (stores from
    /// before the API took geometries only may hold a Feature around it).
    pub fn of_stored(text: &str) -> Option<Self> {
        let value: Value = serde_json::from_str(text).ok()?;
        let geometry = match value.get("type").and_then(Value::as_str) {
            Some("Feature") => value.get("geometry")?.clone(),
            _ => value,
        };
        matches!(
            geometry.get("type").and_then(Value::as_str),
            Some("Polygon" | "MultiPolygon")
        )
        .then_some(Self(geometry))
    }
}

fn array_of(
    items: MetaSchemaRef,
    min: usize,
    max: usize,
    description: &'static str,
) -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        items: Some(Box::new(items)),
        min_items: Some(min),
        max_items: Some(max),
        description: (!description.is_empty()).then_some(description),
        ..MetaSchema::new("array")
    }))
}

fn position() -> MetaSchemaRef {
    array_of(
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("number", "double"))),
        2,
        3,
        "`[lon, lat]` in WGS-84 degrees (an altitude may follow and is ignored).",
    )
}

fn ring() -> MetaSchemaRef {
    array_of(
        position(),
        4,
        MAX_POSITIONS,
        "A closed ring: the last position repeats the first.",
    )
}

fn polygon_coordinates() -> MetaSchemaRef {
    array_of(
        ring(),
        1,
        MAX_RINGS,
        "The outer ring, then any holes, each inside it.",
    )
}

fn geometry(
    type_name: &'static str,
    coordinates: MetaSchemaRef,
    description: &'static str,
) -> MetaSchema {
    MetaSchema {
        description: Some(description),
        required: vec!["type", "coordinates"],
        properties: vec![
            (
                "type",
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    enum_items: vec![Value::String(type_name.into())],
                    ..MetaSchema::new("string")
                })),
            ),
            ("coordinates", coordinates),
        ],
        ..MetaSchema::new("object")
    }
}

struct PolygonSchema;
struct MultiPolygonSchema;

impl Type for Jurisdiction {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;

    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "Jurisdiction".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::name().into_owned())
    }

    fn register(registry: &mut Registry) {
        registry.create_schema::<PolygonSchema, _>("GeoJsonPolygon".into(), |_| {
            geometry(
                "Polygon",
                polygon_coordinates(),
                "A GeoJSON Polygon (RFC 7946).",
            )
        });
        registry.create_schema::<MultiPolygonSchema, _>("GeoJsonMultiPolygon".into(), |_| {
            geometry(
                "MultiPolygon",
                array_of(polygon_coordinates(), 1, MAX_POLYGONS, ""),
                "A GeoJSON MultiPolygon (RFC 7946): several separate areas.",
            )
        });
        registry.create_schema::<Self, _>(Self::name().into_owned(), |_| MetaSchema {
            description: Some(
                "Where a unit acts: a GeoJSON Polygon or MultiPolygon, WGS-84 `[lon, lat]`. \
                 Rings are closed, do not cross themselves or each other, and holes lie \
                 inside their outer ring; a 422 `unit.invalid_jurisdiction` names the first \
                 position that breaks a rule (`coordinates[0][3]: ...`).",
            ),
            one_of: vec![
                MetaSchemaRef::Reference("GeoJsonPolygon".into()),
                MetaSchemaRef::Reference("GeoJsonMultiPolygon".into()),
            ],
            discriminator: Some(MetaDiscriminatorObject {
                property_name: "type",
                mapping: vec![
                    (
                        "Polygon".into(),
                        "#/components/schemas/GeoJsonPolygon".into(),
                    ),
                    (
                        "MultiPolygon".into(),
                        "#/components/schemas/GeoJsonMultiPolygon".into(),
                    ),
                ],
            }),
            ..MetaSchema::ANY
        });
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromJSON for Jurisdiction {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let value = value.unwrap_or_default();
        match value.get("type").and_then(Value::as_str) {
            Some("Polygon" | "MultiPolygon") if value.get("coordinates").is_some() => {
                Ok(Self(value))
            }
            _ => Err(ParseError::custom(
                "a GeoJSON Polygon or MultiPolygon: {\"type\", \"coordinates\"}",
            )),
        }
    }
}

impl ToJSON for Jurisdiction {
    fn to_json(&self) -> Option<Value> {
        Some(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometries_parse_and_anything_else_is_refused() {
        let square = serde_json::json!({
            "type": "Polygon",
            "coordinates": [[[120.0, 29.0], [120.1, 29.0], [120.1, 29.1], [120.0, 29.0]]]
        });
        assert!(Jurisdiction::parse_from_json(Some(square)).is_ok());
        for bad in [
            serde_json::json!({"type": "Point", "coordinates": [1, 2]}),
            serde_json::json!({"type": "Polygon"}),
            serde_json::json!([1, 2]),
        ] {
            assert!(Jurisdiction::parse_from_json(Some(bad)).is_err());
        }
    }

    #[test]
    fn a_stored_feature_shows_as_its_geometry() {
        let stored =
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[]}}"#;
        assert_eq!(
            Jurisdiction::of_stored(stored).unwrap().0["type"],
            "Polygon"
        );
    }
}
