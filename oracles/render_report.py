#!/usr/bin/env python3
"""Render `pactsim report` pages in headless Chromium and check that every chart shows something.

Called by scripts/chromium-check (which installs Debian's chromium when it is missing) with
$CHROMIUM set. For each library deal alone, and the four together:

1. `pactsim report` writes the page;
2. Chromium loads a copy of it with one added script that records each chart's box
   (`getBoundingClientRect` of every <figure class="chart">'s <svg>, plus the page's height) in a
   `data-boxes` attribute, read back with --dump-dom; the report itself has no script;
3. Chromium screenshots the report itself (no script) at 1200 px wide and the page's height
   (capped at 16,000 px: charts below are checked in the single-deal pages);
4. each chart's box in the screenshot must not be blank: at least 2% of its pixels away from white
   and at least 3 clearly different colours.

The screenshots are kept in target/report-screenshots/ for people to look at.
Exit 0 all charts drawn, 1 a blank or missing chart, 2 could not run.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile

from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEALS = ["deals/kr-us-2025-mou.toml", "deals/kr-us-2025-us-ask.toml", "deals/kr-us-2025-kr-offer.toml",
         "deals/jp-us-2025-mou.toml"]
WIDTH = 1200
MAX_HEIGHT = 16000
PROBE = """<script>
addEventListener('load', () => {
  const boxes = [...document.querySelectorAll('figure.chart')].map(f => {
    const r = f.querySelector('svg').getBoundingClientRect();
    return [f.id, r.left + scrollX, r.top + scrollY, r.width, r.height];
  });
  document.body.setAttribute('data-boxes', JSON.stringify({height: document.documentElement.scrollHeight, boxes}));
});
</script>
"""


def chromium(binary: str, profile: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
         "--force-device-scale-factor=1", *args],
        capture_output=True, text=True, timeout=180)


def main() -> int:
    binary = os.environ.get("PACTSIM_BIN") or os.path.join(REPO, "target/release/pactsim")
    browser = os.environ.get("CHROMIUM", "chromium")
    if not os.path.exists(binary):
        print(f"render_report: no pactsim binary at {binary} (set PACTSIM_BIN)", file=sys.stderr)
        return 2
    shots = os.path.join(REPO, "target", "report-screenshots")
    os.makedirs(shots, exist_ok=True)
    problems: list[str] = []
    checked = 0
    cases = [[f] for f in DEALS] + [DEALS]
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "profile")
        for i, files in enumerate(cases):
            name = os.path.splitext(os.path.basename(files[0]))[0] if len(files) == 1 else "four-deals"
            page = os.path.join(tmp, f"{name}.html")
            r = subprocess.run([binary, "report", *files, "--paths", "300", "--seed", "3", "-o", page], cwd=REPO,
                               capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                problems.append(f"{name}: report exit {r.returncode}: {r.stderr.strip()}")
                continue
            html = open(page, encoding="utf-8").read()
            probe = os.path.join(tmp, f"{name}-probe.html")
            with open(probe, "w", encoding="utf-8") as f:
                f.write(html.replace("</body>", PROBE + "</body>"))
            dom = chromium(browser, profile, f"--window-size={WIDTH},900", "--dump-dom", f"file://{probe}")
            m = re.search(r'data-boxes="([^"]*)"', dom.stdout)
            if dom.returncode != 0 or not m:
                problems.append(f"{name}: chromium --dump-dom gave no chart boxes (exit {dom.returncode}): {dom.stderr[-300:]}")
                continue
            found = json.loads(m.group(1).replace("&quot;", '"'))
            height = min(int(found["height"]) + 10, MAX_HEIGHT)
            shot = os.path.join(shots, f"{name}.png")
            s = chromium(browser, profile, f"--window-size={WIDTH},{height}", f"--screenshot={shot}", f"file://{page}")
            if s.returncode != 0 or not os.path.exists(shot):
                problems.append(f"{name}: chromium --screenshot failed (exit {s.returncode}): {s.stderr[-300:]}")
                continue
            image = Image.open(shot).convert("RGB")
            expected = html.count('class="chart"')
            if len(found["boxes"]) != expected:
                problems.append(f"{name}: {len(found['boxes'])} chart boxes, {expected} charts in the page")
            for chart, left, top, width, box_height in found["boxes"]:
                if top + box_height > image.height:
                    continue
                if width < 100 or box_height < 50:
                    problems.append(f"{name}: chart {chart} is {width:.0f}x{box_height:.0f} px")
                    continue
                crop = image.crop((int(left), int(top), int(left + width), int(top + box_height)))
                flat = getattr(crop, "get_flattened_data", None) or crop.getdata
                pixels = list(flat())
                inked = sum(1 for p in pixels if min(p) < 230) / len(pixels)
                colours = {(p[0] // 32, p[1] // 32, p[2] // 32) for p in pixels}
                if inked < 0.02 or len(colours) < 3:
                    problems.append(f"{name}: chart {chart} looks blank ({inked:.1%} inked, {len(colours)} colours)")
                checked += 1
            print(f"  {name}: {len(found['boxes'])} charts, page {found['height']} px, screenshot {shot}")
    for p in problems:
        print("PROBLEM", p)
    print(f"render_report: {checked} charts checked in Chromium's screenshots, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
