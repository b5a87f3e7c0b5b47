"""The public layers read as PyG's: every module class of ``pyg_fusion.nn``,
``nn.asym`` and ``nn.baselines`` documents its input and output shapes
(``Shapes:``, as PyG's convolutions do), those stated are the real ones, and
every layer of LEGO takes ``reset_parameters()``."""
import inspect

import pytest
import torch
from torch import nn

import pyg_fusion.nn as N
import pyg_fusion.nn.asym as A
import pyg_fusion.nn.baselines as B


def _modules():
    seen = {}
    for pkg in (N, A, B):
        for name in dir(pkg):
            obj = getattr(pkg, name)
            if not name.startswith("_") and inspect.isclass(obj) \
                    and issubclass(obj, nn.Module):
                seen.setdefault(obj, f"{pkg.__name__}.{name}")
    return sorted(seen.items(), key=lambda kv: kv[1])


MODULES = _modules()


@pytest.mark.parametrize("cls,name", MODULES, ids=[n for _, n in MODULES])
def test_every_public_module_documents_its_shapes(cls, name):
    # SharedModalityNetwork, AsymFusionBasicBlock, ResidualConvUnit,
    # ChainedResidualPooling, AsymGraphFusion, AsymTranslationFusion and
    # GraphFusion said nothing of what they take and give
    lines = (inspect.getdoc(cls) or "").split("\n")
    assert any(line.startswith("Shapes:") for line in lines), f"{name}: no Shapes section"


def test_the_stated_shapes_are_the_real_ones():
    x = [torch.randn(2, 8, 6, 6) for _ in range(2)]
    out = A.AsymFusionBasicBlock(8, 4, stride=2, fusion=True).eval()(x)
    assert [tuple(o.shape) for o in out] == [(2, 4, 3, 3)] * 2
    for block in (A.ResidualConvUnit(8), A.ChainedResidualPooling(8)):
        assert block(x[0]).shape == x[0].shape
    assert [o.shape for o in A.AsymTranslationFusion(8).eval()(x)] == [x[0].shape] * 2
    shared = A.share_across_modalities(nn.Sequential(nn.Conv2d(8, 3, 1), nn.BatchNorm2d(3)), 2)
    assert [tuple(o.shape) for o in shared.eval()(x)] == [(2, 3, 6, 6)] * 2
    xs = {"a": torch.randn(7, 3), "b": torch.randn(7, 4)}
    assert A.AsymGraphFusion({"a": 3, "b": 4}, 5, combine="concat").eval()(xs).shape == (7, 10)
    assert {s: tuple(v.shape) for s, v in A.AsymGraphFusion({"a": 3, "b": 4}, 5).eval()(
        xs).items()} == {"a": (7, 5), "b": (7, 5)}
    graphs = [torch.rand(2, 4, 4) for _ in range(3)]
    assert B.GraphFusion("concat")(graphs).shape == (2, 4, 12)
    assert B.GraphFusion("mean")(graphs).shape == (2, 4, 4)


def test_every_layer_of_lego_takes_reset_parameters():
    # RelationGraph, the one layer of LEGO without it: a loop resetting the
    # model's layers one by one failed with an AttributeError there
    model = N.LEGO({"a": 3, "b": 4}, 2, k=3, proj_channels=4)
    torch.manual_seed(0)
    fresh = N.LEGO({"a": 3, "b": 4}, 2, k=3, proj_channels=4).state_dict()
    for child in model.children():
        if isinstance(child, nn.ModuleDict):
            for part in child.values():
                part.reset_parameters()
        else:
            child.reset_parameters()
    torch.manual_seed(0)
    model.reset_parameters()
    assert all(torch.equal(v, fresh[k]) for k, v in model.state_dict().items())
    assert N.RelationGraph(k=3).reset_parameters() is None


def _functions():
    import pyg_fusion.functional as F
    seen = {}
    for pkg in (F, A, B):
        for name in dir(pkg):
            obj = getattr(pkg, name)
            if not name.startswith("_") and inspect.isfunction(obj) \
                    and obj.__module__.startswith("pyg_fusion"):
                seen.setdefault(obj, f"{pkg.__name__}.{name}")
    return sorted(seen.items(), key=lambda kv: kv[1])


FUNCTIONS = _functions()


@pytest.mark.parametrize("fn,name", FUNCTIONS, ids=[n for _, n in FUNCTIONS])
def test_every_public_function_documents_what_it_returns(fn, name):
    # relation_graph, relation_pairs, shared_support, dense_shared_support_graphs,
    # feature_fuse, graph_fuse_dense/sparse, gan_loss, asym_segmentation_loss,
    # asym_fusion_segmenter, bn_affine_parameter_count and resnet18..152 had Args
    # but no Returns section, as every other function has (PyG's functional style)
    lines = (inspect.getdoc(fn) or "").split("\n")
    assert "Returns:" in lines, f"{name}: no Returns section"


@pytest.mark.parametrize("method", ["forward", "dense", "expand_features"])
def test_graph_power_expansion_documents_its_methods(method):
    # forward's num_nodes, restore and tie_order (and dense's mask) were in no
    # docstring: help(GraphPowerExpansion.forward) printed nothing
    fn = getattr(N.GraphPowerExpansion, method)
    doc = inspect.getdoc(fn) or ""
    params = [p for p in inspect.signature(fn).parameters if p != "self"]
    assert "Args:" in doc and "Returns:" in doc
    assert all(f"    {p} (" in doc for p in params), (method, params)


@pytest.mark.parametrize("cls,name", MODULES, ids=[n for _, n in MODULES])
def test_every_public_module_links_its_paper(cls, name):
    # DegreeVarianceLoss (LEGO), GraphHead (GraphConv), LabelPropagationHead
    # (Zhou et al.) and AsymGraphFusion (AsymFusion) named their source
    # without a link, in their own docstring or their module's
    import sys
    text = (inspect.getdoc(cls) or "") + (sys.modules[cls.__module__].__doc__ or "")
    assert "https://" in text, f"{name}: no paper link"
