"""The command lines of ``benchmarks/``: user errors in one line (no
traceback, no run first), outputs checked before the run, the process left
as it was by an in-process ``main()``, and what the tables and figures show
(the timings themselves are the benchmarks' business)."""
import json
import os
import subprocess
import sys

import pytest
import torch
from benchmark_scripts import ROOT, load_benchmark

SCRIPTS = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, "benchmarks"))
                 if name.endswith(".py") and not name.startswith("_"))


def _refused(capsys, fn, *args) -> str:
    """``fn(*args)`` exits with code 2 (argparse's, or a one-line error) and
    prints no table; returns stderr."""
    with pytest.raises(SystemExit) as err:
        fn(*args)
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert "|" not in out and "Traceback" not in text
    return text


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_has_help_and_says_a_user_error_in_one_line(script, capsys):
    main = load_benchmark(script).main
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    # named after the script, also when main() is called from another program
    assert capsys.readouterr().out.startswith(f"usage: {script}.py ")
    # argparse's own error (a missing positional argument, or the unknown
    # flag): one line, not the usage block first
    lines = _refused(capsys, main, ["--no-such-flag"]).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{script}.py: error: "), lines


def test_gpu_check_has_help_and_refuses_an_unknown_option(tmp_path):
    script = os.path.join(ROOT, "benchmarks", "gpu_check.sh")

    def run(*argv):
        return subprocess.run(["bash", script, *argv], cwd=tmp_path, capture_output=True,
                              text=True, timeout=30)
    done = run("--help")
    assert done.returncode == 0 and "STEPS=" in done.stdout
    assert not any(line.startswith("#") for line in done.stdout.splitlines())
    done = run("--verbose")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [done.stderr.strip()] and "--verbose" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no OUT_DIR named after the option


@pytest.mark.parametrize("script, argv, message", [
    ("scaling", ["--sizes", "64", "--device", "nodevice"], "--device nodevice"),
    ("sparse_vs_dense", ["--sizes", "64", "--device", "nodevice"], "--device nodevice"),
    ("knn_chunks", ["--sizes", "300", "--device", "cuda:99"], "no such CUDA device"),
    ("knn_probes", ["--sizes", "10", "--probes", "1"], "N = 10 has no IVF list"),
    ("knn_probes", ["--sizes", "4096", "--probes", "65"], "at most the 64 lists of N = 4096"),
    ("knn_probes", ["--sizes", "4096", "--probes", "129", "--lists-factor", "2"],
     "at most the 128 lists"),
    ("knn_balance", ["--sizes", "10", "--probes", "1"], "N = 10 has no IVF list"),
])
def test_a_device_or_size_the_run_cannot_use_is_refused_before_it(script, argv, message,
                                                                  capsys):
    # before: scaling.py and sparse_vs_dense.py ran every size into a failed
    # worker and exited 0; knn_probes.py ended in faiss's traceback at N < 39
    assert message in _refused(capsys, load_benchmark(script).main, argv)


def test_knn_probes_gives_each_row_as_a_ratio_to_the_librarys_probes(capsys):
    module = load_benchmark("knn_probes")
    from pyg_fusion.functional._knn_index import ivf_params
    nlist, nprobe = ivf_params(4096)
    assert module.main(["--sizes", "4096", "--seeds", "0", "--probes", "1", str(nprobe),
                        "--k", "4"]) is None
    out = capsys.readouterr().out
    assert "machine: " in out and "1 torch thread(s)" in out
    rows = {line.split("|")[3].strip(): line.split("|")[1:-1] for line in out.splitlines()
            if line.startswith("| 4096 |")}
    assert rows[f"{nprobe} (library)"][-1].strip() == "1.00x"
    us = {probes: float(cells[4]) for probes, cells in rows.items()}
    assert rows["1"][-1].strip() == f"{us['1'] / us[f'{nprobe} (library)']:.2f}x"


