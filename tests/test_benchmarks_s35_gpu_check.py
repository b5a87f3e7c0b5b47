"""benchmarks/gpu_check.sh as the next session with a GPU runs it: a script
error costs the 15-minute lease, so its CPU dry run (the recipe in its
header) must run as the device image would, and what its steps name must be
there."""
import os
import re
import subprocess
import sys

from benchmark_scripts import ROOT

SCRIPT = os.path.join(ROOT, "benchmarks", "gpu_check.sh")


def _text() -> str:
    with open(SCRIPT) as f:
        return f.read()


def test_the_dry_runs_hidden_faiss_is_skipped_as_an_absent_one(tmp_path):
    # before: the stub raised a bare ImportError, which pytest.importorskip
    # does not skip on: the dry run's collection failed on the faiss tests
    stub = re.search(r"echo '(.+)' > /tmp/nofaiss/faiss\.py", _text()).group(1)
    (tmp_path / "faiss.py").write_text(stub + "\n")
    code = ("import pytest\n"
            "try:\n    pytest.importorskip('faiss')\n"
            "except pytest.skip.Exception:\n    print('skipped')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "skipped"


def test_every_file_the_steps_name_is_there():
    named = set(re.findall(r"\b((?:tests|benchmarks)/[\w/]+\.py)\b", _text()))
    assert {"benchmarks/scaling.py", "benchmarks/knn_chunks.py",
            "tests/test_compile.py"} <= named
    assert [p for p in sorted(named) if not os.path.isfile(os.path.join(ROOT, p))] == []
