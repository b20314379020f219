//! Who is asking: the username and groups RBAC sees (SPEC §5.1, §10.1).
//!
//! An offline engine has no authenticator, so it synthesizes the groups that
//! authentication would add. `UserInfo::exact` takes groups as given (the
//! conformance cases specify identities exactly); `UserInfo::as_impersonated`
//! is what `--as`/`--as-group` yield through the API server's impersonation.

use serde::Serialize;

use crate::model::service_account_username;

pub const AUTHENTICATED: &str = "system:authenticated";
pub const UNAUTHENTICATED: &str = "system:unauthenticated";
pub const ANONYMOUS: &str = "system:anonymous";
pub const MASTERS: &str = "system:masters";
pub const SERVICE_ACCOUNTS: &str = "system:serviceaccounts";
const SA_PREFIX: &str = "system:serviceaccount:";

/// A username and its groups.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// Exactly this name and these groups; nothing is added.
    pub fn exact(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.to_owned(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }

    /// A ServiceAccount as the token authenticator presents it.
    pub fn service_account(namespace: &str, name: &str) -> UserInfo {
        UserInfo {
            name: service_account_username(namespace, name),
            groups: vec![
                SERVICE_ACCOUNTS.to_owned(),
                format!("{SERVICE_ACCOUNTS}:{namespace}"),
                AUTHENTICATED.to_owned(),
            ],
        }
    }

    pub fn anonymous() -> UserInfo {
        UserInfo {
            name: ANONYMOUS.to_owned(),
            groups: vec![UNAUTHENTICATED.to_owned()],
        }
    }

    /// The identity the API server builds from `Impersonate-User`/`-Group`
    /// headers, as `kubectl --as USER --as-group G...` sends them (SPEC §10.1):
    /// requested groups replace real ones; an SA user with no groups gets the SA
    /// groups; `system:authenticated` is appended unless an (un)authenticated group
    /// is already there; `system:anonymous` gets `system:unauthenticated` instead.
    pub fn as_impersonated(user: &str, groups: &[String]) -> UserInfo {
        let mut out: Vec<String> = Vec::new();
        if groups.is_empty()
            && let Some((ns, _)) = parse_service_account(user)
        {
            out.push(SERVICE_ACCOUNTS.to_owned());
            out.push(format!("{SERVICE_ACCOUNTS}:{ns}"));
        }
        out.extend(groups.iter().cloned());
        if user == ANONYMOUS {
            if !out.iter().any(|g| g == UNAUTHENTICATED) {
                out.push(UNAUTHENTICATED.to_owned());
            }
        } else if !out
            .iter()
            .any(|g| g == AUTHENTICATED || g == UNAUTHENTICATED)
        {
            out.push(AUTHENTICATED.to_owned());
        }
        UserInfo {
            name: user.to_owned(),
            groups: out,
        }
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// Members of `system:masters` pass every authorization and escalation check (SPEC §5.2).
    pub fn is_privileged(&self) -> bool {
        self.in_group(MASTERS)
    }
}

/// Splits `system:serviceaccount:NS:NAME` into (NS, NAME); both must be non-empty
/// and NAME must not contain `:` (upstream's SplitUsername).
pub fn parse_service_account(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix(SA_PREFIX)?;
    let (ns, name) = rest.split_once(':')?;
    if ns.is_empty() || name.is_empty() || name.contains(':') {
        return None;
    }
    Some((ns, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impersonated_service_account_gets_sa_groups_unless_groups_given() {
        let sa = UserInfo::as_impersonated("system:serviceaccount:ns:x", &[]);
        assert_eq!(
            sa.groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:ns",
                "system:authenticated"
            ]
        );
        let with_group = UserInfo::as_impersonated("system:serviceaccount:ns:x", &["g".to_owned()]);
        assert_eq!(with_group.groups, ["g", "system:authenticated"]);
    }

    #[test]
    fn anonymous_and_explicit_unauthenticated_are_not_authenticated() {
        assert_eq!(
            UserInfo::as_impersonated(ANONYMOUS, &[]).groups,
            [UNAUTHENTICATED]
        );
        let u = UserInfo::as_impersonated("bob", &[UNAUTHENTICATED.to_owned()]);
        assert_eq!(u.groups, [UNAUTHENTICATED]);
        assert_eq!(
            UserInfo::as_impersonated("bob", &[]).groups,
            [AUTHENTICATED]
        );
    }

    #[test]
    fn service_account_usernames_parse_strictly() {
        assert_eq!(
            parse_service_account("system:serviceaccount:a:b"),
            Some(("a", "b"))
        );
        assert_eq!(parse_service_account("system:serviceaccount:a:b:c"), None);
        assert_eq!(parse_service_account("system:serviceaccount::b"), None);
        assert_eq!(parse_service_account("system:serviceaccounts:a"), None);
    }
}
