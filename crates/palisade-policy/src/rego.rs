//! A template's Rego, compiled once with regorus and evaluated per review.
//!
//! The template and its libraries are compiled together and apart from every
//! other template (as Gatekeeper does), with `data.inventory` as the only data.
//! The prepared engine is cloned for each evaluation: clones share the
//! compiled modules, so a clone costs little and evaluations on different
//! threads do not contend.

use std::num::NonZeroU32;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};

use crate::rego_compat;
use crate::template::RegoSource;
use crate::value::{field, to_json};

/// One element of a template's `violation` set.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub msg: String,
    /// `details`, `{}` when the template gave none.
    pub details: serde_json::Value,
}

/// A compiled template.
#[derive(Clone)]
pub struct RegoProgram {
    engine: Engine,
    /// `data.<package>.violation`.
    rule: String,
}

impl std::fmt::Debug for RegoProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegoProgram")
            .field("rule", &self.rule)
            .finish()
    }
}

impl RegoProgram {
    /// Compiles a template's Rego with its libraries and the inventory.
    pub fn compile(
        name: &str,
        source: &RegoSource,
        inventory: Value,
    ) -> Result<RegoProgram, String> {
        // A template is input: a panic inside the engine on some odd source
        // must refuse that template, not end the scan or the server.
        catch_unwind(AssertUnwindSafe(|| {
            Self::compile_inner(name, source, inventory)
        }))
        .unwrap_or_else(|_| {
            Err("the Rego engine failed on this template (a panic in regorus)".to_owned())
        })
    }

    fn compile_inner(
        name: &str,
        source: &RegoSource,
        inventory: Value,
    ) -> Result<RegoProgram, String> {
        let mut engine = Engine::new();
        engine.set_rego_v0(!source.v1);
        engine.set_gather_prints(false);
        crate::go_sprintf::register(&mut engine)?;
        let file = format!("{name}.rego");
        let main = rego_compat::prepare(&file, &source.rego, source.v1)?;
        let mut libs = Vec::new();
        for (i, lib) in source.libs.iter().enumerate() {
            libs.push(rego_compat::prepare(
                &format!("{name}.lib{i}.rego"),
                lib,
                source.v1,
            )?);
        }
        let modules: Vec<_> = std::iter::once(&main.module)
            .chain(libs.iter().map(|l| &l.module))
            .collect();
        rego_compat::check_functions(&modules)?;
        let package = engine
            .add_policy(file, main.text)
            .map_err(|e| format!("{e:#}"))?;
        for (i, lib) in libs.into_iter().enumerate() {
            let lib_package = engine
                .add_policy(format!("{name}.lib{i}.rego"), lib.text)
                .map_err(|e| format!("{e:#}"))?;
            if !lib_package.starts_with("data.lib.") {
                return Err(format!(
                    "library {i} has package {:?}; libraries must be under data.lib",
                    lib_package.trim_start_matches("data.")
                ));
            }
        }
        let mut data = Value::new_object();
        if let Ok(map) = data.as_object_mut() {
            map.insert(Value::from("inventory"), inventory);
        }
        engine.add_data(data).map_err(|e| format!("{e:#}"))?;
        let rule = format!("{package}.violation");
        // Compiling for the entry point prepares the engine (analysis,
        // scheduling, function tables) without evaluating anything, and fails
        // here, at load, on unknown functions or a missing `violation` rule.
        // Clones of the prepared engine evaluate without preparing again.
        engine
            .compile_with_entrypoint(&rule.as_str().into())
            .map_err(|e| format!("{e:#}"))?;
        Ok(RegoProgram { engine, rule })
    }

    /// The violations for one input (`{"review": …, "parameters": …}`). A
    /// runtime error is returned as `Err` with its text; Gatekeeper reports it
    /// as one result whose message is that text.
    pub fn violations(
        &self,
        input: Value,
        deadline: Option<Instant>,
    ) -> Result<Vec<Violation>, String> {
        let mut engine = self.engine.clone();
        if let Some(deadline) = deadline {
            let limit = deadline.saturating_duration_since(Instant::now());
            if limit.is_zero() {
                return Err("the policy's time budget ran out before it ran".to_owned());
            }
            engine.set_execution_timer_config(ExecutionTimerConfig {
                limit: limit.max(Duration::from_micros(1)),
                check_interval: NonZeroU32::MIN,
            });
        }
        engine.set_input(input);
        let result = catch_unwind(AssertUnwindSafe(|| engine.eval_rule(self.rule.clone())))
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "the Rego engine failed while evaluating (a panic in regorus)"
                ))
            })
            .map_err(|e| {
                let text = format!("{e:#}");
                if text.contains("execution exceeded time limit") {
                    format!("the policy did not finish before the request's deadline ({text})")
                } else {
                    text
                }
            })?;
        Ok(collect(&result))
    }
}

/// The results of a `violation` set: elements without a string `msg` are
/// dropped (Gatekeeper's hook reads `r.msg`), the rest kept in set order.
fn collect(result: &Value) -> Vec<Violation> {
    let items: Vec<&Value> = match result {
        Value::Set(set) => set.iter().collect(),
        Value::Array(array) => array.iter().collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|item| {
            let msg = field(item, "msg")?.as_string().ok()?.to_string();
            let details = field(item, "details")
                .map(to_json)
                .unwrap_or_else(|| serde_json::json!({}));
            Some(Violation { msg, details })
        })
        .collect()
}
