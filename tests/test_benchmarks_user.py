"""The scripts of ``benchmarks/`` as a user runs them, at their smallest
settings: what their JSON records of the run (the timings themselves are the
benchmarks' business)."""
import importlib
import json

import pytest
from benchmark_scripts import load_benchmark


@pytest.mark.parametrize("script, argv", [
    ("knn_chunks", ["--sizes", "100", "--chunks", "64", "--repeats", "1"]),
    ("prune_error", ["--sizes", "64", "--prune", "8", "--repeats", "1"]),
    ("scaling", ["--sizes", "64", "--features", "clustered", "--stages", "powers",
                 "--repeats", "1"]),
    # before: these three wrote no JSON at all
    ("knn_indexes", ["2048", "clustered", "--library-only"]),
    ("locality_orders", ["256", "--repeats", "1"]),
    ("step_phases", ["256"]),
])
def test_json_records_the_command_that_main_was_given(script, argv, tmp_path, capsys):
    # before: the record held this process's arguments (pytest's, a
    # notebook's) when main(argv) was called in-process
    out = tmp_path / "run.json"
    argv = [*argv, "--json", str(out)]
    assert load_benchmark(script).main(argv) in (0, None)
    capsys.readouterr()
    command = json.loads(out.read_text())["command"]
    assert command == " ".join(["python", f"benchmarks/{script}.py", *argv])


def test_command_line_of_a_program_run_is_its_own(monkeypatch):
    cli = load_benchmark("_cli")
    monkeypatch.setattr("sys.argv", ["benchmarks/scaling.py", "--sizes", "64"])
    assert cli.command_line("/x/benchmarks/scaling.py") == \
        "python benchmarks/scaling.py --sizes 64"
    assert cli.command_line("/x/benchmarks/scaling.py", ["--repeats", 2]) == \
        "python benchmarks/scaling.py --repeats 2"


def test_sparse_vs_dense_crossover_is_the_smallest_size_whatever_their_order(
        monkeypatch, tmp_path, capsys):
    # before: the first size of --sizes where sparse was faster, so
    # --sizes 4096 1024 reported 4096 although sparse was faster at 1024 too
    module = load_benchmark("sparse_vs_dense")
    seconds = {(4096, "dense"): 14.0, (4096, "sparse"): 0.4, (1024, "dense"): 0.3,
               (1024, "sparse"): 0.1, (256, "dense"): 0.01, (256, "sparse"): 0.03}

    def measured(args, n, batch, backend, scatter):  # no worker processes
        return {"N": n, "batch": batch, "backend": backend, "scatter": scatter,
                "time_s": seconds[n, backend], "times": [seconds[n, backend]],
                "threads": 1, "peak_mem_mb": 500.0, "status": "ok"}
    monkeypatch.setattr(module, "run_config", measured)
    out = tmp_path / "svd.json"
    assert module.main(["--sizes", "4096", "256", "1024", "--json", str(out)]) == 0
    assert "crossover (smallest N where sparse is faster): 1024" in capsys.readouterr().out
    assert json.loads(out.read_text())["summary"]["crossover_N"] == 1024


def test_locality_orders_shows_its_progress(capsys):
    # before: nothing until the table, minutes at N = 65536 --repeats 3
    assert load_benchmark("locality_orders").main(["256", "--repeats", "2"]) == 0
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert [line.split(":")[0].strip() for line in lines] == ["warm-up", "repeat 1/2",
                                                              "repeat 2/2"]
    assert all(": 6 runs, " in line for line in lines)  # 3 orders x 2 sources
    assert "| a | own |" in out


@pytest.mark.parametrize("device, peak", [
    ("cpu", "resident memory of the run's process"),
    ("cuda", "GPU memory allocated by torch (max_memory_allocated)")])
def test_sparse_vs_dense_says_which_peak_memory_it_measured(device, peak, monkeypatch,
                                                            tmp_path, capsys):
    # before: "peak: MiB of the run's process" on CUDA too, where the worker
    # measures torch.cuda.max_memory_allocated
    module = load_benchmark("sparse_vs_dense")

    def measured(args, n, batch, backend, scatter):  # no worker processes
        return {"N": n, "batch": batch, "backend": backend, "scatter": scatter,
                "time_s": 0.1, "times": [0.1], "threads": 1, "peak_mem_mb": 500.0,
                "status": "ok"}
    monkeypatch.setattr(module, "run_config", measured)
    # _cli as the script imports it (its folder is on sys.path once loaded): not
    # sys.modules["_cli"], there only where an earlier test had run a script
    monkeypatch.setattr(importlib.import_module("_cli"), "check_device", lambda *a: None)
    out = tmp_path / "svd.json"
    assert module.main(["--sizes", "256", "--device", device, "--json", str(out)]) == 0
    assert f"seconds, peak: MiB of {peak}\n" in capsys.readouterr().out
    assert json.loads(out.read_text())["config"]["peak_mem_mb"] == f"MiB of {peak}"


