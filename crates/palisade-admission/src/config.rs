//! `PodSecurityConfiguration`: the defaults and exemptions of Pod Security
//! Admission, in the format the API server takes
//! (`pod-security.admission.config.k8s.io/v1`, also `v1beta1` and `v1alpha1`).
//!
//! The file may hold the configuration itself or the API server's
//! `AdmissionConfiguration` with a `PodSecurity` plugin entry embedding it, so the
//! operator can hand Palisade the file their API server already reads. Decoding is
//! strict, as upstream's is: an unknown field is an error, because a misspelt
//! `exemptions` key would otherwise silently exempt nothing (or a misspelt
//! default enforce nothing). Every error names the file, line and field.

use std::sync::Arc;

use palisade_core::names::{is_dns1123_label, is_dns1123_subdomain};
use palisade_core::{Node, Pos};
use std::str::FromStr;

use palisade_pss::LevelVersion;
use palisade_pss::namespace_policy::{PRIVILEGED_LATEST, Policy};

const GROUP: &str = "pod-security.admission.config.k8s.io";
const VERSIONS: [&str; 3] = ["v1", "v1beta1", "v1alpha1"];

/// Defaults and exemptions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodSecurityConfiguration {
    pub defaults: Policy,
    pub exemptions: Exemptions,
}

/// Requests that Pod Security lets through unchecked. Exact matches; an empty
/// request value never matches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exemptions {
    pub usernames: Vec<String>,
    pub namespaces: Vec<String>,
    pub runtime_classes: Vec<String>,
}

impl Exemptions {
    pub fn namespace(&self, name: &str) -> bool {
        !name.is_empty() && self.namespaces.iter().any(|n| n == name)
    }
    pub fn username(&self, name: &str) -> bool {
        !name.is_empty() && self.usernames.iter().any(|n| n == name)
    }
    pub fn runtime_class(&self, name: &str) -> bool {
        !name.is_empty() && self.runtime_classes.iter().any(|n| n == name)
    }
}

/// An unreadable or invalid configuration file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", pos.place())]
pub struct ConfigError {
    pub file: Arc<str>,
    pub pos: Pos,
    pub message: String,
}

impl PodSecurityConfiguration {
    /// Reads a configuration file's bytes (YAML or JSON, read as kubectl reads them).
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Self, ConfigError> {
        let file: Arc<str> = Arc::from(file);
        let error = |pos: Pos, message: String| ConfigError {
            file: file.clone(),
            pos,
            message,
        };
        let limits = palisade_load::Limits {
            max_file_bytes: 1024 * 1024,
            collect_notes: false,
            ..palisade_load::Limits::default()
        };
        let load = palisade_load::load_bytes(file.clone(), bytes, &limits)
            .map_err(|e| error(e.pos, e.message))?;
        let [object] = load.objects.as_slice() else {
            return Err(error(
                Pos::default(),
                format!(
                    "expected one configuration object, found {}",
                    load.objects.len()
                ),
            ));
        };
        Reader { error: &error }.configuration(object.root())
    }
}

struct Reader<'a> {
    error: &'a dyn Fn(Pos, String) -> ConfigError,
}

