"""The spec of a method run (pyg_fusion.specs) sits below the models
(pyg_fusion.methods), which sit below the runs (pyg_fusion.experiments):
methods imported experiments.components and experiments.config, and with
them the whole experiments package, whose config imported methods back.
Each layer is checked in a fresh interpreter, its lazy imports included."""
import json
import os
import subprocess
import sys

import pytest

from pyg_fusion.methods import build_model
from pyg_fusion.nn import LEGO
from pyg_fusion.specs import MethodSpec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_LOADED = ("import json, sys\nprint('loaded:', json.dumps({p: sorted(m for m in sys.modules "
           "if m == p or m.startswith(p + '.')) for p in "
           "('pyg_fusion.methods', 'pyg_fusion.experiments')}))\n")

# Each stage runs after the one before in the same interpreter and prints what
# is loaded so far: the specs' stage comes first, so its modules are those of a
# fresh interpreter, and the methods' stage adds to them only what the methods
# load (the specs' stage loaded none of methods or experiments, or its test
# fails). One interpreter: importing torch and PyG afresh takes seconds.
_STAGES = {
    "specs": """
from pyg_fusion.specs import MethodSpec, check_options
check_options("vad", {"num_powers": 2, "init": "auto"}, ["lego", "lego-row", "graph-*"])
check_options("node", {"fusion_rank": 2}, ["lego-cp"])
MethodSpec.create("lego-cp", "node").lego_kwargs()
""",
    "methods": """
from pyg_fusion.methods import build_model, chosen_methods, task_options
chosen_methods("lego,graph", "vad")
task_options("node", {"k": 5})
build_model("lego", "vad", {"a": 3, "b": 2}, num_segments=4)
build_model("lego-cp", "node", {"a": 3, "b": 2}, num_classes=2)
"""}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict[str, dict[str, list[str]]]:
    """The pyg_fusion.methods and pyg_fusion.experiments modules loaded in a
    fresh interpreter after each stage of _STAGES, its lazy imports included."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    script = "".join(code + _LOADED for code in _STAGES.values())
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path_factory.mktemp("layers"),
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = [line.removeprefix("loaded:") for line in done.stdout.splitlines()
               if line.startswith("loaded:")]
    assert len(printed) == len(_STAGES), done.stdout[-3000:]
    return dict(zip(_STAGES, map(json.loads, printed)))


def test_the_specs_import_neither_methods_nor_experiments(loaded):
    # check_options of LEGO methods reaches the LEGO rules (pyg_fusion.nn) lazily
    assert loaded["specs"] == {"pyg_fusion.methods": [], "pyg_fusion.experiments": []}


def test_the_methods_do_not_import_experiments(loaded):
    got = loaded["methods"]
    assert got["pyg_fusion.experiments"] == []
    assert "pyg_fusion.methods.vad" in got["pyg_fusion.methods"]


def test_a_specs_lego_arguments_build_the_registrys_lego():
    # lego_kwargs() gave lego-cp the --operator value (fusion="pairwise") and lego the
    # --fusion-rank value, where the registry builds lego-cp's CP operator and rank 1
    widths = {"a": 3, "b": 2, "c": 4}
    for method, options in (("lego-cp", {}), ("lego", {"fusion_rank": 2})):
        spec = MethodSpec.create(method, "node", options)
        ours = LEGO(widths, **spec.lego_kwargs()).fusion
        theirs = build_model(method, "node", widths, num_classes=3, **options).lego.fusion
        assert (ours.mode, ours.rank) == (theirs.mode, theirs.rank), method
        assert [p.shape for p in ours.parameters()] == [p.shape for p in theirs.parameters()]
    assert MethodSpec.create("lego-cp", "node").lego_kwargs()["fusion"] == "cp"
