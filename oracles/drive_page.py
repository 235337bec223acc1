"""The web page of `pactsim serve`, driven in headless Chromium through WebDriver.

scripts/browser-check runs it (and scripts/test runs that) with PACTSIM_BIN set to the release
binary; it needs Debian's chromium and chromium-driver. It starts `pactsim serve` on a free
loopback port with a fresh store, and checks, as a reader of the page would see them:

- the Korea MOU picked from the library and run with 1,000 paths shows every headline figure equal
  to the API's result (`data-value` holds the exact number) and formatted as `pactsim run` prints
  it, and the investor NPV is the figure the CLI prints for the same file, paths and seed;
- the years table and the charts are there, and the download links answer;
- a misspelt field typed into the editor is reported at its line, with the hint, and clicking the
  message puts the cursor on that line; a misspelt override key is reported with the closest key;
- a bad request (paths over --max-paths) shows the API's error message;
- the NPV rows are labelled as the CLI labels them ("NPV at 5.00% to 2025-11-14"), for a run
  shown when it ends and for one opened from the list with an override of the rate;
- an earlier run opened from the list and "Edit this deal" put its deal file (as the API serves it),
  paths, seed and overrides back into the editor and the settings;
- two runs compared side by side show both means and their difference; a long run is cancelled;
- no request went to any host but the server's (the Performance API's resource entries);
- with --token the page asks for the token and then works.

Screenshots go to target/screenshots/ (page-*.png). The server is shut down whatever happens.

    PACTSIM_BIN=target/release/pactsim target/oracle-venv/bin/python oracles/drive_page.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

from served import REPO, BIN, Server, check, failures
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

SHOTS = REPO / "target" / "screenshots"
DEAL = "kr-us-2025-mou"
PATHS = 1000
MAX_PATHS = 1_000_000
RUN_TIMEOUT = 180  # seconds a 1,000-path run may take on a slow, busy machine

def browser():
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    if chromium:
        options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--hide-scrollbars", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--lang=en-US"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


# The page's number formats, written out again from `pactsim run`'s text summary (Python's format
# rounds like Rust's: exact value, ties to even).
FORMATS = {
    "bn": lambda v: f"{v:.2f}",
    "pct": lambda v: f"{v * 100:.2f}%",
    "x": lambda v: f"{v:.2f}x",
    "share": lambda v: f"{v * 100:.1f}%",
    "count": lambda v: f"{v:.2f}",
    "year": lambda v: f"{v:.1f}",
}
UNIT = {"investor_irr": "pct", "investor_moic": "x", "recouped_share": "share", "snapback_share": "share",
        "declines": "count", "defaults": "count", "recoup_year": "year"}


def wait(driver, condition, timeout=30, message="the page did not get there"):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: condition(d), message)


def screenshot(driver, name, full=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"page-{name}.png"
    if full:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, min(height + 120, 6000))
        driver.save_screenshot(str(path))
        driver.set_window_size(1400, 1000)
    else:
        driver.save_screenshot(str(path))
    print(f"screenshot {path.relative_to(REPO)}")


def visible(driver, selector):
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found and found[0].is_displayed()


def set_field(driver, selector, value):
    field = driver.find_element(By.CSS_SELECTOR, selector)
    field.clear()
    if value != "":
        field.send_keys(str(value))


def run_and_wait(driver, server, paths, seed=None):
    """Press Run and wait for the result; the id of the run shown."""
    before = driver.find_element(By.ID, "result").get_attribute("data-run-id")
    set_field(driver, "#paths", paths)
    set_field(driver, "#seed", "" if seed is None else seed)
    wait(driver, lambda d: d.find_element(By.ID, "run").is_enabled(), message="Run stayed disabled")
    driver.find_element(By.ID, "run").click()

    def shown(d):
        run_id = d.find_element(By.ID, "result").get_attribute("data-run-id")
        if run_id and run_id != before and d.find_elements(By.CSS_SELECTOR, '#headline [data-figure="investor_npv"] .mean'):
            return run_id
        error = d.find_element(By.ID, "error")
        if error.is_displayed():
            raise AssertionError(f"the page shows an error: {error.text}")
        return False

    return wait(driver, shown, RUN_TIMEOUT, "the run's result did not appear")


def check_headline(driver, server, run_id):
    output = server.json(f"/v1/runs/{run_id}/result")
    check(output["paths"] == PATHS, f"run {run_id} has {output['paths']} paths, not {PATHS}")
    meta = driver.find_element(By.ID, "result-meta").text
    check(f"{output['paths']} paths, seed {output['seed']}" in meta, f"paths and seed not shown beside the result: {meta!r}")
    rows = driver.find_elements(By.CSS_SELECTOR, "#headline tbody tr[data-figure]")
    shown = {row.get_attribute("data-figure"): row for row in rows}
    for key in ("investor_npv", "host_npv", "deal_npv", "investor_paid", "investor_irr"):
        check(key in shown, f"headline has no {key} row")
    compared = 0
    for key, row in shown.items():
        value = output["totals"][key]
        stat = value if isinstance(value, dict) else {"mean": value}
        fmt = FORMATS[UNIT.get(key, "bn")]
        for part in ("mean", "mean_se", "p5", "p50", "p95"):
            cell_class = "se" if part == "mean_se" else part
            cells = row.find_elements(By.CSS_SELECTOR, f"td.{cell_class}")
            if part not in stat:
                continue
            if not check(cells, f"{key}: no {part} cell"):
                continue
            expected = stat[part]
            raw = cells[0].get_attribute("data-value")
            if expected is None:
                check(cells[0].text == "–", f"{key} {part}: shows {cells[0].text!r} for a missing figure")
                continue
            check(raw is not None and float(raw) == expected, f"{key} {part}: data-value {raw} != API {expected!r}")
            check(cells[0].text == fmt(expected), f"{key} {part}: shows {cells[0].text!r}, expected {fmt(expected)!r}")
            compared += 1
    check(compared >= 40, f"only {compared} headline numbers compared")
    for facility in output["facilities"]:
        row = driver.find_elements(By.CSS_SELECTOR, f'#facilities tr[data-facility="{facility["id"]}"]')
        if check(row, f"facility {facility['id']} not shown"):
            cell = row[0].find_element(By.CSS_SELECTOR, "td.npv")
            check(float(cell.get_attribute("data-value")) == facility["npv"]["mean"] and cell.text == FORMATS["bn"](facility["npv"]["mean"]),
                  f"facility {facility['id']} NPV shows {cell.text!r}, API {facility['npv']['mean']!r}")
    print(f"headline: {compared} numbers equal the API's result and are formatted as the CLI does")
    return output


def cli_npv_lines(seed, overrides=()):
    """The investor's and the host's NPV lines of `pactsim run`'s text summary."""
    args = [BIN, "run", str(REPO / "deals" / f"{DEAL}.toml"), "--paths", str(PATHS), "--seed", str(seed)]
    for override in overrides:
        args += ["--unset", override[1:]] if override.startswith("!") else ["--set", override]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    lines = [l for l in text.splitlines() if l.strip().startswith("NPV at")]
    check(len(lines) == 2, f"CLI prints {len(lines)} NPV lines, not the investor's and the host's")
    return (lines + ["", ""])[:2]


