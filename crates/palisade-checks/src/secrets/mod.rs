//! `secrets/`: secrets in manifests (group C of the catalogue): Secrets read
//! through the environment, hard-coded credentials in env values and
//! ConfigMaps, Secret objects with real data, and env references to Secrets
//! and ConfigMaps the input does not hold.
//!
//! The judgement of whether a value is a credential is shared by the rules and
//! lives beside them: [`detection`] combines provider shapes ([`providers`]),
//! key names ([`key_names`]), what counts as a literal ([`literal`]) and
//! entropy ([`entropy`]); [`redact`] is how every finding shows a value.
//!
//! Duplicate env var names (C5 of the catalogue) are not a secrets question
//! and belong with hygiene.

use crate::Group;

mod detection;
mod entropy;
mod env;
mod go_base64;
mod key_names;
mod literal;
mod providers;
mod redact;

crate::checks! {
    env_var_secret,
    hardcoded_credential,
    configmap_credential,
    committed_secret,
    env_source_not_found,
}

pub const GROUP: Group = Group {
    name: "secrets",
    description: "secrets in manifests: Secrets read through the environment, hard-coded credentials, committed Secret data",
    checks: CHECKS,
    check_options: crate::group::no_options,
};
