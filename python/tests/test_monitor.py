"""fairgate.monitor.Monitor (the C ABI's fairgate_monitor) against the C++ monitor.

The drift test feeds one numpy-generated stream (a score shift injected in
group 1 from row 6000 on) through the Python binding and through
tests/python/monitor_alarm_dump.cpp (the C++ fairgate::monitor::monitor
directly, path in FAIRGATE_MONITOR_DUMP) and requires the same text for every
poll: rates, intervals, PSI, KS, constraint states and alarms, all printed
with 17 significant digits (so: bit for bit). Other tests check the alarm
fires at the right window, the rollback hook and its errors, delayed labels,
save/restore, reset, and bad input.
"""
import math
import os
import subprocess

import numpy as np
import pytest

from fairgate import FairgateError
from fairgate.metrics import Accumulator
from fairgate.monitor import Constraint, Monitor

DRIFT_ROW = 6000
WINDOW = 1000


def make_rows(n, seed, drift_from=None):
    """Scores of a noisy classifier: label y ~ Bernoulli(0.4), score =
    sigmoid(3 (y - 0.5) + N(0, 1)); from `drift_from` on, group 1's scores are
    multiplied by 0.6 (the injected drift)."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 2, n).astype(np.uint32)
    y = (rng.random(n) < 0.4).astype(np.int32)
    s = 1.0 / (1.0 + np.exp(-(3.0 * (y - 0.5) + rng.normal(0.0, 1.0, n))))
    if drift_from is not None:
        shifted = (np.arange(n) >= drift_from) & (g == 1)
        s[shifted] *= 0.6
    return s, g, y


def write_rows(path, s, g, y):
    rec = np.zeros(len(s), dtype=[("s", "<f8"), ("g", "<u4"), ("y", "<i4")])
    rec["s"], rec["g"], rec["y"] = s, g, y
    rec.tofile(path)


# The configuration mirrored in monitor_alarm_dump.cpp.
CONSTRAINTS = [Constraint("selection_rate", "difference", "<=", 0.1),
               Constraint("true_positive_rate", "group_rate", ">=", 0.5)]


def make_monitor(baseline, **kw):
    return Monitor(2, window="tumbling", window_size=WINDOW, bins=10, ks_alpha=0.001,
                   min_support=30, constraints=CONSTRAINTS, baseline_rows=baseline, **kw)


def feed(mon, s, g, y, on_poll):
    """The schedule of monitor_alarm_dump.cpp: every 4th row's label arrives 100 rows later."""
    for i in range(len(s)):
        if i >= 100 and (i - 100) % 4 == 0:
            mon.label(i - 100, int(y[i - 100]))
        if i % 4 == 0:
            mon.observe_unlabeled(i, float(s[i]), int(g[i]))
        else:
            mon.observe(float(s[i]), int(g[i]), int(y[i]))
        if (i + 1) % WINDOW == 0:
            on_poll(mon.poll())


def num(x):
    return "nan" if math.isnan(x) else "%.17g" % x


def idx(i):
    return "-" if i is None else str(i)


def report_text(r):
    out = [f"poll {r.poll} {r.observations} {r.window_index}"]
    for k, x in enumerate(r.groups):
        vals = [x["observations"], x["labelled"], *x["selection_rate"],
                *x["true_positive_rate"], x["psi"], x["ks"]]
        out.append(f"group {k} " + " ".join(num(v) for v in vals))
    for k, c in enumerate(r.constraints):
        out.append(f"constraint {k} {c['state']} {idx(c['group'])} {idx(c['other_group'])} "
                   + " ".join(num(v) for v in c["value"]))
    for a in r.alarms:
        out.append(f"alarm {a['kind']} {idx(a['constraint'])} {idx(a['group'])} "
                   f"{idx(a['other_group'])} {a['metric'] or '-'} "
                   + " ".join(num(a[k]) for k in ("value", "lower", "upper", "threshold",
                                                  "p_value")))
    return out


@pytest.fixture(scope="module")
def drift_stream():
    return make_rows(4000, 1), make_rows(12000, 2, drift_from=DRIFT_ROW)


def run_python(drift_stream, **kw):
    baseline, (s, g, y) = drift_stream
    reports = []
    mon = make_monitor(baseline, **kw)
    feed(mon, s, g, y, reports.append)
    return mon, reports


def test_the_drift_alarm_fires_in_the_first_window_after_the_shift(drift_stream):
    _, reports = run_python(drift_stream)
    assert len(reports) == 12
    first = DRIFT_ROW // WINDOW  # window 6 is the first one with shifted scores
    for r in reports[:first]:
        assert r.alarms == [], f"false alarm before the drift at poll {r.poll}: {r.alarms}"
    kinds = {(a["kind"], a["group"]) for a in reports[first].alarms}
    assert ("psi", 1) in kinds and ("ks", 1) in kinds
    assert any(a["kind"] == "change" and a["group"] == 1 and a["metric"] == "selection_rate"
               for a in reports[first].alarms)
    assert reports[first].constraints[0]["state"] == "violated"
    assert all(a["group"] != 0 for a in reports[first].alarms if a["kind"] in ("psi", "ks"))


