"""``main()`` of the scripts of ``benchmarks/``, called in-process (as the
tests and users call it), leaves the process as it found it: thread counts,
global random generators and the rest of the process-wide state, also when
the run fails half-way."""
import os
import random
import warnings

import numpy as np
import pytest
import torch
from benchmark_scripts import load_benchmark

faiss = pytest.importorskip("faiss")


@pytest.fixture
def own_faiss_threads(monkeypatch):
    """faiss's thread count as a build with its own OpenMP runtime keeps it,
    apart from torch's (here both share one runtime, so that restoring
    torch's count would hide a faiss count left behind)."""
    count = [faiss.omp_get_max_threads()]
    monkeypatch.setattr(faiss, "omp_get_max_threads", lambda: count[0])
    monkeypatch.setattr(faiss, "omp_set_num_threads", lambda n: count.__setitem__(0, n))
    return count


def _state() -> dict:
    from pyg_fusion._scatter import get_scatter_backend
    return {"torch threads": torch.get_num_threads(),
            "faiss threads": faiss.omp_get_max_threads(),
            "torch rng": torch.random.get_rng_state(),
            "numpy rng": np.random.get_state()[1].tolist(),
            "python rng": random.getstate(),
            "warnings filters": list(warnings.filters),
            "environment": dict(os.environ),
            "numpy print options": np.get_printoptions(),
            "default dtype": torch.get_default_dtype(),
            "deterministic": (torch.are_deterministic_algorithms_enabled(),
                              torch.is_deterministic_algorithms_warn_only_enabled()),
            "scatter backend": get_scatter_backend()}


def _differences(before: dict, after: dict) -> list[str]:
    return [key for key in before if not (
        torch.equal(before[key], after[key]) if isinstance(before[key], torch.Tensor)
        else before[key] == after[key])]


CASES = {
    "knn_probes": ["--sizes", "4096", "--seeds", "0", "--probes", "1", "--k", "4"],
    "knn_balance": ["--sizes", "4096", "--seeds", "0", "--probes", "1",
                    "--variants", "nearest"],
    "knn_indexes": ["2048", "clustered", "--library-only"],
    "knn_chunks": ["--sizes", "300", "--chunks", "128", "--repeats", "1"],
    "locality_orders": ["256", "--repeats", "1"],
    "prune_error": ["--sizes", "128", "--prune", "16", "--repeats", "1"],
    "step_phases": ["256"],
    # the workers, which the scripts run in processes of their own, called here
    "scaling": ["--worker", "200", "clustered", "--stages", "knn_approx", "step",
                "--repeats", "1", "--exact-max", "0"],
    "sparse_vs_dense": ["--worker", "32", "2", "sparse", "torch_scatter", "--repeats", "1",
                        "--threads", "1"],
    "vad_chance": ["--draws", "2", "--seeds", "0", "--methods", "graph-mean"],
    "vad_table2": ["--method", "graph-mean", "--seeds", "0", "--epochs", "1",
                   "--settings", "multi_modal", "--no-progress"],
}


@pytest.mark.parametrize("script", sorted(CASES))
def test_main_leaves_the_process_as_it_found_it(script, tmp_path, own_faiss_threads,
                                                capsys):
    if script == "sparse_vs_dense":
        pytest.importorskip("torch_scatter")
    argv = list(CASES[script])
    if script in ("vad_chance", "vad_table2"):
        argv += ["--root", str(tmp_path / "data")]
    if script == "vad_table2":
        argv += ["--out", str(tmp_path / "out")]
    from pyg_fusion._scatter import scatter_backend
    main = load_benchmark(script).main
    with scatter_backend("native"):  # not the torch_scatter a run may choose
        for first in (True, False):
            torch.set_num_threads(3)  # neither the scripts' one thread nor the tests'
            faiss.omp_set_num_threads(5)
            torch.manual_seed(12345)
            np.random.seed(6)
            random.seed(7)
            before = _state()
            assert main(argv) in (0, None)
            changed = _differences(before, _state())
            if first:  # the libraries' first imports may add filters and variables
                changed = [k for k in changed if k not in ("warnings filters", "environment")]
            assert changed == [], "first call" if first else "second call"
    assert capsys.readouterr().out  # it ran: a table, or the worker's row

def test_knn_indexes_gives_back_faiss_threads_when_the_grid_fails(own_faiss_threads,
                                                                  monkeypatch, capsys):
    module = load_benchmark("knn_indexes")

    def fails(*args, **kwargs):
        raise RuntimeError("stopped half-way")
    monkeypatch.setattr(module, "library", fails)
    own_faiss_threads[0] = 5
    with pytest.raises(RuntimeError, match="half-way"):
        module.main(["2048", "clustered", "--library-only"])
    assert faiss.omp_get_max_threads() == 5

