//! `workload/sudo-in-command`: containers whose command or arguments call
//! `sudo`.

use palisade_core::{Finding, Node, Rule, Severity};

use crate::context::Context;

pub static RULE: Rule = palisade_core::rule! {
    /// ## What it flags
    /// A container or init container whose `command` or `args` run `sudo`: an
    /// item that is `sudo` (or a path ending in `/sudo`), or a shell script
    /// item in which `sudo` appears as a word.
    ///
    /// ## Why it matters
    /// `sudo` in an entrypoint means the process expects to gain root inside the
    /// container: the image ships a setuid binary and a sudoers policy, and
    /// privilege escalation must be allowed for it to work. Whatever runs in the
    /// container can use the same path.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   command: ["sh", "-c", "sudo chown app /data && exec app"]
    /// ```
    ///
    /// ## How to fix
    /// Do the privileged step another way: set ownership with the pod's
    /// `securityContext.fsGroup`, or in an init container with only the
    /// capability it needs. Remove `sudo` from the image and set
    /// `allowPrivilegeEscalation: false`.
    id: "workload/sudo-in-command",
    title: "a container's command runs sudo",
    severity: Severity::Medium,
};

pub(super) static RULES: &[&Rule] = &[&RULE];

/// True when a command-line item runs `sudo`: as the whole item, as a path,
/// or as one word of a shell script (words split at blanks and shell
/// operators, which is enough to find a command name without parsing shell).
fn runs_sudo(item: &str) -> bool {
    item.split(|c: char| c.is_whitespace() || ";&|()`$\"'".contains(c))
        .any(|word| word == "sudo" || word.ends_with("/sudo"))
}

pub(super) fn check(context: &Context, out: &mut Vec<Finding>) {
    for container in context.containers() {
        for field in ["command", "args"] {
            let Some((_, item)) = container
                .get(&[field])
                .into_iter()
                .flat_map(Node::go_strings)
                .find(|(text, _)| runs_sudo(text))
            else {
                continue;
            };
            out.push(
                container
                    .finding(&RULE, Some(item), format!("{}: {field} runs sudo", container.describe()))
                    .with_remediation(
                        "Remove sudo: use fsGroup or a narrowly privileged init container for the privileged step, and set allowPrivilegeEscalation: false.",
                    ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn words_are_matched_not_substrings() {
        assert!(super::runs_sudo("sudo"));
        assert!(super::runs_sudo("/usr/bin/sudo"));
        assert!(super::runs_sudo("set -e; sudo -u app run"));
        assert!(super::runs_sudo("x && (sudo true)"));
        assert!(!super::runs_sudo("pseudo-random"));
        assert!(!super::runs_sudo("--sudoers=/etc/x"));
    }

    #[test]
    fn the_documented_example_is_flagged_at_the_item() {
        let findings = findings_of(
            super::RULES,
            super::check,
            r#"apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  containers:
  - name: app
    image: registry.example/app:1.4.2
    command: ["sh", "-c", "sudo chown app /data && exec app"]
  - name: clean
    image: a:1
    args: ["--mode", "pseudo"]
  initContainers:
  - name: setup
    image: a:1
    args: [sudo, mkdir, /x]
"#,
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                r#"container "app" of Pod app/p: command runs sudo"#,
                r#"init container "setup" of Pod app/p: args runs sudo"#,
            ]
        );
        assert_eq!(findings[0].line_column(), Some((8, 27)));
    }
}
