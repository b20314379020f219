//! The Kubernetes CEL libraries, taken from `kube-cel` and made callable from
//! `cel` 0.15.
//!
//! Why a bridge: `kube-cel` 0.8.0 is built against `cel` 0.13 (its
//! `KubeCelExt` registers into a `cel` 0.13 `Context`), while Palisade
//! evaluates with `cel` 0.15, whose interpreter fixes comprehension and
//! `has()` behaviour that Kubernetes parity depends on. The two `Context`
//! types are unrelated, so each library function is registered in the 0.15
//! context under its Kubernetes name and, when called, converts its receiver
//! and arguments to 0.13 values, runs the same call in a per-thread 0.13
//! context that has `kube-cel`'s functions, and converts the result back.
//! Library values without a plain CEL form (`Quantity`, `IP`, `CIDR`, `URL`,
//! `Semver`) travel through 0.15 as [`KubeOpaque`], wrapping the 0.13 value.
//!
//! Functions that `cel` 0.15 already provides through its own extension
//! libraries (strings, lists, math, encoders: `join`, `lowerAscii`,
//! `replace`, `split`, `indexOf` on strings, `format`, ...) are left to 0.15;
//! [`BRIDGED`] lists what comes from `kube-cel`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use cel::common::types::{DYN_TYPE, LIST_TYPE};
use cel::common::value::{CowVal, Val};
use cel::objects::{Key, Map};
use cel::{Context, Env, ExecutionError, FunctionContext, ResolveResult, Value};
use kube_cel::KubeCelExt;
use kube_cel::cel as cel13;

/// The `kube-cel` functions made available, by CEL name. The list is the
/// Kubernetes library surface (regex, URLs, IP/CIDR, semver, quantity, sets,
/// named formats, `jsonpatch`, the list helpers `cel` 0.15 lacks, and the
/// comparison/arithmetic members shared by quantity and semver).
pub const BRIDGED: &[&str] = &[
    // regex (k8s.io/apiserver/pkg/cel/library/regex.go)
    "find",
    "findAll",
    // lists (k8s library: isSorted, sum, min, max, indexOf/lastIndexOf on lists)
    "isSorted",
    "sum",
    "min",
    "max",
    // sets
    "sets.contains",
    "sets.equivalent",
    "sets.intersects",
    // urls
    "url",
    "isURL",
    "getScheme",
    "getHost",
    "getHostname",
    "getPort",
    "getEscapedPath",
    "getQuery",
    // ip / cidr
    "ip",
    "isIP",
    "ip.isCanonical",
    "family",
    "isLoopback",
    "isUnspecified",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isGlobalUnicast",
    "isIPv4",
    "isIPv6",
    "cidr",
    "isCIDR",
    "containsIP",
    "containsCIDR",
    "prefixLength",
    "masked",
    // semver
    "semver",
    "isSemver",
    "major",
    "minor",
    "patch",
    // quantity
    "quantity",
    "isQuantity",
    "isInteger",
    "asInteger",
    "asApproximateFloat",
    "sign",
    "add",
    "sub",
    // shared by quantity and semver
    "isGreaterThan",
    "isLessThan",
    "compareTo",
    // named formats (k8s format library)
    "format.dns1123Label",
    "format.dns1123Subdomain",
    "format.dns1035Label",
    "format.dns1035LabelPrefix",
    "format.dns1123LabelPrefix",
    "format.dns1123SubdomainPrefix",
    "format.qualifiedName",
    "format.labelValue",
    "format.uri",
    "format.uuid",
    "format.byte",
    "format.date",
    "format.datetime",
    "format.named",
    "validate",
    // jsonpatch
    "jsonpatch.escapeKey",
];

/// The form of a function registered on a `Context`: the closure keeps the
/// full Kubernetes name, which the call itself does not carry (a qualified
/// function such as `sets.contains` is told only `contains`).
type ContextFunction = Box<
    dyn for<'c, 'call> Fn(
            &mut FunctionContext<'c, 'call>,
        ) -> Result<CowVal<'c, 'call>, ExecutionError>
        + Send
        + Sync,
>;

/// Registers the bridged functions on an evaluation context.
pub fn register(ctx: &mut Context<'_, '_>) {
    for name in BRIDGED {
        let f: ContextFunction = Box::new(move |ftx| {
            let this = ftx.this.clone();
            let args = std::mem::take(&mut ftx.args);
            bridge(name, this, args)
        });
        // An `Err` means 0.15 declares the name itself: its overloads stay.
        let _ = ctx.add_function(name, f);
    }
}

