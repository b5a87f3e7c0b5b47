"""The method names live in pyg_fusion.specs.method_names, which needs no
torch: the command line checked a --method typo only after importing
pyg_fusion.methods (torch and PyG, seconds). The models are registered
against that one list of names: each name has a builder, and each builder
kind is used."""
import subprocess
import sys

import pytest

from pyg_fusion.methods import _node_kinds, _vad_kinds, build_model, builders
from pyg_fusion.nn.baselines import FEATURE_MODES, GRAPH_MODES
from pyg_fusion.specs.method_names import (FEATURE_FUSIONS, GRAPH_FUSIONS, method_names,
                                           method_table)

_SOURCES = ["a", "b"]


@pytest.mark.parametrize("task, features", [("node", None), ("node", "concat"),
                                            ("node", "labels"), ("node", "none"),
                                            ("vad", None)])
def test_every_name_has_a_builder_in_the_names_order(task, features):
    assert list(builders(task, _SOURCES, features)) == method_names(task, _SOURCES, features)


@pytest.mark.parametrize("task, kinds", [("node", _node_kinds), ("vad", _vad_kinds)])
def test_every_builder_kind_is_named(task, kinds):
    used = {m.kind for f in (None, "labels") for m in method_table(task, _SOURCES, f).values()}
    assert used == set(kinds())


def test_the_fusions_are_the_baselines_modes():
    assert FEATURE_FUSIONS == tuple(m for m in FEATURE_MODES if m != "single")
    assert GRAPH_FUSIONS == tuple(m for m in GRAPH_MODES if m not in ("single", "add"))


def test_a_name_of_one_source_builds_the_model_of_that_source():
    model = build_model("gcn-b", "node", {"a": 3, "b": 2}, num_classes=2)
    assert list(model.in_channels) == ["b"]


def test_the_names_import_no_torch():
    code = ("import sys\nfrom pyg_fusion.specs.method_names import resolve_methods\n"
            "resolve_methods('lego,graph', 'vad', ['i3d'])\nprint('torch' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.stdout == "False\n", run.stderr[-2000:]
