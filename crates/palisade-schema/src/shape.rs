//! The pre-indexed schema the validator walks: every type is a [`Shape`] in an
//! arena, and every `$ref` is resolved to an index once, when the schema is
//! loaded, so validating an object is one walk with no name lookups.
//!
//! Built-in kinds and the input's CRDs use the same shapes; the arena is
//! addressed by [`Ty`], which says which of the two arenas a type lives in, so
//! a custom resource's `metadata` can point at the built-in `ObjectMeta`.

use std::collections::HashMap;

/// A type in one of the two arenas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Builtin(u32),
    Custom(u32),
}

/// String formats whose values Kubernetes' decoding checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringFormat {
    Plain,
    /// `[]byte`: standard base64 with padding.
    Byte,
    /// `metav1.Time`: RFC 3339.
    DateTime,
}

/// Integer widths: Go rejects a number that does not fit the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntFormat {
    Int32,
    Int64,
}

/// One type, as validation needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Object(ObjectShape),
    Array(Ty),
    String(StringFormat),
    Integer(IntFormat),
    Number,
    Boolean,
    /// `IntOrString`, `x-kubernetes-int-or-string`: a string or an integer.
    IntOrString,
    /// `resource.Quantity`: a number, or a string in quantity syntax.
    Quantity,
    /// Any JSON value (`RawExtension`, apiextensions `JSON`, an untyped CRD node
    /// that preserves unknown fields).
    Any,
    /// A CRD value restricted to a list (`enum`), with the type it must have.
    Enum(Box<Shape>, Vec<serde_json::Value>),
}

/// A mapping: declared fields, a value type for undeclared ones (a Go map), and
/// the CRD extensions that change what is unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectShape {
    pub fields: HashMap<Box<str>, Ty>,
    pub required: Vec<Box<str>>,
    /// `additionalProperties`: the type of every undeclared member.
    pub additional: Option<Ty>,
    /// `x-kubernetes-preserve-unknown-fields`: undeclared members are kept as
    /// they are, never unknown.
    pub preserve_unknown: bool,
    /// `x-kubernetes-embedded-resource`: `apiVersion`, `kind` and `metadata` are
    /// allowed beside the declared fields.
    pub embedded: bool,
}

/// An arena of shapes.
#[derive(Clone, Debug, Default)]
pub struct Arena {
    shapes: Vec<Shape>,
}

impl Arena {
    /// Appends a shape and returns its index.
    pub fn push(&mut self, shape: Shape) -> u32 {
        self.shapes.push(shape);
        u32::try_from(self.shapes.len() - 1).unwrap_or(u32::MAX)
    }

    pub fn get(&self, index: u32) -> Option<&Shape> {
        self.shapes.get(index as usize)
    }

    pub fn set(&mut self, index: u32, shape: Shape) {
        if let Some(slot) = self.shapes.get_mut(index as usize) {
            *slot = shape;
        }
    }

    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }
}