def check_npv_labels(driver, lines):
    """The page labels the NPV rows as the CLI's text does ("NPV at 5.00% to 2025-11-14")."""
    for key, line in zip(("investor_npv", "host_npv"), lines):
        label = re.match(r"\s*(NPV at \S+ to \S+)", line)
        shown = driver.find_element(By.CSS_SELECTOR, f'#headline [data-figure="{key}"] th').text
        check(label and shown == label[1], f"{key}: the page labels it {shown!r}; the CLI prints {line!r}")


def check_cli_agrees(driver, output, seed):
    """The investor NPV the page shows, and its label, are what `pactsim run` prints for the same inputs."""
    lines = cli_npv_lines(seed)
    line = lines[0]
    expected = FORMATS["bn"](output["totals"]["investor_npv"]["mean"])
    figure = re.search(r"\s(-?\d+\.\d\d)(\s|$)", line)
    check(figure and figure[1] == expected, f"CLI prints investor NPV line {line!r}; the page shows {expected}")
    check_npv_labels(driver, lines)
    print(f"NPV labels as the CLI prints them: {line.strip()!r}")


def check_reopen(driver, server, run_id, seed, overrides):
    """An earlier run opened from the list: its NPV labels follow its overrides, and "Edit this deal"
    puts its deal file, paths, seed and overrides back into the editor and the settings."""
    # Something else in the editor and settings first, so that what is loaded is the run's.
    Select(driver.find_element(By.ID, "deal-select")).select_by_value("kr-us-2025-us-ask")
    wait(driver, lambda d: 'id = "kr-us-2025-us-ask"' in d.find_element(By.ID, "editor").get_attribute("value"), 30,
         "the other deal did not load")
    for selector in ("#paths", "#seed", "#set", "#unset"):
        set_field(driver, selector, "")
    driver.find_element(By.ID, "runs-refresh").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'#runs-table tr[data-run-id="{run_id}"] button.open'), 30,
         f"run {run_id} not listed")
    driver.find_element(By.CSS_SELECTOR, f'#runs-table tr[data-run-id="{run_id}"] button.open').click()
    wait(driver, lambda d: d.find_element(By.ID, "result").get_attribute("data-run-id") == run_id
         and d.find_elements(By.ID, "edit-run"), 60, "the earlier run did not open with Edit this deal")
    lines = cli_npv_lines(seed, overrides)
    check(lines[0].strip().startswith("NPV at 7.00% to"), f"the override of the investor's rate is not in the CLI's label {lines[0]!r}")
    check_npv_labels(driver, lines)
    driver.find_element(By.ID, "edit-run").click()
    deal_text = server.get(f"/v1/runs/{run_id}/deal.toml")[2].decode()
    wait(driver, lambda d: d.find_element(By.ID, "editor").get_attribute("value") == deal_text, 30,
         "the editor does not hold the run's deal file")
    wait(driver, lambda d: "ok" in d.find_element(By.ID, "check-status").get_attribute("class"), 30,
         "the run's deal was not checked valid")
    field = lambda name: driver.find_element(By.ID, name).get_attribute("value")
    check(field("paths") == str(PATHS), f"paths field holds {field('paths')!r}, not {PATHS}")
    check(field("seed") == str(seed), f"seed field holds {field('seed')!r}, not {seed}")
    sets = [o for o in overrides if not o.startswith("!")]
    unsets = [o[1:] for o in overrides if o.startswith("!")]
    check(field("set").split("\n") == sets, f"set field holds {field('set')!r}, not {sets}")
    check(field("unset").split("\n") == unsets, f"unset field holds {field('unset')!r}, not {unsets}")
    check(Select(driver.find_element(By.ID, "deal-select")).first_selected_option.get_attribute("value") == "",
          "the library deal stays selected over the run's deal")
    time.sleep(0.8)  # let the smooth scroll settle before the screenshot
    screenshot(driver, "reopen")
    print(f"reopen: run {run_id}'s deal, paths, seed and overrides are in the editor; investor NPV line {lines[0].strip()!r}")


