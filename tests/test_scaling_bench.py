"""benchmarks/scaling.py: the busy-core process and a tiny run of the worker
(the timings themselves are the benchmark's business)."""
import os

import pytest
import torch
from benchmark_scripts import ROOT, load_benchmark


def test_busy_core_runs_pinned_and_is_killed():
    scaling = load_benchmark("scaling")
    with scaling.busy_core() as proc:
        assert proc.poll() is None  # running
        if hasattr(os, "sched_getaffinity"):
            assert os.sched_getaffinity(proc.pid) == {max(os.sched_getaffinity(0))}
    assert proc.poll() is not None  # killed and reaped


def test_worker_busy_reports_idle_and_busy_and_memory():
    scaling = load_benchmark("scaling")
    threads = torch.get_num_threads()  # the worker sets one thread: restored below
    try:
        row = scaling.worker(200, "clustered", ["knn_approx", "step"], 1, "cpu",
                             busy=True, threads=1, exact_max=0)
    finally:
        torch.set_num_threads(threads)
    for key in ("knn_approx_s", "knn_approx_busy_s", "step_fwd_s", "step_fwd_busy_s",
                "step_bwd_busy_s"):
        assert row[key] > 0, key
    assert row["step_maxrss_gib"] >= row["base_maxrss_gib"] > 0
    assert 0.9 <= row["recall_rows"] <= 1.0  # sampled recall (exact stage skipped)
    text = scaling.table([row])
    assert "step fwd busy (busy / idle)" in text and "| 200 | clustered |" in text


def test_worker_warms_up_at_a_small_size_before_its_first_repeat(monkeypatch, capsys):
    # before: without --busy the first timed call was the process's first
    # call (imports, thread pools, allocators), and with --repeats 1, as the
    # largest sizes run, that cold call was the figure
    import pyg_fusion.functional as F
    scaling = load_benchmark("scaling")
    sizes, powers = [], F.graph_powers

    def counted(edge_index, weight, n, *args, **kwargs):
        sizes.append(n)
        return powers(edge_index, weight, n, *args, **kwargs)
    monkeypatch.setattr(F, "graph_powers", counted)
    threads = torch.get_num_threads()
    try:
        row = scaling.worker(300, "clustered", ["powers"], 2, "cpu", threads=1)
        small = scaling.worker(64, "clustered", ["powers"], 1, "cpu", threads=1)
    finally:
        torch.set_num_threads(threads)
    assert sizes == [scaling.WARMUP_N, 300, 300, 64, 64]  # the warm-up, then the repeats
    assert row["warmup_N"] == scaling.WARMUP_N == 256 and small["warmup_N"] == 64
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0].strip() for line in err] == [
        "N=300 warm-up at N=256", "N=300 powers", "N=64 warm-up at N=64", "N=64 powers"]


def test_scaling_records_its_warm_up_in_the_json_and_the_table(tmp_path, capsys):
    import json
    path = tmp_path / "run.json"
    load_benchmark("scaling").main(["--sizes", "64", "--features", "clustered", "--stages",
                                    "powers", "--repeats", "1", "--json", str(path)])
    record = json.loads(path.read_text())
    said = "each size's process warmed up untimed by its stages once at N = min(N, 256)"
    assert record["warmup"] == said and record["rows"][0]["warmup_N"] == 64
    assert f"; {said}\n| N | features |" in capsys.readouterr().out


def test_worker_step_with_random_fusion_weights():
    # --fusion-init random: the weights reach every power, so the step's
    # backward runs through the products of the powers.
    scaling = load_benchmark("scaling")
    threads = torch.get_num_threads()
    try:
        row = scaling.worker(200, "clustered", ["step"], 1, "cpu", threads=1,
                             fusion_init="random")
    finally:
        torch.set_num_threads(threads)
    assert row["fusion_init"] == "random" and row["step_bwd_s"] > 0


def test_knn_probes_sweep_recall_grows_with_probes():
    import pytest
    from pyg_fusion.functional import _knn
    if _knn.load_faiss() is None:
        pytest.skip("needs faiss")
    module = load_benchmark("knn_probes")
    threads = torch.get_num_threads()
    rows = module.sweep(4096, 100, [1, 8], k=8, lists_factor=1)
    assert torch.get_num_threads() == threads
    assert [r["nprobe"] for r in rows] == [1, 8] and rows[0]["nlist"] == 64
    assert 0 < rows[0]["recall"] <= rows[1]["recall"] <= 1
    # 64 lists: the library probes 6 of them
    assert not any(r["library"] for r in rows) and all(r["us_per_query"] > 0 for r in rows)


def test_prune_error_runs_and_exact_pruning_has_no_error(capsys):
    module = load_benchmark("prune_error")
    threads = torch.get_num_threads()
    module.main(["--sizes", "128", "--prune", "8", "128", "--repeats", "1"])
    assert torch.get_num_threads() == threads
    rows = [line.split("|") for line in capsys.readouterr().out.splitlines()
            if line.startswith("| 128 |")]
    errors = {int(r[2]): float(r[4]) for r in rows}  # prune_k -> rel. error of R^3
    assert errors[8] > 0 and errors[128] == 0  # 128 >= N: nothing pruned


