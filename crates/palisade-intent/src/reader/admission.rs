//! The admission expectations: `admitted` / `rejected`, one object (inline or
//! from a file relative to the expectations file) through admission.

use palisade_core::{Node, SourceRef};
use palisade_load::{Input, Limits, load_inputs};

use super::Context;
use super::fields::{Fields, ReadError};
use crate::model::{AdmissionCase, Check, Operation};

/// `admitted:` or `rejected:`.
pub(super) fn case(
    context: &Context,
    node: &Node,
    expect_admitted: bool,
) -> Result<Check, ReadError> {
    let what = if expect_admitted {
        "admitted"
    } else {
        "rejected"
    };
    let source = context.source;
    let mut fields = Fields::open(source, node, what)?;
    let inline = fields.optional("object");
    let file = fields.optional("file");
    let namespace = fields.optional_string("namespace")?;
    let operation = fields.optional("operation");
    let old_object = fields.optional("oldObject");
    let user = fields.optional_string("user")?;
    // `by` and `message` belong to `rejected`: left untaken, `finish` refuses them on `admitted`.
    let (by, message) = if expect_admitted {
        (None, None)
    } else {
        (
            fields.optional_string("by")?,
            fields.optional_string("message")?,
        )
    };
    fields.finish()?;
    let (object, object_at) = match (inline, file) {
        (Some(object), None) => {
            if object.as_map().is_none() {
                return Err(source.error(
                    object,
                    format!(
                        "{what}.object must be a mapping, not {}",
                        object.type_name()
                    ),
                ));
            }
            (object.clone(), source.at(object))
        }
        (None, Some(file)) => object_from_file(context, file)?,
        _ => return Err(source.error(node, format!("{what}: give either object or file"))),
    };
    let operation = match operation.map(|o| (o, o.as_str())) {
        None | Some((_, Some("CREATE"))) => Operation::Create,
        Some((_, Some("UPDATE"))) => Operation::Update,
        Some((o, _)) => return Err(source.error(o, "operation must be CREATE or UPDATE")),
    };
    // An UPDATE is judged against what it replaces (Pod Security lets through
    // an update that changes nothing it checks, Gatekeeper templates compare
    // the two), so the object before the update is part of the case.
    let old_object = match (operation, old_object) {
        (Operation::Update, Some(old)) if old.as_map().is_some() => Some(old.clone()),
        (Operation::Update, Some(old)) => {
            return Err(source.error(
                old,
                format!(
                    "{what}.oldObject must be a mapping, not {}",
                    old.type_name()
                ),
            ));
        }
        (Operation::Update, None) => {
            return Err(source.error(
                node,
                format!("{what}: operation UPDATE needs oldObject, the object before the update"),
            ));
        }
        (Operation::Create, Some(old)) => {
            return Err(source.error(
                old,
                format!("{what}.oldObject is only for operation UPDATE"),
            ));
        }
        (Operation::Create, None) => None,
    };
    Ok(Check::Admission {
        expect_admitted,
        case: AdmissionCase {
            object,
            object_at,
            namespace,
            operation,
            old_object,
            user,
            by,
            message,
        },
    })
}

/// The one object of `file:` (relative to the expectations file's folder).
fn object_from_file(context: &Context, node: &Node) -> Result<(Node, SourceRef), ReadError> {
    let source = context.source;
    let relative = source.string(node, "file")?;
    let path = context.base.join(&relative);
    if !path.is_file() {
        return Err(source.error(node, format!("file {}: no such file", path.display())));
    }
    let loaded = load_inputs(&[Input::Path(path.clone())], &Limits::default());
    if let Some(error) = loaded.errors.first() {
        return Err(source.error(node, format!("file {relative}: {error}")));
    }
    let mut objects = loaded.objects.into_iter();
    match (objects.next(), objects.next()) {
        (Some(object), None) => {
            let at = object.source().clone();
            Ok((object.into_root(), at))
        }
        (None, _) => {
            Err(source.error(node, format!("file {relative}: no Kubernetes object in it")))
        }
        (Some(_), Some(_)) => Err(source.error(
            node,
            format!("file {relative}: holds several objects; an expectation takes one"),
        )),
    }
}