def check_years_and_downloads(driver, server, run_id, output):
    rows = driver.find_elements(By.CSS_SELECTOR, "#years tbody tr[data-year]")
    check(len(rows) > 5, f"years table has {len(rows)} rows")
    by_year = {str(y["year"]): y for y in output["years"]}
    for row in rows[:6]:
        year = by_year[row.get_attribute("data-year")]
        cell = row.find_element(By.CSS_SELECTOR, "td.investor_paid")
        check(float(cell.get_attribute("data-value")) == year["investor_paid"]["mean"],
              f"years {year['year']}: investor paid {cell.get_attribute('data-value')} != {year['investor_paid']['mean']}")
        check(cell.text == FORMATS["bn"](year["investor_paid"]["mean"]), f"years {year['year']}: shows {cell.text!r}")
    links = {a.text: a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#downloads a")}
    wanted = {"result (JSON)": "application/json", "years.csv": "text/csv", "tables.xlsx": "spreadsheet",
              "HTML report": "text/html"}
    for label, kind in wanted.items():
        href = links.get(label)
        if not check(href, f"no download link {label!r} (links: {sorted(links)})"):
            continue
        path = urllib.parse.urlsplit(href).path
        try:
            status, ctype, body = server.get(path)
            check(status == 200 and kind in ctype and body, f"{label}: {status} {ctype} ({len(body)} bytes)")
        except urllib.error.HTTPError as error:
            check(False, f"{label} ({path}): HTTP {error.code}")
    result_href = urllib.parse.urlsplit(links.get("result (JSON)", "")).path
    if result_href:
        check(json.loads(server.get(result_href)[2]) == output, "the JSON link's document is not the run's result")


def check_charts(driver, server, run_id):
    charts = server.json(f"/v1/runs/{run_id}/charts")
    check(len(charts) > 0, "the API lists no charts")

    def loaded(d):
        images = d.find_elements(By.CSS_SELECTOR, "#result img[data-chart]")
        return len(images) == len(charts) and all(
            d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img) for img in images
        )

    wait(driver, loaded, 60, "the charts did not all load")
    names = [img.get_attribute("data-chart") for img in driver.find_elements(By.CSS_SELECTOR, "#result img[data-chart]")]
    check(names == [c["name"] for c in charts], f"charts shown {names} != listed {[c['name'] for c in charts]}")
    print(f"charts: {len(charts)} shown")


