//! `pactsim report` and `pactsim run --format`: the files users open, checked as a user would.

use serde_json::Value;

use crate::{pactsim, scratch, stderr, stdout};

/// The headline numbers of a report: (deal, figure, stat, text), from the spans that carry them.
fn headline_numbers(html: &str) -> Vec<(String, String, String, String)> {
    let mut found = Vec::new();
    for piece in html.split("<span class=\"n\" data-deal=\"").skip(1) {
        let attribute = |name: &str, text: &str| -> String {
            let start = text.find(&format!("{name}=\"")).map(|i| i + name.len() + 2).unwrap();
            text[start..].split('"').next().unwrap().to_string()
        };
        let deal = piece.split('"').next().unwrap().to_string();
        let text = piece.split_once('>').unwrap().1.split('<').next().unwrap().to_string();
        found.push((deal, attribute("data-figure", piece), attribute("data-stat", piece), text));
    }
    found
}

/// The report's rule for writing a figure (html.rs `display`), applied to the JSON.
fn written(figure: &str, value: &Value) -> String {
    let Some(v) = value.as_f64() else { return "–".to_string() };
    match figure {
        "investor_irr" => format!("{:.2}%", v * 100.0),
        "recoup_year" => format!("{v:.0}"),
        "defaults" => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

#[test]
fn a_report_is_one_html_file_whose_headline_numbers_are_the_run_outputs() {
    let dir = scratch("report-one");
    let html_file = dir.join("mou.html");
    let charts = dir.join("charts");
    let args = [
        "deals/kr-us-2025-mou.toml",
        "--paths",
        "128",
        "--seed",
        "5",
        "--set",
        "facility.strategic.annual_cap_usd_bn=25",
    ];
    let output = pactsim(
        &[&["report"], &args[..], &["-o", html_file.to_str().unwrap(), "--charts", charts.to_str().unwrap()]].concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(&html_file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<script") && !html.contains(" src="), "self-contained, no scripts");
    assert!(!html.contains("NaN") && !html.contains("inf<"), "no non-finite number");
    for words in [
        "Headline figures",
        "cumulative net cash",
        "Who gains and who loses",
        "ARA",
        "Sources and assumptions",
        "SHA-256",
    ] {
        assert!(html.contains(words), "the report lacks {words}");
    }
    assert!(html.contains("facility.strategic.annual_cap_usd_bn=25"), "the overrides are recorded");

    let run = pactsim(&[&["run"], &args[..], &["--json"]].concat());
    let document: Value = serde_json::from_str(&stdout(&run)).unwrap();
    let numbers = headline_numbers(&html);
    assert!(numbers.len() >= 40, "{} numbers", numbers.len());
    for (deal, figure, stat, text) in numbers {
        assert_eq!(deal, "kr-us-2025-mou");
        assert_eq!(text, written(&figure, &document["totals"][&figure][&stat]), "{figure} {stat}");
    }

    let files: Vec<String> =
        std::fs::read_dir(&charts).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    for name in [
        "kr-us-2025-mou-cumulative-net-cash",
        "kr-us-2025-mou-exchange-rate",
        "kr-us-2025-mou-tariffs-cars",
        "kr-us-2025-mou-tariffs-other-goods",
    ] {
        assert!(files.contains(&format!("{name}.svg")) && files.contains(&format!("{name}.png")), "{name}: {files:?}");
    }
    assert!(files.iter().all(|f| !f.contains("partial")), "{files:?}");
}

#[test]
fn several_deals_are_compared_side_by_side() {
    let dir = scratch("report-several");
    let html_file = dir.join("both.html");
    let output = pactsim(&[
        "report",
        "deals/jp-us-2025-mou.toml",
        "deals/kr-us-2025-us-ask.toml",
        "--paths",
        "128",
        "-o",
        html_file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(&html_file).unwrap();
    assert!(html.contains("The deals side by side") && html.contains("comparison-cumulative-net-cash"));
    assert!(html.contains("id=\"deal-jp-us-2025-mou\"") && html.contains("id=\"deal-kr-us-2025-us-ask\""));
}

#[test]
fn bad_input_writes_no_report() {
    let dir = scratch("report-bad");
    let html_file = dir.join("r.html");
    let target = html_file.to_str().unwrap();
    let bad_deal = dir.join("bad.toml");
    std::fs::write(&bad_deal, "schema = 1\n[deal]\nid = \"x\"\n").unwrap();
    for args in [
        vec!["report", "deals/jp-us-2025-mou.toml", bad_deal.to_str().unwrap(), "-o", target],
        vec!["report", "deals/no-such-deal.toml", "-o", target],
        vec!["report", "deals/jp-us-2025-mou.toml", "--set", "facility.nope.x=1", "-o", target],
        vec!["report", "deals/jp-us-2025-mou.toml", "deals/jp-us-2025-mou.toml", "-o", target],
        vec!["report", "deals/jp-us-2025-mou.toml", "--keep-paths", "k.csv", "-o", target],
        vec!["report", "deals/jp-us-2025-mou.toml", "-o", dir.to_str().unwrap()],
        vec!["report", "deals/jp-us-2025-mou.toml"],
    ] {
        let output = pactsim(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("error"), "{args:?}: {}", stderr(&output));
        assert!(!html_file.exists(), "{args:?} wrote a report");
    }
}

#[test]
fn out_formats_write_a_workbook_or_parquet_files_beside_summary_json() {
    let dir = scratch("run-formats");
    for (format, expected) in [
        (
            "csv",
            vec![
                "summary.json",
                "totals.csv",
                "years.csv",
                "facilities.csv",
                "projects.csv",
                "months.csv",
                "trade.csv",
            ],
        ),
        ("xlsx", vec!["summary.json", "tables.xlsx"]),
        (
            "parquet",
            vec![
                "summary.json",
                "totals.parquet",
                "years.parquet",
                "facilities.parquet",
                "projects.parquet",
                "months.parquet",
                "trade.parquet",
            ],
        ),
    ] {
        let target = dir.join(format);
        let output = pactsim(&[
            "run",
            "deals/kr-us-2025-mou.toml",
            "--paths",
            "128",
            "--out",
            target.to_str().unwrap(),
            "--format",
            format,
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let mut names: Vec<String> = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(names, expected, "{format}");
        assert!(stdout(&output).contains("Wrote summary.json"), "{}", stdout(&output));
    }
    let magic = std::fs::read(dir.join("xlsx/tables.xlsx")).unwrap();
    assert_eq!(&magic[..2], b"PK", "an xlsx is a zip file");
    let parquet = std::fs::read(dir.join("parquet/years.parquet")).unwrap();
    assert!(parquet.starts_with(b"PAR1") && parquet.ends_with(b"PAR1"));
    let output = pactsim(&["run", "--format", "xlsx"]);
    assert_eq!(output.status.code(), Some(2), "--format without --out is refused");
}
