"""Reproducibility: the numbers of a run do not depend on what they should
not depend on (the order of --method and --seeds, the other seeds of the
command, a data cache built before, the working folder, the output path;
torch threads up to float rounding), evaluate on a checkpoint gives the training run's numbers to
the bit, and the training calls leave the caller's random states as they
found them."""
import csv
import json
import random

import numpy as np
import pytest
import torch

from pyg_fusion.cli import main
from pyg_fusion.methods import build_model
from pyg_fusion.training import seed_everything
from pyg_fusion.training.node import fit_node

from test_training_node import _toy_graph


def _values(out, seed):
    """``{(method, metric): value}`` of ``seed`` in ``out/results.json``,
    timings left out."""
    got = {}
    for r in json.loads((out / "results.json").read_text()):
        if "time" not in r["metric"] and seed in r["seeds"]:
            got[r["method"], r["metric"]] = r["values"][r["seeds"].index(seed)]
    return got


def _losses(out, method, seed):
    """Every logged value of one run's metrics.csv but the timings, as text
    (as written: the full float32 digits)."""
    path = next((out / method / f"seed{seed}").rglob("metrics.csv"))
    rows = list(csv.DictReader(path.open()))
    return [{k: v for k, v in row.items() if v and "time" not in k} for row in rows]


@pytest.mark.parametrize("data", [
    ["--dataset", "digits", "--eval-every", "1"],
    ["--dataset", "synthetic-vad", "--num-segments", "8"]], ids=["node", "vad"])
def test_a_run_does_not_depend_on_order_other_seeds_cache_cwd_or_out(
        tmp_path, monkeypatch, data):
    """Seed 1 of (lego, graph-mean) over seeds 0,1 is bitwise seed 1 alone of
    (graph-mean, lego), with a data cache built anew, from another working
    folder and into a much longer output path. Another --threads gives the
    same run up to float rounding: BLAS may split a matrix product's sums by
    thread count (on an AVX-512 CPU the node task's lego loss after one step
    moved in its last digit; on AVX2 CPUs it did not)."""
    common = [*data, "--epochs", "2", "--no-progress"]
    a = tmp_path / "a"
    assert main(["compare", *common, "--method", "lego,graph-mean", "--seeds", "0,1",
                 "--threads", "1", "--root", str(tmp_path / "data_a"), "--out", str(a)]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    b = tmp_path / ("a_much_longer_output_folder_name" * 3) / "x" / "y"
    assert main(["compare", *common, "--method", "graph-mean,lego", "--seeds", "1",
                 "--threads", "1", "--root", "../data_b", "--out", str(b)]) == 0
    first, second = _values(a, 1), _values(b, 1)
    assert first and first == second
    for method in ("lego", "graph-mean"):
        assert _losses(a, method, 1) == _losses(b, method, 1)

    c = tmp_path / "two_threads"
    assert main(["compare", *common, "--method", "lego,graph-mean", "--seeds", "1",
                 "--threads", "2", "--root", "../data_b", "--out", str(c)]) == 0
    third = _values(c, 1)
    assert third.keys() == first.keys()
    # a score flips only for a unit on the decision boundary: a node of 400
    # moves accuracy by 0.0025
    assert all(abs(third[k] - first[k]) <= 0.01 for k in first), (first, third)
    for method in ("lego", "graph-mean"):
        rows_a, rows_c = _losses(a, method, 1), _losses(c, method, 1)
        assert [r.keys() for r in rows_a] == [r.keys() for r in rows_c]
        for ra, rc in zip(rows_a, rows_c):
            for k in ra:
                assert float(rc[k]) == pytest.approx(float(ra[k]), rel=1e-5, abs=1e-6), k


@pytest.mark.parametrize("args", [
    ["--dataset", "digits", "--method", "lego", "--epochs", "3", "--eval-every", "2"],
    ["--dataset", "synthetic-vad", "--num-segments", "8", "--method", "lego-row",
     "--epochs", "2"]], ids=["node", "vad"])
def test_evaluate_gives_the_training_runs_numbers_to_the_bit(tmp_path, args):
    """The node run's best epoch is the last one, scored after fit (3 epochs,
    evaluations every 2): its best.ckpt is written by fit_node itself."""
    out = tmp_path / "train"
    assert main(["train", *args, "--seeds", "1", "--root", str(tmp_path / "data"),
                 "--no-progress", "--out", str(out)]) == 0
    trained = _values(out, 1)
    method = args[args.index("--method") + 1]
    ckpt = out / method / "seed1" / "checkpoints" / "best.ckpt"
    for threads in ("1", "2"):
        ev = tmp_path / f"eval{threads}"
        assert main(["evaluate", "--checkpoint", str(ckpt), "--no-progress",
                     "--threads", threads, "--out", str(ev)]) == 0
        again = _values(ev, 1)
        scored = [k for k in again if k[1] not in ("params", )]
        assert scored and all(again[k] == trained[k] for k in scored), (again, trained)


def _random_states():
    return (torch.get_rng_state(), random.getstate(), np.random.get_state()[1].copy())


def test_fit_node_leaves_the_callers_random_states(tmp_path):
    """A run seeds and draws from the global generators while it trains; the
    caller's draw after it is the one it would have made without it, so that
    the next model's initialisation does not depend on how long the previous
    run trained."""
    data = _toy_graph()
    draws = []
    for epochs in (1, 3):
        seed_everything(0)
        model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
        before = _random_states()
        r = fit_node(model, data, out_dir=tmp_path / f"e{epochs}", epochs=epochs,
                     eval_every=1, seed=5, progress=False, checkpoint=False)
        assert 0.0 <= r["test_acc"] <= 1.0
        after = _random_states()
        assert torch.equal(before[0], after[0]) and before[1] == after[1]
        assert np.array_equal(before[2], after[2])
        draws.append(torch.rand(4))
    assert torch.equal(*draws)


def test_fit_vad_leaves_the_callers_random_states(tmp_path):
    from pyg_fusion.specs import MethodSpec
    from pyg_fusion.experiments.data import DataConfig, load_data
    from pyg_fusion.methods import Dims, build_spec
    from pyg_fusion.training.vad_fit import fit_vad

    td = load_data(DataConfig("synthetic-vad", str(tmp_path / "data"), num_segments=8))
    spec = MethodSpec.create("lego-row", "vad", {"init": "product", "operator_warmup": 0})
    dims = Dims(td.in_channels, num_segments=8)
    torch.manual_seed(123)
    before = _random_states()
    results = [fit_vad(lambda: build_spec(spec, dims), td.train, td.test,
                       out_dir=tmp_path / f"r{i}", epochs=2, seed=3, progress=False,
                       checkpoint=False) for i in range(2)]
    after = _random_states()
    assert torch.equal(before[0], after[0]) and before[1] == after[1]
    assert np.array_equal(before[2], after[2])
    # and the same call twice gives the same numbers
    assert all(results[0][k] == results[1][k] for k in ("auc", "ap", "val_loss", "epoch"))