def check_diagnostic(driver):
    editor = driver.find_element(By.ID, "editor")
    text = editor.get_attribute("value")
    index = text.index("commitment_usd_bn")
    line = text[:index].count("\n") + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    # Select the field's name and type the misspelt one over it, as a reader would.
    driver.execute_script("arguments[0].focus(); arguments[0].setSelectionRange(arguments[1], arguments[2]);",
                          editor, index, index + len("commitment_usd_bn"))
    editor.send_keys("comitment_usd_bn")
    item = wait(driver, lambda d: (d.find_elements(By.CSS_SELECTOR, f'#diagnostics .diagnostic[data-line="{line}"]') or [None])[0],
                30, f"no diagnostic at line {line}")
    message = item.text
    check(f"line {line}, column {column}:" in message, f"diagnostic {message!r} does not start at line {line}, column {column}")
    check("comitment_usd_bn" in message, f"diagnostic {message!r} does not name the field")
    check("did you mean `commitment_usd_bn`?" in message, f"diagnostic {message!r} has no hint")
    check(driver.find_elements(By.CSS_SELECTOR, f'#gutter .ln.bad[data-line="{line}"]'), f"gutter line {line} not marked")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#gutter .ln.bad")) == 1, "other gutter lines marked")
    check(not driver.find_element(By.ID, "run").is_enabled(), "Run stays enabled with a bad deal file")
    # Clicking the message puts the cursor at its line and column.
    driver.execute_script("arguments[0].setSelectionRange(0, 0)", editor)
    item.find_element(By.TAG_NAME, "button").click()
    cursor = driver.execute_script("return arguments[0].selectionStart", editor)
    check(cursor == index, f"clicking the diagnostic put the cursor at {cursor}, not {index}")
    screenshot(driver, "diagnostic")
    # Put it right again: the deal is valid and Run comes back.
    driver.execute_script("arguments[0].setSelectionRange(arguments[1], arguments[2]);", editor, index,
                          index + len("comitment_usd_bn"))
    editor.send_keys("commitment_usd_bn")
    wait(driver, lambda d: "ok" in d.find_element(By.ID, "check-status").get_attribute("class")
         and not d.find_elements(By.CSS_SELECTOR, "#diagnostics .diagnostic"), 30, "the fixed deal is not valid again")
    check(driver.find_element(By.ID, "editor").get_attribute("value") == text, "the editor's text is not back to the deal")
    print(f"diagnostic: line {line}, column {column}, with its hint")


def check_override_diagnostic(driver):
    """A misspelt override key is reported as the override, with the closest valid key."""
    given = "facility.strategic.anual_cap_usd_bn=25"
    field = driver.find_element(By.ID, "set")
    field.send_keys(given)
    item = wait(driver, lambda d: (d.find_elements(By.CSS_SELECTOR, '#diagnostics .diagnostic[data-origin="override"]') or [None])[0],
                30, "no diagnostic for a misspelt override")
    text = item.text
    check(given in text, f"override diagnostic {text!r} does not quote the override")
    check("did you mean `facility.strategic.annual_cap_usd_bn`?" in text, f"override diagnostic {text!r} has no hint")
    check(not driver.find_elements(By.CSS_SELECTOR, "#gutter .ln.bad"), "an override's problem marks a line of the file")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)  # typed, so the page sees an input event and checks again
    wait(driver, lambda d: "ok" in d.find_element(By.ID, "check-status").get_attribute("class"), 30,
         "the deal is not valid again without the override")
    print(f"override diagnostic: {text}")


