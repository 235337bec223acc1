//! Bad input exits 2 with a message naming file, line, column and field, and never panics. The
//! messages for bad deal and CSV files, case by case, are golden files (`golden.rs`).

use crate::{pactsim, pactsim_in, repo_root, scratch, stderr, stdout};

const GOOD: &str = "schema = 1\n[deal]\nid = \"x\"\ntitle = \"t\"\ninvestor = \"KR\"\nhost = \"US\"\nstart = 2025-11-14\nhorizon_years = 5\n\
[[facility]]\nid = \"strategic\"\ncommitment_usd_bn = 10.0\nwaterfall = \"mou\"\n[waterfall.mou]\ntiers = [ { investor = 1.0, host = 0.0 } ]\n";

/// Writes `source` to a file, runs `args` on it and returns (exit code, stderr).
fn on_file(name: &str, source: &str, command: &str) -> (Option<i32>, String, String) {
    let dir = scratch(name);
    let path = dir.join("deal.toml");
    std::fs::write(&path, source).unwrap();
    let output = pactsim(&[command, path.to_str().unwrap()]);
    (output.status.code(), stderr(&output), stdout(&output))
}

#[test]
fn a_good_file_checks() {
    let (code, err, _) = on_file("good", GOOD, "check");
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("valid deal"));
}

/// `run` reports a bad deal file exactly as `check` does (the golden cases in
/// `tests/golden/bad/`), and prints nothing on standard output.
#[test]
fn run_reports_a_bad_file_as_check_does() {
    let dir = repo_root().join("crates/pactsim-cli/tests/golden/bad");
    for case in ["unknown-field", "negative-money", "syntax-error", "fx-unknown-model"] {
        let output = pactsim_in(&dir, &["run", &format!("{case}.toml")]);
        assert_eq!(output.status.code(), Some(2), "{case}");
        assert!(stdout(&output).is_empty(), "{case}: {}", stdout(&output));
        let expected = std::fs::read_to_string(dir.join(format!("{case}.stderr"))).unwrap();
        assert_eq!(stderr(&output), expected, "{case}");
    }
}

#[test]
fn garbage_and_empty_files_do_not_panic() {
    for (name, source) in [
        ("empty", ""),
        ("binary", "\u{0}\u{1}\u{2}"),
        ("array", "[[deal]]\n"),
        ("numbers", "schema = 99999999999999999999\n"),
    ] {
        let (code, err, _) = on_file(name, source, "run");
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

/// A file that cannot be read is named, with the reason, and no line (deal files and CSV files
/// alike; `calibrate`'s is in its own tests).
#[test]
fn a_missing_file_is_named_with_the_reason_in_plain_words() {
    for (args, expected) in [
        (["run", "no/such/deal.toml"], "error: cannot read no/such/deal.toml: no such file\n"),
        (["check", "deals"], "error: cannot read deals: it is a folder, not a file\n"),
        (["figures", "no/such/flows.csv"], "error: cannot read no/such/flows.csv: no such file\n"),
        (["figures", "deals"], "error: cannot read deals: it is a folder, not a file\n"),
    ] {
        let output = pactsim(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&output), expected);
    }
}

/// The deal library's files, as the repository holds them.
fn library() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("deals"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

/// `pactsim run kr-us-2025-mou.toml` from the repository's root (or with a misspelt name) points to
/// `deals/`, listing what is there.
#[test]
fn a_library_deal_named_without_its_folder_is_pointed_to() {
    let listing = format!("note: deals/ holds {}\n", library().join(", "));
    for (command, given, closest) in [
        ("run", "kr-us-2025-mou.toml", "kr-us-2025-mou.toml"),
        ("check", "kr-us-2025-mou", "kr-us-2025-mou.toml"),
        ("trade", "deals/jp-us-2025-muo.toml", "jp-us-2025-mou.toml"),
        ("run", "elsewhere/kr-us-2025-us-ask", "kr-us-2025-us-ask.toml"),
    ] {
        let output = pactsim(&[command, given]);
        assert_eq!(output.status.code(), Some(2), "{given}");
        let expected =
            format!("error: cannot read {given}: no such file\n{listing}hint: did you mean deals/{closest}?\n");
        assert_eq!(stderr(&output), expected);
    }
}

/// Away from a checkout, the library's names (compiled in) still show where a deal comes from,
/// and the default deal is one command away.
#[test]
fn away_from_the_repository_the_library_is_listed_from_memory() {
    let dir = scratch("library-elsewhere");
    let listing = format!("note: the deal library (deals/ in a pactsim checkout) holds {}\n", library().join(", "));
    let output = pactsim_in(&dir, &["run", "kr-us-2025-mou.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot read kr-us-2025-mou.toml: no such file\n{listing}\
             hint: kr-us-2025-mou.toml is the default deal: `pactsim run` with no file runs its embedded copy\n"
        )
    );
    let output = pactsim_in(&dir, &["check", "jp-us-2025-mou"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot read jp-us-2025-mou: no such file\n{listing}\
             hint: did you mean jp-us-2025-mou.toml? It is in the deals/ folder of a pactsim checkout\n"
        )
    );
}

#[test]
fn unknown_commands_and_flags_are_bad_input() {
    assert_eq!(pactsim(&["rnu"]).status.code(), Some(2));
    assert_eq!(pactsim(&["run", "--jsn"]).status.code(), Some(2));
    assert_eq!(pactsim(&["--help"]).status.code(), Some(0));
}
