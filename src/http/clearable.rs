//! A field of a `PATCH` body that can be cleared: absent keeps the value,
//! `null` clears it, a value sets it.
//!
//! poem-openapi's `MaybeUndefined` parses exactly that but writes the field
//! into the spec as not nullable, so a generated client could not send the
//! `null`. This wrapper says `nullable: true` (around a `$ref` through a
//! one-element `allOf`, the OpenAPI 3.0 way).

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{MaybeUndefined, ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Clearable<T>(pub MaybeUndefined<T>);

impl<T> Clearable<T> {
    /// `None` when absent (keep), `Some(None)` when `null` (clear),
    /// `Some(Some(value))` to set.
    pub fn into_change(self) -> Option<Option<T>> {
        match self.0 {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(value) => Some(Some(value)),
        }
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self.0, MaybeUndefined::Undefined)
    }
}

impl<T: Type> Type for Clearable<T> {
    const IS_REQUIRED: bool = false;

    type RawValueType = T::RawValueType;

    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        format!("clearable_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        match T::schema_ref() {
            MetaSchemaRef::Inline(schema) => MetaSchemaRef::Inline(Box::new(MetaSchema {
                nullable: true,
                ..*schema
            })),
            reference @ MetaSchemaRef::Reference(_) => {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    nullable: true,
                    all_of: vec![reference],
                    ..MetaSchema::ANY
                }))
            }
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_raw_value()
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        self.0.raw_element_iter()
    }

    fn is_none(&self) -> bool {
        self.is_undefined()
    }
}

impl<T: ParseFromJSON> ParseFromJSON for Clearable<T> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        MaybeUndefined::parse_from_json(value)
            .map(Clearable)
            .map_err(ParseError::propagate)
    }
}

impl<T: ToJSON> ToJSON for Clearable<T> {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_null_and_a_value_are_three_changes() {
        let parse = |v: Option<Value>| Clearable::<String>::parse_from_json(v).unwrap();
        assert_eq!(parse(None).into_change(), None);
        assert_eq!(parse(Some(Value::Null)).into_change(), Some(None));
        assert_eq!(
            parse(Some(Value::String("x".into()))).into_change(),
            Some(Some("x".to_owned()))
        );
    }

    #[test]
    fn the_spec_says_null_is_allowed() {
        let MetaSchemaRef::Inline(schema) = Clearable::<uuid::Uuid>::schema_ref() else {
            panic!("inline");
        };
        assert!(schema.nullable);
        assert_eq!(schema.format, Some("uuid"));
    }
}
