//! Custom resources' schemas, taken from the CustomResourceDefinitions in the
//! input: each served version's `schema.openAPIV3Schema`, converted once into
//! the same shapes as the built-in kinds.
//!
//! The conversion follows the API server's structural-schema reading: `type`
//! decides the value's type; `properties` are the known fields and nothing
//! else is (an `object` without properties keeps no field) unless
//! `x-kubernetes-preserve-unknown-fields: true`; `additionalProperties` makes a
//! map; `x-kubernetes-int-or-string` takes an integer or a string;
//! `x-kubernetes-embedded-resource` and the root allow `apiVersion`, `kind` and
//! `metadata` (validated as `ObjectMeta`); `enum` restricts values; `nullable`
//! needs no handling because a `null` is always accepted (the API server
//! prunes non-nullable nulls). Value validations under `allOf`/`anyOf`/
//! `oneOf`/`not`, patterns, bounds and CEL rules are not checked.

use std::collections::HashMap;

use palisade_core::{Inventory, Node};

use crate::builtin::BuiltinSchema;
use crate::shape::{Arena, IntFormat, ObjectShape, Shape, StringFormat, Ty};

/// The schemas of every custom resource kind the input's CRDs serve.
#[derive(Debug, Default)]
pub struct CustomSchemas {
    pub arena: Arena,
    kinds: HashMap<(String, String), u32>,
}

impl CustomSchemas {
    /// Reads every `apiextensions.k8s.io/v1` CRD of the inventory.
    pub fn from_inventory(inventory: &Inventory, builtin: &BuiltinSchema) -> CustomSchemas {
        let mut schemas = CustomSchemas::default();
        for crd in inventory.of_kind("CustomResourceDefinition") {
            if crd.reference().api_version != "apiextensions.k8s.io/v1" {
                continue;
            }
            let spec = crd.root().get("spec");
            let text = |path: &[&str]| spec.and_then(|s| s.path(path)).and_then(Node::as_str);
            let (Some(group), Some(kind)) = (text(&["group"]), text(&["names", "kind"])) else {
                continue;
            };
            for version in spec
                .and_then(|s| s.get("versions"))
                .into_iter()
                .flat_map(Node::items)
            {
                let served = version.get("served").and_then(Node::as_bool) == Some(true);
                let name = version.get("name").and_then(Node::as_str);
                let schema = version.path(&["schema", "openAPIV3Schema"]);
                let (true, Some(name), Some(schema)) = (served, name, schema) else {
                    continue;
                };
                let key = (format!("{group}/{name}"), kind.to_owned());
                if schemas.kinds.contains_key(&key) {
                    continue;
                }
                let root = Converter {
                    arena: &mut schemas.arena,
                    builtin,
                }
                .convert(schema, true);
                schemas.kinds.insert(key, root);
            }
        }
        schemas
    }

    /// The type of a custom resource by `apiVersion` and `kind`.
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<Ty> {
        self.kinds
            .get(&(api_version.to_owned(), kind.to_owned()))
            .map(|&at| Ty::Custom(at))
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}

struct Converter<'a> {
    arena: &'a mut Arena,
    builtin: &'a BuiltinSchema,
}

impl Converter<'_> {
    fn convert(&mut self, schema: &Node, root: bool) -> u32 {
        let at = self.arena.push(Shape::Any);
        let shape = self.shape(schema, root);
        self.arena.set(at, shape);
        at
    }

    fn shape(&mut self, schema: &Node, root: bool) -> Shape {
        let flag = |name: &str| schema.get(name).and_then(Node::as_bool) == Some(true);
        let kind = schema.get("type").and_then(Node::as_str);
        let preserve = flag("x-kubernetes-preserve-unknown-fields");
        let embedded = flag("x-kubernetes-embedded-resource");
        let format = schema.get("format").and_then(Node::as_str).unwrap_or("");
        let shape = if flag("x-kubernetes-int-or-string") {
            Shape::IntOrString
        } else {
            match kind {
                Some("object") => self.object(schema, root, preserve, embedded),
                None if root || embedded || schema.get("properties").is_some() => {
                    self.object(schema, root, preserve, embedded)
                }
                Some("array") => {
                    let items = match schema.get("items") {
                        Some(items) if items.as_map().is_some() => self.convert(items, false),
                        _ => self.arena.push(Shape::Any),
                    };
                    Shape::Array(Ty::Custom(items))
                }
                Some("string") => Shape::String(match format {
                    "byte" => StringFormat::Byte,
                    "date-time" => StringFormat::DateTime,
                    _ => StringFormat::Plain,
                }),
                Some("integer") => Shape::Integer(if format == "int32" {
                    IntFormat::Int32
                } else {
                    IntFormat::Int64
                }),
                Some("number") => Shape::Number,
                Some("boolean") => Shape::Boolean,
                // No type (allowed only with preserve-unknown-fields in a
                // structural schema) or one the API server would refuse: any value.
                _ => Shape::Any,
            }
        };
        match schema.get("enum").and_then(Node::as_seq) {
            Some(values) if !matches!(shape, Shape::Any) => {
                Shape::Enum(Box::new(shape), values.iter().map(Node::to_json).collect())
            }
            _ => shape,
        }
    }

    fn object(&mut self, schema: &Node, root: bool, preserve: bool, embedded: bool) -> Shape {
        let mut object = ObjectShape {
            preserve_unknown: preserve,
            embedded,
            ..ObjectShape::default()
        };
        if let Some(properties) = schema.get("properties").and_then(Node::as_map) {
            for (name, property) in properties.iter() {
                let at = self.convert(property, false);
                object
                    .fields
                    .insert(name.name.as_str().into(), Ty::Custom(at));
            }
        }
        for name in schema.get("required").into_iter().flat_map(Node::items) {
            if let Some(name) = name.as_str() {
                object.required.push(name.into());
            }
        }
        match schema.get("additionalProperties") {
            Some(additional) if additional.as_map().is_some() => {
                object.additional = Some(Ty::Custom(self.convert(additional, false)));
            }
            Some(additional) if additional.as_bool() == Some(true) => {
                object.additional = Some(Ty::Custom(self.arena.push(Shape::Any)));
            }
            _ => {}
        }
        if root || embedded {
            // The API server knows these members of every object, declared or not.
            for name in ["apiVersion", "kind"] {
                let at = self.arena.push(Shape::String(StringFormat::Plain));
                object.fields.entry(name.into()).or_insert(Ty::Custom(at));
            }
            if let Some(meta) = self.builtin.object_meta() {
                object.fields.insert("metadata".into(), meta);
            }
        }
        Shape::Object(object)
    }
}
