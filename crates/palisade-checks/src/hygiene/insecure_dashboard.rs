//! `hygiene/insecure-dashboard`: the Kubernetes Dashboard deployed with its
//! login bypass or insecure modes turned on.

use palisade_core::{Finding, Node, Rule, Severity};

use super::image_name::repository;
use crate::context::Context;

/// Dashboard flags that open it up, all booleans.
const INSECURE_FLAGS: [&str; 3] = [
    "enable-skip-login",
    "enable-insecure-login",
    "disable-settings-authorizer",
];

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container running the Kubernetes Dashboard (image
    /// `kubernetesui/dashboard*` or `*kubernetes-dashboard*`) whose `command`
    /// or `args` turn on `--enable-skip-login`, `--enable-insecure-login` or
    /// `--disable-settings-authorizer`.
    ///
    /// ## Why it matters
    /// With skip-login the Dashboard offers a "Skip" button that acts as its
    /// own ServiceAccount, often bound to broad rights by installation guides;
    /// exposed Dashboards in that mode have been a classic entry point for
    /// cryptomining intrusions (Tesla, 2018). Insecure login sends tokens over
    /// plain HTTP.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: kubernetes-dashboard
    ///   image: kubernetesui/dashboard:v2.7.0
    ///   args: [--auto-generate-certificates, --enable-skip-login]
    /// ```
    ///
    /// ## How to fix
    /// Remove these flags (or set them `=false`) so every user logs in with
    /// their own token, keep the Dashboard's ServiceAccount without
    /// cluster-wide rights, and reach it through `kubectl proxy` or an
    /// authenticating proxy rather than a public Service.
    id: "hygiene/insecure-dashboard",
    title: "the Kubernetes Dashboard runs with login bypass or insecure flags",
    severity: Severity::High,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

fn is_dashboard(image: &str) -> bool {
    let repository = repository(image);
    repository.contains("kubernetesui/dashboard") || repository.contains("kubernetes-dashboard")
}

/// The insecure flag an argument turns on, read as pflag reads a boolean:
/// `--name` or `--name=VALUE` with Go's `strconv.ParseBool` true spellings.
fn enabled_flag(argument: &str) -> Option<&'static str> {
    let body = argument.strip_prefix("--").or_else(|| argument.strip_prefix('-'))?;
    let (name, value) = match body.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (body, None),
    };
    let on = value.is_none_or(|v| matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True"));
    INSECURE_FLAGS.into_iter().find(|flag| *flag == name && on)
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        let image = container.get(&["image"]).and_then(Node::as_str).unwrap_or("");
        if !is_dashboard(image) {
            continue;
        }
        for field in ["command", "args"] {
            for (argument, node) in container.get(&[field]).into_iter().flat_map(Node::go_strings) {
                let Some(flag) = enabled_flag(argument) else {
                    continue;
                };
                out.push(
                    container
                        .finding(
                            &RULE,
                            Some(node),
                            format!("{} runs the Kubernetes Dashboard with --{flag}", container.describe()),
                        )
                        .with_remediation(format!(
                            "Remove --{flag}; let users log in with their own tokens and reach the Dashboard through kubectl proxy or an authenticating proxy."
                        )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn flags_are_read_as_booleans() {
        assert_eq!(super::enabled_flag("--enable-skip-login"), Some("enable-skip-login"));
        assert_eq!(super::enabled_flag("--enable-skip-login=true"), Some("enable-skip-login"));
        assert_eq!(super::enabled_flag("-enable-insecure-login=1"), Some("enable-insecure-login"));
        assert_eq!(super::enabled_flag("--enable-skip-login=false"), None);
        assert_eq!(super::enabled_flag("--auto-generate-certificates"), None);
        assert_eq!(super::enabled_flag("enable-skip-login"), None);
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_argument() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  template:
    spec:
      containers:
      - name: kubernetes-dashboard
        image: kubernetesui/dashboard:v2.7.0
        args: [--auto-generate-certificates, --enable-skip-login]
      - name: other
        image: registry.example/app:1
        args: [--enable-skip-login]
"#,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            findings[0].message,
            r#"container "kubernetes-dashboard" of Deployment kubernetes-dashboard/kubernetes-dashboard runs the Kubernetes Dashboard with --enable-skip-login"#
        );
        assert_eq!(findings[0].line_column(), Some((10, 46)));
    }
}