/// Declares on `env` the Kubernetes forms of names that `cel` 0.15 declares
/// for other types: `indexOf`/`lastIndexOf` on lists, and `string()` of
/// library values (`string(ip('10.0.0.1'))`). The 0.15 overloads were
/// declared first and so are tried first.
pub fn register_fallbacks(env: &mut Env) {
    // These ids and signatures are new to the environment, so declaring them
    // cannot fail; if it did, the form would stay undeclared ("no such
    // overload"), never give a wrong result.
    let _ = env.add_member_overload(
        "indexOf",
        "palisade_kube_list_indexOf",
        LIST_TYPE,
        vec![DYN_TYPE],
        list_index_of,
    );
    let _ = env.add_member_overload(
        "lastIndexOf",
        "palisade_kube_list_lastIndexOf",
        LIST_TYPE,
        vec![DYN_TYPE],
        list_last_index_of,
    );
    let _ = env.add_overload("string", "palisade_kube_string", vec![DYN_TYPE], string_of);
}

fn list_index_of<'b, 'v>(mut args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let this = (!args.is_empty()).then(|| args.remove(0));
    bridge("indexOf", this, args)
}

fn list_last_index_of<'b, 'v>(
    mut args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let this = (!args.is_empty()).then(|| args.remove(0));
    bridge("lastIndexOf", this, args)
}

fn string_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    bridge("string", None, args)
}

/// A `kube-cel` (cel 0.13) library value carried through a cel 0.15
/// evaluation: quantities, IPs, CIDRs, URLs, semvers.
#[derive(Clone)]
pub struct KubeOpaque(pub Arc<dyn cel13::objects::Opaque>);

impl fmt::Debug for KubeOpaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0.as_debug())
    }
}

impl PartialEq for KubeOpaque {
    fn eq(&self, other: &Self) -> bool {
        self.0.opaque_eq(other.0.as_ref())
    }
}

impl Eq for KubeOpaque {}

impl cel::objects::Opaque for KubeOpaque {
    fn runtime_type_name(&self) -> &str {
        self.0.runtime_type_name()
    }
}

/// Every bridged call lands here: `name` is the full Kubernetes name.
fn bridge<'b, 'v>(
    name: &str,
    this: Option<CowVal<'_, '_>>,
    args: Vec<CowVal<'_, '_>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let this = match this {
        Some(t) => Some(to13(&Value::try_from(t.as_ref())?)?),
        None => None,
    };
    let mut args13 = Vec::with_capacity(args.len());
    for arg in &args {
        args13.push(to13(&Value::try_from(arg.as_ref())?)?);
    }
    let result = KUBE.with(|rt| rt.call(name, this, args13))?;
    let value: Box<dyn Val> = from13(&result)?.try_into()?;
    Ok(CowVal::Owned(value))
}

thread_local! {
    /// The 0.13 runtime, one per thread: a 0.13 `Context` is not `Sync`, and
    /// building one registers some 150 functions, too costly per call.
    static KUBE: KubeRuntime = KubeRuntime::new();
}

struct KubeRuntime {
    ctx: cel13::Context<'static>,
    /// Call programs by (function, is a member call, argument count).
    programs: RefCell<HashMap<(String, bool, usize), Rc<cel13::Program>>>,
}

const THIS: &str = "palisadeKubeThis";
const ARG: &str = "palisadeKubeArg";

impl KubeRuntime {
    fn new() -> KubeRuntime {
        KubeRuntime {
            ctx: cel13::Context::default().with_all(),
            programs: RefCell::new(HashMap::new()),
        }
    }

    fn program(
        &self,
        name: &str,
        member: bool,
        argc: usize,
    ) -> Result<Rc<cel13::Program>, ExecutionError> {
        let key = (name.to_owned(), member, argc);
        if let Some(p) = self.programs.borrow().get(&key) {
            return Ok(p.clone());
        }
        let args: Vec<String> = (0..argc).map(|i| format!("{ARG}{i}")).collect();
        let source = if member {
            format!("{THIS}.{name}({})", args.join(", "))
        } else {
            format!("{name}({})", args.join(", "))
        };
        let program = cel13::Program::compile(&source)
            .map(Rc::new)
            .map_err(|e| ExecutionError::function_error(name, e.to_string()))?;
        self.programs.borrow_mut().insert(key, program.clone());
        Ok(program)
    }

    fn call(
        &self,
        name: &str,
        this: Option<cel13::Value>,
        args: Vec<cel13::Value>,
    ) -> Result<cel13::Value, ExecutionError> {
        let program = self.program(name, this.is_some(), args.len())?;
        let mut scope = self.ctx.new_inner_scope();
        if let Some(this) = this {
            scope.add_variable_from_value(THIS, this);
        }
        for (i, arg) in args.into_iter().enumerate() {
            scope.add_variable_from_value(format!("{ARG}{i}"), arg);
        }
        program.execute(&scope).map_err(|e| match e {
            // Keep the library's own message ("invalid quantity ..."), as
            // cel-go reports a library function's error text.
            cel13::ExecutionError::FunctionError { function, message } => {
                ExecutionError::FunctionError { function, message }
            }
            other => ExecutionError::function_error(name, other.to_string()),
        })
    }
}