def test_the_python_monitor_matches_the_cpp_monitor_bit_for_bit(drift_stream, tmp_path):
    tool = os.environ.get("FAIRGATE_MONITOR_DUMP")
    if not tool or not os.path.exists(tool):
        pytest.skip("FAIRGATE_MONITOR_DUMP (the monitor_alarm_dump tool) is not set; "
                    "ctest's python.pytest sets it")
    (bs, bg, by), (s, g, y) = drift_stream
    write_rows(tmp_path / "base.bin", bs, bg, by)
    write_rows(tmp_path / "stream.bin", s, g, y)
    ref = subprocess.run([tool, str(tmp_path / "base.bin"), str(tmp_path / "stream.bin")],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    _, reports = run_python(drift_stream)
    got = [line for r in reports for line in report_text(r)]
    assert len(got) == len(ref)
    for a, b in zip(got, ref):
        assert a == b
    n_alarms = sum(1 for line in ref if line.startswith("alarm"))
    assert n_alarms > 0
    print(f"compared {len(ref)} lines ({len(reports)} polls, {n_alarms} alarms) bit for bit")


def test_the_rollback_hook_sees_the_target_and_every_alarm_once(drift_stream):
    calls = []
    mon, reports = run_python(drift_stream, target="adult_demo",
                              on_alarm=lambda target, alarms: calls.append((target, alarms)))
    polls_with_alarms = [r for r in reports if r.alarms]
    assert len(calls) == len(polls_with_alarms) > 0
    for (target, alarms), r in zip(calls, polls_with_alarms):
        assert target == "adult_demo"
        assert alarms == r.alarms
    assert calls[0][1][0]["poll"] == DRIFT_ROW // WINDOW + 1


def test_an_exception_in_the_hook_is_raised_by_poll_with_the_report_kept(drift_stream):
    class Rollback(RuntimeError):
        pass

    def hook(target, alarms):
        raise Rollback(f"{len(alarms)} alarms")

    baseline, (s, g, y) = drift_stream
    mon = make_monitor(baseline, on_alarm=hook)
    mon.observe(s[:7000], g[:7000], y[:7000])
    with pytest.raises(Rollback):
        mon.poll()
    assert mon.last_report().alarms  # the poll itself completed


def test_a_restored_state_continues_exactly_like_the_original(drift_stream):
    baseline, (s, g, y) = drift_stream
    a, b = make_monitor(baseline), make_monitor(baseline)
    a.observe(s[:5500], g[:5500], y[:5500])
    b.restore(a.save())
    a.observe(s[5500:], g[5500:], y[5500:])
    b.observe(s[5500:], g[5500:], y[5500:])
    assert report_text(a.poll()) == report_text(b.poll())
    other = Monitor(3, window="tumbling", window_size=WINDOW)
    with pytest.raises(FairgateError) as e:
        other.restore(a.save())
    assert "FGMS" in e.value.message or "bytes" in e.value.message


def test_reset_gives_the_fresh_monitor_again(drift_stream):
    baseline, (s, g, y) = drift_stream
    a, b = make_monitor(baseline), make_monitor(baseline)
    a.observe(s[:3000], g[:3000], y[:3000])
    a.poll()
    a.reset()
    a.observe(s[:2000], g[:2000], y[:2000])
    b.observe(s[:2000], g[:2000], y[:2000])
    assert report_text(a.poll()) == report_text(b.poll())


def test_a_baseline_accumulator_and_histogram_equal_baseline_rows(drift_stream):
    (bs, bg, by), (s, g, y) = drift_stream
    acc = Accumulator(2)
    acc.add(by, scores=bs, groups=bg, threshold=0.5)
    bins = np.minimum((bs * 10).astype(np.int64), 9)  # equal-width bins over [0, 1]
    hist = np.zeros((2, 10), dtype=np.uint64)
    np.add.at(hist, (bg, bins), 1)
    a = make_monitor((bs, bg, by))
    b = Monitor(2, window="tumbling", window_size=WINDOW, bins=10, ks_alpha=0.001, min_support=30,
                constraints=CONSTRAINTS, baseline=acc, baseline_histogram=hist)
    a.observe(s[:7000], g[:7000], y[:7000])
    b.observe(s[:7000], g[:7000], y[:7000])
    assert report_text(a.poll()) == report_text(b.poll())


def test_delayed_labels_report_their_outcome():
    mon = Monitor(1, window="sliding", window_size=10, min_support=1, pending_capacity=2)
    mon.observe_unlabeled(1, 0.9, 0)
    assert mon.label(1, 1) == "applied"
    assert mon.label(1, 1) == "unknown_id"
    mon.observe_unlabeled(2, 0.9, 0)
    mon.observe_unlabeled(3, 0.9, 0)
    mon.observe_unlabeled(4, 0.9, 0)  # the ring holds 2: id 2 is dropped unlabelled
    mon.observe(np.full(20, 0.1), np.zeros(20))  # ids 3 and 4 leave the window of 10
    assert mon.label(3, 0) == "outside_window"
    r = mon.poll()
    assert (r.pending_overwritten, r.labels_unknown_id, r.labels_outside_window) == (1, 1, 1)


def test_bad_input_raises_with_the_c_message():
    mon = Monitor(2, window="sliding", window_size=10)
    with pytest.raises(FairgateError) as e:
        mon.observe(float("nan"), 0, 1)
    assert e.value.status == "FAIRGATE_E_INVALID_VALUE"
    with pytest.raises(IndexError):
        mon.observe(0.5, 2, 1)
    with pytest.raises(FairgateError) as e:
        mon.observe(np.array([0.1, 0.2, np.nan]), np.array([0, 1, 1]))
    assert "scores[2]" in e.value.message
    with pytest.raises(ValueError):
        mon.observe(np.array([0.1, 0.2]), np.array([0, 1]), np.array([0, 3]))
    with pytest.raises(IndexError):
        mon.label(5, 2)
    mon.observe_unlabeled(5, 0.5, 0)
    with pytest.raises(ValueError):
        mon.observe_unlabeled(5, 0.5, 0)
    assert mon.poll().observations == 1  # nothing of the bad calls was counted
    with pytest.raises(ValueError):
        Monitor(0)
    with pytest.raises(ValueError):
        Monitor(2, window="hourly")
    with pytest.raises(ValueError):
        Monitor(2, constraints=[Constraint(metric="f1")])
    with pytest.raises(ValueError):
        Monitor(2, constraints=[Constraint(bound=float("nan"))])
    with pytest.raises(FairgateError) as e:
        Monitor(2, baseline=b"not an accumulator")
    assert e.value.status == "FAIRGATE_E_PARSE"


POLICY = """
schema_version = 1
name = "monitor-test"

[[target]]
name = "edge"
sensitive_features = ["sex"]
reference_group = "Male"

[[target.constraint]]
id = "dp"
metric = "demographic_parity_difference"
bound = "<= 0.1"

[[target.constraint]]
id = "di"
metric = "disparate_impact"
bound = ">= 0.8"

[[target.constraint]]
id = "acc"
metric = "accuracy"
scope = "every_group"
bound = ">= 0.8"
"""


def test_a_policy_target_configures_the_watched_constraints():
    from fairgate.monitor import constraints_from_policy
    from fairgate.policy import Policy

    # dp -> selection-rate difference <= 0.1; acc -> accuracy group_rate >= 0.8; di (a ratio) skipped.
    cs, skipped = constraints_from_policy(Policy.from_string(POLICY), "edge")
    assert skipped == 1
    assert [(c.metric, c.kind, c.op, c.bound) for c in cs] == [
        ("selection_rate", "difference", "<=", 0.1), ("accuracy", "group_rate", ">=", 0.8)]
    mon = Monitor(2, constraints=cs, target="edge", min_support=1)
    mon.observe(np.array([0.9, 0.1]), np.array([0, 1]), np.array([1, 0]))
    assert len(mon.poll().constraints) == 2
    with pytest.raises(ValueError):
        constraints_from_policy(Policy.from_string(POLICY), "cloud")


def test_the_hook_rolls_back_to_the_last_known_good_configuration(drift_stream, tmp_path):
    from fairgate.manifest import Manifest
    from fairgate.monitor import last_known_good, record_known_good

    # The deployment records two passing configurations; the second is the last good one.
    m = Manifest()
    record_known_good(m, tmp_path / "store", "adult_demo", b"sparsity=0.5")
    record_known_good(m, tmp_path / "store", "adult_demo", b"sparsity=0.3\x00\xff")
    m.write(tmp_path / "manifest.json")
    rolled_back = []

    def rollback(target, alarms):
        rec = Manifest.read(tmp_path / "manifest.json")
        rolled_back.append(last_known_good(rec, tmp_path / "store", target))

    run_python(drift_stream, target="adult_demo", on_alarm=rollback)
    assert rolled_back and all(b == b"sparsity=0.3\x00\xff" for b in rolled_back)
    with pytest.raises(FairgateError) as e:
        last_known_good(Manifest.read(tmp_path / "manifest.json"), tmp_path / "store", "other")
    assert e.value.status == "FAIRGATE_E_EMPTY_INPUT"
