//! `exposure/nginx-snippet-annotation` and `exposure/nginx-annotation-injection`:
//! ingress-nginx annotations that put author-controlled text into the
//! controller's nginx configuration.

use palisade_core::{Finding, Rule, Severity};

use super::support::ingresses;
use crate::context::{Context, describe_object, finding};

/// ingress-nginx's default annotation prefix.
const PREFIX: &str = "nginx.ingress.kubernetes.io/";

/// Annotations whose value is copied into nginx.conf as configuration.
const SNIPPETS: [&str; 5] = [
    "configuration-snippet",
    "server-snippet",
    "auth-snippet",
    "stream-snippet",
    "modsecurity-snippet",
];

/// Annotations whose unsanitized value was the injection point of the 2025
/// "IngressNightmare" CVEs.
const INJECTABLE: [(&str, &str); 4] = [
    ("auth-url", "CVE-2025-24514"),
    ("auth-tls-match-cn", "CVE-2025-1097"),
    ("mirror-target", "CVE-2025-1098"),
    ("mirror-host", "CVE-2025-1098"),
];

pub static SNIPPET: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An Ingress with an ingress-nginx snippet annotation
    /// (`nginx.ingress.kubernetes.io/configuration-snippet`, `server-snippet`,
    /// `auth-snippet`, `stream-snippet`, `modsecurity-snippet`).
    ///
    /// ## Why it matters
    /// A snippet is raw nginx configuration that runs inside the controller,
    /// which in a default installation can read every Secret of the cluster.
    /// Anyone who can create an Ingress can use it to read those Secrets
    /// (CVE-2021-25742); this is why ingress-nginx disables snippets by default
    /// since v1.9 and the 2025 injection CVEs (CVE-2025-1974 and family) rated
    /// up to critical.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// metadata:
    ///   annotations:
    ///     nginx.ingress.kubernetes.io/configuration-snippet: |
    ///       more_set_headers "X-Frame-Options: DENY";
    /// ```
    ///
    /// ## How to fix
    /// Replace the snippet with the dedicated annotation or a controller-wide
    /// ConfigMap setting, and keep `allow-snippet-annotations: false` on the
    /// controller.
    id: "exposure/nginx-snippet-annotation",
    title: "an Ingress uses an ingress-nginx snippet annotation",
    severity: Severity::High,
};

pub static INJECTION: Rule = palisade_core::rule! {
    /// ## What it flags
    /// An Ingress whose `nginx.ingress.kubernetes.io/auth-url`,
    /// `auth-tls-match-cn`, `mirror-target` or `mirror-host` annotation holds a
    /// character that can end an nginx directive or string: a line break, `;`,
    /// `{`, `}`, a quote, a backtick or a backslash.
    ///
    /// ## Why it matters
    /// These values were copied into nginx.conf unsanitized (CVE-2025-24514,
    /// CVE-2025-1097, CVE-2025-1098): such a character injects configuration
    /// that runs in the controller and reads every Secret it can. A legitimate
    /// URL or CN pattern does not need them; their presence is an exploit
    /// attempt or a mistake that breaks the controller's configuration.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// metadata:
    ///   annotations:
    ///     nginx.ingress.kubernetes.io/auth-url: "http://auth.example/#;\ninjected"
    /// ```
    ///
    /// ## How to fix
    /// Remove the characters (URL-encode them where they belong to a URL), and
    /// upgrade ingress-nginx to v1.11.5, v1.12.1 or later.
    id: "exposure/nginx-annotation-injection",
    title: "an ingress-nginx annotation holds configuration-injection characters",
    severity: Severity::Critical,
};

pub(super) static RULES: &[&Rule] = &[&SNIPPET, &INJECTION];

/// Characters that end an nginx directive, block or string.
fn is_injection_char(c: char) -> bool {
    matches!(c, '\n' | '\r' | ';' | '{' | '}' | '"' | '\'' | '`' | '\\')
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for ingress in ingresses(context.inventory) {
        let annotations = ingress.root().path(&["metadata", "annotations"]);
        let value_node = |key: &str| annotations.and_then(|a| a.get(key));
        for (key, value) in ingress.annotations() {
            let Some(name) = key.strip_prefix(PREFIX) else {
                continue;
            };
            if SNIPPETS.contains(&name) {
                out.push(
                    finding(&SNIPPET, ingress, value_node(key), format!("{}: annotation {key} injects raw nginx configuration", describe_object(ingress)))
                        .with_remediation("Replace the snippet with a dedicated annotation or a controller ConfigMap setting; keep allow-snippet-annotations off."),
                );
            } else if let Some((_, cve)) = INJECTABLE.iter().find(|(n, _)| *n == name)
                && let Some(bad) = value.chars().find(|c| is_injection_char(*c))
            {
                out.push(
                    finding(
                        &INJECTION,
                        ingress,
                        value_node(key),
                        format!("{}: annotation {key} contains {bad:?}, which injects nginx configuration ({cve})", describe_object(ingress)),
                    )
                    .with_remediation("Remove the character from the annotation value and upgrade ingress-nginx to v1.11.5, v1.12.1 or later."),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn snippets_and_injected_values() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: web
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Frame-Options: DENY";
    nginx.ingress.kubernetes.io/auth-url: "http://auth.example/#;\ninjected"
    nginx.ingress.kubernetes.io/mirror-target: "https://mirror.example/$request_uri"
    nginx.ingress.kubernetes.io/rewrite-target: /
spec: {}
"#,
        );
        let got: Vec<(&str, &str)> = findings.iter().map(|f| (f.rule.as_str(), f.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("exposure/nginx-snippet-annotation", "Ingress web/shop: annotation nginx.ingress.kubernetes.io/configuration-snippet injects raw nginx configuration"),
                ("exposure/nginx-annotation-injection", "Ingress web/shop: annotation nginx.ingress.kubernetes.io/auth-url contains ';', which injects nginx configuration (CVE-2025-24514)"),
            ]
        );
        assert_eq!(findings[0].line_column(), Some((8, 56)));
    }
}
