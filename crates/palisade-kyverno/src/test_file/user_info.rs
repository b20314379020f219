//! The user-info file (`apis/v1alpha1/user_info.go`, kind `UserInfo`): the
//! requesting user `kyverno test` puts into `request.userInfo`, with the
//! `roles` and `clusterRoles` a cluster would have resolved for it.

use std::path::Path;

use super::LoadError;
use super::document::{Decoder, read_single};
use crate::Json;

/// A user-info file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserInfo {
    /// The user with its roles, as rules' `subjects`/`roles` match them.
    pub user: crate::matching::UserInfo,
    /// `userInfo` as written (username, uid, groups, extra), for `request.userInfo`.
    pub user_info: Json,
}

/// Reads one user-info file (strictly: unknown fields are errors).
pub fn read_user_info(path: &Path) -> Result<UserInfo, LoadError> {
    let root = read_single(path)?;
    let d = Decoder { file: path };
    let map = d.object(
        &root,
        "userinfo",
        &[
            "apiVersion",
            "kind",
            "metadata",
            "roles",
            "clusterRoles",
            "userInfo",
        ],
    )?;
    let mut info = UserInfo {
        user: crate::matching::UserInfo {
            roles: d.strings(map, "roles", "userinfo")?,
            cluster_roles: d.strings(map, "clusterRoles", "userinfo")?,
            ..Default::default()
        },
        user_info: Json::Object(Default::default()),
    };
    if let Some(user) = map.get("userInfo").filter(|n| !n.is_null()) {
        let user_map = d.object(user, "userInfo", &["username", "uid", "groups", "extra"])?;
        info.user.username = d
            .string(user_map, "username", "userInfo")?
            .unwrap_or_default();
        info.user.groups = d.strings(user_map, "groups", "userInfo")?;
        info.user_info = user.to_json();
    }
    Ok(info)
}
