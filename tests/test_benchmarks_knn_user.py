"""The kNN benchmarks of ``benchmarks/`` (knn_probes.py, knn_balance.py,
knn_indexes.py) as a user runs them, at their smallest settings: their
baselines, recalls, medians and refusals."""
import json

import pytest
from benchmark_scripts import load_benchmark


def test_knn_probes_recall_is_the_share_of_the_true_neighbours_found():
    # before: a comparison of every pair of a row, rows (k + 1)^2 booleans:
    # --k 5000 ended in numpy's MemoryError (47.7 GiB), here 122 GiB
    import numpy as np
    recall = load_benchmark("knn_probes").recall
    truth = np.array([[0, 1, 2, 3], [4, 5, 6, 7]])
    got = np.array([[3, 0, 9, -1], [7, 4, 5, 6]])  # 2 of 4 (and a missing one), 4 of 4
    assert recall(got, truth) == 0.75
    # a large k (rows of disjoint ids, shuffled): each row's own ids count,
    # not the neighbouring row's
    gen = np.random.default_rng(0)
    truth = gen.permuted(np.arange(2048 * 8001).reshape(2048, 8001), axis=1)
    got = truth.copy()
    got[:, ::3] = -1  # 2667 of each row's 8001 not found
    got[1:, 1] = truth[:-1, 2]  # another row's neighbour in place of this row's
    assert recall(got, truth) == round(1 - (2667 * 2048 + 2047) / truth.size, 4)


def test_knn_probes_refuses_more_neighbours_than_units(capsys):
    module = load_benchmark("knn_probes")
    with pytest.raises(SystemExit) as err:
        module.main(["--sizes", "8192", "4096", "--seeds", "0", "--probes", "1",
                     "--k", "4096"])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [
        "knn_probes.py: error: --k: at most N - 1 = 4095 neighbours (N = 4096: k + 1 with "
        "the unit itself), got 4096 (see knn_probes.py --help)"]


def test_knn_probes_measures_the_librarys_probes_whatever_probes_says(capsys):
    # before: the default --probes (6 ... 20) holds neither the 14 probes of
    # N = 262144 nor the 32 of 2^20, so the default run's "/ library" column
    # was "-" on every row: a table without its baseline
    from pyg_fusion.functional._knn_index import ivf_params
    nlist, nprobe = ivf_params(4096)
    assert load_benchmark("knn_probes").main(
        ["--sizes", "4096", "--seeds", "0", "--probes", "1", "--k", "4"]) is None
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()
            if line.startswith("| 4096 |")]
    assert [(r[1], r[2]) for r in rows] == [(str(nlist), "1"), (str(nlist),
                                                                f"{nprobe} (library)")]
    us = [float(r[4]) for r in rows]
    assert [r[5] for r in rows] == [f"{us[0] / us[1]:.2f}x |", "1.00x |"]


def test_knn_balance_measures_the_librarys_assignment_whatever_variants_says(capsys):
    # before: --variants capacity measured no "nearest" rows, so the
    # "/ nearest" column was "-" on every row: a table without its baseline
    assert load_benchmark("knn_balance").main(
        ["--sizes", "4096", "--seeds", "0", "--probes", "2", "--variants", "capacity"]) is None
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()
            if line.startswith("| 4096 |")]
    assert [r[2] for r in rows] == ["nearest", "capacity 1.25"]
    us = [float(r[6]) for r in rows]
    assert [r[7] for r in rows] == ["1.00x", f"{us[1] / us[0]:.2f}x"]


def test_knn_indexes_refuses_more_neighbours_than_units(capsys):
    # before: a traceback (the torch search's topk: "selected index k out of
    # range"); and any large k: the recall compared every pair, N (k + 1)^2
    # booleans (now knn_probes.recall's sorted keys)
    module = load_benchmark("knn_indexes")
    with pytest.raises(SystemExit) as err:
        module.main(["2048", "clustered", "--k", "2048"])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [
        "knn_indexes.py: error: --k: at most N - 1 = 2047 neighbours (k + 1 with the unit "
        "itself), got 2048 (see knn_indexes.py --help)"]


