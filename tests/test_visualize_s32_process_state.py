"""Each public function of pyg_fusion.visualize leaves the process as it
found it: environment variables, warnings filters, matplotlib's backend and
rcParams, torch's thread counts and the global random generators.

The calls run in a fresh interpreter: in the test process, the libraries
whose first import changes this state (scikit-learn sets
``KMP_DUPLICATE_LIB_OK``) have been imported by other tests already, so a
call importing them would change nothing there."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = r"""
import json, os, random, sys, warnings
import numpy as np, torch, matplotlib
matplotlib.use("svg")  # not the Agg that a figure would choose by itself
import matplotlib.pyplot as plt
from pyg_fusion import visualize as V

def state():
    return {"environment": dict(os.environ), "warnings filters": repr(warnings.filters),
            "rcParams": repr(sorted(matplotlib.rcParams.items())),
            "backend": matplotlib.get_backend(), "interactive": matplotlib.is_interactive(),
            "threads": (torch.get_num_threads(), torch.get_num_interop_threads()),
            "torch rng": torch.random.get_rng_state().tolist(),
            "numpy rng": np.random.get_state()[1].tolist(), "python rng": random.getstate(),
            "numpy errors": np.geterr(), "numpy print": repr(np.get_printoptions()),
            "default dtype": str(torch.get_default_dtype())}

out = sys.argv[1]
ring = torch.tensor([[0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 0]])
dense = torch.arange(36.0).view(6, 6) / 36
rows = [{"N": n, "batch": 1, "backend": b, "scatter": "native", "time_s": t, "times": [t],
         "peak_mem_mb": 1.0, "status": "ok"}
        for n in (32, 64, 128) for b, t in (("dense", 1e-6 * n * n), ("sparse", 1e-4 * n))]
records = [{"dataset": "d", "setting": "s", "method": m, "metric": "accuracy", "mean": 0.8,
            "std": 0.01, "values": [0.79, 0.81]} for m in ("a", "b")]
from pyg_fusion.data import MultiSourceData
data = MultiSourceData(x_a=torch.linspace(0, 1, 24).view(12, 2), x_b=torch.ones(12, 1))
calls = {
    "plot_relation_graph": lambda: V.plot_relation_graph(ring, num_nodes=6, path=out + "/g"),
    "plot_relation_graph of a source": lambda: V.plot_relation_graph(
        data, source="a", k=3, path=out + "/gs"),
    "plot_adjacency": lambda: V.plot_adjacency(dense, path=out + "/a.pdf"),
    "plot_power_expansion": lambda: V.plot_power_expansion(
        {"a": dense.expand(3, 6, 6)}, path=out + "/p.svg"),
    "plot_fusion_operator": lambda: V.plot_fusion_operator(dense[:3, :3], path=out + "/o"),
    "plot_pq_sensitivity": lambda: V.plot_pq_sensitivity(dense[:3, :3], path=out + "/s"),
    "plot_anomaly_scores": lambda: V.plot_anomaly_scores(
        {"v": np.linspace(0, 1, 10)}, {"v": np.r_[np.zeros(80), np.ones(80)]},
        path=out + "/v"),
    "plot_sparse_vs_dense": lambda: V.plot_sparse_vs_dense({"rows": rows}, path=out + "/b"),
    "plot_results": lambda: V.plot_results(records, path=out + "/r"),
    "select_edges": lambda: V.select_edges(ring, torch.ones(6)),
    "load_pq_grid": lambda: V.load_pq_grid(dense[:3, :3]),
    "load_benchmark": lambda: V.load_benchmark({"rows": rows}),
    "crossover": lambda: V.crossover([1, 2], [1, 4], [2, 2]),
}
torch.set_num_threads(3)  # neither one thread nor the machine's count
torch.manual_seed(5); np.random.seed(6); random.seed(7)
changed = {}
for name, call in calls.items():
    before = state()
    call()
    after = state()
    changed[name] = [k for k in before if before[k] != after[k]]
    if "environment" in changed[name]:
        changed[name].append(sorted(k for k in set(before["environment"]) | set(after["environment"])
                                    if before["environment"].get(k) != after["environment"].get(k)))
print(json.dumps(changed))
"""


@pytest.fixture(scope="module")
def changes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("state")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KMP_", "MPLBACKEND"))}
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp)], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_figure_leaves_the_process_state_as_it_was(changes):
    """plot_anomaly_scores imported scikit-learn for the frame AUC of its
    titles; that import set KMP_DUPLICATE_LIB_OK=True and
    KMP_INIT_AT_FORK=FALSE in os.environ (and scipy.special's warnings
    filter) for the rest of the caller's process and its child processes."""
    assert {name: c for name, c in changes.items() if c} == {}


def test_the_titles_auc_is_scikit_learns():
    """The figure's AUC is training.metrics.roc_auc (the frame AUC that
    training reports), which is roc_auc_score's."""
    from sklearn.metrics import roc_auc_score

    from pyg_fusion.visualize.anomaly import roc_auc as _roc_auc
    rng = np.random.default_rng(0)
    for i in range(200):
        n = int(rng.integers(2, 200))
        scores = rng.integers(0, 5, n) / 3 if i % 2 else rng.random(n)  # ties, or none
        positive = rng.random(n) < 0.3
        positive[:2] = [True, False]
        assert _roc_auc(scores, positive) == roc_auc_score(positive, scores)
