//! Golden files: what the binary prints for every library deal and every bad-input fixture,
//! committed under `tests/golden/` (layout in its README.md) and compared byte for byte, so that
//! "nothing changed" is checkable and every change shows up in review. With `UPDATE_EXPECT=1` the
//! tests write what the binary prints now into the files instead, and pass.

use std::path::{Path, PathBuf};

use crate::{pactsim_in, repo_root, stderr, stdout};

/// The command that rewrites the golden files, shown with every difference.
const UPDATE_COMMAND: &str = "UPDATE_EXPECT=1 cargo test -p pactsim-cli golden";

/// How the library deals are run for their goldens: enough paths for every figure to be a real
/// distribution, few enough for a debug build.
const RUN_ARGS: [&str; 4] = ["--paths", "2000", "--seed", "7"];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|value| !value.is_empty() && value != "0")
}

/// The files in `dir` whose names end with `.extension`, sorted, as (stem, path).
fn files(dir: &Path, extension: &str) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .map(|path| (path.file_stem().unwrap().to_string_lossy().into_owned(), path))
        .collect();
    found.sort();
    found
}

fn exit_status(output: &std::process::Output) -> String {
    output.status.code().map_or("no status (killed by a signal)".to_string(), |code| code.to_string())
}

/// A path as the repository names it, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(repo_root()).unwrap_or(path).display().to_string()
}

/// What one test found wrong, reported together at its end.
#[derive(Default)]
struct Differences(Vec<String>);

impl Differences {
    /// Compares what `command` printed with the golden file `golden`; when updating, writes it
    /// there instead (only if it changed, so untouched files keep their times).
    fn check(&mut self, golden: &Path, printed: &str, command: &str) {
        let committed = std::fs::read_to_string(golden).ok();
        if committed.as_deref() == Some(printed) {
            return;
        }
        if updating() {
            std::fs::write(golden, printed).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
            eprintln!("updated {}", shown(golden));
            return;
        }
        match committed {
            Some(committed) => self.0.push(format!(
                "{} differs from what `{command}` prints now:\n{}",
                shown(golden),
                diff(&committed, printed)
            )),
            None => self.0.push(format!("{} is missing: it holds what `{command}` prints", shown(golden))),
        }
    }

    /// A failure no update can fix, such as a wrong exit status.
    fn fail(&mut self, what: String) {
        self.0.push(what);
    }

