//! One module per subcommand.

pub mod inventory;
pub mod netpol;
pub mod rbac;
pub mod rules;
pub mod scan;