@pytest.mark.parametrize("script, argv, message", [
    ("prune_error", ["--repeats", "0"], "--repeats: expected a positive integer"),
    ("prune_error", ["--sizes", "0"], "--sizes: expected an integer >= 17"),
    ("knn_chunks", ["--sizes", "300", "--repeats", "0"], "--repeats"),
    ("knn_chunks", ["--sizes", "300", "--threads", "0"], "--threads"),
    ("knn_chunks", ["--sizes", "300", "--device", "nodevice"], "--device nodevice"),
    ("locality_orders", ["512", "--repeats", "0"], "--repeats"),
    ("step_phases", ["0"], "argument n: expected an integer >= 17"),
    ("sparse_vs_dense", ["--repeats", "0"], "--repeats"),
    ("shared_support", ["--k", "0"], "--k"),
    ("knn_balance", ["--sizes", "4096", "--probes", "100"], "at most the 64 lists"),
    ("knn_probes", ["--probes", "0"], "--probes"),
    # before: negative seeds, penalties and stage bounds were taken (and ran)
    ("knn_probes", ["--seeds", "-1"], "argument --seeds: expected integers in [0, 2**32)"),
    ("knn_balance", ["--seeds", "0", "-1"], "argument --seeds: expected integers in [0, 2**32)"),
    ("knn_balance", ["--alpha", "-0.01"], "argument --alpha: expected a finite number >= 0"),
    ("knn_balance", ["--power-alpha", "-1"], "argument --power-alpha: expected a finite number"),
    ("scaling", ["--exact-max", "-1"], "argument --exact-max: expected an integer >= 0"),
    ("scaling", ["--scipy-max", "-1"], "argument --scipy-max: expected an integer >= 0"),
    ("knn_indexes", ["abc", "clustered"], "expected a number of units or 'digits'"),
    ("asym_ablation", ["--seeds", "x"], "--seeds"),
    ("asym_ablation", ["--epochs", "0"], "--epochs"),
    ("translation_ablation", ["--seeds", "x"], "--seeds"),
    ("vad_table2", ["--settings", "multi_modal,bogus"], "--settings: unknown 'bogus'"),
])
def test_bad_numbers_are_one_line_before_any_work(script, argv, message, capsys):
    module = load_benchmark(script)
    assert message in _refused(capsys, module.main, argv)


