#!/usr/bin/env python3
"""Renders fairgate reports in headless Debian Chromium and checks them.

Usage: test_report_chromium.py FAIRGATE_BINARY [PNG_OUT]

Two reports: an audit run directory (`fairgate audit --out`) on synthetic
scores with bootstrap intervals, and the main job's (`fairgate demo`, run
here with its defaults: the bundled Adult data). For each, chromium runs twice with the issue's flags and a
fresh profile: --dump-dom (the DOM after load must hold every expected
section and chart) and --screenshot (a non-empty PNG). Console messages are
logged to stderr (--enable-logging=stderr --v=0); any "Uncaught" or
":CONSOLE" line (the page has no script, so any console message is a fault;
Chromium logs them as INFO:CONSOLE / ERROR:CONSOLE) fails the test. Exit 77 (CTest: skipped) when chromium
is not installed; scripts/setup installs it.
"""
import os
import shutil
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    print("SKIP: chromium is not installed (scripts/setup installs it)")
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix="fairgate-report-test-")
png = sys.argv[2] if len(sys.argv) > 2 else os.path.join(tmp, "report.png")

# Synthetic scores for three groups (an LCG, no numpy needed).
rows, x = [], 7
for i in range(3000):
    x = (1103515245 * x + 12345) % (2 ** 31)
    g = ["north", "south", "east"][i % 3]
    y = 1 if (x >> 7) % 4 == 0 else 0
    x = (1103515245 * x + 12345) % (2 ** 31)
    s = min(1.0, ((x >> 5) % 1000) / 1000.0 * 0.7 + 0.3 * y + (0.04 if g == "south" else 0.0))
    rows.append(f"{y},{s:.4f},{g}\n")
csv = os.path.join(tmp, "scores.csv")
with open(csv, "w") as f:
    f.write("label,score,region\n" + "".join(rows))
run_dir = os.path.join(tmp, "run")
p = subprocess.run([BIN, "audit", csv, "--label", "label", "--score", "score", "--group", "region",
                    "--reference", "north", "--bootstrap", "200", "--seed", "3", "--out", run_dir, "--quiet"],
                   capture_output=True, text=True)
if p.returncode != 0:
    print("audit failed:", p.stderr)
    sys.exit(1)
flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]


def chromium(url, extra):
    profile = tempfile.mkdtemp(prefix="fairgate-chromium-profile-")
    try:
        return subprocess.run([CHROMIUM, *flags, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


failures = []


def render_and_check(label, report, png, expected, checks, height):
    url = "file://" + os.path.abspath(report)
    dom = chromium(url, ["--dump-dom"])
    if dom.returncode != 0:
        failures.append(f"{label}: chromium --dump-dom exited {dom.returncode}")
    shot = chromium(url, [f"--window-size=1100,{height}", f"--screenshot={png}"])
    if shot.returncode != 0:
        failures.append(f"{label}: chromium --screenshot exited {shot.returncode}")
    for name, proc in (("dump-dom", dom), ("screenshot", shot)):
        for line in proc.stderr.splitlines():
            if "Uncaught" in line or ":CONSOLE" in line:
                failures.append(f"{label}: console message during {name}: {line}")
    html = dom.stdout
    for sec in expected:
        if f'<section id="{sec}">' not in html:
            failures.append(f"{label}: section {sec} missing from the DOM")
    for what, ok in checks(html).items():
        if not ok:
            failures.append(f"{label}: DOM check failed: {what}")
    if not os.path.exists(png) or os.path.getsize(png) < 10000:
        failures.append(f"{label}: screenshot PNG missing or too small")
    else:
        with open(png, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                failures.append(f"{label}: screenshot is not a PNG")
    print(f"{label}: checked {len(expected)} sections, {len(checks(html))} DOM properties, console log, "
          f"PNG {png} ({os.path.getsize(png) if os.path.exists(png) else 0} bytes)")


render_and_check(
    "audit report", os.path.join(run_dir, "report.html"), png,
    ["summary", "metrics-by-group", "calibration", "thresholds", "all-numbers", "lineage"],
    lambda html: {
        "a chart per bar metric and line chart": html.count("<svg") >= 9,
        "group sizes shown": "n = 1,000" in html,
        "four-fifths verdict": "Four-fifths rule" in html,
        "bootstrap whiskers described": "bootstrap interval" in html,
        "input hash in lineage": "SHA-256" in html,
        "no script elements": "<script" not in html,
    }, 2600)

# The main job's report, from `fairgate demo` with its defaults.
demo_dir = os.path.join(tmp, "demo")
p = subprocess.run([BIN, "demo", "--out", demo_dir, "--quiet"], capture_output=True, text=True, timeout=600)
if p.returncode != 0:
    print("demo failed:", p.stderr)
    sys.exit(1)
demo_png = os.path.splitext(png)[0] + "-demo.png"
render_and_check(
    "demo report", os.path.join(demo_dir, "report.html"), demo_png,
    ["demo-overview", "compression-summary", "compressed-groups", "milestones", "frontier", "summary", "metrics-by-group",
     "calibration", "thresholds", "all-numbers", "lineage"],
    lambda html: {
        "both targets summarised": "Target server" in html and "Target device" in html,
        "pass/fail per constraint with reasons": html.count('class="verdict') >= 3 and "tpr-drop" in html,
        "a chart per target and constraint, plus frontier charts": html.count("<svg") >= 2 * 3 + 2,
        "policy bounds and rolled-back steps drawn": "rolled back" in html and "bound " in html,
        "group sizes shown": "n = " in html and "Rows (n)" in html,
        "mitigation effect": "Effect of the mitigation" in html,
        "input hashes in lineage": "adult.data" in html and "SHA-256" in html,
        "no script elements": "<script" not in html,
    }, 6000)

for f_ in failures:
    print("FAIL", f_)
if len(sys.argv) <= 2:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failures else 0)
