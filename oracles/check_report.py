#!/usr/bin/env python3
"""Check `pactsim report` as a reader's browser and a fact-checker would, from the public contract
(shared/contracts/run-output.md) and docs/output.md ("pactsim report"), never from crates/.

For each library deal alone, and for the four together, with an override on one run:

1. parse     html5lib (strict: the first parse error fails) parses the page.
2. offline   nothing is fetched: no element has `src`, no <script>, <link>, <iframe>, <object>,
             <embed>, <img>, <base>, no `url(` or `@import` in any style; the only `href`s are
             <a class="source"> links to http(s) addresses, each one a `sources` entry of the
             deal file (read with tomllib, every table walked).
3. numbers   every headline number (<span class="n" data-deal data-figure data-stat>) equals the
             figure in `pactsim run FILE --json` with the same seed, paths and overrides, written
             as docs/output.md says: USD billions and MOIC to 2 decimals, the IRR as a percentage
             to 2 decimals, the recoup year to 0 decimals, project defaults to 1 decimal, "–"
             where the figure does not exist.
4. footer    each deal file's SHA-256 (hashlib over the file's bytes) appears in the footer,
             with its seed, paths and overrides.
5. charts    every <figure class="chart"> holds one inline <svg> with a viewBox and a source line
             ("Source: pactsim ...") and axis titles (at least three <text> elements).

Usage: PACTSIM_BIN=target/release/pactsim "$(scripts/oracle-venv)" oracles/check_report.py
       [--paths N] [--seed S]
Exit 0 all agree, 1 a mismatch, 2 could not run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import tomllib

import html5lib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEALS = ["deals/kr-us-2025-mou.toml", "deals/kr-us-2025-us-ask.toml", "deals/kr-us-2025-kr-offer.toml",
         "deals/jp-us-2025-mou.toml"]
SVG = "{http://www.w3.org/2000/svg}"
FETCHING = {"script", "link", "iframe", "object", "embed", "img", "base", "audio", "video", "source", "track"}


def written(figure: str, value) -> str:
    if value is None:
        return "–"
    if figure == "investor_irr":
        return f"{value * 100:.2f}%"
    if figure == "recoup_year":
        return f"{value:.0f}"
    if figure == "defaults":
        return f"{value:.1f}"
    return f"{value:.2f}"


def sources_of(path: str) -> set[str]:
    with open(os.path.join(REPO, path), "rb") as f:
        doc = tomllib.load(f)
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "sources" and isinstance(v, list):
                    found.update(s.strip() for s in v if isinstance(s, str))
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(doc)
    return found


def local(tag) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def check(binary: str, files: list[str], extra: list[str], out_dir: str, problems: list[str]) -> int:
    page = os.path.join(out_dir, "report.html")
    cmd = [binary, "report", *files, *extra, "-o", page]
    p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        problems.append(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
        return 0
    text = open(page, encoding="utf-8").read()
    label = " ".join(os.path.basename(f) for f in files)

    # 1. parse
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        tree = parser.parse(text)
    except Exception as e:  # html5lib's ParseError
        problems.append(f"{label}: html5lib: {e}")
        return 0

    # 2. offline
    allowed = set().union(*(sources_of(f) for f in files))
    links = 0
    for el in tree.iter():
        tag = local(el.tag)
        if tag in FETCHING:
            problems.append(f"{label}: a <{tag}> element")
        for name, value in el.attrib.items():
            name = local(name)
            if name in ("src", "srcset", "data", "poster", "action", "formaction", "background"):
                problems.append(f"{label}: <{tag} {name}={value!r}>")
            if name == "href":
                if tag != "a" or el.attrib.get("class") != "source" or not value.startswith(("https://", "http://")):
                    problems.append(f"{label}: href outside a source link: <{tag} href={value!r}>")
                elif value not in allowed:
                    problems.append(f"{label}: link {value!r} is not a source in the deal files")
                links += 1
            if name == "style" and ("url(" in value or "@import" in value):
                problems.append(f"{label}: style fetches: {value!r}")
        if tag == "style" and ("url(" in (el.text or "") or "@import" in (el.text or "")):
            problems.append(f"{label}: <style> fetches")

    # 3. numbers
    outputs = {}
    for f in files:
        r = subprocess.run([binary, "run", f, "--json", *extra], cwd=REPO, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            problems.append(f"run {f}: exit {r.returncode}: {r.stderr.strip()}")
            return 0
        doc = json.loads(r.stdout)
        outputs[doc["deal"]] = (f, doc)
    numbers = 0
    for el in tree.iter():
        if local(el.tag) == "span" and el.attrib.get("class") == "n" and "data-figure" in el.attrib:
            deal, figure, stat = el.attrib["data-deal"], el.attrib["data-figure"], el.attrib["data-stat"]
            if deal not in outputs:
                problems.append(f"{label}: a number for an unknown deal {deal!r}")
                continue
            value = outputs[deal][1]["totals"].get(figure, {})
            expected = written(figure, value.get(stat) if isinstance(value, dict) else None)
            shown = "".join(el.itertext())
            if shown != expected:
                problems.append(f"{label}: {deal} {figure} {stat}: shown {shown!r}, JSON gives {expected!r}")
            numbers += 1
    if numbers == 0:
        problems.append(f"{label}: no headline numbers found")

    # 4. footer
    footer = next((el for el in tree.iter() if local(el.tag) == "footer"), None)
    footer_text = "".join(footer.itertext()) if footer is not None else ""
    for deal, (f, doc) in outputs.items():
        digest = hashlib.sha256(open(os.path.join(REPO, f), "rb").read()).hexdigest()
        for needed in [digest, f, str(doc["seed"]), str(doc["paths"]), *doc["overrides"]]:
            if needed not in footer_text:
                problems.append(f"{label}: the footer lacks {needed!r} ({deal})")

    # 5. charts
    charts = 0
    for el in tree.iter():
        if local(el.tag) == "figure" and "chart" in el.attrib.get("class", ""):
            svgs = [c for c in el.iter() if local(c.tag) == "svg"]
            if len(svgs) != 1 or "viewBox" not in svgs[0].attrib:
                problems.append(f"{label}: figure {el.attrib.get('id')} has no single inline svg with a viewBox")
                continue
            texts = ["".join(t.itertext()).strip() for t in svgs[0].iter() if local(t.tag) == "text"]
            if not any(t.startswith("Source: pactsim ") for t in texts) or len(texts) < 3:
                problems.append(f"{label}: figure {el.attrib.get('id')} lacks its source line or axis titles")
            charts += 1
    print(f"  {label}{' ' + ' '.join(extra) if extra else ''}: {numbers} numbers, {charts} charts, {links} source links")
    return numbers


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    binary = os.environ.get("PACTSIM_BIN") or os.path.join(REPO, "target/release/pactsim")
    if not os.path.exists(binary):
        print(f"check_report: no pactsim binary at {binary} (set PACTSIM_BIN)", file=sys.stderr)
        return 2
    runs = ["--paths", str(a.paths), "--seed", str(a.seed)]
    cases = [([f], runs) for f in DEALS]
    cases.append((DEALS, runs))
    cases.append((["deals/kr-us-2025-mou.toml"], runs + ["--set", "facility.strategic.annual_cap_usd_bn=25"]))
    problems: list[str] = []
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (files, extra) in enumerate(cases):
            out = os.path.join(tmp, str(i))
            os.makedirs(out)
            total += check(binary, files, extra, out, problems)
    for p in problems[:40]:
        print("MISMATCH", p)
    print(f"check_report: {len(cases)} reports, {total} headline numbers, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
