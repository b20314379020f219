//! The CEL context file (`apis/v1alpha1/context.go`, kind `Context`):
//! objects served to `resource.Get`/`resource.List` and image metadata served
//! to `image.GetMetadata` in ValidatingPolicy and `validate.cel` tests.

use std::path::Path;

use super::LoadError;
use super::document::{Decoder, read_single};
use crate::Json;

/// A context file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CelContext {
    /// `spec.resources`, as written (numbers keep their integer type).
    pub resources: Vec<Json>,
    /// `spec.images`: a list of `{image, resolvedImage, registry, repository,
    /// tag, digest, imageIndex, manifest, config}` (empty list when absent).
    pub images: Json,
}

/// Reads one context file (strictly: unknown fields are errors).
pub fn read_context(path: &Path) -> Result<CelContext, LoadError> {
    let root = read_single(path)?;
    let d = Decoder { file: path };
    let map = d.object(
        &root,
        "context",
        &["apiVersion", "kind", "metadata", "spec"],
    )?;
    let Some(spec) = map.get("spec").filter(|n| !n.is_null()) else {
        return Ok(CelContext {
            resources: Vec::new(),
            images: Json::Array(Vec::new()),
        });
    };
    let spec_map = d.object(spec, "spec", &["resources", "images"])?;
    let mut resources = Vec::new();
    for node in d.list(spec_map, "resources", "spec")? {
        if node.as_map().is_none() {
            return Err(d.error(node, "spec.resources[]: expected an object"));
        }
        resources.push(node.to_json());
    }
    let mut images = Vec::new();
    for node in d.list(spec_map, "images", "spec")? {
        d.object(
            node,
            "spec.images[]",
            &[
                "image",
                "resolvedImage",
                "registry",
                "repository",
                "tag",
                "digest",
                "imageIndex",
                "manifest",
                "config",
            ],
        )?;
        images.push(node.to_json());
    }
    Ok(CelContext {
        resources,
        images: Json::Array(images),
    })
}
