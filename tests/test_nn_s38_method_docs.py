"""Every public method of the public layers says what it does (``help()``
printed nothing for GraphHead.normalize, a static method the head's callers
may use on their own graphs), and the functional forms of a paper's math link
the paper, as their layers do."""
import inspect

import pytest
from torch import nn

import pyg_fusion.nn as N
import pyg_fusion.nn.asym as A
import pyg_fusion.nn.baselines as B


def _methods():
    found = {}
    for pkg in (N, A, B):
        for name in pkg.__all__:
            cls = getattr(pkg, name)
            if not (inspect.isclass(cls) and issubclass(cls, nn.Module)):
                continue
            for attr, value in vars(cls).items():
                fn = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
                # PyG's MessagePassing writes propagate / collect onto a layer's class
                # from its templates when the first instance is made (module
                # '<layer module>_<Class>_propagate'): those are PyG's, not ours
                if getattr(fn, "__module__", None) != cls.__module__:
                    continue
                if not attr.startswith("_") and inspect.isfunction(fn) and attr not in (
                        "forward", "reset_parameters", "message", "extra_repr"):
                    found[f"{cls.__name__}.{attr}"] = fn
    return sorted(found.items())


METHODS = _methods()


@pytest.mark.parametrize("name,fn", METHODS, ids=[n for n, _ in METHODS])
def test_every_public_method_has_a_docstring(name, fn):
    assert (fn.__doc__ or "").strip(), f"{name} has no docstring"


LEGO_PAPER = "https://arxiv.org/abs/2410.01506"


@pytest.mark.parametrize("name", [
    "dense_relation_graph", "pair_similarity", "relation_graph", "relation_pairs", "dense_topk",
    "graph_powers", "dense_graph_powers", "lego_fuse", "lego_fuse_sparse",
    "degree_variance_loss", "graph_degrees", "dense_graph_degrees"])
def test_the_functional_forms_of_legos_math_link_the_paper(name):
    # their modules said "(LEGO, docs/methods.md §1.x)" without a link, where the
    # layers that wrap them (RelationGraph, GraphPowerExpansion, ...) link it
    import sys

    import pyg_fusion.functional as F
    fn = getattr(F, name)
    assert LEGO_PAPER in (fn.__doc__ or "") + (sys.modules[fn.__module__].__doc__ or "")


def test_the_gan_loss_links_pix2pix():
    import sys
    assert "https://arxiv.org/abs/1611.07004" in sys.modules[A.gan_loss.__module__].__doc__


def test_the_relation_graphs_transform_links_the_paper():
    from pyg_fusion.transforms import RelationGraphs
    assert LEGO_PAPER in RelationGraphs.__doc__