impl Reader<'_> {
    fn fail<T>(&self, node: &Node, message: String) -> Result<T, ConfigError> {
        Err((self.error)(node.pos, message))
    }

    fn configuration(&self, root: &Node) -> Result<PodSecurityConfiguration, ConfigError> {
        let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
        if kind == "AdmissionConfiguration" && api_version.starts_with("apiserver.config.k8s.io/") {
            return self.admission_configuration(root);
        }
        let known_version = api_version
            .strip_prefix(GROUP)
            .and_then(|v| v.strip_prefix('/'))
            .is_some_and(|v| VERSIONS.contains(&v));
        if kind != "PodSecurityConfiguration" || !known_version {
            return self.fail(
                root,
                format!(
                    "expected kind PodSecurityConfiguration in {GROUP}/v1 (or v1beta1, v1alpha1), \
                     or an AdmissionConfiguration; found kind {kind:?} in {api_version:?}"
                ),
            );
        }
        self.fields(root, "", &["apiVersion", "kind", "defaults", "exemptions"])?;
        let mut config = PodSecurityConfiguration::default();
        if let Some(defaults) = present(root, "defaults") {
            config.defaults = self.defaults(defaults)?;
        }
        if let Some(exemptions) = present(root, "exemptions") {
            config.exemptions = self.exemptions(exemptions)?;
        }
        Ok(config)
    }

    /// The `configuration` of the `PodSecurity` plugin in an AdmissionConfiguration.
    fn admission_configuration(
        &self,
        root: &Node,
    ) -> Result<PodSecurityConfiguration, ConfigError> {
        let plugins = root.get("plugins").map(Node::items).unwrap_or_default();
        for plugin in plugins {
            if plugin.get("name").and_then(Node::as_str) != Some("PodSecurity") {
                continue;
            }
            return match present(plugin, "configuration") {
                Some(configuration) => self.configuration(configuration),
                None => self.fail(
                    plugin,
                    "the PodSecurity plugin has no inline configuration (a `path` is not followed)"
                        .to_owned(),
                ),
            };
        }
        self.fail(
            root,
            "the AdmissionConfiguration has no PodSecurity plugin".to_owned(),
        )
    }

    fn defaults(&self, node: &Node) -> Result<Policy, ConfigError> {
        const MODES: [&str; 6] = [
            "enforce",
            "enforce-version",
            "audit",
            "audit-version",
            "warn",
            "warn-version",
        ];
        self.fields(node, "defaults.", &MODES)?;
        let mut policy = Policy::default();
        for (mode, slot) in [
            ("enforce", &mut policy.enforce),
            ("audit", &mut policy.audit),
            ("warn", &mut policy.warn),
        ] {
            *slot = self.level_version(node, mode)?;
        }
        Ok(policy)
    }

    fn level_version(&self, defaults: &Node, mode: &str) -> Result<LevelVersion, ConfigError> {
        let mut lv = PRIVILEGED_LATEST;
        if let Some(level) = self.parsed(defaults, mode)? {
            lv.level = level;
        }
        if let Some(version) = self.parsed(defaults, &format!("{mode}-version"))? {
            lv.version = version;
        }
        Ok(lv)
    }

    /// `defaults.<key>` parsed, or `None` when absent or empty (the default stays).
    fn parsed<T: FromStr<Err = String>>(
        &self,
        defaults: &Node,
        key: &str,
    ) -> Result<Option<T>, ConfigError> {
        let Some(node) = present(defaults, key) else {
            return Ok(None);
        };
        let text = self.string(node, &format!("defaults.{key}"))?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).or_else(|message| {
            self.fail(
                node,
                format!("defaults.{key}: Invalid value: {text:?}: {message}"),
            )
        })
    }

    fn exemptions(&self, node: &Node) -> Result<Exemptions, ConfigError> {
        self.fields(
            node,
            "exemptions.",
            &["usernames", "namespaces", "runtimeClasses"],
        )?;
        Ok(Exemptions {
            usernames: self.names(node, "usernames", |name| {
                (name.is_empty()).then(|| "username must not be empty".to_owned())
            })?,
            namespaces: self.names(node, "namespaces", |name| {
                (!is_dns1123_label(name)).then(|| {
                    "a lowercase RFC 1123 label must consist of at most 63 lower case \
                     alphanumeric characters or '-', and must start and end with an \
                     alphanumeric character"
                        .to_owned()
                })
            })?,
            runtime_classes: self.names(node, "runtimeClasses", |name| {
                (!is_dns1123_subdomain(name)).then(|| {
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric \
                     characters, '-' or '.', and must start and end with an alphanumeric \
                     character"
                        .to_owned()
                })
            })?,
        })
    }

    /// A list of unique names, each checked by `invalid`.
    fn names(
        &self,
        parent: &Node,
        key: &str,
        invalid: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<String>, ConfigError> {
        let Some(list) = present(parent, key) else {
            return Ok(Vec::new());
        };
        let Some(items) = list.as_seq() else {
            return self.fail(
                list,
                format!("exemptions.{key}: expected a list of strings"),
            );
        };
        let mut names: Vec<String> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let field = format!("exemptions.{key}[{i}]");
            let name = if item.is_null() {
                ""
            } else {
                self.string(item, &field)?
            };
            if let Some(message) = invalid(name) {
                return self.fail(item, format!("{field}: Invalid value: {name:?}: {message}"));
            }
            if names.iter().any(|n| n == name) {
                return self.fail(item, format!("{field}: Duplicate value: {name:?}"));
            }
            names.push(name.to_owned());
        }
        Ok(names)
    }

    fn string<'n>(&self, node: &'n Node, field: &str) -> Result<&'n str, ConfigError> {
        match node.as_str() {
            Some(text) => Ok(text),
            None => self.fail(
                node,
                format!("{field}: expected a string, found a {}", node.type_name()),
            ),
        }
    }

    /// Refuses members other than `allowed` (strict decoding).
    fn fields(&self, node: &Node, prefix: &str, allowed: &[&str]) -> Result<(), ConfigError> {
        let Some(map) = node.as_map() else {
            return self.fail(
                node,
                format!(
                    "{}: expected a mapping, found a {}",
                    prefix.trim_end_matches('.'),
                    node.type_name()
                ),
            );
        };
        for (key, _) in map.iter() {
            if !allowed.contains(&key.name.as_str()) {
                return Err((self.error)(
                    key.pos,
                    format!("unknown field \"{prefix}{}\"", key.name),
                ));
            }
        }
        Ok(())
    }
}

