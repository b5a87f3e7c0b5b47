"""The configs name the methods that read LEGO's options (LEGO_METHODS), its
GraphHead branch's (BRANCH_METHODS) and the pairwise operator's (NOT_CP) by
hand, apart from the registry that builds them (pyg_fusion.methods): each
list is the set of registered methods whose model has that part, so that a
method added to one place only is caught here (an option it reads would be
refused as unread, or one it ignores taken)."""
import pytest

from pyg_fusion.specs.components import BRANCH_METHODS, LEGO_METHODS, NOT_CP
from pyg_fusion.methods import build_model, method_names
from pyg_fusion.nn import LEGO


def _models(task):
    extra = {"num_classes": 3} if task == "node" else {"num_segments": 8}
    for name in method_names(task, ["a", "b"]):
        yield name, build_model(name, task, {"a": 4, "b": 3}, **extra)


@pytest.mark.parametrize("task", ["node", "vad"])
def test_the_configs_lists_of_lego_methods_are_the_registrys(task):
    lego = {name: next((m for m in model.modules() if isinstance(m, LEGO)), None)
            for name, model in _models(task)}
    built = {name for name, m in lego.items() if m is not None}
    assert built == set(LEGO_METHODS) & set(lego)
    assert {n for n in built if lego[n].fusion.mode != "cp"} == set(NOT_CP) & built
    if task == "vad":
        assert set(LEGO_METHODS) <= set(lego)
        # the branch as the tasks find it (TimedAdamTask.branches)
        with_branch = {name for name, model in _models(task)
                       if any(getattr(m, "graph_head", None) is not None
                              and hasattr(m, "branch_on") for m in model.modules())}
        assert with_branch == set(BRANCH_METHODS)
