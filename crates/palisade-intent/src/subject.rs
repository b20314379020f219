//! Who asks: an expectation's subject, or `simulate --as`, as the identity the
//! API server's authenticator or impersonation would present to RBAC.

use palisade_rbac::UserInfo;

use crate::model::Subject;

/// The identity RBAC sees for an expectation's subject: a user is
/// authenticated (`system:authenticated` is added, as for every non-anonymous
/// user); a ServiceAccount carries its token's groups.
pub fn user_info(subject: &Subject) -> UserInfo {
    match subject {
        Subject::User { name, groups } => UserInfo::as_impersonated(name, groups),
        Subject::ServiceAccount { namespace, name } => UserInfo::service_account(namespace, name),
    }
}

/// `--as USER --as-group G...` as kubectl sends them: given groups replace a
/// ServiceAccount's own, and `system:authenticated` is implied for every
/// non-anonymous user (upstream's impersonation filter).
pub fn impersonated(user: &str, groups: &[String]) -> UserInfo {
    UserInfo::as_impersonated(user, groups)
}

/// `alice (groups developers, system:authenticated)`.
pub fn describe(user: &UserInfo) -> String {
    if user.groups.is_empty() {
        user.name.clone()
    } else {
        format!("{} (groups {})", user.name, user.groups.join(", "))
    }
}
