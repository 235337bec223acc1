//! The service's routes and error codes (../shared/contracts/service.md), answered by the router
//! in-process: each test opens its own store in a scratch file.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use pactsim_server::{Limits, Store};
use serde_json::Value;
use tower::ServiceExt;

const KOREA: &str = include_str!("../../../deals/kr-us-2025-mou.toml");
const US_ASK: &str = include_str!("../../../deals/kr-us-2025-us-ask.toml");

fn store_path(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("api-{name}.sqlite"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

struct Server {
    router: Router,
}

/// A router on a fresh store; `workers` 0 keeps every run queued.
fn server(name: &str, workers: usize, queue: usize, token: Option<&str>) -> Server {
    let (store, _) = Store::open(&store_path(name)).unwrap();
    let limits = Limits { token: token.map(str::to_string), max_paths: 100_000 };
    Server { router: pactsim_server::router(store, limits, workers, queue) }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// An error answer: its status, JSON `{ error, message }`; returns the code.
    #[track_caller]
    fn error(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        let body = self.json();
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        body["error"].as_str().expect("an error code").to_string()
    }
}

impl Server {
    async fn send(&self, method: Method, uri: &str, body: impl Into<Body>, token: Option<&str>) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = self.router.clone().oneshot(request.body(body.into()).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        Answer { status, headers, body }
    }

    async fn get(&self, uri: &str) -> Answer {
        self.send(Method::GET, uri, Body::empty(), None).await
    }

    async fn post(&self, uri: &str, body: &str) -> Answer {
        self.send(Method::POST, uri, body.to_string(), None).await
    }

    /// Submits a run and returns its id.
    async fn submit(&self, uri: &str, deal: &str) -> String {
        let answer = self.post(uri, deal).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text());
        let body = answer.json();
        let id = body["id"].as_str().unwrap().to_string();
        assert_eq!(body["status"], "queued");
        assert_eq!(answer.headers[header::LOCATION], format!("/v1/runs/{id}").as_str());
        id
    }

    /// Waits until the run is no longer queued or running; returns its status.
    async fn wait(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            let status = self.get(&format!("/v1/runs/{id}")).await.json();
            if !matches!(status["status"].as_str(), Some("queued" | "running")) || Instant::now() > deadline {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn a_run_gives_what_the_library_gives_and_its_files() {
    let server = server("run", 1, 4, None);
    let id = server
        .submit("/v1/runs?paths=300&seed=11&set=facility.directed.annual_cap_usd_bn%3D25&unset=stability", US_ASK)
        .await;
    let status = server.wait(&id).await;
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(status["progress"], serde_json::json!({ "done": 300, "total": 300 }));
    assert_eq!((status["seed"].as_u64(), status["paths"].as_u64()), (Some(11), Some(300)));
    assert_eq!(status["deal"], "kr-us-2025-us-ask");
    assert_eq!(status["overrides"], serde_json::json!(["facility.directed.annual_cap_usd_bn=25", "!stability"]));
    for time in ["created", "started", "finished"] {
        let text = status[time].as_str().unwrap();
        assert!(text.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(text).is_ok(), "{time}: {text}");
    }

    let request = pactsim::RunRequest {
        overrides: vec![
            pactsim::spec::Override::set("facility.directed.annual_cap_usd_bn", "25"),
            pactsim::spec::Override::unset("stability"),
        ],
        seed: Some(11),
        paths: pactsim::Paths::Fixed(300),
        ..pactsim::RunRequest::new(US_ASK)
    };
    let expected = request.run().unwrap().output;
    let printed = format!("{}\n", serde_json::to_string_pretty(&expected).unwrap());
    let result = server.get(&format!("/v1/runs/{id}/result")).await;
    assert_eq!(result.status, StatusCode::OK);
    assert_eq!(result.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(result.text(), printed, "the result is the run output as `pactsim run --json` prints it");

    let years = server.get(&format!("/v1/runs/{id}/years.csv")).await;
    assert_eq!(years.status, StatusCode::OK);
    let tables = pactsim::output::tables::run_csv_files(&expected).unwrap();
    let (_, expected_years) = tables.iter().find(|(name, _)| name == "years.csv").unwrap();
    assert_eq!(&years.body, expected_years);
    assert!(years.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));

    let workbook = server.get(&format!("/v1/runs/{id}/tables.xlsx")).await;
    assert_eq!(workbook.status, StatusCode::OK);
    assert!(workbook.body.starts_with(b"PK"), "an xlsx file is a zip archive");

    let report = server.get(&format!("/v1/runs/{id}/report.html")).await;
    assert_eq!(report.status, StatusCode::OK);
    let page = report.text();
    assert!(page.starts_with("<!DOCTYPE html>") || page.starts_with("<!doctype html>"), "{}", &page[..100]);
    assert!(page.contains("kr-us-2025-us-ask") && page.contains("<svg"));
    assert!(!page.contains("http://") || !page.contains("<script src=\"http"), "self-contained");

    let charts = server.get(&format!("/v1/runs/{id}/charts")).await.json();
    let charts = charts.as_array().unwrap();
    assert!(!charts.is_empty());
    for chart in charts {
        let name = chart["name"].as_str().unwrap();
        assert!(!chart["title"].as_str().unwrap().is_empty(), "{chart}");
        let svg = server.get(&format!("/v1/runs/{id}/charts/{name}.svg")).await;
        assert_eq!(svg.status, StatusCode::OK, "{name}");
        assert_eq!(svg.headers[header::CONTENT_TYPE], "image/svg+xml");
        assert!(svg.text().contains("<svg"), "{name}");
    }
    let missing = server.get(&format!("/v1/runs/{id}/charts/no-such-chart.svg")).await;
    assert_eq!(missing.error(StatusCode::NOT_FOUND), "not_found");

    // Cancelling a run that is done is refused; the run stays done.
    let late = server.send(Method::DELETE, &format!("/v1/runs/{id}"), Body::empty(), None).await;
    assert_eq!(late.error(StatusCode::CONFLICT), "already_ended");
    assert_eq!(server.get(&format!("/v1/runs/{id}")).await.json()["status"], "done");
}

#[tokio::test]
async fn a_run_takes_the_deals_seed_and_paths_unless_asked() {
    let server = server("defaults", 1, 4, None);
    // The deal's [run] paths, set here by an override (the library's deals leave them to the
    // default).
    let id = server.submit("/v1/runs?set=run.paths%3D150", KOREA).await;
    let status = server.wait(&id).await;
    assert_eq!(status["status"], "done", "{status}");
    let overrides = vec![pactsim::spec::Override::set("run.paths", "150")];
    let expected = pactsim::RunRequest { overrides, ..pactsim::RunRequest::new(KOREA) }.run().unwrap().output;
    assert_eq!(expected.paths, 150);
    assert_eq!(status["paths"].as_u64(), Some(expected.paths));
    assert_eq!(status["seed"].as_u64(), Some(expected.seed));
    let result = server.get(&format!("/v1/runs/{id}/result")).await;
    assert_eq!(result.text(), format!("{}\n", serde_json::to_string_pretty(&expected).unwrap()));
}

#[tokio::test]
async fn the_deal_library_is_listed_and_served() {
    let server = server("deals", 0, 1, None);
    let deals = server.get("/v1/deals").await.json();
    let deals = deals.as_array().unwrap();
    assert_eq!(deals.len(), pactsim::library::DEALS.len());
    let korea = deals.iter().find(|d| d["id"] == "kr-us-2025-mou").unwrap();
    assert_eq!(korea["file"], "deals/kr-us-2025-mou.toml");
    assert!(korea["title"].as_str().unwrap().starts_with("Korea"), "{korea}");

    let text = server.get("/v1/deals/kr-us-2025-mou").await;
    assert_eq!(text.status, StatusCode::OK);
    assert!(text.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/toml"));
    assert_eq!(text.text(), KOREA);
    assert_eq!(server.get("/v1/deals/kr-us-2025").await.error(StatusCode::NOT_FOUND), "not_found");
}

#[tokio::test]
async fn check_says_valid_or_lists_the_problems_with_their_place() {
    let server = server("check", 0, 1, None);
    let valid = server.post("/v1/check", KOREA).await;
    assert_eq!(valid.status, StatusCode::OK, "{}", valid.text());
    let body = valid.json();
    assert_eq!((body["valid"].as_bool(), body["deal"].as_str()), (Some(true), Some("kr-us-2025-mou")));

    // The rates the NPVs are discounted at and the date they are discounted to, as the deal's
    // `[run] discount_rate = { investor = 0.05, host = 0.045 }` and `start = 2025-11-14` say.
    assert_eq!(
        (body["discount_rate"]["investor"].as_f64(), body["discount_rate"]["host"].as_f64()),
        (Some(0.05), Some(0.045))
    );
    assert_eq!(body["start"], "2025-11-14");
    let overridden = server.post("/v1/check?set=run.discount_rate.investor%3D0.07", KOREA).await.json();
    assert_eq!(overridden["discount_rate"]["investor"].as_f64(), Some(0.07), "{overridden}");
    assert_eq!(overridden["discount_rate"]["host"].as_f64(), Some(0.045), "{overridden}");

    let misspelt = KOREA.replacen("commitment_usd_bn", "comitment_usd_bn", 1);
    let answer = server.post("/v1/check", &misspelt).await;
    assert_eq!(answer.error(StatusCode::UNPROCESSABLE_ENTITY), "invalid_deal");
    let body = answer.json();
    let first = &body["diagnostics"][0];
    let line = KOREA.lines().position(|l| l.contains("commitment_usd_bn")).unwrap() + 1;
    assert_eq!(first["line"].as_u64(), Some(line as u64), "{body}");
    assert_eq!(first["column"].as_u64(), Some(1), "{body}");
    assert_eq!(first["hint"], "did you mean `commitment_usd_bn`?");
    for key in ["field", "message"] {
        assert!(first[key].is_string(), "{key}: {first}");
    }

    let broken = server.post("/v1/check", "[deal\nid = 3").await;
    assert_eq!(broken.error(StatusCode::UNPROCESSABLE_ENTITY), "invalid_deal");
    assert_eq!(broken.json()["diagnostics"][0]["line"].as_u64(), Some(1));

    let bad_override = server.post("/v1/check?set=facility.strategic.anual_cap_usd_bn%3D25", KOREA).await;
    assert_eq!(bad_override.error(StatusCode::UNPROCESSABLE_ENTITY), "invalid_deal");
    let diagnostic = &bad_override.json()["diagnostics"][0];
    assert_eq!(diagnostic["origin"], "override");
    assert_eq!(diagnostic["override"], "facility.strategic.anual_cap_usd_bn=25");

    let not_text = server.send(Method::POST, "/v1/check", vec![0xff, 0xfe, 0x00], None).await;
    assert_eq!(not_text.error(StatusCode::UNPROCESSABLE_ENTITY), "invalid_deal");
}

#[tokio::test]
async fn a_runs_deal_is_served_as_submitted() {
    let server = server("run-deal", 0, 4, None);
    // Edited by hand: a comment, trailing blanks and no final newline are kept byte for byte.
    let edited = format!("# mine, edited  \r\n{}", KOREA.trim_end());
    let id = server.submit("/v1/runs?paths=10&set=stability.ara_floor%3D0.9&unset=labor", &edited).await;
    let answer = server.get(&format!("/v1/runs/{id}/deal.toml")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert!(answer.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/toml"));
    assert_eq!(answer.body, edited.as_bytes());
    let status = server.get(&format!("/v1/runs/{id}")).await.json();
    assert_eq!(status["overrides"], serde_json::json!(["stability.ara_floor=0.9", "!labor"]));

    let unknown = server.get("/v1/runs/01M97YCTSWXFHHGEF9W6DBVWAG/deal.toml").await;
    assert_eq!(unknown.error(StatusCode::NOT_FOUND), "not_found");
    let body = serde_json::json!({ "deals": [{ "id": "kr-us-2025-mou" }, { "id": "kr-us-2025-us-ask" }], "paths": 10 });
    let analysis = server.post("/v1/analyses/compare", &body.to_string()).await;
    assert_eq!(analysis.status, StatusCode::ACCEPTED, "{}", analysis.text());
    let analysis = analysis.json()["id"].as_str().unwrap().to_string();
    let answer = server.get(&format!("/v1/runs/{analysis}/deal.toml")).await;
    assert_eq!(answer.error(StatusCode::NOT_FOUND), "not_found");
    assert!(answer.json()["message"].as_str().unwrap().contains("compare analysis"), "{}", answer.text());
}

#[tokio::test]
async fn bad_submissions_get_4xx_json_and_record_nothing() {
    let server = server("bad", 0, 8, None);
    let cases: [(&str, &str, StatusCode, &str); 9] = [
        ("/v1/runs?paths=abc", KOREA, StatusCode::BAD_REQUEST, "invalid_parameter"),
        ("/v1/runs?seed=-1", KOREA, StatusCode::BAD_REQUEST, "invalid_parameter"),
        ("/v1/runs?colour=blue", KOREA, StatusCode::BAD_REQUEST, "invalid_parameter"),
        ("/v1/runs?paths=0", KOREA, StatusCode::UNPROCESSABLE_ENTITY, "invalid_parameter"),
        ("/v1/runs?paths=100001", KOREA, StatusCode::UNPROCESSABLE_ENTITY, "too_many_paths"),
        ("/v1/runs?set=novalue", KOREA, StatusCode::UNPROCESSABLE_ENTITY, "invalid_override"),
        (
            "/v1/runs?set=facility.strategic.annual_cap_usd_bn%3D-5",
            KOREA,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_deal",
        ),
        ("/v1/runs?unset=stabilty", KOREA, StatusCode::UNPROCESSABLE_ENTITY, "invalid_deal"),
        ("/v1/runs", "[deal]\nid = ", StatusCode::UNPROCESSABLE_ENTITY, "invalid_deal"),
    ];
    for (uri, body, status, code) in cases {
        assert_eq!(server.post(uri, body).await.error(status), code, "{uri}");
    }
    // The deal's own [run] paths count against the limit too.
    let many = server.post("/v1/runs?set=run.paths%3D200000", KOREA).await;
    assert_eq!(many.error(StatusCode::UNPROCESSABLE_ENTITY), "too_many_paths");

    let huge = format!("{KOREA}\n# {}\n", "x".repeat(pactsim_server::MAX_BODY_BYTES));
    assert_eq!(server.post("/v1/runs", &huge).await.error(StatusCode::PAYLOAD_TOO_LARGE), "body_too_large");
    assert_eq!(server.post("/v1/check", &huge).await.error(StatusCode::PAYLOAD_TOO_LARGE), "body_too_large");

    let list = server.get("/v1/runs").await.json();
    assert_eq!(list["runs"].as_array().unwrap().len(), 0, "{list}");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_404_and_405() {
    let server = server("routes", 0, 1, None);
    for uri in ["/nope", "/v1", "/v1/runs/x/y/z", "/v2/runs"] {
        assert_eq!(server.get(uri).await.error(StatusCode::NOT_FOUND), "not_found", "{uri}");
    }
    assert_eq!(server.get("/v1/runs/NOSUCHRUN").await.error(StatusCode::NOT_FOUND), "not_found");
    assert_eq!(server.get("/v1/runs/NOSUCHRUN/result").await.error(StatusCode::NOT_FOUND), "not_found");
    let delete = server.send(Method::DELETE, "/v1/runs/NOSUCHRUN", Body::empty(), None).await;
    assert_eq!(delete.error(StatusCode::NOT_FOUND), "not_found");
    for (method, uri) in [(Method::PUT, "/v1/runs"), (Method::DELETE, "/v1/deals"), (Method::GET, "/v1/check")] {
        let answer = server.send(method.clone(), uri, Body::empty(), None).await;
        assert_eq!(answer.error(StatusCode::METHOD_NOT_ALLOWED), "method_not_allowed", "{method} {uri}");
    }
    assert_eq!(server.get("/v1/runs?limit=0").await.error(StatusCode::BAD_REQUEST), "invalid_parameter");
    assert_eq!(server.get("/v1/runs?cursor=zz").await.error(StatusCode::BAD_REQUEST), "invalid_parameter");
}

#[tokio::test]
async fn a_full_queue_answers_429_with_retry_after() {
    let server = server("full", 0, 2, None);
    server.submit("/v1/runs?paths=10", KOREA).await;
    server.submit("/v1/runs?paths=10", KOREA).await;
    let full = server.post("/v1/runs?paths=10", KOREA).await;
    assert_eq!(full.error(StatusCode::TOO_MANY_REQUESTS), "queue_full");
    assert!(full.headers[header::RETRY_AFTER].to_str().unwrap().parse::<u32>().unwrap() > 0);
    assert_eq!(
        server.get("/v1/runs").await.json()["runs"].as_array().unwrap().len(),
        2,
        "a refused run is not recorded"
    );
}

#[tokio::test]
async fn results_are_409_until_done_and_a_queued_run_cancels() {
    let server = server("queued", 0, 4, None);
    let id = server.submit("/v1/runs?paths=10", KOREA).await;
    let status = server.get(&format!("/v1/runs/{id}")).await.json();
    assert_eq!(status["status"], "queued");
    assert_eq!(status["progress"], serde_json::json!({ "done": 0, "total": 10 }));
    assert!(status["started"].is_null() && status["finished"].is_null() && status["error"].is_null());
    for file in ["result", "years.csv", "tables.xlsx", "report.html", "charts", "charts/x.svg"] {
        let answer = server.get(&format!("/v1/runs/{id}/{file}")).await;
        assert_eq!(answer.error(StatusCode::CONFLICT), "not_done", "{file}");
    }
    let cancelled = server.send(Method::DELETE, &format!("/v1/runs/{id}"), Body::empty(), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text());
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert_eq!(server.get(&format!("/v1/runs/{id}")).await.json()["status"], "cancelled");
    let again = server.send(Method::DELETE, &format!("/v1/runs/{id}"), Body::empty(), None).await;
    assert_eq!(again.json()["status"], "cancelled", "cancelling twice is harmless");
    // Its place in the queue is free again.
    server.submit("/v1/runs?paths=10", KOREA).await;
}

#[tokio::test]
async fn a_running_run_cancels() {
    let server = server("running", 1, 4, None);
    let id = server.submit("/v1/runs?paths=100000", US_ASK).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = server.get(&format!("/v1/runs/{id}")).await.json();
        if status["status"] == "running" {
            break;
        }
        assert_eq!(status["status"], "queued", "{status}");
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let answer = server.send(Method::DELETE, &format!("/v1/runs/{id}"), Body::empty(), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["status"], "cancelled", "{}", answer.text());
    let status = server.get(&format!("/v1/runs/{id}")).await.json();
    assert_eq!(status["status"], "cancelled");
    assert!(status["finished"].is_string());
    assert!(status["progress"]["done"].as_u64().unwrap() < 100_000);
    assert_eq!(server.get(&format!("/v1/runs/{id}/result")).await.error(StatusCode::CONFLICT), "not_done");
}

#[tokio::test]
async fn runs_are_listed_newest_first_a_page_at_a_time() {
    let server = server("pages", 0, 8, None);
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(server.submit("/v1/runs?paths=10", KOREA).await);
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut uri = "/v1/runs?limit=2".to_string();
    let mut pages = 0;
    loop {
        let page = server.get(&uri).await.json();
        pages += 1;
        let runs = page["runs"].as_array().unwrap();
        assert!(runs.len() <= 2);
        seen.extend(runs.iter().map(|r| r["id"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => uri = format!("/v1/runs?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);
    let all = server.get("/v1/runs").await.json();
    assert_eq!(all["next"], Value::Null);
    assert_eq!(all["runs"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn with_a_token_v1_needs_it_and_the_page_stays_open() {
    let server = server("token", 0, 1, Some("s3cret"));
    for uri in ["/v1/deals", "/v1/runs", "/v1/runs/x", "/v1/runs/x/deal.toml", "/v1/nope"] {
        let answer = server.get(uri).await;
        assert_eq!(answer.error(StatusCode::UNAUTHORIZED), "unauthorized", "{uri}");
        assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer");
        let wrong = server.send(Method::GET, uri, Body::empty(), Some("s3cres")).await;
        assert_eq!(wrong.error(StatusCode::UNAUTHORIZED), "unauthorized", "{uri}");
    }
    let posted = server.post("/v1/runs", KOREA).await;
    assert_eq!(posted.error(StatusCode::UNAUTHORIZED), "unauthorized");
    let ok = server.send(Method::GET, "/v1/deals", Body::empty(), Some("s3cret")).await;
    assert_eq!(ok.status, StatusCode::OK);
    for open in ["/", "/openapi.json", "/assets/app.js", "/assets/style.css"] {
        assert_eq!(server.get(open).await.status, StatusCode::OK, "{open}");
    }
}

#[tokio::test]
async fn the_page_and_the_openapi_document_are_served() {
    let server = server("page", 0, 1, None);
    let page = server.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().contains("/assets/app.js"));
    let script = server.get("/assets/app.js").await;
    assert!(script.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    let style = server.get("/assets/style.css").await;
    assert!(style.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));

    let document = server.get("/openapi.json").await.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "{}", document["openapi"]);
    let paths = document["paths"].as_object().unwrap();
    let routes = [
        ("/v1/deals", "get"),
        ("/v1/deals/{id}", "get"),
        ("/v1/check", "post"),
        ("/v1/runs", "post"),
        ("/v1/runs", "get"),
        ("/v1/runs/{id}", "get"),
        ("/v1/runs/{id}", "delete"),
        ("/v1/runs/{id}/result", "get"),
        ("/v1/runs/{id}/deal.toml", "get"),
        ("/v1/runs/{id}/years.csv", "get"),
        ("/v1/runs/{id}/tables.xlsx", "get"),
        ("/v1/runs/{id}/report.html", "get"),
        ("/v1/runs/{id}/charts", "get"),
        ("/v1/runs/{id}/charts/{name}.svg", "get"),
        ("/v1/analyses/compare", "post"),
        ("/v1/analyses/sensitivity", "post"),
        ("/v1/analyses/frontier", "post"),
    ];
    for (path, method) in routes {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is documented");
    }
    assert!(paths.keys().all(|p| p.starts_with("/v1/")), "only /v1 routes: {:?}", paths.keys());
}

/// What the command line prints for an analysis document with `--json`.
fn printed(document: &impl serde::Serialize) -> String {
    format!("{}\n", serde_json::to_string_pretty(document).unwrap())
}

#[tokio::test]
async fn analyses_are_jobs_whose_results_are_the_cli_documents() {
    use pactsim::analysis::Common;
    use pactsim::analysis::compare::{CompareRequest, Entry};
    use pactsim::analysis::frontier::FrontierRequest;
    use pactsim::analysis::tornado::TornadoRequest;
    use pactsim::spec::Override;

    let server = server("analyses", 1, 8, None);
    let submit = |uri: &'static str, body: Value| {
        let server = &server;
        async move {
            let answer = server.post(uri, &body.to_string()).await;
            assert_eq!(answer.status, StatusCode::ACCEPTED, "{uri}: {}", answer.text());
            let id = answer.json()["id"].as_str().unwrap().to_string();
            let status = server.wait(&id).await;
            assert_eq!(status["status"], "done", "{status}");
            (status, server.get(&format!("/v1/runs/{id}/result")).await.text())
        }
    };
    let common = Common { seed: Some(3), paths: Some(48), overrides: vec![Override::unset("labor")] };

    let body = serde_json::json!({
        "deals": [{ "id": "kr-us-2025-mou" }, { "text": US_ASK, "name": "ask.toml" }],
        "variants": [{ "name": "no clause", "overrides": ["!stability"] }],
        "seed": 3, "paths": 48, "overrides": ["!labor"],
    });
    let (status, result) = submit("/v1/analyses/compare", body).await;
    assert_eq!((status["kind"].as_str(), status["deal"].as_str()), (Some("compare"), Some("kr-us-2025-mou")));
    assert_eq!(status["progress"]["total"].as_u64(), Some(3 * 48));
    let first = Entry::file("deals/kr-us-2025-mou.toml", KOREA);
    let entries = vec![
        first.clone(),
        Entry::file("ask.toml", US_ASK),
        Entry { label: Some("no clause".into()), overrides: vec![Override::unset("stability")], ..first },
    ];
    let expected = CompareRequest { entries, common: common.clone() }.prepare().unwrap().run(&|_| {});
    assert_eq!(result, printed(&expected));

    let body = serde_json::json!({
        "deal": { "id": "kr-us-2025-us-ask" }, "method": "tornado",
        "ranges": ["facility.directed.annual_cap_usd_bn=10..30"], "seed": 3, "paths": 48, "overrides": ["!labor"],
    });
    let (_, result) = submit("/v1/analyses/sensitivity", body).await;
    let ranges = vec![pactsim::analysis::Range::parse("facility.directed.annual_cap_usd_bn=10..30", "range").unwrap()];
    let tornado = TornadoRequest { deal: US_ASK.into(), common: common.clone(), output: None, ranges };
    assert_eq!(result, printed(&tornado.prepare().unwrap().run(&|_| {}).unwrap()));

    let body = serde_json::json!({
        "deal": { "id": "kr-us-2025-us-ask" }, "vary": ["facility.directed.annual_cap_usd_bn=10..30"],
        "points": 4, "marks": [{ "id": "kr-us-2025-mou" }], "seed": 3, "paths": 48, "overrides": ["!labor"],
    });
    let (_, result) = submit("/v1/analyses/frontier", body).await;
    let frontier = FrontierRequest {
        deal: US_ASK.into(),
        common,
        vary: vec![pactsim::analysis::Range::parse("facility.directed.annual_cap_usd_bn=10..30", "vary").unwrap()],
        points: 4,
        objectives: Vec::new(),
        marks: vec![pactsim::analysis::frontier::Mark { file: "deals/kr-us-2025-mou.toml".into(), text: KOREA.into() }],
    };
    assert_eq!(result, printed(&frontier.prepare().unwrap().run(&|_| {}).unwrap()));
}

#[tokio::test]
async fn bad_analyses_get_422_with_the_problem() {
    let server = server("bad-analyses", 0, 8, None);
    let cases = [
        ("/v1/analyses/compare", "not json".to_string(), "invalid_request"),
        ("/v1/analyses/compare", r#"{"deals": [{"id": "kr-us-2025-mou"}], "colour": 1}"#.into(), "invalid_request"),
        ("/v1/analyses/compare", r#"{"deals": [{"id": "kr-us-2025-mou"}]}"#.into(), "invalid_parameter"),
        ("/v1/analyses/compare", r#"{"deals": [{"id": "nope"}, {"id": "kr-us-2025-mou"}]}"#.into(), "invalid_request"),
        (
            "/v1/analyses/compare",
            r#"{"deals": [{"id": "kr-us-2025-mou", "text": "x"}, {"id": "kr-us-2025-mou"}]}"#.into(),
            "invalid_request",
        ),
        ("/v1/analyses/compare", r#"{"deals": [{"text": "[deal"}, {"id": "kr-us-2025-mou"}]}"#.into(), "invalid_deal"),
        (
            "/v1/analyses/compare",
            r#"{"deals": [{"id": "kr-us-2025-mou"}, {"id": "kr-us-2025-mou"}], "overrides": ["novalue"]}"#.into(),
            "invalid_override",
        ),
        (
            "/v1/analyses/compare",
            r#"{"deals": [{"id": "kr-us-2025-mou"}, {"id": "kr-us-2025-mou"}], "paths": 100001}"#.into(),
            "too_many_paths",
        ),
        (
            "/v1/analyses/compare",
            r#"{"deals": [{"id": "kr-us-2025-mou"}, {"id": "kr-us-2025-mou"}], "paths": 18446744073709551615}"#.into(),
            "too_many_paths",
        ),
        (
            "/v1/analyses/sensitivity",
            r#"{"deal": {"id": "kr-us-2025-mou"}, "method": "tornado", "paths": 18446744073709551615}"#.into(),
            "too_many_paths",
        ),
        (
            "/v1/analyses/frontier",
            r#"{"deal": {"id": "kr-us-2025-mou"}, "vary": ["facility.strategic.annual_cap_usd_bn=10..30"], "points": 65536, "paths": 100000}"#.into(),
            "too_many_paths",
        ),
        (
            "/v1/analyses/sensitivity",
            r#"{"deal": {"id": "kr-us-2025-mou"}, "method": "guess"}"#.into(),
            "invalid_request",
        ),
        (
            "/v1/analyses/sensitivity",
            r#"{"deal": {"id": "kr-us-2025-mou"}, "method": "sobol"}"#.into(),
            "invalid_request",
        ),
        (
            "/v1/analyses/sensitivity",
            r#"{"deal": {"id": "kr-us-2025-mou"}, "method": "tornado", "ranges": ["x=1"]}"#.into(),
            "invalid_parameter",
        ),
        (
            "/v1/analyses/frontier",
            r#"{"deal": {"id": "kr-us-2025-mou"}, "vary": ["facility.strategic.anual_cap_usd_bn=10..30"]}"#.into(),
            "invalid_deal",
        ),
    ];
    for (uri, body, code) in cases {
        assert_eq!(server.post(uri, &body).await.error(StatusCode::UNPROCESSABLE_ENTITY), code, "{uri} {body}");
    }
    let answer =
        server.post("/v1/analyses/compare", r#"{"deals": [{"text": "[deal"}, {"id": "kr-us-2025-mou"}]}"#).await;
    let body = answer.json();
    assert_eq!(body["deal"].as_u64(), Some(0), "{body}");
    assert_eq!(body["diagnostics"][0]["line"].as_u64(), Some(1), "{body}");
    assert_eq!(server.get("/v1/runs").await.json()["runs"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_running_analysis_cancels() {
    let server = server("analysis-cancel", 1, 4, None);
    let body = serde_json::json!({
        "deal": { "id": "kr-us-2025-us-ask" }, "vary": ["facility.directed.annual_cap_usd_bn=10..30"],
        "points": 64, "paths": 50000,
    });
    let answer = server.post("/v1/analyses/frontier", &body.to_string()).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text());
    let id = answer.json()["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    while server.get(&format!("/v1/runs/{id}")).await.json()["status"] != "running" {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let answer = server.send(Method::DELETE, &format!("/v1/runs/{id}"), Body::empty(), None).await;
    assert_eq!(answer.json()["status"], "cancelled", "{}", answer.text());
    let status = server.get(&format!("/v1/runs/{id}")).await.json();
    assert_eq!((status["kind"].as_str(), status["status"].as_str()), (Some("frontier"), Some("cancelled")));
    assert!(status["progress"]["done"].as_u64().unwrap() < 64 * 50000);
}
