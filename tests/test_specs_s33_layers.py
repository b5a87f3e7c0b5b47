"""The spec of a method run (pyg_fusion.specs) sits below the models
(pyg_fusion.methods), which sit below the runs (pyg_fusion.experiments):
methods imported experiments.components and experiments.config, and with
them the whole experiments package, whose config imported methods back.
Each layer is checked in a fresh interpreter, its lazy imports included."""
import json
import os
import subprocess
import sys

from pyg_fusion.methods import build_model
from pyg_fusion.nn import LEGO
from pyg_fusion.specs import MethodSpec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _loaded(script: str, tmp_path) -> dict[str, list[str]]:
    """The pyg_fusion.methods and pyg_fusion.experiments modules that
    ``script`` loads in a fresh interpreter."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    script += ("\nimport json, sys\nprint(json.dumps({p: sorted(m for m in sys.modules if "
               "m == p or m.startswith(p + '.')) for p in "
               "('pyg_fusion.methods', 'pyg_fusion.experiments')}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_specs_import_neither_methods_nor_experiments(tmp_path):
    # check_options of LEGO methods reaches the LEGO rules (pyg_fusion.nn) lazily
    got = _loaded("""
from pyg_fusion.specs import MethodSpec, check_options
check_options("vad", {"num_powers": 2, "init": "auto"}, ["lego", "lego-row", "graph-*"])
check_options("node", {"fusion_rank": 2}, ["lego-cp"])
MethodSpec.create("lego-cp", "node").lego_kwargs()
""", tmp_path)
    assert got == {"pyg_fusion.methods": [], "pyg_fusion.experiments": []}


def test_the_methods_do_not_import_experiments(tmp_path):
    got = _loaded("""
from pyg_fusion.methods import build_model, chosen_methods, task_options
chosen_methods("lego,graph", "vad")
task_options("node", {"k": 5})
build_model("lego", "vad", {"a": 3, "b": 2}, num_segments=4)
build_model("lego-cp", "node", {"a": 3, "b": 2}, num_classes=2)
""", tmp_path)
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
