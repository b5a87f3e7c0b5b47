"""Session 35, dtypes end to end: a model moved to float64 (``model.double()``)
computes in float64, and an input of another dtype than the model's is an
error naming it, as for every layer."""
import pytest
import torch

from pyg_fusion.nn import LabelPropagationHead

EDGES = torch.tensor([[0, 1, 1, 2, 3], [1, 0, 2, 1, 2]])
Y = torch.eye(4)[:, :2] * torch.tensor([1.0, 1.0, 0.0, 0.0]).unsqueeze(1)


def test_label_propagation_head_takes_labels_of_its_own_dtype():
    head = LabelPropagationHead(num_layers=3).double()
    out = head(Y.double(), EDGES, torch.ones(5, dtype=torch.float64))
    assert out.dtype == torch.float64
    torch.testing.assert_close(out.float(), LabelPropagationHead(num_layers=3)(
        Y, EDGES, torch.ones(5)))
    # before: float32 logits from the float64 head, its scale rounded silently
    with pytest.raises(TypeError, match="y is torch.float32 .* model's parameters are "
                                        "torch.float64"):
        head(Y, EDGES, torch.ones(5))
    with pytest.raises(TypeError, match="y is torch.float64 .* model's parameters are "
                                        "torch.float32"):
        LabelPropagationHead(num_layers=3)(Y.double(), EDGES, torch.ones(5, dtype=torch.float64))
    # autocast's mix stays accepted, as for the other layers
    with torch.autocast("cpu", dtype=torch.bfloat16):
        LabelPropagationHead(num_layers=3)(Y.bfloat16(), EDGES, torch.ones(5).bfloat16())