    /// A golden file whose case is gone: removed when updating.
    fn stale(&mut self, golden: &Path) {
        if updating() {
            std::fs::remove_file(golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
            eprintln!("removed {}", shown(golden));
        } else {
            self.0.push(format!("{} belongs to no case: its input is gone", shown(golden)));
        }
    }

    fn finish(self) {
        if !self.0.is_empty() {
            panic!(
                "{}\n{} golden difference(s); if the change is intended, update the files with\n    {UPDATE_COMMAND}\nand review the diff",
                self.0.join("\n"),
                self.0.len()
            );
        }
    }
}

/// A unified-style diff of where the two texts differ, enough to see what changed: the lines both
/// share at the start and at the end are left out, and between them, when both sides have as many
/// lines (numbers that moved in place, the usual golden change), each stretch of changed lines is
/// shown apart; otherwise the whole middle is one stretch. Two lines of context each side, at most
/// twelve lines a side and three stretches.
fn diff(expected: &str, actual: &str) -> String {
    const CONTEXT: usize = 2;
    const LINES_SHOWN: usize = 12;
    const STRETCHES_SHOWN: usize = 3;
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let same_start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let same_end =
        old[same_start..].iter().rev().zip(new[same_start..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (old_end, new_end) = (old.len() - same_end, new.len() - same_end);
    if same_start == old_end && same_start == new_end {
        return "  (the lines are the same; the line endings or the final newline differ)\n".to_string();
    }
    // Stretches as (first line, end of old's lines, end of new's lines), 0-based, ends excluded.
    let mut stretches: Vec<(usize, usize, usize)> = Vec::new();
    if old_end - same_start == new_end - same_start {
        for i in same_start..old_end {
            if old[i] == new[i] {
                continue;
            }
            match stretches.last_mut() {
                // Close to the last stretch: one stretch, so context lines are not shown twice.
                Some(last) if i <= last.1 + 2 * CONTEXT => (last.1, last.2) = (i + 1, i + 1),
                _ => stretches.push((i, i + 1, i + 1)),
            }
        }
    } else {
        stretches.push((same_start, old_end, new_end));
    }
    let mut text = String::new();
    for &(first, old_stop, new_stop) in stretches.iter().take(STRETCHES_SHOWN) {
        text += &format!("@@ line {} @@\n", first + 1);
        for line in &old[first.saturating_sub(CONTEXT)..first] {
            text += &format!("  {line}\n");
        }
        for (sign, lines) in [('-', &old[first..old_stop]), ('+', &new[first..new_stop])] {
            for line in lines.iter().take(LINES_SHOWN) {
                text += &format!("{sign} {line}\n");
            }
            if lines.len() > LINES_SHOWN {
                text += &format!("{sign} … {} more lines\n", lines.len() - LINES_SHOWN);
            }
        }
        for line in old[old_stop..].iter().take(CONTEXT) {
            text += &format!("  {line}\n");
        }
    }
    if stretches.len() > STRETCHES_SHOWN {
        text += &format!("… and {} more changed stretches\n", stretches.len() - STRETCHES_SHOWN);
    }
    text
}

/// Every library deal, run as `pactsim run DEAL --paths 2000 --seed 7`, as JSON and as the summary
/// (`runs/<deal>.json`, `runs/<deal>.txt`), from the repository's root.
#[test]
fn golden_runs_of_the_library_deals() {
    let mut differences = Differences::default();
    let runs = golden_dir().join("runs");
    let deals = files(&repo_root().join("deals"), "toml");
    assert!(!deals.is_empty(), "no deals in deals/");
    for (deal, _) in &deals {
        let file = format!("deals/{deal}.toml");
        for (json, extension) in [(true, "json"), (false, "txt")] {
            let mut args = vec!["run", file.as_str()];
            args.extend(RUN_ARGS);
            if json {
                args.push("--json");
            }
            let command = format!("pactsim {}", args.join(" "));
            let output = pactsim_in(&repo_root(), &args);
            if output.status.code() != Some(0) || !output.stderr.is_empty() {
                let status = exit_status(&output);
                differences.fail(format!(
                    "`{command}` exited with {status}, expected 0 and nothing on standard error:\n{}",
                    stderr(&output)
                ));
                continue;
            }
            differences.check(&runs.join(format!("{deal}.{extension}")), &stdout(&output), &command);
        }
    }
    for extension in ["json", "txt"] {
        for (stem, golden) in files(&runs, extension) {
            if !deals.iter().any(|(deal, _)| *deal == stem) {
                differences.stale(&golden);
            }
        }
    }
    differences.finish();
}

/// Runs every `<case>.<input>` file of `dir` as `pactsim <args…> <case>.<input>` from `dir` itself,
/// so that messages name the file alone, and compares standard error with `<case>.stderr`. Each
/// case is bad input: exit status 2 and nothing on standard output.
fn bad_inputs(differences: &mut Differences, dir: &Path, input: &str, args: &[&str]) {
    let cases = files(dir, input);
    assert!(!cases.is_empty(), "no .{input} cases in {}", shown(dir));
    for (case, _) in &cases {
        let name = format!("{case}.{input}");
        let mut all = args.to_vec();
        all.insert(1, name.as_str());
        let command = format!("pactsim {}", all.join(" "));
        let output = pactsim_in(dir, &all);
        if output.status.code() != Some(2) || !output.stdout.is_empty() {
            differences.fail(format!(
                "{}: `{command}` exited with {}, expected 2 and nothing on standard output:\n{}{}",
                shown(&dir.join(&name)),
                exit_status(&output),
                stdout(&output),
                stderr(&output)
            ));
            continue;
        }
        differences.check(&dir.join(format!("{case}.stderr")), &stderr(&output), &command);
    }
    for (stem, golden) in files(dir, "stderr") {
        if !cases.iter().any(|(case, _)| *case == stem) {
            differences.stale(&golden);
        }
    }
}

/// `bad/<case>.toml`: deal files with a mistake each, as `pactsim check` reports them.
#[test]
fn golden_bad_deal_files() {
    let mut differences = Differences::default();
    bad_inputs(&mut differences, &golden_dir().join("bad"), "toml", &["check"]);
    differences.finish();
}

/// `bad-csv/figures/<case>.csv` and `bad-csv/calibrate/<case>.csv`: CSV files as `pactsim figures`
/// and `pactsim calibrate --model gbm` report them.
#[test]
fn golden_bad_csv_files() {
    let mut differences = Differences::default();
    let dir = golden_dir().join("bad-csv");
    bad_inputs(&mut differences, &dir.join("figures"), "csv", &["figures"]);
    bad_inputs(&mut differences, &dir.join("calibrate"), "csv", &["calibrate", "--model", "gbm"]);
    differences.finish();
}
