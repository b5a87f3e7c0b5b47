"""``from pyg_fusion.functional import *`` and ``from pyg_fusion.nn import *``
give the public functions and layers (each package's ``__all__``, as PyG's
packages declare theirs), not the modules they are defined in."""
import inspect

import pyg_fusion.functional as F
import pyg_fusion.nn as N


def _star(*packages):
    ns = {}
    for p in packages:
        exec(f"from {p} import *", ns)
    return ns


def test_nn_after_functional_keeps_the_functions():
    # was: nn's star import brought its submodule relation_graph (and loss,
    # lego, heads, ...), replacing functional's relation_graph function:
    # relation_graph(x, k=3) then said "'module' object is not callable"
    ns = _star("pyg_fusion.functional", "pyg_fusion.nn")
    assert ns["relation_graph"] is F.relation_graph
    assert ns["RelationGraph"] is N.RelationGraph and ns["LEGO"] is N.LEGO
    assert ns["asym"] is N.asym and ns["baselines"] is N.baselines
    for name in ("lego", "loss", "heads", "fused_graph", "lego_fusion", "power_expansion",
                 "label_prop"):
        assert name not in ns, name


def test_all_lists_every_public_name_and_no_module():
    for pkg in (F, N):
        public = {n for n in dir(pkg) if not n.startswith("_")
                  and not inspect.ismodule(getattr(pkg, n))}
        assert set(pkg.__all__) - {"asym", "baselines"} == public, pkg.__name__
    ns = _star("pyg_fusion.functional")
    assert not [n for n, v in ns.items() if inspect.ismodule(v)]
