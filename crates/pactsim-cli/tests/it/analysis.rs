//! `compare`, `sensitivity` and `frontier` (shared/contracts/analysis.md): a compare entry is the
//! run, a deal against itself differs by exactly 0, each document has the contract's shape, the
//! bytes do not depend on the thread count, files appear whole, and bad input exits 2.

use std::process::Command;

use serde_json::Value;

use crate::{pactsim, rejected, repo_root, scratch, stderr, stdout};

const KOREA: &str = "deals/kr-us-2025-mou.toml";
const US_ASK: &str = "deals/kr-us-2025-us-ask.toml";
const OFFER: &str = "deals/kr-us-2025-kr-offer.toml";

/// Runs `args`, expects exit 0, and returns stdout.
#[track_caller]
fn ok(args: &[&str]) -> String {
    let output = pactsim(args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

#[track_caller]
fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("stdout is one JSON document")
}

/// Every number in a document is finite and no value is null (an analysis has no figure that may
/// be missing, except inside a compare entry's run totals).
fn no_nulls(value: &Value, path: &str) {
    match value {
        Value::Null => panic!("null at {path}"),
        Value::Number(n) => assert!(n.as_f64().is_some_and(f64::is_finite), "{path}: {n}"),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| no_nulls(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().for_each(|(k, v)| no_nulls(v, &format!("{path}.{k}"))),
        _ => {}
    }
}

#[test]
fn a_compare_entry_is_the_run_figure_for_figure() {
    let set = "run.discount_rate.investor=0.06";
    let args = ["--paths", "200", "--seed", "11", "--set", set];
    let compared = json(&[&["compare", KOREA, US_ASK, "--json"][..], &args[..]].concat());
    let run = json(&[&["run", KOREA, "--json"][..], &args[..]].concat());
    assert_eq!(compared["deals"][0]["totals"], run["totals"]);
    assert_eq!(compared["overrides"], serde_json::json!([set]));
    assert_eq!(compared["deals"][0]["overrides"], run["overrides"]);
    assert_eq!(compared["deals"][1]["overrides"], serde_json::json!([set]));
    let other = json(&["compare", US_ASK, KOREA, "--json", "--paths", "200", "--seed", "11"]);
    let ask = json(&["run", US_ASK, "--json", "--paths", "200", "--seed", "11"]);
    assert_eq!(other["deals"][0]["totals"], ask["totals"]);
}

#[test]
fn a_deal_against_itself_differs_by_exactly_zero() {
    let document = json(&["compare", KOREA, KOREA, "--json", "--paths", "150", "--seed", "4"]);
    let figures = document["differences"][0]["figures"].as_object().unwrap();
    assert!(figures.contains_key("deal_npv") && figures.contains_key("deferral_requests"), "{figures:?}");
    for (name, difference) in figures {
        assert_eq!(difference["mean"], serde_json::json!(0.0), "{name}");
        assert_eq!(difference["se"], serde_json::json!(0.0), "{name}");
    }
    // A variant that changes nothing is the deal again.
    let same = json(&["compare", KOREA, "--variant", "same:", "--json", "--paths", "150", "--seed", "4"]);
    assert_eq!(same["differences"][0]["figures"]["deal_npv"], serde_json::json!({ "mean": 0.0, "se": 0.0 }));
}

#[test]
fn the_compare_document_has_the_contract_s_shape() {
    let document = json(&[
        "compare",
        KOREA,
        US_ASK,
        "--variant",
        "no clause: --unset stability",
        "--json",
        "--paths",
        "150",
        "--seed",
        "2",
    ]);
    assert_eq!((document["schema"].clone(), document["kind"].clone()), (1.into(), "compare".into()));
    assert_eq!((document["seed"].as_u64(), document["paths"].as_u64()), (Some(2), Some(150)));
    let deals = document["deals"].as_array().unwrap();
    let labels: Vec<&str> = deals.iter().map(|d| d["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["kr-us-2025-mou", "kr-us-2025-us-ask", "no clause"]);
    assert_eq!(deals[2]["deal"], "kr-us-2025-mou");
    assert_eq!(deals[2]["file"], KOREA);
    assert_eq!(deals[2]["overrides"], serde_json::json!(["!stability"]));
    for deal in deals {
        for stat in ["investor_npv", "deal_npv"] {
            let per_usd = &deal["per_usd_committed"][stat];
            let total = deal["totals"][stat]["mean"].as_f64().unwrap();
            let committed = deal["committed_usd_bn"].as_f64().unwrap();
            assert!((per_usd["mean"].as_f64().unwrap() - total / committed).abs() < 1e-12, "{stat}");
        }
    }
    let differences = document["differences"].as_array().unwrap();
    assert_eq!(differences.len(), 2);
    assert_eq!(
        (differences[0]["deal"].as_str(), differences[0]["versus"].as_str()),
        (Some("kr-us-2025-us-ask"), Some("kr-us-2025-mou"))
    );
    let npv = &differences[0]["figures"]["deal_npv"];
    assert!(npv["mean"].as_f64().unwrap() < 0.0 && npv["se"].as_f64().unwrap() > 0.0, "{npv}");
    // Without its clause, the MOU asks for no deferral on any path.
    let requests = &differences[1]["figures"]["deferral_requests"];
    let mou_requests = deals[0]["reserves"]["deferral_requests"]["mean"].as_f64().unwrap();
    assert!((requests["mean"].as_f64().unwrap() + mou_requests).abs() < 1e-9, "{requests}");
}

#[test]
fn compare_out_writes_whole_files() {
    let dir = scratch("compare-out");
    let out = dir.join("cmp");
    let text = ok(&["compare", KOREA, OFFER, "--paths", "100", "--seed", "1", "--out", out.to_str().unwrap()]);
    assert!(text.contains("Differences against kr-us-2025-mou"), "{text}");
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["compare.json", "deals.csv", "differences.csv"]);
    let deals = std::fs::read_to_string(out.join("deals.csv")).unwrap();
    assert!(deals.starts_with("label,deal,file,figure,mean,mean_se,p5,p50,p95,defined_share\n"), "{deals}");
    assert!(deals.contains("kr-us-2025-kr-offer,kr-us-2025-kr-offer,deals/kr-us-2025-kr-offer.toml,deal_npv,"));
    let differences = std::fs::read_to_string(out.join("differences.csv")).unwrap();
    assert!(differences.contains("kr-us-2025-kr-offer,kr-us-2025-mou,deal_npv,"), "{differences}");
}

#[test]
fn the_tornado_s_base_is_the_run_and_its_inputs_sorted_by_swing() {
    let args = ["--paths", "120", "--seed", "9"];
    let tornado = json(
        &[
            &[
                "sensitivity",
                KOREA,
                "--method",
                "tornado",
                "--json",
                "--range",
                "run.discount_rate.investor=0.03..0.07",
            ][..],
            &args[..],
        ]
        .concat(),
    );
    no_nulls(&tornado, "tornado");
    let run = json(&[&["run", KOREA, "--json"][..], &args[..]].concat());
    assert_eq!(
        (tornado["schema"].clone(), tornado["kind"].clone(), tornado["output"].clone()),
        (1.into(), "tornado".into(), "deal_npv".into())
    );
    assert_eq!(tornado["base"]["mean"], run["totals"]["deal_npv"]["mean"]);
    assert_eq!(tornado["base"]["se"], run["totals"]["deal_npv"]["mean_se"]);
    let inputs = tornado["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 10, "nine distributions and one range");
    let swings: Vec<f64> = inputs.iter().map(|i| i["swing"].as_f64().unwrap()).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    for input in inputs {
        let (low, high) = (input["low"]["mean"].as_f64().unwrap(), input["high"]["mean"].as_f64().unwrap());
        assert_eq!(input["swing"].as_f64().unwrap(), (high - low).abs());
        assert!(input["low"]["value"].as_f64().unwrap() < input["high"]["value"].as_f64().unwrap());
    }
    // An input held at a value is the run with that value set.
    let rate = inputs.iter().find(|i| i["key"] == "run.discount_rate.investor").unwrap();
    let at_high =
        json(&[&["run", KOREA, "--json", "--set", "run.discount_rate.investor=0.07"][..], &args[..]].concat());
    assert_eq!(rate["high"]["mean"], at_high["totals"]["deal_npv"]["mean"]);
    let text =
        ok(&[&["sensitivity", KOREA, "--method", "tornado", "--output", "investor_npv"][..], &args[..]].concat());
    assert!(text.contains("Tornado of investor_npv") && text.contains("|") && text.contains("swing ± se"), "{text}");
}

#[test]
fn sobol_writes_its_design_in_salib_s_order_and_the_indices() {
    let dir = scratch("sobol-design");
    let design = dir.join("design.csv");
    let args = [
        "sensitivity",
        KOREA,
        "--method",
        "sobol",
        "--n",
        "4",
        "--input",
        "run.discount_rate.investor=0.03..0.07",
        "--input",
        "pipeline.strategic.irr",
        "--paths",
        "32",
        "--seed",
        "5",
        "--json",
        "--design-out",
        design.to_str().unwrap(),
    ];
    let document = json(&args);
    no_nulls(&document, "sobol");
    assert_eq!(
        (document["kind"].clone(), document["n"].clone(), document["evaluations"].clone()),
        ("sobol".into(), 4.into(), 16.into())
    );
    let inputs = document["inputs"].as_array().unwrap();
    assert_eq!(inputs[0]["key"], "run.discount_rate.investor");
    assert_eq!((inputs[0]["low"].as_f64(), inputs[0]["high"].as_f64()), (Some(0.03), Some(0.07)));
    for input in inputs {
        for field in ["first_order_ci", "total_ci"] {
            assert_eq!(input[field].as_array().unwrap().len(), 2);
        }
    }
    let csv = std::fs::read_to_string(&design).unwrap();
    let rows: Vec<Vec<f64>> = csv.lines().skip(1).map(|l| l.split(',').map(|c| c.parse().unwrap()).collect()).collect();
    assert!(csv.starts_with("run.discount_rate.investor,pipeline.strategic.irr,deal_npv\n"), "{csv}");
    assert_eq!(rows.len(), 16);
    // For each base row: A, AB_1 (input 1 from B), AB_2, B.
    for block in rows.chunks(4) {
        let (a, ab1, ab2, b) = (&block[0], &block[1], &block[2], &block[3]);
        assert_eq!((ab1[0], ab1[1]), (b[0], a[1]));
        assert_eq!((ab2[0], ab2[1]), (a[0], b[1]));
    }
    // A design row's output is the run's mean with those values set.
    let (rate, irr) = (rows[0][0].to_string(), rows[0][1].to_string());
    let run = json(&[
        "run",
        KOREA,
        "--json",
        "--paths",
        "32",
        "--seed",
        "5",
        "--set",
        &format!("run.discount_rate.investor={rate}"),
        "--set",
        &format!("pipeline.strategic.irr={irr}"),
    ]);
    assert_eq!(run["totals"]["deal_npv"]["mean"].as_f64(), Some(rows[0][2]));
    assert!(!dir.join(".design.csv.partial").exists());
}

#[test]
fn the_frontier_flags_efficient_points_and_places_marked_deals() {
    let document = json(&[
        "frontier",
        KOREA,
        "--vary",
        "facility.strategic.annual_cap_usd_bn=10..40",
        "--vary",
        "run.discount_rate.host=0.03..0.06",
        "--points",
        "8",
        "--mark",
        US_ASK,
        "--paths",
        "40",
        "--seed",
        "3",
        "--json",
    ]);
    no_nulls(&document, "frontier");
    assert_eq!(document["kind"], "frontier");
    assert_eq!(
        document["objectives"],
        serde_json::json!([
            { "name": "investor", "figure": "deal_npv", "sense": "max" },
            { "name": "host", "figure": "host_npv", "sense": "max" }
        ])
    );
    let points = document["points"].as_array().unwrap();
    assert_eq!(points.len(), 8);
    let score = |p: &Value| [p["outputs"]["investor"].as_f64().unwrap(), p["outputs"]["host"].as_f64().unwrap()];
    let dominates = |a: [f64; 2], b: [f64; 2]| a[0] >= b[0] && a[1] >= b[1] && (a[0] > b[0] || a[1] > b[1]);
    for p in points {
        let dominated = points.iter().any(|q| dominates(score(q), score(p)));
        assert_eq!(p["efficient"].as_bool(), Some(!dominated));
        let cap = p["values"]["facility.strategic.annual_cap_usd_bn"].as_f64().unwrap();
        assert!((10.0..=40.0).contains(&cap));
    }
    let mark = &document["marked"][0];
    assert_eq!(mark["deal"], "kr-us-2025-us-ask");
    let dominating = points.iter().filter(|q| dominates(score(q), score(mark))).count();
    assert_eq!(mark["dominated_by"].as_u64(), Some(dominating as u64));
    assert_eq!(mark["efficient"].as_bool(), Some(dominating == 0));
}

/// Each analysis's JSON with `threads` worker threads.
fn on_threads(args: &[&str], threads: &str) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_pactsim"))
        .args(args)
        .current_dir(repo_root())
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

#[test]
fn the_same_seed_gives_the_same_bytes_on_one_thread_or_two() {
    let common = ["--paths", "300", "--seed", "8", "--json"];
    let commands: [&[&str]; 4] = [
        &["compare", KOREA, US_ASK, "--variant", "cap: --set facility.strategic.annual_cap_usd_bn=30"],
        &["sensitivity", KOREA, "--method", "tornado", "--range", "fx.outflow_impact=0..0.05"],
        &["sensitivity", KOREA, "--method", "sobol", "--n", "2", "--input", "pipeline.strategic.irr"],
        &["frontier", KOREA, "--vary", "facility.strategic.annual_cap_usd_bn=10..40", "--points", "3", "--mark", OFFER],
    ];
    for command in commands {
        let args = [command, &common[..]].concat();
        assert_eq!(on_threads(&args, "1"), on_threads(&args, "2"), "{args:?}");
    }
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let tornado = |extra: &[&str]| {
        rejected(&[&["sensitivity", KOREA, "--method", "tornado", "--paths", "10"][..], extra].concat())
    };
    let err = tornado(&["--range", "fx.outflow_impact=0.5"]);
    assert!(err.contains("--range: `fx.outflow_impact=0.5`: no `..`"), "{err}");
    let err = tornado(&["--range", "fx.outflow_impact=0.05..0.01"]);
    assert!(err.contains("expected LO below HI"), "{err}");
    let err = tornado(&["--range", "facility.strategic.anual_cap_usd_bn=10..40"]);
    assert!(err.contains("did you mean `facility.strategic.annual_cap_usd_bn`?"), "{err}");
    assert!(
        err.contains("note: this is the deal with --range facility.strategic.anual_cap_usd_bn=10..40 at 10"),
        "{err}"
    );
    let err = tornado(&["--output", "deal_nvp"]);
    assert!(err.contains("unknown figure `deal_nvp` (did you mean `deal_npv`?)") && err.contains("host_npv"), "{err}");
    let err = rejected(&["sensitivity", KOREA, "--method", "sobol", "--n", "100", "--paths", "10"]);
    assert!(err.contains("--n: found 100, expected a power of two"), "{err}");
    let err = rejected(&["sensitivity", KOREA, "--method", "sobol", "--n", "4", "--input", "fx.model"]);
    assert!(err.contains("fx.model is not a distribution in the deal file"), "{err}");
    let err = rejected(&["sensitivity", KOREA, "--method", "sobol", "--n", "4", "--range", "fx.outflow_impact=0..1"]);
    assert!(err.contains("--range goes with --method tornado"), "{err}");
    let err = rejected(&["compare", KOREA, "--variant", "cap 25 --set facility.strategic.annual_cap_usd_bn=25"]);
    assert!(err.contains("no `:` after the variant's name") && err.contains("hint:"), "{err}");
    let err = rejected(&["compare", KOREA, "--variant", "cap: --set facility.strategic.annual_cap_usd_bn=-5"]);
    assert!(err.contains("note: this is the deal with variant `cap`"), "{err}");
    let err = rejected(&["compare", KOREA]);
    assert!(err.contains("expected at least two to compare"), "{err}");
    let err = rejected(&[
        "frontier",
        KOREA,
        "--vary",
        "run.discount_rate.host=0.03..0.06",
        "--objective",
        "us=host_npv:most",
    ]);
    assert!(err.contains("`most` is neither min nor max"), "{err}");
    let err =
        rejected(&["frontier", KOREA, "--vary", "run.discount_rate.host=0.03..0.06", "--mark", "deals/nope.toml"]);
    assert!(err.contains("cannot read deals/nope.toml"), "{err}");
}
