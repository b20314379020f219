//! Where regorus reads Rego differently from OPA (the engine Gatekeeper runs),
//! and how Palisade closes each gap before regorus compiles a template.
//!
//! The source is rewritten, never the meaning: each rewrite produces text that
//! both engines read the way OPA reads the original. Lines are kept, so error
//! positions still point at the template's own line.
//!
//! 1. **Several bodies for one head** (v0: `p[x] { a } { b }`) means two rules
//!    with the same head; regorus rejects it. The head is repeated before each
//!    further body.
//! 2. **A line that starts with `(`** ends the previous expression in OPA;
//!    regorus reads `a` + newline + `(b)` as the call `a(b)`. A `;` is put
//!    before such a `(` when the previous line ended an expression.
//! 3. **`not` and undefined arguments.** OPA's compiler binds every reference
//!    and nested call in the arguments of a call (`f(x.y)`, `x.y == 1`) to a
//!    variable *before* the negated expression (its "rewrite dynamics" stage),
//!    so `not f(input.missing)` makes the rule fail; regorus keeps the argument
//!    inside the negation, where undefined makes `not` true. The same binding is
//!    written into the source: `__palisade_0 := input.missing; not f(__palisade_0)`.
//!    Index expressions of a negated reference (`not obj[input.key]`) are bound
//!    the same way.
//!
//! The fourth difference, `sprintf` with too few arguments, is closed by a
//! Go-compatible `sprintf` (`go_sprintf.rs`), not by a rewrite.
//!
//! The same walk over the parsed module checks what Gatekeeper refuses at load:
//! a reference to `data` other than `data.lib.*` and `data.inventory`.

use std::collections::BTreeSet;

use regorus::Source;
use regorus::unstable::{Expr, Literal, Module, Parser, Query, Rule, RuleHead};

/// A module's source ready for regorus, with its parsed form for the checks
/// that need every module of a template ([`check_functions`]).
pub struct Prepared {
    pub text: String,
    pub module: Module,
}

/// How deep brackets may nest in a template. regorus's parser backtracks
/// between array and comprehension at every `[`, so its time doubles with each
/// level of an unfinished nesting (fuzzing found 120 levels running for
/// minutes; 16 levels take seconds). The Gatekeeper library nests at most 6.
pub const MAX_NESTING: usize = 12;

/// The largest exponent a number literal may have. regorus turns `1e99999999`
/// into an exact integer while parsing, which takes minutes (found by
/// fuzzing); float64, what Go's JSON numbers become, stops at 308.
pub const MAX_EXPONENT: u64 = 1000;

/// The source ready for regorus, or why Gatekeeper would refuse it.
pub fn prepare(file: &str, source: &str, v1: bool) -> Result<Prepared, String> {
    let depth = nesting_depth(source);
    if depth > MAX_NESTING {
        return Err(format!(
            "{file}: brackets nest {depth} levels deep; Palisade accepts at most {MAX_NESTING} (the Rego parser's time doubles with each level)"
        ));
    }
    let exponent = largest_exponent(source);
    if exponent > MAX_EXPONENT {
        return Err(format!(
            "{file}: a number literal has the exponent {exponent}; Palisade accepts at most {MAX_EXPONENT} (the Rego parser expands it into an exact integer)"
        ));
    }
    let text = if v1 {
        source.to_owned()
    } else {
        split_multi_body_rules(source)
    };
    let text = separate_paren_lines(&text);
    let module = parse(file, &text, v1)?;
    check_data_refs(&module)?;
    Ok(Prepared {
        text: hoist_negated_arguments(&text, &module),
        module,
    })
}

