//! Which fields are security controls: a wrong type or a typo there silently
//! turns a control off (Pod Security reads `privileged: "true"` as absent), so
//! findings under them are high.

/// Pod and container fields that grant or restrict privilege, lower-cased.
const SECURITY_FIELDS: &[&str] = &[
    "securitycontext",
    "privileged",
    "allowprivilegeescalation",
    "capabilities",
    "runasnonroot",
    "runasuser",
    "runasgroup",
    "readonlyrootfilesystem",
    "seccompprofile",
    "apparmorprofile",
    "selinuxoptions",
    "procmount",
    "sysctls",
    "hostnetwork",
    "hostpid",
    "hostipc",
    "hostusers",
    "hostpath",
    "hostport",
    "shareprocessnamespace",
    "automountserviceaccounttoken",
];

/// True for a field name (any case) that is a security control.
pub fn is_security_field(name: &str) -> bool {
    SECURITY_FIELDS
        .iter()
        .any(|field| field.eq_ignore_ascii_case(name))
}

/// True for an unknown field name that is a security control written with the
/// wrong case or a small typo (`hostNetwrok`, `automountServiceAccountTokens`):
/// the control it was meant to set is off.
pub fn resembles_security_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECURITY_FIELDS.iter().any(|field| {
        *field == lower || (field.len() >= 8 && strsim::levenshtein(field, &lower) <= 2)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_of_controls_are_security_fields() {
        assert!(is_security_field("securityContext"));
        assert!(!is_security_field("image"));
        assert!(resembles_security_field("hostNetwrok"));
        assert!(resembles_security_field("runAsNonroot"));
        assert!(resembles_security_field("automountServiceAccountTokens"));
        assert!(!resembles_security_field("replicas"));
        assert!(!resembles_security_field("hostname"));
    }
}
