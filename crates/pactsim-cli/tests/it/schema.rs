//! The committed `deal.schema.json` is what `pactsim schema` prints (regenerate with
//! `cargo run -p pactsim-cli -- schema > deal.schema.json`).

use crate::{pactsim, repo_root, stdout};

#[test]
fn the_committed_schema_is_current() {
    let printed = stdout(&pactsim(&["schema"]));
    let committed =
        std::fs::read_to_string(repo_root().join("deal.schema.json")).expect("deal.schema.json is committed");
    assert!(
        printed == committed,
        "deal.schema.json is stale: run `cargo run -p pactsim-cli -- schema > deal.schema.json`"
    );
}

#[test]
fn the_schema_describes_facilities() {
    let schema: serde_json::Value = serde_json::from_str(&stdout(&pactsim(&["schema"]))).unwrap();
    let text = schema.to_string();
    assert!(text.contains("annual_cap_usd_bn") && text.contains("deemed-allocation"));
}