/// OPA refuses a module that calls a function no module defines and no
/// builtin provides; regorus would only fail when the call runs. Every call
/// must resolve to a rule of its own module, a rule of any module by its
/// `data.` path (directly or through an import), or a builtin.
pub fn check_functions(modules: &[&Module]) -> Result<(), String> {
    let mut defined: BTreeSet<String> = BTreeSet::new();
    for module in modules {
        let package = ref_path(&module.package.refr).unwrap_or_default();
        for name in rule_names(module) {
            defined.insert(format!("data.{}.{name}", package.join(".")));
        }
    }
    for module in modules {
        let package = ref_path(&module.package.refr).unwrap_or_default().join(".");
        let own = rule_names(module);
        let mut imports: Vec<(String, Vec<String>)> = Vec::new();
        for import in &module.imports {
            if let Some(path) = ref_path(&import.refr) {
                let alias = match &import.r#as {
                    Some(alias) => alias.text().to_owned(),
                    None => path.last().cloned().unwrap_or_default(),
                };
                imports.push((alias, path));
            }
        }
        let mut bad: Option<String> = None;
        walk_module(
            module,
            &mut Exprs(|e: &Expr| {
                let Expr::Call { fcn, span, .. } = e else {
                    return;
                };
                if bad.is_some() {
                    return;
                }
                let Some(path) = ref_path(fcn) else {
                    return;
                };
                let name = path.join(".");
                let resolves = own.contains(&name)
                    || path.first().is_some_and(|first| own.contains(first))
                    || defined.contains(&name)
                    || defined.contains(&format!("data.{package}.{name}"))
                    || imports.iter().any(|(alias, target)| {
                        path.first() == Some(alias) && {
                            let full: Vec<&str> = target
                                .iter()
                                .chain(path.iter().skip(1))
                                .map(String::as_str)
                                .collect();
                            defined.contains(&full.join("."))
                        }
                    })
                    || name == "print"
                    || regorus::unstable::BUILTINS.contains_key(name.as_str());
                if !resolves {
                    bad = Some(format!(
                        "{}:{}: undefined function {name}",
                        span.source.get_path(),
                        span.line
                    ));
                }
            }),
        );
        if let Some(error) = bad {
            return Err(error);
        }
    }
    Ok(())
}

/// The reference a rule defines (its head's name).
fn rule_ref(rule: &Rule) -> &Expr {
    match rule {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. }
            | RuleHead::Set { refr, .. }
            | RuleHead::Func { refr, .. } => refr,
        },
        Rule::Default { refr, .. } => refr,
    }
}

/// The names of a module's rules (`violation`, `a.b` for ref heads).
fn rule_names(module: &Module) -> BTreeSet<String> {
    module
        .policy
        .iter()
        .filter_map(|rule| ref_path(rule_ref(rule)).map(|p| p.join(".")))
        .collect()
}

fn parse(file: &str, text: &str, v1: bool) -> Result<Module, String> {
    let source =
        Source::from_contents(file.to_owned(), text.to_owned()).map_err(|e| format!("{e:#}"))?;
    let mut parser = Parser::new(&source).map_err(|e| format!("{e:#}"))?;
    if v1 {
        parser.enable_rego_v1().map_err(|e| format!("{e:#}"))?;
    }
    parser.parse().map_err(|e| format!("{e:#}"))
}

/// A scanner over Rego text that knows strings, raw strings and comments, so
/// that brackets inside them are not counted.
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// What the scanner met.
enum Token {
    Open(u8),
    Close(u8),
    Newline,
    /// Any other significant byte (identifiers, operators, string ends).
    Other(u8),
}

impl Scan<'_> {
    /// The next significant token and its offset; strings are skipped as one
    /// `Other(b'"')`, comments up to the newline are skipped.
    fn next(&mut self) -> Option<(usize, Token)> {
        while self.at < self.bytes.len() {
            let at = self.at;
            let byte = self.bytes[at];
            self.at += 1;
            match byte {
                b'#' => {
                    while self.at < self.bytes.len() && self.bytes[self.at] != b'\n' {
                        self.at += 1;
                    }
                }
                b'"' => {
                    while self.at < self.bytes.len() {
                        match self.bytes[self.at] {
                            b'\\' => self.at += 2,
                            b'"' => {
                                self.at += 1;
                                break;
                            }
                            b'\n' => break,
                            _ => self.at += 1,
                        }
                    }
                    return Some((at, Token::Other(b'"')));
                }
                b'`' => {
                    while self.at < self.bytes.len() && self.bytes[self.at] != b'`' {
                        self.at += 1;
                    }
                    self.at += 1;
                    return Some((at, Token::Other(b'`')));
                }
                b'\n' => return Some((at, Token::Newline)),
                b' ' | b'\t' | b'\r' => {}
                b'{' | b'[' | b'(' => return Some((at, Token::Open(byte))),
                b'}' | b']' | b')' => return Some((at, Token::Close(byte))),
                _ => return Some((at, Token::Other(byte))),
            }
        }
        None
    }
}

