//! The RBAC expectations: `can` / `cannot` (one request) and `only` (the
//! subject's permissions, everywhere, within listed rules).

use palisade_core::Node;

use super::Context;
use super::fields::{Fields, ReadError, Source};
use crate::model::{AccessQuestion, Allowance, Check, DEFAULT_USER, Subject, Target};

/// `can:` or `cannot:`.
pub(super) fn access(
    context: &Context,
    node: &Node,
    expect_allowed: bool,
) -> Result<Check, ReadError> {
    let what = if expect_allowed { "can" } else { "cannot" };
    let mut fields = Fields::open(context.source, node, what)?;
    let subject = subject(&mut fields)?;
    let verb = context
        .source
        .string(fields.required("verb")?, &format!("{what}.verb"))?;
    let resource = fields.optional_string("resource")?;
    let namespace = fields.optional_string("namespace")?;
    let name = fields.optional_string("name")?;
    let url = fields.optional_string("nonResourceURL")?;
    let target = match (resource, url) {
        (Some(resource), None) => Target::Resource {
            resource,
            namespace,
            name,
        },
        (None, Some(url)) if namespace.is_none() && name.is_none() => {
            if !url.starts_with('/') {
                return Err(context
                    .source
                    .error(node, format!("{what}.nonResourceURL must start with /")));
            }
            Target::NonResource { url }
        }
        (None, Some(_)) => {
            return Err(context.source.error(
                node,
                format!("{what}: a nonResourceURL takes no namespace or name"),
            ));
        }
        _ => {
            return Err(context.source.error(
                node,
                format!("{what}: give either resource or nonResourceURL"),
            ));
        }
    };
    fields.finish()?;
    Ok(Check::Access {
        expect_allowed,
        question: AccessQuestion {
            subject,
            verb,
            target,
        },
    })
}

/// `only:`: a subject and the rules its permissions must stay within.
pub(super) fn only(context: &Context, node: &Node) -> Result<Check, ReadError> {
    let mut fields = Fields::open(context.source, node, "only")?;
    let subject = subject(&mut fields)?;
    let list = fields.required("rules")?;
    fields.finish()?;
    let items = list.as_seq().ok_or_else(|| {
        context.source.error(
            list,
            format!("only.rules must be a list, not {}", list.type_name()),
        )
    })?;
    let rules = items
        .iter()
        .map(|item| allowance(context.source, item))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Check::Only { subject, rules })
}

/// One rule of `only.rules`.
fn allowance(source: Source, node: &Node) -> Result<Allowance, ReadError> {
    let mut fields = Fields::open(source, node, "a rule of only")?;
    let namespace = fields.optional_string("namespace")?;
    let verbs = fields.optional_strings("verbs")?;
    let resources = fields.optional_strings("resources")?;
    let resource_names = fields.optional_strings("resourceNames")?;
    let non_resource_urls = fields.optional_strings("nonResourceURLs")?;
    fields.finish()?;
    if verbs.is_empty() {
        return Err(source.error(node, "a rule of only needs verbs"));
    }
    if resources.is_empty() == non_resource_urls.is_empty() {
        return Err(source.error(
            node,
            "a rule of only needs either resources or nonResourceURLs",
        ));
    }
    if !non_resource_urls.is_empty() && namespace.is_some() {
        return Err(source.error(
            node,
            "nonResourceURLs are cluster-wide: they take no namespace",
        ));
    }
    Ok(Allowance {
        namespace,
        verbs,
        resources,
        resource_names,
        non_resource_urls,
        at: source.at(node),
    })
}

/// `user` and `groups`, or `serviceAccount: NS/NAME`, from the fields of `can`, `cannot` or `only`.
fn subject(fields: &mut Fields) -> Result<Subject, ReadError> {
    let source = fields.source();
    let user = fields.optional_string("user")?;
    let groups = fields.optional_strings("groups")?;
    let service_account = fields.optional("serviceAccount");
    match service_account {
        Some(node) if user.is_some() || !groups.is_empty() => Err(source.error(
            node,
            "serviceAccount replaces user and groups: give one or the other",
        )),
        Some(node) => {
            let text = source.string(node, "serviceAccount")?;
            match text.split_once('/') {
                Some((namespace, name))
                    if !namespace.is_empty() && !name.is_empty() && !name.contains('/') =>
                {
                    Ok(Subject::ServiceAccount {
                        namespace: namespace.to_owned(),
                        name: name.to_owned(),
                    })
                }
                _ => Err(source.error(
                    node,
                    format!("serviceAccount {text:?} is not NAMESPACE/NAME"),
                )),
            }
        }
        None => Ok(Subject::User {
            name: user.unwrap_or_else(|| DEFAULT_USER.to_owned()),
            groups,
        }),
    }
}
