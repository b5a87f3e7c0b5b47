"""TorchScript on LEGO's layers: one error naming the layer and what works
(torch.compile), where torch.jit.script failed on a line of the input checks
and torch.jit.trace of LEGO said the sources had different numbers of units."""
import pytest
import torch

from pyg_fusion.nn import (GraphHead, GraphPowerExpansion, LabelPropagationHead, LEGO,
                           LEGOFusion, DegreeVarianceLoss, RelationGraph, RowHead)

LAYERS = [
    lambda: LEGO({"a": 4, "b": 3}, k=2),
    lambda: RelationGraph(k=2),
    lambda: GraphPowerExpansion(2),
    lambda: LEGOFusion(["a", "b"], 2),
    lambda: GraphHead(4, 8, 2),
    lambda: RowHead(6),
    lambda: LabelPropagationHead(),
    lambda: DegreeVarianceLoss(),
]


@pytest.mark.parametrize("make", LAYERS)
def test_script_names_the_layer_and_torch_compile(make):
    layer = make()
    name = type(layer).__name__
    with pytest.raises(RuntimeError, match=rf"^{name} cannot be compiled by torch.jit.script"
                                           r".*use torch.compile\(model\)"):
        torch.jit.script(layer)


class _UserModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = torch.nn.Linear(5, 4)
        self.head = GraphHead(4, 8, 2)

    def forward(self, x, edge_index, edge_weight):
        return self.head(self.enc(x), edge_index, edge_weight)


def test_script_of_a_model_holding_a_layer_names_the_layer():
    with pytest.raises(RuntimeError, match=r"^GraphHead cannot be compiled by torch.jit.script"):
        torch.jit.script(_UserModel())


def test_trace_of_lego_and_powers_names_the_layer():
    torch.manual_seed(0)
    xs = {"a": torch.randn(6, 4), "b": torch.randn(6, 3)}
    lego = LEGO({"a": 4, "b": 3}, k=2)
    with pytest.raises(RuntimeError, match=r"^LEGO cannot be traced by torch.jit.trace: the "
                                           r"sizes of its graphs depend on the data"):
        torch.jit.trace(lego, (xs, ), strict=False, check_trace=False)
    ei, w = RelationGraph(k=2)(xs["a"])
    with pytest.raises(RuntimeError, match=r"^GraphPowerExpansion cannot be traced"):
        torch.jit.trace(GraphPowerExpansion(2), (ei, w), check_trace=False)