def test_knn_indexes_tables_the_medians_of_its_repeats_over_the_flat_index(tmp_path, capsys):
    # before: one run, each measurement a line of its own, no --repeats
    out = tmp_path / "run.json"
    module = load_benchmark("knn_indexes")
    assert module.main(["2048", "clustered", "--library-only", "--repeats", "3",
                        "--json", str(out)]) == 0
    printed, progress = capsys.readouterr()
    record = json.loads(out.read_text())
    assert record["config"]["repeats"] == 3
    rows = {row["index"]: row for row in record["rows"]}
    assert list(rows) == ["flat", "library approx", "library checked",
                          "library index, faiss calls only", "previous rule, faiss calls only"]
    flat = rows["flat"]["seconds"]
    for name, row in rows.items():
        assert len(row["runs"]) == 3
        assert row["seconds"] == sorted(r["seconds"] for r in row["runs"])[1]
        assert row["over_flat"] == row["seconds"] / flat
        assert f"| {name} | {row['seconds']:.3f} | " in printed
        assert printed.count(f"| {row['over_flat']:.2f}x |") >= 1
    assert rows["flat"]["over_flat"] == 1
    assert rows["library checked"]["over_approx"] == \
        rows["library checked"]["seconds"] / rows["library approx"]["seconds"]
    previous = rows["previous rule, faiss calls only"]
    assert previous["recall"] == 0.998 and [r["recall"] for r in previous["runs"]] == [0.998] * 3
    assert "median of 3 runs; / flat" in printed and progress.count("run 3/3") == 1


def test_knn_indexes_measures_the_recall_of_its_exact_searches(tmp_path, capsys):
    """The flat (exact) and torch rows printed recall '-', where README's
    table says 1: both are now measured against the flat search, as every
    other row is."""
    out = tmp_path / "run.json"
    module = load_benchmark("knn_indexes")
    assert module.main(["1024", "clustered", "--repeats", "1", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = {row["index"]: row for row in json.loads(out.read_text())["rows"]}
    assert rows["flat"]["recall"] == 1.0 and rows["torch"]["recall"] == 1.0
    for name in ("flat", "torch"):
        row = rows[name]
        assert (f"| {name} | {row['seconds']:.3f} | {row['cpu_s']:.3f} | 1.0000 | "
                f"{row['over_flat']:.2f}x |") in printed
    assert 0.9 < rows["ivf-sq fp16 nlist=26 nprobe=6"]["recall"] < 1.0  # a measured one


def test_knn_indexes_medians_of_digits_views_and_one_run():
    module = load_benchmark("knn_indexes")
    runs = [[{"part": "all", "view": "fou", "n": 2000, "exact_s": e, "approx_s": a,
              "recall": 0.97}] for e, a in ((4.0, 1.0), (2.0, 3.0), (3.0, 2.0))]
    row, = module.medians(runs)
    assert (row["exact_s"], row["approx_s"], row["recall"]) == (3.0, 2.0, 0.97)
    assert row["approx_over_exact"] == 2.0 / 3.0 and row["n"] == 2000
    assert row["runs"] == [{"exact_s": 4.0, "approx_s": 1.0, "recall": 0.97},
                           {"exact_s": 2.0, "approx_s": 3.0, "recall": 0.97},
                           {"exact_s": 3.0, "approx_s": 2.0, "recall": 0.97}]
    # --repeats 1: the run's own values, as the one-run lines docs/results/scaling.md quotes
    one = [[{"index": "flat", "seconds": 2.0, "cpu_s": 1.5},
            {"index": "library approx", "seconds": 0.5},
            {"index": "library checked", "seconds": 0.75, "kept_approx": True}]]
    flat, approx, checked = module.medians(one)
    assert (flat["seconds"], flat["cpu_s"], approx["over_flat"]) == (2.0, 1.5, 0.25)
    assert (checked["over_approx"], checked["kept_approx"]) == (1.5, True)
