//! Generates a synthetic cluster (default 10,000 pods in 200 namespaces with
//! 2,000 policies using pod and namespace selectors, named ports and ipBlocks)
//! and times model building, full class-level connectivity, and reach queries
//! (mean of 1,000), with the peak resident memory. Single-threaded.
//!
//! `cargo run --release -p palisade-netpol --example netpol_bench [pods namespaces policies] [unique]`
//!
//! With `unique`, every pod also gets a label of its own (as StatefulSet pods and
//! a live cluster's pods have), so every pod is its own equivalence class; the
//! bench then also streams the whole connection list (np-guard's text lines) to
//! a byte-counting sink, which is what `netpol connlist` does, and reports its
//! time, lines and bytes beside the peak memory.

use std::time::Instant;

use palisade_core::{Inventory, Node, Object, Pos, SourceRef};
use palisade_netpol::{Connectivity, Endpoint, Engine, Model, Protocol, reach};
use serde_json::json;

fn object(value: serde_json::Value) -> Object {
    Object::new(
        Node::from_json(&value),
        SourceRef {
            file: "bench".into(),
            pos: Pos::new(1, 1),
        },
    )
}

fn main() {
    let unique = std::env::args().any(|a| a == "unique");
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (pods, namespaces, policies) = (
        args.first().copied().unwrap_or(10_000),
        args.get(1).copied().unwrap_or(200),
        args.get(2).copied().unwrap_or(2_000),
    );
    let mut objects = Vec::new();
    for n in 0..namespaces {
        objects.push(object(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("ns{n}"), "labels": {"tier": format!("t{}", n % 5), "env": if n % 2 == 0 {"prod"} else {"dev"}}}})));
    }
    for p in 0..pods {
        let n = p % namespaces;
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("pod{p}"), "namespace": format!("ns{n}"), "labels": {"app": format!("app{}", (p / namespaces) % 10), "role": if p % 3 == 0 {"db"} else {"web"}}},
            "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8000 + (p % 4) as i64}, {"name": "metrics", "containerPort": 9090}]}]}});
        if unique {
            pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] =
                json!(format!("pod{p}"));
        }
        objects.push(object(pod));
    }
    for i in 0..policies {
        let n = i % namespaces;
        let peer = match i % 4 {
            0 => json!({"podSelector": {"matchLabels": {"role": "web"}}}),
            1 => {
                json!({"namespaceSelector": {"matchLabels": {"tier": format!("t{}", i % 5)}}, "podSelector": {"matchLabels": {"app": format!("app{}", i % 10)}}})
            }
            2 => {
                json!({"namespaceSelector": {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}})
            }
            _ => {
                json!({"ipBlock": {"cidr": format!("10.{}.0.0/16", i % 250), "except": [format!("10.{}.1.0/24", i % 250)]}})
            }
        };
        let port = if i % 2 == 0 {
            json!({"port": "http"})
        } else {
            json!({"port": 443 + (i % 7) as i64})
        };
        objects.push(object(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": format!("np{i}"), "namespace": format!("ns{n}")},
            "spec": {"podSelector": {"matchLabels": {"app": format!("app{}", i % 10)}}, "policyTypes": ["Ingress", "Egress"],
                     "ingress": [{"from": [peer.clone()], "ports": [port]}],
                     "egress": [{"to": [peer]}, {"ports": [{"port": 53, "protocol": "UDP"}]}]}})));
    }
    let inventory = Inventory::new(objects);
    let t = Instant::now();
    let model = Model::from_inventory(&inventory);
    let t_model = t.elapsed();
    let t = Instant::now();
    let engine = Engine::new(&model);
    let t_engine = t.elapsed();
    println!(
        "{} workloads, {} classes, {} policies, {} pod sets, {} external pieces",
        model.workloads.len(),
        engine.classes.len(),
        model.policies.len(),
        model.pod_sets.len(),
        engine.external_sources.len() + engine.external_destinations.len()
    );
    // One reach is microseconds: time many different pairs and report the mean.
    let queries = 1_000usize;
    let workloads = model.workloads.len().max(1);
    let t = Instant::now();
    let mut answer = Err(String::new());
    for q in 0..queries {
        let (from, to) = (
            Endpoint::Workload((q * 7919) % workloads),
            Endpoint::Workload((q * 104_729 + workloads / 2) % workloads),
        );
        answer = reach(&engine, from, to, Some((Protocol::Tcp, 8000)));
        std::hint::black_box(&answer);
    }
    let t_reach = t.elapsed() / queries as u32;
    let t = Instant::now();
    let connectivity = Connectivity::compute(&engine);
    let t_conn = t.elapsed();
    println!(
        "model {:?}, engine {:?}, full class connectivity {:?}, one reach {:?} (mean of {queries}; last allowed: {:?})",
        t_model,
        t_engine,
        t_conn,
        t_reach,
        answer.map(|a| a.allowed)
    );
    std::hint::black_box(connectivity.between(0, 1));
    if unique {
        // The connection list as `netpol connlist` writes it, streamed.
        let t = Instant::now();
        let (mut lines, mut bytes) = (0u64, 0u64);
        let streamed =
            connectivity.each_record(&palisade_netpol::ingress::Controller::Abstract, |record| {
                use std::io::Write;
                let mut sink = Counting(0);
                writeln!(sink, "{record}")?;
                lines += 1;
                bytes += sink.0;
                Ok::<(), std::io::Error>(())
            });
        println!(
            "connection list streamed: {lines} lines, {:.1} MB of text in {:?}{}",
            bytes as f64 / 1e6,
            t.elapsed(),
            if streamed.is_err() {
                " (write error)"
            } else {
                ""
            }
        );
    }
    if let Some(kb) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
    {
        println!(
            "peak resident memory: {} MB (includes the generated input)",
            kb / 1024
        );
    }
}

/// A writer that only counts bytes.
struct Counting(u64);

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