/// A cel 0.15 value as a cel 0.13 value.
fn to13(value: &Value) -> Result<cel13::Value, ExecutionError> {
    use cel13::objects::{Key as Key13, Map as Map13};
    Ok(match value {
        Value::Null => cel13::Value::Null,
        Value::Bool(b) => cel13::Value::Bool(*b),
        Value::Int(i) => cel13::Value::Int(*i),
        Value::UInt(u) => cel13::Value::UInt(*u),
        Value::Float(f) => cel13::Value::Float(*f),
        Value::String(s) => cel13::Value::String(s.clone()),
        Value::Bytes(b) => cel13::Value::Bytes(b.clone()),
        Value::Duration(d) => cel13::Value::Duration(*d),
        Value::Timestamp(t) => cel13::Value::Timestamp(*t),
        Value::List(items) => cel13::Value::List(Arc::new(
            items.iter().map(to13).collect::<Result<Vec<_>, _>>()?,
        )),
        Value::Map(map) => {
            let mut out = HashMap::with_capacity(map.map.len());
            for (k, v) in map.map.iter() {
                let key = match k {
                    Key::Int(i) => Key13::Int(*i),
                    Key::Uint(u) => Key13::Uint(*u),
                    Key::Bool(b) => Key13::Bool(*b),
                    Key::String(s) => Key13::String(s.clone()),
                };
                out.insert(key, to13(v)?);
            }
            cel13::Value::Map(Map13 { map: Arc::new(out) })
        }
        Value::Opaque(o) => {
            if let Some(k) = o.downcast_ref::<KubeOpaque>() {
                cel13::Value::Opaque(k.0.clone())
            } else if let Some(opt) = o.downcast_ref::<cel::objects::OptionalValue>() {
                let inner = match opt.value() {
                    Some(v) => cel13::objects::OptionalValue::of(to13(v)?),
                    None => cel13::objects::OptionalValue::none(),
                };
                cel13::Value::Opaque(Arc::new(inner))
            } else {
                return Err(unsupported(value));
            }
        }
        other => return Err(unsupported(other)),
    })
}

/// A cel 0.13 value as a cel 0.15 value.
fn from13(value: &cel13::Value) -> ResolveResult {
    use cel13::objects::Key as Key13;
    Ok(match value {
        cel13::Value::Null => Value::Null,
        cel13::Value::Bool(b) => Value::Bool(*b),
        cel13::Value::Int(i) => Value::Int(*i),
        cel13::Value::UInt(u) => Value::UInt(*u),
        cel13::Value::Float(f) => Value::Float(*f),
        cel13::Value::String(s) => Value::String(s.clone()),
        cel13::Value::Bytes(b) => Value::Bytes(b.clone()),
        cel13::Value::Duration(d) => Value::Duration(*d),
        cel13::Value::Timestamp(t) => Value::Timestamp(*t),
        cel13::Value::List(items) => Value::List(Arc::new(
            items.iter().map(from13).collect::<Result<Vec<_>, _>>()?,
        )),
        cel13::Value::Map(map) => {
            let mut out = HashMap::with_capacity(map.map.len());
            for (k, v) in map.map.iter() {
                let key = match k {
                    Key13::Int(i) => Key::Int(*i),
                    Key13::Uint(u) => Key::Uint(*u),
                    Key13::Bool(b) => Key::Bool(*b),
                    Key13::String(s) => Key::String(s.clone()),
                };
                out.insert(key, from13(v)?);
            }
            Value::Map(Map { map: Arc::new(out) })
        }
        cel13::Value::Opaque(o) => match o.downcast_ref::<cel13::objects::OptionalValue>() {
            // Optionals are CEL's own type: 0.15 must see its own optional.
            Some(opt) => Value::Opaque(Arc::new(match opt.value() {
                Some(v) => cel::objects::OptionalValue::of(from13(v)?),
                None => cel::objects::OptionalValue::none(),
            })),
            None => Value::Opaque(Arc::new(KubeOpaque(o.clone()))),
        },
        cel13::Value::Function(name, _) => {
            return Err(ExecutionError::function_error(
                name,
                "a function is not a value",
            ));
        }
    })
}

fn unsupported(value: &Value) -> ExecutionError {
    ExecutionError::function_error(
        "kube-cel",
        format!(
            "a {} value cannot be passed to a Kubernetes library function",
            crate::convert::type_name(value)
        ),
    )
}
