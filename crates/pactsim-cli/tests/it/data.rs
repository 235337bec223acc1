//! `pactsim data`: the embedded data sets, listed and exported exactly as committed in `data/`.

use crate::{pactsim, repo_root, stderr, stdout};

const NAMES: [&str; 6] = [
    "trade/us-autos-2024",
    "fx/krw-usd-daily",
    "fx/jpy-usd-daily",
    "korea/reserves-monthly",
    "korea/ara-inputs-2025",
    "japan/reserves",
];

fn committed(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("data").join(format!("{name}.csv"))).unwrap()
}

#[test]
fn list_names_every_set_with_its_rows_and_range() {
    let output = pactsim(&["data", "list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    for name in NAMES {
        let line = text.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap_or_else(|| panic!("{text}"));
        let rows: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert_eq!(rows, committed(name).lines().count() - 1, "{line}");
    }
    let krw = committed("fx/krw-usd-daily");
    let last = krw.lines().last().unwrap().split(',').next().unwrap();
    assert!(text.contains(&format!("1999-01-04 to {last}")), "{text}");
    assert!(text.contains("2024-01 to 2025-12"), "{text}");
}

#[test]
fn export_prints_the_committed_csv() {
    for name in NAMES {
        let output = pactsim(&["data", "export", name]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        assert!(stdout(&output) == committed(name), "{name}: export differs from data/{name}.csv");
    }
    let krw = stdout(&pactsim(&["data", "export", "fx/krw-usd-daily"]));
    assert!(krw.starts_with("date,value\n1999-01-04,1186.35\n"), "{}", &krw[..40]);
}

#[test]
fn an_unknown_set_is_bad_input_with_the_closest_name() {
    let output = pactsim(&["data", "export", "korea/reserve-monthly"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    let err = stderr(&output);
    assert!(err.contains("no data set named `korea/reserve-monthly`"), "{err}");
    assert!(err.contains("did you mean `korea/reserves-monthly`?"), "{err}");

    let output = pactsim(&["data", "export", "gdp"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`pactsim data list` shows the 7 data sets"), "{}", stderr(&output));

    assert_eq!(pactsim(&["data", "export"]).status.code(), Some(2));
    assert_eq!(pactsim(&["data"]).status.code(), Some(2));
}
