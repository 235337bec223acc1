//! `pactsim sweep`: an analysis (or a run, by chunks of paths) planned as units, its units run in
//! any order and any number of times, and the merge, byte for byte the document the command prints
//! on one machine; parts that are missing, corrupt or of another plan are named, with exit 1.

use std::path::Path;

use crate::{pactsim, rejected, scratch, stderr, stdout};

const KOREA: &str = "deals/kr-us-2025-mou.toml";
const US_ASK: &str = "deals/kr-us-2025-us-ask.toml";
const OFFER: &str = "deals/kr-us-2025-kr-offer.toml";

/// Runs `args`, expects exit 0, and returns stdout's bytes.
#[track_caller]
fn ok(args: &[&str]) -> Vec<u8> {
    let output = pactsim(args);
    assert_eq!(output.status.code(), Some(0), "{:?}: {}", args, stderr(&output));
    output.stdout
}

/// The units in a shuffled order (a stride coprime with 1, 3 and 7), then the middle one again.
fn shuffled(units: u64) -> Vec<u64> {
    let mut order: Vec<u64> = (0..units).map(|k| (k * 5 + 3) % units).collect();
    order.push(units / 2);
    order
}

/// Plans `analysis` in `units` units under `dir`, runs them shuffled with one repeated, merges
/// with `merge`: the merge's stdout.
fn swept(analysis: &[&str], units: u64, dir: &Path, merge: &[&str]) -> Vec<u8> {
    let manifest = dir.join(format!("sweep-{units}.json"));
    let parts = dir.join(format!("parts-{units}"));
    let (manifest, parts) = (manifest.to_str().unwrap(), parts.to_str().unwrap());
    let units_text = units.to_string();
    ok(&[&["sweep", "plan"][..], analysis, &["--units", &units_text, "-o", manifest]].concat());
    for unit in shuffled(units) {
        ok(&["sweep", "work", manifest, "--unit", &unit.to_string(), "-o", parts]);
    }
    let files = std::fs::read_dir(parts).unwrap().count();
    assert_eq!(files as u64, units, "one file a unit, no temporary left behind");
    ok(&[&["sweep", "merge", manifest, parts][..], merge].concat())
}

/// The merge of 1, 3 and 7 units equals the one-machine command's JSON, byte for byte.
#[track_caller]
fn merges_to_the_one_machine_bytes(name: &str, analysis: &[&str]) {
    let dir = scratch(&format!("sweep-{name}"));
    let one = ok(&[analysis, &["--json"]].concat());
    assert!(one.len() > 100);
    for units in [1, 3, 7] {
        let merged = swept(analysis, units, &dir, &["--json"]);
        assert!(merged == one, "{name}, {units} units: the merge differs from the one-machine output");
    }
}

#[test]
fn a_swept_sobol_analysis_is_the_one_machine_analysis_and_design() {
    let analysis = [
        "sensitivity",
        KOREA,
        "--method",
        "sobol",
        "--n",
        "2",
        "--input",
        "run.discount_rate.investor=0.03..0.07",
        "--input",
        "pipeline.strategic.irr",
        "--paths",
        "16",
        "--seed",
        "5",
    ];
    merges_to_the_one_machine_bytes("sobol", &analysis);
    // The design file too.
    let dir = scratch("sweep-sobol-design");
    let (one, merged) = (dir.join("one.csv"), dir.join("merged.csv"));
    ok(&[&analysis[..], &["--design-out", one.to_str().unwrap()]].concat());
    swept(&analysis, 3, &dir, &["--design-out", merged.to_str().unwrap()]);
    assert_eq!(std::fs::read(one).unwrap(), std::fs::read(merged).unwrap());
}

#[test]
fn a_swept_tornado_is_the_one_machine_tornado_in_json_and_text() {
    let analysis = [
        "sensitivity",
        KOREA,
        "--method",
        "tornado",
        "--range",
        "run.discount_rate.investor=0.03..0.07",
        "--range",
        "facility.strategic.annual_cap_usd_bn=10..40",
        "--paths",
        "16",
        "--seed",
        "8",
        "--set",
        "run.discount_rate.host=0.05",
    ];
    merges_to_the_one_machine_bytes("tornado", &analysis);
    let dir = scratch("sweep-tornado-text");
    assert_eq!(swept(&analysis, 3, &dir, &[]), ok(&analysis));
}

