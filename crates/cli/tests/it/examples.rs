//! The project's own example data: the curated incidents and the fictional restricted
//! contributions are valid STIX 2.1 for the OASIS validator and for our own, strictly.

use std::process::Command;

use threatscape_testkit::{shared_peer, workspace_root};

#[test]
fn the_example_bundles_pass_the_oasis_validator_and_ours() {
    let examples = workspace_root().join("examples");
    for name in ["demo-incidents.json", "demo-restricted.json"] {
        let path = examples.join(name);
        let ours = Command::new(env!("CARGO_BIN_EXE_threatscape"))
            .args(["validate", "--strict"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            ours.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&ours.stderr)
        );
    }
    let Some(validator) = shared_peer("validate-stix") else {
        return;
    };
    for name in ["demo-incidents.json", "demo-restricted.json"] {
        let verdict = Command::new(&validator)
            .arg(examples.join(name))
            .output()
            .expect("the OASIS validator runs");
        assert!(
            verdict.status.success(),
            "the OASIS validator rejects {name}:\n{}{}",
            String::from_utf8_lossy(&verdict.stdout),
            String::from_utf8_lossy(&verdict.stderr)
        );
    }
}