@pytest.mark.parametrize("script, argv, message", [
    ("asym_ablation", ["--variants", "rgb,depth,rgb"],
     "asym_ablation.py: error: --variants: 'rgb' named more than once"),
    ("translation_ablation", ["--modalities", "shade,depth,shade"],
     "translation_ablation.py: error: --modalities: 'shade' named more than once"),
    # before: the setting ran twice into one folder, its records twice in results.json
    ("vad_table2", ["--settings", "multi_modal,multi_modal"],
     "vad_table2.py: error: --settings: 'multi_modal' named more than once"),
])
def test_ablations_refuse_a_variant_named_twice(script, argv, message, tmp_path, capsys):
    # before: asym_ablation.py --variants rgb,rgb --jobs 2 ran both runs into
    # runs/rgb_seed0 at once and hung there (killed after 200 s, a worker
    # left behind); translation_ablation.py --modalities shade,shade rendered
    # the data, then ended in the traceback of a worker's ValueError
    module = load_benchmark(script)
    with pytest.raises(SystemExit) as err:
        module.main([*argv, "--out", str(tmp_path / "out")])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [f"{message} (see {script}.py --help)"]
    assert not (tmp_path / "out").exists()  # refused before anything was made


@pytest.mark.parametrize("worker", [["64", "bogus"], ["x", "clustered"], ["8", "gaussian"]])
def test_scaling_worker_flag_is_internal_and_checked(worker, capsys):
    # before: --worker was listed in --help as a user's flag, "64 bogus" ran
    # gaussian features recorded as "bogus", and "x clustered" ended in
    # int()'s traceback
    module = load_benchmark("scaling")
    with pytest.raises(SystemExit):
        module.main(["--help"])
    assert "--worker" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as err:
        module.main(["--worker", *worker, "--stages", "powers", "--repeats", "1"])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [
        f"scaling.py: error: --worker: expected N >= 17 and clustered or gaussian, got "
        f"{' '.join(worker)} (see scaling.py --help)"]


def test_step_phases_shows_its_progress(capsys):
    # before: nothing until the table, minutes at its documented N = 2^20
    assert load_benchmark("step_phases").main(["256", "--repeats", "2"]) == 0
    out, err = capsys.readouterr()
    lines = [line.strip().rsplit(" ", 2) for line in err.splitlines()]
    assert [words[0] for words in lines] == ["step 1/2: fwd", "step 1/2: bwd",
                                             "step 2/2: fwd", "step 2/2: bwd"]
    assert "N=256, the median step of 2 (repeat " in out


def test_step_phases_tables_the_median_step_and_that_repeats_phases(tmp_path, capsys):
    # before: the last repeat's step and phases, whatever --repeats said
    path = tmp_path / "phases.json"
    assert load_benchmark("step_phases").main(["256", "--repeats", "3",
                                               "--json", str(path)]) == 0
    out, err = capsys.readouterr()
    step = json.loads(path.read_text())["step"]
    steps = step["steps_s"]
    assert len(steps) == 3 and steps[step["repeat"] - 1] == sorted(steps)[1]
    assert step["fwd_s"] + step["bwd_s"] == steps[step["repeat"] - 1]
    said = [line.strip().rsplit(" ", 2) for line in err.splitlines()]
    fwd, bwd = (f"{float(words[1]):.3f}" for words in said[2 * step["repeat"] - 2:][:2])
    assert (f"N=256, the median step of 3 (repeat {step['repeat']}) and its phases: "
            f"fwd {fwd} s, bwd {bwd} s, ") in out
    assert "| phase | s | user s | system s | fresh GiB | / step |" in out


def test_step_phases_median_repeat_is_a_measured_one():
    median_repeat = load_benchmark("step_phases").median_repeat
    assert median_repeat([3.0, 1.0, 2.0]) == 2
    assert median_repeat([4.0, 1.0, 3.0, 2.0]) == 3  # the lower middle: 2.0
    assert median_repeat([5.0]) == 0


@pytest.mark.parametrize("worker", [["x", "1", "sparse", "native"], ["64", "0", "sparse", "native"],
                                    ["64", "1", "bogus", "native"], ["64", "1", "sparse", "bogus"]])
def test_sparse_vs_dense_worker_flag_is_internal_and_checked(worker, capsys):
    # before: "x 1 ..." ended in int()'s traceback, a bad backend or scatter
    # in the library's ValueError traceback
    module = load_benchmark("sparse_vs_dense")
    with pytest.raises(SystemExit):
        module.main(["--help"])
    assert "--worker" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as err:
        module.main(["--worker", *worker, "--repeats", "1"])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [
        "sparse_vs_dense.py: error: --worker: expected N >= 1, BATCH >= 1, dense, sparse or "
        f"auto and native or torch_scatter, got {' '.join(worker)} (see sparse_vs_dense.py "
        "--help)"]


