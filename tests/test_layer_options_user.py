"""A layer built with a bad option says so when it is built, naming the
option, not at its first forward after the data is loaded."""
import numpy as np
import pytest
import torch

from pyg_fusion.nn import GraphHead, RowHead
from pyg_fusion.nn.asym import AsymGraphFusion
from pyg_fusion.nn.baselines import GCN, MTN

LAYERS = {
    "GraphHead": lambda p: GraphHead(3, 4, 2, dropout=p),
    "RowHead": lambda p: RowHead(4, dropout=p),
    "GCN": lambda p: GCN(3, 4, 2, dropout=p),
    "MTN": lambda p: MTN(3, 4, dropout=p),
    "AsymGraphFusion": lambda p: AsymGraphFusion({"a": 3}, 10, dropout=p),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("p", [2, 1.0, -0.1, float("nan"), True])
def test_a_dropout_outside_zero_one_is_refused_when_the_layer_is_built(name, p):
    # GraphHead, GCN and MTN built with dropout=2 (or NaN) and failed at the
    # first forward, in torch's words; RowHead took 1.0 (every unit dropped)
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\), got "):
        LAYERS[name](p)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_a_dropout_in_zero_one_builds(name):
    for p in (0, 0.5, np.float32(0.25)):
        assert isinstance(LAYERS[name](p), torch.nn.Module)
