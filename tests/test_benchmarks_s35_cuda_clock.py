"""benchmarks/scaling.py on CUDA: every clock reading of a timed repeat, its
start included, waits for the device's queued work, so that the inputs drawn
just before a stage (bound's random indices, fusion's weights) and an untimed
first call (copy's) are not timed in the first repeat, the only one at the
sizes run once."""
import torch
from benchmark_scripts import load_benchmark


def _measure():
    # scaling.py's measurement of one size (benchmarks/_scaling_measure.py), as it imports it
    load_benchmark("scaling")
    import _scaling_measure
    return _scaling_measure


def test_the_clock_waits_for_the_device_before_reading(monkeypatch):
    measure = _measure()
    events = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: events.append("sync"))
    monkeypatch.setattr(measure.time, "perf_counter", lambda: events.append("read") or 1.0)
    assert measure._clock("cuda:0") == 1.0
    assert events == ["sync", "read"]
    events.clear()
    measure._clock("cpu")
    assert events == ["read"]


def test_each_repeat_starts_and_ends_on_the_clock(monkeypatch):
    measure = _measure()
    reads = []
    clock = measure._clock
    monkeypatch.setattr(measure, "_clock", lambda device: reads.append(device) or clock(device))
    row = measure.worker(64, "clustered", ["fusion", "bound"], 2, "cpu")
    # warm-up: 2 stages x 1 repeat, then 2 stages x 2 repeats, a start and an end each
    assert reads == ["cpu"] * (2 * 2 + 2 * 2 * 2)
    assert row["fusion_s"] > 0 and row["bound_s"] > 0
