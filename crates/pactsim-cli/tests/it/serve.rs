//! `pactsim serve` as users start it: the result of a run equal to `pactsim run --json`, a store
//! that survives `kill -9`, the refusal to listen beyond loopback without a token, and `pactsim
//! runs list` / `runs show` reading the store.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{pactsim, rejected, repo_root, scratch, stdout};

/// A `pactsim serve` process on an ephemeral port; killed (SIGKILL) when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(store: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pactsim"))
        .args(["serve", "--addr", "127.0.0.1:0", "--store"])
        .arg(store)
        .env_remove("PACTSIM_TOKEN")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server says where it listens").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // Keep reading standard error so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Served { child, addr }
}

/// One HTTP/1.1 request; returns the status and the body.
fn http(addr: &str, method: &str, target: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "bodies here have a length");
    (status, body.to_string())
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn submit(addr: &str, query: &str, deal: &str) -> String {
    let (status, body) = http(addr, "POST", &format!("/v1/runs?{query}"), deal);
    assert_eq!(status, 202, "{body}");
    json(&body)["id"].as_str().unwrap().to_string()
}

/// Polls the run until `done(status)` holds; returns its status.
fn wait_for(addr: &str, id: &str, done: impl Fn(&str) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let (_, body) = http(addr, "GET", &format!("/v1/runs/{id}"), "");
        let status = json(&body);
        if done(status["status"].as_str().unwrap()) {
            return status;
        }
        assert!(Instant::now() < deadline, "{status}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_served_run_prints_what_pactsim_run_prints() {
    let dir = scratch("serve-same");
    let server = serve(&dir.join("runs.sqlite"));
    let deal = std::fs::read_to_string(repo_root().join("deals/kr-us-2025-us-ask.toml")).unwrap();
    let id =
        submit(&server.addr, "paths=400&seed=9&set=facility.directed.annual_cap_usd_bn%3D25&unset=stability", &deal);
    let status = wait_for(&server.addr, &id, |s| s != "queued" && s != "running");
    assert_eq!(status["status"], "done", "{status}");
    let (code, served) = http(&server.addr, "GET", &format!("/v1/runs/{id}/result"), "");
    assert_eq!(code, 200);
    // The same run on the command line.
    let args = [
        "run",
        "deals/kr-us-2025-us-ask.toml",
        "--seed",
        "9",
        "--paths",
        "400",
        "--set",
        "facility.directed.annual_cap_usd_bn=25",
        "--unset",
        "stability",
    ];
    let printed = pactsim(&[&args[..], &["--json"]].concat());
    assert!(printed.status.success());
    assert_eq!(served, stdout(&printed), "byte for byte");

    let out = dir.join("out");
    let written = pactsim(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    assert!(written.status.success());
    let (_, years) = http(&server.addr, "GET", &format!("/v1/runs/{id}/years.csv"), "");
    assert_eq!(years, std::fs::read_to_string(out.join("years.csv")).unwrap());

    // An analysis as a job: its result is what `pactsim compare --json` prints.
    let body = r#"{"deals": [{"id": "kr-us-2025-mou"}, {"id": "kr-us-2025-us-ask"}],
        "variants": [{"name": "no clause", "overrides": ["!stability"]}], "seed": 5, "paths": 64}"#;
    let (code, answer) = http(&server.addr, "POST", "/v1/analyses/compare", body);
    assert_eq!(code, 202, "{answer}");
    let job = json(&answer)["id"].as_str().unwrap().to_string();
    assert_eq!(wait_for(&server.addr, &job, |s| s != "queued" && s != "running")["status"], "done");
    let (_, served) = http(&server.addr, "GET", &format!("/v1/runs/{job}/result"), "");
    let printed = pactsim(&[
        "compare",
        "deals/kr-us-2025-mou.toml",
        "deals/kr-us-2025-us-ask.toml",
        "--variant",
        "no clause: --unset stability",
        "--json",
        "--seed",
        "5",
        "--paths",
        "64",
    ]);
    assert!(printed.status.success());
    assert_eq!(served, stdout(&printed), "byte for byte");

    // `pactsim runs` reads the store while the server runs on it.
    let store = dir.join("runs.sqlite");
    let list = pactsim(&["runs", "list", "--store", store.to_str().unwrap()]);
    assert!(list.status.success());
    assert!(stdout(&list).contains(&id) && stdout(&list).contains("kr-us-2025-us-ask"), "{}", stdout(&list));
    let show = pactsim(&["runs", "show", &id, "--json", "--store", store.to_str().unwrap()]);
    assert!(show.status.success());
    let shown = json(&stdout(&show));
    let (_, served_status) = http(&server.addr, "GET", &format!("/v1/runs/{id}"), "");
    assert_eq!(shown, json(&served_status), "runs show --json is GET /v1/runs/{{id}}");
    let err = rejected(&["runs", "show", "NOSUCHRUN", "--store", store.to_str().unwrap()]);
    assert!(err.contains("no run `NOSUCHRUN`"), "{err}");
}

#[test]
fn after_kill_9_done_runs_keep_their_result_and_cut_off_runs_are_interrupted() {
    let dir = scratch("serve-kill");
    let store = dir.join("runs.sqlite");
    let deal = std::fs::read_to_string(repo_root().join("deals/kr-us-2025-mou.toml")).unwrap();
    let (finished, result, cut) = {
        let server = serve(&store);
        let finished = submit(&server.addr, "paths=200&seed=3", &deal);
        wait_for(&server.addr, &finished, |s| s == "done");
        let (_, result) = http(&server.addr, "GET", &format!("/v1/runs/{finished}/result"), "");
        let cut = submit(&server.addr, "paths=1000000&seed=3", &deal);
        let queued = submit(&server.addr, "paths=1000000&seed=4", &deal);
        let running = wait_for(&server.addr, &cut, |s| s != "queued");
        assert_eq!(running["status"], "running", "{running}");
        let _ = queued;
        (finished, result, cut)
        // Dropping the server kills it with SIGKILL mid-run.
    };
    let server = serve(&store);
    let (code, again) = http(&server.addr, "GET", &format!("/v1/runs/{finished}/result"), "");
    assert_eq!(code, 200);
    assert_eq!(again, result, "the same result bytes after the restart");
    let (_, list) = http(&server.addr, "GET", "/v1/runs", "");
    let runs = json(&list)["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 3);
    for run in &runs {
        let expected = if run["id"] == finished.as_str() { "done" } else { "interrupted" };
        assert_eq!(run["status"], expected, "{run}");
    }
    let (_, status) = http(&server.addr, "GET", &format!("/v1/runs/{cut}"), "");
    let status = json(&status);
    assert!(status["finished"].is_string() && status["error"].is_string(), "{status}");
    let (code, _) = http(&server.addr, "GET", &format!("/v1/runs/{cut}/result"), "");
    assert_eq!(code, 409);
}

#[test]
fn sigterm_stops_the_server_with_exit_0() {
    let dir = scratch("serve-term");
    let mut server = serve(&dir.join("runs.sqlite"));
    let (code, _) = http(&server.addr, "GET", "/v1/deals", "");
    assert_eq!(code, 200);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    // Waits (at most a minute, so a server that ignored the signal fails the test, not hangs it).
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "a graceful stop: {status:?}");
}

#[test]
fn listening_beyond_loopback_needs_a_token() {
    let dir = scratch("serve-token");
    let store = dir.join("runs.sqlite");
    let output = Command::new(env!("CARGO_BIN_EXE_pactsim"))
        .args(["serve", "--addr", "0.0.0.0:0", "--store", store.to_str().unwrap()])
        .env_remove("PACTSIM_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("without a token") && err.contains("--token"), "{err}");
    assert!(!store.exists(), "nothing is created when the server refuses to start");
    let err = rejected(&["serve", "--workers", "0", "--store", store.to_str().unwrap()]);
    assert!(err.contains("--workers"), "{err}");
    let missing = dir.join("no-such-folder").join("runs.sqlite");
    let err = rejected(&["serve", "--addr", "127.0.0.1:0", "--store", missing.to_str().unwrap()]);
    assert!(err.contains("opening the run store") && err.contains("no-such-folder"), "{err}");
    std::fs::write(&store, "not a database, but text of some length to look like a file").unwrap();
    let err = rejected(&["serve", "--addr", "127.0.0.1:0", "--store", store.to_str().unwrap()]);
    assert!(err.contains("opening the run store"), "{err}");
}