/// The deepest nesting of brackets outside strings and comments.
fn nesting_depth(source: &str) -> usize {
    let mut scan = Scan {
        bytes: source.as_bytes(),
        at: 0,
    };
    let (mut depth, mut deepest) = (0usize, 0usize);
    while let Some((_, token)) = scan.next() {
        match token {
            Token::Open(_) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Token::Close(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The largest exponent of a number literal outside strings and comments
/// (`2.5e40` → 40); an exponent too long to count reads as `u64::MAX`.
fn largest_exponent(source: &str) -> u64 {
    // The code alone, byte for byte: strings and comments become spaces.
    let mut code = vec![b' '; source.len()];
    let mut scan = Scan {
        bytes: source.as_bytes(),
        at: 0,
    };
    while let Some((at, token)) = scan.next() {
        if let Token::Other(byte) = token
            && byte != b'"'
            && byte != b'`'
            && let Some(slot) = code.get_mut(at)
        {
            *slot = byte;
        }
    }
    let mut largest = 0u64;
    let mut i = 0;
    while i < code.len() {
        let starts_number = code[i].is_ascii_digit()
            && (i == 0 || !(code[i - 1].is_ascii_alphanumeric() || code[i - 1] == b'_'));
        if !starts_number {
            i += 1;
            continue;
        }
        while i < code.len() && (code[i].is_ascii_digit() || code[i] == b'.') {
            i += 1;
        }
        if i < code.len() && (code[i] == b'e' || code[i] == b'E') {
            i += 1;
            if i < code.len() && (code[i] == b'+' || code[i] == b'-') {
                i += 1;
            }
            let start = i;
            while i < code.len() && code[i].is_ascii_digit() {
                i += 1;
            }
            let digits = std::str::from_utf8(&code[start..i]).unwrap_or("");
            let exponent = if digits.len() > 18 {
                u64::MAX
            } else {
                digits.parse().unwrap_or(0)
            };
            largest = largest.max(exponent);
        }
    }
    largest
}

/// Rewrite 1: `head { a } { b }` becomes `head { a } head { b }` (v0 only).
fn split_multi_body_rules(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut scan = Scan { bytes, at: 0 };
    let mut depth = 0usize;
    // Start of the current top-level statement, and the end of its head (the
    // offset of its first body's `{`), once known.
    let mut statement_start: Option<usize> = None;
    let mut head_end: Option<usize> = None;
    let mut last_significant: Option<u8> = None;
    let mut body_just_closed = false;
    let mut at_line_start = true;
    let mut insertions: Vec<(usize, String)> = Vec::new();
    while let Some((at, token)) = scan.next() {
        match token {
            Token::Newline => {
                at_line_start = true;
                continue;
            }
            Token::Open(b'{') if depth == 0 => {
                let is_value = matches!(last_significant, Some(b'=') | Some(b':'));
                if body_just_closed {
                    if let (Some(start), Some(end)) = (statement_start, head_end) {
                        let head = source[start..end].trim_end();
                        insertions.push((at, format!("{head} ")));
                    }
                } else if statement_start.is_some() && head_end.is_none() && !is_value {
                    head_end = Some(at);
                }
                depth += 1;
            }
            Token::Open(_) => {
                if depth == 0 && at_line_start && !body_just_closed {
                    statement_start = Some(at);
                    head_end = None;
                }
                depth += 1;
            }
            Token::Close(byte) => {
                depth = depth.saturating_sub(1);
                body_just_closed = depth == 0 && byte == b'}' && head_end.is_some();
                last_significant = Some(byte);
                at_line_start = false;
                continue;
            }
            Token::Other(byte) => {
                if depth == 0 && at_line_start {
                    // `else` continues the statement; anything else starts one.
                    let word = &source[at..];
                    if !(word.starts_with("else") && body_just_closed) {
                        statement_start = Some(at);
                        head_end = None;
                    }
                }
                body_just_closed = false;
                last_significant = Some(byte);
                at_line_start = false;
                continue;
            }
        }
        body_just_closed = false;
        at_line_start = false;
        last_significant = Some(b'{');
    }
    splice(
        source,
        insertions.into_iter().map(|(at, text)| (at, at, text)),
    )
}

/// Rewrite 2: a `;` before a `(` that starts a line inside a body, when the
/// previous line ended an expression (a name, a closing bracket, a literal).
fn separate_paren_lines(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut scan = Scan { bytes, at: 0 };
    let mut stack: Vec<u8> = Vec::new();
    let mut last: Option<u8> = None;
    let mut newline_since_last = false;
    let mut insertions = Vec::new();
    while let Some((at, token)) = scan.next() {
        match token {
            Token::Newline => {
                newline_since_last = true;
                continue;
            }
            Token::Open(byte) => {
                let ends_expression = last.is_some_and(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'_' | b')' | b']' | b'}' | b'"' | b'`')
                });
                if byte == b'('
                    && newline_since_last
                    && stack.last() == Some(&b'{')
                    && ends_expression
                {
                    insertions.push((at, at, ";".to_owned()));
                }
                stack.push(byte);
                last = Some(byte);
            }
            Token::Close(byte) => {
                stack.pop();
                last = Some(byte);
            }
            Token::Other(byte) => last = Some(byte),
        }
        newline_since_last = false;
    }
    splice(source, insertions)
}

/// Applies `(start, end, replacement)` edits, which must not overlap.
fn splice(source: &str, edits: impl IntoIterator<Item = (usize, usize, String)>) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits.into_iter().collect();
    edits.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = String::with_capacity(source.len() + 64 * edits.len());
    let mut at = 0;
    for (start, end, text) in edits {
        if start < at || end > source.len() {
            continue;
        }
        out.push_str(&source[at..start]);
        out.push_str(&text);
        at = end;
    }
    out.push_str(&source[at..]);
    out
}

/// What a walk over a module calls back: every query (rule bodies, `else`
/// bodies, comprehensions, `every`) and every expression, outermost first.
/// A reference is one expression: the walk does not descend into its root,
/// only into its index expressions.
trait Visit {
    fn query(&mut self, _query: &Query) {}
    fn expr(&mut self, _expr: &Expr) {}
}

/// A walk that only looks at expressions.
struct Exprs<F>(F);

impl<F: FnMut(&Expr)> Visit for Exprs<F> {
    fn expr(&mut self, expr: &Expr) {
        (self.0)(expr)
    }
}

/// A walk that only looks at queries.
struct Queries<F>(F);

impl<F: FnMut(&Query)> Visit for Queries<F> {
    fn query(&mut self, query: &Query) {
        (self.0)(query)
    }
}

fn walk_module(module: &Module, visit: &mut dyn Visit) {
    for rule in &module.policy {
        walk_rule(rule, visit);
    }
}

fn walk_rule(rule: &Rule, visit: &mut dyn Visit) {
    match rule {
        Rule::Spec { head, bodies, .. } => {
            let (refr, extra): (&Expr, Vec<&Expr>) = match head {
                RuleHead::Compr { refr, assign, .. } => {
                    (refr, assign.iter().map(|a| a.value.as_ref()).collect())
                }
                RuleHead::Set { refr, key, .. } => (refr, key.iter().map(|k| k.as_ref()).collect()),
                RuleHead::Func {
                    refr, args, assign, ..
                } => (
                    refr,
                    args.iter()
                        .map(|a| a.as_ref())
                        .chain(assign.iter().map(|a| a.value.as_ref()))
                        .collect(),
                ),
            };
            walk_ref_indexes(refr, visit);
            for e in extra {
                walk_expr(e, visit);
            }
            for body in bodies {
                if let Some(assign) = &body.assign {
                    walk_expr(&assign.value, visit);
                }
                walk_query(&body.query, visit);
            }
        }
        Rule::Default { args, value, .. } => {
            for a in args {
                walk_expr(a, visit);
            }
            walk_expr(value, visit);
        }
    }
}

fn walk_query(query: &Query, visit: &mut dyn Visit) {
    visit.query(query);
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(key) = key {
                    walk_expr(key, visit);
                }
                walk_expr(value, visit);
                walk_expr(collection, visit);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => walk_expr(expr, visit),
            Literal::Every { domain, query, .. } => {
                walk_expr(domain, visit);
                walk_query(query, visit);
            }
        }
        for modifier in &stmt.with_mods {
            walk_expr(&modifier.r#as, visit);
        }
    }
}

