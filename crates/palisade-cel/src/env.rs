//! The CEL environment of Kubernetes admission: compiling an expression once,
//! and evaluating it against an admission request's variables (`object`,
//! `oldObject`, `request`, `params`, `namespaceObject`) and a policy's
//! composited `variables`.
//!
//! Engine: `cel` 0.15 with its strings, lists, math and encoders extensions,
//! plus the Kubernetes libraries from `kube-cel` (see [`crate::kube_lib`]).
//!
//! Differences from the API server that callers should know:
//! - No type checking: Kubernetes compiles against the resource's schema and
//!   rejects some expressions up front (wrong field types, non-bool
//!   validations); here such mistakes surface at evaluation, as errors.
//! - No cost model: `cel` 0.15 neither meters cost nor can be interrupted.
//!   Instead each evaluation may run at most a fixed number of comprehension
//!   iterations ([`Scope::set_iteration_limit`], by default
//!   [`crate::compat::DEFAULT_ITERATION_LIMIT`]), past which it fails with
//!   cel-go's `operation cancelled: actual cost limit exceeded`. CEL has no
//!   other loops, so this bounds the time of any expression by its size and
//!   its inputs. The API server's cost estimates (which reject some
//!   expressions at creation) and its per-binding budget are not modelled.
//! - `authorizer` (and `authorizer.requestResource`) needs a live authorizer:
//!   an expression that refers to it fails to compile ([`CompileError`])
//!   instead of passing silently.
//! - Composited variables are evaluated in order, eagerly, when bound with
//!   [`Scope::bind_variables`]. The API server evaluates them lazily; the
//!   difference shows only when a variable errors, and is covered: a failed
//!   variable is remembered, and an expression that reads it fails with that
//!   variable's error, as it would upstream. (`has(variables.x)` of a failed
//!   variable is `false` here rather than an error.)

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use cel::common::ast::IdedExpr;
use cel::objects::{Key, Map};
use cel::{Context, Env, ExecutionError, Value};

use crate::convert::{json_to_cel, node_to_cel};

/// The shared environment: built once, read by every thread.
fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Each registration can only fail on a name clash inside `cel` itself,
        // which would be a bug of that crate: the environment then lacks the
        // library and expressions that use it fail with "no such overload".
        let _ = env.add_extension(cel::extensions::strings);
        let _ = env.add_extension(cel::extensions::lists);
        let _ = env.add_extension(cel::extensions::math);
        let _ = env.add_extension(cel::extensions::encoders);
        crate::kube_lib::register_fallbacks(&mut env);
        crate::compat::register(&mut env);
        // cel-go (and so Kubernetes) keeps the last of repeated map literal keys.
        env.set_error_on_duplicate_map_keys(false);
        Arc::new(env)
    })
}

/// The variables that cannot be evaluated offline.
const UNSUPPORTED_VARIABLES: &[&str] = &["authorizer"];

