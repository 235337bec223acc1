//! The model's modules depend one way: each may use only the modules of the layers below it.
//! This reads the sources (test modules excluded) and fails on any `crate::` path that points up
//! or sideways, so a cycle cannot come back unnoticed.

use std::path::Path;

/// Bottom to top. A module may use modules of earlier layers only.
const LAYERS: &[&[&str]] = &[
    &["calendar"],
    &["calibrated_fx"],
    &["deal"],
    &["outcome"],
    &["loan", "waterfall", "funding", "figures"],
    &["currency"],
    &["engine"],
    &["spec"],
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| panic!("module `{module}` is in no layer of tests/layers.rs: add it where it belongs"))
}

/// The top-level module a source file belongs to (`spec/validate/trade.rs` → `spec`).
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

/// `crate::X` paths in the non-test part of a source file.
fn uses(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
        rest = after;
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source folder is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).expect("below src");
        let Some(module) = module_of(relative) else { continue };
        if relative.ends_with("tests.rs") {
            continue;
        }
        let source = std::fs::read_to_string(file).expect("a readable source file");
        for used in uses(&source) {
            if used != module && layer_of(&used) >= layer_of(&module) {
                wrong.push(format!("{}: `{module}` uses `crate::{used}`", relative.display()));
            }
        }
    }
    assert!(files.len() > 10, "found the sources ({} files)", files.len());
    assert!(wrong.is_empty(), "modules using a layer at or above their own:\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_a_use_that_points_up() {
    let engine_in_deal = "use crate::calendar;\nfn f() { crate::engine::run(); }\n#[cfg(test)]\nuse crate::spec;";
    assert_eq!(uses(engine_in_deal), ["calendar", "engine"]);
    assert!(layer_of("engine") >= layer_of("deal"));
}
