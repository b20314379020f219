//! `hygiene/`: API versions, namespaces, selectors, service accounts and metadata.

use crate::Group;

crate::checks! {}

pub const GROUP: Group = Group {
    name: "hygiene",
    description: "API versions, namespaces, selectors, service accounts and metadata",
    checks: CHECKS,
};