fn walk_expr(expr: &Expr, visit: &mut dyn Visit) {
    visit.expr(expr);
    match expr {
        Expr::RefDot { refr, .. } => walk_ref_indexes(refr, visit),
        Expr::RefBrack { refr, index, .. } => {
            walk_ref_indexes(refr, visit);
            walk_expr(index, visit);
        }
        Expr::ArrayCompr { query, .. }
        | Expr::SetCompr { query, .. }
        | Expr::ObjectCompr { query, .. } => {
            for child in children(expr) {
                walk_expr(child, visit);
            }
            walk_query(query, visit);
        }
        _ => {
            for child in children(expr) {
                walk_expr(child, visit);
            }
        }
    }
}

fn walk_ref_indexes(expr: &Expr, visit: &mut dyn Visit) {
    match expr {
        Expr::RefDot { refr, .. } => walk_ref_indexes(refr, visit),
        Expr::RefBrack { refr, index, .. } => {
            walk_ref_indexes(refr, visit);
            walk_expr(index, visit);
        }
        Expr::Var { .. } => {}
        other => walk_expr(other, visit),
    }
}

/// The direct sub-expressions of an expression.
fn children(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::String { .. }
        | Expr::RawString { .. }
        | Expr::Number { .. }
        | Expr::Bool { .. }
        | Expr::Null { .. }
        | Expr::Var { .. } => Vec::new(),
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            items.iter().map(|i| i.as_ref()).collect()
        }
        Expr::Object { fields, .. } => fields
            .iter()
            .flat_map(|(_, k, v)| [k.as_ref(), v.as_ref()])
            .collect(),
        Expr::ArrayCompr { term, .. } | Expr::SetCompr { term, .. } => vec![term.as_ref()],
        Expr::ObjectCompr { key, value, .. } => vec![key.as_ref(), value.as_ref()],
        Expr::Call { fcn, params, .. } => std::iter::once(fcn.as_ref())
            .chain(params.iter().map(|p| p.as_ref()))
            .collect(),
        Expr::UnaryExpr { expr, .. } => vec![expr.as_ref()],
        Expr::RefDot { refr, .. } => vec![refr.as_ref()],
        Expr::RefBrack { refr, index, .. } => vec![refr.as_ref(), index.as_ref()],
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => vec![lhs.as_ref(), rhs.as_ref()],
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => key
            .iter()
            .map(|k| k.as_ref())
            .chain([value.as_ref(), collection.as_ref()])
            .collect(),
        #[allow(unreachable_patterns)]
        _ => Vec::new(),
    }
}

