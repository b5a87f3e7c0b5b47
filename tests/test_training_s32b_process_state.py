"""The training layer leaves the caller's process as it was, and sits below
experiments.

training.metrics took its ranking metrics from scikit-learn, whose first
import sets KMP_DUPLICATE_LIB_OK=True and KMP_INIT_AT_FORK=FALSE in
os.environ (inherited by every child process) and adds scipy's warnings
filters: computing a frame AUC changed process-wide state. The metrics are
computed in numpy by scikit-learn's own steps, to the last bit.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from pyg_fusion.training.metrics import average_precision, pr_auc_trapz, roc_auc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


STATE = r"""
import json, os, sys, warnings
import numpy, torch, torch.distributed  # the metrics' own dependencies: not ours to judge
env, filters = dict(os.environ), list(warnings.filters)
import pyg_fusion.training
from pyg_fusion.training.metrics import frame_level_metrics
out = frame_level_metrics([torch.tensor([0.1, 0.4, 0.4, 0.9])], [torch.tensor([0, 1, 0, 1])])
print("state:", json.dumps({
    "environ": {k: v for k, v in os.environ.items() if env.get(k) != v},
    "filters": [str(f) for f in warnings.filters if f not in filters],
    "sklearn": sorted(m for m in sys.modules if m.split(".")[0] == "sklearn"),
    "metrics": sorted(out)}))
"""


def test_the_metrics_leave_the_process_state_as_it_was(fresh):
    got = fresh["state"]
    assert got["metrics"] == ["ap", "auc", "pr_auc_trapz"]
    assert (got["environ"], got["filters"], got["sklearn"]) == ({}, [], [])


def _cases():
    rng = np.random.default_rng(0)
    for i in range(300):
        n = int(rng.integers(2, 400))
        s = (rng.random(n), rng.integers(0, 4, n) / 3, np.round(rng.random(n), 1),
             np.repeat(rng.random(n), 16)[:n], rng.random(n).astype(np.float32))[i % 5]
        y = (rng.random(n) < rng.random()).astype(float)
        y[:2] = [1, 0]
        yield s, y


def test_the_metrics_are_scikit_learns_to_the_last_bit():
    sk = pytest.importorskip("sklearn.metrics")
    for s, y in _cases():
        p, r, _ = sk.precision_recall_curve(y, s)
        want = (sk.roc_auc_score(y, s), sk.average_precision_score(y, s), sk.auc(r, p))
        got = (roc_auc(s, y), average_precision(torch.tensor(s), torch.tensor(y)),
               pr_auc_trapz(s, y))
        assert [float(w).hex() for w in want] == [g.hex() for g in got]


LAYERS = r"""
import json, pkgutil, importlib, sys
import pyg_fusion.training as training
for m in pkgutil.iter_modules(training.__path__):
    importlib.import_module(f"pyg_fusion.training.{m.name}")
print("layers:", json.dumps(sorted(m for m in sys.modules
                                    if m.startswith("pyg_fusion.experiments"))))
"""


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict:
    """What STATE and then LAYERS print, run in that order in one fresh
    interpreter (importing torch and Lightning afresh takes seconds): STATE
    sees the process as a fresh one is, and LAYERS' modules of experiments
    are those of all its imports and STATE's, a part of them."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", STATE + LAYERS],
                          cwd=tmp_path_factory.mktemp("fresh"), env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    got = dict(line.split(": ", 1) for line in done.stdout.splitlines()
               if line.startswith(("state: ", "layers: ")))
    assert got.keys() == {"state", "layers"}, done.stdout[-3000:]
    return {k: json.loads(v) for k, v in got.items()}


def test_the_training_layer_imports_nothing_of_experiments(fresh):
    """training.segmentation, translation and translation_eval imported
    experiments.image_config (their defaults) and experiments._versions:
    the layer below reached up. The image configs are declared in
    training._image_configs (experiments.image_config uses them from there),
    library_versions in pyg_fusion._versions."""
    assert fresh["layers"] == []


def test_the_image_configs_have_one_home():
    from pyg_fusion.experiments import image_config
    from pyg_fusion.training import _image_configs, segmentation, translation, translation_eval
    for name in _image_configs.__all__:
        assert getattr(image_config, name) is getattr(_image_configs, name)
    assert segmentation.SegmentTrainConfig is image_config.SegmentTrainConfig
    assert translation.TranslateModelConfig is image_config.TranslateModelConfig
    assert translation_eval.TranslateEvalConfig is image_config.TranslateEvalConfig
