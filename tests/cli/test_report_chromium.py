#!/usr/bin/env python3
"""Renders a fairgate audit report in headless Debian Chromium and checks it.

Usage: test_report_chromium.py FAIRGATE_BINARY [PNG_OUT]

Makes a run directory (`fairgate audit --out`) on synthetic scores with
bootstrap intervals, then runs chromium twice with the issue's flags and a
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
report = os.path.join(run_dir, "report.html")
url = "file://" + os.path.abspath(report)

flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]


def chromium(extra):
    profile = tempfile.mkdtemp(prefix="fairgate-chromium-profile-")
    try:
        return subprocess.run([CHROMIUM, *flags, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


failures = []
dom = chromium(["--dump-dom"])
if dom.returncode != 0:
    failures.append(f"chromium --dump-dom exited {dom.returncode}")
shot = chromium(["--window-size=1100,2600", f"--screenshot={png}"])
if shot.returncode != 0:
    failures.append(f"chromium --screenshot exited {shot.returncode}")

for name, proc in (("dump-dom", dom), ("screenshot", shot)):
    for line in proc.stderr.splitlines():
        if "Uncaught" in line or ":CONSOLE" in line:
            failures.append(f"console message during {name}: {line}")

html = dom.stdout
expected = ["summary", "metrics-by-group", "calibration", "thresholds", "all-numbers", "lineage"]
for sec in expected:
    if f'<section id="{sec}">' not in html:
        failures.append(f"section {sec} missing from the DOM")
checks = {
    "a chart per bar metric and line chart": html.count("<svg") >= 9,
    "group sizes shown": "n = 1,000" in html,
    "four-fifths verdict": "Four-fifths rule" in html,
    "bootstrap whiskers described": "bootstrap interval" in html,
    "input hash in lineage": "SHA-256" in html,
    "no script elements": "<script" not in html,
}
for what, ok in checks.items():
    if not ok:
        failures.append(f"DOM check failed: {what}")
if not os.path.exists(png) or os.path.getsize(png) < 10000:
    failures.append("screenshot PNG missing or too small")
else:
    with open(png, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            failures.append("screenshot is not a PNG")

print(f"chromium: {CHROMIUM}; checked {len(expected)} sections, {len(checks)} DOM properties, console log, "
      f"PNG {png} ({os.path.getsize(png) if os.path.exists(png) else 0} bytes)")
for f_ in failures:
    print("FAIL", f_)
if len(sys.argv) <= 2:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failures else 0)