/// The path of a reference rooted at a variable: `data.lib.x` → `["data", "lib", "x"]`
/// (brackets with string literals count as path steps; other brackets end it).
fn ref_path(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Var { span, .. } => Some(vec![span.text().to_owned()]),
        Expr::RefDot { refr, field, .. } => {
            let mut path = ref_path(refr)?;
            path.push(field.0.text().to_owned());
            Some(path)
        }
        Expr::RefBrack { refr, index, .. } => {
            let mut path = ref_path(refr)?;
            if let Expr::String { value, .. } = index.as_ref() {
                path.push(value.as_string().ok()?.to_string());
            } else {
                path.push(String::new());
            }
            Some(path)
        }
        _ => None,
    }
}

/// Gatekeeper's load check: `data` may be read only under `data.lib` and
/// `data.inventory` (the template cannot see other templates or the cluster).
fn check_data_refs(module: &Module) -> Result<(), String> {
    let allowed = |path: &[String]| {
        path.first().is_some_and(|root| root == "data")
            && path
                .get(1)
                .is_some_and(|second| second == "lib" || second == "inventory")
    };
    for import in &module.imports {
        if let Some(path) = ref_path(&import.refr)
            && path.first().is_some_and(|r| r == "data")
            && !allowed(&path)
        {
            return Err(format!(
                "{}:{}: import of {} is not allowed: templates may only read data.lib and data.inventory",
                import.span.source.get_path(),
                import.span.line,
                path.join(".")
            ));
        }
    }
    let mut bad: Option<String> = None;
    walk_module(
        module,
        &mut Exprs(|e: &Expr| {
            if bad.is_some() {
                return;
            }
            if let Some(path) = ref_path(e)
                && path.first().is_some_and(|r| r == "data")
                && !allowed(&path)
            {
                let span = e.span();
                bad = Some(format!(
                    "{}:{}: reference to {} is not allowed: templates may only read data.lib and data.inventory",
                    span.source.get_path(),
                    span.line,
                    span.text()
                ));
            }
        }),
    );
    match bad {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Names that OPA resolves to references: `input`, `data`, the module's rules
/// and import aliases. A bare variable with such a name is a reference to OPA.
fn global_names(module: &Module) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = ["input", "data"].iter().map(|s| s.to_string()).collect();
    for rule in &module.policy {
        if let Some(path) = ref_path(rule_ref(rule))
            && let Some(first) = path.first()
        {
            names.insert(first.clone());
        }
    }
    for import in &module.imports {
        match &import.r#as {
            Some(alias) => {
                names.insert(alias.text().to_owned());
            }
            None => {
                if let Some(last) = ref_path(&import.refr).and_then(|p| p.last().cloned()) {
                    names.insert(last);
                }
            }
        }
    }
    names
}

