//! Tests of the `pactsim` binary as users run it: exit codes, output shapes, messages.

mod analysis;
mod bad_input;
mod calibrate;
mod currency;
mod data;
mod figures;
mod golden;
mod montecarlo;
mod overrides;
mod report;
mod run;
mod schema;
mod serve;
mod trade;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the built binary from the repository root.
pub fn pactsim(args: &[&str]) -> Output {
    pactsim_in(&repo_root(), args)
}

/// Runs the built binary from `dir`.
pub fn pactsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pactsim")).args(args).current_dir(dir).output().expect("the binary runs")
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A scratch folder for one test, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `args` and expects bad input: exit 2, nothing on stdout. Returns stderr.
#[track_caller]
pub fn rejected(args: &[&str]) -> String {
    let output = pactsim(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(stdout(&output).is_empty(), "nothing on stdout: {}", stdout(&output));
    assert!(!err.contains("panicked"), "{err}");
    err
}
