//! `workload/service-account-not-found`: pods naming a ServiceAccount that the
//! input does not define, in namespaces where the input does define accounts.

use std::collections::HashSet;
use std::path::Path;

use palisade_core::names::is_dns1123_subdomain;
use palisade_core::{Finding, Inventory, Object, Rule, Severity};

use super::service_account::{pod_service_account, service_account_object};
use crate::context::{Context, describe_template, finding};

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A pod template whose `serviceAccountName` (or deprecated
    /// `serviceAccount`) names an account that is not in the input, when the
    /// input defines at least one ServiceAccount in the pod's namespace. When it
    /// defines none there, the accounts are presumably managed elsewhere and
    /// nothing is reported. A pod without a namespace goes wherever it is
    /// applied, so for it only namespace-less ServiceAccounts from the same
    /// directory (one apply unit) count. `default` is never reported
    /// (Kubernetes creates it in every namespace), nor a name that is not a
    /// valid object name, such as a `$KSA_NAME` placeholder filled in later.
    ///
    /// ## Why it matters
    /// The API server's ServiceAccount admission rejects a pod whose account
    /// does not exist, so the workload's controller keeps failing to create
    /// pods. It is usually a typo, or an account renamed in one file and not
    /// in another; and whoever creates an account of that name later decides
    /// what the workload may do.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: web, namespace: shop}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   serviceAccountName: wbe
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## How to fix
    /// Correct the name, or add the ServiceAccount to the manifests.
    id: "workload/service-account-not-found",
    title: "a pod names a ServiceAccount the input does not define",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

/// Where the input defines ServiceAccounts, by the unit a pod is created with:
/// the namespace when a pod names one; when it names none, the directory of a
/// namespace-less account (the unit that is applied together).
struct AccountUnits<'a> {
    namespaces: HashSet<&'a str>,
    directories: HashSet<Option<&'a Path>>,
}

impl<'a> AccountUnits<'a> {
    fn new(inventory: &'a Inventory) -> AccountUnits<'a> {
        let mut units = AccountUnits {
            namespaces: HashSet::new(),
            directories: HashSet::new(),
        };
        for account in inventory.of_kind("ServiceAccount").filter(|sa| sa.group().is_empty()) {
            match account.namespace() {
                Some(namespace) => {
                    units.namespaces.insert(namespace);
                }
                None => {
                    units.directories.insert(directory(account));
                }
            }
        }
        units
    }

    /// True when the input defines some ServiceAccount where `pod` is created.
    fn cover(&self, pod: &Object) -> bool {
        match pod.namespace() {
            Some(namespace) => self.namespaces.contains(namespace),
            None => self.directories.contains(&directory(pod)),
        }
    }
}

fn directory(object: &Object) -> Option<&Path> {
    Path::new(&*object.source().file).parent()
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    let units = AccountUnits::new(context.inventory);
    for template in context.pod_templates() {
        let account = pod_service_account(template);
        let namespace = template.object.namespace();
        if account.name == "default"
            || !is_dns1123_subdomain(account.name)
            || !units.cover(template.object)
            || service_account_object(context.inventory, template.object, account.name).is_some()
        {
            continue;
        }
        out.push(
            finding(
                &RULE,
                template.object,
                account.field,
                format!(
                    "{} runs as ServiceAccount {:?}, which the input does not define in namespace {}",
                    describe_template(template),
                    account.name,
                    namespace.map_or("(unset)".to_owned(), |ns| format!("{ns:?}")),
                ),
            )
            .with_remediation("Correct serviceAccountName, or add the ServiceAccount to the manifests."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn run(yaml: &str) -> Vec<palisade_core::Finding> {
        findings_of(super::RULES, super::check, yaml)
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_name() {
        let findings = run(r#"apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  serviceAccountName: wbe
  containers:
  - name: app
    image: registry.example/app:1.4.2
"#);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            r#"Pod shop/web runs as ServiceAccount "wbe", which the input does not define in namespace "shop""#
        );
        assert_eq!(findings[0].line_column(), Some((9, 23)));
    }

    #[test]
    fn namespaces_without_accounts_defined_ones_and_default_are_clean() {
        let findings = run(r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: defined, namespace: shop}
spec:
  serviceAccountName: web
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: default-sa, namespace: shop}
spec:
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere, namespace: other}
spec:
  serviceAccountName: managed-by-someone-else
  containers: [{name: c, image: a:1}]
"#);
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn namespace_less_pods_count_accounts_of_their_file_and_skip_placeholders() {
        let findings = run(r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
---
apiVersion: v1
kind: Pod
metadata: {name: placeholder}
spec:
  serviceAccountName: $KSA_NAME
  containers: [{name: c, image: a:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: typo}
spec:
  serviceAccountName: wbe
  containers: [{name: c, image: a:1}]
"#);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [r#"Pod typo runs as ServiceAccount "wbe", which the input does not define in namespace (unset)"#]
        );
    }
}
