//! Gatekeeper's CEL engine (`K8sNativeValidation`): read a template's CEL
//! ([`NativeSource::from_template`]), evaluate it as Gatekeeper's k8scel
//! driver does ([`evaluate`]), or turn template and constraint into the
//! ValidatingAdmissionPolicy and binding Gatekeeper generates
//! ([`template_to_policy`], [`constraint_to_binding`]) to evaluate them
//! through [`crate::vap`] as the API server would ([`GeneratedVap`] does
//! both for one template and constraint).

mod driver;
mod source;
mod to_vap;

pub use driver::{decisions, evaluate};
pub use source::{
    ANY_OBJECT_EXPRESSION, ENGINE, NativeSource, PARAMS_EXPRESSION, RESERVED_PREFIX,
    gatekeeper_variables,
};
pub use to_vap::{
    CONSTRAINT_API_VERSION, GeneratedVap, VapOptions, constraint_to_binding, template_to_policy,
};