/// Rewrite 3: the arguments of a negated call are bound before the `not`.
fn hoist_negated_arguments(text: &str, module: &Module) -> String {
    let globals = global_names(module);
    let mut hoister = Hoister {
        text,
        globals: &globals,
        counter: 0,
        edits: Vec::new(),
    };
    walk_module(
        module,
        &mut Queries(|query: &Query| {
            for stmt in &query.stmts {
                if !stmt.with_mods.is_empty() {
                    continue;
                }
                if let Literal::NotExpr { expr, .. } = &stmt.literal {
                    hoister.negation(stmt.span.start as usize, expr);
                }
            }
        }),
    );
    let mut edits = hoister.edits;
    // Nested queries are visited after their parents; an edit inside an
    // already-edited range is dropped by `splice` (none occur in practice:
    // negations do not nest inside negated calls' arguments).
    edits.sort_by_key(|(start, end, _)| (*start, std::cmp::Reverse(*end)));
    splice(text, edits)
}

struct Hoister<'a> {
    text: &'a str,
    globals: &'a BTreeSet<String>,
    counter: usize,
    edits: Vec<(usize, usize, String)>,
}

impl Hoister<'_> {
    /// The byte range of an expression. regorus's string spans exclude the
    /// quotes, which are put back here.
    fn bounds(&self, expr: &Expr) -> (usize, usize) {
        let span = expr.span();
        let (start, end) = (span.start as usize, span.end as usize);
        if let Expr::String { .. } | Expr::RawString { .. } = expr {
            let bytes = self.text.as_bytes();
            if start > 0
                && matches!(bytes.get(start - 1), Some(b'"') | Some(b'`'))
                && bytes.get(end) == bytes.get(start - 1)
            {
                return (start - 1, end + 1);
            }
        }
        match expr {
            // An infix expression's span can end before its right operand's
            // closing quote.
            Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::BinExpr { lhs, rhs, .. } => {
                (start.min(self.bounds(lhs).0), end.max(self.bounds(rhs).1))
            }
            _ => (start, end),
        }
    }

    fn source(&self, expr: &Expr) -> &str {
        let (start, end) = self.bounds(expr);
        self.text.get(start..end).unwrap_or("")
    }

    /// A negated statement starting at `start`: bind what OPA binds.
    fn negation(&mut self, start: usize, expr: &Expr) {
        let mut bindings = Vec::new();
        let rewritten = match expr {
            Expr::Call { fcn, params, .. } => {
                let args: Vec<String> = params
                    .iter()
                    .map(|p| self.argument(p, &mut bindings))
                    .collect();
                format!("{}({})", self.source(fcn), args.join(", "))
            }
            Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::BinExpr { lhs, rhs, .. } => {
                let l = self.argument(lhs, &mut bindings);
                let r = self.argument(rhs, &mut bindings);
                self.with_operands(lhs, rhs, &l, &r)
            }
            Expr::RefDot { .. } | Expr::RefBrack { .. } => self.ref_indexes(expr, &mut bindings),
            _ => return,
        };
        if bindings.is_empty() {
            return;
        }
        let (expr_start, expr_end) = self.bounds(expr);
        let prefix: String = bindings.iter().map(|b| format!("{b}; ")).collect();
        self.edits.push((start, start, prefix));
        self.edits.push((expr_start, expr_end, rewritten));
    }

    /// The text of an infix expression with its operands replaced.
    fn with_operands(&self, lhs: &Expr, rhs: &Expr, l: &str, r: &str) -> String {
        let operator = self
            .text
            .get(self.bounds(lhs).1..self.bounds(rhs).0)
            .unwrap_or(" ");
        format!("{l}{operator}{r}")
    }

    fn fresh(&mut self) -> String {
        let name = format!("__palisade_{}", self.counter);
        self.counter += 1;
        name
    }

    /// An argument of a negated call: references and nested calls become
    /// variables bound before the negation; composite literals are rewritten
    /// element by element; anything else stays.
    fn argument(&mut self, expr: &Expr, bindings: &mut Vec<String>) -> String {
        match expr {
            Expr::Var { span, .. } if self.globals.contains(span.text()) => {
                self.bind(span.text().to_owned(), bindings)
            }
            Expr::RefDot { .. } | Expr::RefBrack { .. } => {
                let text = self.ref_indexes(expr, bindings);
                self.bind(text, bindings)
            }
            Expr::Call { fcn, params, .. } => {
                let args: Vec<String> = params.iter().map(|p| self.argument(p, bindings)).collect();
                let text = format!("{}({})", self.source(fcn), args.join(", "));
                self.bind(text, bindings)
            }
            Expr::ArithExpr { lhs, rhs, .. } | Expr::BinExpr { lhs, rhs, .. } => {
                let l = self.argument(lhs, bindings);
                let r = self.argument(rhs, bindings);
                let text = self.with_operands(lhs, rhs, &l, &r);
                self.bind(text, bindings)
            }
            Expr::Array { items, .. } => {
                let parts: Vec<String> = items.iter().map(|i| self.argument(i, bindings)).collect();
                format!("[{}]", parts.join(", "))
            }
            _ => self.source(expr).to_owned(),
        }
    }

    /// A reference with its non-literal index expressions bound first.
    fn ref_indexes(&mut self, expr: &Expr, bindings: &mut Vec<String>) -> String {
        match expr {
            Expr::RefDot { refr, field, .. } => {
                format!("{}.{}", self.ref_indexes(refr, bindings), field.0.text())
            }
            Expr::RefBrack { refr, index, .. } => {
                let base = self.ref_indexes(refr, bindings);
                let index = match index.as_ref() {
                    Expr::String { .. }
                    | Expr::RawString { .. }
                    | Expr::Number { .. }
                    | Expr::Bool { .. }
                    | Expr::Null { .. }
                    | Expr::Var { .. } => self.source(index).to_owned(),
                    other => self.argument(other, bindings),
                };
                format!("{base}[{index}]")
            }
            other => self.source(other).to_owned(),
        }
    }

    fn bind(&mut self, text: String, bindings: &mut Vec<String>) -> String {
        let name = self.fresh();
        bindings.push(format!("{name} := {text}"));
        name
    }
}