@pytest.mark.parametrize("script, argv, message", [
    ("prune_error", ["--sizes", "128", "--repeats", "1", "--json"], "cannot write there"),
    ("knn_chunks", ["--sizes", "300", "--repeats", "1", "--json"], "cannot write there"),
    ("sparse_vs_dense", ["--sizes", "64", "--json"], "cannot write there"),
    ("shared_support", ["--json"], "cannot write there"),
    ("vad_chance", ["--json"], "cannot write there"),
    ("vad_heldout_check", ["nothing.json", "--json"], "cannot write there"),
    ("knn_indexes", ["2048", "clustered", "--json"], "cannot write there"),
    ("locality_orders", ["256", "--json"], "cannot write there"),
    ("step_phases", ["256", "--json"], "cannot write there"),
    ("vad_table2", ["--out"], "is a file, so"),  # the CLI's own --out type
    ("asym_ablation", ["--out"], "cannot write there"),
    ("translation_ablation", ["--out"], "cannot write there"),
])
def test_an_output_that_cannot_be_written_is_refused_before_the_run(script, argv, message,
                                                                    tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")  # a file where the output's folder would be
    module = load_benchmark(script)
    text = _refused(capsys, module.main, [*argv, str(blocker / "sub" / "out.json")])
    assert message in text and str(blocker) in text


@pytest.mark.parametrize("script, argv", [
    ("results_table", []), ("vad_heldout_check", []), ("asym_ablation", ["--summarise"])])
def test_missing_or_foreign_input_files_are_one_line(script, argv, tmp_path, capsys):
    module = load_benchmark(script)
    assert "no such file" in _refused(capsys, module.main, [*argv, str(tmp_path / "no.json")])
    other = tmp_path / "other.json"
    other.write_text("not json")
    assert "is not valid JSON" in _refused(capsys, module.main, [*argv, str(other)])


def test_knn_chunks_warms_up_then_alternates_the_block_sizes(monkeypatch):
    module = load_benchmark("knn_chunks")
    from pyg_fusion.functional import relation
    calls, real = [], relation.relation_graph

    def recording(x, **kwargs):
        calls.append(kwargs["chunk_size"])
        return real(x, **kwargs)
    monkeypatch.setattr(relation, "relation_graph", recording)
    rows = module.sweep(300, [7, 64], "cpu", repeats=2)
    # one untimed call, then every size once per repeat: the first size
    # measured no longer pays the first call's costs alone
    assert calls == [512, 7, 64, 512, 7, 64, 512]
    assert [len(r["runs"]) for r in rows] == [2, 2, 2]
    for r in rows:
        assert r["seconds"] == pytest.approx(sum(r["runs"]) / 2)  # the median of two
        assert r["ratio"] == pytest.approx(r["seconds"] / rows[-1]["seconds"])


def _scaling_json(tmp_path):
    rows = [{"N": n, "features": kind, "powers_s": t * n, "knn_approx_s": t * n / 2}
            for kind, t in (("clustered", 1e-4), ("gaussian", 3e-4)) for n in (64, 256)]
    rows.append({"N": 1024, "features": "gaussian", "status": "failed (exit code 1)"})
    path = tmp_path / "scaling.json"
    path.write_text(json.dumps({"repeats": 2, "worker_threads": 1, "rows": rows}))
    return path


def test_scaling_plot_draws_each_kind_of_features_on_its_own_line(tmp_path):
    scaling = load_benchmark("scaling")
    fig = scaling.plot(str(_scaling_json(tmp_path)), str(tmp_path / "fig" / "s.png"))
    assert (tmp_path / "fig" / "s.png").stat().st_size > 0
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    assert {"powers fwd (clustered)", "powers fwd (gaussian)", "kNN approx (clustered)",
            "kNN approx (gaussian)", "slope 1 (linear)"} == set(lines)
    assert list(lines["powers fwd (gaussian)"].get_xdata()) == [64, 256]
    assert list(lines["powers fwd (gaussian)"].get_ydata()) == pytest.approx([0.0192, 0.0768])
    assert "median of 2" in fig.axes[0].get_ylabel()


@pytest.mark.parametrize("argv, message", [
    (["--plot", "x.png"], "give it with --from-json"),
    (["--plot", "x.png", "--from-json", "missing.json"], "no such file"),
    (["--plot", "x.png", "--from-json", "foreign.json"], "not a scaling.py JSON"),
])
def test_scaling_plot_errors_are_one_line(argv, message, tmp_path, monkeypatch, capsys):
    scaling = load_benchmark("scaling")
    (tmp_path / "foreign.json").write_text(json.dumps({"rows": [{"status": "ok"}]}))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["scaling.py", *argv])
    assert message in _refused(capsys, scaling.main)
    assert not (tmp_path / "x.png").exists()


def test_scaling_table_keeps_the_sizes_that_failed():
    scaling = load_benchmark("scaling")
    rows = json.loads(json.dumps([{"N": 64, "features": "clustered", "powers_s": 0.5,
                                   "scipy_s": 0.25},
                                  {"N": 128, "features": "clustered",
                                   "status": "failed (exit code 1)"}]))
    text = scaling.table(rows).splitlines()
    assert text[2] == "| 64 | clustered | 0.5 | 0.25 | 2.00x | - |"
    assert text[3].startswith("| 128 | clustered | failed (exit code 1) |")
    assert text[3].count("|") == text[0].count("|")  # as many cells as the header


def test_vad_table2_params_come_from_the_first_setting_that_ran():
    bench = load_benchmark("vad_table2")
    records = [{"setting": s, "method": "lego", "metric": metric, "mean": v, "std": 0.0}
               for s, metric, v in (("multi_modal", "auc", 0.6), ("multi_modal", "params", 8930),
                                    ("multi_modal", "time_per_epoch_s", 0.1),
                                    ("multi_domain", "auc", 0.8),
                                    ("multi_domain", "params", 9999))]
    row = bench.markdown(records).splitlines()[2]
    assert row == "| lego | - | 60.00 ± 0.00 | 80.00 ± 0.00 | 8,930 | 0.100 | - |"


