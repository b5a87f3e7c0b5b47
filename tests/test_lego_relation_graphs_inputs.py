"""LEGO.relation_graphs checks its features as forward does, naming the
argument: it took a tensor, unknown sources, wrong widths and (with
support="shared") a subset of the sources through to torch errors or to
graphs forward never builds."""
import pytest
import torch

from pyg_fusion.nn import LEGO

XA, XB = torch.randn(6, 3), torch.randn(6, 5)


def _lego(**kw):
    torch.manual_seed(0)
    return LEGO({"a": 3, "b": 5}, 2, k=2, **kw)


@pytest.mark.parametrize("kw,xs,error,match", [
    ({}, XA, TypeError, r"xs must be a dict \{source: \[N, d\]\} of the sources \['a', 'b'\], got Tensor"),
    ({}, {"a": XA, "c": XB}, ValueError,
     r"xs must hold some of the sources \['a', 'b'\], got \['a', 'c'\]"),
    ({"proj_channels": 4}, {"a": XB, "b": XB}, ValueError,
     r"xs\['a'\] has width 5, the model was built for 3"),
    ({"support": "shared"}, {"a": XA}, ValueError,
     r"xs must hold exactly the sources \['a', 'b'\], got \['a'\]"),
    ({}, {"a": XA, "b": XB[:5]}, ValueError, r"different numbers of units"),
    ({}, {"a": XA.double(), "b": XB.double()}, TypeError,
     r"xs\['a'\] is torch.float64 on cpu but the model's parameters are torch.float32"),
])
def test_relation_graphs_refuse_what_forward_refuses(kw, xs, error, match):
    with pytest.raises(error, match=match):
        _lego(**kw).relation_graphs(xs)


def test_relation_graphs_of_some_sources_are_forwards():
    whole = _lego().relation_graphs({"a": XA, "b": XB})
    part = _lego().relation_graphs({"a": XA})
    assert list(part) == ["a"]
    assert all(torch.equal(p, w) for p, w in zip(part["a"], whole["a"]))