def test_sparse_vs_dense_worker_refuses_a_scatter_that_is_not_installed(monkeypatch,
                                                                        capsys):
    # before: the library's ImportError traceback
    monkeypatch.setattr("pyg_fusion._scatter.HAS_TORCH_SCATTER", False)
    with pytest.raises(SystemExit) as err:
        load_benchmark("sparse_vs_dense").main(["--worker", "64", "1", "sparse",
                                                "torch_scatter", "--repeats", "1"])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [
        "sparse_vs_dense.py: error: --worker: SCATTER torch_scatter is not installed here "
        "(see sparse_vs_dense.py --help)"]


@pytest.mark.parametrize("record, message", [
    ({"metric": "auc", "dataset": "d", "method": "m", "command": "c"},
     "a record of metric 'auc' has no 'seeds' and no 'values'"),
    ({"metric": "val_loss", "dataset": "d", "method": "m", "command": "c", "seeds": [0]},
     "a record of metric 'val_loss' has no 'values'"),
    ({"metric": "auc", "dataset": "d", "method": "m", "command": "c", "seeds": [0, 1],
      "values": [0.5]},
     "a record of metric 'auc' of 'm' needs lists of seeds and values of one length, got "
     "[0, 1] and [0.5]"),
])
def test_vad_heldout_check_names_the_file_and_what_a_record_lacks(record, message, tmp_path,
                                                                  capsys):
    # before: KeyError 'seeds' traceback; a shorter list of values dropped seeds
    path = tmp_path / "runs.json"
    path.write_text(json.dumps([record]))
    with pytest.raises(SystemExit) as err:
        load_benchmark("vad_heldout_check").main([str(path)])
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and text.splitlines() == [f"vad_heldout_check.py: error: {path}: {message}"]


def test_shared_support_shows_its_progress(capsys):
    # before: nothing until the table, about a minute at its defaults
    import argparse

    import torch
    from torch_geometric.data import Data

    gen = torch.Generator().manual_seed(0)
    y = torch.arange(40) % 2
    masks = {f"{m}_mask": torch.arange(40) % 3 == i for i, m in enumerate(("train", "val",
                                                                          "test"))}
    data = Data(x_a=torch.randn(40, 4, generator=gen) + y[:, None],
                x_b=torch.randn(40, 3, generator=gen), y=y, sources=["a", "b"], num_nodes=40,
                **masks)

    class Tiny:  # the digits' interface, 40 units
        def __init__(self, root, **kwargs):
            pass

        def __getitem__(self, i):
            return data
    module = load_benchmark("shared_support")
    args = argparse.Namespace(splits=[0, 1], k=3, json=None, root=None)
    assert module._run(args, Tiny, load_benchmark("_machine").machine_info) == 0
    out, err = capsys.readouterr()
    steps = [line.strip().split(":")[0] for line in err.splitlines()]
    assert steps == ["against the dense graph", "split 0 (1/2)", "split 1 (2/2)"]
    assert [line.split(" | ")[0] for line in out.splitlines()[-3:]] == [
        "| union", "| intersection", "| shared"]
    assert out.splitlines()[-5] == "| support | rel. Frobenius | edges | val acc | test acc |"


def test_json_of_locality_orders_and_step_phases_holds_their_tables(tmp_path, capsys):
    # before: neither took --json; the record holds the printed table's rows,
    # the machine and the workload's settings
    for script, argv, config in [
            ("locality_orders", ["256", "--repeats", "2"],
             {"N": 256, "d": 128, "k": 16, "P": 3, "prune_k": 64, "knn": "approx",
              "repeats": 2, "clusters": [],
              "warmup": "one untimed call per source and order before the repeats",
              "timed": "the powers' forward, the draw of the backward's random projection "
                       "(randn of the powers' shape) and the backward"}),
            ("step_phases", ["256"],
             {"N": 256, "d": 128, "k": 16, "P": 3, "prune_k": 64, "knn": "approx",
              "fusion_init": "random", "repeats": 1,
              "warmup": "no warm-up step: the first step includes the one-off costs"})]:
        path = tmp_path / f"{script}.json"
        assert load_benchmark(script).main([*argv, "--json", str(path)]) == 0
        table = [line.split(" | ") for line in capsys.readouterr().out.splitlines()
                 if line.startswith("| ") and not line.startswith("| source")
                 and not line.startswith("| phase")]
        record = json.loads(path.read_text())
        assert record["config"] == config and record["machine"]["torch_threads"] == 1
        if script == "locality_orders":
            assert [["| " + r["source"], r["order"], f"{r['seconds']:.3f}",
                     f"{r['draw_s']:.3f}", f"{r['over_own']:.2f}x |"]
                    for r in record["rows"]] == table
            assert all(len(r["runs"]) == 2 for r in record["rows"])
        else:
            step_s = record["step"]["fwd_s"] + record["step"]["bwd_s"]
            assert [["| " + r["phase"], f"{r['seconds']:.3f}", f"{r['user_s']:.3f}",
                     f"{r['system_s']:.3f}", f"{r['fresh_gib']:.2f}",
                     f"{r['seconds'] / step_s:.2f} |"]
                    for r in record["rows"]] == table
            step = record["step"]
            assert sum(r["seconds"] for r in record["rows"]) == \
                pytest.approx(step["fwd_s"] + step["bwd_s"], rel=1e-6)