/// Member `key` unless absent or `null`.
fn present<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key).filter(|n| !n.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<PodSecurityConfiguration, String> {
        PodSecurityConfiguration::from_bytes("config.yaml", text.as_bytes())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn reads_defaults_and_exemptions() {
        let config = read(
            "apiVersion: pod-security.admission.config.k8s.io/v1\n\
             kind: PodSecurityConfiguration\n\
             defaults:\n  enforce: baseline\n  enforce-version: v1.30\n  warn: restricted\n\
             exemptions:\n  usernames: [system:serviceaccount:kube-system:replicaset-controller]\n  namespaces: [kube-system]\n  runtimeClasses: [kata]\n",
        )
        .unwrap();
        assert_eq!(config.defaults.enforce.to_string(), "baseline:v1.30");
        assert_eq!(config.defaults.audit.to_string(), "privileged:latest");
        assert_eq!(config.defaults.warn.to_string(), "restricted:latest");
        assert!(config.exemptions.namespace("kube-system"));
        assert!(!config.exemptions.namespace(""));
        assert!(config.exemptions.runtime_class("kata"));
    }

    #[test]
    fn reads_the_plugin_entry_of_an_admission_configuration() {
        let config = read(
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n\
             - name: Other\n  configuration: {}\n\
             - name: PodSecurity\n  configuration:\n    apiVersion: pod-security.admission.config.k8s.io/v1beta1\n    kind: PodSecurityConfiguration\n    defaults: {enforce: restricted}\n",
        )
        .unwrap();
        assert_eq!(config.defaults.enforce.to_string(), "restricted:latest");
    }

    #[test]
    fn refuses_unknown_fields_bad_values_and_duplicates_with_their_line() {
        let head =
            "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n";
        assert_eq!(
            read(&format!("{head}exemption:\n  namespaces: [a]\n")).unwrap_err(),
            "config.yaml:3:1: unknown field \"exemption\""
        );
        assert_eq!(
            read(&format!("{head}defaults:\n  enforce: Baseline\n")).unwrap_err(),
            "config.yaml:4:12: defaults.enforce: Invalid value: \"Baseline\": must be one of privileged, baseline, restricted"
        );
        assert_eq!(
            read(&format!("{head}exemptions:\n  namespaces: [a, a]\n")).unwrap_err(),
            "config.yaml:4:19: exemptions.namespaces[1]: Duplicate value: \"a\""
        );
        assert!(
            read(&format!("{head}exemptions:\n  namespaces: [Kube]\n"))
                .unwrap_err()
                .contains("exemptions.namespaces[0]: Invalid value: \"Kube\"")
        );
        assert!(
            read("apiVersion: v1\nkind: ConfigMap\n")
                .unwrap_err()
                .contains("found kind \"ConfigMap\"")
        );
    }
}
