"""benchmarks/scaling.py on CUDA: every clock reading of a timed repeat, its
start included, waits for the device's queued work, so that the inputs drawn
just before a stage (bound's random indices, fusion's weights) and an untimed
first call (copy's) are not timed in the first repeat, the only one at the
sizes run once."""
import torch
from benchmark_scripts import load_benchmark


def test_the_clock_waits_for_the_device_before_reading(monkeypatch):
    scaling = load_benchmark("scaling")
    events = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: events.append("sync"))
    monkeypatch.setattr(scaling.time, "perf_counter", lambda: events.append("read") or 1.0)
    assert scaling._clock("cuda:0") == 1.0
    assert events == ["sync", "read"]
    events.clear()
    scaling._clock("cpu")
    assert events == ["read"]


def test_each_repeat_starts_and_ends_on_the_clock(monkeypatch):
    scaling = load_benchmark("scaling")
    reads = []
    clock = scaling._clock
    monkeypatch.setattr(scaling, "_clock", lambda device: reads.append(device) or clock(device))
    row = scaling.worker(64, "clustered", ["fusion", "bound"], 2, "cpu")
    # warm-up: 2 stages x 1 repeat, then 2 stages x 2 repeats, a start and an end each
    assert reads == ["cpu"] * (2 * 2 + 2 * 2 * 2)
    assert row["fusion_s"] > 0 and row["bound_s"] > 0
