//! One module per subcommand.

pub mod admit;
pub mod certs;
pub mod fix;
pub mod harden;
pub mod inventory;
pub mod netpol;
pub mod policy;
pub mod rbac;
pub mod rules;
pub mod scan;
pub mod serve;
pub mod simulate;
pub mod test;
