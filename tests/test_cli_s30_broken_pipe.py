"""`python benchmarks/vad_heldout_check.py ... | head`, `asym_ablation.py
--summarise ... | head` and `pyg-fusion <command> | head` could end in a
BrokenPipeError traceback (pyg-fusion: "error: [Errno 32] Broken pipe", exit 2)
once the reader had closed. The scripts' __main__ blocks (benchmarks/_cli.py
run_script) and the console entry (pyg_fusion.cli.__main__.entry) end quietly
with status 1, as the Python docs advise; main() called in-process is as
before."""
import json
import os
import subprocess
import sys

from benchmark_scripts import ROOT


def _read_by_a_closed_reader(argv, cwd):
    """Runs ``argv`` with its stdout a pipe whose reader closed before it wrote."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.stderr.close()
    return p.wait(timeout=120), err


def _script(name):
    return [sys.executable, os.path.join(ROOT, "benchmarks", f"{name}.py")]


def test_vad_heldout_check_read_by_a_closed_reader_is_quiet(tmp_path):
    records = [{"metric": metric, "dataset": "d", "method": "m", "command": f"run --lr {c}",
                "seeds": [0, 1], "values": [c / 10 + s for s in (0, 0.01)]}
               for c in (1, 2, 3) for metric in ("auc", "val_loss")]
    (tmp_path / "runs.json").write_text(json.dumps(records))
    assert _read_by_a_closed_reader(_script("vad_heldout_check") + ["runs.json"],
                                    tmp_path) == (1, "")


def test_asym_ablation_summarise_read_by_a_closed_reader_is_quiet(tmp_path):
    score = {"miou": 0.5, "pixel_acc": 0.6, "mean_acc": 0.55}
    runs = [{"variant": "rgb", "seed": s, "final": "rgb", "scores": {"rgb": score},
             "parameters": 10, "seconds": 1.0} for s in (0, 1)]
    (tmp_path / "results.json").write_text(json.dumps({"runs": runs}))
    assert _read_by_a_closed_reader(_script("asym_ablation") + ["--summarise",
                                                                "results.json"],
                                    tmp_path) == (1, "")
    # the files before the table, which the reader did not take (s31: not written)
    assert (tmp_path / "results.md").read_text().startswith("| variant |")
    assert (tmp_path / "miou.png").stat().st_size > 0
    assert "rows" in json.loads((tmp_path / "results.json").read_text())


def test_pyg_fusion_read_by_a_closed_reader_is_quiet(tmp_path):
    argv = [sys.executable, "-m", "pyg_fusion", "compare", "--print-config", "--dataset",
            "synthetic-vad"]
    assert _read_by_a_closed_reader(argv, tmp_path) == (1, "")
