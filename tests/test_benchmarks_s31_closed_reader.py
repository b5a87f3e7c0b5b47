"""`python benchmarks/<script>.py ... --json out.json | head`: the scripts
printed their tables (and, some, their measurements as they ran) on stdout
before they wrote their files, so once the reader had closed the run ended on
a BrokenPipeError with nothing written. Every script now writes its files
first (atomically) and prints after; what it says while it runs goes to
stderr."""
import argparse
import json
import sys

import pytest

from benchmark_scripts import load_benchmark


class ClosedReader:
    """A stdout whose reader has left (``| head`` once it has its lines)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        pass


def _main_with_a_closed_reader(monkeypatch, script, argv):
    monkeypatch.setattr(sys, "stdout", ClosedReader())
    with pytest.raises(BrokenPipeError):
        load_benchmark(script).main(argv)


@pytest.mark.parametrize("script,argv", [
    ("step_phases", ["256"]),
    ("locality_orders", ["256", "--repeats", "1"]),
    ("prune_error", ["--sizes", "64", "--prune", "16", "--repeats", "1", "--threads", "1"]),
    ("knn_chunks", ["--sizes", "64", "--chunks", "32", "--repeats", "1"]),
])
def test_a_closed_reader_costs_no_json(script, argv, tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    _main_with_a_closed_reader(monkeypatch, script, [*argv, "--json", str(path)])
    assert json.loads(path.read_text())["rows"]


def test_a_closed_reader_costs_knn_indexes_no_run(tmp_path, monkeypatch):
    pytest.importorskip("faiss")
    path = tmp_path / "run.json"
    # before: its measurements as they ran were stdout's, so the run ended at
    # the first line after the reader had left
    _main_with_a_closed_reader(monkeypatch, "knn_indexes", [
        "1024", "clustered", "--library-only", "--repeats", "1", "--json", str(path)])
    assert json.loads(path.read_text())["rows"]


def test_a_closed_reader_costs_vad_heldout_check_no_json(tmp_path, monkeypatch):
    records = [{"metric": metric, "dataset": "d", "method": "m", "command": f"run --lr {c}",
                "seeds": [0, 1], "values": [c / 10 + s for s in (0, 0.01)]}
               for c in (1, 2, 3) for metric in ("auc", "val_loss")]
    (tmp_path / "runs.json").write_text(json.dumps(records))
    path = tmp_path / "check.json"
    _main_with_a_closed_reader(monkeypatch, "vad_heldout_check",
                               [str(tmp_path / "runs.json"), "--json", str(path)])
    assert json.loads(path.read_text())["rows"]


def test_a_closed_reader_costs_shared_support_no_json(tmp_path, monkeypatch):
    import torch
    from torch_geometric.data import Data

    gen = torch.Generator().manual_seed(0)
    y = torch.arange(30) % 2
    masks = {f"{m}_mask": torch.arange(30) % 3 == i
             for i, m in enumerate(("train", "val", "test"))}
    data = Data(x_a=torch.randn(30, 4, generator=gen) + y[:, None],
                x_b=torch.randn(30, 3, generator=gen), y=y, sources=["a", "b"],
                num_nodes=30, **masks)

    class Tiny:  # the digits' interface, 30 units
        def __init__(self, root, **kwargs):
            pass

        def __getitem__(self, i):
            return data
    module = load_benchmark("shared_support")
    path = tmp_path / "support.json"
    args = argparse.Namespace(splits=[0], k=3, json=str(path), root=None)
    monkeypatch.setattr(sys, "stdout", ClosedReader())
    with pytest.raises(BrokenPipeError):
        module._run(args, Tiny, load_benchmark("_machine").machine_info)
    assert set(json.loads(path.read_text())["supports"]) == {"union", "intersection", "shared"}