def test_json_of_the_other_scripts_records_their_command_too(tmp_path, monkeypatch, capsys):
    # before: shared_support.py's and vad_heldout_check.py's JSON held no command
    records = [{"metric": metric, "dataset": "d", "method": "m", "command": f"run --lr {c}",
                "seeds": [0, 1], "values": [c / 10 + s for s in (0, 0.01)]}
               for c in (1, 2, 3) for metric in ("auc", "val_loss")]
    runs = tmp_path / "runs.json"
    runs.write_text(json.dumps(records))
    out = tmp_path / "check.json"
    argv = [str(runs), "--json", str(out)]
    assert load_benchmark("vad_heldout_check").main(argv) == 0
    record = json.loads(out.read_text())
    assert record["command"] == " ".join(["python", "benchmarks/vad_heldout_check.py", *argv])
    assert record["rows"][0]["runs"] == 6

    import pyg_fusion.datasets
    import torch
    from torch_geometric.data import Data
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(30) % 2
    data = Data(x_a=torch.randn(30, 4, generator=gen) + y[:, None],
                x_b=torch.randn(30, 3, generator=gen), y=y, sources=["a", "b"], num_nodes=30,
                **{f"{m}_mask": torch.arange(30) % 3 == i
                   for i, m in enumerate(("train", "val", "test"))})

    class Tiny:  # the digits' interface, 30 units
        def __init__(self, root, **kwargs):
            pass

        def __getitem__(self, i):
            return data
    monkeypatch.setattr(pyg_fusion.datasets, "MultiFeatureDigits", Tiny)
    out = tmp_path / "support.json"
    argv = ["--splits", "0", "--k", "3", "--json", str(out)]
    assert load_benchmark("shared_support").main(argv) == 0
    record = json.loads(out.read_text())
    assert record["command"] == " ".join(["python", "benchmarks/shared_support.py", *argv])
    assert record["splits"] == [0] and record["k"] == 3 and record["machine"]["torch_threads"] == 1
    capsys.readouterr()


def test_shared_support_predicts_unreached_nodes_as_the_library_does():
    """shared_support.py took argmax of label_propagation itself, so a node no
    seed reaches was class 0 whatever the seeds; it classifies with the
    library's LabelPropagationHead (the seeds' prior for such nodes)."""
    import torch
    from torch_geometric.data import Data
    module = load_benchmark("shared_support")
    # nodes 0-3 a clique; node 4 isolated (a self loop only)
    g = torch.zeros(5, 5, dtype=torch.float64)
    g[:4, :4] = 1.0
    g[4, 4] = 1.0
    y = torch.tensor([1, 1, 0, 1, 1])
    train = torch.tensor([True, True, True, False, False])  # seeds: class 1 twice, 0 once
    data = Data(y=y, train_mask=train, val_mask=torch.tensor([False, False, False, True, False]),
                test_mask=torch.tensor([False, False, False, False, True]))
    assert module.propagate(g, data) == {"val": 1.0, "test": 1.0}


def test_machine_record_counts_the_cores_this_process_may_use(monkeypatch):
    # before: "cores" was os.cpu_count(), the machine's, under a cpuset too
    machine = load_benchmark("_machine")
    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda pid: {0, 3}, raising=False)
    monkeypatch.setattr(machine.os, "cpu_count", lambda: 8)
    info = machine.machine_info()
    assert info["cores"] == 2 and info["cores_total"] == 8
    assert ", 2 of 8 cores usable, " in machine.machine_line(info)
    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda pid: set(range(8)))
    info = machine.machine_info()
    assert info["cores"] == 8 and "cores_total" not in info
    assert ", 8 cores, " in machine.machine_line(info)
    monkeypatch.delattr(machine.os, "sched_getaffinity")  # macOS, Windows
    assert machine.machine_info()["cores"] == 8
