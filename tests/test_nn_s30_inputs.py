"""Inputs that the modules' own layers failed on naming a weight or a
padded size: named by the module instead."""
import pytest
import torch

import pyg_fusion.functional as PF
from pyg_fusion.nn import FusedGraph, GraphPowerExpansion, LEGOFusion
from pyg_fusion.nn.asym import AsymGraphFusion
from pyg_fusion.nn.baselines import MTN, FeatureFusion, GraphFusion

EI5 = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4]])


@pytest.mark.parametrize("x, error, words", [
    (torch.randn(2, 5, 4, dtype=torch.float64), TypeError,
     r"x is torch.float64 on cpu but the model's parameters are torch.float32"),
    (torch.randn(2, 5, 4, device="meta"), TypeError, r"x is torch.float32 on meta"),
    (torch.randn(2, 0, 4), ValueError, r"x holds no snippets \(N = 0"),
])
def test_mtn_names_its_input(x, error, words):
    with pytest.raises(error, match=words):
        MTN(4)(x)


def test_mtn_one_snippet_and_float64_model():
    assert MTN(4)(torch.randn(2, 1, 4)).shape == (2, 1, 64)
    out = MTN(4).double()(torch.randn(2, 5, 4, dtype=torch.float64))
    assert out.dtype == torch.float64


@pytest.mark.parametrize("sparse", [False, True])
def test_lego_fusion_names_powers_of_another_dtype_not_its_operator(sparse):
    ei = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 0]])
    if sparse:
        powers = {s: PF.graph_powers(ei, torch.rand(4), 4, 2) for s in "ab"}
        powers["b"] = (powers["b"][0], powers["b"][1].double())
        name, args = r"powers\['b'\]\[1\]", (4, )
    else:
        powers = {"a": torch.rand(3, 4, 4), "b": torch.rand(3, 4, 4, dtype=torch.float64)}
        name, args = r"powers\['b'\]", ()
    with pytest.raises(TypeError, match=name + r" is torch.float64 on cpu but the model's "
                                              r"parameters are torch.float32"):
        LEGOFusion(["a", "b"], 2)(powers, *args)
    fused = LEGOFusion(["a", "b"], 2).double()(
        {s: ((p[0], p[1].double()) if sparse else p.double()) for s, p in powers.items()}, *args)
    assert (fused[1] if sparse else fused).dtype == torch.float64


@pytest.mark.parametrize("build", [
    lambda: FeatureFusion({"a": 4, "b": 4}),
    lambda: AsymGraphFusion({"a": 4, "b": 4}, 10),
])
def test_a_source_the_model_was_not_built_for_is_refused(build):
    # it was dropped from the fusion silently; LEGO and LEGOFusion refuse it
    x = torch.randn(6, 4)
    with pytest.raises(ValueError, match=r"^xs must hold exactly the sources \['a', 'b'\], got "
                                         r"\['a', 'b', 'c'\]; the model was not built for "
                                         r"\['c'\]$"):
        build()({"a": x, "b": x, "c": x})


def test_graph_power_expansion_without_edges_asks_for_num_nodes():
    empty = torch.empty(2, 0, dtype=torch.long)
    with pytest.raises(ValueError, match="edge_index holds no edges, so it does not tell the "
                                         "number of nodes: pass num_nodes"):
        GraphPowerExpansion(2)(empty)
    edge_index, attr = GraphPowerExpansion(2)(empty, None, 3)
    assert edge_index.shape == (2, 3) and attr.shape == (3, 3)


@pytest.mark.parametrize("build, error, words", [
    (lambda: FusedGraph(3, dense=torch.rand(1, 5, 5)), ValueError,
     r"num_nodes is 3, but dense \(1, 5, 5\) without a mask holds B \* N_max = 5 nodes"),
    (lambda: FusedGraph(5, torch.tensor([0, 0, 1]), EI5, torch.rand(4)).dense_mask(), ValueError,
     r"batch must have one entry per node \(5\), got 3"),
    (lambda: FusedGraph(5, torch.tensor([0, 1, 0, 1, 0]), EI5, torch.rand(4)).dense_mask(),
     ValueError, r"batch must be sorted"),
    (lambda: FusedGraph(5, dense=torch.rand(1, 5, 5), mask=torch.ones(1, 4, dtype=torch.bool)),
     ValueError, r"mask must have shape \[1, 5\], got \[1, 4\]"),
])
def test_fused_graph_built_by_hand_is_checked(build, error, words):
    # a wrong batch gave a torch error in dense_mask or, unsorted, a wrong mask
    with pytest.raises(error, match=words):
        build()


@pytest.mark.parametrize("graphs, kwargs, error, words", [
    (torch.rand(2, 1, 4, 4), {}, TypeError,
     "graphs must be a list of dense graphs .* got Tensor"),
    (None, {}, TypeError, "graphs must be a list of dense graphs .* got NoneType"),
    ([torch.rand(1, 4, 4)], {"num_nodes": 4}, ValueError,
     r"num_nodes goes with sparse \(edge_index, edge_weight\) graphs"),
])
def test_graph_fusion_names_graphs_it_cannot_read(graphs, kwargs, error, words):
    # a stacked tensor failed on its truth value; num_nodes was ignored
    with pytest.raises(error, match=words):
        GraphFusion()(graphs, **kwargs)


@pytest.mark.parametrize("xs", [[torch.randn(4, 3)] * 2, torch.randn(4, 3), None])
def test_feature_fusion_names_sources_not_given_as_a_dict(xs):
    # a list or a tensor failed on "'a' in xs" (truth value, __contains__)
    with pytest.raises(TypeError, match=r"xs must be a dict \{source: \[\.\.\., d\]\} of the "
                                        r"sources \['a', 'b'\], got"):
        FeatureFusion({"a": 3, "b": 3})(xs)