def check_api_error(driver):
    set_field(driver, "#paths", MAX_PATHS + 1)
    driver.find_element(By.ID, "run").click()
    error = wait(driver, lambda d: d.find_element(By.ID, "error") if d.find_element(By.ID, "error").is_displayed() else False,
                 30, "no error shown for too many paths")
    check("refused" in error.text and len(error.text) > 25, f"error shown: {error.text!r}")
    print(f"error shown: {error.text}")


def check_compare(driver, server, first, second):
    driver.find_element(By.ID, "runs-refresh").click()

    def tick(run_id):
        # The list may be redrawn meanwhile (it refreshes when a run ends): find the box afresh.
        def ticked(d):
            try:
                box = d.find_element(By.CSS_SELECTOR, f'#runs-table tr[data-run-id="{run_id}"] .compare-pick')
                if box.is_enabled() and not box.is_selected():
                    box.click()
                return box.is_selected()
            except (NoSuchElementException, StaleElementReferenceException):
                return False

        wait(driver, ticked, 30, f"run {run_id} not listed, or cannot be ticked")

    tick(first)
    tick(second)
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#runs-table tbody tr[data-run-id]')].map(r => [r.dataset.runId, r.dataset.status])")
    check(len(rows) >= 2, f"runs list has {len(rows)} rows")
    for _, status in rows:
        check(status in {"queued", "running", "done", "failed", "interrupted", "cancelled"}, f"run status {status!r}")
    driver.find_element(By.ID, "compare").click()
    wait(driver, lambda d: visible(d, "#comparison") and d.find_elements(By.CSS_SELECTOR, '#comparison-table [data-figure="investor_npv"]'),
         30, "the comparison did not appear")
    # A is the older of the two (the list is newest first).
    order = [run_id for run_id, _ in rows if run_id in (first, second)][::-1]
    check(order == [first, second], f"compared runs in order {order}, not the older first")
    a, b = (server.json(f"/v1/runs/{rid}/result")["totals"] for rid in order)
    for key in ("investor_npv", "host_npv", "deal_npv"):
        row = driver.find_element(By.CSS_SELECTOR, f'#comparison-table [data-figure="{key}"]')
        value = lambda cls: float(row.find_element(By.CSS_SELECTOR, f"td.{cls}").get_attribute("data-value"))
        check(value("a") == a[key]["mean"] and value("b") == b[key]["mean"], f"compare {key}: {value('a')}, {value('b')}")
        check(value("diff") == b[key]["mean"] - a[key]["mean"], f"compare {key}: difference {value('diff')}")
        check(row.find_element(By.CSS_SELECTOR, "td.a").text == FORMATS["bn"](a[key]["mean"]), f"compare {key}: A shown")
    check(a["investor_npv"]["mean"] != b["investor_npv"]["mean"], "the two compared runs (different seeds) have the same NPV")
    head = driver.find_element(By.CSS_SELECTOR, "#comparison-table thead").text
    check(head.count(f"{PATHS} paths, seed") == 2, f"comparison heading lacks paths and seed: {head!r}")
    driver.execute_script("document.getElementById('comparison').scrollIntoView()")
    time.sleep(0.5)  # let the smooth scroll settle before the screenshot
    screenshot(driver, "compare")
    print("compare: both runs' means and their difference shown")


def check_cancel(driver, server):
    """A long run is cancelled from the page: the API says so, and the page shows it."""
    set_field(driver, "#paths", 500_000)
    set_field(driver, "#seed", 11)
    driver.find_element(By.ID, "run").click()
    wait(driver, lambda d: visible(d, "#cancel") and visible(d, "#progress"), 30, "no Cancel button or progress bar for a run")
    run_id = urllib.parse.parse_qs(driver.execute_script("return location.hash.slice(1)")).get("run", [""])[0]
    driver.find_element(By.ID, "cancel").click()
    wait(driver, lambda d: d.find_element(By.ID, "run-status").text.startswith("cancelled"), 60, "the page does not show the run cancelled")
    check(server.json(f"/v1/runs/{run_id}")["status"] == "cancelled", f"run {run_id} is not cancelled in the API")
    check(not visible(driver, "#cancel"), "the Cancel button stays after the run ended")
    print(f"cancel: run {run_id} cancelled")


