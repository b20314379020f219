//! Palisade's core: the object model every analyzer shares.
//!
//! It owns loading manifests the way kubectl reads them (with the file, line and
//! column of every value), the immutable [`Inventory`] built once per run, pod
//! template extraction for every workload kind, label selectors, accepted-finding
//! lists, the one [`Finding`] type, and the analyzer contract: [`Rule`],
//! [`Analyzer`] and the [`Registry`] every front end runs. Its only analyzer is
//! [`YamlNotes`], which reports what the loader noticed while reading. It prints
//! nothing.

pub mod accept;
pub mod analyzer;
pub mod finding;
pub mod inventory;
pub mod load;
pub mod node;
pub mod object;
pub mod pod_template;
pub mod rule;
pub mod selector;
#[doc(hidden)]
pub mod shared_data;
pub mod yaml_notes;

pub use accept::{AcceptList, Acceptance, Accepted};
pub use analyzer::{Analyzer, Fact, Options, Registry};
pub use finding::{Enforcement, Finding, Location, Severity};
pub use inventory::{Inventory, NAMESPACE_NAME_LABEL, NamespaceInfo};
pub use load::{FileLoad, Input, Limits, LoadError, Loaded, load_bytes, load_inputs};
pub use node::{Key, Map, Node, Pos, Value};
pub use object::{Object, ObjectRef, SourceRef, string_entries};
pub use pod_template::{PodTemplate, pod_templates};
pub use rule::{Rule, RuleDocs};
pub use selector::{LabelSelector, Operator, Requirement};
pub use yaml_notes::YamlNotes;
