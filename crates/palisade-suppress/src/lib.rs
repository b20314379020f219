//! Suppressing findings where users expect it.
//!
//! Users of every peer scanner ask for the same things (the survey in
//! `../shared/research/scanners.md`, §4 and §8): an annotation per check with
//! a reason, on the object and on its pod template, and per container; a
//! config file for what cannot be edited (third-party charts) with exemptions
//! by rule × kind × namespace × name × container and ignored paths; a baseline
//! of accepted findings; expiry dates; a report of unused and expired
//! suppressions; and a strict mode that takes annotations away from manifest
//! authors. This crate holds all of it, with no I/O in the pass itself:
//!
//! - [`annotation`]: the `ignore.palisade.dev/<rule>` annotation grammar;
//! - [`config`]: `.palisade.yaml`, read strictly, and its discovery;
//! - [`baseline`]: baseline files, matched by rule, object and message;
//! - [`apply`]: the pass over a run's findings;
//! - [`scope`]: which template and container a finding sits in;
//! - [`rules`] and [`analyzer`]: the `suppress/*` rules the pass reports.

pub mod analyzer;
pub mod annotation;
pub mod apply;
pub mod baseline;
pub mod config;
pub mod expiry;
pub mod paths;
pub mod rule_pattern;
pub mod rules;
pub mod scope;

pub use analyzer::SuppressionChecks;
pub use apply::{Outcome, Sources, apply};
pub use baseline::Baseline;
pub use config::{Config, ConfigError, Strict, discover};
pub use jiff;
pub use jiff::civil::Date;