def check_hosts(driver, server):
    urls = driver.execute_script(
        "return [location.href, ...performance.getEntriesByType('resource').map(e => e.name),"
        " ...[...document.querySelectorAll('[src],[href]')].map(e => e.src || e.href)]")
    own = urllib.parse.urlsplit(server.url).netloc
    others = set()
    for url in urls:
        if url.startswith("blob:"):
            url = url[len("blob:"):]
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("data", "about", "javascript"):
            continue
        if parts.netloc != own:
            others.add(url)
    check(not others, f"requests or links to other hosts: {sorted(others)}")
    print(f"hosts: {len(urls)} URLs, all on {own}")


def check_token(folder, driver):
    server = Server(folder, token="s3cret-token", max_paths=MAX_PATHS)
    try:
        driver.get(server.url + "/")
        wait(driver, lambda d: visible(d, "#token-form"), 30, "the page did not ask for the token")
        driver.find_element(By.ID, "token").send_keys("s3cret-token")
        driver.find_element(By.ID, "token-save").click()
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'#deal-select option[value="{DEAL}"]'), 30,
             "the deals did not load with the token")
        wait(driver, lambda d: "ok" in d.find_element(By.ID, "check-status").get_attribute("class"), 30,
             "the deal was not checked with the token")
        check(not visible(driver, "#token-form"), "the token form stays after a good token")
        check(not visible(driver, "#error"), f"error shown with a good token: {driver.find_element(By.ID, 'error').text}")
        print("token: asked for, then used")
    finally:
        server.stop()


def main():
    folder = tempfile.mkdtemp(prefix="pactsim-page-")
    server = None
    driver = None
    try:
        server = Server(folder, max_paths=MAX_PATHS)
        driver = browser()
        driver.get(server.url + "/")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'#deal-select option[value="{DEAL}"]'), 30,
             "the deal library did not load")
        Select(driver.find_element(By.ID, "deal-select")).select_by_value(DEAL)
        wait(driver, lambda d: f'id = "{DEAL}"' in d.find_element(By.ID, "editor").get_attribute("value"), 30,
             "the deal's TOML did not load")
        wait(driver, lambda d: "ok" in d.find_element(By.ID, "check-status").get_attribute("class"), 30,
             "the deal was not checked valid")
        deal_toml = server.get(f"/v1/deals/{DEAL}")[2].decode()
        check(driver.find_element(By.ID, "editor").get_attribute("value") == deal_toml, "the editor does not hold the deal's file")
        lines = len(deal_toml.split("\n"))
        check(len(driver.find_elements(By.CSS_SELECTOR, "#gutter .ln")) == lines, "the gutter does not number every line")

        first = run_and_wait(driver, server, PATHS)
        output = check_headline(driver, server, first)
        check_cli_agrees(driver, output, output["seed"])
        check_years_and_downloads(driver, server, first, output)
        check_charts(driver, server, first)
        driver.execute_script("document.querySelector('#settings-section .actions').scrollIntoView()")
        time.sleep(0.5)
        screenshot(driver, "run")
        driver.execute_script("document.getElementById('result').scrollIntoView()")
        time.sleep(0.5)
        screenshot(driver, "result")
        screenshot(driver, "full", full=True)

        check_diagnostic(driver)
        check_override_diagnostic(driver)
        check_api_error(driver)
        # The second run changes the investor's discount rate and drops the stability clause.
        reopened = ["run.discount_rate.investor=0.07", "!stability"]
        set_field(driver, "#set", reopened[0])
        set_field(driver, "#unset", reopened[1][1:])
        second = run_and_wait(driver, server, PATHS, seed=7)
        check(server.json(f"/v1/runs/{second}")["overrides"] == reopened, "the second run's overrides")
        check_compare(driver, server, first, second)
        check_reopen(driver, server, second, 7, reopened)
        check_cancel(driver, server)
        check_hosts(driver, server)
        driver.execute_script("window.scrollTo(0, 0)")
        screenshot(driver, "top")
        check_token(folder, driver)
    except Exception as error:  # report it with the server's log, then clean up below
        traceback.print_exc()
        failures.append(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        if driver is not None:
            try:
                screenshot(driver, "failure", full=True)
            except Exception:
                pass
        if server is not None:
            print(f"server log:\n{server.output()}", file=sys.stderr)
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    if failures:
        print(f"drive_page: {len(failures)} failure(s):", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    print("drive_page: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