#[test]
fn a_swept_frontier_is_the_one_machine_frontier() {
    merges_to_the_one_machine_bytes(
        "frontier",
        &[
            "frontier",
            KOREA,
            "--vary",
            "facility.strategic.annual_cap_usd_bn=10..40",
            "--points",
            "6",
            "--mark",
            US_ASK,
            "--paths",
            "16",
            "--seed",
            "3",
        ],
    );
}

#[test]
fn a_swept_compare_is_the_one_machine_compare_and_its_files() {
    let analysis = [
        "compare",
        KOREA,
        US_ASK,
        OFFER,
        "--variant",
        "no clause: --unset stability",
        "--variant",
        "cap 25: --set facility.strategic.annual_cap_usd_bn=25",
        "--variant",
        "cap 15: --set facility.strategic.annual_cap_usd_bn=15",
        "--variant",
        "same:",
        "--paths",
        "16",
        "--seed",
        "2",
    ];
    merges_to_the_one_machine_bytes("compare", &analysis);
    let dir = scratch("sweep-compare-out");
    let (one, merged) = (dir.join("one"), dir.join("merged"));
    let text = ok(&[&analysis[..], &["--out", one.to_str().unwrap()]].concat());
    let merged_text = swept(&analysis, 7, &dir, &["--out", merged.to_str().unwrap()]);
    // The text names the folder it wrote to; otherwise the same.
    let text = String::from_utf8(text).unwrap().replace(one.to_str().unwrap(), "DIR");
    assert_eq!(String::from_utf8(merged_text).unwrap().replace(merged.to_str().unwrap(), "DIR"), text);
    for file in ["compare.json", "deals.csv", "differences.csv"] {
        assert_eq!(std::fs::read(one.join(file)).unwrap(), std::fs::read(merged.join(file)).unwrap(), "{file}");
    }
}

#[test]
fn a_run_split_by_chunks_of_paths_is_the_one_machine_run() {
    // 900 paths: 8 chunks of 128 paths, the last one short.
    let run = ["run", KOREA, "--paths", "900", "--seed", "4", "--set", "run.discount_rate.investor=0.05"];
    merges_to_the_one_machine_bytes("run", &run);
    let dir = scratch("sweep-run-out");
    let (one, merged) = (dir.join("one"), dir.join("merged"));
    ok(&[&run[..], &["--out", one.to_str().unwrap()]].concat());
    swept(&run, 3, &dir, &["--out", merged.to_str().unwrap()]);
    let mut names: Vec<String> =
        std::fs::read_dir(&one).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.len() > 4, "{names:?}");
    for name in names {
        assert_eq!(std::fs::read(one.join(&name)).unwrap(), std::fs::read(merged.join(&name)).unwrap(), "{name}");
    }
}