def test_step_phases_rows_sum_to_the_step():
    # a subprocess: the script wraps library functions for its own process
    import re
    import subprocess
    import sys
    out = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "step_phases.py"),
                          "2048"], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": ROOT}).stdout
    fwd, bwd = map(float, re.search(r"fwd ([\d.]+) s, bwd ([\d.]+) s", out).groups())
    rows = dict(re.findall(r"^\| ([^|]+) \| ([\d.]+) \|", out, re.M))
    assert {"knn search", "powers: products", "fusion fwd", "bwd: products"} <= rows.keys()
    assert abs(sum(map(float, rows.values())) - (fwd + bwd)) < 0.01 + 0.02 * (fwd + bwd)
    # user and system CPU seconds, then fresh GiB and the share of the step,
    # beside each row's wall seconds
    cpu = re.findall(r"^\| [^|]+ \| [\d.]+ \| (-?[\d.]+) \| (-?[\d.]+) \| [\d.]+ \| [\d.]+ \|$",
                     out, re.M)
    assert len(cpu) == len(rows)
    assert sum(float(u) + float(s) for u, s in cpu) <= 1.1 * (fwd + bwd) + 0.05


def test_locality_orders_prints_every_source_and_order(capsys):
    module = load_benchmark("locality_orders")
    assert module.main(["2048", "--repeats", "1", "--clusters", "16"]) == 0
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()
            if line.startswith("| a |") or line.startswith("| b |")]
    assert sorted((r[0][2:], r[1]) for r in rows) == sorted(
        (s, o) for s in "ab" for o in ("own", "union", "none", "16 clusters"))
    assert all(float(r[2]) > 0 for r in rows)
    assert {r[4] for r in rows if r[1] == "own"} == {"1.00x |"}  # after the draw's s


@pytest.mark.parametrize("clusters,said", [
    (["0"], "argument --clusters: expected a positive integer, got 0"),
    (["4096", "16", "5000"], "--clusters: at most n = 2048 clusters of the n units, got "
                             "4096, 5000"),
])
def test_locality_orders_rejects_clusters_outside_1_to_n(clusters, said, capsys):
    module = load_benchmark("locality_orders")
    with pytest.raises(SystemExit) as err:
        module.main(["2048", "--clusters", *clusters])
    assert err.value.code == 2
    assert f"locality_orders.py: error: {said} (see" in capsys.readouterr().err


@pytest.mark.parametrize("clusters,said", [
    (["abc"], "argument --clusters: expected a positive integer, got 'abc'"),
    (["2.5"], "argument --clusters: expected a positive integer, got '2.5'"),
    ([], "argument --clusters: expected at least one argument"),
])
def test_locality_orders_parses_clusters_as_the_other_scripts_counts(clusters, said, capsys):
    # before: type=int (argparse's 'invalid int value'), and nargs="*": a bare
    # --clusters ran no cluster order and said nothing
    module = load_benchmark("locality_orders")
    with pytest.raises(SystemExit) as err:
        module.main(["64", "--clusters", *clusters])
    assert err.value.code == 2
    assert capsys.readouterr().err.startswith(f"locality_orders.py: error: {said} (see")


def test_sampled_recall_needs_no_faiss(monkeypatch):
    # the device machine has no faiss: the recall's exact search is torch's own
    import sys

    import pyg_fusion.functional as F
    scaling = load_benchmark("scaling")
    monkeypatch.setitem(sys.modules, "faiss", None)  # import faiss raises ImportError
    x = torch.randn(3000, 8, generator=torch.Generator().manual_seed(0))
    ei, _ = F.relation_graph(x, k=scaling.K, knn="exact")
    assert scaling._sampled_recall(x, ei) == (1.0, 1.0)
    # every row's first neighbour (after its self loop) dropped: 1 of k + 1 missed
    keep = torch.ones(ei.size(1), dtype=torch.bool)
    seen = set()
    for j, (s, t) in enumerate(ei.t().tolist()):
        if s != t and t not in seen:
            seen.add(t)
            keep[j] = False
    recall, recall_neighbours = scaling._sampled_recall(x, ei[:, keep])
    assert recall == pytest.approx(scaling.K / (scaling.K + 1))
    assert recall_neighbours == pytest.approx((scaling.K - 1) / scaling.K)


def test_sampled_recall_is_the_share_of_the_exact_neighbours_found():
    # scaling.py's recall_rows / recall_neighbours_rows now come from the
    # library's knn_recall: on all units (N <= RECALL_ROWS) they equal the
    # plain count of the exact k + 1 (self included) and k found
    import pyg_fusion.functional as F
    scaling = load_benchmark("scaling")
    k, n = scaling.K, 600
    x = torch.randn(n, 32, generator=torch.Generator().manual_seed(1))
    ei, _ = F.relation_graph(x, k=k, knn="exact")
    gen = torch.Generator().manual_seed(2)
    keep = (ei[0] == ei[1]) | (torch.rand(ei.size(1), generator=gen) > 0.3)
    ei = ei[:, keep]  # some 30% of each unit's neighbours lost, unevenly
    xn = torch.nn.functional.normalize(x.double(), dim=1)
    truth = (xn @ xn.T).topk(k + 1, dim=1).indices  # the unit itself first
    linked = {(int(t), int(s)) for s, t in ei.t()}
    found = [sum((i, int(j)) in linked for j in row) for i, row in enumerate(truth)]
    recall, neighbours = scaling._sampled_recall(x, ei)
    assert recall == pytest.approx(sum(found) / (n * (k + 1)), abs=1e-12)
    assert neighbours == pytest.approx((sum(found) - n) / (n * k), abs=1e-12)
    assert 0.6 < neighbours < 0.8


def test_knn_chunks_every_block_size_gives_the_default_graph(capsys):
    module = load_benchmark("knn_chunks")
    threads = torch.get_num_threads()
    assert module.main(["--sizes", "300", "--chunks", "7", "64", "--repeats", "1"]) == 0
    assert torch.get_num_threads() == threads
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()
            if line.startswith("| 300 |")]
    assert [int(r[1]) for r in rows] == [7, 64, 512]  # the default always measured
    assert rows[2][3] == "1.00x" and all(r[4] == "yes |" for r in rows)