def test_vad_table2_cells_are_those_of_the_results_table():
    """vad_table2 had a formatter of its own that printed '± 0.00' for one
    seed, a spread it does not have, and no seed count (results_table.py
    prints the mean alone and a seeds column); both now share its cells."""
    bench = load_benchmark("vad_table2")

    def rec(s, method, metric, values):
        mean = sum(values) / len(values)
        std = (sum((v - mean) ** 2 for v in values) / max(len(values) - 1, 1)) ** 0.5
        return {"dataset": "synthetic-vad", "setting": s, "method": method, "metric": metric,
                "mean": mean, "std": std, "seeds": list(range(len(values))), "values": values}

    five = [0.84, 0.86, 0.85, 0.87, 0.86]
    records = [rec("multi_representation", "lego", "auc", five),
               rec("multi_representation", "lego", "params", [13538.0] * 5),
               rec("multi_representation", "lego", "time_per_epoch_s", [0.165] * 5),
               rec("multi_modal", "lego", "auc", [0.6]),
               rec("multi_modal", "mtn", "auc", [0.7])]
    lines = bench.markdown(records).splitlines()
    assert lines[0] == ("| method | multi_representation AUC | multi_modal AUC | "
                        "multi_domain AUC | params | s / epoch | seeds |")
    assert lines[1] == "|---|---|---|---|---|---|---|"
    std = 100 * records[0]["std"]
    assert lines[2] == f"| lego | 85.60 ± {std:.2f} | 60.00 | - | 13,538 | 0.165 | 1/5 |"
    assert lines[3] == "| mtn | - | 70.00 | - | - | - | 1 |"


def test_step_phases_main_gives_back_the_library_functions_and_threads(capsys):
    from pyg_fusion.functional import powers, similarity
    module = load_benchmark("step_phases")
    before = powers.graph_powers, vars(similarity._RowDot)["backward"]
    threads = torch.get_num_threads()
    assert module.main(["256"]) == 0
    assert (powers.graph_powers, vars(similarity._RowDot)["backward"]) == before
    assert torch.get_num_threads() == threads
    assert "| powers: products |" in capsys.readouterr().out


def test_locality_orders_main_gives_back_the_threads(capsys):
    module = load_benchmark("locality_orders")
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert module.main(["256", "--repeats", "1"]) == 0
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(old)
    assert "machine: " in capsys.readouterr().out


def test_image_ablation_figures_leave_matplotlibs_backend_alone(tmp_path):
    import matplotlib
    old = matplotlib.get_backend()
    # not Agg (the tests' backend, which a figure calling matplotlib.use("Agg")
    # would leave as it found it)
    matplotlib.use("svg")
    try:
        _draw_ablation_figures(tmp_path)
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(old)


def _draw_ablation_figures(tmp_path):
    asym = load_benchmark("asym_ablation")
    rows = [{"variant": "rgb", "miou_mean": 0.5, "miou_std": 0.1, "parameters": 1000},
            {"variant": "asymfusion", "miou_mean": 0.6, "miou_std": 0.0, "parameters": 2000}]
    asym.figure(rows, str(tmp_path / "miou.png"))
    translation = load_benchmark("translation_ablation")
    stat = {"mean": 0.5, "std": 0.1}
    table = {name: {"fused": fused, "l1": stat, "psnr": stat, "ssim": stat}
             for name, fused in (("shade", False), ("shade+depth", True))}
    translation.figure(table, str(tmp_path / "ablation.png"))
    assert (tmp_path / "miou.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "ablation.png").read_bytes().startswith(b"\x89PNG")


def test_machine_record_names_load_and_a_missing_faiss(monkeypatch):
    machine = load_benchmark("_machine")
    info = machine.machine_info()
    assert len(info["load"]) == 3 and info["torch"] == torch.__version__
    monkeypatch.setitem(sys.modules, "faiss", None)  # import faiss raises ImportError
    info = machine.machine_info()
    assert info["faiss"] is None
    line = machine.machine_line(info, threads=1)
    assert "1 torch thread(s)" in line and 'no faiss (knn="approx" searched exactly)' in line
    assert f"torch {torch.__version__}" in line and "load (1/5/15 min)" in line


def test_knn_indexes_refuses_to_run_without_faiss(monkeypatch):
    # without faiss, knn="approx" searches exactly: the digits' "recall" would be 1
    module = load_benchmark("knn_indexes")
    monkeypatch.setattr(module._knn, "load_faiss", lambda: None)
    with pytest.raises(SystemExit) as err:
        module.main(["digits"])
    assert "needs faiss" in str(err.value.code)


def _gpu_check_with_stub_python(tmp_path, steps: str, *argv):
    """gpu_check.sh run from ``tmp_path/cwd`` with STEPS=``steps`` and a
    ``python3`` that only records its arguments (in ``tmp_path/calls``)."""
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "python3").write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path / "calls"}"\n')
    (stub / "python3").chmod(0o755)
    (tmp_path / "cwd").mkdir()
    env = {**os.environ, "STEPS": steps, "PATH": f"{stub}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", os.path.join(ROOT, "benchmarks", "gpu_check.sh"), *argv],
                          cwd=tmp_path / "cwd", capture_output=True, text=True, timeout=60,
                          env=env)