/// A compiled CEL expression. Cheap to clone and shareable across threads
/// (`Send + Sync`): the parsed program sits behind an `Arc`.
#[derive(Clone)]
pub struct Expression {
    source: Arc<str>,
    /// The parsed expression, macros expanded and `has()` rewritten
    /// ([`crate::compat`]).
    ast: Arc<IdedExpr>,
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

/// An expression that did not compile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("compilation failed: {message}")]
pub struct CompileError {
    pub expression: String,
    pub message: String,
}

/// An expression that failed while evaluating. `Display` is the API server's
/// text: `expression '<source>' resulted in error: <cause>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expression '{expression}' resulted in error: {message}")]
pub struct EvalError {
    pub expression: String,
    pub message: String,
}

impl Expression {
    /// Parses `source` (macros expanded). Refers to `authorizer`: an error.
    pub fn compile(source: &str) -> Result<Expression, CompileError> {
        let mut ast = env().parser().parse(source).map_err(|e| CompileError {
            expression: source.to_owned(),
            message: e.to_string(),
        })?;
        let refs = ast.references();
        for name in UNSUPPORTED_VARIABLES {
            if refs.has_variable(name) {
                return Err(CompileError {
                    expression: source.to_owned(),
                    message: format!(
                        "the variable '{name}' is not supported offline (it needs the cluster's authorizer)"
                    ),
                });
            }
        }
        crate::compat::rewrite(&mut ast);
        Ok(Expression {
            source: source.into(),
            ast: Arc::new(ast),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates against `scope`.
    pub fn eval(&self, scope: &Scope) -> Result<Value, EvalError> {
        scope.eval(self)
    }
}

/// The admission variables, as CEL values. `Null` stands for "not set" (as
/// `oldObject` on CREATE, `object` on DELETE, `params` without a paramKind).
#[derive(Clone, Debug)]
pub struct Activation {
    pub object: Value,
    pub old_object: Value,
    pub request: Value,
    pub params: Value,
    pub namespace_object: Value,
}

impl Default for Activation {
    fn default() -> Self {
        Activation {
            object: Value::Null,
            old_object: Value::Null,
            request: Value::Map(Map {
                map: Arc::new(HashMap::new()),
            }),
            params: Value::Null,
            namespace_object: Value::Null,
        }
    }
}

impl Activation {
    /// From JSON values; `None` leaves a variable null.
    pub fn from_json(
        object: Option<&serde_json::Value>,
        old_object: Option<&serde_json::Value>,
        request: &serde_json::Value,
        params: Option<&serde_json::Value>,
        namespace_object: Option<&serde_json::Value>,
    ) -> Activation {
        let opt = |v: Option<&serde_json::Value>| v.map(json_to_cel).unwrap_or(Value::Null);
        Activation {
            object: opt(object),
            old_object: opt(old_object),
            request: json_to_cel(request),
            params: opt(params),
            namespace_object: opt(namespace_object),
        }
    }

    /// The same from `Node`s.
    pub fn from_nodes(
        object: Option<&palisade_core::Node>,
        old_object: Option<&palisade_core::Node>,
        request: &palisade_core::Node,
        params: Option<&palisade_core::Node>,
        namespace_object: Option<&palisade_core::Node>,
    ) -> Activation {
        let opt = |v: Option<&palisade_core::Node>| v.map(node_to_cel).unwrap_or(Value::Null);
        Activation {
            object: opt(object),
            old_object: opt(old_object),
            request: node_to_cel(request),
            params: opt(params),
            namespace_object: opt(namespace_object),
        }
    }
}

/// A function registered with [`Scope::add_function`], in the form the
/// `cel` context takes.
type HostFunction = Box<
    dyn for<'c, 'call> Fn(
            &mut cel::FunctionContext<'c, 'call>,
        ) -> Result<cel::common::value::CowVal<'c, 'call>, ExecutionError>
        + Send
        + Sync,
>;

/// A named composited variable (`spec.variables[]`), compiled.
#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub expression: Expression,
}

/// One evaluation's variables: the admission variables, then the composited
/// `variables` as they are bound. Build one per request (and per param).
pub struct Scope {
    ctx: Context<'static, 'static>,
    variables: HashMap<Key, Value>,
    /// Composited variables that failed, with their error.
    failed: HashMap<String, String>,
    /// Comprehension iterations allowed per evaluation.
    iteration_limit: u64,
}

impl Scope {
    pub fn new(activation: &Activation) -> Scope {
        let mut ctx = Context::with_env(env().clone());
        crate::kube_lib::register(&mut ctx);
        ctx.add_variable_from_value("object", activation.object.clone());
        ctx.add_variable_from_value("oldObject", activation.old_object.clone());
        ctx.add_variable_from_value("request", activation.request.clone());
        ctx.add_variable_from_value("params", activation.params.clone());
        ctx.add_variable_from_value("namespaceObject", activation.namespace_object.clone());
        let mut scope = Scope {
            ctx,
            variables: HashMap::new(),
            failed: HashMap::new(),
            iteration_limit: crate::compat::DEFAULT_ITERATION_LIMIT,
        };
        scope.publish_variables();
        scope
    }

    fn publish_variables(&mut self) {
        let map = Value::Map(Map {
            map: Arc::new(self.variables.clone()),
        });
        self.ctx.add_variable_from_value("variables", map);
    }

    /// Evaluates the composited variables in order; each sees the ones
    /// before it. A failing variable does not stop the others (upstream
    /// evaluates lazily, so only the expressions that read it fail).
    pub fn bind_variables(&mut self, variables: &[Variable]) {
        for v in variables {
            match self.eval(&v.expression) {
                Ok(value) => {
                    self.failed.remove(&v.name);
                    self.variables
                        .insert(Key::String(Arc::new(v.name.clone())), value);
                }
                Err(e) => {
                    self.variables
                        .remove(&Key::String(Arc::new(v.name.clone())));
                    self.failed.insert(v.name.clone(), e.message);
                }
            }
            self.publish_variables();
        }
    }

    /// Binds one composited variable to a ready value (Gatekeeper's
    /// `variables.params`, for instance).
    pub fn set_variable(&mut self, name: &str, value: Value) {
        self.variables
            .insert(Key::String(Arc::new(name.to_owned())), value);
        self.failed.remove(name);
        self.publish_variables();
    }

    /// The value of a bound composited variable.
    pub fn variable(&self, name: &str) -> Option<&Value> {
        self.variables.get(&Key::String(Arc::new(name.to_owned())))
    }

    /// Adds a host function to this scope, callable by `name` (a qualified
    /// name such as `resource.Get` is called as written, `resource.Get(..)`).
    /// The function receives the call's arguments (a member call's receiver
    /// first) and answers a value or an error message, which the expression
    /// then fails with. Policy engines built on this crate (Kyverno's CEL
    /// libraries, for instance) serve their data this way. Returns `false`
    /// when `name` clashes with a function of the environment (the scope's
    /// function is then not added).
    pub fn add_function<F>(&mut self, name: &str, function: F) -> bool
    where
        F: Fn(Vec<Value>) -> Result<Value, String> + Send + Sync + 'static,
    {
        let owned_name = name.to_owned();
        let handler: HostFunction = Box::new(move |ftx| {
            let mut args = Vec::with_capacity(ftx.args.len() + 1);
            if let Some(this) = ftx.this.take() {
                args.push(Value::try_from(this.as_ref())?);
            }
            for arg in std::mem::take(&mut ftx.args) {
                args.push(Value::try_from(arg.as_ref())?);
            }
            let value = function(args)
                .map_err(|message| ExecutionError::function_error(&owned_name, message))?;
            let value: Box<dyn cel::common::value::Val> = value.try_into()?;
            Ok(cel::common::value::CowVal::Owned(value))
        });
        self.ctx.add_function(name, handler).is_ok()
    }

    /// Sets the comprehension iterations one evaluation may run.
    pub fn set_iteration_limit(&mut self, limit: u64) {
        self.iteration_limit = limit;
    }

    pub fn eval(&self, expr: &Expression) -> Result<Value, EvalError> {
        crate::compat::reset_budget(self.iteration_limit);
        Value::resolve(&expr.ast, &self.ctx).map_err(|e| EvalError {
            expression: expr.source.to_string(),
            message: self.describe(&e),
        })
    }

    /// cel-go's wording for the common runtime errors, so that messages built
    /// from them read as the API server's do.
    fn describe(&self, e: &ExecutionError) -> String {
        match e {
            ExecutionError::NoSuchKey(key) => match self.failed.get(key.as_str()) {
                // Reading a variable that failed: its own error, as upstream.
                Some(err) => err.clone(),
                None => format!("no such key: {key}"),
            },
            ExecutionError::UndeclaredReference(name) => {
                format!("undeclared reference to '{name}' (in container '')")
            }
            ExecutionError::NoSuchOverload(o) => format!("no such overload: {o}"),
            ExecutionError::DivisionByZero(_) => "division by zero".to_owned(),
            ExecutionError::RemainderByZero(_) => "modulus by zero".to_owned(),
            ExecutionError::Overflow(..) => "integer overflow".to_owned(),
            ExecutionError::IndexOutOfBounds(i) => {
                format!("index out of range: {}", crate::convert::cel_to_json(i))
            }
            ExecutionError::FunctionError { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

/// Compiled expressions, policies and templates are shared across threads.
#[allow(dead_code)]
fn assert_thread_safe() {
    fn check<T: Send + Sync>() {}
    check::<Expression>();
    check::<crate::vap::Policy>();
    check::<crate::vap::Binding>();
    check::<crate::gatekeeper::NativeSource>();
}