#[test]
fn missing_corrupt_and_foreign_parts_are_named_with_exit_1() {
    let dir = scratch("sweep-bad-parts");
    let analysis = |seed: &'static str| {
        [
            "frontier",
            KOREA,
            "--vary",
            "run.discount_rate.host=0.03..0.06",
            "--points",
            "3",
            "--paths",
            "8",
            "--seed",
            seed,
        ]
    };
    let (manifest, other) = (dir.join("sweep.json"), dir.join("other.json"));
    let (manifest, other) = (manifest.to_str().unwrap(), other.to_str().unwrap());
    let (parts, other_parts) = (dir.join("parts"), dir.join("other-parts"));
    let (parts_text, other_parts_text) = (parts.to_str().unwrap(), other_parts.to_str().unwrap());
    ok(&[&["sweep", "plan"][..], &analysis("1"), &["--units", "3", "-o", manifest]].concat());
    ok(&[&["sweep", "plan"][..], &analysis("2"), &["--units", "3", "-o", other]].concat());
    for unit in ["0", "2"] {
        ok(&["sweep", "work", manifest, "--unit", unit, "-o", parts_text]);
    }
    ok(&["sweep", "work", other, "--unit", "1", "-o", other_parts_text]);

    // Unit 1 missing.
    let status = pactsim(&["sweep", "status", manifest, parts_text]);
    assert_eq!(status.status.code(), Some(1));
    assert!(
        stdout(&status).contains("2 of 3 units done") && stdout(&status).contains("--array=1"),
        "{}",
        stdout(&status)
    );
    let merge = pactsim(&["sweep", "merge", manifest, parts_text, "--json"]);
    assert_eq!(merge.status.code(), Some(1));
    assert!(stdout(&merge).is_empty());
    let err = stderr(&merge);
    assert!(err.contains("part-00001.json: missing"), "{err}");

    // Unit 1 from another plan, unit 2 altered.
    std::fs::copy(other_parts.join("part-00001.json"), parts.join("part-00001.json")).unwrap();
    let mut bytes = std::fs::read(parts.join("part-00002.json")).unwrap();
    let at = bytes.len() - 3;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(parts.join("part-00002.json"), bytes).unwrap();
    let merge = pactsim(&["sweep", "merge", manifest, parts_text, "--json"]);
    assert_eq!(merge.status.code(), Some(1));
    let err = stderr(&merge);
    assert!(err.contains("part-00001.json: foreign: of plan"), "{err}");
    assert!(err.contains("part-00002.json: corrupt: its payload does not match its sha256"), "{err}");
    assert!(err.contains("2 of 3 parts cannot be merged (units 1-2)"), "{err}");

    // Running the units again repairs the sweep.
    for unit in ["1", "2"] {
        ok(&["sweep", "work", manifest, "--unit", unit, "-o", parts_text]);
    }
    ok(&["sweep", "status", manifest, parts_text]);
    let merged = ok(&["sweep", "merge", manifest, parts_text, "--json"]);
    assert_eq!(merged, ok(&[&analysis("1")[..], &["--json"]].concat()));
}

#[test]
fn bad_plans_and_edited_manifests_exit_2() {
    let dir = scratch("sweep-bad-plans");
    let manifest = dir.join("sweep.json");
    let manifest = manifest.to_str().unwrap();
    let tornado = ["sensitivity", KOREA, "--method", "tornado", "--paths", "8"];
    let err = rejected(&[&["sweep", "plan"][..], &tornado, &["--units", "1000", "-o", manifest]].concat());
    assert!(err.contains("--units 1000") && err.contains("expected 1 to"), "{err}");
    let err = rejected(&[&["sweep", "plan"][..], &tornado, &["--json", "--units", "2", "-o", manifest]].concat());
    assert!(err.contains("--json goes with `pactsim sweep merge`"), "{err}");
    let err = rejected(&["sweep", "plan", "report", KOREA, "--units", "2", "-o", manifest]);
    assert!(err.contains("`report` cannot be swept"), "{err}");
    let err = rejected(&["sweep", "plan", "run", KOREA, "--paths", "auto", "--units", "2", "-o", manifest]);
    assert!(err.contains("needs --paths N (not auto)"), "{err}");
    let err = rejected(&["sweep", "plan", "run", KOREA, "--paths", "300", "--units", "4", "-o", manifest]);
    assert!(err.contains("--units 4") && err.contains("expected 1 to 3"), "{err}");
    let err = rejected(&["sweep", "plan", "sensitivity", KOREA, "--method", "tornado", "-o", manifest]);
    assert!(err.contains("needs --units N"), "{err}");
    // A bad analysis is refused as its own command refuses it.
    let err =
        rejected(&["sweep", "plan", "sensitivity", "nope.toml", "--method", "tornado", "--units", "2", "-o", manifest]);
    assert!(err.contains("cannot read nope.toml"), "{err}");
    ok(&[&["sweep", "plan"][..], &tornado, &["--units", "2", "-o", manifest]].concat());
    let text = std::fs::read_to_string(manifest).unwrap();
    std::fs::write(manifest, text.replace("\"paths\": 8", "\"paths\": 9")).unwrap();
    let err = rejected(&["sweep", "work", manifest, "--unit", "0", "-o", dir.join("parts").to_str().unwrap()]);
    assert!(err.contains("plan_hash does not match"), "{err}");
}