def test_gpu_check_writes_a_relative_out_dir_where_it_was_called(tmp_path):
    # before: the script changed to the repository first, so OUT_DIR "out"
    # given from another folder was made (and written) inside the repository
    name = f"gpu_check_out_{os.getpid()}"
    done = _gpu_check_with_stub_python(tmp_path, "chunks", name)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "cwd" / name
    assert sorted(p.name for p in out.iterdir()) == ["env.txt", "knn_chunks_cuda.log"]
    assert not os.path.exists(os.path.join(ROOT, name))
    # the steps run from the repository, their outputs named in OUT_DIR
    chunks = (tmp_path / "calls").read_text().splitlines()[-1]
    assert chunks.startswith("benchmarks/knn_chunks.py --device cuda ")
    assert chunks.endswith(f"--json {out}/knn_chunks_cuda.json")


def test_gpu_check_without_out_dir_writes_under_an_ignored_runs_folder(tmp_path, monkeypatch):
    # before: the default was gpu_check_out/ in the calling folder, which
    # .gitignore did not cover (run from the repository: untracked files)
    monkeypatch.delenv("OUT", raising=False)
    done = _gpu_check_with_stub_python(tmp_path, "chunks")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / "cwd").iterdir()] == ["runs"]
    out = tmp_path / "cwd" / "runs" / "gpu_check"
    assert sorted(p.name for p in out.iterdir()) == ["env.txt", "knn_chunks_cuda.log"]
    with open(os.path.join(ROOT, ".gitignore")) as f:
        assert "runs/" in f.read().split()


def test_gpu_check_refuses_an_unknown_step_before_any_step_runs(tmp_path):
    # before: STEPS="scaling chunk" ran the scaling step (minutes of the
    # lease) and only then stopped at the typo
    done = _gpu_check_with_stub_python(tmp_path, "chunks nostep", "out")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "gpu_check.sh: error: unknown step 'nostep' in STEPS (expected tests, machine, "
        "scaling, chunks or compile)"]
    assert not (tmp_path / "calls").exists() and not (tmp_path / "cwd" / "out").exists()


def test_results_table_read_by_head_ends_without_a_traceback(tmp_path):
    # before: `python benchmarks/results_table.py results.json | head` ended
    # in a BrokenPipeError traceback once head had its lines
    records = [{"method": f"m{i}", "metric": "accuracy", "mean": 0.5, "std": 0.1,
                "seeds": [0, 1]} for i in range(5000)]  # a table longer than a pipe's buffer
    (tmp_path / "results.json").write_text(json.dumps(records))
    done = subprocess.run(
        f'"{sys.executable}" "{os.path.join(ROOT, "benchmarks", "results_table.py")}" '
        f'"{tmp_path / "results.json"}" | head -2; exit "${{PIPESTATUS[0]}}"',
        shell=True, executable="bash", capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[0].startswith("| method | accuracy |")
    assert len(done.stdout.splitlines()) == 2
    assert done.stderr == "" and done.returncode == 1
