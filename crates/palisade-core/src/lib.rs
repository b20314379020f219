//! Palisade's core: the object model every analyzer shares.
//!
//! It owns the positioned object tree ([`Node`], with the file, line and column
//! of every value), [`Object`], the immutable [`Inventory`] built once per run,
//! pod template extraction for every workload kind, label selectors,
//! accepted-finding lists, the one [`Finding`] type, and the analyzer contract:
//! [`Rule`], [`Analyzer`] and the [`Registry`] every front end runs. Its only
//! analyzer is [`YamlNotes`], which reports what a reader noticed while reading.
//! It reads no input and prints nothing: the sources of objects sit beside it
//! (`palisade-load` reads manifests as kubectl does; a live cluster and the
//! webhook's AdmissionReview are the next ones).

pub mod accept;
pub mod analyzer;
pub mod api_resources;
pub mod finding;
pub mod go_duration;
pub mod go_text;
pub mod inventory;
pub mod key_name;
pub mod names;
pub mod node;
mod node_de;
pub mod object;
pub mod placement;
pub mod pod_template;
pub mod policy_test;
pub mod rule;
pub mod selector;
#[doc(hidden)]
pub mod shared_data;
pub mod yaml_notes;

pub use accept::{AcceptList, Acceptance, Accepted};
pub use analyzer::{Analyzer, Fact, Options, Registry};
pub use finding::{Enforcement, Finding, Location, Severity, Suppression};
pub use inventory::{Inventory, NAMESPACE_NAME_LABEL, NamespaceInfo};
pub use key_name::{KeyName, key_name};
pub use node::{CompactString, Key, Map, Node, Pos, Value};
pub use object::{Object, ObjectRef, SourceRef, string_entries};
pub use placement::{NamespaceMismatch, Placement, place};
pub use pod_template::{PodTemplate, pod_templates};
pub use rule::{Rule, RuleDocs};
pub use selector::{LabelSelector, Operator, Requirement};
pub use yaml_notes::YamlNotes;
