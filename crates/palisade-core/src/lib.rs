//! Palisade's core: the object model every analyzer shares.
//!
//! It owns loading manifests the way kubectl reads them (with the file, line and
//! column of every value), the immutable [`Inventory`] built once per run, pod
//! template extraction for every workload kind, label selectors, accepted-finding
//! lists, and the one [`Finding`] type. It
//! does no analysis and prints nothing.

pub mod accept;
pub mod finding;
pub mod inventory;
pub mod load;
pub mod node;
pub mod object;
pub mod pod_template;
pub mod selector;
#[doc(hidden)]
pub mod shared_data;

pub use accept::{AcceptList, Acceptance, Accepted};
pub use finding::{Finding, Severity};
pub use inventory::{Inventory, NAMESPACE_NAME_LABEL, NamespaceInfo};
pub use load::{FileLoad, Input, Limits, LoadError, Loaded, load_bytes, load_inputs};
pub use node::{Key, Map, Node, Pos, Value};
pub use object::{Object, ObjectRef, SourceRef, string_entries};
pub use pod_template::{PodTemplate, pod_templates};
pub use selector::{LabelSelector, Operator, Requirement};
