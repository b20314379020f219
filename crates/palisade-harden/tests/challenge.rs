//! The challenge example: its committed output is what the profile generates
//! now (so it cannot go stale), generation is byte-stable, every document
//! reads back through palisade-load, and the output is snapshot-tested.

use std::path::PathBuf;

use palisade_harden::{GeneratedFile, PolicyEngine, harden};

fn challenge_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/challenge")
}

fn generate(engine: PolicyEngine) -> Vec<GeneratedFile> {
    let profile = challenge_dir().join("profile.yaml");
    let bytes = std::fs::read(&profile).unwrap_or_else(|e| panic!("{}: {e}", profile.display()));
    harden("examples/challenge/profile.yaml", &bytes, engine).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn committed_output_is_what_the_profile_generates() {
    let generated = challenge_dir().join("generated");
    for file in generate(PolicyEngine::Gatekeeper) {
        let path = generated.join(&file.path);
        let committed =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            committed == file.text,
            "{} is stale: run `palisade harden --profile examples/challenge/profile.yaml -o examples/challenge/generated`",
            path.display()
        );
    }
}

#[test]
fn the_same_profile_gives_the_same_bytes() {
    for engine in [
        PolicyEngine::Gatekeeper,
        PolicyEngine::Kyverno,
        PolicyEngine::Vap,
    ] {
        assert_eq!(generate(engine), generate(engine));
    }
}

#[test]
fn every_document_reads_back_as_kubectl_reads_it() {
    for engine in [
        PolicyEngine::Gatekeeper,
        PolicyEngine::Kyverno,
        PolicyEngine::Vap,
    ] {
        for file in generate(engine) {
            let load = palisade_load::load_bytes(
                file.path.as_str().into(),
                file.text.as_bytes(),
                &palisade_load::Limits::default(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", file.path));
            assert!(
                load.findings.is_empty(),
                "{}: {:?}",
                file.path,
                load.findings
            );
            assert!(!load.objects.is_empty(), "{} holds no object", file.path);
            for object in &load.objects {
                assert!(!object.kind().is_empty(), "{}", file.path);
            }
        }
    }
}

#[test]
fn snapshot_of_the_challenge_output() {
    for engine in [
        PolicyEngine::Gatekeeper,
        PolicyEngine::Kyverno,
        PolicyEngine::Vap,
    ] {
        let stream = palisade_harden::stream(&generate(engine));
        insta::assert_snapshot!(format!("challenge_{}", engine.as_str()), stream);
    }
}
